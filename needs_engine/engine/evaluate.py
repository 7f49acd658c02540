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
from dataclasses import dataclass, field
from typing import Any, Optional

from ..language.compile import Condition, Env, reads_child, within
from ..language.logic import Truth
from ..model.ages import AgeSpan
from ..model.levels import LEVELS, Level
from ..model.situation import Child, Household
from ..model.tiers import Tier
from ..rulebook.book import Derivation, Rulebook
from ..rulebook.parts import Applicable, Descriptor, Escalation, Mitigation, in_age_band
from ..rulebook.schema import AgeBand, DescriptorCount
from .fired import Read
from .generated import Passes, generate


@dataclass(frozen=True)
class Outcome:
    """The level a set of fired descriptors makes, and the rules that shaped it."""

    level: Level
    escalations: tuple[Escalation, ...]
    mitigation: Optional[Mitigation]
    before_mitigation: Level


@dataclass(frozen=True)
class AgeCase:
    """The levels a child would have at the ages from `low` to `high` months (None, None: unborn)."""

    low: Optional[int]
    high: Optional[int]
    level: Level
    possible_level: Level


@dataclass(frozen=True)
class ChildResult:
    """Everything decided about one child, before it is rendered into an assessment.

    For a child whose age is a span (Semantics 11), `env`, `fired`, `known` and the rules come
    from the age in the span with the lowest level, `possible` from the age with the highest
    possible level, `unknown` holds every descriptor that fires or might at some age, and
    `age_cases` the levels at each age the rulebook tells apart."""

    child: Child
    env: Env
    fired: tuple[Descriptor, ...]
    unknown: tuple[Descriptor, ...]
    escalation_truth: dict[str, Truth]
    mitigations: tuple[Mitigation, ...]
    known: Outcome
    possible: Outcome
    age_cases: tuple[AgeCase, ...] = ()
    reads: dict[str, list[Read]] = field(default_factory=dict, compare=False, repr=False)
    """The facts read so far by this child's rules that hold on `env`, by rule (`fired.RuleReads.held`)."""


@dataclass(frozen=True)
class _Plan:
    """A rulebook's descriptors arranged for evaluation: age bands shared, household-only conditions marked.

    Equivalent to calling `descriptor.applies.fast(env)` for each descriptor in order (see
    `Applicable.fast`): an age band is checked once per child of a given age, not once per
    descriptor; a condition that reads no fact of a child (only carers, the home, strengths) is
    evaluated once per household; and, once the rulebook has evaluated a few households, the
    conditions run as generated straight-line code (`generated.py`) rather than a closure per
    node (`_Passes`).
    """

    bands: tuple[AgeBand, ...]
    by_age: dict[AgeSpan, list[Truth]]
    passes: _Passes
    every_band: tuple[AgeBand, ...]
    """Every age band of a descriptor or an escalation: where a span of ages is cut into ages the rulebook tells apart."""

    def bands_for(self, span: AgeSpan) -> list[Truth]:
        """Whether a child of `span` is in each age band (the same for every child of the same age)."""
        found = self.by_age.get(span)
        if found is None:
            if len(self.by_age) > 4096:
                self.by_age.clear()
            found = self.by_age[span] = [in_age_band(band, span) for band in self.bands]
        return found

    def ages_to_try(self, span: AgeSpan) -> list[Optional[int]]:
        """One age (months; None: unborn) for each part of `span` that every band treats alike."""
        cuts = {span.low}
        for band in self.every_band:
            if in_age_band(band, span) is None:
                for edge in (band.min_months, None if band.max_months is None else band.max_months + 1):
                    if edge is not None and span.low < edge <= span.high:
                        cuts.add(edge)
        ages: list[Optional[int]] = [None] if span.may_be_unborn else []
        if span.may_be_born and span.low <= span.high:
            ages.extend(sorted(cuts))
        return ages


def _plan(rulebook: Rulebook) -> _Plan:
    """The rulebook's evaluation plan, built on its first evaluation and kept on the rulebook."""
    return rulebook.derive(PLAN)


