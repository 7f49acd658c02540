"""The trainer's quiz: scenarios in a reproducible order, answers read as levels, and a score.

A learner reads a scenario's story and a plain-words summary of the known facts, names a level,
and is shown the engine's level with its reasons and the scenario's own rationale. The quiz
logic lives here, apart from the terminal, so a test can run it end to end from an answers file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Optional

from ..engine.assess import age_words, assess
from ..explain.words import answer_words
from ..model.assessment import Assessment
from ..model.levels import Level
from ..model.situation import Household
from ..plural import plural
from ..rulebook.book import Rulebook
from ..scenarios.library import Scenario

QUIT_WORDS = ("q", "quit", "exit")


def quiz_order(scenarios: list[Scenario], *, seed: Optional[int], count: Optional[int]) -> list[Scenario]:
    """Scenarios shuffled by `seed` (the same seed gives the same order), at most `count` of them."""
    ordered = sorted(scenarios, key=lambda s: s.name)
    random.Random(seed).shuffle(ordered)
    return ordered[:count] if count else ordered


def parse_answer(text: str, book: Rulebook) -> Optional[Level]:
    """The level a learner meant, or None if the answer names none (or more than one)."""
    cleaned = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if not cleaned:
        return None
    words = answer_words(book)
    if cleaned in words:
        return words[cleaned]
    if len(cleaned) >= 3:
        matches = {level for word, level in words.items() if word.startswith(cleaned)}
        if len(matches) == 1:
            return matches.pop()
    return None


def known_fact_lines(household: Household) -> list[str]:
    """The known facts worth reading out, in words, one line per person or the home.

    Graded facts above their first value, yes/no concerns and strengths that are yes, and every
    known measure; facts known to be fine are counted, not listed.
    """
    from ..explain.words import fact_name, subject_name, value_text
    from ..model.catalogue import known_facts

    notes: dict[tuple[str, str], list[str]] = {}
    owners: dict[tuple[str, str], Any] = {}
    quiet = 0
    for known in known_facts(household):
        spec, value = known.spec, known.value
        if spec.direction == "none":
            continue
        if spec.notable(value):
            name = fact_name(spec).removeprefix("strength ").strip("'")
            notes.setdefault((known.subject, known.root), []).append(f"{name}: {value_text(spec, value)}")
            owners[(known.subject, known.root)] = known.owner
        else:
            quiet += 1
    lines = []
    for (subject, root), said in notes.items():
        who = subject_name(subject, household)
        if root == "child":
            who = f"{who}, {age_words(owners[(subject, root)])}"
        if root == "strengths":
            who = "strengths"
        lines.append(f"{who}: " + "; ".join(said))
    others = plural(quiet, "other known fact is", "other known facts are")
    lines.append(f"({others} no concern; anything not mentioned is unknown.)")
    return lines


@dataclass(frozen=True)
class QuizItem:
    """One scenario as asked: the engine's assessment and the learner's answer."""

    scenario: Scenario
    assessment: Assessment
    answer: Level

    @property
    def matched(self) -> bool:
        return self.answer == self.assessment.level


def mark(scenario: Scenario, answer: Level, book: Rulebook) -> QuizItem:
    return QuizItem(scenario, assess(scenario.situation, book), answer)
