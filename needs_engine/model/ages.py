"""Ages as a front door knows them: exact, in years, a range of years, or a named band.

A screener often knows an age only roughly ("a baby", "about 14", "teenager"). The engine
holds every child's age as a span: whether the child may be unborn, may be born, and the
months a born child may be (Semantics 11). An age-restricted descriptor is decided when the
whole span lies inside or outside its band and unknown only when the span straddles it; the
level of a child whose age is a span is the lowest level over the ages the span allows, and
its possible level the highest (see `engine/evaluate.py`).

The facts that cannot apply to a child of some ages (an unborn baby's disclosure, school
attendance for a one-year-old) are listed here, once, for the model's validation, the
engine's spans and the lint gap probe alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .facts import Choices, define

MAX_AGE_MONTHS = 228
"""19 years: the 0-19 population the seed strategies serve."""


class AgeBandName(Choices):
    """A named age band, for when the exact age is not known. Months are inclusive."""

    unborn = "unborn"
    under_1 = "under_1"
    under_5 = "under_5"
    primary_school_age = "primary_school_age"
    secondary_school_age = "secondary_school_age"
    sixteen_seventeen = "16_17"


BAND_MONTHS: dict[AgeBandName, Optional[tuple[int, int]]] = {
    AgeBandName.unborn: None,
    AgeBandName.under_1: (0, 11),
    AgeBandName.under_5: (0, 59),
    # Reception starts the September after a child turns four; Year 6 ends in the July after
    # the child turns eleven (DfE, "School admissions: school starting age").
    AgeBandName.primary_school_age: (48, 143),
    # Year 7 starts the September after a child turns eleven; Year 11 ends in the summer the
    # child turns sixteen, so a Year 11 pupil may be up to sixteen years eleven months.
    AgeBandName.secondary_school_age: (132, 203),
    AgeBandName.sixteen_seventeen: (192, 215),
}
"""What each band means, in months (None: unborn). Primary and secondary overlap at eleven, as school years do."""

BAND_WORDS: dict[AgeBandName, str] = {
    AgeBandName.unborn: "unborn",
    AgeBandName.under_1: "under 1",
    AgeBandName.under_5: "under 5",
    AgeBandName.primary_school_age: "primary school age (4 to 11)",
    AgeBandName.secondary_school_age: "secondary school age (11 to 16)",
    AgeBandName.sixteen_seventeen: "16 or 17",
}

define(
    AgeBandName,
    {
        "unborn": "An unborn baby.",
        "under_1": "Born, and under one year old (0 to 11 months).",
        "under_5": "Under five (0 to 59 months).",
        "primary_school_age": "Of primary school age: Reception to Year 6, 4 to 11 years (48 to 143 months).",
        "secondary_school_age": "Of secondary school age: Year 7 to Year 11, 11 to 16 years (132 to 203 months).",
        "16_17": "Sixteen or seventeen (192 to 215 months).",
    },
    {band.value: BAND_WORDS[band][:1].upper() + BAND_WORDS[band][1:] for band in AgeBandName},
)


@dataclass(frozen=True)
class AgeSpan:
    """The ages a child may be: unborn, born, and (if born) from `low` to `high` months."""

    may_be_unborn: bool
    may_be_born: bool
    low: int = 0
    high: int = MAX_AGE_MONTHS

    @property
    def exact(self) -> bool:
        """One age for every age band: an unborn baby, or a born child of one month count."""
        if self.may_be_unborn:
            return not self.may_be_born
        return self.low == self.high

    @property
    def empty(self) -> bool:
        return not self.may_be_unborn and (not self.may_be_born or self.low > self.high)

    def intersect(self, other: AgeSpan) -> AgeSpan:
        return AgeSpan(
            self.may_be_unborn and other.may_be_unborn,
            self.may_be_born and other.may_be_born,
            max(self.low, other.low),
            min(self.high, other.high),
        )

    def words(self) -> str:
        """The span as a screener says it: "unborn or 0 to 4 years", "13 to 15 years"."""
        parts = ["unborn"] if self.may_be_unborn else []
        if self.may_be_born and self.low <= self.high:
            parts.append("born" if (self.low, self.high) == (0, MAX_AGE_MONTHS) else months_range_words(self.low, self.high))
        return " or ".join(parts) if parts else "no possible age"


ANY_AGE = AgeSpan(True, True)
UNBORN_ONLY = AgeSpan(True, False)
BORN = AgeSpan(False, True)


def months_words(months: int) -> str:
    """`7 months`, `3 years 2 months`."""
    years, rest = divmod(months, 12)
    if years == 0:
        return f"{rest} month{'s' if rest != 1 else ''}"
    return f"{years} year{'s' if years != 1 else ''}" + (f" {rest} month{'s' if rest != 1 else ''}" if rest else "")


def months_range_words(low: int, high: int) -> str:
    """A range of months in the plainest words: whole years where it is whole years."""
    if low == high:
        return months_words(low)
    if low % 12 == 0 and high % 12 == 11:
        first, last = low // 12, high // 12
        return f"{first} years" if first == last else f"{first} to {last} years"
    if high == MAX_AGE_MONTHS:
        return "any age" if low == 0 else f"{months_words(low)} or older"
    return f"{months_words(low)} to {months_words(high)}"


def band_span(band: AgeBandName) -> AgeSpan:
    months = BAND_MONTHS[band]
    if months is None:
        return UNBORN_ONLY
    return AgeSpan(False, True, months[0], months[1])


def years_span(low_years: int, high_years: int) -> AgeSpan:
    """`age_years: 14` is 14 years 0 months to 14 years 11 months; `13-15` is 13y0m to 15y11m."""
    return AgeSpan(False, True, low_years * 12, min(high_years * 12 + 11, MAX_AGE_MONTHS))


# --- facts that cannot apply at some ages --------------------------------------------------

APPLIES: dict[str, AgeSpan] = {
    # A pregnancy's facts describe an unborn baby; every other child fact a born child.
    "health.antenatal_care": UNBORN_ONLY,
    "health.prenatal_substance_exposure": UNBORN_ONLY,
    # A school record exists from nursery class (three) onwards; funded early-years places are
    # for two- to four-year-olds; NEET is defined from sixteen.
    "education.attendance_percent": AgeSpan(False, True, 36, MAX_AGE_MONTHS),
    "education.suspensions_12m": AgeSpan(False, True, 36, MAX_AGE_MONTHS),
    "education.permanently_excluded": AgeSpan(False, True, 36, MAX_AGE_MONTHS),
    "education.missing_education": AgeSpan(False, True, 48, MAX_AGE_MONTHS),
    "education.early_years_place_not_taken": AgeSpan(False, True, 24, 59),
    "education.neet": AgeSpan(False, True, 192, MAX_AGE_MONTHS),
    # The fact is about a child under 13 (Sexual Offences Act 2003, ss.5-8); an older child's
    # sexual activity is recorded as sexual health.
    "harm.sexual_activity_under_13": AgeSpan(False, True, 0, 155),
    # Sexual health is the sexual activity of a young person of 13 or over: a child under 13
    # cannot consent to sexual activity in law (Sexual Offences Act 2003, ss.5-8), so a younger
    # child's is recorded as harm.sexual_activity_under_13, and a baby's as sexual abuse.
    "health.sexual_health": AgeSpan(False, True, 156, MAX_AGE_MONTHS),
    # Every value of the fact is a criminal-justice outcome (a caution, a charge, a conviction,
    # remand), and no child under ten can be guilty of an offence (Children and Young Persons
    # Act 1933, s.50): a younger child's harmful behaviour is recorded as behaviour.
    "youth_offending.offending": AgeSpan(False, True, 120, MAX_AGE_MONTHS),
    # The first routine immunisations are due at 8 weeks (UKHSA, "The complete routine
    # immunisation schedule"), so no baby under two months can be behind them.
    "health.immunisations": AgeSpan(False, True, 2, MAX_AGE_MONTHS),
    # Private fostering is the care of a child under 16 (under 18 if disabled) by someone who is
    # not a parent or close relative (Children Act 1989, s.66): there is none at 18.
    "relationships.private_fostering": AgeSpan(False, True, 0, 215),
    # A pre-birth assessment is of an unborn baby; homelessness on one's own is defined for
    # 16- and 17-year-olds (R (G) v Southwark [2009] UKHL 26); a school record from three.
    "case.pre_birth_assessment_required": UNBORN_ONLY,
    # An unborn baby can have a child protection plan after a pre-birth conference, be the
    # subject of planned proceedings, and be referred before birth (pre-birth referrals).
    "case.current_plan": ANY_AGE,
    "case.legal_proceedings": ANY_AGE,
    "case.referrals_12m": ANY_AGE,
    "relationships.homeless_alone": AgeSpan(False, True, 192, 215),
    "education.unauthorised_absence_percent": AgeSpan(False, True, 36, MAX_AGE_MONTHS),
    "education.attendance_falling_despite_support": AgeSpan(False, True, 36, MAX_AGE_MONTHS),
    "education.elective_home_education": AgeSpan(False, True, 48, MAX_AGE_MONTHS),
}
"""Child facts (path below `child.`) that cannot describe a child outside the span given.
Every child fact not listed describes a born child of any age. A recorded value of a fact
outside its span is an input error naming both fields (Semantics 14)."""

USUAL: dict[str, tuple[int, int]] = {
    "health.substance_use": (96, MAX_AGE_MONTHS),
    "health.teenage_pregnancy": (144, MAX_AGE_MONTHS),
    "development.speech_language": (12, MAX_AGE_MONTHS),
    "education.attendance_percent": (60, MAX_AGE_MONTHS),
    "emotional.self_harm": (60, MAX_AGE_MONTHS),
    "emotional.harmful_sexual_behaviour": (48, MAX_AGE_MONTHS),
    "youth_offending.antisocial_behaviour": (96, MAX_AGE_MONTHS),
    "youth_offending.carries_weapon": (96, MAX_AGE_MONTHS),
    "relationships.young_carer": (60, MAX_AGE_MONTHS),
    "identity.bullying": (48, MAX_AGE_MONTHS),
    "extra_familial.online_harm": (36, MAX_AGE_MONTHS),
    "extra_familial.sexual_exploitation": (96, MAX_AGE_MONTHS),
    "extra_familial.criminal_exploitation": (96, MAX_AGE_MONTHS),
    "extra_familial.drug_debt": (96, MAX_AGE_MONTHS),
    "extra_familial.gang_association": (96, MAX_AGE_MONTHS),
    "extra_familial.relationship_abuse": (144, MAX_AGE_MONTHS),
    "emotional.suicidality": (60, MAX_AGE_MONTHS),
    "emotional.violence_to_carers": (60, MAX_AGE_MONTHS),
    "harm.breast_ironing": (84, MAX_AGE_MONTHS),
}
"""Born-child facts (path below `child.`) that are possible but unusual outside the months
given: a recorded value outside them is assessed as written and listed as a check."""


def applies_span(path: str) -> AgeSpan:
    """The ages a child fact (path below `child.`) can describe."""
    return APPLIES.get(path, BORN)