def _build_plan(rulebook: Rulebook, generate_after: Optional[int] = None) -> _Plan:
    """The plan; its generated code is built after `generate_after` households (default
    `GENERATE_AFTER`; 0 at once, as the tests of the generated code ask)."""
    bands: dict[tuple[object, ...], int] = {}
    band_list: list[AgeBand] = []
    items: list[Item] = []
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
    every_band = [*band_list, *(e.applies.age for e in rulebook.escalations if e.applies is not None and e.applies.age)]
    after = GENERATE_AFTER if generate_after is None else generate_after
    return _Plan(tuple(band_list), {}, _Passes(items, after), tuple(every_band))


GENERATE_AFTER = 4
"""Households a rulebook evaluates through its conditions' closures before its generated code is
built. Compiling the generated source of a shipped rulebook costs 30-50 ms of CPU, more than a
fresh `needs assess` spends evaluating its one household through the closures, while a batch,
a scenario run or the service evaluates thousands, where the generated code is the faster way
(issue 16 sections 2-4). Both ways decide every descriptor alike (tests/unit/test_evaluation_paths.py
compares them, and the engine's output is the same whichever ran)."""

PLAN: Derivation[_Plan] = Derivation("evaluation plan", _build_plan)
"""The plan, built on a rulebook's first evaluation (its generated code later, `GENERATE_AFTER`)."""


Item = tuple[Descriptor, int, bool]
"""A descriptor of the plan: itself, the index of its age band (-1: none), whether it reads no child fact."""


class _Passes:
    """The household pass and the child pass of `generated.Passes`, through the closures of each
    condition for a rulebook's first `after` households, then through the generated code."""

    def __init__(self, items: list[Item], after: int) -> None:
        self.items = items
        self.after = after
        self.households = 0
        self.generated: Optional[Passes] = None
        self.household_only = tuple(d.applies.condition.fast for d, _, household_only in items if household_only)
        if after <= 0:
            self.generated = generate(items)

    def household_pass(self, env: Env) -> tuple[Any, ...]:
        """The values of the conditions that read no fact of a child, in plan order (once per household)."""
        if self.generated is None:
            self.households += 1
            if self.households > self.after:
                self.generated = generate(self.items)
        if self.generated is not None:
            return self.generated.household_pass(env)
        return tuple(fast(env) for fast in self.household_only)

    def child_pass(
        self, env: Env, in_band: list[Truth], shared: tuple[Any, ...], fired: list[Descriptor], unknown: list[Descriptor]
    ) -> None:
        """Append to `fired` and `unknown`, in rulebook order, what `Applicable.fast` decides of each descriptor."""
        if self.generated is not None:
            self.generated.child_pass(env, in_band, shared, fired, unknown)
            return
        position = 0
        for descriptor, band, household_only in self.items:
            inside: Truth = True if band < 0 else in_band[band]
            if inside is False:
                if household_only:
                    position += 1
                continue
            if household_only:
                value = shared[position]
                position += 1
            else:
                value = descriptor.applies.condition.fast(env)
            if value is True:
                (fired if inside is True else unknown).append(descriptor)
            elif value is None:
                unknown.append(descriptor)


