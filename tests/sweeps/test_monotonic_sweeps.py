"""Exhaustive sweeps of the escalation invariants: slow, so kept apart from the fast properties.

Like hypothesis's own `tests/nocover`, this directory holds the searches that walk every value of
every fact rather than sampling: each generated situation has every concern fact walked from its
least to its most worrying value, and every unknown resolved both ways, on every shipped rulebook.
They are the strongest evidence that escalation is monotonic (DESIGN.md semantics 3 and 7) and
most of the suite's time. `python -m pytest` (the README's test command, and CI) runs them;
`python -m pytest -m "not sweep"` is the fast loop while working (tests/sweeps/conftest.py marks
everything here).
"""

from __future__ import annotations

from hypothesis import given

from needs_engine.authoring.strategies import best_value, get, places, put, situations
from needs_engine.model.catalogue import FactSpec

from ..properties.test_invariants import (
    _worst,
    chain,
    compared_constants,
    never_lower,
    quick_levels,
    rulebook,
)

__all__ = ["rulebook"]  # the shipped rulebooks, one at a time: a fixture shared with tests/properties


@given(situation=situations())
def test_worsening_any_concern_never_lowers_a_level(rulebook, situation) -> None:
    """Sweep: walk every concern fact of the situation from its least to its most worrying value;
    no child's level, possible level or the family's may drop at any step."""
    constants = compared_constants(rulebook)
    for place in places(situation):
        if not place.spec.is_concern:
            continue
        previous = None
        for value in chain(place.spec, constants.get(place.spec.dotted, set())):
            current = quick_levels(put(situation, place.key, value), rulebook)
            if previous is not None:
                what = f"setting {place.spec.dotted} at {place.key} from {previous[0]!r} to {value!r}"
                never_lower(previous[1][0], current[0], what)
                never_lower(previous[1][1], current[1], what)
            previous = (value, current)


@given(situation=situations())
def test_resolving_any_unknown_lands_between_level_and_possible_level(rulebook, situation) -> None:
    """Sweep: every unknown fact (strengths excepted: a strength found present may mitigate),
    resolved to its least and its most worrying value."""
    low, high = quick_levels(situation, rulebook)
    for place in places(situation):
        if place.spec.direction == "strength" or get(situation, place.key) is not None:
            continue
        candidates = (
            [best_value(place.spec), _worst(place.spec)] if place.spec.direction != "none" else _descriptive_values(place.spec)
        )
        for value in candidates:
            resolved, _ = quick_levels(put(situation, place.key, value), rulebook)
            for key, level in resolved.items():
                assert low[key] <= level <= high[key], (
                    f"resolving {place.spec.dotted} at {place.key} to {value!r}: {key} at {level.value}"
                )


def _descriptive_values(spec: FactSpec) -> list:  # type: ignore[no-untyped-def]
    if spec.kind == "flag":
        return [False, True]
    if spec.choices is not None:
        return [m.value for m in spec.choices]
    return [spec.minimum, spec.maximum]
