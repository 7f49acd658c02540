"""A chunk of decoded households as arrays, and every condition tree evaluated over it as two masks.

Known and true (three-valued, Kleene; true implies known), over a frame's rows: the children, or
(child, carer) pairs for quantifiers and counts over carers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
from numpy.typing import NDArray

from ...language.logic import COMPARISONS
from ...language.tree import And, Count, FlagTest, Node, Not, NumberTest, Or, Quantified, Test, ValuesTest, Within
from ...model.ages import MAX_AGE_MONTHS
from .plan import NotCovered, Plan
from .tables import Bools, Floats

Mask = tuple[Bools, Bools]
"""A condition's value over a frame's rows: (true, known); true implies known."""


# --- a chunk: decoded households as arrays ----------------------------------------------------


@dataclass
class _Chunk:
    """The households of a chunk that the columnar path screens, as arrays."""

    children: Floats
    carers: Floats
    households: Floats
    child_household: NDArray[np.int64]
    pair_child: NDArray[np.int64]
    pair_carer: NDArray[np.int64]
    unborn: Bools
    months: Floats
    memo: dict[tuple[int, int], Mask] = field(default_factory=dict)
    bands: dict[tuple[Any, ...], Bools] = field(default_factory=dict)


def _exact_age(child: Any) -> bool:
    return (child.age_months is msgspec.UNSET) != (child.unborn_weeks is msgspec.UNSET)


def _plainly_valid(household: Any) -> bool:
    """Whether the per-record model would accept the household as decoded, ages and ids included
    (the applicability of facts to ages is checked on the arrays, `_inapplicable_recorded`)."""
    ids = [c.id for c in household.children]
    carers = [c.id for c in household.carers]
    return len(set(ids)) == len(ids) and len(set(carers)) == len(carers) and all(_exact_age(c) for c in household.children)


def _build_chunk(plan: Plan, households: list[Any]) -> tuple[_Chunk, list[list[str]]]:
    """Arrays for `households` (children in id order, as `screen_household` takes them) and each one's child ids."""
    children: list[Any] = []
    carers: list[Any] = []
    child_household: list[int] = []
    carer_counts: list[int] = []
    ids: list[list[str]] = []
    by_id = attrgetter("id")
    for h, household in enumerate(households):
        carers.extend(household.carers)
        carer_counts.append(len(household.carers))
        ordered = sorted(household.children, key=by_id)
        children.extend(ordered)
        child_household.extend([h] * len(ordered))
        ids.append([c.id for c in ordered])
    values = plan.child.fill(children, len(plan.child.columns))
    unborn = np.array([c.unborn_weeks is not msgspec.UNSET for c in children], dtype=bool)
    values[:, plan.child_age["unborn"]] = unborn
    of_household = np.array(child_household, dtype=np.int64)
    counts = np.array(carer_counts, dtype=np.int64)
    first = np.cumsum(counts) - counts  # each household's first carer row
    per_child = counts[of_household]
    pair_child = np.repeat(np.arange(len(children)), per_child)
    pair_start = np.cumsum(per_child) - per_child  # each child's first pair
    pair_carer = first[of_household][pair_child] + np.arange(len(pair_child)) - pair_start[pair_child]
    chunk = _Chunk(
        values,
        plan.carer.fill(carers, len(plan.carer.columns)),
        plan.household.fill(households, len(plan.household.columns)),
        of_household,
        pair_child,
        pair_carer,
        unborn,
        values[:, plan.child_age["age_months"]],
    )
    return chunk, ids


def _outside(plan: Plan, chunk: _Chunk) -> Bools:
    """[child, column]: the child fact cannot describe the child at its (exact) age."""
    months = chunk.months[:, None]
    born_outside = ~plan.may_be_born[None, :] | (months < plan.low[None, :]) | (months > plan.high[None, :])
    return np.where(chunk.unborn[:, None], ~plan.may_be_unborn[None, :], born_outside)


def _prepare_children(plan: Plan, chunk: _Chunk) -> Bools:
    """Check that every recorded concern can describe its child, then set each unknown fact that
    cannot to its no-concern value (`Child.with_inapplicable_as_no_concern`). Returns, per child,
    whether a recorded concern was out of place (the model refuses that household)."""
    values = chunk.children
    outside = _outside(plan, chunk)
    known = ~np.isnan(values)
    coded = np.array([column.codes is not None for column in plan.child.columns])
    codes = np.where(known & coded[None, :], values, 0).astype(np.int64)
    coded_concern = plan.concern_codes[np.arange(len(coded))[None, :], codes]
    number_concern = plan.is_number[None, :] & ~np.isnan(plan.number_best)[None, :] & (values != plan.number_best[None, :])
    recorded = known & np.where(plan.is_number[None, :], number_concern, coded_concern)
    refused = (recorded & outside).any(axis=1)
    fill = ~known & outside & ~np.isnan(plan.best_code)[None, :]
    chunk.children = np.where(fill, plan.best_code[None, :], values)
    return refused  # type: ignore[no-any-return]


# --- evaluating trees over a frame ------------------------------------------------------------

_CHILD, _PAIR = 0, 1


