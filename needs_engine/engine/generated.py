"""Straight-line Python generated from a rulebook's compiled conditions: the evaluation hot path.

The closures built by `language/compile.py` cost a Python call per node; for a whole rulebook
that is the engine's inner loop. Here every descriptor's condition plan (`Condition.plan`) is
turned, once per rulebook, into source for two functions:

- `household_pass(env)`: the conditions that read no fact of the child (carers, the home,
  strengths), once per household; it returns their values as a tuple;
- `child_pass(env, in_band, shared, fired, unknown)`: every descriptor in rulebook order, each
  fact read once into a local, Kleene logic written out as comparisons with True/False/None,
  appending to `fired` and `unknown` exactly as `Applicable.fast` would decide (a descriptor
  that tests one fact is decided in a single branch on that fact).

The generated source holds no text from the rulebook: only attribute paths checked against the
model when the rulebook loaded, operator symbols, and references to constants (satisfying-value
sets, bounds, descriptors) passed in by name. A condition with no plan calls its closure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..language.compile import Env, Plan
from ..rulebook.load import Descriptor

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

    def emit(self, plan: Plan, indent: str) -> str:
        """Write statements computing `plan`'s truth value; return the name holding it."""
        kind = plan[0]
        out = self.temp()
        if kind == "leaf":
            _, root, path, mode, payload = plan
            value = self.read(root, path)
            if root in ("carer", "sibling"):
                local = self.temp()
                self.lines.append(f"{indent}{local} = {value}")
                value = local
            self.lines.append(f"{indent}{out} = None if {value} is None else {self.test(value, mode, payload)}")
        elif kind in ("and", "or"):
            parts = [self.emit(part, indent) for part in plan[1]]
            decisive, fallback = ("False", "True") if kind == "and" else ("True", "False")
            any_decisive = " or ".join(f"{p} is {decisive}" for p in parts)
            any_unknown = " or ".join(f"{p} is None" for p in parts)
            self.lines.append(f"{indent}{out} = {decisive} if ({any_decisive}) else (None if ({any_unknown}) else {fallback})")
        elif kind == "not":
            inner = self.emit(plan[1], indent)
            self.lines.append(f"{indent}{out} = None if {inner} is None else not {inner}")
        elif kind in ("any", "all"):
            binder, inner_plan = plan[1], plan[2]
            decisive, fallback = ("True", "False") if kind == "any" else ("False", "True")
            self.lines.append(f"{indent}{out} = {fallback}")
            if binder == "carer":
                self.lines.append(f"{indent}for carer in household.carers:")
            else:
                self.lines.append(f"{indent}for sibling in household.children:")
                self.lines.append(f"{indent}    if sibling is child:")
                self.lines.append(f"{indent}        continue")
            inner = self.emit(inner_plan, indent + "    ")
            self.lines.append(f"{indent}    if {inner} is {decisive}:")
            self.lines.append(f"{indent}        {out} = {decisive}")
            self.lines.append(f"{indent}        break")
            self.lines.append(f"{indent}    if {inner} is None:")
            self.lines.append(f"{indent}        {out} = None")
        else:
            raise ValueError(f"unknown plan node {kind!r}")
        return out

    def test(self, value: str, mode: str, payload: Any) -> str:
        """The expression a leaf applies to a known value (a bool)."""
        if mode == "in":
            return f"{value} in {self.constant(payload)}"
        if mode == "compare":
            symbol, bound = payload
            assert symbol in ("<", "<=", ">", ">=", "==", "!=")
            return f"{value} {symbol} {self.constant(bound)}"
        return f"{value} is {bool(payload)!r}"

    def decide_leaf(self, plan: Plan, target: str, add_fired: str, indent: str) -> None:
        """A descriptor whose condition is one test of a child or household fact, decided in one branch:
        the same decisions as computing its truth value first, with fewer steps (most facts of a
        referral are unknown, and then only the first test runs)."""
        _, root, path, mode, payload = plan
        value = self.read(root, path)
        self.lines.append(f"{indent}if {value} is None:")
        self.lines.append(f"{indent}    unknown.append({target})")
        self.lines.append(f"{indent}elif ({self.test(value, mode, payload)}) is True:")
        self.lines.append(f"{indent}    {add_fired}")

    def value_of(self, descriptor: Descriptor, indent: str) -> str:
        condition = descriptor.applies.condition
        if condition.plan is not None:
            return self.emit(condition.plan, indent)
        out = self.temp()
        self.lines.append(f"{indent}{out} = {self.constant(condition.fast)}(env)")
        return out


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
        plan = descriptor.applies.condition.plan
        if not household_only and plan is not None and plan[0] == "leaf" and plan[1] not in ("carer", "sibling"):
            per_child.decide_leaf(plan, target, add_fired, indent)
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
