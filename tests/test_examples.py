"""Every shipped example assesses to the level written beside it in examples/expected.yaml.

Each entry is read as a scenario expectation (needs_engine.scenarios.Expectation): a level, the
children's levels, why, and the source the level rests on, with no other keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from needs_engine import assess, load_rulebook
from needs_engine.formats.inputs import read_situation
from needs_engine.scenarios.library import Expectation

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RAW = yaml.safe_load((EXAMPLES / "expected.yaml").read_text())
EXPECTED = {name: Expectation.model_validate(entry) for name, entry in RAW.items()}


def test_every_example_file_has_an_expectation_and_vice_versa() -> None:
    files = {p.name for p in EXAMPLES.glob("*.yaml") if p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 12


def test_examples_span_all_four_levels() -> None:
    assert {entry.level.value for entry in EXPECTED.values()} == {"universal", "early_help", "targeted", "safeguarding"}


def test_every_expectation_cites_a_source_and_names_every_child() -> None:
    for name, entry in RAW.items():
        assert set(entry) == {"level", "children", "why", "source"}, name
        assert len(entry["source"].strip()) >= 3, name


def test_an_entry_without_a_source_is_rejected() -> None:
    entry = dict(RAW["universal-two-parents-school-age.yaml"])
    del entry["source"]
    with pytest.raises(ValueError, match="source"):
        Expectation.model_validate(entry)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_gets_its_expected_levels(name: str) -> None:
    expected = EXPECTED[name]
    assessment = assess(read_situation(EXAMPLES / name), load_rulebook("knowsley"))
    got_children = {child.child_id: child.level.value for child in assessment.children}
    want_children = {child_id: level.value for child_id, level in expected.children.items()}
    assert (assessment.level.value, got_children) == (expected.level.value, want_children), (
        f"Example '{name}': {expected.why} (source: {expected.source})\n"
        f"fired: { {c.child_id: [f.id for f in c.fired] for c in assessment.children} }"
    )
    assert assessment.level <= assessment.possible_level
