"""The condition tree: what a condition means, parsed and checked once.

`check.py` turns condition text into this tree; every evaluator is derived from it (the
closures and the tracing closures in `compile.py`, the straight-line code in
`engine/generated.py`) and everything else that needs a condition's structure reads it: the
facts it reads and its leaves, the thresholds it draws on numbers (`rulebook/thresholds.py`),
the values a satisfiability search tries (`authoring/satisfy.py`), the counterfactual search's
candidate values, lint's "same condition" check. Nothing outside `language/` reads the text.

Nodes are frozen dataclasses, so two conditions that mean the same test compare equal
(`x == true` and `x`, `in [...]` and `in (...)`) and a tree can key a dict.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Literal, Optional, Protocol

from ..model.ages import MAX_AGE_MONTHS, AgeSpan
from ..model.catalogue import FactSpec
from ..model.facts import Ordinal
from .logic import COMPARISONS, Truth

Binder = Literal["carer", "sibling"]
"""What a quantifier or a count binds: each carer of the household, or each other child."""


@dataclass(frozen=True)
class Fact:
    """A fact a condition names: the root as written (`sibling` inside a sibling quantifier) and its path."""

    root: str
    path: tuple[str, ...]
    spec: FactSpec

    @property
    def name(self) -> str:
        """The fact's name, with `sibling.` read as `child.` (a sibling is a child of the household)."""
        return ".".join(("child" if self.root == "sibling" else self.root, *self.path))


