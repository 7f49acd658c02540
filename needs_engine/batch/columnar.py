"""The columnar batch: a chunk of households screened as numpy array operations over the condition trees.

One row per child; a fact is a column of floats (NaN: unknown; a yes/no as 1/0, a named value
as its place in the fact's list of values); household and carer facts are broadcast to the
children. Every condition node is evaluated once per chunk from its tree (`language/tree.py`)
as two boolean masks, *known* and *true* (three-valued, Kleene), so a descriptor fires where it
is known and true and is unknown where it is not known. Quantifiers over carers and
`count_carers(...)` are reductions over (child, carer) pairs; `count(...)` adds masks; age
bands are comparisons of the children's ages. The level, `possible_level` and tier follow
`engine/evaluate.py` (Semantics 2-7, 12-13) as array operations; a child a declared mitigation
could apply to is decided by `evaluate.outcome` itself.

What is covered, and what is not: a line msgspec decodes strictly (`fastdecode.py`) whose
children each give an exact age (`age_months` or `unborn_weeks`). Anything else (a rough or
missing age, a repeated id, a fact that cannot describe the child, a line msgspec refuses) goes
through the per-record path (`screen.py`), as does every line under a rulebook whose trees use
something this module does not evaluate (a sibling quantifier, a quantifier inside another).
So every row is byte for byte the row the per-record batch writes (`tests/batch/test_columnar.py`).
"""

from __future__ import annotations

import json
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple, Optional

import msgspec
import numpy as np
from numpy.typing import NDArray

from ..engine.evaluate import ChildScreening, by_level, outcome
from ..language.logic import COMPARISONS, Truth
from ..language.tree import And, Count, FlagTest, Node, Not, NumberTest, Or, Quantified, Test, ValuesTest, Within
from ..model.ages import MAX_AGE_MONTHS, applies_span
from ..model.catalogue import FactSpec, facts_by_root
from ..model.levels import LEVELS
from ..model.situation import CHILD_SECTIONS, Carer, Child, Household, _best_value, _no_concern, _no_concern_value
from ..model.tiers import TIERS, Tier
from ..rulebook.load import Descriptor, Mitigation, Rulebook
from .fastdecode import decode, struct_of
from .screen import Row

Bools = NDArray[np.bool_]
Floats = NDArray[np.float64]
Mask = tuple[Bools, Bools]
"""A condition's value over a frame's rows: (true, known); true implies known."""

NAN = math.nan
_HOUSEHOLD_ROOTS = ("household", "home", "strengths")


class NotCovered(Exception):
    """A rulebook's trees use something the columnar evaluator does not (the per-record path runs)."""


# --- columns: where each fact is read from, and how it is written as a float -----------------


@dataclass(frozen=True)
class _Column:
    spec: FactSpec
    codes: Optional[dict[Any, float]]
    """A yes/no fact's or named fact's value as a float (None: a number, read as itself)."""


def _codes(spec: FactSpec) -> Optional[dict[Any, float]]:
    if spec.kind == "flag":
        return {True: 1.0, False: 0.0}
    if spec.choices is not None:
        return {member.value: float(place) for place, member in enumerate(spec.choices)}
    return None


def _encode(spec: FactSpec, value: Any) -> float:
    """A validated value (bool, enum member, number) as its column's float."""
    if value is None:
        return NAN
    codes = _codes(spec)
    if codes is None:
        return float(value)
    return codes[value.value if hasattr(value, "value") else value]


_NOT_A_NUMBER: dict[Any, float] = {None: NAN, "unknown": NAN, msgspec.UNSET: NAN}
"""What a number field holds when it is unknown or left out; `.get(value, value)` gives a number or NaN."""


@dataclass(frozen=True)
class _Group:
    """Facts that sit in one struct (a child's `health`, a household's `home.domestic_abuse`)."""

    get: Callable[[Any], Any]
    """The struct from the entity (UNSET when a section on the way is left out)."""
    empty: tuple[Any, ...]
    """A struct left out, as `astuple` would give it: every field UNSET."""
    fields: tuple[tuple[int, int, Optional[dict[Any, float]]], ...]
    """(the field's place in the struct, its column, its codes or None for a number)."""


