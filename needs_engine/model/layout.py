"""The situation's layout: its sections and facts in the model's order, each in words.

A form (`needs template`), a written case (`needs new`) and the readable list of facts
(`needs schema --format markdown`) all show a situation as the model groups it: the household,
each child with its sections (health, education, harm, ...), each carer, the home and the
strengths. This walks the pydantic models once into that shape, with each field's plain title,
its definition, the question to ask and the values it allows, so the three never disagree with
each other or with the model.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .catalogue import FactSpec, _inner_type, facts_by_root
from .facts import Choices, field_title
from .situation import Situation

FieldKind = Literal["flag", "number", "choice", "years", "text"]
"""A fact's kind as a form shows it: the catalogue's kinds (an ordinal is a choice), an age in
years, or text (an id, a name, a reference)."""


@dataclass(frozen=True)
class Fact:
    """One field of a section: a fact (with its catalogue entry), an age in years or an identity."""

    key: str
    title: str
    description: str
    kind: FieldKind
    spec: Optional[FactSpec] = None
    """The catalogue's entry for a fact a condition can read; None for an id, a name, a
    reference, an age in years and an age band (spans, read through the child's age)."""
    own_ask: str = ""
    own_choices: Optional[type[Choices]] = None
    """The question and values of a field that is not in the catalogue (an age band)."""

    @property
    def is_fact(self) -> bool:
        """A fact a screener records (not an id, a name or a reference)."""
        return self.kind != "text"

    @property
    def ask(self) -> str:
        return self.spec.ask if self.spec is not None else self.own_ask

    @property
    def direction(self) -> str:
        return self.spec.direction if self.spec is not None else "none"

    @property
    def choices(self) -> Optional[type[Choices]]:
        choices = self.spec.choices if self.spec is not None else self.own_choices
        return choices if choices is not None and issubclass(choices, Choices) else None

    def allowed(self) -> str:
        """The values it takes, in words: 'true or false', 'a whole number from 0 to 365'."""
        spec = self.spec
        if self.kind == "years":
            return "whole years (14) or a range of years (13-15)"
        if spec is None:
            return "text"
        if spec.kind == "flag":
            return "true or false"
        if spec.kind == "number":
            whole = "a whole number" if spec.integer else "a number"
            return f"{whole} from {_number(spec.minimum)} to {_number(spec.maximum)}"
        return " | ".join(member.value for member in self.choices or ())

    def values(self) -> list[tuple[str, str, str]]:
        """(value, label, definition) of each value a choice allows, in order (worst last)."""
        return [(member.value, member.label, member.definition) for member in self.choices or ()]

    def meaning(self, value: Any) -> str:
        """What a recorded value means: a choice's definition, else the fact's own description."""
        if self.choices is not None and value is not None:
            name = value.value if isinstance(value, Enum) else value
            member = next((m for m in self.choices if m.value == name), None)
            if member is not None:
                return member.definition
        return self.description


@dataclass(frozen=True)
class Section:
    """A group of fields: the household, a child, a carer, or a part of one (health, home)."""

    key: str
    title: str
    description: str
    items: tuple[Union[Fact, Section, People], ...]

    def facts(self) -> list[tuple[tuple[str, ...], Fact]]:
        """Every fact below this section (not in lists), with its path of keys from here."""
        found: list[tuple[tuple[str, ...], Fact]] = []
        for item in self.items:
            if isinstance(item, Fact):
                found.append(((item.key,), item))
            elif isinstance(item, Section):
                found.extend(((item.key, *path), fact) for path, fact in item.facts())
        return found


@dataclass(frozen=True)
class People:
    """A list of people in the household: the children, or the carers, each a Section."""

    key: str
    title: str
    description: str
    person: Section


def _number(value: Optional[float]) -> str:
    return "any" if value is None else f"{value:g}"


def _first_paragraph(text: Optional[str]) -> str:
    return " ".join((text or "").strip().split("\n\n")[0].split())


_ROOTS = {"children": "child", "carers": "carer", "home": "home", "strengths": "strengths"}
"""The catalogue root of the facts below each part of the household (the rest are `household`)."""


def _fact(key: str, field: FieldInfo, spec: Optional[FactSpec], value_type: Any) -> Fact:
    common: dict[str, Any] = dict(key=key, title=field.title or field_title(key), description=field.description or "")
    if spec is not None:
        return Fact(kind="choice" if spec.choices is not None else spec.kind, spec=spec, **common)  # type: ignore[arg-type]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    common["own_ask"] = str(extra.get("ask", ""))
    if isinstance(value_type, type) and issubclass(value_type, Choices):
        return Fact(kind="choice", own_choices=value_type, **common)
    return Fact(kind="years" if key == "age_years" else "text", **common)


def _section(key: str, model: type[BaseModel], root: str, prefix: tuple[str, ...], title: Optional[str] = None) -> Section:
    items: list[Union[Fact, Section, People]] = []
    facts = facts_by_root()[root]
    for name, field in model.model_fields.items():
        value_type = _inner_type(field.annotation)
        if typing.get_origin(value_type) is list:
            person = typing.get_args(value_type)[0]
            items.append(People(name, field_title(name), field.description or "", _section(name, person, _ROOTS[name], ())))
        elif isinstance(value_type, type) and issubclass(value_type, BaseModel):
            below = _ROOTS.get(name) if root == "household" else None
            items.append(_section(name, value_type, below or root, () if below else (*prefix, name)))
        else:
            items.append(_fact(name, field, facts.get((*prefix, name)), value_type))
    return Section(key, title or field_title(key), _first_paragraph(model.__doc__), tuple(items))


@cache
def situation_layout() -> Section:
    """The household section, as the model lays it out (children and carers as People)."""
    household = Situation.model_fields["household"].annotation
    assert isinstance(household, type) and issubclass(household, BaseModel)
    return _section("household", household, "household", (), "Household")


def people(key: Literal["children", "carers"]) -> People:
    """The children's or the carers' layout."""
    return next(item for item in situation_layout().items if isinstance(item, People) and item.key == key)
