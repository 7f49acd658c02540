"""Search for a situation that makes a condition true: the evidence that a descriptor can fire.

A descriptor whose condition no household can satisfy is the quietest bug a rulebook can have:
it loads, it reads well, and it never fires. The search here looks for one household that
makes a compiled condition (restricted to its age band) *true*, three-valued.

Unknown facts never help: Kleene logic is monotone in information, so if a condition is true
with a fact unknown it is true for every value of that fact. The search therefore only tries
known values, taken from the catalogue: every value of a graded or yes/no fact, and for numbers
the constants the condition compares them with (and one step either side) plus the fact's
bounds. Ages come from the age band. Carers and siblings are added when the condition
quantifies over them, as many as its counts need. When the candidate space is small it is
searched exhaustively; otherwise a fixed-seed sample of it is, and the result says so.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

from pydantic import ValidationError

from ..language.compile import Condition, Env
from ..language.tree import Count, MemberTest, NumberTest, OrdinalTest, Quantified, Test
from ..model.ages import MAX_AGE_MONTHS
from ..model.catalogue import FactSpec, facts_by_root
from ..model.situation import Household
from ..rulebook.parts import Applicable
from ..rulebook.schema import AgeBand

MAX_EXHAUSTIVE = 20_000
"""Candidate households tried one by one before the search switches to sampling."""
SAMPLE_SIZE = 4_000
"""Households a bounded search tries (fixed seed, so the answer is the same every run)."""
MAX_CARERS, MAX_CHILDREN = 12, 20

# What an unborn baby cannot have: these sections describe a born child, so for an unborn
# child (or sibling) the search leaves them unknown. An unborn-only descriptor that reads
# school attendance can therefore never fire, which is what a reader would expect.
UNBORN_HAS_NO = frozenset(
    {
        "education",
        "emotional",
        "identity",
        "relationships",
        "youth_offending",
        "social_presentation",
        "self_care_skills",
        "extra_familial",
        "development",
    }
)
_AGE_FACTS = {("age_months",), ("unborn_weeks",), ("unborn",)}


@dataclass(frozen=True)
class Search:
    """The outcome of one search: a household that satisfies the condition, or how hard we looked."""

    found: Optional[dict[str, Any]]
    exhaustive: bool
    tried: int
    space: int

    @property
    def satisfiable(self) -> bool:
        return self.found is not None

    def describe(self) -> str:
        """How the search went, in words for a lint message."""
        if self.exhaustive:
            return f"exhaustive search of {self.tried:,} candidate households"
        return f"bounded search: {self.tried:,} of {self.space:,} candidate households sampled"


@dataclass
class _Reads:
    """What a condition reads: each fact with the constants it is compared with, and the counts."""

    facts: dict[tuple[str, tuple[str, ...]], set[Any]] = field(default_factory=dict)
    counts: dict[str, set[int]] = field(default_factory=lambda: {"carer": set(), "sibling": set()})
    binders: set[str] = field(default_factory=set)

    def constants(self, root: str, path: tuple[str, ...]) -> set[Any]:
        return self.facts.get((root, path), set())


def satisfying_household(condition: Condition, age: Optional[AgeBand] = None) -> Search:
    """Look for a household whose child (`c`) makes `condition`, within `age`, true."""
    reads = _reads_of(condition)
    applies = Applicable(condition, age)
    configs = list(_configurations(reads, age))
    space = sum(config.size for config in configs)
    tried = 0
    if space <= MAX_EXHAUSTIVE:
        for config in configs:
            for choice in itertools.product(*config.dims):
                tried += 1
                document = config.document(choice)
                if _true(applies, document):
                    return Search(document, True, tried, space)
        return Search(None, True, tried, space)
    rng = random.Random(0)
    budget = max(1, SAMPLE_SIZE // len(configs))
    for config in configs:
        for index in range(min(budget, config.size)):
            choice = (
                tuple(dim[0] for dim in config.dims) if index == 0 else tuple(dim[rng.randrange(len(dim))] for dim in config.dims)
            )
            tried += 1
            document = config.document(choice)
            if _true(applies, document):
                return Search(document, False, tried, space)
    return Search(None, False, tried, space)


def _true(applies: Applicable, document: dict[str, Any]) -> bool:
    try:
        household = Household.model_validate(document)
    except ValidationError:
        return False
    child = next(c for c in household.children if c.id == "c")
    return applies.fast(Env(child, household)) is True


# --- what the condition reads ------------------------------------------------------------------


def _reads_of(condition: Condition) -> _Reads:
    """The facts `condition` reads, with the constants each is compared with, and what its counts count to."""
    reads = _Reads()
    for node in condition.tree.walk():
        if isinstance(node, (Quantified, Count)) and node.binder is not None:
            reads.binders.add(node.binder)
        if isinstance(node, Count) and node.binder is not None:
            reads.counts[node.binder].add(node.bound)
        if isinstance(node, Test):
            reads.facts.setdefault((node.subject.root, node.subject.path), set()).update(_constants(node))
    return reads


def _constants(test: Test) -> set[Any]:
    """The constants a test compares its fact with (the values of a list; none for a yes/no fact)."""
    if isinstance(test, NumberTest):
        return {test.bound}
    if isinstance(test, OrdinalTest):
        return {test.value.value}
    if isinstance(test, MemberTest):
        return {member.value for member in test.values}
    return set()


# --- candidate values ----------------------------------------------------------------------------


def candidates(spec: FactSpec, constants: set[Any]) -> list[Any]:
    """Values worth trying for a fact, most worrying first (so a reachable descriptor is found fast)."""
    if spec.kind == "flag":
        return [spec.direction != "strength", spec.direction == "strength"]
    if spec.choices is not None:
        values = [member.value for member in spec.choices]
        return values[::-1] if spec.direction != "none" else values
    low = spec.minimum if spec.minimum is not None else 0
    high = spec.maximum if spec.maximum is not None else max([100, *[c for c in constants if _is_number(c)]])
    step = 1 if spec.integer else 0.5
    points = {low, high}
    for constant in constants:
        if _is_number(constant):
            points.update({constant - step, constant, constant + step})
    if spec.integer:
        points = {math.floor(p) for p in points} | {math.ceil(p) for p in points}
    chosen = sorted(p for p in points if low <= p <= high)
    return chosen if spec.direction == "lower_is_worse" else chosen[::-1]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _ages(reads: _Reads, root: str, band: Optional[AgeBand]) -> list[dict[str, Any]]:
    """Ages for the child (within its band) or a sibling (any age)."""
    months_spec = facts_by_root()[root][("age_months",)]
    weeks_spec = facts_by_root()[root][("unborn_weeks",)]
    ages: list[dict[str, Any]] = []
    if band is None or band.unborn != "exclude":
        weeks = candidates(weeks_spec, reads.constants(root, ("unborn_weeks",)) | {20})
        ages += [{"unborn_weeks": w} for w in weeks]
    if band is None or band.unborn != "only":
        low = band.min_months if band and band.min_months is not None else 0
        high = band.max_months if band and band.max_months is not None else MAX_AGE_MONTHS
        months = candidates(months_spec, reads.constants(root, ("age_months",)) | {low, high})
        ages += [{"age_months": m} for m in months if low <= m <= high]
    return ages


def _entity_counts(reads: _Reads, binder: str, minimum: int, maximum: int) -> list[int]:
    if binder not in reads.binders:
        return [minimum]
    wanted = {minimum, 1, 2} | {c for n in reads.counts[binder] for c in (n, n + 1)}
    return sorted(n for n in wanted if minimum <= n <= maximum)


# --- the candidate space ------------------------------------------------------------------------


@dataclass
class _Config:
    """One shape of household (how many carers and siblings) and the values each fact may take."""

    n_carers: int
    n_siblings: int
    dims: list[list[Any]]
    slots: list[tuple[str, int, tuple[str, ...]]]

    @property
    def size(self) -> int:
        return math.prod(len(dim) for dim in self.dims)

    def document(self, choice: tuple[Any, ...]) -> dict[str, Any]:
        """The household document for one choice of a value per slot."""
        entities: dict[tuple[str, int], dict[Any, Any]] = {}  # a fact path (a tuple) or an age field to its value
        for (root, proto, path), value in zip(self.slots, choice, strict=True):
            entity = entities.setdefault((root, proto), {})
            if path == ("age",):
                entity.update(value)
            else:
                entity[path] = value
        children = [_child("c", entities.get(("child", 0), {}))]
        children += [
            _child(f"s{i + 1:02d}", entities.get(("sibling", _proto(i, self.n_siblings)), {})) for i in range(self.n_siblings)
        ]
        carers = [
            _nest({"id": f"a{i + 1:02d}"}, entities.get(("carer", _proto(i, self.n_carers)), {})) for i in range(self.n_carers)
        ]
        household = _nest({"children": children, "carers": carers}, entities.get(("household", 0), {}))
        household["home"] = _nest({}, entities.get(("home", 0), {}))
        household["strengths"] = _nest({}, entities.get(("strengths", 0), {}))
        return household


def _proto(index: int, count: int) -> int:
    """Entities beyond two share the first prototype; the last has its own (mixtures need two)."""
    return 0 if count <= 2 and index == 0 or count > 2 and index < count - 1 else 1


def _child(child_id: str, facts: dict[Any, Any]) -> dict[str, Any]:
    unborn = "unborn_weeks" in facts
    kept = {k: v for k, v in facts.items() if not (unborn and isinstance(k, tuple) and k[0] in UNBORN_HAS_NO)}
    return _nest({"id": child_id}, kept)


def _nest(base: dict[str, Any], facts: dict[Any, Any]) -> dict[str, Any]:
    for key, value in facts.items():
        if isinstance(key, str):
            base[key] = value
            continue
        node = base
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = value
    return base


def _configurations(reads: _Reads, band: Optional[AgeBand]) -> Iterator[_Config]:
    catalogue = facts_by_root()
    by_root: dict[str, list[tuple[tuple[str, ...], list[Any]]]] = {}
    for (root, path), constants in sorted(reads.facts.items(), key=lambda item: (item[0][0], item[0][1])):
        if path in _AGE_FACTS and root in ("child", "sibling"):
            continue
        by_root.setdefault(root, []).append((path, candidates(catalogue[root][path], constants)))
    for n_carers in _entity_counts(reads, "carer", 1, MAX_CARERS):
        for n_siblings in _entity_counts(reads, "sibling", 0, MAX_CHILDREN - 1):
            dims: list[list[Any]] = [_ages(reads, "child", band)]
            slots: list[tuple[str, int, tuple[str, ...]]] = [("child", 0, ("age",))]
            for root in ("child", "home", "household", "strengths"):
                for path, values in by_root.get(root, []):
                    dims.append(values)
                    slots.append((root, 0, path))
            for root, count in (("carer", n_carers), ("sibling", n_siblings)):
                for proto in range(min(count, 2)):
                    if root == "sibling":
                        dims.append(_ages(reads, "sibling", None))
                        slots.append(("sibling", proto, ("age",)))
                    for path, values in by_root.get(root, []):
                        dims.append(values)
                        slots.append((root, proto, path))
            yield _Config(n_carers, n_siblings, dims, slots)


def thresholds(conditions: list[Condition]) -> dict[str, set[Any]]:
    """Every fact the conditions read (siblings' facts as `child.…`), with the constants it is compared with."""
    found: dict[str, set[Any]] = {}
    for condition in conditions:
        for (root, path), constants in _reads_of(condition).facts.items():
            dotted = ".".join(("child" if root == "sibling" else root, *path))
            found.setdefault(dotted, set()).update(constants)
    return found
