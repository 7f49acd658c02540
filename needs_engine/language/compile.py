"""Check a parsed condition against the fact catalogue and compile it into closures.

Checking and compiling are one walk: each node is resolved to a fact (or a count, or a
constant) with its type, rejected with the closest valid name if it does not exist, and turned
into two closures built once at load time:

- `fast(env)` returns True, False or None (unknown): the hot path, no allocation beyond
  quantifier bindings;
- `trace(env)` returns the same value plus the facts that decided it, for explanations and
  for the questions to ask about unknown facts.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import Any, Optional

from ..errors import ConditionError
from ..model.ages import AgeSpan
from ..model.catalogue import FactSpec, facts_by_root, sections_by_root
from ..model.situation import Carer, Child, Household
from .logic import COMPARISONS, Span, Truth, all3, any3, not3
from .parse import parse


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
Plan = tuple[Any, ...]
"""The shape of a compiled condition, for code generation: ("leaf", root, path, mode, payload),
("and" | "or", parts), ("not", part) or ("any" | "all", binder, part). `mode` is "in" (payload: the
satisfying values), "compare" (payload: operator symbol, bound) or "is" (payload: the wanted bool)."""
Fast = Callable[[Env], Truth]
Tracer = Callable[[Env], Trace]


@dataclass(frozen=True)
class Condition:
    """A compiled condition: its text, its closures and every fact it can read."""

    text: str
    fast: Fast
    trace: Tracer
    facts: frozenset[str]
    plan: Optional[Plan] = None
    """The condition as a small tree the engine can generate straight-line code from (None: use `fast`)."""
    leaves: tuple[Leaf, ...] = ()
    """Every test of one fact in the condition, wherever it sits (under and/or/not, a quantifier or a count)."""


@dataclass(frozen=True)
class Leaf:
    """A test of one fact inside a condition: the fact, and whether a known value passes the test."""

    spec: FactSpec
    passes: Callable[[Any], bool]

    @property
    def fact(self) -> str:
        """The fact's name, with `sibling.` read as `child.` (a sibling is a child of the household)."""
        return self.spec.dotted if self.spec.root != "sibling" else "child." + ".".join(self.spec.path)


QUANTIFIERS = {
    "any_carer": ("carer", any3),
    "all_carers": ("carer", all3),
    "count_carers": ("carer", None),
    "any_sibling": ("sibling", any3),
    "all_siblings": ("sibling", all3),
    "count_siblings": ("sibling", None),
}
FUNCTIONS = sorted([*QUANTIFIERS, "count"])
ALWAYS_ROOTS = ("child", "home", "household", "strengths")
_LITERALS = {"true": True, "false": False, "True": True, "False": False}
_OP_SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_SYMBOL_OF = {function: symbol for symbol, function in COMPARISONS.items()}


def compile_condition(text: str) -> Condition:
    """Parse, check and compile `text`; raise ConditionError naming the problem."""
    tree = parse(text)
    source = " ".join(text.split())
    compiler = _Compiler(source)
    node = compiler.condition(tree.body, scope=ALWAYS_ROOTS)
    return Condition(
        text=source,
        fast=node.fast,
        trace=node.trace,
        facts=frozenset(compiler.facts),
        plan=node.plan,
        leaves=tuple(compiler.leaves),
    )


@dataclass(frozen=True)
class _Cond:
    fast: Fast
    trace: Tracer
    plan: Optional[Plan] = None
    test: Optional[Callable[[Any], bool]] = None
    """For a test of one fact: whether a known value passes it."""


@dataclass(frozen=True)
class _Fact:
    spec: FactSpec
    get: Callable[[Env], Any]
    subject: Callable[[Env], str]
    root: str = ""
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Count:
    items: Callable[[Env], list[Trace]]
    fast_span: Callable[[Env], Span]


def _subject_of(root: str) -> Callable[[Env], str]:
    if root in ("child", "sibling", "carer"):
        getter = attrgetter(f"{root}.id")
        return lambda env: f"{root if root != 'sibling' else 'child'}:{getter(env)}"
    return lambda env: "household"


# Where each root sits in an Env, so reading a fact is one attrgetter call.
_ENV_PATH = {"home": "household.home", "strengths": "household.strengths"} | {
    root: root for root in ("child", "sibling", "carer", "household")
}


