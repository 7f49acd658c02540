"""Search any rulebook for breaches of the DESIGN.md invariants, and show the smallest one found.

The invariants are the engine's promises to a screener: worsening a concern never lowers a
level, adding a child never lowers one, adding a strength never raises one, `level <=
possible_level` and resolving an unknown lands between them, red flags give Safeguarding, the
family is the highest child, and input order never changes the result. The engine keeps them
for every rulebook that is *written monotonically*; this module checks an author's rulebook does.

Situations come from the same strategies the property tests use (`strategies.py`). Worsening is a
sweep, not a random step: every concern fact the rulebook reads is walked from its least to its
most worrying value through every threshold the rulebook compares it with (one step either side),
because a single flipped comparison shows only at its own threshold. When hypothesis finds a
breach it shrinks the situation; the pair is then pruned fact by fact (every fact whose removal
keeps the breach goes), so the counterexample shows only the facts that matter.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Optional

from hypothesis import HealthCheck, Phase, Verbosity, event, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from pydantic import ValidationError

from ..engine.assess import assess
from ..engine.evaluate import ChildResult, evaluate_child, household_levels
from ..language.compile import Condition, Env, Leaf
from ..model.ages import MAX_AGE_MONTHS, AgeSpan, applies_span
from ..model.catalogue import FactSpec
from ..model.levels import Level
from ..model.situation import AGE_FIELDS, Situation
from ..rulebook.book import Rulebook
from ..rulebook.parts import in_age_band
from .satisfy import candidates, thresholds
from .strategies import approximate_ages, child_span, children, entity_path, get, places, put, situations

DEFAULT_EXAMPLES = 25
SHRINK_SECONDS = 10
"""After a breach is found, how long hypothesis may shrink it; the smallest so far is then pruned fact by fact."""
FAMILY = "<family>"
Levels = tuple[dict[str, Level], dict[str, Level]]


@dataclass(frozen=True)
class Counterexample:
    """A breach: the situation(s), what changed, whose level moved and how."""

    message: str
    before: dict[str, Any]
    after: Optional[dict[str, Any]] = None
    change: Optional[str] = None
    subject: Optional[str] = None
    measure: Optional[str] = None
    level_before: Optional[str] = None
    level_after: Optional[str] = None


@dataclass(frozen=True)
class InvariantResult:
    """One invariant's verdict: held over `examples` situations, or broken by `counterexample`."""

    id: str
    text: str
    examples: int
    seconds: float
    counterexample: Optional[Counterexample] = None
    crash: Optional[str] = None
    branch_runs: Optional[int] = None
    """Of `examples`, how many reached the invariant's interesting branch (None: it has none to count)."""

    @property
    def passed(self) -> bool:
        return self.counterexample is None and self.crash is None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.id, "text": self.text, "passed": self.passed, "examples": self.examples}
        result["seconds"] = round(self.seconds, 2)
        if self.branch_runs is not None:
            result["branch_runs"] = self.branch_runs
        if self.counterexample is not None:
            result["counterexample"] = self.counterexample.__dict__
        if self.crash is not None:
            result["crash"] = self.crash
        return result


Explain = Callable[[dict[str, Any], Optional[dict[str, Any]]], Optional[Counterexample]]


class Violation(AssertionError):
    """Raised inside a hypothesis example; `explain` re-judges a (pruned) pair the same way."""

    def __init__(self, explain: Explain, before: dict[str, Any], after: Optional[dict[str, Any]], keep: tuple[Any, ...] = ()):
        found = explain(before, after)
        super().__init__(found.message if found else "invariant broken")
        self.explain, self.before, self.after, self.keep = explain, before, after, keep


# --- the rulebook under test -------------------------------------------------------------------


