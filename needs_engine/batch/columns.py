"""CSV columns: a spreadsheet header of dotted field names, mapped onto the situation model.

A column names one field by its path in a situation document, with children and carers
numbered from 0: `household.reference`, `household.consent`,
`household.children.0.age_months`, `household.children.1.health.growth`,
`household.carers.0.mental_health`, `household.home.domestic_abuse.incidents_12m`,
`household.strengths.protective_adult`. A spreadsheet holds up to as many children and carers
as it has numbered columns for; a child (or carer) whose cells are all empty is absent, and a
child given facts but no id gets `c1`, `c2`, ... (carers `a1`, `a2`, ...) by its number.
An empty cell is unknown or absent, never "no concern". A cell is read by its column's type:
a yes/no fact from `yes`/`no`/`true`/`false`/`1`/`0` (any case), a number fact from a decimal
number; anything else stays text (ordinal values, `unknown`, and a cell that is not of its
column's type, which the model then refuses naming the column). A situation document itself
is typed, as the published schema says: this reading is the spreadsheet's, not the model's.

The header is checked before any row is read: an unknown, misspelt or repeated column is a bad
input (exit 2) naming the column, so a misspelt fact can never be silently dropped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Optional, Union, cast

from ..errors import InputError, Problem
from ..model.catalogue import facts_by_root

Path = tuple[Union[str, int], ...]

MAX_CHILDREN = 20  # as many as a household may hold (model/situation.py)
MAX_CARERS = 12
_IDENTITY = ("id", "name")
_CHILD_AGE = ("age_years", "age_band")  # ages a front door knows only roughly (not facts conditions read)


@cache
def _leaves() -> dict[str, frozenset[tuple[str, ...]]]:
    """Field paths below each part of a household that a column may name."""
    facts = facts_by_root()

    def settable(root: str) -> set[tuple[str, ...]]:
        return {path for path in facts[root] if path != ("unborn",)}  # `unborn` is derived from unborn_weeks

    return {
        "household": frozenset({("reference",), *settable("household")}),
        "children": frozenset({*((name,) for name in (*_IDENTITY, *_CHILD_AGE)), *settable("child")}),
        "carers": frozenset({*((name,) for name in _IDENTITY), *settable("carer")}),
        "home": frozenset(settable("home")),
        "strengths": frozenset(settable("strengths")),
    }


def all_columns(*, children: int = 1, carers: int = 1) -> list[str]:
    """Every column a spreadsheet with `children` children and `carers` carers may have."""
    leaves = _leaves()
    names = [f"household.{'.'.join(p)}" for p in sorted(leaves["household"])]
    for index in range(children):
        names += [f"household.children.{index}.{'.'.join(p)}" for p in sorted(leaves["children"])]
    for index in range(carers):
        names += [f"household.carers.{index}.{'.'.join(p)}" for p in sorted(leaves["carers"])]
    for section in ("home", "strengths"):
        names += [f"household.{section}.{'.'.join(p)}" for p in sorted(leaves[section])]
    return names


def column_path(name: str) -> Optional[Path]:
    """The document path a column names, or None if it names no field."""
    parts = name.strip().split(".")
    if len(parts) < 2 or parts[0] != "household":
        return None
    leaves = _leaves()
    if parts[1] in ("children", "carers"):
        limit = MAX_CHILDREN if parts[1] == "children" else MAX_CARERS
        if len(parts) < 4 or not parts[2].isdigit() or int(parts[2]) >= limit:
            return None
        leaf = tuple(parts[3:])
        return ("household", parts[1], int(parts[2]), *leaf) if leaf in leaves[parts[1]] else None
    if parts[1] in ("home", "strengths"):
        leaf = tuple(parts[2:])
        return ("household", parts[1], *leaf) if leaf in leaves[parts[1]] else None
    return ("household", *parts[1:]) if tuple(parts[1:]) in leaves["household"] else None


def _suggest(name: str) -> Optional[str]:
    parts = name.strip().split(".")
    numbered = {"children": 0, "carers": 0}
    if len(parts) > 2 and parts[1] in numbered and parts[2].isdigit():
        numbered[parts[1]] = int(parts[2]) + 1
    candidates = all_columns(children=max(1, numbered["children"]), carers=max(1, numbered["carers"]))
    close = difflib.get_close_matches(name.strip(), candidates, n=1, cutoff=0.6)
    return close[0] if close else None


_FLAG_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def typed_cell(path: Path, text: str) -> Any:
    """A cell's text as the value its column's fact takes: True/False for a yes/no fact, a number
    for a number fact, the text itself otherwise (or when it is not of the column's type)."""
    part, leaf = (path[1], tuple(path[3:])) if path[1] in ("children", "carers") else (path[1], tuple(path[2:]))
    root = {"children": "child", "carers": "carer"}.get(str(part), str(part))
    if root not in ("child", "carer", "home", "strengths"):
        root, leaf = "household", tuple(path[1:])
    spec = facts_by_root()[root].get(leaf)  # type: ignore[arg-type]
    if spec is None:  # an id, a name, a reference, or an age in years or a band: text
        return text
    if spec.kind == "flag":
        return _FLAG_WORDS.get(text.lower(), text)
    if spec.kind == "number" and _WHOLE.fullmatch(text):
        return int(text)
    if spec.kind == "number" and _DECIMAL.fullmatch(text):
        return float(text)
    return text


@dataclass(frozen=True)
class Columns:
    """A checked CSV header: the document path of every column."""

    names: tuple[str, ...]
    paths: tuple[Path, ...]

    @classmethod
    def from_header(cls, header: list[str], *, where: str) -> Columns:
        """Check a header row; raise InputError naming every column that names no field."""
        problems: list[Problem] = []
        paths: list[Path] = []
        seen: dict[str, int] = {}
        for number, name in enumerate(header, start=1):
            label = f"{where}: column {number} '{name}'"
            path = column_path(name)
            if path is None:
                problems.append(
                    Problem(
                        label,
                        "this column names no field of a situation",
                        code="column",
                        expected="a dotted field path such as household.children.0.age_months (see docs/batch.md)",
                        suggestion=_suggest(name),
                    )
                )
            elif name.strip() in seen:
                problems.append(Problem(label, "repeated column", code="column", found=f"also column {seen[name.strip()]}"))
            else:
                seen[name.strip()] = number
            paths.append(path or ())
        if not header:
            problems.append(Problem(where, "the CSV file has no header row", code="column", expected="a row of field paths"))
        if problems:
            raise InputError(problems)
        return cls(tuple(name.strip() for name in header), tuple(paths))

    def document(self, cells: list[str]) -> tuple[dict[str, Any], dict[str, list[int]]]:
        """The situation document of one row, and for children and carers the column number of each list item.

        Raises ValueError if the row has more cells than the header has columns.
        """
        if len(cells) > len(self.paths):
            raise ValueError(f"the row has {len(cells)} cells but the header has {len(self.paths)} columns")
        household: dict[Union[str, int], Any] = {}
        numbered: dict[Union[str, int], dict[Union[str, int], dict[Union[str, int], Any]]] = {"children": {}, "carers": {}}
        for path, cell in zip(self.paths, cells, strict=False):  # a short row: the missing cells are empty
            value = cell.strip()
            if not value:
                continue
            if path[1] in numbered:
                target = numbered[path[1]].setdefault(path[2], {})
                leaf = path[3:]
            else:
                target, leaf = household, path[1:]
            for part in leaf[:-1]:
                target = target.setdefault(part, {})
            target[leaf[-1]] = typed_cell(path, value)
        positions: dict[str, list[int]] = {}
        for key, prefix in (("children", "c"), ("carers", "a")):
            items = numbered[key]
            positions[key] = sorted(cast("dict[int, Any]", items))  # a numbered part's third segment is its index
            household[key] = [{"id": f"{prefix}{index + 1}", **items[index]} for index in positions[key]]
        return {"household": household}, positions
