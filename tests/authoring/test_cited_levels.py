"""Sources cited at a level other than the descriptor's tier (issue 13, section 3).

For every entry with a `tier` and a `source` (the library's descriptors, a rulebook's descriptors and
escalations) and every citation in it that names a level ("Level 3", "Level 3-4", "Level 3 ... and
Level 4") of a publisher whose level scheme is recorded in tests/practice (`scheme:`), whether the
citation names the publisher by its key or by its full name: either the entry's tier is among the
tiers of a level it names, or the six lines above the entry's `- id:` line hold a comment naming the
publisher (its key or its place name), a recorded disagreement between that publisher and the other
sources. Citations are read only through needs_engine.rulebook.citations.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from needs_engine.rulebook.citations import document, named_levels, split_citation

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "descriptors" / "england"
RULES = ROOT / "rules"
PRACTICE = ROOT / "tests" / "practice"
# The document a citation names (a declared key, or the name the reader gives a document without
# one) -> (its tests/practice file, its place name for comments).
PUBLISHERS = {
    "BUCKS-THR": ("buckinghamshire", "Buckinghamshire"),
    "HANTS-THR": ("hampshire", "Hampshire"),
    "ESX-LI": ("east-sussex", "East Sussex"),
    "LIV-LON": ("liverpool", "Liverpool"),
    "NORTHUMB-THR-2015": ("northumberland", "Northumberland"),
    "DEVON-ION": ("devon", "Devon"),
    "SH-EHS-2019": ("st-helens-seed", "St Helens"),
    "bristol children's services threshold table": ("bristol", "Bristol"),
    "kent safeguarding children multi-agency partnership, kent support levels guidance": ("kent", "Kent"),
    "torbay safeguarding children board, interactive threshold tool": ("torbay", "Torbay"),
    "trafford levels of need": ("trafford", "Trafford"),
    "devon children's services procedures": ("devon-procedures", "Devon"),
    "hampshire's family support service": ("hampshire-fish", "Hampshire"),
    "hampshire county council, connect to support hampshire": ("hampshire-fish", "Hampshire"),
}
_LEVEL_WORD = re.compile(r"\bLevels?\s*\d", re.IGNORECASE)


class Cited(NamedTuple):
    """One citation naming a level of a publisher with a known scheme."""

    file: str
    entry: str
    tier: str
    publisher: str
    levels: list[int]
    comments: str


@cache
def level_tiers(publisher: str) -> dict[int, list[str]]:
    """The tiers of each of the publisher's levels by number: the number its scheme heading gives
    ("Level 3", "1. Universal", "Early Help (Level 2)"), else its place in the scheme, so a scheme
    that records only some levels (Bristol's holds only its Level 3 table) is read correctly."""
    practice = yaml.safe_load((PRACTICE / f"{PUBLISHERS[publisher][0]}.yaml").read_text(encoding="utf-8"))
    numbered = {}
    for place, entry in enumerate(practice["scheme"], start=1):
        if "not read" in str(entry["level"]):  # a placeholder for levels the stored copy lacked
            continue
        heading = re.search(r"\bLevel\s*(\d)|^(\d)\.", str(entry["level"]))
        numbered[int(next(g for g in heading.groups() if g)) if heading else place] = entry["tiers"]
    return numbered


def tiers_of(publisher: str, levels: list[int]) -> list[str]:
    """The tiers of the named levels; a level the scheme does not record contributes none, so a
    citation of it fails until the scheme or the citation is put right."""
    return [tier for n in levels for tier in level_tiers(publisher).get(n, [])]


def files() -> list[Path]:
    """The library's descriptor files and the rulebooks."""
    library = [p for p in sorted(LIBRARY.glob("*.yaml")) if p.name != "library.yaml"]
    return library + sorted(RULES.glob("*.yaml"))


@cache
def sources() -> dict[str, str]:
    """Every document key declared in the library and the rulebooks, with its full name."""
    declared = dict(yaml.safe_load((LIBRARY / "library.yaml").read_text(encoding="utf-8"))["sources"])
    for path in sorted(RULES.glob("*.yaml")):
        declared |= yaml.safe_load(path.read_text(encoding="utf-8")).get("sources") or {}
    return declared


def entries(node: Any) -> list[dict[str, Any]]:
    """Every mapping under node with an id, a tier and a source."""
    if isinstance(node, list):
        return [e for item in node for e in entries(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if {"id", "tier", "source"} <= node.keys() else []
    return own + [e for value in node.values() for e in entries(value)]


def level_citations() -> list[tuple[str, str, str]]:
    """(file, entry id, citation) for every citation of a tiered entry that names a level."""
    found = []
    for path in files():
        for entry in entries(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for citation in split_citation(str(entry["source"])):
                if _LEVEL_WORD.search(citation):
                    found.append((path.name, entry["id"], citation))
    return found


@cache
def cited_levels() -> list[Cited]:
    found = []
    for path in files():
        lines = path.read_text(encoding="utf-8").splitlines()
        starts = {m.group(1): i for i, line in enumerate(lines) if (m := re.match(r"\s*- id:\s*(\S+)", line))}
        for entry in entries(yaml.safe_load("\n".join(lines))):
            above = lines[max(0, starts[entry["id"]] - 6) : starts[entry["id"]]]
            comments = "\n".join(line for line in above if line.lstrip().startswith("#"))
            for citation in split_citation(str(entry["source"])):
                publisher = document(citation, sources())
                if publisher in PUBLISHERS and (levels := named_levels(citation)):
                    found.append(Cited(path.name, entry["id"], entry["tier"], publisher, levels, comments))
    return found


def test_schemes_and_full_names_are_read() -> None:
    assert level_tiers("HANTS-THR")[3] == ["multi_agency"]
    assert level_tiers("bristol children's services threshold table") == {3: ["child_in_need"]}
    cited = {(c.entry, c.publisher): c.levels for c in cited_levels()}
    assert cited[("health.pregnant_under_16", "HANTS-THR")] == [3, 4]  # "HANTS-THR, Level 3-4"
    assert cited[("guidance_boundaries.failing", "BUCKS-THR")] == [3, 4]  # "Level 3 ... and Level 4"
    # "Buckinghamshire SCP Thresholds Document, 'Level 3 - Development of the Baby or Child'"
    assert cited[("emotional_behavioural.self_harming", "BUCKS-THR")] == [3]
    # "Hampshire thresholds chart, 'Level 2 family and environment'"
    assert cited[("family_functioning.family_breakdown", "HANTS-THR")] == [2]
    assert cited[("escalation.complex_needs", "HANTS-THR")] == [4]  # a rulebook's escalation
    assert len(cited_levels()) > 200  # 213 when full names and rulebooks were first read (92 before)


def test_every_level_naming_citation_of_a_known_scheme_is_read() -> None:
    """A citation that names a level and starts with a known publisher's place name is read, so a
    new way of writing a publisher's name cannot slip past the check unread."""
    places = {place.lower() for _, place in PUBLISHERS.values()} | {"st helens", "sh-"}
    read = {(c.file, c.entry, c.publisher) for c in cited_levels()}
    unread = [
        f"{file}: {entry}: {citation}"
        for file, entry, citation in level_citations()
        if any(citation.lower().startswith(p) for p in places) and (file, entry, document(citation, sources())) not in read
    ]
    assert not unread, "\n".join(unread)


@pytest.mark.parametrize("publisher", sorted(PUBLISHERS))
def test_cited_level_holds_the_tier_or_the_disagreement_is_recorded(publisher: str) -> None:
    place = PUBLISHERS[publisher][1]
    unrecorded = [
        f"{c.file}: {c.entry} ({c.tier}) cites {publisher}, Level {'/'.join(map(str, c.levels))}"
        f" ({', '.join(tiers_of(publisher, c.levels)) or 'no recorded tier'})"
        for c in cited_levels()
        if c.publisher == publisher
        and c.tier not in tiers_of(publisher, c.levels)
        and publisher not in c.comments
        and place not in c.comments
    ]
    assert not unrecorded, "\n".join(unrecorded)