@dataclass(frozen=True)
class _Table:
    """The columns of one kind of entity (children, carers, households) and how to fill them."""

    columns: tuple[_Column, ...]
    index: dict[tuple[str, tuple[str, ...]], int]
    groups: tuple[_Group, ...]

    def fill(self, entities: list[Any], width: int) -> Floats:
        """The [entity, column] floats of `entities` (`width` columns; NaN where unknown or left out).

        Column by column: each struct's fields are read once with `astuple`, and each field is
        turned into floats by `map` over a dict's `get`, so no Python loop runs per fact."""
        out = np.full((width, len(entities)), NAN)
        astuple, unset = msgspec.structs.astuple, msgspec.UNSET
        nan = repeat(NAN)
        for group in self.groups:
            empty = group.empty
            rows = [empty if holder is unset else astuple(holder) for holder in map(group.get, entities)]
            for place, column, codes in group.fields:
                values = map(itemgetter(place), rows)
                if codes is not None:
                    out[column] = np.fromiter(map(codes.get, values, nan), np.float64, len(rows))
                else:
                    values = list(values)
                    out[column] = np.fromiter(map(_NOT_A_NUMBER.get, values, values), np.float64, len(rows))
        return out.T


def _getter(path: tuple[str, ...]) -> Callable[[Any], Any]:
    """Read a nested struct by attribute names, UNSET as soon as a section is left out."""
    if not path:
        return lambda entity: entity
    names = path

    def get(entity: Any) -> Any:
        for name in names:
            entity = getattr(entity, name)
            if entity is msgspec.UNSET:
                return entity
        return entity

    return get


def _struct_at(entity: type[msgspec.Struct], path: tuple[str, ...]) -> type[msgspec.Struct]:
    """The struct class reached from `entity` by the field names of `path`."""
    kind: Any = entity
    for name in path:
        field_type = typing.get_type_hints(kind)[name]
        kind = next(a for a in typing.get_args(field_type) if isinstance(a, type) and issubclass(a, msgspec.Struct))
    return kind  # type: ignore[no-any-return]


def _table(entries: Sequence[tuple[str, FactSpec]], entity: type[msgspec.Struct]) -> _Table:
    """Columns for (root, spec) entries read from structs of class `entity`, grouped by the struct they sit in."""
    columns = tuple(_Column(spec, _codes(spec)) for _, spec in entries)
    index = {(root, spec.path): i for i, (root, spec) in enumerate(entries)}
    grouped: dict[tuple[str, ...], list[tuple[str, int, Optional[dict[Any, float]]]]] = {}
    for i, (root, spec) in enumerate(entries):
        prefix = (*(_HOLDER[root]), *spec.path[:-1])
        grouped.setdefault(prefix, []).append((spec.path[-1], i, columns[i].codes))
    groups = []
    for prefix, fields in grouped.items():
        holder = _struct_at(entity, prefix)
        names = holder.__struct_fields__
        groups.append(
            _Group(
                _getter(prefix),
                (msgspec.UNSET,) * len(names),
                tuple((names.index(name), column, codes) for name, column, codes in fields),
            )
        )
    return _Table(columns, index, tuple(groups))


_HOLDER = {"child": (), "carer": (), "household": (), "home": ("home",), "strengths": ("strengths",)}
_AGE_FACTS = (("age_months",), ("unborn_weeks",), ("unborn",))


# --- the plan: a rulebook's trees and tables, made once per rulebook -------------------------