class _Compiler:
    def __init__(self, text: str) -> None:
        self.text = text
        self.facts: set[str] = set()
        self.leaves: list[Leaf] = []

    def fail(self, msg: str, node: ast.AST, **extra: Any) -> ConditionError:
        return ConditionError(msg, self.text, col=getattr(node, "col_offset", None), **extra)

    # --- boolean nodes --------------------------------------------------------------------

    def condition(self, node: ast.expr, scope: tuple[str, ...]) -> _Cond:
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(value, scope) for value in node.values]
            return _combine(parts, all3 if isinstance(node.op, ast.And) else any3)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.condition(node.operand, scope)
            return _Cond(
                fast=lambda env: not3(inner.fast(env)),
                trace=lambda env: _negate(inner.trace(env)),
                plan=("not", inner.plan) if inner.plan is not None else None,
            )
        if isinstance(node, ast.Compare):
            return self.compare(node, scope)
        if isinstance(node, ast.Call):
            name = self.call_name(node)
            if name.startswith("count"):
                raise self.fail(f"{name}(...) gives a number; compare it, e.g. {name}(...) >= 2", node)
            return self.quantifier(node, name, scope)
        if isinstance(node, (ast.Attribute, ast.Name)):
            if isinstance(node, ast.Name) and node.id in _LITERALS:
                raise self.fail("a condition that is always true or false is not allowed", node)
            fact = self.fact(node, scope)
            if fact.spec.kind != "flag":
                raise self.fail(
                    f"'{fact.spec.dotted}' is a {fact.spec.kind}, not yes/no; compare it with a value",
                    node,
                    expected=_example(fact.spec),
                )
            return self.record(fact, _flag(fact))
        if isinstance(node, ast.Constant):
            raise self.fail("a condition that is always true or false is not allowed", node)
        raise self.fail("expected a condition", node)

    def call_name(self, node: ast.Call) -> str:
        assert isinstance(node.func, ast.Name)  # parse() guarantees this
        name = node.func.id
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            raise self.fail(
                f"unknown function: '{name}'", node, suggestion=close[0] if close else None, expected=", ".join(FUNCTIONS)
            )
        return name

    def quantifier(self, node: ast.Call, name: str, scope: tuple[str, ...]) -> _Cond:
        binder, combine = QUANTIFIERS[name]
        if len(node.args) != 1:
            raise self.fail(f"{name}(...) takes one condition", node)
        if binder in scope:
            raise self.fail(f"{name}(...) cannot be nested inside another {binder} quantifier", node)
        inner = self.condition(node.args[0], (*scope, binder))
        members = _members(binder)
        assert combine is not None
        return _Cond(
            fast=_fast_quantifier(inner.fast, binder, combine),
            trace=lambda env: _trace_combine([inner.trace(bound) for bound in members(env)], combine),
            # Only the simple shape: a quantifier inside another keeps its closure.
            plan=("any" if combine is any3 else "all", binder, inner.plan) if _flat(inner.plan) else None,
        )

    def compare(self, node: ast.Compare, scope: tuple[str, ...]) -> _Cond:
        operands = [node.left, *node.comparators]
        pairs = []
        for index, op in enumerate(node.ops):
            symbol = _OP_SYMBOLS[type(op)]
            pairs.append(self.pair(operands[index], symbol, operands[index + 1], scope, node))
        return pairs[0] if len(pairs) == 1 else _combine(pairs, all3)

    def pair(self, left: ast.expr, op: str, right: ast.expr, scope: tuple[str, ...], node: ast.AST) -> _Cond:
        left_value, right_value = self.operand(left, scope), self.operand(right, scope)
        if isinstance(left_value, _Constant) and isinstance(right_value, _Constant):
            raise self.fail("compare a fact with a value, not two values", node)
        if not isinstance(left_value, _Constant) and not isinstance(right_value, _Constant):
            raise self.fail("compare a fact with a value, not two facts", node)
        if isinstance(left_value, _Constant):
            if op in ("in", "not in"):
                raise self.fail("write the fact on the left of 'in'", node)
            left_value, right_value, op = right_value, left_value, _FLIPPED[op]
        assert isinstance(right_value, _Constant)
        if isinstance(left_value, _Count):
            return self.count_test(left_value, op, right_value, node)
        assert isinstance(left_value, _Fact)
        return self.record(left_value, self.fact_test(left_value, op, right_value, node))

    def record(self, fact: _Fact, cond: _Cond) -> _Cond:
        """Keep the test of one fact as a leaf of the condition (see `Condition.leaves`)."""
        assert cond.test is not None
        self.leaves.append(Leaf(fact.spec, cond.test))
        return cond

    # --- value nodes ----------------------------------------------------------------------

    def operand(self, node: ast.expr, scope: tuple[str, ...]) -> Any:
        if isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)):
            value = node.value if isinstance(node, ast.Constant) else -node.operand.value  # type: ignore[attr-defined, operator]
            return _Constant(value, node)
        if isinstance(node, ast.Name) and node.id in _LITERALS:
            return _Constant(_LITERALS[node.id], node)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.operand(item, scope) for item in node.elts]
            if not items or not all(isinstance(item, _Constant) for item in items):
                raise self.fail("a list in a condition must hold values, e.g. ['mother', 'father']", node)
            return _Constant([item.value for item in items], node)
        if isinstance(node, ast.Call):
            return self.counter(node, self.call_name(node), scope)
        if isinstance(node, (ast.Attribute, ast.Name)):
            return self.fact(node, scope)
        raise self.fail("expected a fact, a value or a count", node)

    def counter(self, node: ast.Call, name: str, scope: tuple[str, ...]) -> _Count:
        if name == "count":
            if len(node.args) < 2:
                raise self.fail("count(...) takes two or more conditions", node)
            parts = [self.condition(arg, scope) for arg in node.args]
            return _Count(
                items=lambda env: [part.trace(env) for part in parts],
                fast_span=lambda env: Span.of(part.fast(env) for part in parts),
            )
        if not name.startswith("count_"):
            raise self.fail(f"{name}(...) is a condition, not a number", node)
        binder, _ = QUANTIFIERS[name]
        if len(node.args) != 1:
            raise self.fail(f"{name}(...) takes one condition", node)
        if binder in scope:
            raise self.fail(f"{name}(...) cannot be nested inside another {binder} quantifier", node)
        inner = self.condition(node.args[0], (*scope, binder))
        members = _members(binder)
        return _Count(
            items=lambda env: [inner.trace(bound) for bound in members(env)],
            fast_span=lambda env: Span.of(inner.fast(bound) for bound in members(env)),
        )

    def fact(self, node: ast.expr, scope: tuple[str, ...]) -> _Fact:
        names: list[str] = []
        current = node
        while isinstance(current, ast.Attribute):
            names.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            raise self.fail("expected a fact name such as child.education.attendance_percent", node)
        root, path = current.id, tuple(reversed(names))
        if root not in scope:
            if root in ("carer", "sibling"):
                quantifier = "any_carer" if root == "carer" else "any_sibling"
                raise self.fail(f"'{root}' can only be used inside {quantifier}(...) or similar", node)
            close = difflib.get_close_matches(root, list(scope), n=1)
            raise self.fail(f"unknown name: '{root}'", node, suggestion=close[0] if close else None, expected=", ".join(scope))
        spec = facts_by_root()[root].get(path)
        if spec is None:
            raise self.unknown_fact(root, path, node)
        self.facts.add(spec.dotted if root != "sibling" else "child." + ".".join(path))
        return _Fact(
            spec=spec, get=attrgetter(".".join((_ENV_PATH[root], *path))), subject=_subject_of(root), root=root, path=path
        )

    def unknown_fact(self, root: str, path: tuple[str, ...], node: ast.AST) -> ConditionError:
        sections = sections_by_root()[root]
        for depth in range(len(path)):
            known = sections.get(path[:depth], [])
            if path[depth] not in known:
                written = ".".join((root, *path))
                close = difflib.get_close_matches(path[depth], known, n=1, cutoff=0.5)
                repaired = (*path[:depth], close[0], *path[depth + 1 :]) if close else None
                if repaired is not None and repaired in facts_by_root()[root]:
                    suggestion: Optional[str] = ".".join((root, *repaired))
                else:
                    suggestion = _closest_anywhere(root, path) or (".".join((root, *repaired)) if repaired else None)
                return self.fail(f"unknown fact: '{written}'", node, suggestion=suggestion, found=written)
        return self.fail(f"'{'.'.join((root, *path))}' is a section, not a fact; name a fact inside it", node)

    # --- tests ----------------------------------------------------------------------------

    def fact_test(self, fact: _Fact, op: str, constant: _Constant, node: ast.AST) -> _Cond:
        spec = fact.spec
        if spec.kind == "number":
            bound = constant.value
            if isinstance(bound, bool) or not isinstance(bound, (int, float)) or op in ("in", "not in"):
                raise self.fail(f"'{spec.dotted}' is a number; compare it with a number", node, expected=_example(spec))
            test = COMPARISONS[op]
            return _leaf(fact, lambda value: test(value, bound), (op, bound), fast_test=(COMPARISONS[op], bound))
        if spec.kind == "flag":
            if op not in ("==", "!=") or not isinstance(constant.value, bool):
                raise self.fail(f"'{spec.dotted}' is yes/no; use it on its own or with == true", node)
            wanted = constant.value if op == "==" else not constant.value
            return _leaf(fact, lambda value: value is wanted, None if wanted else ("==", False), wanted=wanted)
        assert spec.choices is not None
        if op in ("in", "not in"):
            if not isinstance(constant.value, list):
                raise self.fail(f"'{op}' needs a list of values, e.g. ['a', 'b']", node)
            members = frozenset(self.member(spec, item, constant.node) for item in constant.value)
            inside = op == "in"
            return _leaf(
                fact,
                lambda value: (value in members) is inside,
                (op, tuple(constant.value)),
                satisfying=_satisfying(spec, lambda m: (m in members) is inside),
            )
        member = self.member(spec, constant.value, constant.node)
        if spec.kind == "choice":
            if op not in ("==", "!="):
                raise self.fail(f"'{spec.dotted}' has no order; use ==, != or in", node)
            equal = op == "=="
            return _leaf(
                fact,
                lambda value: (value is member) is equal,
                (op, member.value),
                satisfying=_satisfying(spec, lambda m: (m is member) is equal),
            )
        rank, test = member.rank, COMPARISONS[op]  # type: ignore[attr-defined]
        return _leaf(
            fact,
            lambda value: test(value.rank, rank),
            (op, member.value),
            satisfying=_satisfying(spec, lambda m: test(m.rank, rank)),
        )

    def member(self, spec: FactSpec, value: Any, node: ast.AST) -> Enum:
        assert spec.choices is not None
        allowed = [m.value for m in spec.choices]
        if not isinstance(value, str) or value not in allowed:
            close = [a for a in allowed if isinstance(value, str) and value and a.startswith(value)]
            close = close or difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.4)
            raise self.fail(
                f"'{value}' is not a value of {spec.dotted}",
                node,
                suggestion=close[0] if close else None,
                expected=", ".join(allowed),
            )
        return spec.choices(value)

    def count_test(self, counter: _Count, op: str, constant: _Constant, node: ast.AST) -> _Cond:
        bound = constant.value
        if isinstance(bound, bool) or not isinstance(bound, int) or op in ("in", "not in"):
            raise self.fail("compare a count with a whole number, e.g. >= 2", node)

        def trace(env: Env) -> Trace:
            items = counter.items(env)
            value = Span.of(item[0] for item in items).compare(op, bound)
            return value, _support(items, value)

        return _Cond(fast=lambda env: counter.fast_span(env).compare(op, bound), trace=trace)


