"""A chunk of decoded households as arrays, and the array rules the program (`program.py`) uses:
age bands, the tests of named values, and counts compared as `logic.Span` compares them.

A frame's rows are the children, or (child, carer) pairs for quantifiers and counts over carers.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...language.logic import COMPARISONS
from ...model.ages import MAX_AGE_MONTHS
from .plan import Plan
from .tables import Bools, Floats, Groups

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
    carers_of: Groups
    """Each child's pairs (every child has one: a household has at least one carer)."""
    inexact: Bools
    """Per child: not exactly one of `age_months` and `unborn_weeks` given (a rough or missing age, or both)."""


def _unique_ids(household: Any) -> bool:
    """Whether the household's children, and its carers, have ids of their own, as the model requires
    (whether each child gives exactly one age is checked on the arrays: `_Chunk.inexact`)."""
    children, carers = household.children, household.carers
    return len({c.id for c in children}) == len(children) and len({c.id for c in carers}) == len(carers)


def _given(age: Any) -> bool:
    """Whether an age field holds an age. Left out (UNSET), written null and marked "unknown" all
    mean the age is not known, as they do to the model, so that child goes through the per-record
    path (`_Chunk.inexact`); the strict decoder lets nothing but a whole number through otherwise."""
    return type(age) is int


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
    unborn = np.array([_given(c.unborn_weeks) for c in children], dtype=bool)
    born = np.array([_given(c.age_months) for c in children], dtype=bool)
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
        Groups.of_runs(pair_start, per_child),
        born == unborn,
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
    whether a recorded concern was out of place or the age is not exact (the per-record path
    then screens the household)."""
    values = chunk.children
    outside = _outside(plan, chunk)
    known = ~np.isnan(values)
    coded = np.array([column.codes is not None for column in plan.child.columns])
    codes = np.where(known & coded[None, :], values, 0).astype(np.int64)
    coded_concern = plan.concern_codes[np.arange(len(coded))[None, :], codes]
    number_concern = plan.is_number[None, :] & ~np.isnan(plan.number_best)[None, :] & (values != plan.number_best[None, :])
    recorded = known & np.where(plan.is_number[None, :], number_concern, coded_concern)
    refused = (recorded & outside).any(axis=1) | chunk.inexact
    fill = ~known & outside & ~np.isnan(plan.best_code)[None, :]
    chunk.children = np.where(fill, plan.best_code[None, :], values)
    return refused


# --- what the program (`program.py`) evaluates with ------------------------------------------

_CHILD, _PAIR = 0, 1
"""Frames: a row per child, or per (child, carer) pair (inside a quantifier or count over carers)."""


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


def _band_of(chunk: _Chunk, band: Any, frame: int) -> Bools:
    unborn, months = chunk.unborn, chunk.months
    if band is None:
        inside = np.ones(len(unborn), dtype=bool)
    else:
        low = band.min_months if band.min_months is not None else 0
        high = band.max_months if band.max_months is not None else MAX_AGE_MONTHS
        born_inside = (band.unborn != "only") & (months >= low) & (months <= high)
        inside = np.where(unborn, band.unborn != "exclude", born_inside)
    return inside if frame == _CHILD else inside[chunk.pair_child]