def _any_in_groups(rows: Bools, starts: NDArray[np.int64]) -> Bools:
    """`np.logical_or.reduceat(rows, starts, axis=0)`, by differences of a running count (twice as fast)."""
    running = np.cumsum(rows, axis=0, dtype=np.int32)
    ends = np.append(starts[1:], len(rows)) - 1
    before = np.where((starts > 0)[:, None], running[np.maximum(starts - 1, 0)], 0)
    return running[ends] - before > 0  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _NeedCount:
    """How a count escalation counts needs (`evaluate._count_met`): a need counts once, when a
    fired rung reaches the rule's level (its highest fired rung then does), in the domain of its
    highest fired rung (`evaluate._top_rungs`: highest level, then highest rung, then the first)."""

    rungs: NDArray[np.int64]
    """The descriptors at or above the rule's level, grouped by need."""
    starts: NDArray[np.int64]
    """Where each need's group starts in `rungs` (for `np.logical_or.reduceat`)."""
    by_domain: NDArray[np.int64]
    """The groups of needs whose rungs all lie in one domain, ordered by domain."""
    domain_starts: NDArray[np.int64]
    single_domains: NDArray[np.int64]
    """The domain of each run of `by_domain` that `domain_starts` marks."""
    mixed: tuple[tuple[int, NDArray[np.int64], Floats, NDArray[np.int64]], ...]
    """Needs whose rungs lie in several domains: (their group, every rung, precedence, domains)."""
    domains: int

    @classmethod
    def of(cls, descriptors: Sequence[Descriptor], least: int) -> _NeedCount:
        domain_of = {name: i for i, name in enumerate(sorted({d.domain for d in descriptors}))}
        members: dict[str, list[int]] = {}
        for i, d in enumerate(descriptors):
            members.setdefault(d.need, []).append(i)
        reaching = {need: [i for i in found if descriptors[i].level.rank >= least] for need, found in sorted(members.items())}
        groups = [need for need, found in reaching.items() if found]
        rungs = [i for need in groups for i in reaching[need]]
        starts = np.cumsum([0] + [len(reaching[need]) for need in groups])[:-1]
        single = []
        mixed = []
        for group, need in enumerate(groups):
            found = {descriptors[i].domain for i in members[need]}
            if len(found) == 1:
                single.append((domain_of[found.pop()], group))
                continue
            # Precedence: level, then rung, then earlier in rulebook order (the one `_top_rungs` keeps).
            every = members[need]
            precedence = np.array([descriptors[i].level.rank * 1e6 + descriptors[i].rung * 1e3 - k for k, i in enumerate(every)])
            mixed.append((group, np.array(every), precedence, np.array([domain_of[descriptors[i].domain] for i in every])))
        single.sort()
        by_domain = np.array([group for _, group in single], dtype=np.int64)
        domain_ids = [domain for domain, _ in single]
        domain_starts = np.array(
            [k for k, domain in enumerate(domain_ids) if k == 0 or domain_ids[k - 1] != domain], dtype=np.int64
        )
        single_domains = np.array([domain_ids[k] for k in domain_starts], dtype=np.int64)
        return cls(
            np.array(rungs, dtype=np.int64), starts, by_domain, domain_starts, single_domains, tuple(mixed), len(domain_of)
        )

    def met(self, fired: Bools, min_count: int, min_domains: int) -> Bools:
        """Per child, whether enough needs in enough domains reach the level (`fired`: [descriptor, child])."""
        n = fired.shape[1]
        if min_count <= 0 and min_domains <= 0:
            return np.ones(n, dtype=bool)
        if len(self.rungs) == 0:
            return np.zeros(n, dtype=bool)
        counted = _any_in_groups(fired[self.rungs], self.starts)
        single = (
            _any_in_groups(counted[self.by_domain], self.domain_starts) if len(self.by_domain) else np.zeros((0, n), dtype=bool)
        )
        if self.mixed:
            hit = np.zeros((self.domains, n), dtype=bool)
            hit[self.single_domains] = single
            children = np.arange(n)
            for group, every, precedence, domains in self.mixed:
                top = np.where(fired[every], precedence[:, None], -np.inf).argmax(axis=0)
                counts = counted[group]
                hit[domains[top[counts]], children[counts]] = True
            single = hit
        return (counted.sum(axis=0) >= min_count) & (single.sum(axis=0) >= min_domains)  # type: ignore[no-any-return]


