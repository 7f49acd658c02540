"""`needs scenarios list|show|run`: the scenario library, its stories and whether the engine agrees."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import guarded

app = typer.Typer(help="List, read and run the scenario library.", no_args_is_help=True)
"""The `scenarios` group itself (`app.py` adds it under that name)."""

FolderOption = Annotated[Path, typer.Option("--folder", help="The folder of scenario files.")]
ScenarioRulebookOption = Annotated[
    Optional[str],
    typer.Option("--rulebook", "-r", help="Only this rulebook (an id or a path). Default: every rulebook a scenario names."),
]


@app.command("list")
def scenarios_list(folder: FolderOption = Path("scenarios")) -> None:
    """List the scenarios: name, title and the level each rulebook is expected to give."""

    def run() -> None:
        from ..render.scenarios import print_scenario_list
        from ..scenarios.library import load_scenarios

        print_scenario_list(load_scenarios(folder), folder)

    guarded(run, hint="needs scenarios list --help")


@app.command("show")
def scenarios_show(
    name: Annotated[str, typer.Argument(help="A scenario name (its file name without .yaml).", show_default=False)],
    folder: FolderOption = Path("scenarios"),
) -> None:
    """Show one scenario: its story, the situation and what each rulebook is expected to decide."""

    def run() -> None:
        import difflib

        from ..errors import InputError, Problem
        from ..render.scenarios import print_scenario
        from ..scenarios.library import load_scenario, scenario_paths

        paths = {p.stem: p for p in scenario_paths(folder)}
        if name not in paths:
            close = difflib.get_close_matches(name, list(paths), n=1)
            raise InputError([Problem("NAME", f"no scenario '{name}' in {folder}", suggestion=close[0] if close else None)])
        print_scenario(load_scenario(paths[name]))

    guarded(run, hint="needs scenarios show --help")


@app.command("run")
def scenarios_run(folder: FolderOption = Path("scenarios"), rulebook: ScenarioRulebookOption = None) -> None:
    """Run every scenario under every rulebook it names; exit 1 if any expectation is not met."""

    def run() -> int:
        from ..render.scenarios import print_runs
        from ..scenarios.library import load_scenarios
        from ..scenarios.run import run_scenarios

        scenarios = load_scenarios(folder)
        results = run_scenarios(scenarios, rulebook)
        if not results:
            raise _nothing_ran(folder, rulebook, len(scenarios))
        return print_runs(results, len(scenarios))

    if guarded(run, hint="needs scenarios run --help"):
        raise typer.Exit(code=1)


def _nothing_ran(folder: Path, rulebook: Optional[str], found: int) -> Exception:
    """A run that checks nothing must not pass: a wrong --folder or --rulebook would look green."""
    from ..errors import InputError, Problem

    if not found:
        return InputError(
            [Problem(str(folder), "no scenario files here, so nothing ran", expected="a folder of .yaml scenarios")]
        )
    return InputError(
        [
            Problem(
                "--rulebook",
                f"every scenario in {folder} expects nothing of rulebook '{rulebook}', so nothing ran",
                expected="a rulebook named under some scenario's expected:",
            )
        ]
    )
