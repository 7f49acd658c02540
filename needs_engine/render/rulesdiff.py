"""The rich view of `needs rules diff`: the rules that changed, and the scenarios that moved.

rich is imported inside the functions: the command imports this module before it knows the
format, and `--format json` loads no rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plural import plural

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from ..workflows.rulesdiff import RulebookDiff, RuleChange


def diff_renderables(diff: RulebookDiff) -> list[RenderableType]:
    """One table of rule changes, then one panel per scenario that moved."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    head = Text(
        f"{diff.old.id} {diff.old.version} ({diff.old.content_hash.removeprefix('sha256:')[:12]}) → "
        f"{diff.new.id} {diff.new.version} ({diff.new.content_hash.removeprefix('sha256:')[:12]})",
        style="bold",
    )
    lines: list[RenderableType] = [head]
    for kind, changes in (("descriptor", diff.descriptors), ("escalation", diff.escalations), ("mitigation", diff.mitigations)):
        if changes:
            lines.append(_changes(kind, changes))
    if not diff.changes:
        lines.append(Text("No descriptor, escalation or mitigation changed.", style="italic"))
    moved = len(diff.scenarios)
    lines.append(Text(f"\n{plural(moved, 'scenario')} of {diff.scenarios_checked} change level.", style="bold"))
    # Each line a block of its own (printed side by side, Texts would run on after one another).
    parts: list[RenderableType] = [Group(*lines)]
    for move in diff.scenarios:
        body = Text(f"family: {move.before.value} → {move.after.value}")
        if move.expected is not None and move.expected is not move.after:
            body.append(f"  (the scenario expects {move.expected.value})", style="bold yellow")
        for child in move.children:
            body.append(f"\n{child.child_id}: {child.before.value} → {child.after.value}", style="bold")
            for reason in child.reasons:
                body.append(f"\n  • {reason}")
        parts.append(Panel(body, title=Text(f"{move.scenario}: {move.title}"), title_align="left"))
    return parts


MARKS = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}


def _changes(kind: str, changes: list[RuleChange]) -> Text:
    """'Descriptors: 1 added, 2 changed' then one line per rule, and per changed field."""
    from rich.text import Text

    counts = ", ".join(
        f"{sum(c.change == what for c in changes)} {what}" for what in MARKS if any(c.change == what for c in changes)
    )
    block = Text(f"\n{plural(len(changes), kind)} changed" + (f" ({counts})" if counts else ""), style="bold")
    for change in changes:
        mark, style = MARKS[change.change]
        block.append(f"\n{mark} {change.id}", style=style)
        if change.change != "changed":
            block.append(f": {change.text}")
        for field in change.fields:
            block.append(f"\n    {field.field}: {field.before} → {field.after}")
    return block
