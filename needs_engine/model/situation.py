"""The situation: one household at one time, as structured facts a screener can fill in.

The shape follows the Assessment Framework triangle (child's developmental needs, parenting
capacity, family and environmental factors) plus extra-familial harm and the red flags.
Every section defaults to "all unknown", so a section left out is unknown, never "fine".
"""

# Annotations are evaluated as the classes are made (no `from __future__ import annotations`):
# pydantic would otherwise compile and evaluate each of some 170 field annotations from its text
# while building the models, about a tenth of importing this module, which every `needs assess`
# pays (issue 16 section 4). Methods name their own class in quotes.
import re
import typing
from enum import Enum
from functools import cache
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints, WithJsonSchema, model_validator

from . import ordinals as o
from .ages import (
    ANY_AGE,
    MAX_AGE_MONTHS,
    UNBORN_ONLY,
    AgeBandName,
    AgeSpan,
    applies_span,
    band_span,
    years_span,
)
from .facts import (
    SECTION_CONFIG,
    UNKNOWN_SCHEMA,
    Choices,
    Count,
    Flag,
    Maybe,
    Percent,
    _unknown_to_none,
    count,
    define,
    descriptive,
    flag,
    grade,
    graded,
    measure,
    strength,
)

_IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
Identifier = Annotated[
    str,
    StringConstraints(pattern=_IDENTIFIER),
    # The engine's patterns end at the end of the text; Python's `$` (which jsonschema uses) would
    # also end before a final line break, so the published pattern refuses one outright.
    WithJsonSchema({"type": "string", "pattern": _IDENTIFIER[:-1] + r"(?!\n)$", "examples": ["c1", "m"]}),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Section(BaseModel):
    """A group of facts; unknown keys are rejected."""

    model_config = SECTION_CONFIG


# --- the child's developmental needs -------------------------------------------------------


class Health(Section):
    """Physical health, health care and (for the unborn) antenatal care."""

    missed_appointments_12m: Count = count(
        "How many health appointments has the child missed in the last 12 months?",
        "Health appointments (GP, health visitor, hospital, dental) not attended in the last 12 months.",
        le=100,
    )
    immunisations: Maybe[o.Immunisations] = graded("Are the child's immunisations up to date?", "Routine immunisations.")
    growth: Maybe[o.Growth] = graded("Is the child's growth following the expected centiles?", "Growth and weight.")
    health_needs: Maybe[o.HealthNeeds] = graded(
        "Are the child's health needs (illness, conditions, dental care) being met?",
        "Whether health needs are met, in general; a carer neglecting the treatment of a known condition is also `harm.medical_needs_neglected`.",
    )
    disability: Maybe[o.Disability] = graded(
        "Does the child have a disability or long-term condition, and what support does it need?",
        "Disability or long-term condition, by the support it needs.",
    )
    substance_use: Maybe[o.ChildSubstanceUse] = graded(
        "Does the child use alcohol, drugs or other substances, and how often?", "The child's own substance use."
    )
    sexual_health: Maybe[o.SexualHealth] = graded(
        "Is there any concern about the young person's sexual health or relationships?", "Sexual health."
    )
    teenage_pregnancy: Flag = flag("Is the young person pregnant or a parent?", "The child is pregnant or is a young parent.")
    antenatal_care: Maybe[o.AntenatalCare] = graded(
        "For an unborn child: is the pregnancy booked and are antenatal appointments attended?", "Antenatal care."
    )
    prenatal_substance_exposure: Flag = flag(
        "For an unborn child: is the baby being exposed to alcohol or drugs in pregnancy?",
        "Alcohol or drug use in pregnancy.",
    )
    injury_or_ae_attendances_12m: Count = count(
        "How many injuries has the child been seen with, or A&E visits made, in the last 12 months?",
        "Injuries seen by a professional, or emergency department attendances, in the last 12 months; frequent or repeated ones are a concern in themselves.",
        le=100,
    )
    weight: Maybe[o.Weight] = graded(
        "Is the child a healthy weight for their height and age?",
        "Weight for height and age (obesity is a Knowsley priority, seeds/003).",
    )


class Development(Section):
    """Early development and mobility."""

    milestones: Maybe[o.Delay] = graded(
        "Is the child meeting developmental milestones for their age?", "Global development against milestones."
    )
    speech_language: Maybe[o.Delay] = graded(
        "Is the child's speech, language and communication developing as expected?", "Speech and language."
    )
    non_mobile: Flag = descriptive(
        "Is the child not yet independently mobile (not crawling, cruising or walking)?",
        "Not yet independently mobile; injuries to non-mobile babies are rarely accidental.",
    )


class Education(Section):
    """Learning, attendance and special educational needs."""

    attendance_percent: Percent = measure(
        "What is the child's school attendance this academic year, as a percentage?",
        "Attendance this academic year; below 90% is persistent absence, below 50% severe absence.",
        worse="lower",
        ge=0,
        le=100,
    )
    suspensions_12m: Count = count(
        "How many suspensions (fixed-term exclusions) has the child had in the last 12 months?",
        "Suspensions in the last 12 months.",
        le=100,
    )
    permanently_excluded: Flag = flag(
        "Has the child been permanently excluded, or is a permanent exclusion being considered?",
        "Permanent exclusion, actual or pending.",
    )
    send: Maybe[o.SEND] = graded(
        "Does the child have special educational needs (SEN Support or an EHCP)?", "Special educational needs."
    )
    send_needs_unmet: Flag = flag(
        "Are the child's special educational needs going unmet?", "Identified special educational needs not being met."
    )
    missing_education: Flag = flag(
        "Is the child of school age but not on a school roll or receiving suitable education?",
        "Child missing education.",
    )
    neet: Flag = flag(
        "Is the young person (16+) not in education, employment or training?", "Not in education, employment or training."
    )
    early_years_place_not_taken: Flag = flag(
        "Is an eligible funded early-years place not being taken up?",
        "Funded early-education place (e.g. the two-year-old offer) not taken up.",
    )
    unauthorised_absence_percent: Percent = measure(
        "What share of school sessions this year has the child missed without permission, as a percentage?",
        "Unauthorised absence this academic year, as a percentage of sessions.",
        worse="higher",
        ge=0,
        le=100,
    )
    attendance_falling_despite_support: Flag = flag(
        "Is the child's attendance still falling although the school and family have had support to improve it?",
        "Attendance falling despite support (an attendance plan or early help).",
    )
    elective_home_education: Flag = flag(
        "Is the child educated at home by choice of the parents (elective home education)?",
        "Elective home education: a parent's right, not a concern on its own (DfE, Elective home education guidance, 2019).",
    )


class Emotional(Section):
    """Emotional and behavioural development."""

    mental_health: Maybe[o.MentalHealthChild] = graded(
        "Does the child have emotional or mental health difficulties, and how serious are they?",
        "The child's emotional wellbeing and mental health.",
    )
    self_harm: Maybe[o.SelfHarm] = graded(
        "Has the child self-harmed or spoken of suicidal thoughts?", "Self-harm and suicidal thoughts."
    )
    behaviour: Maybe[o.Behaviour] = graded(
        "Is the child's behaviour a concern at home or school?", "Behaviour at home, school or in the community."
    )
    harmful_sexual_behaviour: Flag = flag(
        "Has the child shown sexual behaviour that is harmful to themselves or others?",
        "Harmful sexual behaviour shown by the child.",
    )
    suicidality: Maybe[o.Suicidality] = graded(
        "Has the child spoken of suicide, made a plan or attempted it?",
        "Suicidal thoughts, a plan or an attempt (self-harm is its own fact).",
    )
    self_harm_episodes_12m: Count = count(
        "How many times has the child self-harmed in the last 12 months?",
        "Self-harm episodes in the last 12 months: one episode, or repeated self-harm.",
        le=365,
    )
    mental_health_crisis: Flag = flag(
        "Is the child in an acute mental-health crisis now (needing an urgent crisis or CAMHS response)?",
        "An acute mental-health crisis: psychosis, an emergency admission or an urgent crisis-team response.",
    )
    harms_other_children: Maybe[o.ChildOnChild] = graded(
        "Has the child physically, sexually or emotionally abused another child?",
        "Child-on-child abuse by this child (harmful sexual behaviour is also its own fact).",
    )
    violence_to_carers: Maybe[o.ChildToParentViolence] = graded(
        "Is the child violent or abusive towards a parent or carer?",
        "Child-to-parent violence and abuse.",
    )


class Identity(Section):
    """Identity, self-esteem and how others treat the child."""

    self_esteem: Maybe[o.SelfEsteem] = graded("How is the child's self-esteem and sense of identity?", "Self-esteem.")
    bullying: Maybe[o.Frequency] = graded("Is the child being bullied, in person or online?", "Being bullied.")
    discrimination: Maybe[o.Frequency] = graded(
        "Is the child experiencing discrimination or hate incidents?",
        "Discrimination or hate incidents because of who the child is.",
    )


class Relationships(Section):
    """Family and social relationships."""

    young_carer: Maybe[o.CaringRole] = graded(
        "Does the child care for a family member, and how much does it affect them?", "Young carer responsibilities."
    )
    private_fostering: Flag = flag(
        "Is the child living with someone who is not a parent or close relative for 28 days or more?",
        "A private fostering arrangement (the local authority must be notified).",
    )
    relationship_with_carers: Maybe[o.RelationshipWithCarers] = graded(
        "How is the child's relationship with their parents or carers?", "Relationship with carers."
    )
    peer_isolation: Flag = flag("Is the child isolated from friends of their own age?", "Few or no friendships with peers.")
    bereavement: Flag = flag(
        "Has the child lost a parent, carer or sibling recently?", "Recent bereavement of a close family member."
    )
    homeless_alone: Flag = flag(
        "Is this 16- or 17-year-old homeless, without their family?",
        "A 16- or 17-year-old homeless on their own (the Southwark judgment: assess as a child in need).",
    )


class YouthOffending(Section):
    """Antisocial behaviour and offending by the child."""

    antisocial_behaviour: Maybe[o.AntisocialBehaviour] = graded(
        "Is the child involved in antisocial behaviour?", "Antisocial behaviour."
    )
    offending: Maybe[o.Offending] = graded("Has the child offended, and how seriously?", "Offending by the child.")
    carries_weapon: Flag = flag("Is the child known or suspected to carry a weapon?", "Carrying a knife or other weapon.")


class SocialPresentation(Section):
    """How the child presents to others."""

    hygiene_and_clothing: Maybe[o.Presentation] = graded(
        "Is the child clean and dressed appropriately for the weather and their age?", "Hygiene and clothing."
    )


class SelfCareSkills(Section):
    """Practical independence for the child's age and ability."""

    self_care: Maybe[o.SelfCare] = graded(
        "Does the child have the self-care skills expected for their age and ability?", "Self-care skills."
    )


class Harm(Section):
    """Specific safeguarding concerns about harm to this child (the red flags)."""

    disclosure_of_abuse: Flag = flag(
        "Has the child said that they are being abused or harmed?", "A disclosure of abuse by the child."
    )
    injury: Maybe[o.InjuryConcern] = graded(
        "Does the child have any injury, and is it explained and consistent with their age and mobility?",
        "Injuries and their explanation.",
    )
    sexual_abuse_concern: Flag = flag("Is there any concern that the child is being sexually abused?", "Concern of sexual abuse.")
    sexual_activity_under_13: Flag = flag(
        "Is a child under 13 known to be sexually active?",
        "Sexual activity by a child under 13, who cannot consent in law.",
    )
    fgm: Maybe[o.FGMRisk] = graded(
        "Is the child at risk of female genital mutilation (FGM), or has the child undergone it?", "Female genital mutilation."
    )
    forced_marriage: Maybe[o.ForcedMarriageRisk] = graded(
        "Is the child at risk of forced marriage?", "Forced marriage (so-called honour-based abuse is `honour_based_abuse`)."
    )
    left_alone: Flag = flag(
        "Has the child been left alone or unsupervised in a way that is unsafe for their age?",
        "Left home alone or unsupervised, unsafely for their age.",
    )
    gcp2_grade: Count = grade(
        "What overall grade did the Graded Care Profile 2 give for this child's care (1 best to 5 worst)?",
        "Graded Care Profile 2 overall grade: 1 all needs met, 5 needs not met and the child harmed.",
        best=1,
        worst=5,
    )
    emotional_abuse: Maybe[o.EmotionalAbuse] = graded(
        "Is there a concern that the child is emotionally abused (criticised, rejected, frightened or made to feel worthless)?",
        "Emotional abuse by an adult.",
    )
    fabricated_or_induced_illness: Flag = flag(
        "Is there a concern that an adult is fabricating or inducing illness in the child?",
        "Fabricated or induced illness: a concern that a carer is deceiving health professionals about the child's health or harming it (RCPCH 2021); a perplexing presentation with no such concern is health-led and recorded as `health.health_needs`.",
    )
    medical_needs_neglected: Flag = flag(
        "Is treatment, medication or care for a known condition of the child being neglected?",
        "Neglect of a known medical need; the general state of the child's health care is `health.health_needs`.",
    )
    faith_or_belief_abuse: Flag = flag(
        "Is the child at risk of abuse linked to faith or belief (for example an accusation of witchcraft or spirit possession)?",
        "Abuse linked to faith or belief.",
    )
    honour_based_abuse: Maybe[o.HonourBasedAbuse] = graded(
        "Is the child at risk of, or have they suffered, so-called honour-based abuse?",
        "So-called honour-based abuse (forced marriage is its own fact).",
    )
    breast_ironing: Maybe[o.BreastIroning] = graded(
        "Is the child at risk of breast ironing or flattening, or has it happened?",
        "Breast ironing or flattening.",
    )
    abused_by_another_child: Maybe[o.ChildOnChild] = graded(
        "Has another child physically, sexually or emotionally abused this child?",
        "Child-on-child abuse, this child harmed.",
    )
    abandoned_or_thrown_out: Flag = flag(
        "Has the child been abandoned, or has a young person been told to leave home?",
        "Abandonment, or a young person thrown out of home.",
    )


class ExtraFamilialHarm(Section):
    """Harm outside the home: contextual safeguarding."""

    missing_episodes_12m: Count = count(
        "How many times has the child been reported missing in the last 12 months?",
        "Missing-from-home or care episodes in the last 12 months.",
        le=365,
    )
    sexual_exploitation: Maybe[o.Risk] = graded(
        "Is there any indication of child sexual exploitation?", "Child sexual exploitation."
    )
    criminal_exploitation: Maybe[o.Risk] = graded(
        "Is there any indication of child criminal exploitation, including county lines?",
        "Child criminal exploitation, including county lines.",
    )
    gang_association: Flag = flag("Is the child associating with a gang or organised group?", "Gang association.")
    drug_debt: Flag = flag("Does the child owe a drug debt?", "A drug debt, which leaves a child open to exploitation.")
    radicalisation: Maybe[o.RadicalisationConcern] = graded(
        "Is there any concern about radicalisation?", "Radicalisation and extremism."
    )
    online_harm: Maybe[o.OnlineHarm] = graded("Is there any concern about the child's safety online?", "Online harm.")
    trafficking_or_modern_slavery: Flag = flag(
        "Is there any indication that the child has been trafficked or is in modern slavery?",
        "Trafficking or modern slavery.",
    )
    missing_whereabouts_unknown: Flag = flag(
        "When the child went missing, were their whereabouts unknown or were they away overnight?",
        "At least one missing episode with whereabouts unknown, or overnight.",
    )
    relationship_abuse: Maybe[o.RelationshipAbuse] = graded(
        "Is the young person experiencing abuse in their own relationship?",
        "Teenage relationship abuse.",
    )


@cache
def _best_value(section: type[BaseModel], name: str) -> Any:
    """A concern fact's no-concern value: false, its first grade ("first") or its best bound;
    "descriptive" for a fact with no better or worse value (read from the model's fields, which
    are fixed, so once per fact: every recorded fact of every child asks it)."""
    field = section.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    direction = extra.get("direction")
    if direction == "true_is_worse":
        return False
    if direction == "lower_is_worse":
        return next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if direction == "higher_is_worse":
        low = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
        if low is not None:
            return low
        return "first"
    return "descriptive"


def _no_concern(section: type[BaseModel], name: str, value: Any) -> bool:
    best = _best_value(section, name)
    if best == "descriptive":
        return True  # a fact with no better or worse value (mobility) is not a concern
    if isinstance(value, Enum):
        return best == "first" and value is next(iter(type(value)))
    if isinstance(value, bool):
        return best is False and value is False
    return isinstance(best, (int, float)) and not isinstance(best, bool) and value == best


@cache
def _no_concern_value(section: type[BaseModel], name: str) -> Any:
    """The value a concern fact has when there is no concern (None for a descriptive fact; fixed
    by the model, so worked out once per fact: every child of a span of ages asks it)."""
    best = _best_value(section, name)
    if best == "descriptive":
        return None
    if best == "first":
        annotation = section.model_fields[name].annotation
        choices = next(
            (a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, Enum)),
            annotation if isinstance(annotation, type) and issubclass(annotation, Enum) else None,
        )
        return next(iter(choices)) if choices is not None else None
    return best


