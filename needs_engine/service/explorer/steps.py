"""One step of the explorer: the assessment of what the form says, and what changed since the last step.

Each change of a control re-assesses the whole situation with the engine's own `assess` (never a
shortcut), and the page shows, per child, the level, the reasons (each need at its highest rung),
escalations, notes, the unassessed list, then the checks and the questions. The last step's levels,
reasons and facts travel in the page as `state` (JSON in a hidden field), so the server can say what
this step changed without keeping anything about a family between requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from ...engine.assess import assess
from ...explain.words import subject_name
from ...model.assessment import Assessment, Question
from ...model.levels import Level
from ...model.situation import Situation
from ...render.html import ChildView, child_view
from ...render.text import check_lines
from ...rulebook.book import Rulebook
from .form import Control, Form, changed_facts, facts_of

QUESTIONS_SHOWN = 8
"""Questions listed under the results, most consequential first (the room reads them out)."""


@dataclass(frozen=True)
class ChildStep:
    """One child's panel: the record's view of it, and what moved since the last step."""

    view: ChildView
    was: Optional[Level]
    """The child's level at the last step, when it was different."""
    new: frozenset[str]
    """Descriptor and escalation ids that apply now and did not at the last step."""
    gone: list[str]
    """What applied at the last step and no longer does, in words."""


@dataclass(frozen=True)
class Step:
    """What the results panel shows."""

    assessment: Assessment
    children: list[ChildStep]
    questions: list[tuple[Question, str]]
    checks: list[str]
    changes: list[tuple[Control, str]] = field(default_factory=list)
    family_was: Optional[Level] = None
    state: str = ""
    first: bool = True


def step(situation: Situation, form: Form, book: Rulebook, previous: Optional[str]) -> Step:
    """Assess the situation and compare it with the last step's `previous` state (None on loading)."""
    household = situation.household
    assessment = assess(situation, book)
    before = _read_state(previous)
    was_levels: dict[str, str] = before.get("levels", {})
    was_applied: dict[str, list[str]] = before.get("applied", {})
    children = []
    for child in assessment.children:
        applied = _applied(child)
        old = set(was_applied.get(child.child_id, applied))
        was = was_levels.get(child.child_id)
        children.append(
            ChildStep(
                view=child_view(child, book, household),
                was=Level(was) if was is not None and was != child.level.value else None,
                new=frozenset(set(applied) - old) if before else frozenset(),
                gone=[_words(i, book) for i in sorted(old - set(applied))],
            )
        )
    family_was = before.get("family")
    state = {
        "levels": {c.child_id: c.level.value for c in assessment.children},
        "applied": {c.child_id: _applied(c) for c in assessment.children},
        "family": assessment.level.value,
        "facts": facts_of(form),
    }
    return Step(
        assessment=assessment,
        children=children,
        questions=[(q, subject_name(q.subject, household)) for q in assessment.questions[:QUESTIONS_SHOWN]],
        checks=check_lines(assessment.checks),
        changes=changed_facts(before.get("facts", {}), form) if before else [],
        family_was=Level(family_was) if family_was and family_was != assessment.level.value else None,
        state=json.dumps(state, sort_keys=True, separators=(",", ":")),
        first=not before,
    )


def _applied(child: Any) -> list[str]:
    return sorted({d.id for d in child.fired} | {e.id for e in child.escalations})


def _words(rule_id: str, book: Rulebook) -> str:
    descriptor = book.by_id.get(rule_id)
    if descriptor is not None:
        return descriptor.text
    escalation = next((e for e in book.escalations if e.id == rule_id), None)
    return escalation.text if escalation is not None else rule_id


def _read_state(previous: Optional[str]) -> dict[str, Any]:
    """The last step's state, or {} (first step, or a state the page damaged: then nothing is highlighted)."""
    if not previous:
        return {}
    try:
        state = json.loads(previous)
    except json.JSONDecodeError:
        return {}
    return state if isinstance(state, dict) else {}
