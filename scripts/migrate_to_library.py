"""One-off (issue 13): split the two shipped rulebooks into the common library plus local extensions.

Kept for the record of how descriptors/england/ was made, and so the migration can be re-run on
the base commit to check it. It reads the rulebooks as they were (each a full copy: rules/<id>.yaml
and descriptors/<id>/*.yaml) and writes:

- descriptors/england/library.yaml: the library's id, the citation keys its descriptors use, the
  domains and the `not_a_concern` entries (the same in both rulebooks);
- descriptors/england/<domain>.yaml: one common entry for each id both rulebooks have with the same
  condition, age band, need and floor; its text, documentation and comments are St Helens', its
  tier St Helens' level read as a response tier (Level 1 single agency, Level 2 multi-agency, Level
  3 child in need, Level 4 child protection, immediate danger emergency), its source the citations
  of both entries merged, less those that only cite a seed's level definition;
- rules/<id>.yaml: `extends: england`, the tiers each level covers, each escalation's tier, and for
  Knowsley an `overrides:` entry wherever the lowest Knowsley level covering the tier is not the
  level Knowsley gave before (so no level changes); the library's keys, domains and
  `not_a_concern` entries leave it;
- descriptors/<id>/<domain>.yaml: only the descriptors that stay local (ids in one rulebook only,
  or shared with a different condition, age band, need or floor), as written.

Comments go with their entries: a St Helens comment to the library, a Knowsley comment to the
Knowsley override of that entry, or to the library (marked as Knowsley's) where there is none.

    python scripts/migrate_to_library.py          # refuses if descriptors/england exists
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from needs_engine.rulebook.citations import split_citation

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = "england"
BOOKS = ("knowsley", "st-helens")
SHARED_FIELDS = ("when", "age", "need", "floor")

TIERS_OF = {
    "knowsley": {
        "universal": ["universal", "single_agency"],
        "early_help": ["multi_agency"],
        "targeted": ["multi_agency"],
        "safeguarding": ["child_in_need", "child_protection", "emergency"],
    },
    "st-helens": {
        "universal": ["universal", "single_agency"],
        "early_help": ["multi_agency"],
        "targeted": ["child_in_need"],
        "safeguarding": ["child_protection", "emergency"],
    },
}
TIERS_SOURCE = {
    "knowsley": (
        "# `tiers`: the response tiers each level covers (issue 13). Early Help and Targeted Early Help are\n"
        "# both multi-agency early help, the same process, Targeted when needs are multiple or complex, and\n"
        "# Safeguarding is every Children's Social Care response (seeds/000, 'What is Early Help?'). A tier\n"
        "# is placed at the lowest level covering it, so a common multi-agency descriptor is Early Help here\n"
        "# unless an override below keeps it at Targeted.\n"
    ),
    "st-helens": (
        "# `tiers`: the response tiers each level covers (issue 13). Level 3 is the section 17 child in need\n"
        "# threshold and Level 4 the section 47 child protection threshold (seeds/004, 'What does it mean?',\n"
        "# the four levels of need).\n"
    ),
}
ST_HELENS_TIER = {
    "universal": "single_agency",
    "early_help": "multi_agency",
    "targeted": "child_in_need",
    "safeguarding": "child_protection",
}
EMERGENCY = {"red_flags.immediate_danger"}
"""Descriptors of immediate danger: the emergency tier, not child protection."""

ESCALATION_TIERS = {
    # Knowsley: Targeted Early Help is multi-agency early help; "refer to Children's Social Care" is
    # the referral that starts a social-care assessment (s17), whatever it leads to.
    "knowsley": {
        "escalation.multiple_needs": "multi_agency",
        "escalation.complex_needs": "child_in_need",
        "escalation.two_parental_risks": "multi_agency",
        "escalation.three_parental_risks": "child_in_need",
        "escalation.parental_risks_baby": "child_in_need",
        "escalation.repeated_domestic_abuse": "multi_agency",
        "escalation.repeated_domestic_abuse_baby": "child_in_need",
    },
    # St Helens: each escalation names its level, and Levels 2, 3 and 4 are one tier each.
    "st-helens": {
        "escalation.several_needs": "multi_agency",
        "escalation.needs_across_five_domains": "child_in_need",
        "escalation.complex_needs": "child_protection",
        "escalation.two_parental_risks": "child_in_need",
        "escalation.three_parental_risks": "child_protection",
        "escalation.parental_risks_baby": "child_protection",
        "escalation.baby_vulnerabilities": "child_in_need",
        "escalation.repeated_domestic_abuse": "child_in_need",
        "escalation.repeated_domestic_abuse_baby": "child_protection",
    },
}
OVERRIDE_REASON = "kept at the level this rulebook gave before the common library (issue 13 recalibration to review)"
LEVELS = ("universal", "early_help", "targeted", "safeguarding")

# --- citations -------------------------------------------------------------------------------------

_KN_WHAT_IS = re.compile(
    r"^(?P<doc>Knowsley Early Help and Prevention Strategy 2021-2024|KN-EHPS-2021), 'What is Early Help\?'(?: \((?P<inner>.*)\))?$"
)
_KN_LEVEL = re.compile(
    r"^(?:Thriving|Getting Help|Getting More Help|Getting Risk Support|Early Help|Targeted Early Help|Targeted|Safeguarding|Universal)"
    r"(?: / (?:Thriving|Getting Help|Getting More Help|Getting Risk Support))?(?:: .*)?$"
    r"|^the rulebook's (?:Universal|Early Help|Targeted|Safeguarding) response"
)
"""A Knowsley Thrive-model level, its diagram's definition of it ("Thriving: needs met by a single
agency"), or the response the rulebook gives at that level."""
_SH_LEVEL = re.compile(r"'What does it mean\?' \(Level \d[^)]*\)")
"""The St Helens strategy's definition of one of its four levels of need."""
_KEY = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$|^[A-Z]+[0-9][A-Z0-9]*$")