@cache
def _inapplicable(span: AgeSpan) -> tuple[tuple[str, str], ...]:
    """The child facts (section, name) that cannot describe a child of `span` (few spans recur)."""
    found = []
    for section in CHILD_SECTIONS:
        model = Child.model_fields[section].annotation
        assert isinstance(model, type)
        for name in model.model_fields:
            fact_span = applies_span(f"{section}.{name}")
            if span.intersect(fact_span).empty:
                found.append((section, name))
    return tuple(found)


class CaseHistory(Section):
    """The child's case status and history with children's services."""

    current_plan: Maybe[o.CurrentPlan] = graded(
        "Does the child have an open plan now (early help, Child in Need or child protection)?",
        "The plan open for the child now.",
    )
    previous_cp_plan: Maybe[o.PreviousPlan] = graded(
        "Has the child had a child protection plan before, and when did it end?",
        "A previous child protection plan, and how recently it ended.",
    )
    looked_after: Maybe[o.LookedAfter] = graded(
        "Is the child looked after by the local authority now, or were they before?",
        "Looked after now or in the past.",
    )
    referrals_12m: Count = count(
        "How many times has the child been referred to Children's Social Care in the last 12 months?",
        "Previous referrals to Children's Social Care in the last 12 months (a re-referral is itself a concern).",
        le=50,
    )
    early_help_ended_without_improvement: Flag = flag(
        "Did an early help plan end without the needs improving?",
        "An early help plan that closed without improvement (a reason to step up).",
    )
    legal_proceedings: Maybe[o.LegalStatus] = graded(
        "Are there court proceedings or orders about the child (private law, pre-proceedings, care proceedings)?",
        "Legal orders or proceedings about the child.",
    )
    pre_birth_assessment_required: Flag = flag(
        "For an unborn baby: has a pre-birth assessment by Children's Social Care been asked for or required?",
        "A pre-birth assessment required (for example after previous removals or current concerns).",
    )