class Probe:
    """A rulebook, the facts its conditions read and the thresholds they compare them with."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        conditions = [d.applies.condition for d in rulebook.descriptors]
        conditions += [e.applies.condition for e in rulebook.escalations if e.applies is not None]
        conditions += [m.condition for m in rulebook.mitigations]
        self.thresholds = thresholds(conditions)
        self.bands = [d.age for d in rulebook.descriptors if d.age is not None]
        self.bands += [e.applies.age for e in rulebook.escalations if e.applies is not None and e.applies.age is not None]
        self.red_flags = [d for d in rulebook.descriptors if d.red_flag]
        self.never_mitigable = [d for d in rulebook.descriptors if d.never_mitigable and d.level < Level.safeguarding]
        self.never_mitigable = self.never_mitigable or [d for d in rulebook.descriptors if d.never_mitigable]
        self.counts = [e for e in rulebook.escalations if e.count is not None]
        self.ladders = _ladders(rulebook)
        self.mitigable = [
            (m, d) for m in rulebook.mitigations for d in rulebook.descriptors if d.id in m.lowers and d.level in m.lowers_from
        ]
        self.mitigated_strengths = sorted({f for m in rulebook.mitigations for f in m.condition.facts})

    def ages_within(self, span: AgeSpan) -> list[Optional[int]]:
        """The ages to resolve a span of ages to: unborn, and each edge of an age band inside it (one month either side)."""
        if span.exact:
            return []
        ages: list[Optional[int]] = [None] if span.may_be_unborn else []
        if span.may_be_born:
            edges = {span.low, span.high}
            for band in self.bands:
                for edge in (band.min_months, band.max_months):
                    if edge is not None:
                        edges.update((edge - 1, edge, edge + 1))
            ages.extend(sorted(m for m in edges if span.low <= m <= span.high))
        return ages

    def reads(self, spec: FactSpec) -> bool:
        """A fact no condition reads cannot move a level; sweeping it would only cost time."""
        return spec.dotted in self.thresholds

    def chain(self, spec: FactSpec) -> list[Any]:
        """Values of a fact from least to most worrying, through every threshold the rulebook uses."""
        values = candidates(spec, self.thresholds.get(spec.dotted, set()))
        if spec.kind == "number" and spec.direction == "none":
            return values
        return values[::-1]

    def levels(self, document: dict[str, Any]) -> Levels:
        household = Situation.model_validate(document).household
        per_child = household_levels(household, self.rulebook)
        known = {cid: pair[0] for cid, pair in per_child.items()}
        possible = {cid: pair[1] for cid, pair in per_child.items()}
        known[FAMILY], possible[FAMILY] = max(known.values()), max(possible.values())
        return known, possible


@dataclass(frozen=True)
class Invariant:
    """A promise searched with hypothesis: `draw` makes a case for the rulebook, `run` judges it.

    `run` raises `Violation` on a breach and returns True when the case reached the branch that
    can break the promise (`branch` says which): a property whose branch runs in few cases
    proves little, so every run counts them (`InvariantResult.branch_runs`)."""

    id: str
    text: str
    draw: Callable[[st.DataObject, Probe], Any]
    run: Callable[[Probe, Any], Optional[bool]]
    branch: str = ""


# --- comparing levels --------------------------------------------------------------------------


def _who(key: str) -> str:
    return "the family" if key == FAMILY else f"child {key}"


def _moved(probe: Probe, change: str, *, never: str) -> Explain:
    """Judge a before/after pair: no child's (or the family's) level may move the forbidden way."""

    def explain(before: dict[str, Any], after: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        assert after is not None
        new = probe.levels(after)
        moved = _first_moved(probe.levels(before), new, never=never)
        if moved is None:
            return None
        index, key, level = moved
        measure = ("level", "possible level")[index]
        return Counterexample(
            f"{change} {'lowered' if never == 'lower' else 'raised'} the {measure} of {_who(key)} "
            f"from {level.value} to {new[index][key].value}",
            before,
            after,
            change,
            _who(key),
            measure,
            level.value,
            new[index][key].value,
        )

    return explain


def _first_moved(old: Levels, new: Levels, *, never: str) -> Optional[tuple[int, str, Level]]:
    """The first level (0) or possible level (1) of a child or the family that moved the forbidden way."""
    for index in (0, 1):
        for key, level in old[index].items():
            if new[index][key] < level if never == "lower" else new[index][key] > level:
                return index, key, level
    return None


def _between(probe: Probe, change: str) -> Explain:
    def explain(before: dict[str, Any], after: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        assert after is not None
        low, high = probe.levels(before)
        outside = _first_outside((low, high), probe.levels(after))
        if outside is None:
            return None
        key, level = outside
        return Counterexample(
            f"{change} gave {_who(key)} the level {level.value}, outside its level {low[key].value} "
            f"and possible level {high[key].value} before",
            before,
            after,
            change,
            _who(key),
            "level",
            f"{low[key].value}..{high[key].value}",
            level.value,
        )

    return explain


def _first_outside(before: Levels, after: Levels) -> Optional[tuple[str, Level]]:
    """The first child (or the family) whose level after lies outside its level..possible level before."""
    low, high = before
    for key, level in after[0].items():
        if key in low and not low[key] <= level <= high[key]:
            return key, level
    return None


def describe_key(situation: dict[str, Any], key: tuple[Any, ...]) -> str:
    """`household.children[c1].education.attendance_percent`: children and carers named by id, not position."""
    parts: list[str] = []
    node: Any = situation
    for part in key:
        node = node[part] if isinstance(node, list) or (isinstance(node, dict) and part in node) else None
        if isinstance(part, int):
            parts[-1] += f"[{node['id'] if isinstance(node, dict) and 'id' in node else part}]"
        else:
            parts.append(str(part))
    return ".".join(parts)


def _change(situation: dict[str, Any], place_key: tuple[Any, ...], old: Any, new: Any) -> str:
    return f"{describe_key(situation, place_key)}: {_show(old)} -> {_show(new)}"


def _show(value: Any) -> str:
    return "unknown" if value is None else json.dumps(value)


# --- the invariants ----------------------------------------------------------------------------


def _worsening(probe: Probe, situation: dict[str, Any]) -> None:
    for place in places(situation):
        if not place.spec.is_concern or not probe.reads(place.spec):
            continue
        previous: Optional[tuple[Any, dict[str, Any], Levels]] = None
        for value in probe.chain(place.spec):
            document = put(situation, place.key, value)
            current = probe.levels(document)
            if previous is not None and _first_moved(previous[2], current, never="lower") is not None:
                old_value, old_document, _ = previous
                explain = _moved(probe, _change(situation, place.key, old_value, value), never="lower")
                raise Violation(explain, old_document, document, keep=place.key)
            previous = (value, document, current)


def _adding_child(probe: Probe, drawn: tuple[dict[str, Any], dict[str, Any]]) -> None:
    situation, extra = drawn
    bigger = put(situation, ("household", "children"), [*situation["household"]["children"], extra])
    explain = _moved(probe, f"adding child {extra['id']}", never="lower")
    if explain(situation, bigger) is not None:
        raise Violation(explain, situation, bigger, keep=("household", "children", len(situation["household"]["children"]), "id"))


def _adding_strength(probe: Probe, situation: dict[str, Any]) -> None:
    base = probe.levels(situation)
    for place in places(situation):
        old = get(situation, place.key)
        if place.spec.direction == "strength" and old is not True:
            after = put(situation, place.key, True)
            if _first_moved(base, probe.levels(after), never="raise") is not None:
                explain = _moved(probe, _change(situation, place.key, old, True), never="raise")
                raise Violation(explain, situation, after, keep=place.key)


def _level_within_possible(probe: Probe, situation: dict[str, Any]) -> None:
    def explain(before: dict[str, Any], _: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        known, possible = probe.levels(before)
        for key, level in known.items():
            if level > possible[key]:
                return Counterexample(
                    f"{_who(key)} has level {level.value} above its possible level {possible[key].value}",
                    before,
                    subject=_who(key),
                    measure="level vs possible level",
                    level_before=level.value,
                    level_after=possible[key].value,
                )
        return None

    if explain(situation, None) is not None:
        raise Violation(explain, situation, None)


def _resolution_values(probe: Probe, spec: FactSpec) -> list[Any]:
    if spec.direction == "none" and spec.kind != "number":
        return candidates(spec, set())
    return probe.chain(spec)


def _resolving(probe: Probe, situation: dict[str, Any]) -> None:
    """Every unknown concern or descriptive fact the rulebook reads, to each value through its
    thresholds. Strengths are left out: one found present may lawfully lower the level through a
    declared mitigation (`resolving-strength` states that case); ages are `resolving-age`."""
    trials: list[tuple[tuple[Any, ...], Any]] = []
    for place in places(situation):
        if place.spec.direction != "strength" and probe.reads(place.spec) and get(situation, place.key) is None:
            trials += [(place.key, value) for value in _resolution_values(probe, place.spec)]
    base = probe.levels(situation)
    for key, value in trials:
        after = put(situation, key, value)
        try:
            levels = probe.levels(after)
        except ValidationError:
            continue  # a value that cannot describe this child (Semantics 14) is not one of its unknowns
        if _first_outside(base, levels) is not None:
            explain = _between(probe, f"resolving {describe_key(situation, key)} to {_show(value)}")
            raise Violation(explain, situation, after, keep=key)


def _resolving_age(probe: Probe, situation: dict[str, Any]) -> bool:
    """Every child whose age is unknown or approximate, resolved to each age inside its span that
    an age band tells apart (each edge, one month either side) and to unborn where it may be."""
    base = probe.levels(situation)
    tried = False
    for index, child in enumerate(situation["household"]["children"]):
        for age in probe.ages_within(child_span(child)):
            fields = {"unborn_weeks": 20} if age is None else {"age_months": age}
            resolved = {key: value for key, value in child.items() if key not in AGE_FIELDS} | fields
            after = put(situation, ("household", "children", index), resolved)
            try:
                levels = probe.levels(after)
            except ValidationError:
                continue  # an age the recorded facts rule out is not one the child may be
            tried = True
            if _first_outside(base, levels) is not None:
                words = f"the age of child {child['id']} to {'unborn' if age is None else f'{age} months'}"
                raise Violation(
                    _between(probe, f"resolving {words}"), situation, after, keep=("household", "children", index, "id")
                )
    return tried


def _red_flags(probe: Probe, situation: dict[str, Any]) -> bool:
    def explain(before: dict[str, Any], _: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        household = Situation.model_validate(before).household
        for child in household.children:
            result = evaluate_child(child, household, probe.rulebook)
            flags = [d.id for d in result.fired if d.red_flag]
            if flags and result.known.level is not Level.safeguarding:
                return Counterexample(
                    f"red flag {flags[0]} fired for child {child.id} but the level is {result.known.level.value}",
                    before,
                    subject=f"child {child.id}",
                    measure="level",
                    level_before=Level.safeguarding.value,
                    level_after=result.known.level.value,
                )
        return None

    if explain(situation, None) is not None:
        raise Violation(explain, situation, None)
    household = Situation.model_validate(situation).household
    return any(d.red_flag for c in household.children for d in evaluate_child(c, household, probe.rulebook).fired)


def _family_is_max(probe: Probe, situation: dict[str, Any]) -> None:
    def explain(before: dict[str, Any], _: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        assessment = assess(before, probe.rulebook)
        highest = max(child.level for child in assessment.children)
        highest_possible = max(child.possible_level for child in assessment.children)
        if assessment.computed_level != highest or assessment.possible_level != highest_possible:
            return Counterexample(
                f"the family level is {assessment.computed_level.value} (possible {assessment.possible_level.value}) "
                f"but the highest child level is {highest.value} (possible {highest_possible.value})",
                before,
                subject="the family",
                measure="level",
                level_before=highest.value,
                level_after=assessment.computed_level.value,
            )
        return None

    if explain(situation, None) is not None:
        raise Violation(explain, situation, None)


def _order(probe: Probe, drawn: tuple[dict[str, Any], int]) -> None:
    situation, seed = drawn
    shuffled = copy.deepcopy(situation)
    shuffler = random.Random(seed)
    for key in ("children", "carers"):
        shuffler.shuffle(shuffled["household"][key])

    def explain(before: dict[str, Any], after: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        assert after is not None
        if assess(before, probe.rulebook).model_dump_json() != assess(after, probe.rulebook).model_dump_json():
            return Counterexample("the same household in another order gave a different assessment JSON", before, after)
        return None

    if explain(situation, shuffled) is not None:
        raise Violation(explain, situation, shuffled)


# --- the invariants of ages, needs and mitigations (Semantics 11-13) ----------------------------


def _ladders(rulebook: Rulebook) -> dict[str, str]:
    """Each descriptor's need, read from the rule files *and* from what it tests: descriptors that
    each test one and the same fact are rungs of one need whether or not a `need:` says so (two
    thresholds on one self-harm value are one concern, however the file groups them)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for descriptor in rulebook.descriptors:
        find(descriptor.id)
        parent[find(descriptor.id)] = find("need:" + descriptor.need)
        facts = {leaf.fact for leaf in descriptor.applies.condition.leaves}
        if len(facts) == 1:
            parent[find(descriptor.id)] = find("fact:" + facts.pop())
    return {descriptor.id: find(descriptor.id) for descriptor in rulebook.descriptors}


