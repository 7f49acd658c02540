"""The quiz in the terminal: a scenario in words, the reveal with the engine's reasons, the score."""

from __future__ import annotations

from typing import Optional, TextIO

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from ..model.levels import Level
from ..rulebook.book import Rulebook
from ..scenarios.library import Scenario
from ..workflows.training import QUIT_WORDS, QuizItem, known_fact_lines, mark, parse_answer
from .theme import level_badge

SHOWN = 6
MAX_RETRIES = 3
"""Answers that are not a level before the quiz moves on as if the learner stopped."""


def run_quiz(scenarios: list[Scenario], book: Rulebook, answers: TextIO, *, echo: bool) -> None:
    """Ask each scenario in turn, reading one answer a line from `answers`, reveal the engine's
    level after each, and show the score; an empty line (end of input) or a quit word stops early.
    `echo` prints each answer read, for answers from a file or a pipe (a person typing sees their own)."""
    console = Console(highlight=False)
    items: list[QuizItem] = []
    for number, scenario in enumerate(scenarios, 1):
        show_scenario(console, scenario, number, len(scenarios), book)
        level = _ask(console, answers, book, echo=echo)
        if level is None:
            console.print("Stopping here.")
            break
        item = mark(scenario, level, book)
        items.append(item)
        show_reveal(console, item, book)
    show_score(console, items, len(scenarios))


def _ask(console: Console, answers: TextIO, book: Rulebook, *, echo: bool) -> Optional[Level]:
    """The learner's level, asked up to MAX_RETRIES times; None when they stop or answers run out."""
    for _ in range(MAX_RETRIES):
        console.print("Your level (1-4, or a name; q to stop): ", end="")
        line = answers.readline()
        if not line:
            return None
        if echo:
            console.print(line.strip(), markup=False)
        if line.strip().lower() in QUIT_WORDS:
            return None
        level = parse_answer(line, book)
        if level is not None:
            return level
        console.print(
            f"'{line.strip()}' is not a level. Answer 1-4, or a name such as 'early help' or '{book.levels[Level.targeted].label}'.",
            markup=False,
        )
    return None


def show_scenario(console: Console, scenario: Scenario, number: int, total: int, book: Rulebook) -> None:
    """The story and the known facts, as a screener would hear them."""
    body = Text(" ".join(scenario.story.split()) + "\n\n")
    body.append("What is known\n", style="bold")
    for line in known_fact_lines(scenario.situation.household):
        body.append(f"  • {line}\n")
    console.print(Panel(body, title=Text(f"Scenario {number} of {total}: {scenario.title}"), title_align="left"))
    levels = ", ".join(f"{level.rank + 1} {book.levels[level].label}" for level in book.levels)
    console.print(Text(f"Levels: {levels}", style="dim"))


def show_reveal(console: Console, item: QuizItem, book: Rulebook) -> None:
    """The engine's level, whether the learner matched it, the reasons and the scenario's rationale."""
    a = item.assessment
    line = Text("Engine: ")
    line.append_text(level_badge(a.level, a.label))
    line.append(f"   You: {book.levels[item.answer].label}   ")
    line.append("✓ match" if item.matched else "✗ different", style="bold green" if item.matched else "bold red")
    console.print(line)
    for child in a.children:
        console.print(Text(f"  {child.child_id} ({child.age}): {child.label}", style="bold"))
        reasons = [d for d in child.fired if d.level >= Level.early_help]
        for d in reasons[:SHOWN]:
            console.print(f"    • [{book.levels[d.level].label}] {d.text}", markup=False)
        if len(reasons) > SHOWN:
            console.print(f"    … and {len(reasons) - SHOWN} more (needs explain shows them all)", style="dim")
        for e in child.escalations:
            console.print(f"    ↑ {e.text}", markup=False)
        if child.mitigation:
            console.print(f"    ↓ {child.mitigation.text}", markup=False)
    expected = item.scenario.expected.get(book.id)
    if expected is not None:
        note = f"Rationale: {expected.why} (source: {expected.source})"
        if expected.level != a.level:
            note += f" (the scenario expects {book.levels[expected.level].label})"
        console.print(Text(note, style="italic"))
    console.print()


def show_score(console: Console, items: list[QuizItem], total: int) -> None:
    right = sum(item.matched for item in items)
    asked = len(items)
    percent = f" ({100 * right // asked}%)" if asked else ""
    tail = "" if asked == total else f"; stopped after {asked} of {total}"
    console.print(Text(f"Score: {right}/{asked}{percent}{tail}", style="bold"))