@dataclass
class Plan:
    """What a chunk needs from a rulebook: its tables, descriptors and rules as arrays."""

    rulebook: Rulebook
    child: _Table
    carer: _Table
    household: _Table
    child_age: dict[str, int]
    """Column of `age_months`, `unborn_weeks` and `unborn` in the child table."""
    # Per child column: the ages it can describe, whether a value is of concern, its no-concern value.
    may_be_unborn: Bools
    may_be_born: Bools
    low: Floats
    high: Floats
    best_code: Floats
    """The no-concern value an unknown inapplicable fact takes (NaN: none, it stays unknown)."""
    concern_codes: Bools
    """[column, code]: a named or yes/no value that is of concern (recorded, so it must apply)."""
    number_best: Floats
    """A number column's no-concern value (NaN: every value is of no concern, e.g. a descriptive fact)."""
    is_number: Bools
    descriptors: tuple[Descriptor, ...]
    level_rank: NDArray[np.int64]
    tier_rank: NDArray[np.int64]
    report_order: NDArray[np.int64]
    """Descriptor positions in the order an assessment lists fired ids (highest level, then id)."""
    report_ids: list[str] = field(default_factory=list)
    """The descriptor ids in that order."""
    report_strings: list[str] = field(default_factory=list)
    level_strings: list[str] = field(default_factory=list)
    tier_strings: list[str] = field(default_factory=list)
    """Ids, levels and tiers as JSON strings (`_STRING`), encoded once."""
    counts: list[tuple[Any, _NeedCount]] = field(default_factory=list)
    """Per count escalation, in `tables.raising` order: how to count its needs and their domains."""
    clamp: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))


def plan_of(rulebook: Rulebook) -> Optional[Plan]:
    """The rulebook's columnar plan, or None if its trees use something not covered (kept on the rulebook)."""
    if "columnar" not in rulebook.derived:
        try:
            rulebook.derived["columnar"] = _build(rulebook)
        except NotCovered:
            rulebook.derived["columnar"] = None
    return rulebook.derived["columnar"]  # type: ignore[no-any-return]


def _trees(rulebook: Rulebook) -> list[Node]:
    found = [d.applies.condition.tree for d in rulebook.descriptors]
    found += [e.applies.condition.tree for e in rulebook.escalations if e.applies is not None]
    found += [m.condition.tree for m in rulebook.mitigations]
    return found


def _check(node: Node, inside: bool = False) -> None:
    """Refuse a tree with a node this evaluator does not cover."""
    if isinstance(node, (Quantified, Count)) and node.binder is not None:
        if node.binder != "carer" or inside:
            raise NotCovered("a sibling quantifier, or a quantifier inside another")
        inside = True
    elif isinstance(node, Test):
        if node.subject.root == "sibling" or (node.subject.root == "carer" and not inside):
            raise NotCovered(f"a fact of {node.subject.root} outside a quantifier")
    elif not isinstance(node, (And, Or, Not, Count, Within)):
        raise NotCovered(type(node).__name__)
    for part in node.parts:
        _check(part, inside)


