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

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from pydantic import ValidationError

from ..engine.assess import assess
from ..engine.evaluate import evaluate_child, household_levels
from ..model.ages import AgeSpan
from ..model.catalogue import FactSpec
from ..model.levels import Level
from ..model.situation import AGE_FIELDS, Situation
from ..rulebook.load import Rulebook
from .satisfy import candidates, thresholds
from .strategies import child_span, children, get, places, put, situations

DEFAULT_EXAMPLES = 25
SHRINK_SECONDS = 10.0
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

    @property
    def passed(self) -> bool:
        return self.counterexample is None and self.crash is None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.id, "text": self.text, "passed": self.passed, "examples": self.examples}
        result["seconds"] = round(self.seconds, 2)
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
        texts = [d.applies.condition.text for d in rulebook.descriptors]
        texts += [e.applies.condition.text for e in rulebook.escalations if e.applies is not None]
        texts += [m.condition.text for m in rulebook.mitigations]
        self.thresholds = thresholds(texts)
        self.bands = [d.age for d in rulebook.descriptors if d.age is not None]
        self.bands += [e.applies.age for e in rulebook.escalations if e.applies is not None and e.applies.age is not None]

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
    id: str
    text: str
    draw: Callable[[st.DataObject], Any]
    run: Callable[[Probe, Any], None]


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
    """Every unknown fact the rulebook reads (strengths excepted: one found present may mitigate)."""
    trials: list[tuple[tuple[Any, ...], Any]] = []
    for place in places(situation):
        if place.spec.direction != "strength" and probe.reads(place.spec) and get(situation, place.key) is None:
            trials += [(place.key, value) for value in _resolution_values(probe, place.spec)]
    ages: list[tuple[int, dict[str, Any], str]] = []
    for index, child in enumerate(situation["household"]["children"]):
        for age in probe.ages_within(child_span(child)):
            fields = {"unborn_weeks": 20} if age is None else {"age_months": age}
            resolved = {key: value for key, value in child.items() if key not in AGE_FIELDS} | fields
            ages.append((index, resolved, f"the age of child {child['id']} to {'unborn' if age is None else f'{age} months'}"))
    base = probe.levels(situation)
    for key, value in trials:
        after = put(situation, key, value)
        if _first_outside(base, probe.levels(after)) is not None:
            explain = _between(probe, f"resolving {describe_key(situation, key)} to {_show(value)}")
            raise Violation(explain, situation, after, keep=key)
    for index, resolved, words in ages:
        after = put(situation, ("household", "children", index), resolved)
        if _first_outside(base, probe.levels(after)) is not None:
            raise Violation(_between(probe, f"resolving {words}"), situation, after, keep=("household", "children", index, "id"))


def _red_flags(probe: Probe, situation: dict[str, Any]) -> None:
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


INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "worsening",
        "worsening any concern fact never lowers a child's or the family's level or possible level",
        lambda data: data.draw(situations(), label="situation"),
        _worsening,
    ),
    Invariant(
        "adding-child",
        "adding a child never lowers any level",
        lambda data: _with_extra_child(data),
        _adding_child,
    ),
    Invariant(
        "adding-strength", "adding a strength never raises any level", lambda data: data.draw(situations()), _adding_strength
    ),
    Invariant("level-within-possible", "level <= possible level", lambda data: data.draw(situations()), _level_within_possible),
    Invariant(
        "resolving-unknown",
        "resolving an unknown fact lands between the level and the possible level",
        lambda data: data.draw(situations()),
        _resolving,
    ),
    Invariant("red-flags", "a fired red flag gives Safeguarding", lambda data: data.draw(situations(max_concerns=6)), _red_flags),
    Invariant(
        "family-is-max", "the family level is the highest child level", lambda data: data.draw(situations()), _family_is_max
    ),
    Invariant(
        "order",
        "the order of children and carers never changes the assessment JSON",
        lambda data: (data.draw(situations()), data.draw(st.integers(0, 2**16))),
        _order,
    ),
)


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
    ran = 0
    failed = False

    def body(data: st.DataObject) -> None:
        nonlocal ran, failed
        drawn = invariant.draw(data)
        ran += 0 if failed else 1
        try:
            invariant.run(probe, drawn)
        except Violation:
            failed = True
            raise

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
    return InvariantResult(invariant.id, invariant.text, ran, time.perf_counter() - started)


@contextmanager
def _shrinking_limit(seconds: float) -> Iterator[None]:
    """Cap hypothesis's shrinking time (its own cap is five minutes: too long for an author waiting).

    Hypothesis keeps the cap in a module constant; when it is not there, shrinking runs uncapped.
    """
    from hypothesis.internal.conjecture import engine

    previous = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    if previous is not None:
        engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if previous is not None:
            engine.MAX_SHRINKING_SECONDS = previous  # type: ignore[attr-defined]


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
