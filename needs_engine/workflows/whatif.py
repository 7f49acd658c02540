"""What-if: change some facts, re-assess, and say what moved.

Both assessments are made from scratch by the engine (the changed situation is validated again,
so a change that breaks a rule of the model, such as giving an unborn child an age in months, is
reported like any bad input). The comparison lists, per child, the level before and after, the
descriptors newly fired or cleared, the escalations applied or cleared, the mitigation, and for
the family the questions resolved or newly raised.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import Field, ValidationError

from ..engine.assess import assess
from ..engine.evaluate import unknown_for
from ..errors import InputError, Problem
from ..explain.addresses import Address, apply_changes, parse_address, parse_value
from ..explain.counterfactual import fact_change
from ..explain.results import FactChange
from ..formats.validation import problems_from_validation
from ..model.assessment import Assessment, ChildAssessment, Out, Question
from ..model.levels import Level
from ..model.situation import Household, Situation
from ..rulebook.book import Rulebook


class ChildDifference(Out):
    child_id: str
    before: Level
    before_label: str
    after: Level
    after_label: str
    newly_fired: list[str] = Field(default_factory=list)
    cleared: list[str] = Field(default_factory=list, description="Descriptors that fired before and are known not to now.")
    now_unknown: list[str] = Field(
        default_factory=list, description="Descriptors that fired before and are unknown now: not cleared, ask again."
    )
    escalations_applied: list[str] = Field(default_factory=list)
    escalations_cleared: list[str] = Field(default_factory=list)
    mitigation_before: Optional[str] = None
    mitigation_after: Optional[str] = None


class WhatIf(Out):
    """The levels before and after a set of changes, and what changed in the explanation."""

    changes: list[FactChange]
    before_level: Level
    before_label: str
    after_level: Level
    after_label: str
    children: list[ChildDifference]
    questions_resolved: list[Question] = Field(description="Questions asked before and no longer needed.")
    questions_new: list[Question] = Field(description="Questions the changed situation raises that were not asked before.")
    before: Assessment
    after: Assessment


def parse_changes(items: list[str], household: Household) -> dict[Address, Any]:
    """Parse `PATH=VALUE` items against the catalogue; InputError names the first bad one."""
    changes: dict[Address, Any] = {}
    if not items:
        raise InputError(
            [Problem("--set", "give at least one change", expected="PATH=VALUE, e.g. carers.m.mental_health=diagnosed_stable")]
        )
    for item in items:
        path, equals, value = item.partition("=")
        if not equals or not path.strip() or not value.strip():
            raise InputError(
                [Problem(f"--set {item}", "expected PATH=VALUE", expected="e.g. home.domestic_abuse.incidents_12m=3")]
            )
        address = parse_address(path, household)
        if address in changes:
            raise InputError([Problem(f"--set {item}", f"'{address.path}' is set twice")])
        changes[address] = parse_value(address, value)
    return changes


def what_if(household: Household, changes: dict[Address, Any], book: Rulebook, *, child: Optional[str] = None) -> WhatIf:
    """Assess `household` as it is and with `changes`, and compare the two."""
    ids = sorted(c.id for c in household.children)
    if child is not None and child not in ids:
        raise InputError([Problem("--child", f"no child with id '{child}'", expected=", ".join(ids))])
    changed = _revalidated(apply_changes(household, changes))
    before, after = assess(household, book), assess(changed, book)
    after_children = {c.child_id: c for c in after.children}
    differences = [
        _difference(c, after_children[c.child_id], changed, book) for c in before.children if child is None or c.child_id == child
    ]
    asked_before = {(q.subject, q.fact) for q in before.questions}
    asked_after = {(q.subject, q.fact) for q in after.questions}
    return WhatIf(
        changes=[fact_change(a, a.get(household), v, household) for a, v in sorted(changes.items())],
        before_level=before.level,
        before_label=before.label,
        after_level=after.level,
        after_label=after.label,
        children=differences,
        questions_resolved=[q for q in before.questions if (q.subject, q.fact) not in asked_after],
        questions_new=[q for q in after.questions if (q.subject, q.fact) not in asked_before],
        before=before,
        after=after,
    )


def _revalidated(household: Household) -> Household:
    try:
        return Situation.model_validate({"household": household.model_dump()}).household
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, where="--set")) from None


def _difference(before: ChildAssessment, after: ChildAssessment, changed: Household, book: Rulebook) -> ChildDifference:
    fired_before, fired_after = {d.id for d in before.fired}, {d.id for d in after.fired}
    child = next(c for c in changed.children if c.id == after.child_id)
    unknown = unknown_for(fired_before - fired_after, child, changed, book)
    esc_before, esc_after = {e.id for e in before.escalations}, {e.id for e in after.escalations}
    return ChildDifference(
        child_id=before.child_id,
        before=before.level,
        before_label=before.label,
        after=after.level,
        after_label=after.label,
        newly_fired=sorted(fired_after - fired_before),
        cleared=sorted(fired_before - fired_after - unknown),
        now_unknown=sorted(unknown),
        escalations_applied=sorted(esc_after - esc_before),
        escalations_cleared=sorted(esc_before - esc_after),
        mitigation_before=before.mitigation.id if before.mitigation else None,
        mitigation_after=after.mitigation.id if after.mitigation else None,
    )
