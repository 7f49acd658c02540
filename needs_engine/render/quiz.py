"""The quiz in the terminal: a scenario in words, the reveal with the engine's reasons, the score."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from ..model.levels import Level
from ..rulebook.book import Rulebook
from ..scenarios.library import Scenario
from ..workflows.training import QuizItem, known_fact_lines
from .theme import level_badge

SHOWN = 6


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
