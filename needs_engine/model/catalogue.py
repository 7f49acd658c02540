"""The catalogue of facts, derived from the situation model rather than kept by hand.

Conditions name facts by path from a root (`child.education.attendance_percent`,
`carer.mental_health`, `home.housing.status`). The catalogue walks the pydantic models once
and records, for every fact, its kind, direction, bounds and the question to ask when it is
unknown; the condition checker, the questions and the property-test strategies all read it,
so a fact added to the model is covered everywhere without another list to keep.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum
from functools import cache, cached_property
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .facts import Choices, Direction, Ordinal
from .situation import Carer, Child, Home, Household, Strengths

Kind = Literal["flag", "number", "ordinal", "choice"]

ROOTS: dict[str, type[BaseModel]] = {
    "child": Child,
    "sibling": Child,
    "carer": Carer,
    "home": Home,
    "household": Household,
    "strengths": Strengths,
}
"""Where a condition's fact paths start. `carer` and `sibling` are bound by quantifiers."""

# Facts that are identities or collections, not facts a condition may read.
_NOT_FACTS = {"id", "name", "reference", "children", "carers", "home", "strengths", "age_years", "age_band"}


@dataclass(frozen=True)
class FactSpec:
    """One fact a condition may name, as the model defines it."""

    root: str
    path: tuple[str, ...]
    kind: Kind
    direction: Direction
    ask: str
    description: str
    choices: Optional[type[Choices]] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    integer: bool = False
    grades: bool = False
    """A number that is a graded scale (GCP2 1-5): every grade past the best one is defined as a
    concern by the model itself, whatever thresholds a rulebook draws."""

    @cached_property
    def dotted(self) -> str:
        """The path as written in conditions, e.g. `child.education.attendance_percent` (read in the
        engine's inner loops, so joined once per fact)."""
        return ".".join((self.root, *self.path))

    @property
    def is_concern(self) -> bool:
        return self.direction not in ("strength", "none")

    def worst(self) -> Any:
        """The most worrying value this fact can take (used for possible levels and tests)."""
        if self.kind == "flag":
            return self.direction != "strength"
        if self.kind == "ordinal" and self.choices is not None:
            return list(self.choices)[-1]
        if self.direction == "higher_is_worse":
            return self.maximum
        if self.direction == "lower_is_worse":
            return self.minimum
        return None

    def best(self) -> Any:
        """The least worrying value, as a situation document writes it: what a family with no
        concern in this area would have (false, the first value, or the safe bound)."""
        if self.kind == "flag":
            return self.direction == "strength" and False
        if self.choices is not None:
            return list(self.choices)[0].value
        if self.direction == "lower_is_worse":
            return self.maximum
        return self.minimum

    def notable(self, value: Any) -> bool:
        """A known value worth reading out: a yes, a graded value past the scale's first, a
        measure above nothing (or any measure where lower is worse); "no" and the first grade are
        known to be fine. A strength that is yes is notable too."""
        if self.kind == "flag":
            return value is True
        if self.kind == "ordinal":
            return bool(value.rank > 0)
        if self.kind == "number":
            return bool(value > 0 or self.direction == "lower_is_worse")
        return False

    def worseness(self, value: Any) -> float:
        """A number that grows as a known value of a concern fact gets more worrying (a value as
        a document writes it, or an enum member)."""
        if self.kind == "flag":
            return float(value is True)
        if self.choices is not None:
            name = value.value if isinstance(value, Enum) else value
            return _ranks(self.choices)[name]
        return float(value) if self.direction == "higher_is_worse" else -float(value)


@cache
def _ranks(choices: type[Enum]) -> dict[Any, float]:
    """Each value of a scale by its place, least worrying first (looked up for every recorded fact
    of every child, so built once per scale)."""
    return {member.value: float(place) for place, member in enumerate(choices)}


