"""Check a parsed condition against the fact catalogue and build its condition tree (`tree.py`).

One walk over the whitelisted syntax tree: each name is resolved to a fact with its type and
rejected with the closest valid name if it does not exist, each comparison is checked against
the fact's kind, constants are folded, and the result is a typed tree. This is the only place
that reads a condition's syntax; every evaluator and every analysis reads the tree.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from typing import Any, Optional, Union

from ..errors import ConditionError
from ..model.catalogue import FactSpec, facts_by_root, sections_by_root
from ..model.facts import Choices, Ordinal
from .parse import parse
from .tree import And, Binder, Count, Fact, FlagTest, MemberTest, Node, Not, NumberTest, Or, OrdinalTest, Quantified

QUANTIFIERS: dict[str, tuple[Binder, Optional[bool]]] = {
    "any_carer": ("carer", False),
    "all_carers": ("carer", True),
    "count_carers": ("carer", None),
    "any_sibling": ("sibling", False),
    "all_siblings": ("sibling", True),
    "count_siblings": ("sibling", None),
}
"""Each function over carers or siblings: what it binds, and whether it needs every one (None: a count)."""
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


def condition_tree(text: str) -> tuple[str, Node]:
    """Parse and check `text`: its normalised text and its tree, or ConditionError naming the problem."""
    syntax = parse(text)
    source = " ".join(text.split())
    return source, _Checker(source).condition(syntax.body, scope=ALWAYS_ROOTS)


@dataclass(frozen=True)
class _Constant:
    value: Any
    node: ast.AST


@dataclass(frozen=True)
class _Counted:
    """A count before it is compared: `count(a, b)` (binder None) or `count_carers(body)`."""

    binder: Optional[Binder]
    items: tuple[Node, ...]


_Operand = Union[_Constant, _Counted, Fact]


class _Checker:
    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, msg: str, node: ast.AST, **extra: Any) -> ConditionError:
        return ConditionError(msg, self.text, col=getattr(node, "col_offset", None), **extra)

    # --- boolean nodes --------------------------------------------------------------------

    def condition(self, node: ast.expr, scope: tuple[str, ...]) -> Node:
        if isinstance(node, ast.BoolOp):
            parts = tuple(self.condition(value, scope) for value in node.values)
            return And(parts) if isinstance(node.op, ast.And) else Or(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Not(self.condition(node.operand, scope))
        if isinstance(node, ast.Compare):
            return self.compare(node, scope)
        if isinstance(node, ast.Call):
            name = self.call_name(node)
            if name.startswith("count"):
                raise self.fail(f"{name}(...) gives a number; compare it, e.g. {name}(...) >= 2", node)
            binder, every = QUANTIFIERS[name]
            assert every is not None
            return Quantified(binder, every, self.bound_body(node, name, scope))
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
            return FlagTest(fact)
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

    def bound_body(self, node: ast.Call, name: str, scope: tuple[str, ...]) -> Node:
        """The one condition a quantifier or a per-carer/per-sibling count applies to each member."""
        binder, _ = QUANTIFIERS[name]
        if len(node.args) != 1:
            raise self.fail(f"{name}(...) takes one condition", node)
        if binder in scope:
            raise self.fail(f"{name}(...) cannot be nested inside another {binder} quantifier", node)
        return self.condition(node.args[0], (*scope, binder))

    def compare(self, node: ast.Compare, scope: tuple[str, ...]) -> Node:
        operands = [node.left, *node.comparators]
        pairs = tuple(
            self.pair(operands[index], _OP_SYMBOLS[type(op)], operands[index + 1], scope, node)
            for index, op in enumerate(node.ops)
        )
        return pairs[0] if len(pairs) == 1 else And(pairs)

    def pair(self, left: ast.expr, op: str, right: ast.expr, scope: tuple[str, ...], node: ast.AST) -> Node:
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
        if isinstance(left_value, _Counted):
            return self.count_test(left_value, op, right_value, node)
        assert isinstance(left_value, Fact)
        return self.fact_test(left_value, op, right_value, node)

    # --- value nodes ----------------------------------------------------------------------

    def operand(self, node: ast.expr, scope: tuple[str, ...]) -> _Operand:
        if isinstance(node, ast.Constant):
            return _Constant(node.value, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):  # parse() allows it only before a number
            number = node.operand.value if isinstance(node.operand, ast.Constant) else None
            if isinstance(number, (int, float)):
                return _Constant(-number, node)
        if isinstance(node, ast.Name) and node.id in _LITERALS:
            return _Constant(_LITERALS[node.id], node)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.operand(item, scope) for item in node.elts]
            values = [item for item in items if isinstance(item, _Constant)]
            if not items or len(values) < len(items):
                raise self.fail("a list in a condition must hold values, e.g. ['mother', 'father']", node)
            return _Constant([item.value for item in values], node)
        if isinstance(node, ast.Call):
            return self.counter(node, self.call_name(node), scope)
        if isinstance(node, (ast.Attribute, ast.Name)):
            return self.fact(node, scope)
        raise self.fail("expected a fact, a value or a count", node)

    def counter(self, node: ast.Call, name: str, scope: tuple[str, ...]) -> _Counted:
        if name == "count":
            if len(node.args) < 2:
                raise self.fail("count(...) takes two or more conditions", node)
            return _Counted(None, tuple(self.condition(arg, scope) for arg in node.args))
        if not name.startswith("count_"):
            raise self.fail(f"{name}(...) is a condition, not a number", node)
        return _Counted(QUANTIFIERS[name][0], (self.bound_body(node, name, scope),))

    def fact(self, node: ast.expr, scope: tuple[str, ...]) -> Fact:
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
        return Fact(root, path, spec)

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

    def fact_test(self, fact: Fact, op: str, constant: _Constant, node: ast.AST) -> Node:
        spec = fact.spec
        if spec.kind == "number":
            bound = constant.value
            if isinstance(bound, bool) or not isinstance(bound, (int, float)) or op in ("in", "not in"):
                raise self.fail(f"'{spec.dotted}' is a number; compare it with a number", node, expected=_example(spec))
            return NumberTest(fact, op, bound)
        if spec.kind == "flag":
            if op not in ("==", "!=") or not isinstance(constant.value, bool):
                raise self.fail(f"'{spec.dotted}' is yes/no; use it on its own or with == true", node)
            return FlagTest(fact, constant.value if op == "==" else not constant.value)
        assert spec.choices is not None
        if op in ("in", "not in"):
            if not isinstance(constant.value, list):
                raise self.fail(f"'{op}' needs a list of values, e.g. ['a', 'b']", node)
            members = tuple(self.member(spec, item, constant.node) for item in constant.value)
            return MemberTest(fact, op, members)  # type: ignore[arg-type]
        member = self.member(spec, constant.value, constant.node)
        if spec.kind == "choice":
            if op not in ("==", "!="):
                raise self.fail(f"'{spec.dotted}' has no order; use ==, != or in", node)
            return MemberTest(fact, op, (member,))  # type: ignore[arg-type]
        assert isinstance(member, Ordinal)  # an ordinal fact's values are an Ordinal's
        return OrdinalTest(fact, op, member)

    def member(self, spec: FactSpec, value: Any, node: ast.AST) -> Choices:
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

    def count_test(self, counted: _Counted, op: str, constant: _Constant, node: ast.AST) -> Node:
        bound = constant.value
        if isinstance(bound, bool) or not isinstance(bound, int) or op in ("in", "not in"):
            raise self.fail("compare a count with a whole number, e.g. >= 2", node)
        return Count(counted.binder, counted.items, op, bound)


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