@dataclass(frozen=True)
class _Constant:
    value: Any
    node: ast.AST


def _members(binder: str) -> Callable[[Env], list[Env]]:
    if binder == "carer":
        return lambda env: [Env(env.child, env.household, carer=carer) for carer in env.household.carers]
    return lambda env: [
        Env(env.child, env.household, carer=env.carer, sibling=other)
        for other in env.household.children
        if other is not env.child
    ]


def _satisfying(spec: FactSpec, test: Callable[[Any], bool]) -> frozenset[Any]:
    """The values of a fact with choices for which `test` holds (a validated value is always one of them)."""
    assert spec.choices is not None
    return frozenset(member for member in spec.choices if test(member))


def _fast_quantifier(inner: Fast, binder: str, combine: Callable[..., Truth]) -> Fast:
    """`combine(inner(bound) for bound in _members(binder)(env))` for all3/any3, inlined."""
    assert combine is all3 or combine is any3, "quantifiers combine with all3 or any3 only"
    decisive = combine is any3
    fallback = not decisive
    if binder == "carer":

        def each(env: Env) -> Iterable[Env]:
            child, household = env.child, env.household
            return (Env(child, household, carer=carer) for carer in household.carers)
    else:
        each = _members(binder)

    def fast(env: Env) -> Truth:
        unknown = False
        for bound in each(env):
            value = inner(bound)
            if value is decisive:
                return decisive
            if value is None:
                unknown = True
        return None if unknown else fallback

    return fast


