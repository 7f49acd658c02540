"""Working Together 2023 citations (issue 13, section 2), in the common library and the rules files.

Each citation names its chapter. It names a section only if that section is one of the three
chapter 3 sections whose names were verified. It names a paragraph only if the paragraph is listed
in the verified table of docs/national-sources.md. The aim is that a number remembered rather than
read can never pass for a verified citation. No chapter 3 paragraph could be verified, so today no
citation names one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from needs_engine.rulebook.citations import split_citation

ROOT = Path(__file__).resolve().parents[2]
SOURCES_DOC = ROOT / "docs" / "national-sources.md"
# The three parts of chapter 3 'Providing help, support and protection' (docs/national-sources.md).
VERIFIED_SECTIONS = frozenset(
    {
        "section 1 'Early help'",
        "section 2 'Safeguarding and promoting the welfare of children'",
        "section 3 'Child protection'",
    }
)
_WT2023 = re.compile(r"^(ages( from birth)?:\s*)?(WT2023\b|(HM Government, )?Working Together to Safeguard Children,? \(?2023)")
_PARAGRAPHS = re.compile(r"\b(?:paragraphs?|paras?\.?)\s+(\d+(?:\s*(?:-|–|to|and|,)\s*\d+)*)", re.IGNORECASE)
# A section of the guidance is named with its title in quotes; "section 47" of the Act is not.
_SECTION = re.compile(r"\bsection \d+ '[^']+'")


def _sources(node: Any) -> Iterator[str]:
    """Every `source` string anywhere in a loaded YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source" and isinstance(value, str):
                yield value
            else:
                yield from _sources(value)
    elif isinstance(node, list):
        for item in node:
            yield from _sources(item)


def wt2023_citations() -> list[tuple[str, str]]:
    """(file, citation) for each WT2023 citation in descriptors/england/, rules/, and the expected
    levels of scenarios/ and examples/ (an expectation's source is held to the same standard)."""
    files = [
        *sorted((ROOT / "descriptors" / "england").glob("*.yaml")),
        *sorted((ROOT / "rules").glob("*.yaml")),
        *sorted((ROOT / "scenarios").glob("*.yaml")),
        ROOT / "examples" / "expected.yaml",
    ]
    found = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for source in _sources(data):
            found += [(path.name, c) for c in split_citation(source) if _WT2023.match(c)]
    return found


def paragraphs(citation: str) -> set[int]:
    """The paragraph numbers a citation names (both ends of a range)."""
    return {int(n) for group in _PARAGRAPHS.findall(citation) for n in re.findall(r"\d+", group)}


def sections(citation: str) -> set[str]:
    """The sections of the guidance a citation names, as "section N 'Title'"."""
    return set(_SECTION.findall(citation))


@cache
def verified_paragraphs() -> frozenset[int]:
    """The paragraph numbers in the 'Verified paragraph numbers' table of docs/national-sources.md."""
    text = SOURCES_DOC.read_text(encoding="utf-8")
    table = text.split("## Verified paragraph numbers", 1)[1].split("\n## ", 1)[0]
    return frozenset(int(n) for n in re.findall(r"^\| (\d+) \|", table, re.MULTILINE))


CITATIONS = wt2023_citations()


def test_the_detectors_find_what_they_are_for() -> None:
    assert paragraphs("WT2023, chapter 3, paragraphs 194-196 (section 47)") == {194, 196}
    assert paragraphs("WT2023, chapter 3, para. 140 and 141") == {140, 141}
    assert paragraphs("WT2023, chapter 3 (enquiries under section 47)") == set()
    assert sections("WT2023, chapter 3, section 1 'Early help' (under section 17)") == {"section 1 'Early help'"}
    assert _WT2023.match("ages: HM Government, Working Together to Safeguard Children (2023), chapter 3")
    assert not _WT2023.match("WT2018, p.14")


def test_the_verified_table_is_read_and_the_library_has_wt2023_citations() -> None:
    assert 48 in verified_paragraphs()  # the one paragraph verified (chapter 2, lead safeguarding partners)
    assert len(CITATIONS) >= 60, "the WT2023 citations were not found: has the source format changed?"


@pytest.mark.parametrize(("file", "citation"), CITATIONS)
def test_a_wt2023_citation_names_its_chapter(file: str, citation: str) -> None:
    assert re.search(r"\bchapter \d\b", citation), f"{file}: {citation!r} names no chapter"


@pytest.mark.parametrize(("file", "citation"), CITATIONS)
def test_a_wt2023_citation_names_only_verified_paragraphs(file: str, citation: str) -> None:
    unverified = sorted(paragraphs(citation) - verified_paragraphs())
    assert not unverified, (
        f"{file}: {citation!r} cites paragraph(s) {unverified}, which docs/national-sources.md does not list as verified"
    )


@pytest.mark.parametrize(("file", "citation"), CITATIONS)
def test_a_wt2023_citation_names_only_verified_chapter_3_sections(file: str, citation: str) -> None:
    named = sections(citation)
    assert named <= VERIFIED_SECTIONS, f"{file}: {citation!r} names {sorted(named - VERIFIED_SECTIONS)}"
    assert not named or "chapter 3" in citation, f"{file}: {citation!r} names a chapter 3 section under another chapter"


@pytest.mark.parametrize(("file", "citation"), CITATIONS)
def test_chapter_2_is_cited_only_for_the_safeguarding_arrangements(file: str, citation: str) -> None:
    """Chapter 2 is 'Multi-agency safeguarding arrangements'; help, support and protection for a
    child (early help, s17, s47, harm outside the home) is chapter 3, and issue 13 found 46
    citations that had it in chapter 2."""
    if re.search(r"\bchapter 2\b", citation):
        assert re.search(r"arrangements|safeguarding partners", citation, re.IGNORECASE), (
            f"{file}: {citation!r} cites chapter 2 (multi-agency safeguarding arrangements) for a child's needs"
        )
