"""`needs scenarios list|show|run`: the scenario library, its stories and whether the engine agrees."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..plural import plural
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
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from ..scenarios.library import load_scenarios

        scenarios = load_scenarios(folder)
        table = Table(title=f"{plural(len(scenarios), 'scenario')} in {folder}")
        table.add_column("name", overflow="fold")
        table.add_column("title", overflow="fold")
        table.add_column("expected family level", no_wrap=True, min_width=24)
        for s in scenarios:
            table.add_row(s.name, Text(s.title), "\n".join(f"{rid}: {e.level.value}" for rid, e in sorted(s.expected.items())))
        Console().print(table)

    guarded(run, hint="needs scenarios list --help")


@app.command("show")
def scenarios_show(
    name: Annotated[str, typer.Argument(help="A scenario name (its file name without .yaml).", show_default=False)],
    folder: FolderOption = Path("scenarios"),
) -> None:
    """Show one scenario: its story, the situation and what each rulebook is expected to decide."""

    def run() -> None:
        import difflib

        import yaml
        from rich.console import Console
        from rich.markup import escape
        from rich.panel import Panel
        from rich.syntax import Syntax
        from rich.text import Text

        from ..errors import InputError, Problem
        from ..scenarios.library import load_scenario, scenario_paths

        paths = {p.stem: p for p in scenario_paths(folder)}
        if name not in paths:
            close = difflib.get_close_matches(name, list(paths), n=1)
            raise InputError([Problem("NAME", f"no scenario '{name}' in {folder}", suggestion=close[0] if close else None)])
        scenario = load_scenario(paths[name])
        console = Console()
        story = scenario.story.strip() + (f"\n\nSource: {scenario.source}" if scenario.source else "")
        console.print(Panel(Text(story), title=Text(f"{scenario.name}: {scenario.title}"), title_align="left"))
        situation = scenario.situation.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        console.print(Panel(Syntax(yaml.safe_dump(situation, sort_keys=False), "yaml"), title="Situation", title_align="left"))
        for rid, e in sorted(scenario.expected.items()):
            children = ", ".join(f"{cid}: {level.value}" for cid, level in sorted(e.children.items()))
            console.print(f"[bold]{rid}[/]: {e.level.value}" + (f" ({children})" if children else "") + f" — {escape(e.why)}")
            console.print(f"  [dim]Source: {escape(e.source)}[/]")

    guarded(run, hint="needs scenarios show --help")


@app.command("run")
def scenarios_run(folder: FolderOption = Path("scenarios"), rulebook: ScenarioRulebookOption = None) -> None:
    """Run every scenario under every rulebook it names; exit 1 if any expectation is not met."""

    def run() -> int:
        from rich.console import Console
        from rich.markup import escape

        from ..scenarios.library import load_scenarios
        from ..scenarios.run import failure_message, run_scenarios

        scenarios = load_scenarios(folder)
        results = run_scenarios(scenarios, rulebook)
        if not results:
            raise _nothing_ran(folder, rulebook, len(scenarios))
        console = Console(highlight=False)
        for r in results:
            mark = "[green]PASS[/]" if r.ok else "[bold red]FAIL[/]"
            console.print(f"{mark} {r.scenario} " + escape(f"[{r.rulebook}] {r.family.label}"))
            if not r.ok:
                console.print(escape(failure_message(r)), style="red")
        failed = sum(not r.ok for r in results)
        not_run = len(scenarios) - len({r.scenario for r in results})
        skipped = (
            f"; {plural(not_run, 'scenario expects', 'scenarios expect')} nothing of this rulebook, not run" if not_run else ""
        )
        console.print(
            f"{len(results) - failed} passed, {failed} failed: {plural(len(results), 'run')} of {plural(len(scenarios), 'scenario')}{skipped}"
        )
        return failed

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
