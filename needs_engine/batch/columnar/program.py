"""A rulebook's condition trees compiled once into a program of grouped array operations.

A condition's value for a row (a child, or a (child, carer) pair inside a quantifier over
carers) is a Kleene code: 0 false, 1 unknown, 2 true. Then `and` is the least of its parts, `or`
the greatest and `not` is 2 minus its part (Kleene's logic as min and max), an age band is an
`and` with the band (false outside it, true inside: ages are exact here), `any_carer` is the
greatest over a child's pairs and `all_carers` the least. So the nodes of one kind at one height
(leaves 0, a node one more than its highest part) are evaluated together: one gather of their
parts' rows and one `np.minimum.reduceat` or `np.maximum.reduceat`, whatever the number of
descriptors. The tests of one table read their columns in one gather: a yes/no or named fact's
through a lookup table per test (its result for each value's code, and for unknown), a number's by one
comparison per operator. Equal subtrees (the same test in many descriptors) get one row,
evaluated once. `count(...)` and `count_carers(...)` compare the range of their true parts with
`masks._span`, as `logic.Span.compare` does.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from numpy.typing import NDArray

from ...language.logic import COMPARISONS
from ...language.tree import And, Count, FlagTest, Node, Not, NumberTest, Or, Quantified, Test, ValuesTest, Within
from .masks import _CHILD, _PAIR, _band_of, _Chunk, _span
from .plan import NotCovered
from .tables import Groups, _Table, code_count, value_codes

FALSE, UNKNOWN, TRUE = 0, 1, 2
Codes = NDArray[np.int8]
"""[node, row]: each node's Kleene code for each row of its frame."""

_TABLES = ("child", "carer", "household")


def _table_of(root: str) -> str:
    return root if root in ("child", "carer") else "household"


@dataclass
class _Tests:
    """The tests of one frame that read one table, as arrays."""

    coded_slots: list[int] = field(default_factory=list)
    coded_columns: list[int] = field(default_factory=list)
    coded_tables: list[dict[int, int]] = field(default_factory=list)
    """Per test: the Kleene code of each value code of its column (`tables.value_codes`)."""
    numbers: dict[str, tuple[list[int], list[int], list[float]]] = field(default_factory=dict)
    """Per operator: (slots, columns, bounds)."""


@dataclass
class _Frame:
    """The compiled nodes of one frame: a row each, and the steps that fill the rows."""

    keys: dict[Hashable, int] = field(default_factory=dict)
    heights: list[int] = field(default_factory=list)
    tests: dict[str, _Tests] = field(default_factory=lambda: {name: _Tests() for name in _TABLES})
    bands: list[tuple[int, Any]] = field(default_factory=list)
    reductions: list[tuple[int, str, int, Optional[str], int]] = field(default_factory=list)
    """(slot, "any" / "all" / "count", the body's slot in the pair frame, count's op, bound)."""
    nodes: list[tuple[int, str, list[int], Optional[str], int]] = field(default_factory=list)
    """(slot, "and" / "or" / "not" / "count", part slots, count's op, bound), in the order made."""
    steps: list[tuple[str, Any, Any, Any]] = field(default_factory=list)
    """Made by `_finish`: per height and kind, (kind, out slots, part slots, group starts or counts)."""

    def add(self, key: Hashable, height: int) -> tuple[int, bool]:
        """The slot of `key`, and whether it is new."""
        found = self.keys.get(key)
        if found is not None:
            return found, False
        slot = self.keys[key] = len(self.heights)
        self.heights.append(height)
        return slot, True