def _passing_value(probe: Probe, leaf: Leaf) -> Any:
    """The least worrying value of a fact that passes one test of it (None: no value does)."""
    for value in probe.chain(leaf.spec) if leaf.spec.direction != "none" else candidates(leaf.spec, set()):
        member = leaf.spec.choices(value) if leaf.spec.choices is not None else value
        if leaf.passes(member):
            return value
    return None


def _satisfied(probe: Probe, situation: dict[str, Any], condition: Condition, index: int) -> Optional[dict[str, Any]]:
    """The situation with every fact `condition` tests set so the test passes, for child `index`
    (a carer's fact on the first carer). None when the condition tests a sibling or cannot be met."""
    document = situation
    for leaf in condition.leaves:
        root = leaf.spec.root
        if root == "sibling":
            return None
        value = _passing_value(probe, leaf)
        if value is None:
            return None
        document = put(document, (*entity_path(root, index if root == "child" else 0), *leaf.spec.path), value)
    return document


def _valid(document: dict[str, Any], index: int) -> Optional[dict[str, Any]]:
    """`document`, or (if child `index`'s age and facts conflict) the same child with no age fields; None if neither is valid."""
    child = document["household"]["children"][index]
    ageless = put(document, ("household", "children", index), {k: v for k, v in child.items() if k not in AGE_FIELDS})
    for candidate in (document, ageless):
        try:
            Situation.model_validate(candidate)
            return candidate
        except ValidationError:
            continue
    return None


