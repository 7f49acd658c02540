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
from functools import cache
from typing import Any, Optional

from ..language.compile import Condition, Env
from ..language.logic import Truth
from ..model.levels import LEVELS, Level
from ..model.situation import Child, Household
from ..rulebook.load import Applicable, Descriptor, Escalation, Mitigation, Rulebook, in_age_band
from ..rulebook.schema import AgeBand
from .generated import Passes, generate


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


@dataclass(frozen=True)
class _Plan:
    """A rulebook's descriptors arranged for evaluation: age bands shared, household-only conditions marked.

    Equivalent to calling `descriptor.applies.fast(env)` for each descriptor in order (see
    `Applicable.fast`): an age band is checked once per child of a given age, not once per
    descriptor; a condition that reads no fact of a child (only carers, the home, strengths) is
    evaluated once per household; and the conditions run as generated straight-line code
    (`generated.py`) rather than a closure per node.
    """

    bands: tuple[AgeBand, ...]
    by_age: dict[tuple[Optional[bool], Optional[int]], list[Truth]]
    passes: Passes

    def bands_for(self, child: Child) -> list[Truth]:
        """Whether the child is in each age band (the same for every child of the same age)."""
        unborn = child.unborn
        key = (unborn, None if unborn else child.age_months)
        found = self.by_age.get(key)
        if found is None:
            found = self.by_age[key] = [in_age_band(band, child) for band in self.bands]
        return found


_PLANS: dict[int, tuple[Rulebook, _Plan]] = {}


def _plan(rulebook: Rulebook) -> _Plan:
    cached = _PLANS.get(id(rulebook))
    if cached is not None and cached[0] is rulebook:
        return cached[1]
    bands: dict[tuple[object, ...], int] = {}
    band_list: list[AgeBand] = []
    items = []
    for descriptor in rulebook.descriptors:
        band = descriptor.applies.age
        index = -1
        if band is not None:
            key = (band.min_months, band.max_months, band.unborn)
            if key not in bands:
                bands[key] = len(band_list)
                band_list.append(band)
            index = bands[key]
        household_only = not reads_child(descriptor.applies.condition.facts)
        items.append((descriptor, index, household_only))
    plan = _Plan(tuple(band_list), {}, generate(items))
    if len(_PLANS) > 32:
        _PLANS.clear()
    _PLANS[id(rulebook)] = (rulebook, plan)
    return plan


def evaluate_child(
    child: Child, household: Household, rulebook: Rulebook, *, shared: Optional[dict[str, Any]] = None
) -> ChildResult:
    """Evaluate every descriptor and rule of `rulebook` for one child of `household`.

    `shared`, a dict kept across the children of one household, lets conditions that read no
    child fact be evaluated once per household.
    """
    env = Env(child, household)
    fired: list[Descriptor] = []
    unknown: list[Descriptor] = []
    plan = _plan(rulebook)
    in_band = plan.bands_for(child)
    if shared is None:
        shared = {}
    household_values = shared.get("descriptors")
    if household_values is None:
        household_values = shared["descriptors"] = plan.passes.household_pass(env)
    plan.passes.child_pass(env, in_band, household_values, fired, unknown)
    escalation_truth = {e.id: _applies(e.applies, env, shared) for e in rulebook.escalations if e.applies is not None}
    mitigations = tuple(m for m in rulebook.mitigations if _once(m.condition, env, shared) is True)
    known = outcome(fired, escalation_truth, mitigations, rulebook, possible=False)
    possible = outcome([*fired, *unknown], escalation_truth, mitigations, rulebook, possible=True)
    return ChildResult(child, env, tuple(fired), tuple(unknown), escalation_truth, mitigations, known, possible)


def by_level(descriptors: Iterable[Descriptor]) -> list[Descriptor]:
    """Descriptors highest level first, then by id: the order assessments and explanations report them in."""
    return sorted(descriptors, key=lambda d: (-d.level.rank, d.id))


