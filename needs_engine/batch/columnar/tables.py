"""Fact columns: where each fact of a decoded household is read from, and how it is written as a float.

A yes/no fact is 1 or 0, a named value its place in the fact's list of values, a number itself,
and NaN is unknown (null, `unknown`, or left out).
"""

from __future__ import annotations

import json
import math
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, repeat
from operator import attrgetter
from typing import Any, Optional

import msgspec
import numpy as np
from numpy.typing import NDArray

from ...model.catalogue import FactSpec, facts_by_root

Bools = NDArray[np.bool_]
Floats = NDArray[np.float64]
NAN = math.nan

_STRING = json.encoder.encode_basestring_ascii
"""A string as `json.dumps(..., ensure_ascii=True)` writes it."""


# --- columns: where each fact is read from, and how it is written as a float -----------------


@dataclass(frozen=True)
class _Column:
    spec: FactSpec
    codes: Optional[dict[Any, float]]
    """A yes/no fact's or named fact's value as a float (None: a number, read as itself)."""


@cache
def value_codes() -> dict[Any, float]:
    """Every named value of every fact (the string a struct holds) as one code, the same whatever
    the fact, so one dict turns any struct field into its float: a named value its code, true 1
    and false 0, a number itself (`.get(value, value)`), NaN for null, `unknown` and left out.
    Codes are places in the sorted list of every named value."""
    names = sorted(
        {member.value for specs in facts_by_root().values() for spec in specs.values() for member in spec.choices or ()}
    )
    if "unknown" in names:  # a named value `unknown` would be read as unknown
        raise ValueError("a fact has a value named 'unknown'")
    return {None: NAN, "unknown": NAN, msgspec.UNSET: NAN, True: 1.0, False: 0.0} | {
        name: float(code) for code, name in enumerate(names)
    }


def code_count() -> int:
    """How many codes `value_codes` gives (at least 2: false and true)."""
    return max(2, len(value_codes()) - 3)


def _codes(spec: FactSpec) -> Optional[dict[Any, float]]:
    """A yes/no fact's or named fact's values and their codes (None: a number)."""
    if spec.kind == "flag":
        return {True: 1.0, False: 0.0}
    if spec.choices is not None:
        codes = value_codes()
        return {member.value: codes[member.value] for member in spec.choices}
    return None


def _encode(spec: FactSpec, value: Any) -> float:
    """A validated value (bool, enum member, number) as its column's float."""
    if value is None:
        return NAN
    codes = _codes(spec)
    if codes is None:
        return float(value)
    return codes[value.value if hasattr(value, "value") else value]


@dataclass(frozen=True)
class _Group:
    """Facts that sit in one struct (a child's `health`, a household's `home.domestic_abuse`)."""

    holder: Optional[Callable[[Any], Any]]
    """The struct from the entity (`attrgetter` of the dotted path; None: the entity itself). A
    section left out is an empty struct (`fastdecode.struct_of`), so no step meets UNSET."""
    coded_values: Callable[[Any], Any]
    """The struct's yes/no and named facts, in `coded` order (`attrgetter`: a tuple, or one value)."""
    coded: NDArray[np.intp]
    number_values: Callable[[Any], Any]
    """The struct's number facts, in `numbers` order."""
    numbers: NDArray[np.intp]
    places: Optional[tuple[int, NDArray[np.intp], tuple[int, ...]]] = None
    """For a struct of plain values only (no struct or list in it): how many fields it has, and
    the places of the `coded` and of the `numbers` facts among them, to read it with `astuple`."""


@dataclass(frozen=True)
class _Table:
    """The columns of one kind of entity (children, carers, households) and how to fill them."""

    columns: tuple[_Column, ...]
    index: dict[tuple[str, tuple[str, ...]], int]
    groups: tuple[_Group, ...]

    def fill(self, entities: list[Any], width: int) -> Floats:
        """The [entity, column] floats of `entities` (`width` columns; NaN where unknown or left out).

        A group at a time, with no Python loop per entity or fact: `attrgetter` reads each struct
        and its facts, `chain` lays them end to end, and one dict turns every value into its float
        (`value_codes`; a yes/no or named value is always in it, a number is itself)."""
        n = len(entities)
        out = np.full((n, width), NAN)
        codes = value_codes()
        for group in self.groups:
            holders = entities if group.holder is None else list(map(group.holder, entities))
            if group.places is not None:
                _fill_plain(out, group, holders, codes)
                continue
            if len(group.coded):
                read = map(group.coded_values, holders)
                values = list(read if len(group.coded) == 1 else chain.from_iterable(read))  # (faster than one pass)
                floats = np.fromiter(map(codes.__getitem__, values), np.float64, len(values))
                out[:, group.coded] = floats.reshape(n, len(group.coded))
            if len(group.numbers):
                read = map(group.number_values, holders)
                numbers = list(read if len(group.numbers) == 1 else chain.from_iterable(read))
                floats = np.fromiter(map(codes.get, numbers, numbers), np.float64, len(numbers))
                out[:, group.numbers] = floats.reshape(n, len(group.numbers))
        return out