class _Compiler:
    def __init__(self, tables: dict[str, _Table]) -> None:
        self.tables = tables
        self.frames = {_CHILD: _Frame(), _PAIR: _Frame()}

    def node(self, node: Node, frame: int) -> int:
        """The slot of `node` in `frame`, compiling it (and its parts) if it is new."""
        target = self.frames[frame]
        if isinstance(node, Test):
            slot, new = target.add(("test", node), 0)
            if new:
                self._test(target, slot, node)
            return slot
        if isinstance(node, (And, Or)):
            parts = sorted({self.node(part, frame) for part in node.items})
            return self._combine(target, "and" if isinstance(node, And) else "or", parts)
        if isinstance(node, Not):
            part = self.node(node.item, frame)
            slot, new = target.add(("not", part), target.heights[part] + 1)
            if new:
                target.nodes.append((slot, "not", [part], None, 0))
            return slot
        if isinstance(node, Within):
            return self.within(node.band, self.node(node.body, frame), frame)
        if isinstance(node, (Quantified, Count)) and node.binder is not None:
            if node.binder != "carer" or frame != _CHILD:
                raise NotCovered("a sibling quantifier, or a quantifier inside another")
            body = self.node(node.items[0] if isinstance(node, Count) else node.body, _PAIR)
            if isinstance(node, Count):
                key: tuple[Any, ...] = ("count", body, node.op, node.bound)
            else:
                key = ("all" if node.every else "any", body, None, 0)
            slot, new = target.add(("carers", *key), 0)
            if new:
                target.reductions.append((slot, *key))
            return slot
        if isinstance(node, Count):
            # A count counts every part as written: `count(a, a) >= 2` holds when a does.
            parts = sorted(self.node(part, frame) for part in node.items)
            slot, new = target.add(("count", tuple(parts), node.op, node.bound), max(target.heights[p] for p in parts) + 1)
            if new:
                target.nodes.append((slot, "count", parts, node.op, node.bound))
            return slot
        raise NotCovered(type(node).__name__)

    def within(self, band: Any, body: int, frame: int) -> int:
        """`body` restricted to an age band (None: any age, the body itself)."""
        if band is None:
            return body
        target = self.frames[frame]
        key = (band.min_months, band.max_months, band.unborn)
        slot, new = target.add(("band", key), 0)
        if new:
            target.bands.append((slot, band))
        return self._combine(target, "and", sorted({slot, body}))

    def _combine(self, target: _Frame, kind: str, parts: list[int]) -> int:
        if len(parts) == 1:
            return parts[0]
        slot, new = target.add((kind, tuple(parts)), max(target.heights[p] for p in parts) + 1)
        if new:
            target.nodes.append((slot, kind, parts, None, 0))
        return slot

    def _test(self, target: _Frame, slot: int, test: Test) -> None:
        table = _table_of(test.subject.root)
        found = self.tables[table]
        column = found.index[(test.subject.root, test.subject.path)]
        tests = target.tests[table]
        if isinstance(test, NumberTest):
            slots, columns, bounds = tests.numbers.setdefault(test.op, ([], [], []))
            slots.append(slot)
            columns.append(column)
            bounds.append(float(test.bound))
            return
        if isinstance(test, FlagTest):
            passes = {0: not test.wanted, 1: test.wanted}  # the codes of false and true
        elif isinstance(test, ValuesTest):
            assert test.spec.choices is not None
            codes = value_codes()
            passes = {int(codes[member.value]): member in test.satisfying for member in test.spec.choices}
        else:
            raise NotCovered(type(test).__name__)
        tests.coded_slots.append(slot)
        tests.coded_columns.append(column)
        tests.coded_tables.append({code: TRUE if p else FALSE for code, p in passes.items()})


@dataclass
class _Ready:
    """A frame's arrays, made once by `Program.of`."""

    size: int
    tests: list[tuple[str, NDArray[np.intp], NDArray[np.intp], Codes, list[tuple[str, Any, Any, Any]]]]
    """Per table: (table, coded slots, coded columns, lookup [test, code], number groups (op, slots, columns, bounds))."""
    bands: list[tuple[int, Any]]
    reductions: list[tuple[str, NDArray[np.intp], NDArray[np.intp], Any]]
    """("any" / "all", out slots, pair slots, None) or ("count", out slot, pair slot, (op, bound))."""
    steps: list[tuple[str, Any, Any, Any]]


def _ready(frame: _Frame) -> _Ready:
    tests = []
    for table, found in frame.tests.items():
        if not found.coded_slots and not found.numbers:
            continue
        width = code_count() + 1  # the last place: unknown
        lookup = np.full((len(found.coded_tables), width), FALSE, dtype=np.int8)
        for i, codes in enumerate(found.coded_tables):
            for code, value in codes.items():
                lookup[i, code] = value
        lookup[:, -1] = UNKNOWN
        numbers = [
            (op, np.array(slots, dtype=np.intp), np.array(columns, dtype=np.intp), np.array(bounds)[:, None])
            for op, (slots, columns, bounds) in found.numbers.items()
        ]
        tests.append(
            (table, np.array(found.coded_slots, dtype=np.intp), np.array(found.coded_columns, dtype=np.intp), lookup, numbers)
        )
    reductions: list[tuple[str, Any, Any, Any]] = []
    for kind in ("any", "all"):
        chosen = [(slot, body) for slot, k, body, _, _ in frame.reductions if k == kind]
        if chosen:
            reductions.append((kind, np.array([s for s, _ in chosen]), np.array([b for _, b in chosen]), None))
    reductions += [("count", slot, body, (op, bound)) for slot, k, body, op, bound in frame.reductions if k == "count"]
    steps: list[tuple[str, Any, Any, Any]] = []
    for height in sorted({frame.heights[slot] for slot, *_ in frame.nodes}):
        at = [entry for entry in frame.nodes if frame.heights[entry[0]] == height]
        for kind in ("and", "or", "not"):
            of_kind = [entry for entry in at if entry[1] == kind]
            if of_kind:
                groups = Groups.of([found for _, _, found, _, _ in of_kind])
                out = np.array([of_kind[g][0] for g in groups.order], dtype=np.intp)
                steps.append((kind, out, groups, None))
        steps += [
            ("count", slot, np.array(parts, dtype=np.intp), (op, bound)) for slot, k, parts, op, bound in at if k == "count"
        ]
    return _Ready(len(frame.heights), tests, frame.bands, reductions, steps)