class Node:
    """A node of a condition tree; `parts` are its sub-conditions."""

    @property
    def parts(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        """This node and every node under it, depth first, left to right."""
        yield self
        for part in self.parts:
            yield from part.walk()

    @cached_property
    def leaves(self) -> tuple[Test, ...]:
        """Every test of one fact in the condition, wherever it sits (under and/or/not, a quantifier or a count)."""
        return tuple(node for node in self.walk() if isinstance(node, Test))

    @cached_property
    def facts(self) -> frozenset[str]:
        """Every fact the condition can read (siblings' as `child.…`)."""
        return frozenset(leaf.fact for leaf in self.leaves)


# --- leaves: a test of one fact -------------------------------------------------------------


class Test(Node):
    """A test of one fact: whether a known value passes it. An unknown value leaves it unknown."""

    subject: Fact

    @property
    def spec(self) -> FactSpec:
        return self.subject.spec

    @property
    def fact(self) -> str:
        """The fact's name, with `sibling.` read as `child.`."""
        return self.subject.name

    @property
    def written(self) -> Optional[tuple[str, Any]]:
        """The comparison as an explanation shows it, e.g. `("<", 90)`; None for a yes/no fact."""
        raise NotImplementedError

    def passes(self, value: Any) -> bool:
        """Whether a known value of the fact passes the test."""
        raise NotImplementedError


@dataclass(frozen=True)
class FlagTest(Test):
    """A yes/no fact on its own (`wanted` True) or compared with true or false."""

    subject: Fact
    wanted: bool = True

    @property
    def written(self) -> Optional[tuple[str, Any]]:
        return None if self.wanted else ("==", False)

    def passes(self, value: Any) -> bool:
        return value is self.wanted


@dataclass(frozen=True)
class NumberTest(Test):
    """A number fact compared with a number: `child.education.attendance_percent < 90`."""

    subject: Fact
    op: str
    bound: float

    @property
    def written(self) -> Optional[tuple[str, Any]]:
        return (self.op, self.bound)

    def passes(self, value: Any) -> bool:
        return COMPARISONS[self.op](value, self.bound)


class ValuesTest(Test):
    """A test of a fact with named values: it passes for the values in `satisfying`."""

    @cached_property
    def satisfying(self) -> frozenset[Any]:
        """The values of the fact that pass (a validated value is always one of the fact's values)."""
        assert self.spec.choices is not None
        return frozenset(member for member in self.spec.choices if self.passes(member))


@dataclass(frozen=True)
class OrdinalTest(ValuesTest):
    """An ordinal compared with one of its values by rank: `child.health.growth >= 'faltering'`."""

    subject: Fact
    op: str
    value: Ordinal

    @property
    def written(self) -> Optional[tuple[str, Any]]:
        return (self.op, self.value.value)

    def passes(self, value: Any) -> bool:
        return COMPARISONS[self.op](value.rank, self.value.rank)


@dataclass(frozen=True)
class MemberTest(ValuesTest):
    """A fact with named values in (or not in) a list of them, or a choice `==` / `!=` one value."""

    subject: Fact
    op: Literal["==", "!=", "in", "not in"]
    values: tuple[Enum, ...]
    """The values as written, in order."""

    @property
    def written(self) -> Optional[tuple[str, Any]]:
        if self.op in ("==", "!="):
            return (self.op, self.values[0].value)
        return (self.op, tuple(member.value for member in self.values))

    def passes(self, value: Any) -> bool:
        return (value in self.values) is (self.op in ("==", "in"))


# --- and, or, not -----------------------------------------------------------------------------


@dataclass(frozen=True)
class And(Node):
    """True when every part is; false when any is; otherwise unknown (Kleene)."""

    items: tuple[Node, ...]

    @property
    def parts(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True)
class Or(Node):
    """True when any part is; false when every part is; otherwise unknown (Kleene)."""

    items: tuple[Node, ...]

    @property
    def parts(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True)
class Not(Node):
    """The opposite of its part; unknown stays unknown."""

    item: Node

    @property
    def parts(self) -> tuple[Node, ...]:
        return (self.item,)


# --- quantifiers and counts -------------------------------------------------------------------


@dataclass(frozen=True)
class Quantified(Node):
    """`any_carer(...)`, `all_siblings(...)`: the body for each carer (or each other child), combined
    as `or` (`every` False) or `and` (`every` True)."""

    binder: Binder
    every: bool
    body: Node

    @property
    def parts(self) -> tuple[Node, ...]:
        return (self.body,)


@dataclass(frozen=True)
class Count(Node):
    """How many of some conditions hold, compared with a whole number: `count(a, b, c) >= 2` (`binder`
    None: `items` are the conditions) or `count_carers(body) >= 2` (the body for each carer or sibling)."""

    binder: Optional[Binder]
    items: tuple[Node, ...]
    op: str
    bound: int

    @property
    def parts(self) -> tuple[Node, ...]:
        return self.items


# --- age bands --------------------------------------------------------------------------------


class Band(Protocol):
    """An age band as a rulebook writes it (`rulebook.schema.AgeBand`): months inclusive, and unborn babies."""

    @property
    def min_months(self) -> Optional[int]: ...

    @property
    def max_months(self) -> Optional[int]: ...

    @property
    def unborn(self) -> str: ...


@dataclass(frozen=True)
class Within(Node):
    """A condition restricted to an age band: false for a child outside it, unknown for a child whose
    possible ages straddle it (unless the condition is false anyway), the condition inside it."""

    band: Optional[Band]
    body: Node

    @property
    def parts(self) -> tuple[Node, ...]:
        return (self.body,)


def in_band(band: Optional[Band], span: AgeSpan) -> Truth:
    """Whether a child whose age is `span` is in `band` (None: any age): True when every age the
    span allows is inside, False when every one is outside, unknown only when it straddles (Semantics 11)."""
    if band is None:
        return True
    inside = outside = False
    if span.may_be_unborn:
        if band.unborn == "exclude":
            outside = True
        else:
            inside = True
    if span.may_be_born and span.low <= span.high:
        if band.unborn == "only":
            outside = True
        else:
            low = band.min_months if band.min_months is not None else 0
            high = band.max_months if band.max_months is not None else MAX_AGE_MONTHS
            if span.low >= low and span.high <= high:
                inside = True
            elif span.high < low or span.low > high:
                outside = True
            else:
                inside = outside = True
    if inside and outside:
        return None
    return inside


def negates(node: Node) -> bool:
    """Whether a condition negates anything: a `not`, a `!=` or `not in` (of a fact or a count), or a
    yes/no fact that must be false. A mitigation may not: negating a strength would let adding one raise a level."""
    for part in node.walk():
        if isinstance(part, Not) or getattr(part, "op", None) in ("!=", "not in"):
            return True
        if isinstance(part, FlagTest) and not part.wanted:
            return True
    return False
