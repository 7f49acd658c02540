"""The common library's citations (issue 13, section 2): every descriptor in descriptors/england/
cites at least two distinct public documents, or says it found only one; none names the same
document twice.

A `source` is a list of citations separated by semicolons (outside brackets). A citation names its
document either by a key declared under `sources:` in library.yaml or by the document's own name; a
key and the full name it stands for are one document, and so are the few documents the library
names in more than one way (ALIASES in needs_engine/rulebook/citations.py: the Buckinghamshire thresholds document under its key and
under its full name, the editions of one DfE guidance, and so on).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from needs_engine.rulebook.citations import ONLY_ONE, split_citation
from needs_engine.rulebook.citations import document as _document

LIBRARY = Path(__file__).resolve().parents[2] / "descriptors" / "england"


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
    """The document a citation names, as needs_engine.rulebook.citations reads it."""
    return _document(citation, declared())


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