def without_level_definition(part: str) -> str:
    """The part with any citation of a seed's level definition taken out ("" when that is all it cites)."""
    knowsley = _KN_WHAT_IS.match(part)
    if knowsley:
        clauses = [clause.strip() for clause in (knowsley["inner"] or "").split(";")]
        kept = []
        for clause in clauses:
            rest = re.sub(r"^Thrive model,? ?", "", clause)
            if rest and not _KN_LEVEL.match(rest):
                kept.append(rest)
        return f"{knowsley['doc']}, 'What is Early Help?' ({'; '.join(kept)})" if kept else ""
    if part.startswith("SH-EHS-2019, ") and _SH_LEVEL.search(part):
        rest = part[len("SH-EHS-2019, ") :]
        rest = re.sub(r"^" + _SH_LEVEL.pattern + r"(?: and )?", "", rest)
        rest = re.sub(r" and " + _SH_LEVEL.pattern, "", rest)
        return f"SH-EHS-2019, {rest}" if rest.strip() else ""
    return part


def merged_source(st_helens: str, knowsley: str) -> str:
    """St Helens' citations then Knowsley's, each once, less the level definitions."""
    parts: list[str] = []
    for text in (st_helens, knowsley):
        for part in split_citation(text):
            kept = without_level_definition(part)
            if kept and kept not in parts:
                parts.append(kept)
    if not parts:
        raise SystemExit(f"no citation left of {st_helens!r} and {knowsley!r}")
    return "; ".join(parts)


def keys_cited(source: str) -> set[str]:
    """The citation keys a source opens its parts with (what `needs rules lint` checks)."""
    found = set()
    for part in source.split(";"):
        token = re.split(r"[\s,(]", part.strip(), maxsplit=1)[0].strip("\"'")
        if token and _KEY.match(token):
            found.add(token)
    return found


# --- descriptor files as text ----------------------------------------------------------------------


@dataclass
class Unit:
    """One descriptor as written: the comment lines before it and its own lines."""

    id: str
    leading: list[str]
    lines: list[str]