def evaluate_child(
    child: Child, household: Household, rulebook: Rulebook, *, shared: Optional[dict[str, Any]] = None
) -> ChildResult:
    """Evaluate every descriptor and rule of `rulebook` for one child of `household`.

    `shared`, a dict kept across the children of one household, lets conditions that read no
    child fact be evaluated once per household. A child whose age is a span is evaluated at one
    age for each part of the span the rulebook's age bands tell apart: age is one unknown, so
    `level` is the lowest of those levels and `possible_level` the highest (Semantics 11).
    """
    if shared is None:
        shared = {}
    env = Env(child, household)
    stated = child.stated_age_span()
    plan = _plan(rulebook)
    ages = [] if stated.exact else plan.ages_to_try(stated)
    if len(ages) <= 1:
        exact = child.at_age(ages[0]) if ages else child
        return _evaluate(child, Env(exact.with_inapplicable_as_no_concern(), household), rulebook, plan, shared)
    # The recorded facts may rule some of the stated ages out (a school attendance figure, a
    # born child): the level is the lowest over the ages still possible, the possible level the
    # highest over every stated age, so recording a concern can never lower either.
    span = env.span
    results = [
        _evaluate(child, Env(child.at_age(age).with_inapplicable_as_no_concern(), household), rulebook, plan, shared)
        for age in ages
    ]
    parts = _parts(ages, stated)
    possible_ages = [r for part, r in zip(parts, results, strict=True) if _within(part, span)] or results
    lowest = min(possible_ages, key=lambda r: r.known.level.rank)
    highest = max(results, key=lambda r: r.possible.level.rank)
    fired_ids = {d.id for d in lowest.fired}
    unknown: dict[str, Descriptor] = {}
    for result in results:
        for descriptor in (*result.fired, *result.unknown):
            if descriptor.id not in fired_ids:
                unknown.setdefault(descriptor.id, descriptor)
    cases = _age_cases(parts, results)
    return ChildResult(
        child,
        lowest.env,
        lowest.fired,
        tuple(sorted(unknown.values(), key=lambda d: d.id)),
        lowest.escalation_truth,
        lowest.mitigations,
        lowest.known,
        highest.possible,
        cases,
    )


Part = tuple[Optional[int], Optional[int]]
"""A part of a span of ages: from and to months, inclusive ((None, None): unborn)."""


def _parts(ages: list[Optional[int]], stated: AgeSpan) -> list[Part]:
    """The part of `stated` each age tried stands for: from it to the month before the next."""
    born = [age for age in ages if age is not None]
    ends = [following - 1 for following in born[1:]] + [stated.high]
    return ([(None, None)] if None in ages else []) + list(zip(born, ends, strict=True))


def _within(part: Part, span: AgeSpan) -> bool:
    """Whether a part of a span of ages meets `span`."""
    low, high = part
    if low is None or high is None:
        return span.may_be_unborn
    return span.may_be_born and low <= span.high and high >= span.low


def _age_cases(parts: list[Part], results: list[ChildResult]) -> tuple[AgeCase, ...]:
    """The levels over each part, neighbouring born parts with the same levels joined."""
    cases: list[AgeCase] = []
    for (low, high), result in zip(parts, results, strict=True):
        case = AgeCase(low, high, result.known.level, result.possible.level)
        previous = cases[-1] if cases else None
        alike = previous is not None and (previous.level, previous.possible_level) == (case.level, case.possible_level)
        if alike and previous is not None and previous.low is not None and low is not None:
            cases[-1] = AgeCase(previous.low, high, case.level, case.possible_level)
        else:
            cases.append(case)
    return tuple(cases)


def _evaluate(child: Child, env: Env, rulebook: Rulebook, plan: _Plan, shared: dict[str, Any]) -> ChildResult:
    """Every descriptor and rule for the child of `env`, at the one age (or span) `env` holds."""
    fired: list[Descriptor] = []
    unknown: list[Descriptor] = []
    in_band = plan.bands_for(env.span)
    household_values = shared.get("descriptors")
    if household_values is None:
        household_values = shared["descriptors"] = plan.passes.household_pass(env)
    plan.passes.child_pass(env, in_band, household_values, fired, unknown)
    escalation_truth = {e.id: _applies(e.applies, env, shared) for e in rulebook.escalations if e.applies is not None}
    mitigations = tuple(m for m in rulebook.mitigations if _once(m.condition, env, shared) is True)
    known = outcome(fired, escalation_truth, mitigations, rulebook, possible=False)
    # Nothing unknown: the worst case is what is known (`possible` only adds unknowns).
    if unknown or None in escalation_truth.values():
        possible = outcome([*fired, *unknown], escalation_truth, mitigations, rulebook, possible=True)
    else:
        possible = known
    return ChildResult(child, env, tuple(fired), tuple(unknown), escalation_truth, mitigations, known, possible)