def _aged_in(data: st.DataObject, band: Any, child: dict[str, Any]) -> dict[str, Any]:
    """The child, its age replaced by an exact age drawn inside `band`, without the facts that
    cannot describe a child of that age (they would make the document invalid, Semantics 14)."""
    rest = {key: value for key, value in child.items() if key not in AGE_FIELDS}
    if band.unborn == "only":
        aged = rest | {"unborn_weeks": 20}
    else:
        low = band.min_months if band.min_months is not None else 0
        high = band.max_months if band.max_months is not None else MAX_AGE_MONTHS
        aged = rest | {"age_months": data.draw(st.integers(low, high), label="age in band")}
    span = child_span({key: aged[key] for key in AGE_FIELDS if key in aged})
    for section, facts in list(aged.items()):
        if isinstance(facts, dict):
            aged[section] = {
                name: value for name, value in facts.items() if not span.intersect(applies_span(f"{section}.{name}")).empty
            }
    return aged


def _with_fired(
    data: st.DataObject, probe: Probe, choices: list[Any], *, age: Any = None, max_concerns: int = 2, in_band: bool = False
) -> Any:
    """A situation whose first child meets the condition of one of `choices` (a descriptor or an
    escalation, drawn), with its age drawn from `age` (with `in_band`, an exact age inside the
    item's age band). Returns (situation, the item drawn)."""
    situation = data.draw(situations(max_concerns=max_concerns, age=age), label="situation")
    if not choices:
        return situation, None
    item = data.draw(st.sampled_from(choices), label="item")
    condition = item.applies.condition if item.applies is not None else None
    band = item.applies.age if item.applies is not None else None
    if in_band and band is not None:
        situation = put(situation, ("household", "children", 0), _aged_in(data, band, situation["household"]["children"][0]))
    satisfied = _satisfied(probe, situation, condition, 0) if condition is not None else None
    valid = _valid(satisfied, 0) if satisfied is not None else None
    return (valid, item) if valid is not None else (situation, None)


