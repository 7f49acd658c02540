"""The rich view of `needs compare`: the side-by-side table, and why each child differs.

rich is imported inside the functions: the command imports this module before it knows the
format, and `--format json` loads no rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from ..model.levels import Level
    from ..workflows.compare import ChildComparison, Comparison


def comparison_renderables(comparison: Comparison) -> list[RenderableType]:
    """The side-by-side table, then one panel per child whose level differs."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from ..formats.text import terminal_safe

    table = Table(
        title=Text("Level under each rulebook" + (f" · {terminal_safe(comparison.reference)}" if comparison.reference else ""))
    )
    table.add_column("", no_wrap=True)
    table.add_column("age", no_wrap=True)
    for rid in comparison.rulebooks:
        table.add_column(rid)
    table.add_column("same?")
    same = {False: "yes", True: "NO"}
    table.add_row(
        Text("Family", style="bold"), "", *(_cell(r.level, r.label) for r in comparison.family), same[comparison.family_differs]
    )
    if any(r.possible_level > r.level for r in comparison.family):
        possible = [_cell(r.possible_level, r.possible_label) for r in comparison.family]
        table.add_row(Text("possible", style="dim"), "", *possible, "")
    for child in comparison.children:
        table.add_row(child.child_id, child.age, *(_cell(r.level, r.label) for r in child.levels), same[child.differs])
    parts: list[RenderableType] = [table]
    for child in comparison.children:
        if child.differs:
            title = f"Why child {child.child_id} differs"
        elif child.reasons_differ:
            title = f"Child {child.child_id}: the same level, for different reasons"
        else:
            continue
        parts.append(Panel(_why(child, comparison.rulebooks), title=title, title_align="left"))
    if not any(child.differs for child in comparison.children):
        parts.append(Text("Every child is at the same level under every rulebook.", style="italic"))
    return parts


def _cell(level: Level, label: str) -> Text:
    from .theme import level_badge

    return level_badge(level, label)


def _why(child: ChildComparison, rulebooks: list[str]) -> RenderableType:
    """Per domain, what fired under each rulebook and not the others; then rules applied by one only."""
    from rich.console import Group
    from rich.text import Text

    width = max(len(rid) for rid in rulebooks)
    parts: list[RenderableType] = []
    for d in child.domains:
        parts.append(Text(d.label, style="bold"))
        for rid in rulebooks:
            parts.append(Text(f"  {rid:<{width}}  " + (", ".join(d.fired[rid]) or "nothing")))
    for rule in child.rules:
        line = f"{rule.rulebook} only: " + ", ".join([*rule.escalations, *([rule.mitigation] if rule.mitigation else [])])
        parts.append(Text(line, style="magenta"))
    if not parts:
        parts.append(Text("The same descriptors fired; the rulebooks combine them differently.", style="italic"))
    return Group(*parts)
