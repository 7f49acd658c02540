"""The common library's citations (issue 13, section 2): every descriptor in descriptors/england/
cites at least two distinct public documents, or says it found only one; none names the same
document twice.

A `source` is a list of citations separated by semicolons (outside brackets). A citation names its
document either by a key declared under `sources:` in library.yaml or by the document's own name; a
key and the full name it stands for are one document, and so are the few documents the library
names in more than one way (ALIASES below: the Buckinghamshire thresholds document under its key and
under its full name, the editions of one DfE guidance, and so on).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from needs_engine.rulebook.citations import split_citation

LIBRARY = Path(__file__).resolve().parents[2] / "descriptors" / "england"
ONLY_ONE = "(the only public document found for this indicator)"

# A citation that starts like this names the document on the right (a key in library.yaml, or a
# name of our own for a document the library has no key for).
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


@cache
def declared() -> dict[str, str]:
    library = yaml.safe_load((LIBRARY / "library.yaml").read_text(encoding="utf-8"))
    return dict(library["sources"])


def library_descriptors() -> list[tuple[str, str]]:
    found = []
    for path in sorted(LIBRARY.glob("*.yaml")):
        if path.name == "library.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(d["id"], d.get("source") or "") for d in data.get("descriptors", [])]
    return found


citations = split_citation
"""The source's citations: split at semicolons outside brackets."""


def document(citation: str) -> str:
    """The document a citation names: a declared key, an alias, or its normalised name."""
    text = re.sub(r"^ages( from birth)?:\s*", "", citation.replace(ONLY_ONE, "").strip())
    key = re.match(r"[A-Z0-9][A-Z0-9-]+", text)
    if key and key.group(0) in declared():
        return key.group(0)
    lowered = text.lower()
    for pattern, name in ALIASES:
        if re.match(pattern, lowered):
            return name
    for key, full in declared().items():  # a declared document under its full name
        title = _NAME_END.split(full, maxsplit=1)[0].lower()
        if lowered.startswith(title):
            return key
    name = _NAME_END.split(text, maxsplit=1)[0].lower()
    name = re.sub(r"\bdfe\b", "department for education", name)
    name = re.sub(r"\bscp\b", "safeguarding children partnership", name)
    return re.sub(r"[\s,]*\b(19|20)\d\d$", "", name).strip(" ,")


def test_citations_are_split_and_named_as_documents() -> None:
    got = citations("BUCKS-THR, Level 3 (a; b); Buckinghamshire SCP Thresholds Document, 'Level 4'")
    assert [document(c) for c in got] == ["BUCKS-THR", "BUCKS-THR"]
    assert document("DfE, Children missing education (2016)") == document(
        "DfE, Children missing education: statutory guidance for local authorities (2016)"
    )
    assert document("Department of Health, Framework for the Assessment of Children in Need (2000)") == "AF2000"
    assert document("Modern Slavery Act 2015, s52") != document("Modern Slavery Act 2015 statutory guidance")
    assert document("Walsall SCB procedures, 2.2.1 'x'") == document("Walsall SCB procedures, 2.2.1 'x' (y)")


@pytest.mark.parametrize(("descriptor", "source"), library_descriptors())
def test_no_library_descriptor_names_a_document_twice(descriptor: str, source: str) -> None:
    names = [document(c) for c in citations(source)]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"{descriptor} cites {twice} more than once: fold them into one citation"


@pytest.mark.parametrize(("descriptor", "source"), library_descriptors())
def test_every_library_descriptor_cites_two_documents_or_says_it_found_one(descriptor: str, source: str) -> None:
    names = {document(c) for c in citations(source)}
    assert len(names) >= 2 or ONLY_ONE in source, (
        f"{descriptor} cites only {sorted(names)}: add a second public document, or say {ONLY_ONE!r} after a real search"
    )
