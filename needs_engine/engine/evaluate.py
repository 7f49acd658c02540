"""Per-child evaluation: which descriptors fire, and the level they make.

One child at a time (Semantics 1). Every descriptor is evaluated three-valued; the level is
computed twice by the same function: from the descriptors known to fire (`level`) and from
those that fire or might (`possible_level`, every unknown at its worst; Semantics 7).
The level is the highest fired level (2), raised by the rulebook's escalations (3), forced to
Safeguarding by red flags (4, which are safeguarding floors), and lowered at most one step by
declared mitigations, never from Safeguarding and never below a floor (5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from ..language.compile import Env
from ..language.logic import Truth
from ..model.levels import Level
from ..model.situation import Child, Household
from ..rulebook.load import Descriptor, Escalation, Mitigation, Rulebook


@dataclass(frozen=True)
class Outcome:
    """The level a set of fired descriptors makes, and the rules that shaped it."""

    level: Level
    escalations: tuple[Escalation, ...]
    mitigation: Optional[Mitigation]
    before_mitigation: Level


@dataclass(frozen=True)
class ChildResult:
    """Everything decided about one child, before it is rendered into an assessment."""

    child: Child
    env: Env
    fired: tuple[Descriptor, ...]
    unknown: tuple[Descriptor, ...]
    escalation_truth: dict[str, Truth]
    mitigations: tuple[Mitigation, ...]
    known: Outcome
    possible: Outcome


def evaluate_child(child: Child, household: Household, rulebook: Rulebook) -> ChildResult:
    """Evaluate every descriptor and rule of `rulebook` for one child of `household`."""
    env = Env(child, household)
    fired: list[Descriptor] = []
    unknown: list[Descriptor] = []
    for descriptor in rulebook.descriptors:
        value = descriptor.applies.fast(env)
        if value is True:
            fired.append(descriptor)
        elif value is None:
            unknown.append(descriptor)
    escalation_truth = {e.id: e.applies.fast(env) for e in rulebook.escalations if e.applies is not None}
    mitigations = tuple(m for m in rulebook.mitigations if m.condition.fast(env) is True)
    known = outcome(fired, escalation_truth, mitigations, rulebook, possible=False)
    possible = outcome([*fired, *unknown], escalation_truth, mitigations, rulebook, possible=True)
    return ChildResult(child, env, tuple(fired), tuple(unknown), escalation_truth, mitigations, known, possible)


def unknown_for(descriptor_ids: Iterable[str], child: Child, household: Household, rulebook: Rulebook) -> set[str]:
    """Of `descriptor_ids`, those whose condition is unknown for `child` of `household`.

    A descriptor that fired before and is unknown now has not cleared: its facts are no longer
    known (Semantics 7), so a review or a what-if must say "ask again", never "cleared".
    """
    env = Env(child, household)
    return {d for d in descriptor_ids if d in rulebook.by_id and rulebook.by_id[d].applies.fast(env) is None}


def outcome(
    fired: Iterable[Descriptor],
    escalation_truth: dict[str, Truth],
    mitigations: tuple[Mitigation, ...],
    rulebook: Rulebook,
    *,
    possible: bool,
) -> Outcome:
    """The level made by `fired`. With `possible`, escalations whose condition is unknown apply."""
    fired = list(fired)
    level = max((d.level for d in fired), default=Level.universal)
    applied = []
    for escalation in rulebook.escalations:
        if escalation.to <= Level.universal:
            continue
        if escalation.count is not None:
            triggered = _count_met(fired, escalation)
        else:
            truth = escalation_truth.get(escalation.id)
            triggered = truth is True or (possible and truth is None)
        if triggered:
            applied.append(escalation)
            level = max(level, escalation.to)
    before = level
    mitigation = next((m for m in mitigations if level in m.lowers_from), None)
    if mitigation is not None and level is not Level.safeguarding:
        floor = max((d.level for d in fired if d.floor), default=Level.universal)
        lowered = max(level.step(-1), floor)
        if lowered < level:
            level = lowered
        else:
            mitigation = None
    else:
        mitigation = None
    return Outcome(level, tuple(applied), mitigation, before)


def _count_met(fired: list[Descriptor], escalation: Escalation) -> bool:
    rule = escalation.count
    assert rule is not None
    counted = [d for d in fired if d.level >= rule.min_level]
    return len(counted) >= rule.min_count and len({d.domain for d in counted}) >= rule.min_domains


def counted_by(fired: Iterable[Descriptor], escalation: Escalation) -> list[str]:
    """The descriptor ids a count escalation counted (for explanations)."""
    rule = escalation.count
    if rule is None:
        return []
    return sorted(d.id for d in fired if d.level >= rule.min_level)


def household_levels(household: Household, rulebook: Rulebook) -> dict[str, tuple[Level, Level]]:
    """Level and possible level per child id, without building explanations (the fast path)."""
    return {
        child.id: (result.known.level, result.possible.level)
        for child in household.children
        for result in (evaluate_child(child, household, rulebook),)
    }
