"""The questions are the same whether or not `questions_for` asks `outcome` about every unknown descriptor.

Two shortcuts spare `questions_for` the level computation for an unknown descriptor: `_can_raise`
skips one that cannot lift the child above its current level (most of them: a Targeted child has
many unknown Universal and Early Help descriptors), and `_alike` shares one computation between
descriptors alike in everything `outcome` reads of them. Both are arguments about `outcome`, so
they are checked against the long way round (every descriptor asked, each on its own), on every
shipped situation and on generated households under every shipped rulebook: every question, its
order, level, children, descriptors and what prompted it must agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings

from needs_engine import load_rulebook, shipped_rulebooks
from needs_engine.authoring.strategies import situations
from needs_engine.engine import questions
from needs_engine.engine.assess import evaluate_household
from needs_engine.engine.unassessed import recorded_concerns
from needs_engine.formats.yamlfile import read_file
from needs_engine.model.situation import Household, Situation

ROOT = Path(__file__).resolve().parents[2]
FILES = [p for p in sorted((ROOT / "examples").glob("*.yaml")) if p.name != "expected.yaml"]
FILES += sorted((ROOT / "scenarios").glob("*.yaml"))


def _every_descriptor(result: Any, book: Any) -> Any:
    return lambda rank: True


def _each_alone(descriptor: Any, fired_needs: Any, mitigations: Any) -> Any:
    return (descriptor.id,)


def _both_ways(household: Household, book: Any) -> int:
    """Compare the questions made with and without the shortcut; the number of descriptors it skipped."""
    results = evaluate_household(household, book)
    recorded = [recorded_concerns(result, household, book) for result in results]
    shortcut = questions.questions_for(results, book, recorded)
    with mock.patch.object(questions, "_can_raise", _every_descriptor), mock.patch.object(questions, "_alike", _each_alone):
        long_way = questions.questions_for(results, book, recorded)
    assert [q.model_dump() for q in shortcut] == [q.model_dump() for q in long_way]
    return sum(
        1 for result in results for descriptor in result.unknown if not questions._can_raise(result, book)(descriptor.level.rank)
    )


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_the_shortcut_changes_no_question_of_an_example_or_scenario(rulebook: str) -> None:
    """Every shipped situation, mitigated children among them (rare in generated households)."""
    book = load_rulebook(rulebook)
    for path in FILES:
        document = read_file(path)
        situation = document["situation"] if path.parent.name == "scenarios" else document
        _both_ways(Situation.model_validate(situation).household, book)


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_skipping_descriptors_that_cannot_raise_changes_no_question(rulebook: str) -> None:
    book = load_rulebook(rulebook)
    skipped = []

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(situations(max_children=3, max_carers=2, max_concerns=8))
    def check(document: dict[str, Any]) -> None:
        skips = _both_ways(Situation.model_validate(document).household, book)
        event("some descriptor skipped" if skips else "nothing skipped")
        skipped.append(skips)

    check()
    assert sum(1 for n in skipped if n) >= 10, "the shortcut was hardly exercised: the check proves little"