def _red_flag_any_age(probe: Probe, drawn: tuple[dict[str, Any], Any]) -> bool:
    """A red flag whose condition holds gives Safeguarding whatever the age, unless every age the
    child may be is outside the flag's band (Semantics 4 and 11)."""
    situation, flag = drawn
    if flag is None:
        return False
    household = Situation.model_validate(situation).household
    child = household.children[0]
    if flag.applies.condition.fast(Env(child, household)) is not True:
        return False
    span = child.age_span()
    if in_age_band(flag.age, span) is False:
        return False

    def explain(before: dict[str, Any], _: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        house = Situation.model_validate(before).household
        first = house.children[0]
        if flag.applies.condition.fast(Env(first, house)) is not True:
            return None
        level = evaluate_child(first, house, probe.rulebook).known.level
        if level is Level.safeguarding:
            return None
        return Counterexample(
            f"red flag {flag.id} holds for child {first.id} (age: {first.age_span().words()}) but the level is {level.value}",
            before,
            subject=f"child {first.id}",
            measure="level",
            level_before=Level.safeguarding.value,
            level_after=level.value,
        )

    if explain(situation, None) is not None:
        raise Violation(explain, situation, None, keep=("household", "children", 0, "id"))
    return not span.exact


def _strengths(situation: dict[str, Any], value: Any) -> dict[str, Any]:
    """The situation with every strength set to `value`."""
    for place in places(situation):
        if place.spec.direction == "strength":
            situation = put(situation, place.key, value)
    return situation


def _never_mitigable_fired(probe: Probe, situation: dict[str, Any]) -> dict[str, tuple[str, Level]]:
    """Per child id: a never-mitigable descriptor or escalation that fired, and the child's level."""
    household = Situation.model_validate(situation).household
    found = {}
    for child in household.children:
        result = evaluate_child(child, household, probe.rulebook)
        items = [d.id for d in result.fired if d.never_mitigable]
        items += [e.id for e in result.known.escalations if e.never_mitigable]
        if items:
            found[child.id] = (items[0], result.known.level)
    return found


def _strengths_never_lower_never_mitigable(probe: Probe, drawn: tuple[dict[str, Any], Any]) -> bool:
    """Every strength present never lowers a child once a never-mitigable concern fired (Semantics 13)."""
    situation = _strengths(drawn[0], False)
    strong = _strengths(situation, True)
    fired = _never_mitigable_fired(probe, situation)
    before, after = probe.levels(situation)[0], probe.levels(strong)[0]
    for child_id, (item, level) in fired.items():
        if after[child_id] < level:

            def explain(old: dict[str, Any], new: Optional[dict[str, Any]], item: str = item) -> Optional[Counterexample]:
                assert new is not None
                was, now = probe.levels(old)[0], probe.levels(new)[0]
                for key, (_, level) in _never_mitigable_fired(probe, old).items():
                    if now[key] < was[key]:
                        return Counterexample(
                            f"strengths lowered {_who(key)} from {level.value} to {now[key].value} "
                            f"although {item}, which no strength may lower, fired",
                            old,
                            new,
                            "every strength: false -> true",
                            _who(key),
                            "level",
                            was[key].value,
                            now[key].value,
                        )
                return None

            raise Violation(explain, situation, strong)
    return any(level < Level.safeguarding for _, level in fired.values()) and bool(before)


def _count_violation(probe: Probe, document: dict[str, Any]) -> Optional[tuple[str, str, list[str]]]:
    """A count escalation applied although fewer needs than it asks for fired: (child, escalation, rungs counted as needs)."""
    household = Situation.model_validate(document).household
    for child in household.children:
        result = evaluate_child(child, household, probe.rulebook)
        for escalation in result.known.escalations:
            rule = escalation.count
            if rule is None:
                continue
            top: dict[str, Any] = {}
            for descriptor in result.fired:
                need = probe.ladders[descriptor.id]
                if need not in top or descriptor.level > top[need].level:
                    top[need] = descriptor
            counted = [d for d in top.values() if d.level >= rule.min_level]
            if len(counted) < rule.min_count or len({d.domain for d in counted}) < rule.min_domains:
                groups: dict[str, list[str]] = {}
                for descriptor in result.fired:
                    groups.setdefault(probe.ladders[descriptor.id], []).append(descriptor.id)
                rungs = [" and ".join(sorted(ids)) for ids in groups.values() if len(ids) > 1]
                return child.id, escalation.id, sorted(rungs)
    return None


def _needs_count_once(probe: Probe, drawn: tuple[dict[str, Any], Any]) -> bool:
    """Every count escalation that applies is met by distinct needs, each counted once at its
    highest fired rung, in distinct domains as the rule asks (Semantics 12)."""
    situation, _ = drawn

    def explain(before: dict[str, Any], _: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        found = _count_violation(probe, before)
        if found is None:
            return None
        child_id, escalation, rungs = found
        return Counterexample(
            f"{escalation} applied to child {child_id} by counting rungs of one need as several needs: {'; '.join(rungs)} (each one need)",
            before,
            subject=f"child {child_id}",
            measure="count escalation",
        )

    if explain(situation, None) is not None:
        raise Violation(explain, situation, None)
    household = Situation.model_validate(situation).household
    for child in household.children:
        fired = evaluate_child(child, household, probe.rulebook).fired
        needs = [probe.ladders[d.id] for d in fired if any(d.level >= e.count.min_level for e in probe.counts if e.count)]
        if len(needs) > len(set(needs)):
            return True
    return False


def _mitigated_floor(result: ChildResult, rulebook: Rulebook) -> Level:
    """The lowest level any one declared mitigation could give the child's fired descriptors and
    applied escalations: one step down, no lower than what it does not name (Semantics 5 and 13)."""
    known = result.known
    level: Level = known.before_mitigation
    fired, applied = result.fired, known.escalations
    if level in (Level.safeguarding, Level.universal):
        return level
    if any(d.never_mitigable for d in fired) or any(e.never_mitigable for e in applied):
        return level
    lowest: Level = level
    for mitigation in rulebook.mitigations:
        if level not in mitigation.lowers_from:
            continue
        standing = [d.level for d in fired if d.floor or d.id not in mitigation.lowers]
        standing += [e.to for e in applied if e.id not in mitigation.lowers]
        lowest = min(lowest, max([level.step(-1), *standing]))
    return lowest


def _resolving_strength(probe: Probe, drawn: tuple[dict[str, Any], Any]) -> bool:
    """An unknown strength never mitigates (resolving it to false changes nothing), and resolving it
    to true lowers the level at most as a declared mitigation allows, never above the possible level."""
    situation, _ = drawn
    base = probe.levels(situation)
    ran = False
    for place in places(situation):
        if place.spec.direction != "strength" or get(situation, place.key) is not None:
            continue
        for value in (False, True):
            after = put(situation, place.key, value)
            household = Situation.model_validate(after).household
            for child in household.children:
                result = evaluate_child(child, household, probe.rulebook)
                level, low, high = result.known.level, base[0][child.id], base[1][child.id]
                allowed = _mitigated_floor(result, probe.rulebook)
                wrong = (value is False and level != low) or not (min(allowed, low) <= level <= high)
                if wrong:
                    change = f"resolving {describe_key(situation, place.key)} to {_show(value)}"
                    raise Violation(_strength_explain(probe, change, child.id), situation, after, keep=place.key)
                in_play = [m for m in result.mitigations if result.known.before_mitigation in m.lowers_from]
                ran = ran or (
                    value is True and any(f"strengths.{'.'.join(place.spec.path)}" in m.condition.facts for m in in_play)
                )
    return ran


def _strength_explain(probe: Probe, change: str, child_id: str) -> Explain:
    def explain(before: dict[str, Any], after: Optional[dict[str, Any]]) -> Optional[Counterexample]:
        assert after is not None
        known, possible = probe.levels(before)
        if child_id not in known:
            return None  # pruning took the child away: this pair no longer shows the breach
        low, high = known[child_id], possible[child_id]
        household = Situation.model_validate(after).household
        child = next(c for c in household.children if c.id == child_id)
        result = evaluate_child(child, household, probe.rulebook)
        allowed = _mitigated_floor(result, probe.rulebook)
        level = result.known.level
        resolved_false = change.endswith("false")
        if (resolved_false and level == low) or (not resolved_false and min(allowed, low) <= level <= high):
            return None
        bound = f"{low.value}" if resolved_false else f"{min(allowed, low).value}..{high.value}"
        return Counterexample(
            f"{change} gave child {child_id} the level {level.value}; a declared mitigation allows {bound}",
            before,
            after,
            change,
            f"child {child_id}",
            "level",
            bound,
            level.value,
        )

    return explain


def _strength_case(data: st.DataObject, probe: Probe) -> tuple[dict[str, Any], Any]:
    """A situation where a declared mitigation could lower the first child: one descriptor it names
    fired, the strengths it reads present but one of them unknown."""
    situation = data.draw(situations(max_concerns=1), label="situation")
    if not probe.mitigable:
        return situation, None
    mitigation, descriptor = pair = data.draw(st.sampled_from(probe.mitigable), label="mitigation and descriptor")
    if data.draw(st.integers(0, 2), label="a concern the mitigation does not name") == 0:
        # The same level from something it does not name: a mitigation may not lower that.
        others = [d for d in probe.rulebook.descriptors if d.level == descriptor.level and d.id not in mitigation.lowers]
        if others:
            descriptor = data.draw(st.sampled_from(others), label="unnamed descriptor")
    if descriptor.age is not None:
        situation = put(
            situation, ("household", "children", 0), _aged_in(data, descriptor.age, situation["household"]["children"][0])
        )
    satisfied = _satisfied(probe, situation, descriptor.applies.condition, 0)
    valid = _valid(satisfied, 0) if satisfied is not None else None
    if valid is None:
        return situation, None
    situation = valid
    strengths = sorted(f for f in mitigation.condition.facts if f.startswith("strengths."))
    unknown = data.draw(st.sampled_from(strengths), label="unknown strength") if strengths else None
    for name in strengths:
        situation = put(situation, ("household", "strengths", *name.split(".")[1:]), "unknown" if name == unknown else True)
    return situation, pair


INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "worsening",
        "worsening any concern fact never lowers a child's or the family's level or possible level",
        lambda data, _: data.draw(situations(), label="situation"),
        _worsening,
    ),
    Invariant(
        "adding-child",
        "adding a child never lowers any level",
        lambda data, _: _with_extra_child(data),
        _adding_child,
    ),
    Invariant(
        "adding-strength", "adding a strength never raises any level", lambda data, _: data.draw(situations()), _adding_strength
    ),
    Invariant(
        "level-within-possible", "level <= possible level", lambda data, _: data.draw(situations()), _level_within_possible
    ),
    Invariant(
        "resolving-unknown",
        "resolving an unknown concern fact (strengths and ages apart) lands between the level and the possible level",
        lambda data, _: data.draw(situations()),
        _resolving,
    ),
    Invariant(
        "resolving-age",
        "resolving an unknown or approximate age to any age inside its range lands between the level and the possible level",
        lambda data, _: data.draw(situations(max_children=2, age=approximate_ages()), label="situation"),
        _resolving_age,
        "a child's age was unknown or approximate and resolved to an age inside it",
    ),
    Invariant(
        "resolving-strength",
        "an unknown strength never mitigates, and resolving it lowers the level at most as a declared mitigation allows",
        _strength_case,
        _resolving_strength,
        "a declared mitigation could lower the child and one of its strengths was resolved",
    ),
    Invariant(
        "red-flags",
        "a fired red flag gives Safeguarding",
        lambda data, probe: _with_fired(data, probe, probe.red_flags, max_concerns=6)[0],
        _red_flags,
        "a red flag fired",
    ),
    Invariant(
        "red-flags-any-age",
        "a known red-flag fact gives Safeguarding whatever else is unknown, the age included",
        lambda data, probe: _with_fired(data, probe, probe.red_flags, age=_mostly_approximate()),
        _red_flag_any_age,
        "a red flag's condition held for a child whose age is unknown or approximate",
    ),
    Invariant(
        "never-mitigable",
        "adding strengths never lowers a child with a never-mitigable concern fired",
        lambda data, probe: _with_fired(data, probe, probe.never_mitigable, max_concerns=1, in_band=True),
        _strengths_never_lower_never_mitigable,
        "a never-mitigable concern fired for a child below Safeguarding",
    ),
    Invariant(
        "needs-count-once",
        "a need contributes at most one to every count escalation, whatever its rung",
        lambda data, probe: _with_fired(data, probe, _top_rungs_of_ladders(probe), max_concerns=5, in_band=True),
        _needs_count_once,
        "two rungs of one need fired where a count escalation counts needs",
    ),
    Invariant(
        "family-is-max", "the family level is the highest child level", lambda data, _: data.draw(situations()), _family_is_max
    ),
    Invariant(
        "order",
        "the order of children and carers never changes the assessment JSON",
        lambda data, _: (data.draw(situations()), data.draw(st.integers(0, 2**16))),
        _order,
    ),
)


