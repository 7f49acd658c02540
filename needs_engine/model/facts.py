"""Facts: the typed, possibly-unknown values a situation is made of.

Every fact may be unknown. Unknown is written `unknown` (or `null`) in input, or simply
left out, and is held as `None`; the engine treats it three-valued, never as "no concern".
Every concern fact declares which way is worse, because the monotonicity guarantee
(worsening a fact never lowers a level) is stated in those terms. Strengths are facts too,
with the opposite reading: present is better.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, Optional, TypeVar

from pydantic import BeforeValidator, ConfigDict, Field

Direction = Literal["true_is_worse", "higher_is_worse", "lower_is_worse", "strength", "none"]
"""Which way a fact gets worse. `none` marks descriptive facts such as age or role."""

UNKNOWN = "unknown"


def _unknown_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and value.strip().lower() == UNKNOWN else value


Unknownable = BeforeValidator(_unknown_to_none)


def _not_a_yes_no(value: Any) -> Any:
    """A number fact given `true`/`false` is a mistake, not the number 1 or 0 (pydantic's lax
    mode would read `incidents_12m: yes` as one incident, fewer than the screener meant)."""
    if isinstance(value, bool):
        raise ValueError("expected a number (or unknown), not true/false")
    return value


NotYesNo = BeforeValidator(_not_a_yes_no)


class Ordinal(str, Enum):
    """An ordered set of values, least worrying first, each with a plain-language definition.

    Built with `ordinal()`; `rank` is the position, so conditions compare by rank.
    """

    @property
    def rank(self) -> int:
        return type(self)._ranks[self]  # type: ignore[attr-defined]

    @property
    def definition(self) -> str:
        return type(self)._definitions[self.value]  # type: ignore[attr-defined]

    @classmethod
    def definitions(cls) -> dict[str, str]:
        return dict(cls._definitions)  # type: ignore[attr-defined]


def ordinal(name: str, definitions: dict[str, str]) -> type[Ordinal]:
    """Make an Ordinal enum whose members are the keys of `definitions`, in order of concern."""
    enum_type = Ordinal(name, [(value, value) for value in definitions])  # type: ignore[call-overload]
    enum_type._definitions = dict(definitions)
    # pydantic puts an enum's docstring in the JSON Schema: the definitions travel with the schema.
    enum_type.__doc__ = "Values, least worrying first. " + " ".join(f"{value}: {text}" for value, text in definitions.items())
    enum_type._ranks = {member: rank for rank, member in enumerate(enum_type)}
    return enum_type


def _fact(direction: Direction, ask: str, description: str, **constraints: Any) -> Any:
    return Field(
        default=None,
        description=description,
        json_schema_extra={"direction": direction, "ask": ask},
        **constraints,
    )


def flag(ask: str, description: str) -> Any:
    """A yes/no concern: `true` is worse."""
    return _fact("true_is_worse", ask, description)


def graded(ask: str, description: str) -> Any:
    """An ordinal concern: later values are worse. Definitions come from the enum."""
    return _fact("higher_is_worse", ask, description)


def count(ask: str, description: str, *, le: int) -> Any:
    """A count of events; more is worse."""
    return _fact("higher_is_worse", ask, description, ge=0, le=le)


def measure(ask: str, description: str, *, worse: Literal["higher", "lower"], ge: float, le: float) -> Any:
    """A bounded measure; `worse` says which end is the concern."""
    direction: Direction = "higher_is_worse" if worse == "higher" else "lower_is_worse"
    return _fact(direction, ask, description, ge=ge, le=le)


def grade(ask: str, description: str, *, best: int, worst: int) -> Any:
    """A graded scale written as a number (a GCP2 grade): higher is worse, and every grade past
    the best is a defined concern, so no rulebook threshold makes a lower grade "no concern"."""
    field = _fact("higher_is_worse", ask, description, ge=best, le=worst)
    field.json_schema_extra["grades"] = True
    return field


def strength(ask: str, description: str) -> Any:
    """A protective factor: `true` is better, so it may only ever lower a level."""
    return _fact("strength", ask, description)


def descriptive(ask: str, description: str, **constraints: Any) -> Any:
    """A fact with no better or worse value (age, role, mobility)."""
    return _fact("none", ask, description, **constraints)


Flag = Annotated[Optional[bool], Unknownable]
Count = Annotated[Optional[int], Unknownable, NotYesNo]
Percent = Annotated[Optional[float], Unknownable, NotYesNo]

SECTION_CONFIG = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, validate_default=False)
"""Every section of the situation rejects unknown keys: a misspelt field must never vanish."""


T = TypeVar("T")
Maybe = Annotated[Optional[T], Unknownable]
"""Any fact that may be unknown: `Maybe[SomeOrdinal]`."""
