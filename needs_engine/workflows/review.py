"""Review: one family at two dates, and whether each child steps up, steps down or stays.

A review meeting (Team Around the Family, Family Action Meeting, child in need review) asks
whether the plan should step up to Children's Social Care or down to early help or universal
services (seeds/001 Priority 6 and seeds/004 "step up / step down"). The answer here is the
level at each date under one rulebook, the descriptors and escalations that appeared or cleared
between them, and the rulebook's response at the new level. Children are matched by id; a
child present at one date only is reported as new or gone, never silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import Field

from ..engine.assess import assess
from ..engine.evaluate import unknown_for
from ..errors import InputError
from ..formats.inputs import situation_from_document
from ..formats.yamlfile import YAMLProblem, read_file
from ..model.assessment import Assessment, ChildAssessment, Out
from ..model.levels import Level
from ..model.situation import Child, Household, Situation
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook

Movement = Literal["step up", "step down", "stay", "new", "gone"]


class LevelAt(Out):
    level: Level
    label: str
    possible_level: Level = Field(description="The level if every unknown fact took its worst value.")
    possible_label: str


class Response(Out):
    """What the rulebook says to do at a level."""

    level: Level
    label: str
    statutory: bool = Field(description="The level is a statutory duty (e.g. a section 17 or 47 referral), not voluntary help.")
    summary: str
    actions: list[str]


class ChildReview(Out):
    child_id: str
    age: str = Field(description="Age at the later date (or the earlier one, for a child who has gone).")
    before: Optional[LevelAt]
    after: Optional[LevelAt]
    movement: Movement
    steps: int = Field(description="Levels moved: positive up, negative down, 0 for stay, new or gone.")
    appeared: list[str] = Field(default_factory=list, description="Descriptors fired now and not before, as 'id (level)'.")
    cleared: list[str] = Field(default_factory=list, description="Descriptors fired before and known not to fire now.")
    now_unknown: list[str] = Field(
        default_factory=list, description="Descriptors fired before whose facts are now unknown: not cleared, ask again."
    )
    escalations_appeared: list[str] = Field(default_factory=list)
    escalations_cleared: list[str] = Field(default_factory=list)
    mitigation: Optional[str] = Field(default=None, description="A mitigation that applies now, if any.")
    response: Optional[str] = Field(default=None, description="The rulebook's response summary at the new level.")


class StepDownGuidance(Out):
    """How a case leaves a higher level, from the rulebook (`step_down:`), given when the family steps down."""

    summary: str
    actions: list[str]
    source: str


class FamilyReview(Out):
    before: LevelAt
    after: LevelAt
    movement: Movement
    steps: int
    response: Response
    step_down: Optional[StepDownGuidance] = Field(
        default=None,
        description="The rulebook's step-down guidance, when the family's level has fallen and the rulebook gives it.",
    )


class Review(Out):
    """The family at two dates under one rulebook."""

    rulebook: str
    rulebook_version: str
    reference: Optional[str]
    warnings: list[str] = Field(
        default_factory=list, description="Signs that the two files may not be one family in date order; check before acting."
    )
    family: FamilyReview
    children: list[ChildReview]


def read_situation_or_scenario(path: Path) -> Situation:
    """A situation file, or a scenario file (a top-level `situation:` key) whose situation is used."""
    try:
        document = read_file(path)
    except YAMLProblem as exc:
        raise InputError([exc.problem]) from None
    if isinstance(document, dict) and "situation" in document:
        return situation_from_document(document["situation"], where=f"{path}: situation")
    return situation_from_document(document, where=str(path))


def review(before: Situation, after: Situation, rulebook: Union[Rulebook, str] = "knowsley") -> Review:
    """Assess both dates under `rulebook` and say, child by child, what moved and why."""
    book = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
    earlier, later = assess(before, book), assess(after, book)
    then = {c.child_id: c for c in earlier.children}
    now = {c.child_id: c for c in later.children}
    later_children = {c.id: c for c in after.household.children}
    children = [
        _child(cid, then.get(cid), now.get(cid), book, later_children.get(cid), after.household)
        for cid in sorted(then.keys() | now.keys())
    ]
    steps = later.level.rank - earlier.level.rank
    entry = book.levels[later.level]
    return Review(
        rulebook=book.id,
        rulebook_version=book.version,
        reference=after.household.reference or before.household.reference,
        warnings=same_family_warnings(before.household, after.household),
        family=FamilyReview(
            before=_level_at(earlier),
            after=_level_at(later),
            movement=_movement(steps),
            steps=steps,
            response=Response(
                level=later.level,
                label=later.label,
                statutory=book.statutory(later.level),
                summary=entry.response.summary,
                actions=list(entry.response.actions),
            ),
            step_down=_step_down(book) if steps < 0 else None,
        ),
        children=children,
    )


def _step_down(book: Rulebook) -> Optional[StepDownGuidance]:
    guidance = book.step_down
    if guidance is None:
        return None
    return StepDownGuidance(summary=guidance.summary, actions=list(guidance.actions), source=guidance.source)


def same_family_warnings(before: Household, after: Household) -> list[str]:
    """What suggests the two files are not the same family, or not in date order.

    A review compares one family at two dates; two different families, or dates the wrong way
    round, would turn a real step up into a "step down". The review still runs, but says so.
    """
    warnings = []
    if before.reference and after.reference and before.reference != after.reference:
        warnings.append(f"the files name different references ({before.reference}, {after.reference}): is this one family?")
    earlier = {c.id: c for c in before.children}
    common = [c for c in after.children if c.id in earlier]
    if not common:
        warnings.append("no child appears at both dates (children are matched by id): is this one family?")
    for child in common:
        then = earlier[child.id]
        if _age_order(child) < _age_order(then):
            warnings.append(f"child {child.id} is younger in the later file: are the files in date order?")
    return warnings


def _age_order(child: Child) -> float:
    """A child's age for ordering: unborn babies before birth by weeks of gestation, then months since birth."""
    if child.age_months is not None:
        return float(child.age_months)
    return -1.0 + (child.unborn_weeks or 0) / 100.0