@dataclass
class DescriptorText:
    header: list[str]
    units: list[Unit]
    trailing: list[str] = field(default_factory=list)


_ITEM = re.compile(r"^  - id: (\S+)\s*$")
_BREAK = re.compile(r"^  (?:- id:|#)")


def read_units(path: Path) -> DescriptorText:
    lines = path.read_text().split("\n")
    start = lines.index("descriptors:") + 1
    text = DescriptorText(lines[:start], [])
    pending: list[str] = []
    index = start
    while index < len(lines):
        line = lines[index]
        item = _ITEM.match(line)
        if not item:
            pending.append(line)
            index += 1
            continue
        body = [line]
        index += 1
        while index < len(lines) and not _BREAK.match(lines[index]):
            body.append(lines[index])
            index += 1
        tail: list[str] = []
        while body and not body[-1].strip():
            tail.insert(0, body.pop())
        text.units.append(Unit(item[1], pending, body))
        pending = tail
    text.trailing = pending
    return text


def is_section(line: str) -> bool:
    return bool(re.match(r"^  # ---", line))


def comments_only(lines: list[str]) -> list[str]:
    """The comment lines of a leading block, section rules left out."""
    return [line for line in lines if line.strip().startswith("#") and not is_section(line)]


def write_units(text: DescriptorText, keep: set[str]) -> str | None:
    """The file with only the descriptors in `keep`; a section rule stays while its section has one."""
    out: list[str] = list(text.header)
    held_sections: list[str] = []
    for unit in text.units:
        sections = [line for line in unit.leading if is_section(line)]
        if unit.id not in keep:
            if sections:
                held_sections = sections
            continue
        if sections:
            held_sections = []
        elif held_sections:
            out += ["", *held_sections]
            held_sections = []
        leading = unit.leading
        if out[-1] == "descriptors:":
            while leading and not leading[0].strip():
                leading = leading[1:]
        out += leading + unit.lines
    if not any(_ITEM.match(line) for line in out):
        return None
    out += text.trailing
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


# --- the migration -----------------------------------------------------------------------------------


