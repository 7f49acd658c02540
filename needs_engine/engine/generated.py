"""Straight-line Python generated from a rulebook's condition trees: the evaluation hot path.

The closures derived by `language/compile.py` cost a Python call per node; for a whole rulebook
that is the engine's inner loop. Here every descriptor's condition tree (`Condition.tree`) is
turned, once per rulebook, into source for two functions:

- `household_pass(env)`: the conditions that read no fact of the child (carers, the home,
  strengths), once per household; it returns their values as a tuple;
- `child_pass(env, in_band, shared, fired, unknown)`: every descriptor in rulebook order, each
  fact read once into a local, Kleene logic written out as comparisons with True/False/None,
  appending to `fired` and `unknown` exactly as `Applicable.fast` would decide (a descriptor
  that tests one fact is decided in a single branch on that fact).

Every node type of the tree is written out; three-valued `and`, `or` and quantifiers share one
template (`_Writer.fold`), counts go through `logic.Span` as the closures do. The generated
source holds no text from the rulebook: only attribute paths checked against the model when the
rulebook loaded, operator symbols, and references to constants (satisfying-value sets, bounds,
descriptors) passed in by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..language.compile import Env
from ..language.logic import Span
from ..language.tree import And, Count, FlagTest, Node, Not, NumberTest, Or, Quantified, Test, ValuesTest
from ..rulebook.parts import Descriptor

_READ_PREFIX = {"child": "child", "home": "household.home", "household": "household", "strengths": "household.strengths"}


@dataclass(frozen=True)
class Passes:
    household_pass: Callable[[Env], tuple[Any, ...]]
    child_pass: Callable[[Env, list[Any], tuple[Any, ...], list[Descriptor], list[Descriptor]], None]
    source: str


class _Writer:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.lines: list[str] = []
        self.reads: dict[str, str] = {}
        self.read_lines: list[str] = []
        self.counter = 0

    def temp(self) -> str:
        self.counter += 1
        return f"_t{self.counter}"

    def constant(self, value: Any) -> str:
        name = f"_K{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def read(self, root: str, path: tuple[str, ...]) -> str:
        """A local holding the fact (hoisted to the top of the function for child and household facts)."""
        if root in ("carer", "sibling"):
            return ".".join((root, *path))
        expression = ".".join((_READ_PREFIX[root], *path))
        name = self.reads.get(expression)
        if name is None:
            name = self.reads[expression] = f"_f{len(self.reads)}"
            self.read_lines.append(f"    {name} = {expression}")
        return name

    def emit(self, node: Node, indent: str) -> str:
        """Write statements computing `node`'s truth value; return the name holding it."""
        if isinstance(node, Test):
            return self.leaf(node, indent)
        if isinstance(node, (And, Or)):
            parts = [self.emit(part, indent) for part in node.parts]
            return self.fold(isinstance(node, Or), [f"{indent}for _v in ({', '.join(parts)},):"], "_v", indent)
        if isinstance(node, Not):
            inner = self.emit(node.item, indent)
            out = self.temp()
            self.lines.append(f"{indent}{out} = None if {inner} is None else not {inner}")
            return out
        if isinstance(node, Quantified):
            loop = self.loop(node.binder, indent)
            inner = self.nested(node.body, indent + "    ", loop)
            return self.fold(not node.every, loop, inner, indent)
        if isinstance(node, Count):
            return self.count(node, indent)
        raise ValueError(f"no code for a {type(node).__name__} node")

    def fold(self, decisive: bool, loop: list[str], value: str, indent: str) -> str:
        """The three-valued and/or over the values a loop yields (the one template for and, or and quantifiers):
        `decisive` as soon as one value is, else unknown if any value was, else the other truth value."""
        out = self.temp()
        self.lines.append(f"{indent}{out} = {not decisive}")
        self.lines.extend(loop)
        self.lines.append(f"{indent}    if {value} is {decisive}:")
        self.lines.append(f"{indent}        {out} = {decisive}")
        self.lines.append(f"{indent}        break")
        self.lines.append(f"{indent}    if {value} is None:")
        self.lines.append(f"{indent}        {out} = None")
        return out

    def loop(self, binder: str, indent: str) -> list[str]:
        """The loop binding each carer, or each other child, as the closures' `_members` do."""
        if binder == "carer":
            return [f"{indent}for carer in household.carers:"]
        return [
            f"{indent}for sibling in household.children:",
            f"{indent}    if sibling.id == child.id:",
            f"{indent}        continue",
        ]

    def nested(self, node: Node, indent: str, body: list[str]) -> str:
        """Write `node`'s statements onto `body` (a loop's lines) rather than the function's."""
        outer, self.lines = self.lines, body
        name = self.emit(node, indent)
        self.lines = outer
        return name

    def count(self, node: Count, indent: str) -> str:
        """How many of the values hold, compared as `logic.Span` compares (unknowns undecided)."""
        out = self.temp()
        compare = self.constant(lambda values, op=node.op, bound=node.bound: Span.of(values).compare(op, bound))
        if node.binder is None:
            parts = [self.emit(part, indent) for part in node.items]
            self.lines.append(f"{indent}{out} = {compare}(({', '.join(parts)},))")
            return out
        values = self.temp()
        loop = self.loop(node.binder, indent)
        inner = self.nested(node.items[0], indent + "    ", loop)
        self.lines.append(f"{indent}{values} = []")
        self.lines.extend(loop)
        self.lines.append(f"{indent}    {values}.append({inner})")
        self.lines.append(f"{indent}{out} = {compare}({values})")
        return out

    def leaf(self, test: Test, indent: str) -> str:
        out = self.temp()
        value = self.read(test.subject.root, test.subject.path)
        if test.subject.root in ("carer", "sibling"):
            local = self.temp()
            self.lines.append(f"{indent}{local} = {value}")
            value = local
        self.lines.append(f"{indent}{out} = None if {value} is None else {self.test(value, test)}")
        return out

    def test(self, value: str, test: Test) -> str:
        """The expression a leaf applies to a known value (a bool)."""
        if isinstance(test, ValuesTest):
            return f"{value} in {self.constant(test.satisfying)}"
        if isinstance(test, NumberTest):
            assert test.op in ("<", "<=", ">", ">=", "==", "!=")
            return f"{value} {test.op} {self.constant(test.bound)}"
        assert isinstance(test, FlagTest)
        return f"{value} is {test.wanted!r}"

    def decide_leaf(self, test: Test, target: str, add_fired: str, indent: str) -> None:
        """A descriptor whose condition is one test of a child or household fact, decided in one branch:
        the same decisions as computing its truth value first, with fewer steps (most facts of a
        referral are unknown, and then only the first test runs)."""
        value = self.read(test.subject.root, test.subject.path)
        self.lines.append(f"{indent}if {value} is None:")
        self.lines.append(f"{indent}    unknown.append({target})")
        self.lines.append(f"{indent}elif ({self.test(value, test)}) is True:")
        self.lines.append(f"{indent}    {add_fired}")

    def value_of(self, descriptor: Descriptor, indent: str) -> str:
        return self.emit(descriptor.applies.condition.tree, indent)