def _level_at(assessed: Union[Assessment, ChildAssessment]) -> LevelAt:
    """The level at one date and how high it could be: a level read off a report full of gaps
    must not look settled (Semantics 7)."""
    return LevelAt(
        level=assessed.level,
        label=assessed.label,
        possible_level=assessed.possible_level,
        possible_label=assessed.possible_label,
    )


def _movement(steps: int) -> Movement:
    return "step up" if steps > 0 else "step down" if steps < 0 else "stay"


def _child(
    child_id: str,
    then: Optional[ChildAssessment],
    now: Optional[ChildAssessment],
    book: Rulebook,
    later: Optional[Child],
    household: Household,
) -> ChildReview:
    current = now or then
    assert current is not None
    before = _level_at(then) if then else None
    after = _level_at(now) if now else None
    if then and now:
        steps = now.level.rank - then.level.rank
        movement: Movement = _movement(steps)
    else:
        steps, movement = 0, "new" if now else "gone"
    fired_then = _fired(then)
    fired_now = _fired(now)
    escalated_then = _escalations(then)
    escalated_now = _escalations(now)
    gone = fired_then.keys() - fired_now.keys()
    unknown = unknown_for(gone, later, household, book) if now and later else set()
    return ChildReview(
        child_id=child_id,
        age=current.age,
        before=before,
        after=after,
        movement=movement,
        steps=steps,
        appeared=[fired_now[d] for d in sorted(fired_now.keys() - fired_then.keys())],
        cleared=[fired_then[d] for d in sorted(gone - unknown)],
        now_unknown=[fired_then[d] for d in sorted(unknown)],
        escalations_appeared=sorted(escalated_now - escalated_then),
        escalations_cleared=sorted(escalated_then - escalated_now),
        mitigation=now.mitigation.id if now and now.mitigation else None,
        response=book.levels[now.level].response.summary if now else None,
    )


def _fired(child: Optional[ChildAssessment]) -> dict[str, str]:
    return {d.id: f"{d.id} ({d.level.value})" for d in child.fired} if child else {}


def _escalations(child: Optional[ChildAssessment]) -> set[str]:
    return {f"{e.id} → {e.to.value}" for e in child.escalations} if child else set()