def by_level(descriptors: Iterable[Descriptor]) -> list[Descriptor]:
    """Descriptors highest level first, then by id: the order assessments and explanations report them in."""
    return sorted(descriptors, key=lambda d: (-d.level.rank, d.id))


def escalations_by_level(escalations: Iterable[Escalation]) -> list[Escalation]:
    """Escalations highest level first, then by id: the order assessments and explanations report them in."""
    return sorted(escalations, key=lambda e: (-e.to.rank, e.id))


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
    return within(applicable.age, env, lambda bound: _once(applicable.condition, bound, shared))


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
    """The level made by `fired`. With `possible`, escalations whose condition is unknown apply.

    A mitigation lowers only what it names, by one step, only from the levels it lists, never
    from Safeguarding, never below a floor, and never while a never-mitigable concern has fired
    (Semantics 5 and 13)."""
    fired = list(fired)
    top = 0
    for descriptor in fired:
        rank = descriptor.level._rank
        if rank > top:
            top = rank
    applied = []
    rungs: Optional[Iterable[Descriptor]] = None
    for escalation, to, count in rulebook.tables.raising:
        if count is not None:
            if rungs is None:
                rungs = _top_rungs(fired).values()
            triggered = _count_met(rungs, count)
        else:
            truth = escalation_truth.get(escalation.id)
            triggered = truth is True or (possible and truth is None)
        if triggered:
            applied.append(escalation)
            if to > top:
                top = to
    level = LEVELS[top]
    if not mitigations or level is Level.safeguarding or level is Level.universal:
        return Outcome(level, tuple(applied), None, level)
    if any(d.never_mitigable for d in fired) or any(e.never_mitigable for e in applied):
        return Outcome(level, tuple(applied), None, level)
    for mitigation in mitigations:
        if level not in mitigation.lowers_from:
            continue
        lowered = _lowered(level, fired, applied, mitigation)
        if lowered < level:
            return Outcome(lowered, tuple(applied), mitigation, level)
    return Outcome(level, tuple(applied), None, level)


def _lowered(level: Level, fired: list[Descriptor], applied: list[Escalation], mitigation: Mitigation) -> Level:
    """The level when `mitigation` lowers what it names one step and everything else stands."""
    named = mitigation.lowers
    standing = [d.level for d in fired if d.floor or d.id not in named]
    standing += [e.to for e in applied if e.id not in named]
    return max([level.step(-1), *standing])


def folded_rungs(
    fired: Iterable[Descriptor],
    *,
    ordered: Optional[list[Descriptor]] = None,
    top: Optional[dict[str, Descriptor]] = None,
) -> list[tuple[Descriptor, list[Descriptor]]]:
    """Each need once, as its highest fired rung with the lower rungs that fired too, in report order
    (Semantics 12: explanations show the highest rung; the lower ones are folded into it).
    `ordered` (`by_level(fired)`) and `top` (`top_rungs(fired)`), when a caller has them already."""
    fired = list(fired)
    top = _top_rungs(fired) if top is None else top
    below: dict[str, list[Descriptor]] = {}
    heads = []
    for descriptor in by_level(fired) if ordered is None else ordered:
        if top[descriptor.need] is descriptor:
            heads.append(descriptor)
        else:
            below.setdefault(descriptor.need, []).append(descriptor)
    # The highest rungs in report order: a sorted list's subset keeps its order.
    return [(d, below.get(d.need, [])) for d in heads]


def if_confirmed(result: ChildResult, rulebook: Rulebook) -> list[tuple[Mitigation, list[str], Level]]:
    """Declared mitigations whose strengths are unknown and would lower the level if confirmed.

    An unknown strength never mitigates (Semantics 7); this says what confirming it would do."""
    found = []
    for mitigation in rulebook.mitigations:
        if mitigation in result.mitigations or mitigation.condition.fast(result.env) is not None:
            continue
        made = outcome(result.fired, result.escalation_truth, (mitigation,), rulebook, possible=False)
        if made.level < result.known.level and made.mitigation is mitigation:
            unknown = [read.spec.dotted for read in mitigation.condition.trace(result.env)[1] if read.value is None]
            found.append((mitigation, sorted(dict.fromkeys(unknown)), made.level))
    return found