def escalations_by_level(escalations: Iterable[Escalation]) -> list[Escalation]:
    """Escalations highest level first, then by id: the order assessments and explanations report them in."""
    return sorted(escalations, key=lambda e: (-e.to.rank, e.id))


@cache
def reads_child(facts: frozenset[str]) -> bool:
    """Whether a condition reading `facts` can differ between children of one household."""
    return any(name.startswith("child.") for name in facts)


def _once(condition: Condition, env: Env, shared: dict[str, Any]) -> Truth:
    """A condition's value, evaluated once per household if it reads no fact of the child."""
    if reads_child(condition.facts):
        return condition.fast(env)
    key = "condition:" + condition.text
    if key not in shared:
        shared[key] = condition.fast(env)
    return shared[key]  # type: ignore[no-any-return]


def _applies(applicable: Applicable, env: Env, shared: dict[str, Any]) -> Truth:
    """`applicable.fast(env)`, with the condition evaluated once per household where it can be."""
    in_band = in_age_band(applicable.age, env.child)
    if in_band is False:
        return False
    value = _once(applicable.condition, env, shared)
    if value is False:
        return False
    return None if (in_band is None or value is None) else True


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
    top = 0
    for descriptor in fired:
        rank = descriptor.level._rank  # type: ignore[attr-defined]
        if rank > top:
            top = rank
    applied = []
    for escalation in rulebook.escalations:
        to = escalation.to._rank  # type: ignore[attr-defined]
        if to <= 0:
            continue
        if escalation.count is not None:
            triggered = _count_met(fired, escalation)
        else:
            truth = escalation_truth.get(escalation.id)
            triggered = truth is True or (possible and truth is None)
        if triggered:
            applied.append(escalation)
            if to > top:
                top = to
    level = LEVELS[top]
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
    """Whether enough fired descriptors, in enough domains, reach the rule's level (stops once they do)."""
    rule = escalation.count
    assert rule is not None
    if rule.min_count <= 0 and rule.min_domains <= 0:
        return True
    least = rule.min_level._rank  # type: ignore[attr-defined]
    counted = 0
    domains: set[str] = set()
    for descriptor in fired:
        if descriptor.level._rank >= least:  # type: ignore[attr-defined]
            counted += 1
            domains.add(descriptor.domain)
            if counted >= rule.min_count and len(domains) >= rule.min_domains:
                return True
    return False


def counted_by(fired: Iterable[Descriptor], escalation: Escalation) -> list[str]:
    """The descriptor ids a count escalation counted (for explanations)."""
    rule = escalation.count
    if rule is None:
        return []
    return sorted(d.id for d in fired if d.level >= rule.min_level)


def household_levels(household: Household, rulebook: Rulebook) -> dict[str, tuple[Level, Level]]:
    """Level and possible level per child id, without building explanations (the fast path)."""
    shared: dict[str, Any] = {}
    return {
        child.id: (result.known.level, result.possible.level)
        for child in household.children
        for result in (evaluate_child(child, household, rulebook, shared=shared),)
    }


@dataclass(frozen=True)
class ChildScreening:
    """One child's levels and fired descriptor ids: what a batch re-screen needs, nothing more."""

    child_id: str
    level: Level
    possible_level: Level
    fired: tuple[str, ...]
    """Fired descriptor ids, highest level first, then by id (the order of an assessment)."""


def screen_household(household: Household, rulebook: Rulebook) -> list[ChildScreening]:
    """Levels and fired ids per child, in child id order, without explanations or questions.

    Gives exactly the levels `assess` gives (no override), for a fraction of the work.
    """
    screened = []
    shared: dict[str, Any] = {}
    for child in sorted(household.children, key=lambda c: c.id):
        result = evaluate_child(child, household, rulebook, shared=shared)
        fired = tuple(d.id for d in by_level(result.fired))
        screened.append(ChildScreening(child.id, result.known.level, result.possible.level, fired))
    return screened
