"""Compile a condition: parse and check it into its tree (`check.py`), then derive its closures.

Two closures are derived from the tree, once, at load time:

- `fast(env)` returns True, False or None (unknown): no allocation beyond quantifier bindings;
- `trace(env)` returns the same value plus the facts that decided it, for explanations and
  for the questions to ask about unknown facts.

Both combine truth values with the one Kleene loop (`logic.kleene`); the generated code
(`engine/generated.py`) is derived from the same tree, and the differential test
(`tests/unit/test_evaluation_paths.py`) holds all three to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any, Optional

from ..model.ages import AgeSpan
from ..model.catalogue import FactSpec, facts_by_root
from ..model.situation import Carer, Child, Household
from .check import FUNCTIONS, QUANTIFIERS, condition_tree
from .logic import COMPARISONS, Span, Truth, kleene, not3
from .tree import (
    And,
    Band,
    Binder,
    Count,
    Fact,
    FlagTest,
    Node,
    Not,
    NumberTest,
    Or,
    Quantified,
    Test,
    ValuesTest,
    Within,
    in_band,
)

__all__ = ["FUNCTIONS", "QUANTIFIERS", "Condition", "Env", "FactRead", "Leaf", "compile_condition", "within", "within_trace"]


class Env:
    """What a condition can see while one child is assessed."""

    __slots__ = ("child", "household", "carer", "sibling", "_span")

    def __init__(self, child: Child, household: Household, carer: Optional[Carer] = None, sibling: Optional[Child] = None):
        self.child = child
        self.household = household
        self.carer = carer
        self.sibling = sibling
        self._span: Optional[AgeSpan] = None

    @property
    def span(self) -> AgeSpan:
        """The ages the child may be (worked out once per child, on first use)."""
        if self._span is None:
            self._span = self.child.age_span()
        return self._span


@dataclass(frozen=True)
class FactRead:
    """A fact a condition read: whose it is, which it is, and its value (None if unknown)."""

    subject: str
    spec: FactSpec
    value: Any
    test: Optional[tuple[str, Any]] = None
    """The comparison the condition made, e.g. `("<", 90)` or `(">=", "problematic")`; None for a yes/no fact."""

    @property
    def known(self) -> bool:
        return self.value is not None


Trace = tuple[Truth, tuple[FactRead, ...]]
Fast = Callable[[Env], Truth]
Tracer = Callable[[Env], Trace]
Leaf = Test
"""A test of one fact inside a condition (`tree.Test`): its `spec`, its `fact` name and `passes(value)`."""


@dataclass(frozen=True)
class Condition:
    """A compiled condition: its text, its tree, and the closures derived from the tree."""

    text: str
    tree: Node
    fast: Fast
    trace: Tracer

    @property
    def facts(self) -> frozenset[str]:
        """Every fact the condition can read (siblings' as `child.…`)."""
        return self.tree.facts

    @property
    def leaves(self) -> tuple[Test, ...]:
        """Every test of one fact in the condition, wherever it sits (under and/or/not, a quantifier or a count)."""
        return self.tree.leaves


@cache
def reads_child(facts: frozenset[str]) -> bool:
    """Whether a condition reading `facts` can differ between children of one household (a
    sibling's facts are named `child.…` too, so a sibling quantifier counts)."""
    return any(name.startswith("child.") for name in facts)


def compile_condition(text: str) -> Condition:
    """Parse, check and compile `text`; raise ConditionError naming the problem."""
    source, tree = condition_tree(text)
    return Condition(text=source, tree=tree, fast=fast_of(tree), trace=trace_of(tree))


# --- age bands ----------------------------------------------------------------------------------


def within(band: Optional[Band], env: Env, body: Fast) -> Truth:
    """`body` restricted to `band` (a `tree.Within`): false outside the band without evaluating `body`,
    otherwise the Kleene `and` of being in the band and `body`."""
    inside = in_band(band, env.span)
    if inside is False:
        return False
    return kleene((inside, body(env)), False)


def within_trace(band: Optional[Band], env: Env, body: Tracer) -> Trace:
    """`within`, with the facts that decided it: none outside the band, the child's age when it straddles the band."""
    inside = in_band(band, env.span)
    if inside is False:
        return False, ()
    value, reads = body(env)
    value = kleene((inside, value), False)
    if inside is None and value is None:
        return None, (*reads, FactRead(f"child:{env.child.id}", facts_by_root()["child"][("age_months",)], None))
    return value, reads


# --- the fast closures --------------------------------------------------------------------------

# Where each root sits in an Env, so reading a fact is one attrgetter call.
_ENV_PATH = {"home": "household.home", "strengths": "household.strengths"} | {
    root: root for root in ("child", "sibling", "carer", "household")
}


def _getter(fact: Fact) -> Callable[[Env], Any]:
    return attrgetter(".".join((_ENV_PATH[fact.root], *fact.path)))


def fast_of(node: Node) -> Fast:
    """The fast closure of a tree: its truth value for one child."""
    if isinstance(node, Test):
        return _fast_test(node)
    if isinstance(node, (And, Or)):
        parts = tuple(fast_of(part) for part in node.parts)
        decisive = isinstance(node, Or)
        return lambda env: kleene((part(env) for part in parts), decisive)
    if isinstance(node, Not):
        inner = fast_of(node.item)
        return lambda env: not3(inner(env))
    if isinstance(node, Quantified):
        body, members, decisive = fast_of(node.body), _members(node.binder), not node.every
        return lambda env: kleene((body(bound) for bound in members(env)), decisive)
    if isinstance(node, Count):
        return _fast_count(node)
    if isinstance(node, Within):
        band, inner = node.band, fast_of(node.body)
        return lambda env: within(band, env, inner)
    raise TypeError(f"not a condition node: {type(node).__name__}")


def _fast_test(test: Test) -> Fast:
    """A test of one fact, by the quickest equivalent of `test.passes`: a set of values, a comparison, or `is`."""
    get = _getter(test.subject)
    if isinstance(test, ValuesTest):
        satisfying = test.satisfying

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else value in satisfying

    elif isinstance(test, NumberTest):
        compare, bound = COMPARISONS[test.op], test.bound

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else compare(value, bound)

    else:
        assert isinstance(test, FlagTest)
        wanted = test.wanted

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else value is wanted

    return fast


def _fast_count(node: Count) -> Fast:
    op, bound = node.op, node.bound
    if node.binder is None:
        parts = tuple(fast_of(part) for part in node.items)
        return lambda env: Span.of(part(env) for part in parts).compare(op, bound)
    body, members = fast_of(node.items[0]), _members(node.binder)
    return lambda env: Span.of(body(bound_env) for bound_env in members(env)).compare(op, bound)


def _members(binder: Binder) -> Callable[[Env], Iterator[Env]]:
    """The environments a quantifier or a count binds: one per carer, or one per other child.
    A binding made outside (a sibling around a carer quantifier, or the reverse) stays visible."""
    if binder == "carer":

        def carers(env: Env) -> Iterator[Env]:
            child, household, sibling = env.child, env.household, env.sibling
            return (Env(child, household, carer=carer, sibling=sibling) for carer in household.carers)

        return carers

    def siblings(env: Env) -> Iterator[Env]:
        child, household, carer = env.child, env.household, env.carer
        # By id, not identity: a child whose facts that cannot apply at his age were filled in is a copy.
        return (Env(child, household, carer=carer, sibling=other) for other in household.children if other.id != child.id)

    return siblings


# --- the tracing closures -----------------------------------------------------------------------


def trace_of(node: Node) -> Tracer:
    """The tracing closure of a tree: its truth value and the facts that decided it."""
    if isinstance(node, Test):
        return _trace_test(node)
    if isinstance(node, (And, Or)):
        parts = tuple(trace_of(part) for part in node.parts)
        decisive = isinstance(node, Or)
        return lambda env: _combined([part(env) for part in parts], decisive)
    if isinstance(node, Not):
        inner = trace_of(node.item)

        def negated(env: Env) -> Trace:
            value, reads = inner(env)
            return not3(value), reads

        return negated
    if isinstance(node, Quantified):
        body, members, decisive = trace_of(node.body), _members(node.binder), not node.every
        return lambda env: _combined([body(bound) for bound in members(env)], decisive)
    if isinstance(node, Count):
        return _trace_count(node)
    if isinstance(node, Within):
        band, inner = node.band, trace_of(node.body)
        return lambda env: within_trace(band, env, inner)
    raise TypeError(f"not a condition node: {type(node).__name__}")


def _trace_test(test: Test) -> Tracer:
    get, spec, passes, written = _getter(test.subject), test.spec, test.passes, test.written
    subject = _subject_of(test.subject.root)

    def trace(env: Env) -> Trace:
        value = get(env)
        return (None if value is None else passes(value)), (FactRead(subject(env), spec, value, written),)

    return trace


def _trace_count(node: Count) -> Tracer:
    op, bound = node.op, node.bound
    if node.binder is None:
        parts = tuple(trace_of(part) for part in node.items)

        def items(env: Env) -> list[Trace]:
            return [part(env) for part in parts]
    else:
        body, members = trace_of(node.items[0]), _members(node.binder)

        def items(env: Env) -> list[Trace]:
            return [body(bound_env) for bound_env in members(env)]

    def trace(env: Env) -> Trace:
        found = items(env)
        value = Span.of(item[0] for item in found).compare(op, bound)
        return value, _support(found, value)

    return trace


def _subject_of(root: str) -> Callable[[Env], str]:
    if root in ("child", "sibling", "carer"):
        getter = attrgetter(f"{root}.id")
        return lambda env: f"{root if root != 'sibling' else 'child'}:{getter(env)}"
    return lambda env: "household"


def _combined(items: list[Trace], decisive: bool) -> Trace:
    value = kleene((item[0] for item in items), decisive)
    return value, _support(items, value)


def _support(items: list[Trace], value: Truth) -> tuple[FactRead, ...]:
    """The facts that decided `value`: the parts that agree with it (all parts if none do)."""
    agreeing = [reads for result, reads in items if result is value]
    chosen = agreeing if agreeing else [reads for _, reads in items]
    return tuple(read for reads in chosen for read in reads)