def _top_rungs(fired: Iterable[Descriptor]) -> dict[str, Descriptor]:
    """The highest fired rung of each need (a descriptor on its own is a need of one rung)."""
    top: dict[str, Descriptor] = {}
    for descriptor in fired:
        held = top.get(descriptor.need)
        if held is None:
            top[descriptor.need] = descriptor
            continue
        rank, held_rank = descriptor.level._rank, held.level._rank
        if rank > held_rank or (rank == held_rank and descriptor.rung > held.rung):
            top[descriptor.need] = descriptor
    return top


def _count_met(top_rungs: Iterable[Descriptor], rule: DescriptorCount) -> bool:
    """Whether enough needs (each once, at its highest fired rung: `top_rungs`, found once for
    every count escalation), in enough domains, reach the rule's level."""
    if rule.min_count <= 0 and rule.min_domains <= 0:
        return True
    least = rule.min_level._rank
    counted = 0
    domains: set[str] = set()
    for descriptor in top_rungs:
        if descriptor.level._rank >= least:
            counted += 1
            domains.add(descriptor.domain)
            if counted >= rule.min_count and len(domains) >= rule.min_domains:
                return True
    return False


def counted_by(fired: Iterable[Descriptor], escalation: Escalation, *, top: Optional[dict[str, Descriptor]] = None) -> list[str]:
    """The needs a count escalation counted, each by the id of its highest fired rung (for explanations);
    `top` is `top_rungs(fired)` when a caller has it already."""
    rule = escalation.count
    if rule is None:
        return []
    top = _top_rungs(fired) if top is None else top
    return sorted(d.id for d in top.values() if d.level >= rule.min_level)


def top_rungs(fired: Iterable[Descriptor]) -> dict[str, Descriptor]:
    """The highest fired rung of each need, by need: what `folded_rungs` and `counted_by` both start from."""
    return _top_rungs(fired)


def household_levels(household: Household, rulebook: Rulebook) -> dict[str, tuple[Level, Level]]:
    """Level and possible level per child id, without building explanations (the fast path)."""
    shared: dict[str, Any] = {}
    return {
        child.id: (result.known.level, result.possible.level)
        for child in household.children
        for result in (evaluate_child(child, household, rulebook, shared=shared),)
    }


def child_tier(result: ChildResult, rulebook: Rulebook) -> Tier:
    """The response a child's assessment calls for: the highest tier of what fired (descriptors, red
    flags, escalations), moved into the tiers the child's level covers, since a mitigation may have
    lowered the level below what fired; universal when nothing fired."""
    fired = [*(d.tier for d in result.fired), *(e.tier for e in result.known.escalations)]
    return rulebook.tier_map.clamp(max(fired, default=Tier.universal), result.known.level)


@dataclass(frozen=True)
class ChildScreening:
    """One child's levels, tier and fired descriptor ids: what a batch re-screen needs, nothing more."""

    child_id: str
    level: Level
    possible_level: Level
    fired: tuple[str, ...]
    """Fired descriptor ids, highest level first, then by id (the order of an assessment)."""
    tier: Tier = Tier.universal
    """The child's response tier, as `child_tier` gives it."""


def screen_household(household: Household, rulebook: Rulebook) -> list[ChildScreening]:
    """Levels and fired ids per child, in child id order, without explanations or questions.

    Gives exactly the levels `assess` gives (no override), for a fraction of the work.
    """
    screened = []
    shared: dict[str, Any] = {}
    for child in sorted(household.children, key=lambda c: c.id):
        result = evaluate_child(child, household, rulebook, shared=shared)
        fired = tuple(d.id for d in by_level(result.fired))
        screened.append(ChildScreening(child.id, result.known.level, result.possible.level, fired, child_tier(result, rulebook)))
    return screened
