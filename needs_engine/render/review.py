"""The rich view of `needs review`: each child's movement between two dates and why, and the
response at the family's new level.

rich is imported inside the functions: the command imports this module before it knows the
format, and `--format json` loads no rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from ..workflows.review import ChildReview, LevelAt, Review


def review_renderables(result: Review) -> list[RenderableType]:
    """The family's movement, one panel per child, and the response at the family's new level."""
    from rich.panel import Panel
    from rich.text import Text

    family = result.family
    head = Text(f"Family: {family.movement}  ", style="bold")
    head.append_text(_levels(family.before, family.after))
    for warning in result.warnings:
        head.append(f"\nCheck: {warning}", style="bold yellow")
    from ..formats.text import terminal_safe

    title = f"Review under {result.rulebook} {result.rulebook_version}" + (
        f" · {terminal_safe(result.reference)}" if result.reference else ""
    )
    parts: list[RenderableType] = [Panel(head, title=Text(title), title_align="left")]
    parts.extend(_child_panel(child) for child in result.children)
    response = Text(f"{family.response.summary}\n")
    for action in family.response.actions:
        response.append(f"  • {action}\n")
    title = f"What to do now: {family.response.label}" + (" (statutory)" if family.response.statutory else "")
    parts.append(Panel(response, title=title, title_align="left"))
    if family.step_down is not None:
        handover = Text(f"{family.step_down.summary}\n")
        for action in family.step_down.actions:
            handover.append(f"  • {action}\n")
        handover.append(f"Source: {family.step_down.source}", style="dim")
        parts.append(Panel(handover, title="Stepping down", title_align="left"))
    return parts


def _levels(before: LevelAt | None, after: LevelAt | None) -> Text:
    from rich.text import Text

    from .theme import level_badge

    line = Text()
    line.append_text(level_badge(before.level, before.label) if before else Text("(not in the family)"))
    line.append(" → ")
    line.append_text(level_badge(after.level, after.label) if after else Text("(no longer in the family)"))
    if after and after.possible_level > after.level:
        line.append("\ncould be as high as ")
        line.append_text(level_badge(after.possible_level, after.possible_label))
        line.append(" once unknown facts are checked")
    return line


def _child_panel(child: ChildReview) -> RenderableType:
    from rich.panel import Panel
    from rich.text import Text

    body = Text()
    body.append_text(_levels(child.before, child.after))
    for heading, items in (
        ("appeared", child.appeared),
        ("cleared", child.cleared),
        ("now unknown (ask again)", child.now_unknown),
        ("escalations appeared", child.escalations_appeared),
        ("escalations cleared", child.escalations_cleared),
    ):
        if items:
            body.append(f"\n{heading}: ", style="bold")
            body.append(", ".join(items))
    if child.mitigation:
        body.append(f"\nmitigation now applies: {child.mitigation}", style="green")
    if child.response:
        body.append(f"\nresponse: {child.response}", style="dim")
    return Panel(body, title=f"Child {child.child_id} ({child.age}): {child.movement}", title_align="left")
