"""Descriptors, escalations, levels, possible levels and tiers of a chunk's children as array
operations, as `engine/evaluate.py` works them out (Semantics 2-7, 12-13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...engine.evaluate import outcome
from ...language.logic import Truth
from ...model.levels import Level
from ...model.tiers import TIERS, Tier
from ...rulebook.parts import Mitigation
from .masks import Mask, _Chunk
from .plan import Plan
from .program import FALSE, TRUE, UNKNOWN
from .tables import Bools, Groups

# --- levels, possible levels and tiers --------------------------------------------------------


@dataclass
class _Levels:
    """Per child row: level and possible level ranks, tier place, fired descriptors (report order)."""

    level: NDArray[np.int64]
    possible: NDArray[np.int64]
    tier: NDArray[np.int64]
    fired: list[list[int]]
    """Positions in `Plan.report_order`, as `by_level` orders fired ids."""


def _levels(plan: Plan, chunk: _Chunk) -> _Levels:
    rulebook = plan.rulebook
    n = len(chunk.children)
    program = plan.program
    codes = program.run(chunk)
    applies = codes[program.descriptors]  # [descriptor, child]
    fired = applies == TRUE
    maybe = applies != FALSE
    escalation_truth: dict[str, Mask] = {
        name: (codes[slot] == TRUE, codes[slot] != UNKNOWN) for name, slot in program.escalations.items()
    }
    mitigation_true = [codes[slot] == TRUE for slot in program.mitigations]

    known_level, known_applied = _outcome(plan, fired, escalation_truth, possible=False)
    possible_level, _ = _outcome(plan, maybe, escalation_truth, possible=True)
    tier = _highest(plan.by_tier, fired)
    for escalation, mask in known_applied:
        tier = np.where(mask, np.maximum(tier, TIERS.index(escalation.tier)), tier)
    tier = plan.clamp[tier, known_level]
    rows, places = np.nonzero(fired[plan.report_order].T)
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    places_list = places.tolist()
    result = _Levels(
        known_level,
        possible_level,
        tier,
        [places_list[bounds[row] : bounds[row + 1]] for row in range(n)],
    )
    mitigated = np.zeros(n, dtype=bool)
    for mitigation, true in zip(rulebook.mitigations, mitigation_true, strict=True):
        # `outcome` leaves a level a mitigation does not lower from as it is (and never lowers
        # Universal or Safeguarding): only a child whose known or possible level it might lower
        # is decided by the record.
        ranks = [level.rank for level in mitigation.lowers_from if level not in (Level.universal, Level.safeguarding)]
        mitigated |= true & (np.isin(known_level, ranks) | np.isin(possible_level, ranks))
    for row in np.flatnonzero(mitigated).tolist():
        mitigations = tuple(m for m, true in zip(rulebook.mitigations, mitigation_true, strict=True) if true[row])
        level, possible, tier_place = _by_the_record(plan, row, fired, maybe, escalation_truth, mitigations)
        result.level[row], result.possible[row], result.tier[row] = level, possible, tier_place
    return result


def _highest(groups: tuple[Groups, NDArray[np.int64]], fired: Bools) -> NDArray[np.int64]:
    """Per child, the highest value (a level's rank, a tier's place) of a fired descriptor, 0 if none
    (`groups`: the descriptors of each value, and the values)."""
    rows, values = groups
    if not len(values):
        return np.zeros(fired.shape[1], dtype=np.int64)
    return (rows.reduce(np.logical_or, fired) * values[:, None]).max(axis=0, initial=0)  # type: ignore[no-any-return]


def _outcome(
    plan: Plan, fired: Bools, escalation_truth: dict[str, Mask], *, possible: bool
) -> tuple[NDArray[np.int64], list[tuple[Any, Bools]]]:
    """`evaluate.outcome` with no mitigation: the highest fired level raised by every escalation
    that applies (a count over needs, each once: Semantics 12), and the escalations applied.
    `fired` is [descriptor, child]."""
    n = fired.shape[1]
    level = _highest(plan.by_level, fired)
    counted = iter(plan.counts)
    applied = []
    for escalation, to, rule in plan.rulebook.tables.raising:
        if rule is not None:
            triggered = next(counted)[1].met(fired, rule.min_count, rule.min_domains)
        else:
            true, known = escalation_truth.get(escalation.id, (np.zeros(n, dtype=bool),) * 2)
            triggered = true | (~known if possible else False)
        applied.append((escalation, triggered))
        level = np.where(triggered, np.maximum(level, to), level)
    return level, applied


def _by_the_record(
    plan: Plan,
    row: int,
    fired: Bools,
    maybe: Bools,
    escalation_truth: dict[str, Mask],
    mitigations: tuple[Mitigation, ...],
) -> tuple[int, int, int]:
    """A child a declared mitigation may apply to: levels and tier by `evaluate.outcome` itself."""
    rulebook = plan.rulebook
    descriptors = plan.descriptors
    known_list = [d for i, d in enumerate(descriptors) if fired[i, row]]
    maybe_list = known_list + [d for i, d in enumerate(descriptors) if maybe[i, row] and not fired[i, row]]
    truth: dict[str, Truth] = {key: bool(t[row]) if k[row] else None for key, (t, k) in escalation_truth.items()}
    known = outcome(known_list, truth, mitigations, rulebook, possible=False)
    possible = outcome(maybe_list, truth, mitigations, rulebook, possible=True)
    tiers = [*(d.tier for d in known_list), *(e.tier for e in known.escalations)]
    tier = rulebook.tier_map.clamp(max(tiers, default=Tier.universal), known.level)
    return known.level.rank, possible.level.rank, TIERS.index(tier)
