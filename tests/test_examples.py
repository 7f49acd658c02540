"""Every shipped example assesses to the level written beside it in examples/expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from needs_engine import assess, load_rulebook
from needs_engine.inputs import read_situation

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXPECTED = yaml.safe_load((EXAMPLES / "expected.yaml").read_text())


def test_every_example_file_has_an_expectation_and_vice_versa() -> None:
    files = {p.name for p in EXAMPLES.glob("*.yaml") if p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 12


def test_examples_span_all_four_levels() -> None:
    assert {entry["level"] for entry in EXPECTED.values()} == {"universal", "early_help", "targeted", "safeguarding"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_gets_its_expected_levels(name: str) -> None:
    expected = EXPECTED[name]
    assessment = assess(read_situation(EXAMPLES / name), load_rulebook("knowsley"))
    got_children = {child.child_id: child.level.value for child in assessment.children}
    assert (assessment.level.value, got_children) == (expected["level"], expected["children"]), (
        f"Example '{name}': {expected['why']}\nfired: { {c.child_id: [f.id for f in c.fired] for c in assessment.children} }"
    )
    assert assessment.level <= assessment.possible_level