def generate(items: Sequence[tuple[Descriptor, int, bool]]) -> Passes:
    """Both passes for descriptors given in rulebook order as (descriptor, age band index or -1, household only)."""
    namespace: dict[str, Any] = {}
    shared = _Writer(namespace)
    shared_names = []
    for descriptor, _, household_only in items:
        if household_only:
            shared_names.append(shared.value_of(descriptor, "    "))
    household_source = "\n".join(
        [
            "def household_pass(env):",
            "    household = env.household",
            "    child = env.child",
            *shared.read_lines,
            *shared.lines,
            f"    return ({', '.join(shared_names)}{',' if len(shared_names) == 1 else ''})",
        ]
    )

    per_child = _Writer(namespace)
    per_child.counter = shared.counter
    position = 0
    for descriptor, band, household_only in items:
        target = per_child.constant(descriptor)
        if band >= 0:
            per_child.lines.append(f"    _b = in_band[{band}]")
            per_child.lines.append("    if _b is not False:")
            indent = "        "
        else:
            indent = "    "
        add_fired = f"(fired if _b is True else unknown).append({target})" if band >= 0 else f"fired.append({target})"
        tree = descriptor.applies.condition.tree
        if not household_only and isinstance(tree, Test) and tree.subject.root not in ("carer", "sibling"):
            per_child.decide_leaf(tree, target, add_fired, indent)
            continue
        if household_only:
            value = f"_s{position}"
            position += 1
        else:
            value = per_child.value_of(descriptor, indent)
        per_child.lines.append(f"{indent}if {value} is True:")
        per_child.lines.append(f"{indent}    {add_fired}")
        per_child.lines.append(f"{indent}elif {value} is None:")
        per_child.lines.append(f"{indent}    unknown.append({target})")
    unpack = [f"    {', '.join(f'_s{i}' for i in range(position))}, = shared"] if position else []
    child_source = "\n".join(
        [
            "def child_pass(env, in_band, shared, fired, unknown):",
            "    household = env.household",
            "    child = env.child",
            *unpack,
            *per_child.read_lines,
            *per_child.lines,
        ]
    )
    source = household_source + "\n\n\n" + child_source + "\n"
    exec(compile(source, "<needs-engine generated rulebook>", "exec"), namespace)  # noqa: S102 - generated from checked plans
    return Passes(namespace["household_pass"], namespace["child_pass"], source)
