"""The explorer's form: every fact of a situation as a control, and the form read back into a situation.

The controls come from the model's layout (`model/layout.py`, the same walk `needs template` and
`needs schema --format markdown` use), so every fact the model has appears, with its title, its
definition and every value it allows, grouped as the model groups them: the household, each
child and carer with their sections, the home and the strengths. "Unknown" is always a choice
(an empty number box is unknown too), and choosing it removes the fact from the document, which
is how a situation says it is unknown.

The page is stateless: the form carries the loaded document (ids, names, anything not shown as a
control) in a hidden field, and every control's value; each request rebuilds the situation from
them and validates it as `needs assess` would.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ...errors import InputError, Problem
from ...formats.inputs import situation_from_document
from ...model.layout import Fact, People, Section, situation_layout
from ...model.situation import Situation

PREFIX = "f:"
"""Form field names of fact controls start with this, then the fact's path in the document."""

UNKNOWN = ""
"""A control's value when the fact is unknown (the "unknown" choice, or an empty number box)."""


@dataclass(frozen=True)
class Control:
    """One fact as a form control."""

    path: str
    title: str
    description: str
    kind: str
    value: str
    options: tuple[tuple[str, str, str], ...] = ()
    """(value, label, definition) of each value a choice or yes/no allows, least worrying first."""
    allowed: str = ""
    concern: bool = False
    """A known value worth reading out (a yes, a grade past the first, a measure above nothing)."""

    @property
    def name(self) -> str:
        return PREFIX + self.path

    @property
    def dom_id(self) -> str:
        return "fact-" + self.path.replace(".", "-")

    @property
    def known(self) -> bool:
        return self.value != UNKNOWN

    def shown(self, value: str) -> str:
        """A value as the page names it: a choice's label, yes/no, or the number."""
        if value == UNKNOWN:
            return "unknown"
        return next((label for option, label, _ in self.options if option == value), value)


@dataclass(frozen=True)
class Group:
    """A section of the form: the household, a child, a carer, or a part of one (health, home)."""

    key: str
    title: str
    description: str
    controls: tuple[Control, ...]
    groups: tuple[Group, ...] = ()
    person: bool = False

    def all_controls(self) -> list[Control]:
        return [*self.controls, *(c for g in self.groups for c in g.all_controls())]

    @property
    def known(self) -> int:
        return sum(c.known for c in self.all_controls())

    @property
    def concerns(self) -> int:
        return sum(c.concern for c in self.all_controls())


@dataclass(frozen=True)
class Form:
    """The whole form for one situation document."""

    document: dict[str, Any]
    groups: tuple[Group, ...] = field(default_factory=tuple)

    @property
    def controls(self) -> list[Control]:
        return [c for g in self.groups for c in g.all_controls()]

    @property
    def document_json(self) -> str:
        return json.dumps(self.document, sort_keys=True, separators=(",", ":"))


# --- document -> controls --------------------------------------------------------------------


def form_of(document: dict[str, Any]) -> Form:
    """The controls for a validated situation document, with its values filled in."""
    household = document.get("household") or {}
    layout = situation_layout()
    groups: list[Group] = []
    own = [_control(item, (item.key,), household) for item in layout.items if isinstance(item, Fact) and item.is_fact]
    if own:
        groups.append(Group("household", "The household", layout.description, tuple(own)))
    for item in layout.items:
        if isinstance(item, People):
            for person in household.get(item.key) or []:
                groups.append(_person_group(item, person))
        elif isinstance(item, Section):
            groups.append(_group(item, (item.key,), household.get(item.key) or {}))
    return Form(document=document, groups=tuple(groups))


def _person_group(people: People, person: dict[str, Any]) -> Group:
    ident = str(person.get("id", "?"))
    kind = "Child" if people.key == "children" else "Carer"
    name = person.get("name")
    detail = person.get("role") if people.key == "carers" else None
    title = f"{kind} {ident}" + (f" · {name}" if name else "") + (f" ({str(detail).replace('_', ' ')})" if detail else "")
    section = _group(people.person, (people.key, ident), person)
    return Group(f"{people.key}.{ident}", title, section.description, section.controls, section.groups, person=True)


def _group(section: Section, prefix: tuple[str, ...], values: dict[str, Any]) -> Group:
    controls: list[Control] = []
    groups: list[Group] = []
    for item in section.items:
        if isinstance(item, Fact) and item.is_fact:
            controls.append(_control(item, (*prefix, item.key), values))
        elif isinstance(item, Section):
            below = values.get(item.key) if isinstance(values, dict) else None
            groups.append(_group(item, (*prefix, item.key), below if isinstance(below, dict) else {}))
    return Group(".".join(prefix), section.title, section.description, tuple(controls), tuple(groups))


