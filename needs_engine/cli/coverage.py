"""`needs rules coverage`: which descriptors and rules the scenario library exercises."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import DEFAULT_RULEBOOK, FormatOption, RichOrJson, RulebookOption, emit, guarded

app = typer.Typer()


@app.command("coverage")
def rules_coverage(
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    folder: Annotated[Path, typer.Option("--folder", help="The folder of scenario files.")] = Path("scenarios"),
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Show which descriptors and rules the scenarios exercise, which they miss, and levels unreachable by age."""

    def run() -> None:
        from ..errors import InputError, Problem
        from ..render.coverage import coverage_renderables
        from ..rulebook.load import load_rulebook
        from ..scenarios.coverage import coverage
        from ..scenarios.library import load_scenarios

        scenarios = load_scenarios(folder)
        if not scenarios:
            # 0% of nothing would read as a measurement; a wrong --folder must not pass quietly.
            raise InputError(
                [Problem(str(folder), "no scenario files here, so nothing was measured", expected="a folder of .yaml scenarios")]
            )
        result = coverage(load_rulebook(rulebook), scenarios)
        emit(result, output, coverage_renderables)

    guarded(run, hint="needs rules coverage --help")