def _mostly_approximate() -> st.SearchStrategy[dict[str, Any]]:
    """Ages for the red-flag property: unknown or approximate (exact ages are the `red-flags` invariant's)."""
    return st.one_of(st.just({}), approximate_ages())


def _top_rungs_of_ladders(probe: Probe) -> list[Any]:
    """The highest rung of every need with two rungs or more (declared, or on one fact): meeting it
    fires the lower rungs too, which is where counting rungs instead of needs shows."""
    by_need: dict[str, list[Any]] = {}
    for descriptor in probe.rulebook.descriptors:
        by_need.setdefault(probe.ladders[descriptor.id], []).append(descriptor)
    return [max(rungs, key=lambda d: d.level) for rungs in by_need.values() if len(rungs) > 1]


def _with_extra_child(data: st.DataObject) -> tuple[dict[str, Any], dict[str, Any]]:
    situation = data.draw(situations(max_children=2), label="situation")
    extra = data.draw(children(child_id=f"c{len(situation['household']['children']) + 1}"), label="new child")
    return situation, extra


# --- running -----------------------------------------------------------------------------------


def check_rulebook(
    rulebook: Rulebook,
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: Optional[int] = None,
    only: Optional[list[str]] = None,
) -> list[InvariantResult]:
    """Search every invariant (or those named in `only`) with `examples` situations each."""
    probe = Probe(rulebook)
    chosen = [inv for inv in INVARIANTS if only is None or inv.id in only]
    run_seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    return [_search(invariant, probe, examples, run_seed) for invariant in chosen]