def _leaf(
    fact: _Fact,
    test: Callable[[Any], bool],
    written: Optional[tuple[str, Any]] = None,
    *,
    satisfying: Optional[frozenset[Any]] = None,
    fast_test: Optional[tuple[Callable[[Any, Any], bool], Any]] = None,
    wanted: Optional[bool] = None,
) -> _Cond:
    """A test of one fact. `fast` uses `satisfying`, `fast_test` or `wanted` (a yes/no fact is this bool)
    when given: the same answer as `test`, sooner."""
    get, subject, spec = fact.get, fact.subject, fact.spec
    plan: Optional[Plan] = None
    if satisfying is not None:
        plan = ("leaf", fact.root, fact.path, "in", satisfying)
    elif fast_test is not None:
        plan = ("leaf", fact.root, fact.path, "compare", (_SYMBOL_OF[fast_test[0]], fast_test[1]))
    elif wanted is not None:
        plan = ("leaf", fact.root, fact.path, "is", wanted)

    if satisfying is not None:

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else value in satisfying

    elif fast_test is not None:
        compare, bound = fast_test

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else compare(value, bound)

    elif wanted is not None:

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else value is wanted

    else:

        def fast(env: Env) -> Truth:
            value = get(env)
            return None if value is None else test(value)

    def trace(env: Env) -> Trace:
        value = get(env)
        return (None if value is None else test(value)), (FactRead(subject(env), spec, value, written),)

    return _Cond(fast=fast, trace=trace, plan=plan, test=test)