def _build(rulebook: Rulebook) -> Plan:
    for tree in _trees(rulebook):
        _check(tree)
    facts = facts_by_root()
    child_entries = [("child", spec) for spec in facts["child"].values() if spec.path not in _AGE_FACTS]
    child_entries += [("child", facts["child"][path]) for path in _AGE_FACTS if path != ("unborn",)]
    child = _table(child_entries, struct_of(Child))
    child_age = {"age_months": child.index[("child", ("age_months",))], "unborn_weeks": child.index[("child", ("unborn_weeks",))]}
    unborn = len(child.columns)  # a derived column, appended when a chunk is built
    child = _Table(
        (*child.columns, _Column(facts["child"][("unborn",)], None)),
        {**child.index, ("child", ("unborn",)): unborn},
        child.groups,
    )
    child_age["unborn"] = unborn
    carer = _table([("carer", spec) for spec in facts["carer"].values()], struct_of(Carer))
    household = _table([(root, spec) for root in _HOUSEHOLD_ROOTS for spec in facts[root].values()], struct_of(Household))
    for tree in _trees(rulebook):
        for leaf in tree.leaves:
            table = {"child": child, "carer": carer}.get(leaf.subject.root, household)
            if (leaf.subject.root, leaf.subject.path) not in table.index:
                raise NotCovered(f"no column for {leaf.fact}")

    n = len(child.columns)
    may_be_unborn = np.ones(n, dtype=bool)
    may_be_born = np.ones(n, dtype=bool)
    low, high = np.zeros(n), np.full(n, float(MAX_AGE_MONTHS))
    best_code, number_best = np.full(n, NAN), np.full(n, NAN)
    is_number = np.zeros(n, dtype=bool)
    width = max([len(c.codes) for c in child.columns if c.codes] + [2])
    concern_codes = np.zeros((n, width), dtype=bool)
    models = {name: Child.model_fields[name].annotation for name in CHILD_SECTIONS}
    for i, column in enumerate(child.columns):
        spec = column.spec
        if len(spec.path) != 2 or spec.path[0] not in models:
            continue  # the age columns: they apply at every age and are never "of concern"
        section, name = spec.path
        model = models[section]
        span = applies_span(f"{section}.{name}")
        may_be_unborn[i], may_be_born[i], low[i], high[i] = span.may_be_unborn, span.may_be_born, span.low, span.high
        best_code[i] = _encode(spec, _no_concern_value(model, name))  # type: ignore[arg-type]
        if column.codes is None:
            is_number[i] = True
            best = _best_value(model, name)  # type: ignore[arg-type]
            number_best[i] = NAN if best == "descriptive" else float(best)
        else:
            values = [True, False] if spec.kind == "flag" else list(spec.choices or ())
            for value in values:
                code = int(_encode(spec, value))
                concern_codes[i, code] = not _no_concern(model, name, value)  # type: ignore[arg-type]

    descriptors = tuple(rulebook.descriptors)
    position = {d.id: i for i, d in enumerate(descriptors)}
    plan = Plan(
        rulebook,
        child,
        carer,
        household,
        child_age,
        may_be_unborn,
        may_be_born,
        low,
        high,
        best_code,
        concern_codes,
        number_best,
        is_number,
        descriptors,
        np.array([d.level.rank for d in descriptors], dtype=np.int64),
        np.array([TIERS.index(d.tier) for d in descriptors], dtype=np.int64),
        np.array([position[d.id] for d in by_level(descriptors)], dtype=np.int64),
    )
    for escalation, _to, rule in rulebook.tables.raising:
        if rule is not None:
            plan.counts.append((escalation, _NeedCount.of(descriptors, rule.min_level.rank)))
    plan.report_ids = [descriptors[i].id for i in plan.report_order]
    plan.report_strings = [_STRING(name) for name in plan.report_ids]
    plan.level_strings = [_STRING(level.value) for level in LEVELS]
    plan.tier_strings = [_STRING(tier.value) for tier in TIERS]
    plan.clamp = np.array(
        [[TIERS.index(rulebook.tier_map.clamp(tier, level)) for level in LEVELS] for tier in TIERS], dtype=np.int64
    )
    return plan


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


# --- levels, possible levels and tiers --------------------------------------------------------


@dataclass
class _Levels:
    """Per child row: level and possible level ranks, tier place, fired descriptors (report order)."""

    level: list[int]
    possible: list[int]
    tier: list[int]
    fired: list[list[int]]
    """Positions in `Plan.report_order`, as `by_level` orders fired ids."""


def _levels(plan: Plan, chunk: _Chunk) -> _Levels:
    rulebook = plan.rulebook
    n = len(chunk.children)
    fired = np.empty((len(plan.descriptors), n), dtype=bool)  # [descriptor, child]: one row written per descriptor
    maybe = np.empty_like(fired)
    for i, descriptor in enumerate(plan.descriptors):
        true, known = _applies(plan, chunk, descriptor.applies)
        fired[i] = true
        np.logical_or(true, ~known, out=maybe[i])
    escalation_truth: dict[str, Mask] = {}
    for escalation in rulebook.escalations:
        if escalation.applies is not None:
            escalation_truth[escalation.id] = _applies(plan, chunk, escalation.applies)
    mitigation_true = [evaluate(plan, chunk, m.condition.tree, _CHILD)[0] for m in rulebook.mitigations]

    known_level, known_applied = _outcome(plan, fired, escalation_truth, possible=False)
    possible_level, _ = _outcome(plan, maybe, escalation_truth, possible=True)
    tier = np.where(fired, plan.tier_rank[:, None], 0).max(axis=0, initial=0)
    for escalation, mask in known_applied:
        tier = np.where(mask, np.maximum(tier, TIERS.index(escalation.tier)), tier)
    tier = plan.clamp[tier, known_level]
    rows, places = np.nonzero(fired[plan.report_order].T)
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    places_list = places.tolist()
    result = _Levels(
        known_level.tolist(),
        possible_level.tolist(),
        tier.tolist(),
        [places_list[bounds[row] : bounds[row + 1]] for row in range(n)],
    )
    mitigated = np.logical_or.reduce(mitigation_true) if mitigation_true else np.zeros(n, dtype=bool)
    for row in np.flatnonzero(mitigated).tolist():
        mitigations = tuple(m for m, true in zip(rulebook.mitigations, mitigation_true, strict=True) if true[row])
        level, possible, tier_place = _by_the_record(plan, row, fired, maybe, escalation_truth, mitigations)
        result.level[row], result.possible[row], result.tier[row] = level, possible, tier_place
    return result