@dataclass
class Program:
    """A rulebook's trees as grouped array operations: the slot of each descriptor's, escalation's
    and mitigation's condition in the child frame, and how to fill every slot for a chunk."""

    child: _Ready
    pair: _Ready
    descriptors: NDArray[np.intp]
    escalations: dict[str, int]
    mitigations: list[int]

    @classmethod
    def of(cls, rulebook: Any, tables: dict[str, _Table]) -> Program:
        compiler = _Compiler(tables)

        def applies(applicable: Any) -> int:
            return compiler.within(applicable.age, compiler.node(applicable.condition.tree, _CHILD), _CHILD)

        descriptors = np.array([applies(d.applies) for d in rulebook.descriptors], dtype=np.intp)
        escalations = {e.id: applies(e.applies) for e in rulebook.escalations if e.applies is not None}
        mitigations = [compiler.node(m.condition.tree, _CHILD) for m in rulebook.mitigations]
        return cls(_ready(compiler.frames[_CHILD]), _ready(compiler.frames[_PAIR]), descriptors, escalations, mitigations)

    def run(self, chunk: _Chunk) -> Codes:
        """[slot, child]: every child-frame node's code for every child of the chunk."""
        pairs = _run(self.pair, chunk, _PAIR, None) if self.pair.size else None
        return _run(self.child, chunk, _CHILD, pairs)


def _values(chunk: _Chunk, table: str, columns: NDArray[np.intp], frame: int) -> NDArray[np.float64]:
    """[column, row]: the columns of `table` for each row of the frame."""
    if table == "child":
        values = chunk.children[:, columns].T
        return values if frame == _CHILD else values[:, chunk.pair_child]
    if table == "carer":
        return chunk.carers[:, columns].T[:, chunk.pair_carer]
    rows = chunk.child_household if frame == _CHILD else chunk.child_household[chunk.pair_child]
    return chunk.households[:, columns].T[:, rows]


def _run(ready: _Ready, chunk: _Chunk, frame: int, pairs: Optional[Codes]) -> Codes:
    rows = len(chunk.children) if frame == _CHILD else len(chunk.pair_child)
    codes = np.empty((ready.size, rows), dtype=np.int8)
    for table, slots, columns, lookup, numbers in ready.tests:
        if len(slots):
            values = _values(chunk, table, columns, frame)
            places = np.where(np.isnan(values), lookup.shape[1] - 1, values).astype(np.intp)
            places += (np.arange(len(slots)) * lookup.shape[1])[:, None]
            codes[slots] = lookup.ravel()[places]
        for op, where, on, bounds in numbers:
            values = _values(chunk, table, on, frame)
            with np.errstate(invalid="ignore"):
                codes[where] = np.where(np.isnan(values), UNKNOWN, COMPARISONS[op](values, bounds) * TRUE)
    for slot, band in ready.bands:
        codes[slot] = np.where(_band_of(chunk, band, frame), TRUE, FALSE)
    if ready.reductions:
        assert pairs is not None
        for kind, out, body, counted in ready.reductions:
            if kind == "count":
                low = np.bincount(chunk.pair_child, weights=pairs[body] == TRUE, minlength=rows)
                high = low + np.bincount(chunk.pair_child, weights=pairs[body] == UNKNOWN, minlength=rows)
                codes[out] = _coded(*_span(low, high, *counted))
            else:
                reduce = np.maximum if kind == "any" else np.minimum
                codes[out] = chunk.carers_of.reduce(reduce, pairs[body].T).T
    for kind, out, parts, extra in ready.steps:
        if kind == "and":
            codes[out] = parts.reduce_sorted(np.minimum, codes)
        elif kind == "or":
            codes[out] = parts.reduce_sorted(np.maximum, codes)
        elif kind == "not":
            codes[out] = TRUE - codes[parts.columns[0]]
        else:
            found = codes[parts]
            low = (found == TRUE).sum(axis=0)
            high = low + (found == UNKNOWN).sum(axis=0)
            codes[out] = _coded(*_span(low, high, *extra))
    return codes


def _coded(true: NDArray[np.bool_], known: NDArray[np.bool_]) -> Codes:
    return np.where(known, np.where(true, TRUE, FALSE), UNKNOWN).astype(np.int8)