def _control(fact: Fact, path: tuple[str, ...], values: dict[str, Any]) -> Control:
    raw = values.get(fact.key) if isinstance(values, dict) else None
    value = _form_value(raw)
    options: tuple[tuple[str, str, str], ...] = ()
    if fact.kind == "flag":
        options = (("false", "no", "Known not to be so."), ("true", "yes", "Known to be so."))
    elif fact.kind == "choice":
        options = tuple(fact.values())
    concern = False
    if fact.spec is not None and value != UNKNOWN:
        try:
            concern = fact.spec.is_concern and fact.spec.notable(_spec_value(fact, value))
        except (ValueError, KeyError):
            concern = False
    return Control(
        path=".".join(path),
        title=fact.title,
        description=fact.description,
        kind=fact.kind,
        value=value,
        options=options,
        allowed=fact.allowed(),
        concern=concern,
    )


def _form_value(raw: Any) -> str:
    if raw is None or (isinstance(raw, str) and raw.strip().lower() == "unknown"):
        return UNKNOWN
    if raw is True or raw is False:
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(raw)
    return str(raw)


def _spec_value(fact: Fact, value: str) -> Any:
    """A form value as the catalogue compares it (an enum member for a graded scale)."""
    spec = fact.spec
    assert spec is not None
    if spec.kind == "flag":
        return value == "true"
    if spec.kind == "number":
        return float(value)
    if spec.choices is not None:
        return spec.choices(value)
    return value


# --- form -> document ------------------------------------------------------------------------


def document_from_form(fields: dict[str, str]) -> dict[str, Any]:
    """The situation document the form describes: the loaded document with every control's value.

    Raises one InputError naming every control whose value cannot be read (a word in a number box).
    """
    try:
        base = json.loads(fields.get("document", "") or "{}")
    except json.JSONDecodeError:
        raise InputError([Problem("document", "the page's situation was damaged; load it again")]) from None
    if not isinstance(base, dict) or not isinstance(base.get("household"), dict):
        raise InputError([Problem("document", "no situation is loaded; pick a scenario or paste one")])
    document = copy.deepcopy(base)
    problems = []
    for control in form_of(base).controls:
        if control.name not in fields:
            continue
        try:
            _set(document["household"], control.path.split("."), _document_value(control, fields[control.name]))
        except ValueError:
            problems.append(Problem(control.path, f"'{fields[control.name][:20]}' is not {control.allowed}", code="form"))
    if problems:
        raise InputError(problems)
    return document


def situation_from_form(fields: dict[str, str]) -> tuple[dict[str, Any], Situation]:
    """The document and the validated situation the form describes (one InputError if it does not validate)."""
    document = document_from_form(fields)
    return document, situation_from_document(document, where="the situation")


def facts_of(form: Form) -> dict[str, str]:
    """Every control's value by path: what "what changed since the last step" compares."""
    return {c.path: c.value for c in form.controls}


def _document_value(control: Control, text: str) -> Union[None, bool, int, float, str]:
    value = text.strip()
    if value == UNKNOWN or value.lower() == "unknown":
        return None
    if control.kind == "flag":
        if value not in ("true", "false"):
            raise ValueError(value)
        return value == "true"
    if control.kind in ("number", "years"):
        return _number(value, whole=control.kind == "years" or "whole" in control.allowed, ranges=control.kind == "years")
    if control.options and value not in {option for option, _, _ in control.options}:
        raise ValueError(value)
    return value


def _number(value: str, *, whole: bool, ranges: bool) -> Union[int, float, str]:
    if ranges and "-" in value.strip("-"):
        low, high = value.split("-", 1)
        int(low), int(high)  # both ends whole years, or ValueError
        return f"{int(low)}-{int(high)}"
    number = float(value)
    if whole:
        if not number.is_integer():
            raise ValueError(value)
        return int(number)
    return int(number) if number.is_integer() and "." not in value else number


def _set(node: Any, keys: list[str], value: Any) -> None:
    """Set (or, for None, remove) the fact at `keys` below the household, creating sections as needed."""
    head, *rest = keys
    if head in ("children", "carers"):
        person = next(p for p in node[head] if str(p.get("id")) == rest[0])
        _set(person, rest[1:], value)
        return
    if not rest:
        if value is None:
            node.pop(head, None)
        else:
            node[head] = value
        return
    below = node.get(head)
    if not isinstance(below, dict):
        if value is None:
            return
        below = node[head] = {}
    _set(below, rest, value)
    if not below:
        node.pop(head, None)


def changed_facts(before: dict[str, str], form: Form) -> list[tuple[Control, str]]:
    """The controls whose value differs from `before` (the last step's), with the old value."""
    return [(c, before[c.path]) for c in form.controls if c.path in before and before[c.path] != c.value]


def control_named(form: Form, path: str) -> Optional[Control]:
    return next((c for c in form.controls if c.path == path), None)
