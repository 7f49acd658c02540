"""Counterfactuals and near misses: what would move a child's level, found by a bounded search.

The search is breadth-first by the number of facts changed (1, then 2, up to `max_changes`), so
the first sets found are the smallest; within a size, sets that change only known facts come
first, then by subject and fact name, so the order is deterministic. Candidate values come from
the catalogue (every value of a graded scale, yes/no for flags, and for numbers the boundary
constants the rulebook's conditions compare them with, and one either side). Only facts that can
matter are tried: to go down, the facts the fired descriptors, applied escalations and possible
mitigations read; to go up, the facts read by descriptors and escalations that did not apply.
A size limit (`budget`, combinations evaluated) bounds the work, and the result says when the
search stopped at the limit rather than running out of candidates.

Each candidate is checked by re-evaluating only the rules that read a changed fact and
recombining with the engine's own `outcome`, so the level is the engine's level; the tests
re-assess every reported counterfactual from scratch to prove it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Optional

from ..engine.evaluate import ChildResult, outcome
from ..language.compile import Condition, Env
from ..language.logic import Truth
from ..language.tree import NumberTest
from ..model.catalogue import FactSpec
from ..model.facts import Ordinal
from ..model.levels import Level
from ..model.situation import Household
from ..plural import plural
from ..rulebook.book import Derivation, Rulebook
from .addresses import Address, apply_changes, plain_value
from .results import Counterfactual, CounterfactualSearch, FactChange, NearMiss
from .words import change_clause, subject_name

Direction = Literal["down", "up"]
MAX_CHANGES = 3
BUDGET = 4000
LISTED = 5
# A number this close to a threshold is "nearly" over it: a percentage point band for
# measures such as attendance, the next whole count for counts and scores.
NEAR_FRACTION = 0.05


# --- the rulebook's indexes (built once per rulebook, kept on it) --------------------------------


@dataclass(frozen=True)
class _Index:
    readers: dict[str, frozenset[int]]
    """For each fact, the positions of the descriptors whose condition reads it."""
    escalation_readers: dict[str, frozenset[str]]
    """For each fact, the ids of the condition escalations that read it."""
    constants: dict[str, tuple[float, ...]]
    """For each number fact, the numbers the conditions compare it with, ascending."""


def _build_index(book: Rulebook) -> _Index:
    readers: dict[str, set[int]] = {}
    for position, descriptor in enumerate(book.descriptors):
        for dotted in descriptor.applies.condition.facts:
            readers.setdefault(dotted, set()).add(position)
    escalation_readers: dict[str, set[str]] = {}
    for escalation in book.escalations:
        if escalation.applies is not None:
            for dotted in escalation.applies.condition.facts:
                escalation_readers.setdefault(dotted, set()).add(escalation.id)
    conditions = [d.applies.condition for d in book.descriptors]
    conditions += [e.applies.condition for e in book.escalations if e.applies is not None]
    return _Index(
        readers={k: frozenset(v) for k, v in readers.items()},
        escalation_readers={k: frozenset(v) for k, v in escalation_readers.items()},
        constants=_numeric_constants(conditions),
    )


INDEX: Derivation[_Index] = Derivation("counterfactual index", _build_index)
"""Built by the first search on a rulebook: only `needs explain` and what-if searches need it."""


def _numeric_constants(conditions: Iterable[Condition]) -> dict[str, tuple[float, ...]]:
    """Every number a condition compares a numeric fact with, by fact name (siblings' as `child.…`)."""
    found: dict[str, set[float]] = {}
    for condition in conditions:
        for leaf in condition.leaves:
            if isinstance(leaf, NumberTest):
                found.setdefault(leaf.fact, set()).add(leaf.bound)
    return {name: tuple(sorted(values)) for name, values in found.items()}


# --- evaluating one child under changes ------------------------------------------------------


class Probe:
    """One child's level under fact changes, re-evaluating only the rules that read them.

    Starts from the child's evaluation (`result`, of `household` under `book`): each descriptor's
    value there is True if it fired, None if unknown, else False, as `applies.fast` decides it.
    """

    def __init__(self, result: ChildResult, household: Household, book: Rulebook) -> None:
        self.household, self.child_id, self.book = household, result.child.id, book
        self.index = book.derive(INDEX)
        fired, unknown = {d.id for d in result.fired}, {d.id for d in result.unknown}
        self.truth: list[Truth] = [True if d.id in fired else None if d.id in unknown else False for d in book.descriptors]
        self.escalation_truth = dict(result.escalation_truth)
        self.evaluated = 0

    def env(self, household: Household) -> Env:
        child = next(c for c in household.children if c.id == self.child_id)
        return Env(child, household)

    def level(self, changes: dict[Address, Any]) -> Level:
        self.evaluated += 1
        household = apply_changes(self.household, changes)
        env = self.env(household)
        dotted = {address.dotted for address in changes}
        affected = frozenset().union(*(self.index.readers.get(d, frozenset()) for d in dotted))
        fired = [
            descriptor
            for position, descriptor in enumerate(self.book.descriptors)
            if (descriptor.applies.fast(env) if position in affected else self.truth[position]) is True
        ]
        rules = frozenset().union(*(self.index.escalation_readers.get(d, frozenset()) for d in dotted))
        escalation_truth = dict(self.escalation_truth)
        for escalation in self.book.escalations:
            if escalation.id in rules and escalation.applies is not None:
                escalation_truth[escalation.id] = escalation.applies.fast(env)
        mitigations = tuple(m for m in self.book.mitigations if m.condition.fast(env) is True)
        return outcome(fired, escalation_truth, mitigations, self.book, possible=False).level

    def fires(self, descriptor_position: int, changes: dict[Address, Any]) -> bool:
        self.evaluated += 1
        env = self.env(apply_changes(self.household, changes))
        return self.book.descriptors[descriptor_position].applies.fast(env) is True


# --- candidate values ------------------------------------------------------------------------


def candidates(spec: FactSpec, current: Any, direction: Direction, constants: tuple[float, ...]) -> list[Any]:
    """Values to try for one fact, nearest to the current value first (least worrying first if unknown).

    `down` tries only values that are less worrying (or a strength being present), `up` only more
    worrying ones (or a strength being absent): by the engine's monotonicity nothing else can move
    the level that way. An unknown concern can only be learned upwards.
    """
    if spec.direction == "none" or spec.path == ("unborn",):
        return []
    if spec.kind == "flag":
        worse = spec.direction != "strength"
        wanted = (not worse) if direction == "down" else worse
        if direction == "down" and current is None and spec.direction != "strength":
            return []
        return [] if current is wanted else [wanted]
    if spec.kind == "ordinal" and spec.choices is not None and issubclass(spec.choices, Ordinal):
        members = list(spec.choices)
        if current is None:
            return members if direction == "up" else []
        rank = current.rank
        if direction == "down":
            return [m for m in reversed(members) if m.rank < rank]
        return [m for m in members if m.rank > rank]
    if spec.kind == "number":
        return _number_candidates(spec, current, direction, constants)
    return []


def _number_candidates(spec: FactSpec, current: Any, direction: Direction, constants: tuple[float, ...]) -> list[Any]:
    values: set[float] = set()
    for constant in constants:
        values.update((constant - 1, constant, constant + 1))
    low, high = spec.minimum, spec.maximum
    kept = sorted({int(v) if spec.integer else v for v in values if (low is None or v >= low) and (high is None or v <= high)})
    higher_worse = spec.direction == "higher_is_worse"
    if current is None:
        if direction == "down":
            return []
        return kept if higher_worse else list(reversed(kept))
    if (direction == "up") == higher_worse:
        return [v for v in kept if v > current]
    return [v for v in reversed(kept) if v < current]


# --- the searches ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Option:
    address: Address
    current: Any
    values: tuple[Any, ...]


def _options(addresses: Iterable[Address], household: Household, direction: Direction, book: Rulebook) -> list[_Option]:
    constants = book.derive(INDEX).constants
    options = []
    for address in sorted(set(addresses)):
        current = address.get(household)
        values = candidates(address.spec, current, direction, constants.get(address.dotted, ()))
        if values:
            options.append(_Option(address, current, tuple(values)))
    # Known facts first: changing what we know is the plainer counterfactual.
    return sorted(options, key=lambda o: (o.current is None, o.address))


def relevant_addresses(result: ChildResult, book: Rulebook, direction: Direction, target: Level) -> list[Address]:
    """The facts whose change could move this child's level in `direction`."""
    env = result.env
    found: list[Address] = []
    if direction == "down":
        for descriptor in result.fired:
            found += [Address.of(r) for r in descriptor.applies.trace(env)[1]]
        for escalation in result.known.escalations:
            if escalation.applies is not None:
                found += [Address.of(r) for r in escalation.applies.trace(env)[1]]
        for mitigation in book.mitigations:
            found += [Address("household", dotted) for dotted in sorted(mitigation.condition.facts)]
        return found
    fired = set(result.fired)
    for descriptor in book.descriptors:
        if descriptor not in fired and Level.early_help <= descriptor.level <= target:
            found += [Address.of(r) for r in descriptor.applies.trace(env)[1]]
    for escalation in book.escalations:
        truth = result.escalation_truth.get(escalation.id)
        if escalation.applies is not None and truth is not True and escalation.to <= target:
            found += [Address.of(r) for r in escalation.applies.trace(env)[1]]
    if result.known.mitigation is not None:
        found += [Address("household", dotted) for dotted in sorted(result.known.mitigation.condition.facts)]
    return found


def search(
    result: ChildResult,
    household: Household,
    book: Rulebook,
    direction: Direction,
    *,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
    listed: int = LISTED,
) -> CounterfactualSearch:
    """The smallest sets of fact changes that move the child's level `direction` (one step exactly listed first)."""
    level = result.known.level
    target = level.step(-1 if direction == "down" else 1)
    if target == level:
        end = "lowest" if direction == "down" else "highest"
        return CounterfactualSearch(
            direction=direction,
            target=None,
            found=[],
            changes_needed=None,
            max_changes=max_changes,
            combinations_tried=0,
            stopped_at_limit=False,
            note=f"{book.levels[level].label} is already the {end} level.",
        )
    found = smallest_changes(
        result, household, book, direction, target, exact=False, max_changes=max_changes, budget=budget, listed=listed
    )
    return CounterfactualSearch(
        direction=direction,
        target=target,
        found=found.sets,
        more=found.more,
        changes_needed=found.size,
        max_changes=max_changes,
        combinations_tried=found.tried,
        stopped_at_limit=found.stopped,
        note=_note(result, book, direction, found.size is not None, max_changes, found.stopped),
    )


@dataclass(frozen=True)
class Found:
    """What one bounded search found: the first `listed` of the smallest sets, and how many more."""

    sets: list[Counterfactual]
    more: int
    size: Optional[int]
    tried: int
    stopped: bool


def smallest_changes(
    result: ChildResult,
    household: Household,
    book: Rulebook,
    direction: Direction,
    target: Level,
    *,
    exact: bool,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
    listed: int = LISTED,
) -> Found:
    """The smallest sets of fact changes that move the child `direction`, towards `target`.

    With `exact`, a set counts only if it lands on `target` itself (what "what would make this
    Safeguarding?" asks); without it, any move in `direction` counts and those landing on
    `target` are listed first (the one-step search).
    """
    level = result.known.level
    probe = Probe(result, household, book)
    options = _options(relevant_addresses(result, book, direction, target), household, direction, book)

    def wanted(reached: Level) -> bool:
        if exact:
            return reached == target
        return (reached < level) if direction == "down" else (reached > level)

    found: list[tuple[dict[Address, Any], Level]] = []
    stopped = False
    size = 0
    for size in range(1, max_changes + 1):
        for combo in itertools.combinations(options, size):
            # Beyond single changes, try each fact's nearest and furthest values only.
            choices = [o.values if size == 1 else tuple(dict.fromkeys((o.values[0], o.values[-1]))) for o in combo]
            for values in itertools.product(*choices):
                if probe.evaluated >= budget:
                    stopped = True
                    break
                changes = {o.address: v for o, v in zip(combo, values, strict=True)}
                reached = probe.level(changes)
                if wanted(reached):
                    found.append((changes, reached))
                    break
            if stopped:
                break
        if found or stopped:
            break
    # On the target first, then sets that change only known facts, then by subject and fact.
    chosen = sorted(found, key=lambda f: (f[1] != target, sum(a.get(household) is None for a in f[0]), sorted(f[0])))
    return Found(
        sets=[_counterfactual(c, household, result, reached, book) for c, reached in chosen[:listed]],
        more=max(0, len(chosen) - listed),
        size=size if found else None,
        tried=probe.evaluated,
        stopped=stopped,
    )


def _note(
    result: ChildResult, book: Rulebook, direction: Direction, found: bool, max_changes: int, stopped: bool
) -> Optional[str]:
    parts = [red_flag_note(result)] if direction == "down" else []
    if not found:
        limit = " (the search stopped at its size limit)" if stopped else ""
        parts.append(f"None found within {plural(max_changes, 'change')}{limit}.")
    return " ".join(p for p in parts if p) or None


def red_flag_note(result: ChildResult) -> Optional[str]:
    """What any search downwards must say first when a red flag fired: nothing lowers it."""
    flags = [d.id for d in result.fired if d.red_flag]
    if not flags:
        return None
    return (
        f"A red flag ({', '.join(sorted(flags))}) forces Safeguarding: no strength or mitigation can lower it. "
        "Any change below alters the red-flag facts themselves, which describes a different situation; "
        "it is not a way to reduce the concern."
    )


def fact_change(address: Address, before: Any, after: Any, household: Household) -> FactChange:
    spec = address.spec
    return FactChange(
        subject=address.subject,
        fact=address.dotted,
        path=address.path,
        before=plain_value(before),
        after=plain_value(after),
        learned=before is None,
        words=change_clause(address.subject, spec, before, after, household),
    )


def _counterfactual(
    changes: dict[Address, Any], household: Household, result: ChildResult, reached: Level, book: Rulebook
) -> Counterfactual:
    items = [fact_change(a, a.get(household), v, household) for a, v in sorted(changes.items())]
    who = subject_name(f"child:{result.child.id}", household)
    clauses: list[str] = []
    for item in items:
        # "we learned that A and that B", not "we learned that A and we learned that B".
        learned_before = bool(clauses) and clauses[-1].startswith(("we learned", "that "))
        clauses.append(item.words.replace("we learned that", "that", 1) if learned_before else item.words)
    opener = "If " + " and ".join(clauses)
    sentence = f"{opener}, {who} would be {book.levels[reached].label} instead of {book.levels[result.known.level].label}."
    return Counterfactual(changes=items, from_level=result.known.level, to_level=reached, sentence=sentence)


# --- near misses -----------------------------------------------------------------------------


def near_misses(result: ChildResult, household: Household, book: Rulebook) -> list[NearMiss]:
    """Descriptors at or above the child's level that are false now but one small change from firing.

    "Small" means: the descriptor reads several facts and only one of them stops it firing, or
    the fact that stops it is already some concern and a step from its threshold (the next value
    of a graded scale, the next whole count, or within 5% of a measure's range).
    """
    probe = Probe(result, household, book)
    constants = book.derive(INDEX).constants
    level = result.known.level
    misses = []
    for position, descriptor in enumerate(book.descriptors):
        if probe.truth[position] is not False or descriptor.level < max(level, Level.early_help):
            continue
        blocking = list(dict.fromkeys(Address.of(read) for read in descriptor.applies.trace(probe.env(household))[1]))
        # All but one part of a compound condition already holds: only that part blocks it.
        compound = len(descriptor.applies.condition.facts) > 1 and len(blocking) == 1
        for address in blocking:
            current = address.get(household)
            if current is None:
                continue
            values = candidates(address.spec, current, "up", constants.get(address.dotted, ()))
            hit = next((v for v in values if probe.fires(position, {address: v})), None)
            if hit is None or not (compound or _small_step(address.spec, current, hit)):
                continue
            misses.append(
                NearMiss(
                    id=descriptor.id,
                    level=descriptor.level,
                    label=book.levels[descriptor.level].label,
                    text=descriptor.text,
                    change=fact_change(address, current, hit, household),
                    level_after=probe.level({address: hit}),
                )
            )
            break
    return sorted(misses, key=lambda m: (-m.level.rank, m.id))


def _small_step(spec: FactSpec, current: Any, value: Any) -> bool:
    """A step from a threshold, from a value that is already some concern (a first concern is not "nearly")."""
    if spec.kind == "ordinal":
        now: int = current.rank
        then: int = value.rank
        return now > 0 and abs(then - now) == 1
    if spec.kind == "number":
        step: float = abs(value - current)
        if spec.integer:
            return step <= 1 and (current > 0 or spec.direction != "higher_is_worse")
        span = (spec.maximum or 100) - (spec.minimum or 0)
        return step <= span * NEAR_FRACTION
    return False