def _outcome(
    plan: Plan, fired: Bools, escalation_truth: dict[str, Mask], *, possible: bool
) -> tuple[NDArray[np.int64], list[tuple[Any, Bools]]]:
    """`evaluate.outcome` with no mitigation: the highest fired level raised by every escalation
    that applies (a count over needs, each once: Semantics 12), and the escalations applied.
    `fired` is [descriptor, child]."""
    n = fired.shape[1]
    level = np.where(fired, plan.level_rank[:, None], 0).max(axis=0, initial=0)
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


# --- a chunk of records ------------------------------------------------------------------------


class Screened(NamedTuple):
    """A household the columnar path screened: what its output row says."""

    line: int
    reference: Optional[str]
    level: int
    """The family's level (rank), the highest child's."""
    possible: int
    tier: int
    """The family's tier (its place in TIERS), the highest child's."""
    children: list[tuple[str, int, int, int, list[int]]]
    """(id, level, possible level, tier, fired descriptors' places in report order), in id order."""


def screen_lines(plan: Plan, lines: Sequence[tuple[int, bytes]]) -> list[Optional[Screened]]:
    """The households among the (line number, bytes) JSON Lines records that the columnar path
    covers, screened; None for the others (the per-record path writes their rows)."""
    decoded: list[Any] = []
    where: list[int] = []
    for position, (_, raw) in enumerate(lines):
        document = decode(raw.strip())
        if document is not None and _plainly_valid(document.household):
            decoded.append(document.household)
            where.append(position)
    found: list[Optional[Screened]] = [None] * len(lines)
    if not decoded:
        return found
    chunk, ids = _build_chunk(plan, decoded)
    refused = _prepare_children(plan, chunk).tolist()
    results = _levels(plan, chunk)
    level, possible, tier, fired = results.level, results.possible, results.tier, results.fired
    row = 0
    for household, position, child_ids in zip(decoded, where, ids, strict=True):
        end = row + len(child_ids)
        if not any(refused[row:end]):
            reference = household.reference if isinstance(household.reference, str) else None
            children = [
                (child_id, level[r], possible[r], tier[r], fired[r])
                for child_id, r in zip(child_ids, range(row, end), strict=True)
            ]
            found[position] = Screened(
                lines[position][0], reference, max(level[row:end]), max(possible[row:end]), max(tier[row:end]), children
            )
        row = end
    return found


def row_of(plan: Plan, screened: Screened) -> Row:
    """The writer's Row for a screened household (for CSV output)."""
    ids = plan.report_ids
    children = tuple(
        ChildScreening(child_id, LEVELS[level], LEVELS[possible], tuple(ids[i] for i in fired), TIERS[tier])
        for child_id, level, possible, tier, fired in screened.children
    )
    return Row(screened.line, reference=screened.reference, children=children)


_STRING = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
"""A string as `json.dumps(..., ensure_ascii=True)` writes it."""


def jsonl_text(plan: Plan, screened: Screened) -> str:
    """The JSON Lines row of a screened household: the bytes `writer.row_text` writes for its Row
    (`json.dumps` with the writer's separators), put together from strings encoded once per rulebook."""
    levels, tiers, ids = plan.level_strings, plan.tier_strings, plan.report_strings
    children = ", ".join(
        f'{{"id": {_STRING(child_id)}, "level": {levels[level]}, "possible_level": {levels[possible]}, '
        f'"tier": {tiers[tier]}, "fired": [{", ".join([ids[i] for i in fired])}]}}'
        for child_id, level, possible, tier, fired in screened.children
    )
    reference = "null" if screened.reference is None else _STRING(screened.reference)
    return (
        f'{{"line": {screened.line}, "reference": {reference}, "status": "ok", "level": {levels[screened.level]}, '
        f'"possible_level": {levels[screened.possible]}, "tier": {tiers[screened.tier]}, "children": [{children}]}}\n'
    )