def _leaf(plan: Plan, chunk: _Chunk, test: Test, frame: int) -> Mask:
    root, path = test.subject.root, test.subject.path
    if root == "child":
        column = chunk.children[:, plan.child.index[(root, path)]]
        values = column if frame == _CHILD else column[chunk.pair_child]
    elif root == "carer":
        values = chunk.carers[chunk.pair_carer, plan.carer.index[(root, path)]]
    else:
        column = chunk.households[:, plan.household.index[(root, path)]]
        rows = chunk.child_household if frame == _CHILD else chunk.child_household[chunk.pair_child]
        values = column[rows]
    known = ~np.isnan(values)
    if isinstance(test, ValuesTest):
        true = known & _satisfying(test)[np.where(known, values, 0).astype(np.int64)]
    elif isinstance(test, NumberTest):
        with np.errstate(invalid="ignore"):
            true = known & COMPARISONS[test.op](values, test.bound)
    else:
        assert isinstance(test, FlagTest)
        true = known & (values == (1.0 if test.wanted else 0.0))
    return true, known


@cache
def _satisfying(test: ValuesTest) -> Bools:
    """[code]: whether the value with that place in the fact's list passes the test."""
    assert test.spec.choices is not None
    return np.array([member in test.satisfying for member in test.spec.choices], dtype=bool)


def _span(low: NDArray[Any], high: NDArray[Any], op: str, bound: float) -> Mask:
    """`logic.Span.compare` over arrays: a count between `low` and `high` compared with `bound`."""
    at_low, at_high = COMPARISONS[op](low, bound), COMPARISONS[op](high, bound)
    exact = low == high
    if op in ("==", "!="):
        inside = (low <= bound) & (bound <= high)
        known = exact | ~inside
        true = np.where(exact, at_low, op == "!=") & known
    else:
        known = exact | (at_low == at_high)
        true = known & at_low
    return true, known


def _band(plan: Plan, chunk: _Chunk, band: Any, frame: int) -> Bools:
    """Whether each child (exact ages only) is in `band` (`tree.in_band`, decided for every child)."""
    key = (frame, None) if band is None else (frame, band.min_months, band.max_months, band.unborn)
    found = chunk.bands.get(key)
    if found is None:
        found = chunk.bands[key] = _band_of(chunk, band, frame)
    return found


def _band_of(chunk: _Chunk, band: Any, frame: int) -> Bools:
    unborn, months = chunk.unborn, chunk.months
    if band is None:
        inside = np.ones(len(unborn), dtype=bool)
    else:
        low = band.min_months if band.min_months is not None else 0
        high = band.max_months if band.max_months is not None else MAX_AGE_MONTHS
        born_inside = (band.unborn != "only") & (months >= low) & (months <= high)
        inside = np.where(unborn, band.unborn != "exclude", born_inside)
    return inside if frame == _CHILD else inside[chunk.pair_child]  # type: ignore[no-any-return]


def evaluate(plan: Plan, chunk: _Chunk, node: Node, frame: int = _CHILD) -> Mask:
    """A node's (true, known) masks over the frame's rows (children, or (child, carer) pairs)."""
    key = (frame, id(node))  # the rulebook holds every node for as long as the chunk lives
    found = chunk.memo.get(key)
    if found is None:
        found = chunk.memo[key] = _evaluate(plan, chunk, node, frame)
    return found


def _evaluate(plan: Plan, chunk: _Chunk, node: Node, frame: int) -> Mask:
    if isinstance(node, Test):
        return _leaf(plan, chunk, node, frame)
    if isinstance(node, (And, Or)):
        parts = [evaluate(plan, chunk, part, frame) for part in node.parts]
        trues = np.array([t for t, _ in parts])
        falses = np.array([k & ~t for t, k in parts])
        if isinstance(node, Or):
            true, false = trues.any(axis=0), falses.all(axis=0)
        else:
            true, false = trues.all(axis=0), falses.any(axis=0)
        return true, true | false
    if isinstance(node, Not):
        true, known = evaluate(plan, chunk, node.item, frame)
        return known & ~true, known
    if isinstance(node, Within):
        inside = _band(plan, chunk, node.band, frame)
        true, known = evaluate(plan, chunk, node.body, frame)
        return inside & true, ~inside | known
    if isinstance(node, Quantified):
        return _quantified(plan, chunk, node)
    if isinstance(node, Count):
        if node.binder is None:
            parts = [evaluate(plan, chunk, part, frame) for part in node.items]
            low = np.sum([t for t, _ in parts], axis=0)
            high = low + np.sum([~k for _, k in parts], axis=0)
        else:
            low, high = _per_child(plan, chunk, node.items[0])[:2]
            high = low + high
        return _span(low, high, node.op, node.bound)
    raise NotCovered(type(node).__name__)


def _per_child(plan: Plan, chunk: _Chunk, body: Node) -> tuple[Floats, Floats, Floats]:
    """For each child: how many carers the body is true, unknown and false for."""
    true, known = evaluate(plan, chunk, body, _PAIR)
    n = len(chunk.children)
    count = lambda mask: np.bincount(chunk.pair_child, weights=mask, minlength=n)  # noqa: E731
    return count(true), count(~known), count(known & ~true)


def _quantified(plan: Plan, chunk: _Chunk, node: Quantified) -> Mask:
    """`any_carer` / `all_carers`: Kleene or / and over each child's carers (none: false / true)."""
    trues, unknowns, falses = _per_child(plan, chunk, node.body)
    if node.every:
        false = falses > 0
        true = ~false & (unknowns == 0)
    else:
        true = trues > 0
        false = ~true & (unknowns == 0)
    return true, true | false


def _applies(plan: Plan, chunk: _Chunk, applies: Any) -> Mask:
    """An age-restricted condition (`Applicable.fast`): false outside the band, the condition inside it."""
    true, known = evaluate(plan, chunk, applies.condition.tree, _CHILD)
    if applies.age is None:
        return true, known
    inside = _band(plan, chunk, applies.age, _CHILD)
    return inside & true, ~inside | known
