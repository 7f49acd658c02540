"""Checks: values assessed as written that look implausible, listed for a screener to confirm.

Each check function takes the household and returns the checks it finds; `checks_for` runs them
all. A check never changes a level (DESIGN.md, semantics 14): it only asks "did you mean ...?".
Add a check by writing a function and listing it in `CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import lru_cache
from typing import Any, Optional

from ..model.ages import USUAL, months_words
from ..model.assessment import Check
from ..model.situation import Household


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
                    value=child.education.attendance_percent,
                    message=f"attendance {value:g} % — did you mean {value * 100:g} %?",
                )
            )
    return found


def unusual_for_age(household: Household) -> list[Check]:
    """A concern recorded for a child whose every possible age is outside the ages it usually
    describes (self-harm at three, drug debt at six): assessed as written, worth confirming.
    A fact that cannot describe the child at all is an input error instead (model/ages.py)."""
    found = []
    for child in household.children:
        span = child.stated_age_span()
        if not span.may_be_born or span.may_be_unborn:
            continue
        # Only the facts with usual ages can be out of place, and only those whose usual ages the
        # child's every possible age misses: look those up rather than list every recorded fact.
        for path, usual in _missed(span.low, span.high):
            value = child.recorded_value(path)
            if value is not None:
                found.append(
                    Check.made(
                        subject=f"child:{child.id}",
                        fact=path,
                        value=value.value if isinstance(value, Enum) else value,
                        message=f"{path} recorded for a child of {span.words()}, younger than it usually describes "
                        f"({months_words(usual[0])} or older) — check the age and the fact",
                    )
                )
    return found


@lru_cache(maxsize=1024)
def _missed(low: int, high: int) -> tuple[tuple[str, tuple[int, int]], ...]:
    """The facts with usual ages (`USUAL`, in its order) that a child of `low` to `high` months misses
    entirely: the same for every child of those ages."""
    return tuple((path, usual) for path, usual in USUAL.items() if not (high >= usual[0] and low <= usual[1]))


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
    unusual_for_age,
    dash_score_without_incident,
]


def checks_for(household: Household) -> list[Check]:
    """Every check on the household, in a stable order (subject, fact, message)."""
    return sorted((check for rule in CHECKS for check in rule(household)), key=lambda c: (c.subject, c.fact, c.message))
