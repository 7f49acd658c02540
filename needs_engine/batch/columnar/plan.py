"""A rulebook's columnar plan, made once: its fact tables, descriptors and count rules as arrays,
or NotCovered when its trees use a node the columnar evaluator does not evaluate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from numpy.typing import NDArray

from ...engine.evaluate import by_level
from ...language.tree import And, Count, Node, Not, Or, Quantified, Test, Within
from ...model.ages import MAX_AGE_MONTHS, applies_span
from ...model.catalogue import facts_by_root
from ...model.levels import LEVELS
from ...model.situation import CHILD_SECTIONS, Carer, Child, Household, _best_value, _no_concern, _no_concern_value
from ...model.tiers import TIERS
from ...rulebook.book import Rulebook
from ...rulebook.parts import Descriptor
from ..fastdecode import struct_of
from .tables import _AGE_FACTS, _STRING, NAN, Bools, Floats, Groups, _Column, _encode, _Table, _table, code_count

_HOUSEHOLD_ROOTS = ("household", "home", "strengths")


class NotCovered(Exception):
    """A rulebook's trees use something the columnar evaluator does not (the per-record path runs)."""


# --- the plan: a rulebook's trees and tables, made once per rulebook -------------------------


@dataclass(frozen=True)
class _NeedCount:
    """How a count escalation counts needs (`evaluate._count_met`): a need counts once, when a
    fired rung reaches the rule's level (its highest fired rung then does), in the domain of its
    highest fired rung (`evaluate._top_rungs`: highest level, then highest rung, then the first)."""

    needs: Optional[Groups]
    """The descriptors at or above the rule's level, grouped by need (None: no need reaches it)."""
    by_domain: Optional[Groups]
    """The needs whose rungs all lie in one domain (their places among `needs`' groups), grouped by domain."""
    single_domains: NDArray[np.int64]
    """The domain of each group of `by_domain`."""
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
        by_domain: dict[int, list[int]] = {}
        for domain, group in single:
            by_domain.setdefault(domain, []).append(group)
        return cls(
            Groups.of([reaching[need] for need in groups]) if groups else None,
            Groups.of(list(by_domain.values())) if by_domain else None,
            np.array(list(by_domain), dtype=np.int64),
            tuple(mixed),
            len(domain_of),
        )

    def met(self, fired: Bools, min_count: int, min_domains: int) -> Bools:
        """Per child, whether enough needs in enough domains reach the level (`fired`: [descriptor, child])."""
        n = fired.shape[1]
        if min_count <= 0 and min_domains <= 0:
            return np.ones(n, dtype=bool)
        if self.needs is None:
            return np.zeros(n, dtype=bool)
        counted = self.needs.reduce(np.logical_or, fired)
        single = self.by_domain.reduce(np.logical_or, counted) if self.by_domain is not None else np.zeros((0, n), dtype=bool)
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
    by_level: tuple[Groups, NDArray[np.int64]] = (Groups.of([]), np.zeros(0, dtype=np.int64))
    by_tier: tuple[Groups, NDArray[np.int64]] = (Groups.of([]), np.zeros(0, dtype=np.int64))
    """The descriptors of each level rank (tier place), and the ranks (places): for `levels._highest`."""
    program: Any = None
    """The trees compiled into grouped array operations (`program.Program`), set by `build.plan_of`:
    the program reads a chunk's arrays (masks.py), which read this plan, so this module cannot make it."""


def _by_value(values: NDArray[np.int64]) -> tuple[Groups, NDArray[np.int64]]:
    """The positions holding each distinct value, grouped, and the values."""
    distinct = sorted(set(values.tolist()))
    return Groups.of([np.flatnonzero(values == v).tolist() for v in distinct]), np.array(distinct, dtype=np.int64)


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


def build_plan(rulebook: Rulebook) -> Plan:
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
    width = code_count()
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
    plan.by_level, plan.by_tier = _by_value(plan.level_rank), _by_value(plan.tier_rank)
    return plan
