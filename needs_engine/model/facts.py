"""Facts: the typed, possibly-unknown values a situation is made of.

Every fact may be unknown. Unknown is written `unknown` (or `null`) in input, or simply
left out, and is held as `None`; the engine treats it three-valued, never as "no concern".
Every concern fact declares which way is worse, because the monotonicity guarantee
(worsening a fact never lowers a level) is stated in those terms. Strengths are facts too,
with the opposite reading: present is better.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, Optional, TypeVar

from pydantic import BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler, StrictBool, StrictFloat, StrictInt
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .glossary import describe

Direction = Literal["true_is_worse", "higher_is_worse", "lower_is_worse", "strength", "none"]
"""Which way a fact gets worse. `none` marks descriptive facts such as age or role."""

UNKNOWN = "unknown"

UNKNOWN_PATTERN = r"^[ \t\r\n]*[Uu][Nn][Kk][Nn][Oo][Ww][Nn][ \t\r\n]*$"
"""How `unknown` may be written: any case, with spaces or line breaks around it. One pattern for
the engine and for the published JSON Schema, so the two accept exactly the same words (a
Python-only reading such as `str.strip().lower()` also took Unicode spaces and the Kelvin sign)."""

_UNKNOWN = re.compile(UNKNOWN_PATTERN)


def is_unknown_word(value: Any) -> bool:
    """Whether `value` is the word `unknown`, as a document may write it."""
    return isinstance(value, str) and _UNKNOWN.match(value) is not None


def _unknown_to_none(value: Any) -> Any:
    return None if is_unknown_word(value) else value


UNKNOWN_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": UNKNOWN_PATTERN,
    "title": "Unknown",
    "description": "Not known yet. Never read as 'no concern'; the same as leaving the fact out or writing null.",
    "examples": [UNKNOWN],
}


class _SaysUnknown:
    """The JSON Schema half of `Unknownable`: adds `unknown` to the values a fact's schema allows,
    beside null, because the validator accepts it there."""

    def __get_pydantic_json_schema__(self, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        if "anyOf" in schema:  # Optional[...]: the value's type, or null
            branches = list(schema.pop("anyOf"))
        else:  # one value type: it becomes a branch; what describes the field stays outside
            branches = [{key: value for key, value in schema.items() if key not in _FIELD_KEYWORDS}]
            schema = {key: value for key, value in schema.items() if key in _FIELD_KEYWORDS}
        if UNKNOWN_SCHEMA not in branches:
            branches.append(UNKNOWN_SCHEMA)
        return {**schema, "anyOf": branches}


_FIELD_KEYWORDS = ("title", "description", "default")
"""Keywords that describe the field rather than one of its values: they stay outside the anyOf."""


Unknownable = (BeforeValidator(_unknown_to_none), _SaysUnknown())
"""`unknown` reads as None, and the schema says so (use as `Annotated[T, *Unknownable]`)."""


def _not_a_yes_no(value: Any) -> Any:
    """A number fact given `true`/`false` is a mistake, not the number 1 or 0 (pydantic's lax
    mode would read `incidents_12m: yes` as one incident, fewer than the screener meant)."""
    if isinstance(value, bool):
        raise ValueError("expected a number (or unknown), not true/false")
    return value


NotYesNo = BeforeValidator(_not_a_yes_no)


def _whole_number(value: Any) -> Any:
    """`5.0` is the whole number 5, as JSON Schema's `integer` counts it; `5.5` stays a fraction
    and is refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)


def plain_label(value: str) -> str:
    """A value as a form shows it: `diagnosed_unstable` is "Diagnosed unstable"."""
    words = value.replace("_", " ")
    return words[:1].upper() + words[1:]