def _search(invariant: Invariant, probe: Probe, examples: int, run_seed: int) -> InvariantResult:
    ran = hits = 0
    failed = False

    def body(data: st.DataObject) -> None:
        nonlocal ran, hits, failed
        drawn = invariant.draw(data, probe)
        ran += 0 if failed else 1
        try:
            hit = invariant.run(probe, drawn)
        except Violation:
            failed = True
            raise
        if hit and not failed:
            hits += 1
            event(invariant.branch)

    test = given(st.data())(body)
    test = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        report_multiple_bugs=False,
        # No "explain" phase: it re-runs the failing example many times to annotate it, which
        # costs minutes here; the pruning below says which facts matter instead.
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    )(test)
    test = hypothesis_seed(run_seed)(test)
    started = time.perf_counter()
    try:
        with _shrinking_limit(SHRINK_SECONDS):
            test()
    except Violation as violation:
        counterexample = _pruned(violation)
        return InvariantResult(invariant.id, invariant.text, ran, time.perf_counter() - started, counterexample)
    except Exception as exc:  # noqa: BLE001 - a crash on generated input is itself a finding
        crash = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return InvariantResult(invariant.id, invariant.text, ran, time.perf_counter() - started, crash=crash)
    branch_runs = hits if invariant.branch else None
    return InvariantResult(invariant.id, invariant.text, ran, time.perf_counter() - started, branch_runs=branch_runs)


