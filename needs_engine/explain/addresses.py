"""Fact addresses: one fact of one person in one household, read and changed without mutation.

Conditions name facts by root (`child.education.attendance_percent`, `carer.mental_health`);
an explanation, a counterfactual or a what-if needs the fact of a particular child or carer.
An address pairs the catalogue entry with its subject, reads the value from a household, and
returns a new household with the value changed (situations are frozen, so nothing is shared
between the original and the changed copy). `what-if` paths (`children.c1.education.
attendance_percent`, `carers.m.mental_health`, `home.domestic_abuse.incidents_12m`,
`strengths.protective_adult`, `immediate_danger`) are parsed here too.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional, TypeVar

from pydantic import BaseModel

from ..errors import InputError, Problem
from ..language.compile import FactRead
from ..model.catalogue import FactSpec, facts_by_root, spec_of
from ..model.situation import Household


@dataclass(frozen=True, order=True)
class Address:
    """A fact of one subject: `subject` is 'child:<id>', 'carer:<id>' or 'household'."""

    subject: str
    dotted: str

    @property
    def spec(self) -> FactSpec:
        return spec_of(self.dotted)

    @property
    def path(self) -> str:
        """The address as `needs what-if --set` writes it."""
        spec = self.spec
        leaf = ".".join(spec.path)
        if spec.root in ("child", "carer"):
            return f"{'children' if spec.root == 'child' else 'carers'}.{self.subject.split(':', 1)[1]}.{leaf}"
        if spec.root == "household":
            return leaf
        return f"{spec.root}.{leaf}"

    @classmethod
    def of(cls, read: FactRead) -> Address:
        """The address a condition read (a sibling's fact is that child's own fact)."""
        spec = read.spec
        dotted = "child." + ".".join(spec.path) if spec.root == "sibling" else spec.dotted
        return cls(read.subject, dotted)

    def get(self, household: Household) -> Any:
        """The fact's value in `household` (None when unknown)."""
        owner = _owner(household, self.subject, self.spec.root)
        value: Any = owner
        for name in self.spec.path:
            value = getattr(value, name)
        return value

    def set(self, household: Household, value: Any) -> Household:
        """A copy of `household` with this fact set to `value` (None for unknown)."""
        spec = self.spec
        if spec.root == "household":
            return _set_path(household, spec.path, value)
        if spec.root in ("home", "strengths"):
            return household.model_copy(update={spec.root: _set_path(getattr(household, spec.root), spec.path, value)})
        key = "children" if spec.root == "child" else "carers"
        wanted = self.subject.split(":", 1)[1]
        people = [_set_path(p, spec.path, value) if p.id == wanted else p for p in getattr(household, key)]
        return household.model_copy(update={key: people})


def _owner(household: Household, subject: str, root: str) -> Any:
    if root in ("household",):
        return household
    if root in ("home", "strengths"):
        return getattr(household, root)
    kind, _, wanted = subject.partition(":")
    people = household.children if kind == "child" else household.carers
    return next(p for p in people if p.id == wanted)


Model = TypeVar("Model", bound=BaseModel)


def _set_path(model: Model, path: tuple[str, ...], value: Any) -> Model:
    if len(path) == 1:
        return model.model_copy(update={path[0]: value})
    return model.model_copy(update={path[0]: _set_path(getattr(model, path[0]), path[1:], value)})


def apply_changes(household: Household, changes: dict[Address, Any]) -> Household:
    """A copy of `household` with every change applied, in address order."""
    for address in sorted(changes):
        household = address.set(household, changes[address])
    return household


def plain_value(value: Any) -> Any:
    """A value as JSON holds it: enum members by their value."""
    return value.value if isinstance(value, Enum) else value


# --- what-if paths ------------------------------------------------------------------------


def parse_address(text: str, household: Household) -> Address:
    """Turn a `what-if` path into an address, or raise InputError naming the closest valid path."""
    parts = text.strip().split(".")
    head = parts[0]
    where = f"--set {text}"
    if head in ("children", "carers"):
        kind = "child" if head == "children" else "carer"
        if len(parts) < 3:
            raise _bad(where, f"'{text}' needs a {kind} id and a fact, e.g. {head}.<id>.<fact>", None)
        ids = [p.id for p in (household.children if head == "children" else household.carers)]
        if parts[1] not in ids:
            close = difflib.get_close_matches(parts[1], ids, n=1, cutoff=0.3)
            raise _bad(where, f"no {kind} with id '{parts[1]}'", close[0] if close else None, ", ".join(ids))
        root, subject, rest = kind, f"{kind}:{parts[1]}", parts[2:]
    elif head in ("home", "strengths"):
        root, subject, rest = head, "household", parts[1:]
    else:
        root, subject, rest = "household", "household", parts[1:] if head == "household" else parts
    facts = facts_by_root()[root]
    path = tuple(rest)
    if path not in facts or path == ("unborn",):
        prefix = {"child": f"children.{subject[6:]}", "carer": f"carers.{subject[6:]}"}.get(root, root)
        written = [".".join(p) for p in facts if p != ("unborn",)]
        close = difflib.get_close_matches(".".join(path), written, n=1, cutoff=0.4)
        suggestion = (f"{prefix}.{close[0]}" if root != "household" else close[0]) if close else None
        raise _bad(
            where,
            f"unknown fact: '{text}'",
            suggestion,
            "a path such as children.c1.education.attendance_percent, "
            "carers.m.mental_health, home.domestic_abuse.incidents_12m, strengths.protective_adult",
        )
    return Address(subject, facts[path].dotted)


def parse_value(address: Address, text: str) -> Any:
    """Read `text` as a value of the fact at `address` ('unknown' allowed), or raise InputError."""
    spec, raw = address.spec, text.strip()
    where = f"--set {address.path}={text}"
    if raw.lower() in ("unknown", "null", "none") and not (spec.choices and raw in [m.value for m in spec.choices]):
        return None
    if spec.kind == "flag":
        truth = {"true": True, "yes": True, "false": False, "no": False}.get(raw.lower())
        if truth is None:
            raise _bad(where, f"'{raw}' is not a value of {address.path}", None, "true, false or unknown")
        return truth
    if spec.kind == "number":
        return _number(spec, raw, where, address.path)
    assert spec.choices is not None
    allowed = [m.value for m in spec.choices]
    if raw not in allowed:
        close = difflib.get_close_matches(raw, allowed, n=1, cutoff=0.3)
        raise _bad(
            where, f"'{raw}' is not a value of {address.path}", close[0] if close else None, ", ".join([*allowed, "unknown"])
        )
    return spec.choices(raw)


def _number(spec: FactSpec, raw: str, where: str, path: str) -> Any:
    low, high = spec.minimum, spec.maximum
    allowed = f"{'a whole number' if spec.integer else 'a number'} from {_num(low)} to {_num(high)}, or unknown"
    try:
        value: Any = int(raw) if spec.integer else float(raw)
    except ValueError:
        raise _bad(where, f"'{raw}' is not a value of {path}", None, allowed) from None
    if not math.isfinite(value):  # float('nan') passes every range check
        raise _bad(where, f"'{raw}' is not a value of {path}", None, allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _bad(where, f"{raw} is out of range for {path}", None, allowed)
    return value


def _num(value: Optional[float]) -> str:
    return "any" if value is None else f"{value:g}"


def _bad(where: str, msg: str, suggestion: Optional[str], expected: Optional[str] = None) -> InputError:
    return InputError([Problem(where, msg, code="what_if", suggestion=suggestion, expected=expected)])
