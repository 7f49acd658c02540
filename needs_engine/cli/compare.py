"""`needs compare`: one situation under every shipped rulebook (or those named), side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import FormatOption, RichOrJson, emit, guarded

app = typer.Typer()


@app.command()
def compare(
    file: Annotated[
        Path, typer.Argument(help="A situation, or a scenario file, in YAML or JSON; - reads standard input.", show_default=False)
    ],
    rulebook: Annotated[
        Optional[list[str]],
        typer.Option("--rulebook", "-r", help="A rulebook id or path; repeat for several. Default: every shipped rulebook."),
    ] = None,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Compare how each rulebook places the same household, and which descriptors make the difference."""

    def run() -> None:
        from ..render.compare import comparison_renderables
        from ..workflows.compare import compare as compare_situation
        from ..workflows.review import read_situation_or_scenario

        comparison, _ = compare_situation(read_situation_or_scenario(file), rulebook or ())
        emit(comparison, output, comparison_renderables)

    guarded(run, hint="needs compare --help")
