"""`concern_test` (a rulebook's test of a value of concern, settled once per fact) against the
definition it was derived from, restated here from the thresholds module's docstring: a flag is
of concern when true, a grade past the first always, a number when it is worse than the best and
some line the rulebook draws on the fact tells it apart from the best (any worse value when the
rulebook draws none, or the number is a graded scale)."""

from __future__ import annotations

from typing import Any

import pytest

from needs_engine import load_rulebook
from needs_engine.language.logic import COMPARISONS
from needs_engine.model.catalogue import FactSpec, facts_by_root
from needs_engine.rulebook.thresholds import concern_test, worse_values

RULEBOOKS = ("knowsley", "st-helens", "east-sussex")


def _by_definition(spec: FactSpec, value: Any, compared: frozenset[tuple[str, float]]) -> bool:
    if spec.kind == "flag":
        return value is True
    best = spec.best()
    if spec.choices is not None:
        return spec.worseness(value) > spec.worseness(best)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or spec.worseness(value) <= spec.worseness(best):
        return False
    if spec.grades or not compared:
        return True
    return any(COMPARISONS[op](value, constant) != COMPARISONS[op](best, constant) for op, constant in compared)


def _values(spec: FactSpec, compared: frozenset[tuple[str, float]]) -> list[Any]:
    """Every grade (as member and as written), or numbers across the fact's range in halves,
    every probe the lint uses, and the yes/no values a number must refuse."""
    if spec.kind == "flag":
        return [True, False]
    if spec.choices is not None:
        return [*spec.choices, *(member.value for member in spec.choices)]
    low = int(spec.minimum) if spec.minimum is not None else -5
    high = int(spec.maximum) if spec.maximum is not None else 200
    return [*(n / 2 for n in range(2 * low, 2 * high + 1)), *range(low, high + 1), *worse_values(spec, compared), True, False]


@pytest.mark.parametrize("rulebook", RULEBOOKS)
def test_concern_test_agrees_with_the_definition_on_every_concern_fact(rulebook: str) -> None:
    book = load_rulebook(rulebook)
    checked = 0
    for facts in facts_by_root().values():
        for spec in facts.values():
            if not spec.is_concern:
                continue
            compared = book.thresholds.get(spec.dotted, frozenset())
            test = concern_test(spec, compared)
            for value in _values(spec, compared):
                assert test(value) == _by_definition(spec, value, compared), (spec.dotted, value, sorted(compared))
                checked += 1
    assert checked > 5000


def test_the_rulebook_tables_list_every_concern_fact_in_catalogue_order() -> None:
    book = load_rulebook("knowsley")
    for root, groups in book.tables.concerns.items():
        listed = [spec for _, fields in groups for _, spec, _ in fields]
        assert listed == [spec for spec in facts_by_root()[root].values() if spec.is_concern]
        assert all(spec.path == (*section, name) for section, fields in groups for name, spec, _ in fields)