class ChildStatus(Section):
    """The child's immigration and care status."""

    unaccompanied_asylum_seeking: Flag = flag(
        "Is the child an unaccompanied asylum-seeking child (in the UK without a parent or carer)?",
        "An unaccompanied asylum-seeking child: looked after by the local authority (Children Act 1989, s20).",
    )


MAX_YEARS = MAX_AGE_MONTHS // 12

_EDGE = "[ \\t\\r\\n]*"  # around the whole text; it takes a final line break, so `$` reads alike in Python and JSON Schema
_SEPARATOR = "[ \\t]*(?:-|–|to)[ \\t]*"
AGE_YEARS_TEXT = re.compile(f"^{_EDGE}(?:([0-9]+)|([0-9]{{1,2}}){_SEPARATOR}([0-9]{{1,2}})){_EDGE}$")
"""How an age in years may be written as text: `14` (leading zeros allowed) or a range `13-15`
(also `13–15`, `13 to 15`), with spaces around."""


def _years_text_pattern() -> str:
    """The texts `AGE_YEARS_TEXT` reads that are also in range (0 to MAX_YEARS, the younger age
    first), as one pattern for the published schema: a JSON Schema cannot compare two numbers
    in a string, so the valid ranges are listed."""

    def written(years: int) -> str:
        return f"0?{years}" if years < 10 else str(years)

    single = f"0*(?:{'|'.join(str(years) for years in range(MAX_YEARS, -1, -1))})"  # longest first
    ranges = "|".join(
        f"{written(low)}{_SEPARATOR}(?:{'|'.join(written(high) for high in range(MAX_YEARS, low - 1, -1))})"
        for low in range(MAX_YEARS, -1, -1)
    )
    return f"^{_EDGE}(?:{single}|{ranges}){_EDGE}$"