def _inner_type(annotation: Any) -> Any:
    """Strip Optional/Annotated down to the value type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_type(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _inner_type(args[0]) if len(args) == 1 else annotation
    return annotation


def _bounds(field: FieldInfo) -> tuple[Optional[float], Optional[float]]:
    low = high = None
    for item in field.metadata:
        low = getattr(item, "ge", low) if getattr(item, "ge", None) is not None else low
        high = getattr(item, "le", high) if getattr(item, "le", None) is not None else high
    return low, high


def _spec(root: str, path: tuple[str, ...], field: FieldInfo, value_type: Any) -> FactSpec:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    direction = typing.cast(Direction, extra.get("direction", "none"))
    ask, description = str(extra.get("ask", "")), field.description or ""

    def spec(kind: Kind, **more: Any) -> FactSpec:
        return FactSpec(root=root, path=path, kind=kind, direction=direction, ask=ask, description=description, **more)

    if value_type is bool:
        return spec("flag")
    if isinstance(value_type, type) and issubclass(value_type, Ordinal):
        return spec("ordinal", choices=value_type)
    if isinstance(value_type, type) and issubclass(value_type, Choices):
        return spec("choice", choices=value_type)
    if value_type in (int, float):
        low, high = _bounds(field)
        return spec("number", minimum=low, maximum=high, integer=value_type is int, grades=bool(extra.get("grades", False)))
    raise TypeError(f"fact {root}.{'.'.join(path)} has a type the language cannot read: {value_type!r}")


def _walk(root: str, model: type[BaseModel], prefix: tuple[str, ...]) -> list[FactSpec]:
    specs: list[FactSpec] = []
    for name, field in model.model_fields.items():
        if not prefix and name in _NOT_FACTS:
            continue
        value_type = _inner_type(field.annotation)
        if isinstance(value_type, type) and issubclass(value_type, BaseModel):
            specs.extend(_walk(root, value_type, (*prefix, name)))
        elif typing.get_origin(value_type) is list:
            continue
        else:
            specs.append(_spec(root, (*prefix, name), field, value_type))
    return specs


UNBORN = FactSpec(
    root="child",
    path=("unborn",),
    kind="flag",
    direction="none",
    ask="Is this child unborn?",
    description="True for an unborn baby (unborn_weeks given); unknown if no age is given.",
)


@cache
def facts_by_root() -> dict[str, dict[tuple[str, ...], FactSpec]]:
    """Every fact each root can reach, keyed by its path below the root."""
    catalogue: dict[str, dict[tuple[str, ...], FactSpec]] = {}
    for root, model in ROOTS.items():
        specs = _walk(root, model, ())
        if model is Child:
            specs.append(replace(UNBORN, root=root))
        catalogue[root] = {spec.path: spec for spec in specs}
    return catalogue


@cache
def sections_by_root() -> dict[str, dict[tuple[str, ...], list[str]]]:
    """For each root, the names available below each section path (for suggestions)."""
    result: dict[str, dict[tuple[str, ...], list[str]]] = {}
    for root, facts in facts_by_root().items():
        below: dict[tuple[str, ...], set[str]] = {}
        for path in facts:
            for depth in range(len(path)):
                below.setdefault(path[:depth], set()).add(path[depth])
        result[root] = {key: sorted(names) for key, names in below.items()}
    return result


def spec_of(dotted: str) -> FactSpec:
    """The fact a dotted path names (`home.domestic_abuse.history`); KeyError for no such fact."""
    root, *path = dotted.split(".")
    return facts_by_root()[root][tuple(path)]


def all_facts() -> list[FactSpec]:
    """Every fact once, by its canonical root (siblings are children)."""
    return [spec for root, facts in facts_by_root().items() if root != "sibling" for spec in facts.values()]


@dataclass(frozen=True)
class KnownFact:
    """A fact a household records a value for, and whose it is."""

    subject: str
    """'child:<id>', 'carer:<id>' or 'household' (the home and strengths are the household's)."""
    root: str
    """Where the fact's path starts: child, carer, home, strengths or household."""
    owner: BaseModel
    """The child, carer, home, strengths or household the value was read from."""
    spec: FactSpec
    value: Any


def known_facts(household: Household) -> Iterator[KnownFact]:
    """Every fact with a known value: each child, each carer, then the home, strengths and the
    household's own facts, each in the model's order.

    One walk serves whatever reads a household's facts back to a person (a quiz's summary, a
    case record's list of the facts recorded), so they list the same facts in the same order.
    """
    owners: list[tuple[str, str, BaseModel]] = [(f"child:{c.id}", "child", c) for c in household.children]
    owners += [(f"carer:{c.id}", "carer", c) for c in household.carers]
    owners += [("household", "home", household.home), ("household", "strengths", household.strengths)]
    owners += [("household", "household", household)]
    for subject, root, owner in owners:
        for path, spec in facts_by_root()[root].items():
            if path == ("unborn",):  # derived from the age, not recorded
                continue
            value: Any = owner
            for name in path:
                value = getattr(value, name)
            if value is not None:
                yield KnownFact(subject, root, owner, spec, value)
