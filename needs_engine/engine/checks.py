"""Checks: values assessed as written that look implausible, listed for a screener to confirm.

Each check function takes the household and returns the checks it finds; `checks_for` runs them
all. A check never changes a level (DESIGN.md, semantics 14): it only asks "did you mean ...?".
Add a check by writing a function and listing it in `CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from ..model.assessment import Check
from ..model.situation import Household

SCHOOL_AGE_MONTHS = 48
"""Reception starts in the September after a child turns four: school facts below this age are odd."""


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def percentage_as_fraction(household: Household) -> list[Check]:
    """An attendance between 0 and 1 %: probably a fraction (0.84) meant as a percentage (84 %)."""
    found = []
    for child in household.children:
        value = _number(child.education.attendance_percent) if child.education else None
        if value is not None and 0 < value <= 1:
            found.append(
                Check.made(
                    subject=f"child:{child.id}",
                    fact="education.attendance_percent",
                    value=child.education.attendance_percent,  # type: ignore[union-attr]
                    message=f"attendance {value:g} % — did you mean {value * 100:g} %?",
                )
            )
    return found


def age_in_years_as_months(household: Household) -> list[Check]:
    """A child of a few months with school facts: probably the age in years written as months."""
    found = []
    for child in household.children:
        months = _number(child.age_months)
        if months is None or months >= SCHOOL_AGE_MONTHS or child.education is None:
            continue
        school = sorted(name for name, value in child.education if value is not None and name != "early_years_place_not_taken")
        if school and 4 <= months <= 19:
            found.append(
                Check.made(
                    subject=f"child:{child.id}",
                    fact="age_months",
                    value=child.age_months,
                    message=f"age {months:g} months with school facts ({', '.join(school)}) — "
                    f"did you mean {months:g} years ({months * 12:g} months)?",
                )
            )
    return found


def dash_score_without_incident(household: Household) -> list[Check]:
    """A DASH risk score with no domestic-abuse incident recorded: a DASH follows an incident."""
    abuse = household.home.domestic_abuse if household.home else None
    if abuse is None:
        return []
    score, incidents = _number(abuse.dash_score), _number(abuse.incidents_12m)
    if score is None or score <= 0 or incidents != 0:
        return []
    return [
        Check.made(
            subject="household",
            fact="home.domestic_abuse.dash_score",
            value=abuse.dash_score,
            message=f"a DASH score of {score:g} with no domestic-abuse incident in 12 months — check the incidents",
        )
    ]


CHECKS: list[Callable[[Household], list[Check]]] = [
    percentage_as_fraction,
    age_in_years_as_months,
    dash_score_without_incident,
]


def checks_for(household: Household) -> list[Check]:
    """Every check on the household, in a stable order (subject, fact, message)."""
    return sorted((check for rule in CHECKS for check in rule(household)), key=lambda c: (c.subject, c.fact, c.message))