class Choices(str, Enum):
    """A closed set of values, each with a plain label and a definition.

    The definitions are the situation's vocabulary: the published JSON Schema gives every value
    its label (`title`) and definition (`description`), so a form built from the schema shows a
    screener the same words the docs and the engine's explanations use. Each set is a class of
    its own, given its definitions by `define` right after it.
    """

    _value_: str
    _definitions: ClassVar[dict[str, str]]
    _labels: ClassVar[dict[str, str]]

    @property
    def label(self) -> str:
        return type(self)._labels.get(self.value) or plain_label(self.value)

    @property
    def definition(self) -> str:
        return type(self)._definitions[self.value]

    @classmethod
    def definitions(cls) -> dict[str, str]:
        return dict(cls._definitions)

    @classmethod
    def _defined(cls) -> None:
        """What a kind of choices derives from its definitions, once `define` has checked them."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        schema["oneOf"] = [{"const": member.value, "title": member.label, "description": member.definition} for member in cls]
        return schema


C = TypeVar("C", bound=type[Choices])


def define(choices: C, definitions: dict[str, str], labels: Optional[dict[str, str]] = None) -> C:
    """Give every value of `choices` its definition (and, where the value's own words would not
    do, a label). A value left undefined, or a definition of no value, fails at import."""
    values = [member.value for member in choices]
    if sorted(values) != sorted(definitions) or not set(labels or {}) <= set(values):
        raise TypeError(f"{choices.__name__}: define exactly its values {values}, not {sorted(definitions)}")
    choices._definitions = {value: definitions[value] for value in values}
    choices._labels = dict(labels or {})
    choices._defined()
    return choices


class Ordinal(Choices):
    """An ordered set of values, least worrying first, each with a plain-language definition.

    A scale is a subclass listing its values in order of concern; `rank` is a value's position,
    so conditions compare by rank.
    """

    _rank: int

    @property
    def rank(self) -> int:
        return self._rank

    @classmethod
    def _defined(cls) -> None:
        # pydantic puts an enum's docstring in the JSON Schema: the definitions travel with the schema.
        cls.__doc__ = "Values, least worrying first. " + " ".join(f"{value}: {text}" for value, text in cls._definitions.items())
        for rank, member in enumerate(cls):
            member._rank = rank  # held on the member: comparing values is an attribute read


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


# A document's facts are typed (the published schema is the contract, and it names one type per
# fact): a yes/no is a boolean, a number is a number. Text such as "yes" or "84" is read by the CSV
# reader, which knows each column's type (batch/columns.py), not guessed at here: pydantic's lax
# reading would also take "5_0" as fifty and "on" as yes, which no schema could promise.
# Before-validators run last-first: a yes/no in a number is refused before `unknown` is read.
Flag = Annotated[Optional[StrictBool], *Unknownable]
Count = Annotated[Optional[StrictInt], *Unknownable, NotYesNo, WholeNumber]
Percent = Annotated[Optional[StrictFloat], *Unknownable, NotYesNo]

_TITLE_WORDS = {
    "fgm": "FGM",
    "send": "SEND",
    "neet": "NEET",
    "gcp2": "GCP2",
    "dash": "DASH",
    "gp": "GP",
    "ae": "A&E",
    "12m": "in the last 12 months",
    "percent": "(%)",
    "cp": "child protection",
    "id": "Id",
}


def field_title(name: str, _info: Any = None) -> str:
    """A field's plain label for forms and the facts list: `incidents_12m` is "Incidents in the
    last 12 months", `gcp2_grade` "GCP2 grade"."""
    return plain_label(" ".join(_TITLE_WORDS.get(word, word) for word in name.split("_")))


SECTION_CONFIG = ConfigDict(
    extra="forbid",
    frozen=True,
    use_enum_values=False,
    validate_default=False,
    field_title_generator=field_title,
    json_schema_extra=describe,
    defer_build=True,
)
"""Every section of the situation rejects unknown keys: a misspelt field must never vanish.

Validators are built on first use (`defer_build`), not as the module is imported: a `needs
assess` validates one `Situation`, whose validator holds every section's, so building each
section's own validator beforehand as well was spent for nothing (issue 16 section 4)."""


T = TypeVar("T")
Maybe = Annotated[Optional[T], *Unknownable]
"""Any fact that may be unknown: `Maybe[SomeOrdinal]`."""