def _fill_plain(out: Floats, group: _Group, holders: list[Any], codes: dict[Any, float]) -> None:
    """A struct of plain values read whole with `astuple` (it copies the fields, where `attrgetter`
    looks each one up): every field through one dict with NaN as default (a field that is not a
    yes/no or named fact gives NaN or a code, and is not kept), then the numbers by themselves."""
    assert group.places is not None
    width, coded_places, number_places = group.places
    n = len(holders)
    rows = list(chain.from_iterable(map(msgspec.structs.astuple, holders)))
    if len(group.coded):
        floats = np.fromiter(map(codes.get, rows, repeat(NAN)), np.float64, len(rows)).reshape(n, width)
        out[:, group.coded] = floats[:, coded_places]
    for place, column in zip(number_places, group.numbers.tolist(), strict=True):
        values = rows[place::width]
        out[:, column] = np.fromiter(map(codes.get, values, values), np.float64, n)


def _nothing(_: Any) -> tuple[()]:
    return ()


def _plain(kind: Any) -> bool:
    """Whether a field's type holds plain values only (no struct, no list)."""
    if isinstance(kind, type):
        return not issubclass(kind, (msgspec.Struct, list))
    return all(_plain(arg) for arg in typing.get_args(kind) if not isinstance(arg, (str, bool, int, float, type(None))))


def _struct_at(entity: type[msgspec.Struct], path: tuple[str, ...]) -> type[msgspec.Struct]:
    """The struct class reached from `entity` by the field names of `path`."""
    kind: Any = entity
    for name in path:
        field_type = typing.get_type_hints(kind)[name]
        if not (isinstance(field_type, type) and issubclass(field_type, msgspec.Struct)):
            raise TypeError(f"{kind.__name__}.{name} is not a section (a struct that is never left UNSET)")
        kind = field_type
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
        coded = [(name, column) for name, column, codes in fields if codes is not None]
        numbers = [(name, column) for name, column, codes in fields if codes is None]
        holder = _struct_at(entity, prefix)
        names = holder.__struct_fields__
        plain = all(_plain(kind) for kind in typing.get_type_hints(holder).values())
        groups.append(
            _Group(
                attrgetter(".".join(prefix)) if prefix else None,
                attrgetter(*(name for name, _ in coded)) if coded else _nothing,
                np.array([column for _, column in coded], dtype=np.intp),
                attrgetter(*(name for name, _ in numbers)) if numbers else _nothing,
                np.array([column for _, column in numbers], dtype=np.intp),
                (
                    len(names),
                    np.array([names.index(name) for name, _ in coded], dtype=np.intp),
                    tuple(names.index(name) for name, _ in numbers),
                )
                if plain
                else None,
            )
        )
    return _Table(columns, index, tuple(groups))


_HOLDER = {"child": (), "carer": (), "household": (), "home": ("home",), "strengths": ("strengths",)}
_AGE_FACTS = (("age_months",), ("unborn_weeks",), ("unborn",))


# --- groups of rows, reduced ----------------------------------------------------------------


@dataclass(frozen=True)
class Groups:
    """Groups of rows of a 2-D array, each reduced to one row by an idempotent ufunc (`np.minimum`,
    `np.maximum`, `np.logical_or`), without `reduceat`: on a 2-D array it took 7 ms where this
    takes 0.1 (1,500 rows of 1,100 children). The groups are taken longest first, so the groups
    that still have a j-th row are a prefix of them: one gather and one ufunc call per j."""

    order: NDArray[np.intp]
    """The groups' positions, longest first (the order `reduce_sorted` gives its rows in)."""
    columns: tuple[NDArray[np.intp], ...]
    """columns[j]: the j-th row of each group that has more than j rows."""

    @classmethod
    def of(cls, groups: Sequence[Sequence[int]]) -> Groups:
        if any(len(group) == 0 for group in groups):
            raise ValueError("an empty group has no row to reduce to")
        order = sorted(range(len(groups)), key=lambda g: -len(groups[g]))
        longest = len(groups[order[0]]) if groups else 0
        columns = tuple(np.array([groups[g][j] for g in order if len(groups[g]) > j], dtype=np.intp) for j in range(longest))
        return cls(np.array(order, dtype=np.intp), columns)

    @classmethod
    def of_runs(cls, starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> Groups:
        """Groups of consecutive rows (a child's pairs), each at least one row long, made with array operations."""
        order = np.argsort(-lengths, kind="stable")
        first = starts[order]
        longest = int(lengths.max(initial=0))
        taking = np.searchsorted(-lengths[order], -np.arange(longest), side="left")  # how many are longer than j
        columns = tuple((first[: taking[j]] + j).astype(np.intp) for j in range(longest))
        return cls(order.astype(np.intp), columns)

    def reduce_sorted(self, ufunc: np.ufunc, rows: NDArray[Any]) -> NDArray[Any]:
        """[group, column] in `order`: each group's rows of `rows` reduced with `ufunc`."""
        if not self.columns:
            return rows[:0]
        out = rows[self.columns[0]]
        for column in self.columns[1:]:
            head = out[: len(column)]
            ufunc(head, rows[column], out=head)
        return out

    def reduce(self, ufunc: np.ufunc, rows: NDArray[Any]) -> NDArray[Any]:
        """[group, column] in the groups' own order."""
        found = self.reduce_sorted(ufunc, rows)
        out = np.empty_like(found)
        out[self.order] = found
        return out