def _flag(fact: _Fact) -> _Cond:
    return _leaf(fact, lambda value: value is True, wanted=True)


def _combine(parts: list[_Cond], combine: Callable[..., Truth]) -> _Cond:
    plans = [part.plan for part in parts]
    return _Cond(
        fast=_fast_combine([part.fast for part in parts], combine),
        trace=lambda env: _trace_combine([part.trace(env) for part in parts], combine),
        plan=("and" if combine is all3 else "or", tuple(plans)) if all(p is not None for p in plans) else None,
    )


def _flat(plan: Optional[Plan]) -> bool:
    """True for a plan with no quantifier inside it."""
    if plan is None:
        return False
    if plan[0] == "leaf":
        return True
    if plan[0] in ("any", "all"):
        return False
    if plan[0] == "not":
        return _flat(plan[1])
    return all(_flat(part) for part in plan[1])


def _fast_combine(fasts: list[Fast], combine: Callable[..., Truth]) -> Fast:
    """Kleene and/or of `fasts`, inlined (the same answers as all3/any3 over them, without a generator)."""
    assert combine is all3 or combine is any3, "and/or combine with all3 or any3 only"
    decisive = combine is any3
    fallback = not decisive

    def fast(env: Env) -> Truth:
        unknown = False
        for part in fasts:
            value = part(env)
            if value is decisive:
                return decisive
            if value is None:
                unknown = True
        return None if unknown else fallback

    return fast


def _trace_combine(items: list[Trace], combine: Callable[..., Truth]) -> Trace:
    value = combine(item[0] for item in items)
    return value, _support(items, value)


def _support(items: list[Trace], value: Truth) -> tuple[FactRead, ...]:
    """The facts that decided `value`: the parts that agree with it (all parts if none do)."""
    agreeing = [reads for result, reads in items if result is value]
    chosen = agreeing if agreeing else [reads for _, reads in items]
    return tuple(read for reads in chosen for read in reads)


def _negate(result: Trace) -> Trace:
    return not3(result[0]), result[1]


def _example(spec: FactSpec) -> str:
    if spec.kind == "number":
        return f"{spec.dotted} >= {int(spec.maximum or 1) // 2}" if spec.direction != "lower_is_worse" else f"{spec.dotted} < 90"
    if spec.kind in ("ordinal", "choice") and spec.choices is not None:
        return f"{spec.dotted} == '{list(spec.choices)[-1].value}'"
    return spec.dotted


def _closest_anywhere(root: str, path: tuple[str, ...]) -> Optional[str]:
    """When the section is wrong too, look for the leaf name anywhere under the root."""
    candidates = {".".join(p): p for p in facts_by_root()[root]}
    close = difflib.get_close_matches(".".join(path), list(candidates), n=1, cutoff=0.5)
    if not close:
        by_leaf = {p[-1]: p for p in facts_by_root()[root]}
        leaf = difflib.get_close_matches(path[-1], list(by_leaf), n=1, cutoff=0.6)
        close = [".".join(by_leaf[leaf[0]])] if leaf else []
    return f"{root}.{close[0]}" if close else None