def _age_years(value: Any) -> Any:
    """`14`, `"14"`, or a range `"13-15"` (also `13–15`, `13 to 15`), as a (low, high) pair of years.

    A tuple is the form the model holds (a situation dumped and read again); a document writes a
    number or text, as the published schema says."""
    value = _unknown_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("expected a whole number of years or a range such as 13-15, not true/false")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, str):
        found = AGE_YEARS_TEXT.match(value)
        if found and found.group(1) is not None:
            return (int(found.group(1)), int(found.group(1)))
        if found:
            low, high = int(found.group(2)), int(found.group(3))
            if low > high:
                raise ValueError(f"the range {value.strip()!r} runs backwards; write the younger age first, e.g. {high}-{low}")
            return (low, high)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return (value[0], value[1])
    raise ValueError("expected a whole number of years (e.g. 14) or a range of years (e.g. 13-15)")


def _years_in_range(value: Optional[tuple[int, int]]) -> Optional[tuple[int, int]]:
    if value is not None and not (0 <= value[0] <= value[1] <= MAX_YEARS):
        raise ValueError(f"years must be from 0 to {MAX_YEARS}")
    return value


AgeYears = Annotated[
    Optional[tuple[int, int]],
    BeforeValidator(_age_years),
    AfterValidator(_years_in_range),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_YEARS,
                    "title": "Years",
                    "description": "A whole number of years.",
                },
                {
                    "type": "string",
                    "pattern": _years_text_pattern(),
                    "title": "Years, or a range of years",
                    "description": "Whole years as text ('14') or a range, younger age first ('13-15', '13 to 15').",
                    "examples": ["14", "13-15"],
                },
                {"type": "null"},
                UNKNOWN_SCHEMA,
            ]
        }
    ),
]
"""Held as (low, high) years; written as 14, "14" or a range "13-15"."""

