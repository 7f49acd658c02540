"""`needs compare`: one situation under every shipped rulebook (or those named), side by side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .app import app, guarded
from .output import FormatOption, RichOrJson, emit

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from ..compare import ChildComparison, Comparison, RulebookLevel


@app.command()
def compare(
    file: Annotated[Path, typer.Argument(help="A situation in YAML or JSON.", show_default=False)],
    rulebook: Annotated[
        Optional[list[str]],
        typer.Option("--rulebook", "-r", help="A rulebook id or path; repeat for several. Default: every shipped rulebook."),
    ] = None,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Compare how each rulebook places the same household, and which descriptors make the difference."""

    def run() -> None:
        from ..compare import compare as compare_situation
        from ..inputs import read_situation

        comparison, _ = compare_situation(read_situation(file), rulebook or ())
        emit(comparison, output, comparison_renderables)

    guarded(run, hint="needs compare --help")


def comparison_renderables(comparison: Comparison) -> list[RenderableType]:
    """The side-by-side table, then one panel per child whose level differs."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Level under each rulebook" + (f" · {comparison.reference}" if comparison.reference else ""))
    table.add_column("")
    table.add_column("age")
    for rid in comparison.rulebooks:
        table.add_column(rid)
    table.add_column("same?")
    table.add_row(
        Text("Family", style="bold"),
        "",
        *(_cell(row) for row in comparison.family),
        "yes" if not comparison.family_differs else "NO",
    )
    for child in comparison.children:
        table.add_row(child.child_id, child.age, *(_cell(row) for row in child.levels), "NO" if child.differs else "yes")
    parts: list[RenderableType] = [table]
    for child in comparison.children:
        if child.differs:
            parts.append(
                Panel(_why(child, comparison.rulebooks), title=f"Why child {child.child_id} differs", title_align="left")
            )
    if not any(child.differs for child in comparison.children):
        parts.append(Text("Every child is at the same level under every rulebook.", style="italic"))
    return parts


def _cell(row: RulebookLevel) -> Text:
    from rich.text import Text

    from ..render.theme import LEVEL_STYLE

    cell = Text(f" {row.label} ", style=LEVEL_STYLE[row.level])
    if row.possible_level > row.level:
        cell.append(f"\ncould be {row.possible_label}", style="dim")
    return cell


def _why(child: ChildComparison, rulebooks: list[str]) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[RenderableType] = []
    if child.domains:
        table = Table(box=None, show_header=True)
        table.add_column("domain")
        for rid in rulebooks:
            table.add_column(f"fired under {rid}", overflow="fold")
        for d in child.domains:
            table.add_row(d.label, *("\n".join(d.fired[rid]) or "-" for rid in rulebooks))
        parts.append(table)
    for rule in child.rules:
        line = f"{rule.rulebook} only: " + ", ".join([*rule.escalations, *([rule.mitigation] if rule.mitigation else [])])
        parts.append(Text(line, style="magenta"))
    if not parts:
        parts.append(Text("The same descriptors fired; the rulebooks combine them differently.", style="italic"))
    return Group(*parts)