@contextmanager
def _shrinking_limit(seconds: int) -> Iterator[None]:
    """Cap hypothesis's shrinking time (its own cap is five minutes: too long for an author waiting).

    Hypothesis keeps the cap in a module constant; when it is not there, shrinking runs uncapped.
    """
    from hypothesis.internal.conjecture import engine

    previous = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if previous is not None:
        engine.MAX_SHRINKING_SECONDS = seconds
    try:
        yield
    finally:
        if previous is not None:
            engine.MAX_SHRINKING_SECONDS = previous


# --- pruning a counterexample to the facts that matter -------------------------------------------


def _pruned(violation: Violation) -> Counterexample:
    before, after, keep = _fewer_entities(violation)
    keys = _leaves(before) | (_leaves(after) if after is not None else set())
    for key in sorted(keys, key=lambda k: [str(part) for part in k]):
        if key[-1] == "id" or key == keep:
            continue
        smaller_before = _drop(before, key)
        smaller_after = _drop(after, key) if after is not None else None
        if _still_fails(violation.explain, smaller_before, smaller_after):
            before, after = smaller_before, smaller_after
    found = violation.explain(before, after)
    assert found is not None
    return found


def _fewer_entities(violation: Violation) -> tuple[dict[str, Any], Optional[dict[str, Any]], tuple[Any, ...]]:
    """Drop every child and carer the breach does not need (hypothesis may not have had time to)."""
    before, after, keep = violation.before, violation.after, violation.keep
    for group in ("children", "carers"):
        for index in range(len(before["household"][group]) - 1, -1, -1):
            if len(before["household"][group]) < 2 or keep[1:3] == (group, index):
                continue
            smaller_before = _without(before, group, index)
            smaller_after = _without(after, group, index) if after is not None else None
            if _still_fails(violation.explain, smaller_before, smaller_after):
                before, after = smaller_before, smaller_after
                if keep[1:2] == (group,) and keep[2] > index:
                    keep = (*keep[:2], keep[2] - 1, *keep[3:])
    return before, after, keep


def _without(document: dict[str, Any], group: str, index: int) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    del copied["household"][group][index]
    return copied


def _still_fails(explain: Explain, before: dict[str, Any], after: Optional[dict[str, Any]]) -> bool:
    try:
        return explain(before, after) is not None
    except (ValidationError, ValueError):
        return False


def _leaves(node: Any, prefix: tuple[Any, ...] = ()) -> set[tuple[Any, ...]]:
    if isinstance(node, dict):
        return {leaf for key, value in node.items() for leaf in _leaves(value, (*prefix, key))}
    if isinstance(node, list) and prefix[-1:] in (("children",), ("carers",)):
        return {leaf for index, value in enumerate(node) for leaf in _leaves(value, (*prefix, index))}
    return {prefix}


def _drop(document: dict[str, Any], key: tuple[Any, ...]) -> dict[str, Any]:
    """A copy without the fact at `key` (absent means unknown), and without sections left empty."""
    copied = copy.deepcopy(document)
    trail: list[Any] = [copied]
    for part in key[:-1]:
        node = trail[-1]
        if isinstance(node, dict) and part not in node or isinstance(node, list) and part >= len(node):
            return copied
        trail.append(node[part])
    if isinstance(trail[-1], dict):
        trail[-1].pop(key[-1], None)
    for depth in range(len(key) - 1, 0, -1):
        if trail[depth] == {} and isinstance(trail[depth - 1], dict):
            trail[depth - 1].pop(key[depth - 1], None)
    return copied