AGE_FIELDS = ("age_months", "age_years", "age_band", "unborn_weeks")
"""The ways a child's age may be given; at most one per child."""

CHILD_SECTIONS = (
    "health",
    "development",
    "education",
    "emotional",
    "identity",
    "relationships",
    "youth_offending",
    "social_presentation",
    "self_care_skills",
    "harm",
    "extra_familial",
    "case",
    "status",
)


class Child(BaseModel):
    """One child (or unborn baby) in the household. Give one of `age_months`, `age_years`,
    `age_band` or `unborn_weeks`, or none if the age is not known."""

    model_config = SECTION_CONFIG

    id: Identifier = Field(description="A short reference unique within the household, e.g. c1.")
    name: Optional[Name] = Field(default=None, description="Optional; never needed by the engine.")
    age_months: Count = descriptive("How old is the child, in months?", "Age in whole months.", ge=0, le=MAX_AGE_MONTHS)
    age_years: AgeYears = Field(
        default=None,
        description="Age in whole years (14), or a range of years when only roughly known (13-15).",
        json_schema_extra={"direction": "none", "ask": "How old is the child, in years (or roughly, e.g. 13-15)?"},
    )
    age_band: Maybe[AgeBandName] = descriptive(
        "Roughly how old is the child (unborn, under 1, under 5, primary or secondary school age, 16 or 17)?",
        "A named age band, when the age is known only roughly.",
    )
    unborn_weeks: Count = descriptive(
        "For an unborn baby: how many weeks pregnant is the mother?", "For an unborn baby: weeks of gestation.", ge=1, le=45
    )
    health: Health = Field(default_factory=Health)
    development: Development = Field(default_factory=Development)
    education: Education = Field(default_factory=Education)
    emotional: Emotional = Field(default_factory=Emotional)
    identity: Identity = Field(default_factory=Identity)
    relationships: Relationships = Field(default_factory=Relationships)
    youth_offending: YouthOffending = Field(default_factory=YouthOffending)
    social_presentation: SocialPresentation = Field(default_factory=SocialPresentation)
    self_care_skills: SelfCareSkills = Field(default_factory=SelfCareSkills)
    harm: Harm = Field(default_factory=Harm)
    extra_familial: ExtraFamilialHarm = Field(default_factory=ExtraFamilialHarm)
    case: CaseHistory = Field(default_factory=CaseHistory)
    status: ChildStatus = Field(default_factory=ChildStatus)

    @model_validator(mode="after")
    def _one_age_and_facts_that_can_apply(self) -> "Child":
        given = [name for name in AGE_FIELDS if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of {', '.join(AGE_FIELDS)}, not {' and '.join(given)}")
        stated = self.stated_age_span()
        span = stated
        for path, _value in self.recorded_facts():
            fact_span = applies_span(path)
            narrowed = span.intersect(fact_span)
            if narrowed.empty:
                why = f"{given[0]} given" if given and stated.intersect(fact_span).empty else "other facts recorded"
                hint = ""
                if self.age_months is not None and 4 <= self.age_months <= 19 and path.startswith("education."):
                    hint = f" — did you mean {self.age_months} years (age_months: {self.age_months * 12})?"
                raise ValueError(
                    f"{path} cannot apply to this child ({why}: the child is {span.words()}; "
                    f"{path} describes a child who is {fact_span.words()}){hint}"
                )
            span = narrowed
        return self

    def stated_age_span(self) -> AgeSpan:
        """The ages the age fields allow, before the recorded facts narrow them."""
        if self.age_months is not None:
            return AgeSpan(False, True, self.age_months, self.age_months)
        if self.unborn_weeks is not None:
            return UNBORN_ONLY
        if self.age_band is not None:
            return band_span(self.age_band)
        if self.age_years is not None:
            return years_span(*self.age_years)
        return ANY_AGE

    def age_span(self) -> AgeSpan:
        """The ages this child may be: what the age fields say, narrowed by the facts recorded
        (a child with a school attendance figure is not unborn). Validation has made sure it is not empty."""
        span = self.stated_age_span()
        if span.exact:
            return span
        for path, _value in self.recorded_facts():
            span = span.intersect(applies_span(path))
        return span

    def recorded_facts(self) -> list[tuple[str, Any]]:
        """Every fact of the child recorded with a value of concern (known, and not the fact's
        no-concern value), as (path below `child.`, value), in model order. A `false` or a `none`
        says nothing about the child's age, so only these narrow it, or can be out of place."""
        found = []
        for section in CHILD_SECTIONS:
            values = getattr(self, section)
            for name, value in values.__dict__.items():
                if value is not None and not _no_concern(type(values), name, value):
                    found.append((f"{section}.{name}", value))
        return found

    def recorded_value(self, path: str) -> Any:
        """The value of the child's fact at `path` (below `child.`, one section deep) if it is
        recorded with a value of concern, as `recorded_facts` lists it; None otherwise."""
        section, name = path.split(".")
        values = getattr(self, section)
        value = getattr(values, name)
        return None if value is None or _no_concern(type(values), name, value) else value

    def with_inapplicable_as_no_concern(self) -> "Child":
        """This child with every unknown fact that cannot describe them (an unborn baby's
        disclosure, a baby's school attendance) set to its no-concern value: such a fact is not
        an unknown of the child (Semantics 11), so it can neither be asked nor raise the possible
        level. Recorded values are kept. The child itself when nothing changes."""
        span = self.age_span()
        changed: dict[str, Any] = {}
        for section, name in _inapplicable(span):
            values: BaseModel = changed.get(section) or getattr(self, section)
            if getattr(values, name) is None:
                best = _no_concern_value(type(values), name)
                if best is not None:
                    changed[section] = values.model_copy(update={name: best})
        return self.model_copy(update=changed) if changed else self

    def at_age(self, months: Optional[int]) -> "Child":
        """This child with an exact age (`None`: unborn), everything else unchanged: one age a span allows."""
        update: dict[str, Any] = {name: None for name in AGE_FIELDS}
        if months is None:
            update["age_band"] = AgeBandName.unborn
            update["unborn_weeks"] = None
        else:
            update["age_months"] = months
        return self.model_copy(update=update)

    @property
    def unborn(self) -> Optional[bool]:
        """True for an unborn baby, False for a born child, None if the age does not say which."""
        span = self.age_span()
        if not span.may_be_born:
            return True
        if not span.may_be_unborn:
            return False
        return None


# --- parenting capacity and the adults -------------------------------------------------------


class CarerRole(Choices):
    """How an adult who cares for the children is related to them."""

    mother = "mother"
    father = "father"
    step_parent = "step_parent"
    mothers_partner = "mothers_partner"
    fathers_partner = "fathers_partner"
    grandparent = "grandparent"
    other_relative = "other_relative"
    family_friend = "family_friend"
    other = "other"


define(
    CarerRole,
    {
        "mother": "The children's mother (birth or adoptive).",
        "father": "The children's father (birth or adoptive).",
        "step_parent": "A parent's spouse or civil partner who cares for the children.",
        "mothers_partner": "The mother's partner, not the children's parent.",
        "fathers_partner": "The father's partner, not the children's parent.",
        "grandparent": "A grandparent who cares for the children.",
        "other_relative": "Another relative (aunt, uncle, adult sibling, cousin) who cares for the children.",
        "family_friend": "A friend of the family who cares for the children.",
        "other": "Any other adult who cares for the children.",
    },
    {"mothers_partner": "Mother's partner", "fathers_partner": "Father's partner", "step_parent": "Step-parent"},
)


class Parenting(Section):
    """Parenting capacity, the Assessment Framework's six dimensions."""

    basic_care: Maybe[o.Capacity] = graded("Does this carer provide food, warmth, hygiene and health care?", "Basic care.")
    ensuring_safety: Maybe[o.Capacity] = graded(
        "Does this carer keep the children safe from harm and danger, inside and outside the home?",
        "Ensuring safety.",
    )
    emotional_warmth: Maybe[o.Capacity] = graded(
        "Does this carer show the children warmth, praise and affection?", "Emotional warmth."
    )
    stimulation: Maybe[o.Capacity] = graded(
        "Does this carer play with, talk to and encourage the children's learning?", "Stimulation."
    )
    guidance_and_boundaries: Maybe[o.Capacity] = graded(
        "Does this carer set consistent boundaries and guide the children's behaviour?", "Guidance and boundaries."
    )
    stability: Maybe[o.Capacity] = graded("Does this carer give the children stable routines and relationships?", "Stability.")


class Carer(BaseModel):
    """An adult who cares for the children, with their parenting capacity and family history."""

    model_config = SECTION_CONFIG

    id: Identifier = Field(description="A short reference unique within the household, e.g. m.")
    name: Optional[Name] = Field(default=None, description="Optional; never needed by the engine.")
    role: Maybe[CarerRole] = descriptive("What is this adult's relationship to the children?", "Relationship to the children.")
    under_18: Flag = flag("Is this carer under 18?", "A carer who is themselves a child.")
    mental_health: Maybe[o.MentalHealthAdult] = graded(
        "Does this carer have mental health difficulties, and how do they affect the children?", "Mental health."
    )
    substance_misuse: Maybe[o.SubstanceMisuse] = graded(
        "Does this carer misuse alcohol or drugs, and how does it affect the children?", "Alcohol and drug misuse."
    )
    learning_disability: Maybe[o.LearningDisability] = graded(
        "Does this carer have a learning disability that affects their parenting?", "Learning disability."
    )
    offending: Maybe[o.AdultOffending] = graded(
        "Has this carer offended, and is there any risk to children?", "Offending and risk to children."
    )
    engagement: Maybe[o.Engagement] = graded(
        "Does this carer engage with the services supporting the family?", "Engagement with services."
    )
    in_care_as_child: Flag = flag(
        "Was this carer in care, or abused or neglected, as a child?",
        "The carer's own childhood experience of care or abuse.",
    )
    previous_children_removed: Flag = flag(
        "Has this carer had children removed from their care, or subject to a child protection plan?",
        "Previous children removed or subject to child protection.",
    )
    physical_health: Maybe[o.PhysicalHealthAdult] = graded(
        "Does this carer have a physical illness or disability, and does it affect the care they can give?",
        "A carer's physical illness or disability.",
    )
    parenting: Parenting = Field(default_factory=Parenting)


# --- family and environmental factors ---------------------------------------------------------


class DomesticAbuse(Section):
    """Domestic abuse between adults in the household (or towards a carer from an ex-partner)."""

    incidents_12m: Count = count(
        "How many domestic-abuse incidents have been reported in the last 12 months?",
        "Domestic-abuse incidents known to police or agencies in the last 12 months.",
        le=365,
    )
    dash_score: Count = measure(
        "What was the most recent DASH risk-checklist score (0-24)?",
        "DASH risk checklist score; 14 or more is high risk and a MARAC referral.",
        worse="higher",
        ge=0,
        le=24,
    )
    dvrim_scale: Count = grade(
        "What scale did the Domestic Abuse Risk Identification Matrix (DVRIM) give the children's risk (1 to 4)?",
        "Barnardo's Domestic Violence Risk Identification Matrix, the risk to the children: 1 moderate, "
        "2 moderate to serious, 3 serious, 4 severe. The matrix raises the scale for children under 7 or "
        "with special needs; record the scale after that step.",
        best=1,
        worst=4,
    )
    history: Flag = flag(
        "Has there been domestic abuse in the household in the past (before the last 12 months)?",
        "Past domestic abuse.",
    )
    perpetrator_has_access: Flag = flag(
        "Does the person responsible for domestic abuse still live with, or have access to, the family?",
        "The perpetrator's continuing access to the family.",
    )


class Housing(Section):
    """The home."""

    status: Maybe[o.HousingStatus] = graded("Is the family's housing settled?", "Security of the home.")
    conditions: Maybe[o.HousingConditions] = graded(
        "Is the home safe, warm and clean enough for the children?", "Condition of the home."
    )
    overcrowded: Flag = flag("Is the home overcrowded?", "Overcrowding.")


class Finances(Section):
    """Income, employment and debt."""

    hardship: Maybe[o.Hardship] = graded("Can the household meet its basic needs?", "Financial hardship.")
    food_bank_use: Flag = flag("Has the family needed a food bank in the last 6 months?", "Food-bank use.")
    problem_debt: Flag = flag("Does the family have debts they cannot manage (arrears, loan sharks)?", "Unmanageable debt.")
    no_adult_in_work: Flag = flag("Is no adult in the household in work?", "Worklessness.")
    no_recourse_to_public_funds: Flag = flag(
        "Does the family have no recourse to public funds?", "Immigration status with no recourse to public funds."
    )


class Community(Section):
    """Social integration and community resources."""

    isolation: Maybe[o.Isolation] = graded("Does the family have people to turn to nearby?", "Social isolation.")
    hate_crime_or_harassment: Flag = flag(
        "Is the family experiencing harassment or hate crime in the community?", "Harassment or hate crime."
    )
    not_registered_with_gp: Flag = flag("Are the children not registered with a GP?", "No GP registration.")
    not_using_universal_services: Flag = flag(
        "Is the family not using universal services (health visitor, children's centre, school nurse)?",
        "Not accessing universal services.",
    )


class OtherMembers(Section):
    """Household members who are not carers: an adult sibling, a lodger, a grandparent who does not care for the children."""

    mental_health: Maybe[o.OtherMemberConcern] = graded(
        "Does anyone else in the household (not a carer) have mental health difficulties that affect family life?",
        "Mental health of a household member who is not a carer.",
    )
    learning_disability: Maybe[o.OtherMemberConcern] = graded(
        "Does anyone else in the household (not a carer) have a learning disability that affects family life?",
        "Learning disability of a household member who is not a carer.",
    )
    physical_illness_or_disability: Maybe[o.OtherMemberConcern] = graded(
        "Does anyone else in the household (not a carer) have a physical illness or disability that affects family life?",
        "Physical illness or disability of a household member who is not a carer.",
    )
    substance_misuse: Maybe[o.OtherMemberConcern] = graded(
        "Does anyone else in the household (not a carer) misuse alcohol or drugs in a way that affects family life?",
        "Alcohol or drug misuse by a household member who is not a carer.",
    )
    poses_risk_to_children: Maybe[o.PersonPosingRisk] = graded(
        "Does anyone else in the household (not a carer) pose a risk to children, for example a conviction for offences against children?",
        "A household member who is not a carer and poses a risk to children (relatives and visitors: `home.wider_family_risk`).",
    )


class Home(Section):
    """The household's shared circumstances: family functioning, housing, money, community."""

    domestic_abuse: DomesticAbuse = Field(default_factory=DomesticAbuse)
    parental_conflict: Maybe[o.ParentalConflict] = graded(
        "Is there conflict between the adults, short of domestic abuse, that affects the children?",
        "Parental conflict.",
    )
    wider_family_risk: Maybe[o.WiderFamilyRisk] = graded(
        "Does anyone in the wider family, or a regular visitor, pose a concern for the children?",
        "Risk from wider family or visitors.",
    )
    family_breakdown: Flag = flag("Has the family recently separated or is it breaking down?", "Separation or family breakdown.")
    bereavement: Flag = flag("Has the family suffered a significant bereavement recently?", "Family bereavement.")
    housing: Housing = Field(default_factory=Housing)
    finances: Finances = Field(default_factory=Finances)
    community: Community = Field(default_factory=Community)
    used_for_crime: Flag = flag(
        "Is the home being used by others for drug dealing or other crime (cuckooing)?",
        "The home used by others for crime: cuckooing.",
    )
    asylum_seeking: Flag = flag("Is the family seeking asylum?", "An asylum-seeking family.")
    others: OtherMembers = Field(default_factory=OtherMembers)


class Strengths(Section):
    """What is working well (Signs of Safety): protective factors that may mitigate, never raise."""

    supportive_wider_family: Flag = strength(
        "Is there supportive wider family who help with the children?", "Wider family who actively help."
    )
    protective_adult: Flag = strength(
        "Is there a carer who understands the concerns and acts to protect the children?",
        "A safe, protective adult in the household.",
    )
    engages_with_support: Flag = strength("Is the family engaging with the support offered?", "Engagement with support.")
    trusted_adult_for_child: Flag = strength(
        "Does each child have a trusted adult they can talk to?", "A trusted adult the children can talk to."
    )
    positive_school_relationship: Flag = strength(
        "Does the family have a positive relationship with school or setting?", "Positive link with school or setting."
    )
    community_network: Flag = strength(
        "Is the family connected to community groups or a support network?", "Community support network."
    )


class Consent(Choices):
    """Whether the family has agreed to early help and information sharing."""

    given = "given"
    refused = "refused"
    not_sought = "not_sought"


define(
    Consent,
    {
        "given": "The family has agreed to an Early Help Assessment and to information being shared.",
        "refused": "The family has been asked and has said no.",
        "not_sought": "The family has not been asked yet.",
    },
)


class Household(BaseModel):
    """One household at one time: the unit a screener assesses."""

    model_config = SECTION_CONFIG

    reference: Optional[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default=None, description="Optional case reference; never needed by the engine."
    )
    consent: Maybe[Consent] = descriptive(
        "Has the family consented to an Early Help Assessment and information sharing?",
        "Consent to early help; never lowers a level.",
    )
    immediate_danger: Flag = flag(
        "Is any child in immediate danger right now?", "A child is in immediate danger: call the emergency services."
    )
    children: list[Child] = Field(min_length=1, max_length=20, description="Every child, including unborn babies.")
    carers: list[Carer] = Field(
        min_length=1,
        max_length=12,
        description="Every adult who cares for the children; if unknown, add one with role unknown.",
    )
    home: Home = Field(default_factory=Home)
    strengths: Strengths = Field(default_factory=Strengths)

    @model_validator(mode="after")
    def _unique_ids_in_canonical_order(self) -> "Household":
        """Ids are unique, and children and carers are held in id order, so nothing downstream can
        depend on input order. Sorting after validation keeps error locations in the input's order."""
        for kind, ids in (("child", [c.id for c in self.children]), ("carer", [c.id for c in self.carers])):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{kind} ids must be unique; repeated: {', '.join(repeated)}")
        object.__setattr__(self, "children", sorted(self.children, key=lambda child: child.id))
        object.__setattr__(self, "carers", sorted(self.carers, key=lambda carer: carer.id))
        return self


class Situation(BaseModel):
    """The input document: `household:` at the top level.

    Every fact may be `unknown`, null or left out, and none of these means "no concern". Rules
    across fields, which the engine checks and a JSON Schema cannot state: a child gives at most
    one of age_months, age_years, age_band or unborn_weeks; child ids are unique, and so are carer
    ids; a range of years gives the younger age first; and a fact recorded as a concern must be
    able to describe the child at their age (a fact that cannot describe an unborn baby, such as a
    disclosure or a school attendance, is refused for one).
    """

    model_config = SECTION_CONFIG

    household: Household