def load_book(book: str) -> tuple[dict, dict[str, dict], dict[str, DescriptorText]]:
    rules = yaml.safe_load((ROOT / "rules" / f"{book}.yaml").read_text())
    entries: dict[str, dict] = {}
    texts: dict[str, DescriptorText] = {}
    for path in sorted((ROOT / "descriptors" / book).glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for index, entry in enumerate(document["descriptors"]):
            entries[entry["id"]] = {**entry, "_domain": document["domain"], "_index": index}
        texts[document["domain"]] = read_units(path)
    return rules, entries, texts


def level_for(book: str, tier: str) -> str:
    return next(level for level in LEVELS if tier in TIERS_OF[book][level])


def common_ids(knowsley: dict[str, dict], st_helens: dict[str, dict]) -> list[str]:
    return sorted(
        i for i in set(knowsley) & set(st_helens) if all(knowsley[i].get(f) == st_helens[i].get(f) for f in SHARED_FIELDS)
    )


def library_unit(unit: Unit, tier: str, source: str, knowsley_note: list[str]) -> Unit:
    lines = []
    for line in unit.lines:
        if re.match(r"^    level: ", line):
            line = f"    tier: {tier}"
        elif re.match(r"^    source: ", line):
            line = f"    source: {json.dumps(source, ensure_ascii=False)}"
        lines.append(line)
    leading = list(unit.leading)
    if knowsley_note and not set(knowsley_note) <= set(leading):  # a note St Helens' file has too is not repeated
        first, *rest = knowsley_note
        leading += [first.replace("  # ", "  # Knowsley's note: ", 1), *rest]
    return Unit(unit.id, leading, lines)


def main() -> None:
    if (ROOT / "descriptors" / LIBRARY).exists():
        raise SystemExit(f"descriptors/{LIBRARY} exists already: this migration runs once, on the rulebooks as they were")
    originals = {path: path.read_text() for path in [*(ROOT / "rules").glob("*.yaml"), *(ROOT / "descriptors").glob("*/*.yaml")]}
    rules, entries, texts = {}, {}, {}
    for book in BOOKS:
        rules[book], entries[book], texts[book] = load_book(book)
    common = set(common_ids(entries["knowsley"], entries["st-helens"]))
    # A common ladder has one rung order. Where merging would reorder two rungs of one level in a
    # rulebook (so the other would head the need when both fire), the rulebooks disagree on which
    # is the more severe: those descriptors stay local, as those with different needs do.
    while True:
        for path, text in originals.items():
            path.write_text(text)
        write_all(common, rules, entries, texts, {path: text for path, text in originals.items() if path.parent.name == "rules"})
        reordered = reordered_rungs(entries)
        if not reordered:
            break
        print(f"kept local (rung order differs): {sorted(reordered & common)}")
        common -= reordered


def reordered_rungs(entries: dict[str, dict[str, dict]]) -> set[str]:
    """Ids of rungs whose order among the rungs of their level, on their need's ladder, the merged
    rulebooks (as the engine loads them) no longer keep."""
    from needs_engine.rulebook.load import load_rulebook

    found: set[str] = set()
    for book in BOOKS:
        before: dict[str, list[str]] = {}
        for descriptor_id, entry in entries[book].items():
            before.setdefault(entry.get("need") or descriptor_id, []).append(descriptor_id)
        loaded = load_rulebook(book)
        for need, rungs in loaded.needs.items():
            old = sorted(before[need], key=lambda i: LEVELS.index(entries[book][i]["level"]))
            new = [rung.id for rung in rungs]
            for index, lower in enumerate(old):
                for higher in old[index + 1 :]:
                    same_level = entries[book][lower]["level"] == entries[book][higher]["level"]
                    if same_level and new.index(lower) > new.index(higher):
                        found.update({lower, higher})
    return found


def write_all(
    common: set[str],
    rules: dict[str, dict],
    entries: dict[str, dict[str, dict]],
    texts: dict[str, dict[str, DescriptorText]],
    rules_texts: dict[Path, str],
) -> None:
    kn, sh = entries["knowsley"], entries["st-helens"]
    tiers = {i: "emergency" if i in EMERGENCY else ST_HELENS_TIER[sh[i]["level"]] for i in common}
    sources = {i: merged_source(sh[i]["source"], kn[i]["source"]) for i in common}
    for i in common:
        assert level_for("st-helens", tiers[i]) == sh[i]["level"], i

    overrides = [
        i
        for i in sorted(common, key=lambda i: (kn[i]["_domain"], kn[i]["_index"]))
        if level_for("knowsley", tiers[i]) != kn[i]["level"]
    ]
    notes = {}
    for unit in (u for text in texts["knowsley"].values() for u in text.units):
        if unit.id in common:
            notes[unit.id] = comments_only(unit.leading)

    local_files: dict[tuple[str, str], str | None] = {}
    lost: dict[str, list[str]] = {}
    for book in BOOKS:
        local = set(entries[book]) - common
        for domain, text in texts[book].items():
            local_files[(book, domain)] = written = write_units(text, local)
            header = [line for line in text.header if line.startswith("#")]
            if written is None and header:
                lost.setdefault(domain, []).extend(
                    [f"# Before the library, descriptors/{book}/{domain}.yaml opened with:", *header]
                )

    folder = ROOT / "descriptors" / LIBRARY
    if folder.exists():
        for path in folder.glob("*.yaml"):
            path.unlink()
    folder.mkdir(exist_ok=True)
    cited: set[str] = set()
    for domain, text in sorted(texts["st-helens"].items()):
        units = [
            library_unit(unit, tiers[unit.id], sources[unit.id], [] if unit.id in overrides else notes.get(unit.id, []))
            for unit in text.units
            if unit.id in common
        ]
        if not units:
            continue
        cited.update(key for unit in units for key in keys_cited(sources[unit.id]))
        header = [
            f"domain: {domain}",
            "# Common descriptors (issue 13). Each states the response it calls for (`tier`); a rulebook that",
            "# extends the library places it at the lowest of its levels covering that tier, unless the",
            "# rulebook's `overrides:` say otherwise, with a source and a reason. Text, tiers and most comments",
            "# come from the St Helens file each entry was first written in (its levels 1-4 read as tiers).",
            *lost.get(domain, []),
            "descriptors:",
        ]
        library_text = write_units(DescriptorText(header, units), {unit.id for unit in units})
        assert library_text is not None
        (folder / f"{domain}.yaml").write_text(library_text)

    registry = {**rules["knowsley"]["sources"], **rules["st-helens"]["sources"]}
    missing = sorted(cited - set(registry))
    if missing:
        raise SystemExit(f"keys cited but defined by neither rulebook: {missing}")
    (folder / "library.yaml").write_text(library_file(sorted(cited), registry, rules_texts[ROOT / "rules" / "knowsley.yaml"]))

    for (book, domain), written in local_files.items():
        path = ROOT / "descriptors" / book / f"{domain}.yaml"
        if written is None:
            path.unlink()
        else:
            path.write_text(written)
    for book in BOOKS:
        moved = [key for key in rules[book]["sources"] if key in cited]
        path = ROOT / "rules" / f"{book}.yaml"
        path.write_text(rules_file(book, rules_texts[path], moved, overrides if book == "knowsley" else [], entries[book], notes))
    print(
        f"common {len(common)}; knowsley overrides {len(overrides)}; local knowsley {len(set(kn) - common)}, st-helens {len(set(sh) - common)}"
    )
    print(
        f"library keys {len(cited)}; moved from knowsley {sum(k in cited for k in rules['knowsley']['sources'])}, st-helens {sum(k in cited for k in rules['st-helens']['sources'])}"
    )
    differing = [k for k in cited if k in rules["knowsley"]["sources"] and rules["knowsley"]["sources"][k] != registry[k]]
    print(f"keys whose Knowsley title gave way to St Helens': {differing}")


def library_file(keys: list[str], registry: dict[str, str], knowsley: str) -> str:
    domains = _block(knowsley, "domains")
    not_a_concern = _block(knowsley, "not_a_concern", with_comments=True)
    lines = [
        "# The common library of threshold descriptors for England (issue 13).",
        "#",
        "# Descriptors here state the response each indicator calls for, a tier (model/tiers.py): universal,",
        "# single_agency, multi_agency, child_in_need, child_protection, emergency. A local rulebook says",
        "# `extends: england` in its rules file, maps tiers to its own levels (`levels.<level>.tiers`), and",
        "# adds its own escalations, mitigations, red flags and descriptors, with cited `overrides:` and",
        "# `exclude:` where it departs from an entry here. Made from the two shipped rulebooks by",
        "# scripts/migrate_to_library.py: an entry for each descriptor both had with the same condition.",
        f"id: {LIBRARY}",
        "name: Common threshold descriptors for England",
        "version: 1.0.0",
        "summary: >-",
        "  The descriptors English Continuum of Need documents share, each with the response tier it calls",
        "  for rather than a local level, the domains of the Assessment Framework triangle, and the values",
        "  of concern facts that are ordinary family life.",
        "",
        "# Documents the common descriptors cite, by key. Titles as published.",
        "sources:",
    ]
    lines += [f"  {key}: {_scalar(registry[key])}" for key in keys]
    not_a_concern = not_a_concern.replace(
        "# Values of concern facts that this rulebook deliberately does not treat as concerns.",
        "# Values of concern facts that the library, and so every rulebook extending it, deliberately does\n# not treat as concerns (a rulebook may add its own under its own `not_a_concern:`).",
    )
    return "\n".join(lines) + "\n\n" + domains + "\n" + not_a_concern


def _scalar(text: str) -> str:
    dumped = yaml.safe_dump(text, width=10_000, allow_unicode=True).strip()
    return dumped[:-4].strip() if dumped.endswith("\n...") else dumped.removesuffix("...").strip()


def _block(text: str, key: str, *, with_comments: bool = False) -> str:
    """A top-level key's block as written (with the comment lines just above it)."""
    lines = text.split("\n")
    start = lines.index(f"{key}:")
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"^[a-z_]+:", lines[i]))
    while end > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    if with_comments:
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1
    return "\n".join(lines[start:end]) + "\n"


