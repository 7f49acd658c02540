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
from itertools import repeat
from operator import itemgetter
from typing import Any, Optional

import msgspec
import numpy as np
from numpy.typing import NDArray

from ...model.catalogue import FactSpec

Bools = NDArray[np.bool_]
Floats = NDArray[np.float64]
NAN = math.nan

_STRING = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
"""A string as `json.dumps(..., ensure_ascii=True)` writes it."""


# --- columns: where each fact is read from, and how it is written as a float -----------------


@dataclass(frozen=True)
class _Column:
    spec: FactSpec
    codes: Optional[dict[Any, float]]
    """A yes/no fact's or named fact's value as a float (None: a number, read as itself)."""


def _codes(spec: FactSpec) -> Optional[dict[Any, float]]:
    if spec.kind == "flag":
        return {True: 1.0, False: 0.0}
    if spec.choices is not None:
        return {member.value: float(place) for place, member in enumerate(spec.choices)}
    return None


def _encode(spec: FactSpec, value: Any) -> float:
    """A validated value (bool, enum member, number) as its column's float."""
    if value is None:
        return NAN
    codes = _codes(spec)
    if codes is None:
        return float(value)
    return codes[value.value if hasattr(value, "value") else value]


_NOT_A_NUMBER: dict[Any, float] = {None: NAN, "unknown": NAN, msgspec.UNSET: NAN}
"""What a number field holds when it is unknown or left out; `.get(value, value)` gives a number or NaN."""


@dataclass(frozen=True)
class _Group:
    """Facts that sit in one struct (a child's `health`, a household's `home.domestic_abuse`)."""

    get: Callable[[Any], Any]
    """The struct from the entity (UNSET when a section on the way is left out)."""
    empty: tuple[Any, ...]
    """A struct left out, as `astuple` would give it: every field UNSET."""
    fields: tuple[tuple[int, int, Optional[dict[Any, float]]], ...]
    """(the field's place in the struct, its column, its codes or None for a number)."""


@dataclass(frozen=True)
class _Table:
    """The columns of one kind of entity (children, carers, households) and how to fill them."""

    columns: tuple[_Column, ...]
    index: dict[tuple[str, tuple[str, ...]], int]
    groups: tuple[_Group, ...]

    def fill(self, entities: list[Any], width: int) -> Floats:
        """The [entity, column] floats of `entities` (`width` columns; NaN where unknown or left out).

        Column by column: each struct's fields are read once with `astuple`, and each field is
        turned into floats by `map` over a dict's `get`, so no Python loop runs per fact."""
        out = np.full((width, len(entities)), NAN)
        astuple, unset = msgspec.structs.astuple, msgspec.UNSET
        nan = repeat(NAN)
        for group in self.groups:
            empty = group.empty
            rows = [empty if holder is unset else astuple(holder) for holder in map(group.get, entities)]
            for place, column, codes in group.fields:
                values = map(itemgetter(place), rows)
                if codes is not None:
                    out[column] = np.fromiter(map(codes.get, values, nan), np.float64, len(rows))
                else:
                    values = list(values)
                    out[column] = np.fromiter(map(_NOT_A_NUMBER.get, values, values), np.float64, len(rows))
        return out.T


def _getter(path: tuple[str, ...]) -> Callable[[Any], Any]:
    """Read a nested struct by attribute names, UNSET as soon as a section is left out."""
    if not path:
        return lambda entity: entity
    names = path

    def get(entity: Any) -> Any:
        for name in names:
            entity = getattr(entity, name)
            if entity is msgspec.UNSET:
                return entity
        return entity

    return get


def _struct_at(entity: type[msgspec.Struct], path: tuple[str, ...]) -> type[msgspec.Struct]:
    """The struct class reached from `entity` by the field names of `path`."""
    kind: Any = entity
    for name in path:
        field_type = typing.get_type_hints(kind)[name]
        kind = next(a for a in typing.get_args(field_type) if isinstance(a, type) and issubclass(a, msgspec.Struct))
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
        holder = _struct_at(entity, prefix)
        names = holder.__struct_fields__
        groups.append(
            _Group(
                _getter(prefix),
                (msgspec.UNSET,) * len(names),
                tuple((names.index(name), column, codes) for name, column, codes in fields),
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
