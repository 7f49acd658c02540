"""The generated evaluation path decides every descriptor exactly as the compiled closures do."""

from __future__ import annotations

from hypothesis import given

from needs_engine import load_rulebook
from needs_engine.authoring.strategies import situations
from needs_engine.engine.evaluate import evaluate_child
from needs_engine.model.situation import Situation

BOOK = load_rulebook("knowsley")


@given(situations(max_children=3, max_carers=3, max_concerns=12))
def test_generated_code_fires_what_the_closures_fire(document: dict) -> None:
    household = Situation.model_validate(document).household
    shared: dict = {}
    for child in household.children:
        result = evaluate_child(child, household, BOOK, shared=shared)
        # A child whose age is a span is evaluated at several exact ages: compare at the one reported.
        values = {d.id: d.applies.fast(result.env) for d in BOOK.descriptors}
        assert [d.id for d in result.fired] == [i for i, v in values.items() if v is True]
        if not result.age_cases:
            assert [d.id for d in result.unknown] == [i for i, v in values.items() if v is None]
