"""The assessment: what the engine concluded and why, as a stable, machine-readable record.

Field names are part of the public contract (integrators store these); add, don't rename.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .glossary import describe
from .levels import Level
from .tiers import Tier

FactValueType = Union[bool, int, float, str, None]


_O = TypeVar("_O", bound="Out")
# The slots every pydantic model instance has, set through their descriptors: a frozen model's
# own __setattr__ refuses, and the descriptors are quicker than object.__setattr__ by name.
_SET_DICT = BaseModel.__dict__["__dict__"].__set__
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


class Out(BaseModel):
    # The engine makes these models without validating them (`made`), and the terminal, Markdown
    # and HTML views only read their fields, so a `needs assess` that prints no JSON never needs
    # their validators or serialisers: pydantic builds them on first use (a JSON dump, a schema,
    # `model_validate`), the same ones it built at import before (issue 16 section 4).
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=describe, defer_build=True)

    @classmethod
    def made(cls: type[_O], **fields: Any) -> _O:
        """The model from values the engine itself made, already of the fields' types, without validating them.

        An assessment builds hundreds of these models per household; validating values the
        engine typed itself, and giving each model its own `model_fields_set`, was much of the
        cost of an explanation (and most of its memory). The result is what validation would
        give: fields in declared order (serialisation follows it), defaults filled in,
        `model_fields_set` the fields given, a set shared by the models given the same fields
        (pydantic copies it before changing it). Input from outside goes through `model_validate`.
        Given every field in declared order (as the engine's callers write them), the keywords'
        own dict is kept as the model's.
        """
        layout = _LAYOUTS.get(cls) or _layout(cls)
        names = layout.names
        if fields.keys() == layout.all_given:
            values = fields if tuple(fields) == names else {name: fields[name] for name in names}
            given = layout.all_given
        else:
            unknown = fields.keys() - layout.defaults.keys()
            if unknown:
                raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
            values = {name: fields[name] if name in fields else layout.defaults[name]() for name in names}
            given = set(fields)
        return _fresh(cls, values, given)

    @classmethod
    def whole(cls: type[_O], values: dict[str, Any]) -> _O:
        """`made(**values)` for a dict of every field, in declared order, that the model keeps as
        its own: the engine builds these for the models it makes most of (a fired descriptor)."""
        layout = _LAYOUTS.get(cls) or _layout(cls)
        if tuple(values) != layout.names:
            raise TypeError(f"{cls.__name__}.whole() needs every field in declared order: {', '.join(layout.names)}")
        return _fresh(cls, values, layout.all_given)


def _fresh(cls: type[_O], values: dict[str, Any], given: set[str]) -> _O:
    """A model of `cls` holding `values` (every field, in declared order) as validation would leave it."""
    model = object.__new__(cls)
    _SET_DICT(model, values)
    _SET_FIELDS_SET(model, given)
    _SET_EXTRA(model, None)
    _SET_PRIVATE(model, None)
    return model


@dataclass(frozen=True)
class _Layout:
    names: tuple[str, ...]
    """Field names in declared order."""
    defaults: dict[str, Callable[[], Any]]
    """A maker of each field's default (raising TypeError for a required field)."""
    all_given: set[str]
    """The fields set of a model given every field."""


_LAYOUTS: dict[type, _Layout] = {}


def _layout(cls: type[Out]) -> _Layout:
    found = _LAYOUTS.get(cls)
    if found is None:
        defaults: dict[str, Callable[[], Any]] = {}
        for name, info in cls.model_fields.items():
            if info.default_factory is not None:
                defaults[name] = info.default_factory  # type: ignore[assignment]
            elif not info.is_required():
                defaults[name] = _constant(info.default)
            else:
                defaults[name] = _missing(cls, name)
        found = _LAYOUTS[cls] = _Layout(tuple(cls.model_fields), defaults, set(cls.model_fields))
    return found


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _missing(cls: type, name: str) -> Any:
    def fail() -> Any:
        raise TypeError(f"{cls.__name__}.made() needs {name!r}")

    return fail


class FactValue(Out):
    """A fact that made a descriptor fire (or that is unknown), and whose it is."""

    subject: str = Field(description="'child:<id>', 'carer:<id>' or 'household'.")
    fact: str = Field(description="The fact path as conditions name it, e.g. child.education.attendance_percent.")
    value: FactValueType = Field(description="The value; null when unknown.")


class LowerRung(Out):
    """A lower rung of a need that fired too: shown folded into the need's highest fired rung."""

    id: str
    level: Level
    text: str


class FiredDescriptor(Out):
    id: str
    level: Level
    tier: Tier = Field(description="The response tier it calls for in this rulebook, one its level covers (model/tiers.py).")
    domain: str
    text: str
    source: str
    origin: Literal["common", "overridden", "local"] = Field(
        description="Where it comes from: the common library as written, the library changed by this rulebook's override, or this rulebook's own files.",
    )
    red_flag: bool = False
    floor: bool = False
    facts: list[FactValue] = Field(default_factory=list, description="The facts that made it fire.")
    need: Optional[str] = Field(default=None, description="The need (ladder) this descriptor is the highest fired rung of.")
    also_meets: list[LowerRung] = Field(
        default_factory=list,
        description="Lower rungs of the same need that fired too, folded into this one (a need counts once).",
    )


class AppliedEscalation(Out):
    id: str
    text: str
    to: Level
    tier: Tier = Field(description="The response tier the escalation means, one `to` covers.")
    because: list[str] = Field(description="Descriptor ids counted, or the facts that met the condition.")


class AppliedMitigation(Out):
    id: str
    text: str
    from_level: Level
    to_level: Level


class AgeCase(Out):
    """The child's levels over part of an approximate age: age is one unknown (Semantics 11)."""

    ages: str = Field(description="The ages in words, e.g. 'unborn', '0 to 4 years'.")
    from_months: Optional[int] = Field(description="First month of the part; null for unborn.")
    to_months: Optional[int] = Field(description="Last month of the part; null for unborn.")
    level: Level
    possible_level: Level


class IfConfirmed(Out):
    """An unknown strength that would lower the level through a declared mitigation if confirmed (Semantics 7)."""

    mitigation: str
    strengths: list[str] = Field(description="The unknown strengths to confirm.")
    level: Level = Field(description="The level the child would have with them confirmed.")
    label: str
    words: str


UnassessedReason = Literal["outside_age_band", "not_a_concern", "not_covered", "waiting_on_unknown"]


class UnassessedFact(Out):
    """A fact recorded with a value of concern that fired no descriptor for the child, and why (Semantics 14).

    `reason` is `outside_age_band` (a descriptor reads it at this value, but the child's age is
    outside its band), `not_a_concern` (the rulebook declares the value no concern, with a reason
    and a source), `not_covered` (no descriptor of the rulebook acknowledges it for this child) or
    `waiting_on_unknown` (a descriptor reading it may still fire once other unknown facts are known).
    """

    subject: str = Field(description="'child:<id>', 'carer:<id>' or 'household'.")
    fact: str = Field(description="The fact path as conditions name it, e.g. child.extra_familial.sexual_exploitation.")
    value: FactValueType
    reason: UnassessedReason
    words: str = Field(description="The reason in plain words, naming the descriptors and age bands involved.")
    descriptors: list[str] = Field(
        default_factory=list, description="The descriptors (or escalations) the reason names: out of age band, or still unknown."
    )


class ChildAssessment(Out):
    child_id: str
    age: str = Field(description="Age in words, e.g. '4 months', 'unborn (20 weeks)', '13 to 15 years', 'unknown'.")
    level: Level
    label: str
    tier: Tier = Field(
        description=(
            "The response tier: the highest tier of the fired descriptors, red flags and escalations, moved into "
            "the tiers the child's level covers (so a mitigated child reports a tier of the level it now has); "
            "universal when nothing fired."
        ),
    )
    possible_level: Level = Field(description="The level if every unknown fact took its worst value.")
    possible_label: str
    red_flags: list[str] = Field(default_factory=list)
    fired: list[FiredDescriptor] = Field(default_factory=list)
    escalations: list[AppliedEscalation] = Field(default_factory=list)
    mitigation: Optional[AppliedMitigation] = None
    could_fire: list[str] = Field(
        default_factory=list, description="Descriptors above the level that are unknown: they could fire once facts are known."
    )
    age_cases: list[AgeCase] = Field(
        default_factory=list,
        description="For an approximate or unknown age, the levels over each part of it the rulebook tells apart.",
    )
    if_confirmed: list[IfConfirmed] = Field(
        default_factory=list, description="Unknown strengths that would lower the level if confirmed; never applied."
    )
    unassessed: list[UnassessedFact] = Field(
        default_factory=list,
        description="Every fact recorded with a value of concern that fired no descriptor for this child, with the reason.",
    )
    cin_factors: list[str] = Field(
        default_factory=list,
        description=(
            "The DfE Children in Need census 'factors identified at the end of assessment' codes (e.g. '3B', '18C') "
            "that the recorded facts match, in census code order, to pre-fill a census return. National, not per "
            "rulebook (census/cin-factors.yaml). Only facts that are known count: an unknown fact matches no code, "
            "codes the model cannot record are never given, and '21' (no factors) is never given, so a practitioner "
            "reviews and completes the list."
        ),
    )

    def fired_ids(self) -> list[str]:
        """Every descriptor that fired, the lower rungs folded into a need too, by level then id
        (what a decision record keeps and a batch row lists)."""
        rungs: list[Union[FiredDescriptor, LowerRung]] = []
        for fired in self.fired:
            rungs += [fired, *fired.also_meets]
        return [rung.id for rung in sorted(rungs, key=lambda rung: (-rung.level.rank, rung.id))]


class Question(Out):
    """An unknown fact that could raise a level, worded as a question to ask.

    A fact is asked once for whoever it is about: a household fact once, for every child in
    `children`; a carer's fact once per carer; a child's fact once per child.
    """

    ask: str
    fact: str
    subject: str
    could_raise_to: Level
    children: list[str] = Field(description="The children whose level the answer could raise.")
    descriptors: list[str] = Field(description="The descriptors and escalations the answer could make fire.")
    group: Optional[Literal["red_flags"]] = Field(
        default=None,
        description=(
            "'red_flags' for a red-flag screen (the answer could fire a red flag, which is Safeguarding on its own): "
            "these come first and are asked together as one checklist; null for any other question."
        ),
    )
    prompted_by: list[FactValue] = Field(
        default_factory=list,
        description=(
            "Recorded concerns that point to this question, and so rank it earlier among questions of the same "
            "consequence: a concern that an unknown rule reading this fact also tests, or a concern about the same "
            "person in the same part of the situation (a domestic-abuse history points to the incident count)."
        ),
    )


class ConsentNote(Out):
    status: Literal["given", "refused", "not_sought", "unknown"]
    needed: bool
    guidance: str


class ResponsePlan(Out):
    level: Level
    label: str
    summary: str
    actions: list[str]
    statutory: bool = Field(default=False, description="The level is a statutory response (e.g. a section 17 or 47 referral).")
    urgent: bool = Field(default=False, description="A child is in immediate danger: the urgent actions come first.")
    urgent_summary: Optional[str] = None
    urgent_actions: list[str] = Field(default_factory=list)


class Override(Out):
    """Professional judgement: a level chosen by a person, with the reasons.

    Like any pydantic model, building one with a bad field raises pydantic's ValidationError;
    `assess(..., override={...})` takes the fields as a mapping and raises InputError instead.
    """

    level: Level
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
    by: Optional[str] = Field(default=None, max_length=100, description="Who made the decision (role or initials).")
    second_person: Optional[str] = Field(
        default=None, max_length=100, description="Who agreed a downward override (required to lower a level)."
    )


class OverrideRecord(Out):
    computed_level: Level
    final_level: Level
    direction: Literal["up", "down", "same"]
    reason: str
    by: Optional[str]
    second_person: Optional[str]
    flagged: bool = Field(description="True for a downward override: every output shows it.")


class RulebookRef(Out):
    id: str
    name: str
    version: str
    content_hash: str


class Check(Out):
    """A value that is assessed as written but looks implausible: worth a second look.

    A check never changes a level; it is listed so a screener sees, say, that an attendance of
    0.84 % was probably meant as 84 %.
    """

    subject: str = Field(description="Whose fact: child:<id>, carer:<id> or household.")
    fact: str = Field(description="The dotted path of the fact within the subject, e.g. education.attendance_percent.")
    value: Union[int, float, str, bool, None]
    message: str = Field(description="What looks wrong and what was probably meant.")


FORMAT_VERSION = "1.0"
"""The shape of the assessment JSON, MAJOR.MINOR (docs/embedding.md, 'Versions'): a minor version
only adds (a field, a value of an open list); renaming, removing or retyping a field, or changing
what one means, is a new major version, and a new `/v2` path in the HTTP service."""


class Assessment(Out):
    """The engine's conclusion about one household."""

    format_version: str = Field(
        default=FORMAT_VERSION,
        description="The shape of this JSON, MAJOR.MINOR: within a major version fields are only added, never renamed, "
        "removed or retyped, so a reader written for 1.0 reads every 1.x (ignoring fields it does not know).",
    )
    rulebook: RulebookRef
    engine_version: str
    reference: Optional[str] = None
    level: Level = Field(description="The final family level: the highest child level, or the override.")
    label: str
    tier: Tier = Field(
        description="The family's response tier: the highest child tier, moved into the tiers the final level covers (an override's level included).",
    )
    computed_level: Level = Field(description="The family level the rules gave, before any override.")
    possible_level: Level
    possible_label: str
    children: list[ChildAssessment]
    questions: list[Question]
    checks: list[Check] = Field(
        default_factory=list, description="Implausible values, assessed as written: check them (never changes a level)."
    )
    consent: ConsentNote
    response: ResponsePlan
    override: Optional[OverrideRecord] = None
