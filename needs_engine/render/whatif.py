"""The what-if comparison in the terminal: levels before and after, and what moved."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..model.levels import Level
from ..workflows.whatif import WhatIf
from .theme import level_badge

SHOWN = 6


def _arrow(before: Level, after: Level) -> str:
    return "raised" if after > before else "lowered" if after < before else "unchanged"


def render_what_if(result: WhatIf, console: Console) -> None:
    """Print the changes, the family and child levels before and after, and the differences."""
    console.print(Text("What if", style="bold"))
    for change in result.changes:
        console.print(f"  • {escape(change.words)}  [dim]({change.path})[/dim]")
    table = Table(title="Before and after")
    for column in ("", "before", "after", ""):
        table.add_column(column)
    table.add_row(
        "family",
        level_badge(result.before_level, result.before_label),
        level_badge(result.after_level, result.after_label),
        _arrow(result.before_level, result.after_level),
    )
    for child in result.children:
        table.add_row(
            child.child_id,
            level_badge(child.before, child.before_label),
            level_badge(child.after, child.after_label),
            _arrow(child.before, child.after),
        )
    console.print(table)
    for child in result.children:
        lines = [f"  + fired: {d}" for d in child.newly_fired] + [f"  - cleared: {d}" for d in child.cleared]
        lines += [f"  ? now unknown: {d} (ask again)" for d in child.now_unknown]
        lines += [f"  + escalation: {e}" for e in child.escalations_applied] + [
            f"  - escalation: {e}" for e in child.escalations_cleared
        ]
        if child.mitigation_before != child.mitigation_after:
            lines.append(f"  mitigation: {child.mitigation_before or 'none'} → {child.mitigation_after or 'none'}")
        console.print(Text(f"{child.child_id}:", style="bold"))
        console.print("\n".join(lines) if lines else "  no descriptor or escalation changed", highlight=False, markup=False)
    if result.questions_resolved or result.questions_new:
        console.print(Text("Questions", style="bold"))
        for mark, heading, questions in (
            ("✓", "no longer needed", result.questions_resolved),
            ("?", "now worth asking", result.questions_new),
        ):
            for q in questions[:SHOWN]:
                console.print(f"  {mark} {heading}: {q.subject} — {q.ask}", highlight=False, markup=False)
            if len(questions) > SHOWN:
                console.print(f"  … and {len(questions) - SHOWN} more {heading} (see --format json)", style="dim")
