"""Thresholds: where a rulebook draws its lines on a number, and so which values are of concern.

A number fact (attendance %, missing episodes, a DASH score) is a concern only past the line a
rulebook draws: 96% attendance is no concern where every descriptor starts below 90%. The
values on the safe side of a rulebook's least worrying threshold are the rulebook's own
definition of "no concern"; every value past it is of concern, and if nothing acknowledges it
the run-time unassessed list (`engine/unassessed.py`) and the lint gap probe
(`authoring/gaps.py`) both report it. A graded scale (a GCP2 grade) is the exception: the
model defines every grade past the best as a concern, wherever the rulebook starts.

The comparisons are read once, when the rulebook loads, from the conditions' trees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ..language.compile import Condition
from ..language.logic import COMPARISONS
from ..language.tree import NumberTest
from ..model.catalogue import FactSpec

Comparisons = dict[str, frozenset[tuple[str, float]]]
"""Every number fact a rulebook compares with a constant: `{dotted: {(op, constant)}}`, the fact on the left."""


def comparisons(conditions: Iterable[Condition]) -> Comparisons:
    """The number comparisons in `conditions` (siblings' facts as `child.…`), read from their trees."""
    found: dict[str, set[tuple[str, float]]] = defaultdict(set)
    for condition in conditions:
        for leaf in condition.leaves:
            if isinstance(leaf, NumberTest):
                found[leaf.fact].add((leaf.op, leaf.bound))
    return {fact: frozenset(pairs) for fact, pairs in found.items()}


def of_concern(spec: FactSpec, value: Any, compared: frozenset[tuple[str, float]]) -> bool:
    """Whether a known value of a concern fact is a value of concern under a rulebook that
    compares the fact as `compared` says: true for a flag, any grade past the first, and for a
    number a value worse than the best that some comparison tells apart from the best (any
    worse value if the rulebook draws no line on it, or the number is a graded scale)."""
    return concern_test(spec, compared)(value)


def concern_test(spec: FactSpec, compared: frozenset[tuple[str, float]]) -> Callable[[Any], bool]:
    """`of_concern` for one fact under one rulebook's comparisons, as a test of a known value:
    what can be settled without the value (the fact's kind, its best value, the lines on it) is
    settled once, since a rulebook asks it of every recorded fact of every child."""
    if spec.kind == "flag":
        return lambda value: value is True
    best = spec.best()
    worseness = spec.worseness
    if spec.choices is not None:
        # Every grade past the first, as the model holds it (a member) or a document writes it.
        past_first = frozenset(item for member in list(spec.choices)[1:] for item in (member, member.value))
        return past_first.__contains__
    # Every number the model marks as a concern has a safe bound (higher or lower is worse).
    assert best is not None, f"{spec.dotted} is not a concern fact"
    least = worseness(best)
    told_apart = tuple((COMPARISONS[op], constant, COMPARISONS[op](best, constant)) for op, constant in compared)
    any_worse = spec.grades or not compared

    def number(value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or worseness(value) <= least:
            return False
        return any_worse or any(compare(value, constant) != at_best for compare, constant, at_best in told_apart)

    return number


def worse_values(spec: FactSpec, compared: frozenset[tuple[str, float]] | set[tuple[str, float]]) -> list[Any]:
    """The values worth probing, least worrying first: every value worse than the best, or for a
    number its worst bound and the first value past each threshold on the worrying side (every
    grade of a graded scale). Each is a value of concern (`of_concern`)."""
    if spec.kind == "flag":
        return [True]
    if spec.choices is not None:
        return [member.value for member in list(spec.choices)[1:]]
    if spec.grades:
        assert spec.minimum is not None and spec.maximum is not None
        return list(range(int(spec.minimum) + 1, int(spec.maximum) + 1))
    step = 1 if spec.integer else 0.5
    points = {spec.worst()}
    for op, constant in compared:
        # The first value on the worrying side of `fact <op> constant` (for == and != the constant itself).
        past = {">": constant + step, "<=": constant + step, "<": constant - step, ">=": constant - step}
        if spec.direction == "higher_is_worse":
            points.add(constant if op in (">=", "<", "==", "!=") else past[op])
        else:
            points.add(constant if op in ("<=", ">", "==", "!=") else past[op])
    low, high = spec.minimum, spec.maximum
    kept = {p for p in points if p is not None and (low is None or p >= low) and (high is None or p <= high)}
    kept = {int(p) if spec.integer else float(p) for p in kept if spec.worseness(p) > spec.worseness(spec.best())}
    return sorted(kept, key=spec.worseness)