def rules_file(
    book: str, text: str, moved: list[str], overrides: list[str], entries: dict[str, dict], notes: dict[str, list[str]]
) -> str:
    lines = text.split("\n")
    out: list[str] = []
    section = ""
    level = ""
    escalation = ""
    skip = False
    held: list[str] = []  # comment lines at the end of a dropped block: they belong to the next key
    for line in lines:
        top = re.match(r"^([a-z_]+):", line)
        if skip and not top:
            held = [*held, line] if line.startswith("#") or not line.strip() else []
            continue
        if top:
            comments = [kept for kept in held if kept.startswith("#")]
            out += ([""] if comments and out and out[-1].strip() else []) + comments
            held = []
            section = top[1]
            skip = section in ("not_a_concern",) or (section == "domains" and book == "knowsley")
            if skip:
                while out and (out[-1].startswith("#") or not out[-1].strip()):
                    out.pop()
                out.append("")
                if section == "not_a_concern":
                    out += [
                        "# not_a_concern: the library's entries (descriptors/england/library.yaml) are this rulebook's;",
                        "# it adds none of its own.",
                        "",
                    ]
                continue
            if section == "domains":
                out += [
                    "# The library's domains, with the red flags domain named for the graded neglect it holds here.",
                    "domains:",
                ]
                out.append('  red_flags: {label: "Safeguarding red flags and graded neglect", group: red_flags}')
                skip = True
                continue
        if section == "id" and top:
            out.append(line)
            out += ["# The common library this rulebook extends: descriptors/england/ (issue 13).", f"extends: {LIBRARY}"]
            continue
        if section == "sources" and any(re.match(rf"^  {re.escape(key)}:", line) for key in moved):
            continue
        if section == "sources" and top:
            while out and out[-1].startswith("#"):
                out.pop()
            out += ["# Documents this rulebook cites that the library's `sources:` does not hold, by key. Titles as published."]
            out.append(line)
            continue
        if section == "levels":
            if top:
                out += TIERS_SOURCE[book].rstrip("\n").split("\n")
            found = re.match(r"^  ([a-z_]+):$", line)
            if found:
                level = found[1]
            out.append(line)
            if re.match(r"^    label: ", line):
                out.append(f"    tiers: [{', '.join(TIERS_OF[book][level])}]")
            continue
        if section == "escalations":
            found = re.match(r"^  - id: (\S+)$", line)
            if found:
                escalation = found[1]
            if re.match(r"^    to: ", line):
                out.append(f"    tier: {ESCALATION_TIERS[book][escalation]}")
            out.append(line)
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    text = "\n".join(out) + "\n"
    if overrides:
        text += "\n" + overrides_block(overrides, entries, notes)
    return text


def overrides_block(ids: list[str], entries: dict[str, dict], notes: dict[str, list[str]]) -> str:
    lines = [
        "# Common descriptors this rulebook places at another level than the lowest covering their tier.",
        "# Each keeps the level Knowsley gave it before the common library, with Knowsley's citation; the",
        "# practice-probe recalibration (issue 13) is to review each. Comments are Knowsley's, as written",
        "# above the descriptor in its own file before.",
        "overrides:",
    ]
    for descriptor_id in ids:
        entry = entries[descriptor_id]
        lines += notes.get(descriptor_id, [])
        lines += [
            f"  - descriptor: {descriptor_id}",
            f"    level: {entry['level']}",
            f"    source: {json.dumps(entry['source'], ensure_ascii=False)}",
            f'    reason: "{OVERRIDE_REASON}"',
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
