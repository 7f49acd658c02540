"""A descriptor's `source` as its citations: the one place that knows how a source is written.

A `source` is a list of citations separated by semicolons (outside brackets). A citation names its
document either by a key declared under `sources:` (in library.yaml or a rulebook) or by the
document's own name; a key and the full name it stands for are one document, and so are the few
documents cited in more than one way (ALIASES below). Checks that compare what a citation says with
what a descriptor does (two documents per descriptor, a cited level holding the descriptor's tier)
read citations only through this module, so a citation written in a new way is either understood
everywhere or nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ONLY_ONE = "(the only public document found for this indicator)"

# A citation that starts like this (lower-cased) names the document on the right: a declared key,
# or a name of our own for a document that has no key.
ALIASES: list[tuple[str, str]] = [
    (r"buckinghamshire (scp|safeguarding children partnership),? thresholds", "BUCKS-THR"),
    (r"(hm government, )?working together to safeguard children,? \(?2023", "WT2023"),
    (r"(hm government, )?working together to safeguard children \(2018", "WT2018"),
    (r"department of health, framework for the assessment of children in need", "AF2000"),
    (r"(department for education|dfe), working together to improve school attendance", "DFE-ATT"),
    (r"liverpool city council, levels of need", "LIV-LON"),
    (r"knowsley early help strategy 2017", "KN-EHS-2017"),
    (r"knowsley early help and prevention strategy 2021", "KN-EHPS-2021"),
    (r"hampshire (scp|safeguarding children partnership)?( and children's trust)? ?thresholds chart", "HANTS-THR"),
    (r"wirral (children's services )?threshold table", "WIR-THR"),
    (r"east sussex county council, continuum of need", "ESX-LI"),
    (r"london safeguarding children procedures, cp2\(a\)", "LON-PREBIRTH"),
    (r"nrpf network", "NRPF-NET"),
    (r"safelives", "SL-DASH"),
    (r"children act 1989", "CA1989"),
    (r"(dfe|department for education), (statutory guidance on )?children who run away", "dfe missing from home or care"),
    (r"(dfe|department for education), children missing education", "dfe children missing education"),
    (r"(dfe|department for education), suspension and permanent exclusion", "dfe suspension and exclusion"),
    (r"home office, (criminal exploitation of children and vulnerable adults: )?county lines", "home office county lines"),
    (r"hm government, prevent duty guidance", "prevent duty guidance"),
    (r"nice,? (ng225|self-harm)", "nice ng225"),
    (r"nice,? (cg89|child maltreatment)", "nice cg89"),
    (r"(dfe|department for education)\S*( and department of health\S*)?, send code of practice", "send code of practice"),
    (r"hm government, multi-agency statutory guidance on (fgm|female genital mutilation)", "fgm guidance"),
    (r"(legal aid, sentencing and punishment of offenders act 2012|laspo act 2012)", "laspo 2012"),
    (r"sexual offences act 2003", "sexual offences act 2003"),
]
# Where a citation's document name ends: at its first bracket, quotation, or section reference.
_NAME_END = re.compile(
    r" \(|,? ['‘]|, (s\.?\d|ss\.|section|chapter|ch\.|level|para|part|appendix|priority|\d)",
    re.IGNORECASE,
)
# Every level a citation names: "Level 3", "Level 3-4", "Level 3 ... and Level 4", "Levels 2 and 3".
_LEVEL = re.compile(r"\bLevels?\s*(\d)((?:\s*(?:[-–]|to|and|or|,)\s*\d\b)*)", re.IGNORECASE)


def split_citation(text: str) -> list[str]:
    """The `;`-separated citations of a source, leaving a `;` inside brackets alone.

    >>> split_citation("BUCKS-THR, Level 3 (a; b); WT2023, chapter 3")
    ['BUCKS-THR, Level 3 (a; b)', 'WT2023, chapter 3']
    """
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [part for part in parts if part]


def document(citation: str, sources: Mapping[str, str]) -> str:
    """The document a citation names: a declared key, an alias, or its normalised name.

    A full name is taken to be a declared document when it starts with that document's title (the
    declared text up to its first bracket, quotation or section reference), so "Hampshire
    Safeguarding Children Partnership, Thresholds Chart, 'Level 2'" is HANTS-THR.
    """
    text = re.sub(r"^ages( from birth)?:\s*", "", citation.replace(ONLY_ONE, "").strip())
    key = re.match(r"[A-Z0-9][A-Z0-9-]+", text)
    if key and key.group(0) in sources:
        return key.group(0)
    lowered = text.lower()
    for pattern, name in ALIASES:
        if re.match(pattern, lowered):
            return name
    for declared_key, full in sources.items():
        title = _NAME_END.split(full, maxsplit=1)[0].lower()
        if lowered.startswith(title):
            return declared_key
    name = _NAME_END.split(text, maxsplit=1)[0].lower()
    name = re.sub(r"\bdfe\b", "department for education", name)
    name = re.sub(r"\bscp\b", "safeguarding children partnership", name)
    return re.sub(r"[\s,]*\b(19|20)\d\d$", "", name).strip(" ,")


def named_levels(citation: str) -> list[int]:
    """Every level number the citation names, in order, each once.

    >>> named_levels("BUCKS-THR, 'Level 3 - Parent and Carers' and 'Level 4 - Parent and Carers'")
    [3, 4]
    >>> named_levels("HANTS-THR, Level 2-4 (x)")
    [2, 3, 4]
    >>> named_levels("LIV-LON, Levels 2 and 3")
    [2, 3]
    """
    numbers: list[int] = []
    for match in _LEVEL.finditer(citation):
        found = [int(match.group(1))] + [int(d) for d in re.findall(r"\d", match.group(2))]
        if re.search(r"[-–]|to", match.group(2)) and len(found) == 2:
            found = list(range(found[0], found[1] + 1))
        numbers += [n for n in found if n not in numbers]
    return sorted(numbers)
