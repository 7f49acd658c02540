"""The rich views of `needs scenarios list|show|run`: the library as a table, one scenario's story
and situation, and each run's verdict.

Each function imports the parts of rich it draws with, and `list` needs nothing of the engine,
so listing the library stays as quick as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from ..plural import plural

if TYPE_CHECKING:
    from ..scenarios.library import Scenario
    from ..scenarios.run import ScenarioResult


def print_scenario_list(scenarios: list[Scenario], folder: Path) -> None:
    """One row per scenario: name, title and the family level each rulebook is expected to give."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{plural(len(scenarios), 'scenario')} in {folder}")
    table.add_column("name", overflow="fold")
    table.add_column("title", overflow="fold")
    table.add_column("expected family level", no_wrap=True, min_width=24)
    for s in scenarios:
        table.add_row(s.name, Text(s.title), "\n".join(f"{rid}: {e.level.value}" for rid, e in sorted(s.expected.items())))
    Console().print(table)


def print_scenario(scenario: Scenario) -> None:
    """The story, the situation as YAML, and each rulebook's expectation with its reason and source."""
    import yaml
    from rich.markup import escape
    from rich.panel import Panel
    from rich.syntax import Syntax
    from rich.text import Text

    console = Console()
    story = scenario.story.strip() + (f"\n\nSource: {scenario.source}" if scenario.source else "")
    console.print(Panel(Text(story), title=Text(f"{scenario.name}: {scenario.title}"), title_align="left"))
    situation = scenario.situation.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    console.print(Panel(Syntax(yaml.safe_dump(situation, sort_keys=False), "yaml"), title="Situation", title_align="left"))
    for rid, e in sorted(scenario.expected.items()):
        children = ", ".join(f"{cid}: {level.value}" for cid, level in sorted(e.children.items()))
        console.print(f"[bold]{rid}[/]: {e.level.value}" + (f" ({children})" if children else "") + f" — {escape(e.why)}")
        console.print(f"  [dim]Source: {escape(e.source)}[/]")


def print_runs(results: list[ScenarioResult], scenarios: int) -> int:
    """PASS or FAIL per run (with what did not match), then the tally; returns how many failed,
    the command's verdict, counted once here where the tally needs it too."""
    from rich.markup import escape

    from ..scenarios.run import failure_message

    console = Console(highlight=False)
    for r in results:
        mark = "[green]PASS[/]" if r.ok else "[bold red]FAIL[/]"
        console.print(f"{mark} {r.scenario} " + escape(f"[{r.rulebook}] {r.family.label}"))
        if not r.ok:
            console.print(escape(failure_message(r)), style="red")
    failed = sum(not r.ok for r in results)
    not_run = scenarios - len({r.scenario for r in results})
    skipped = f"; {plural(not_run, 'scenario expects', 'scenarios expect')} nothing of this rulebook, not run" if not_run else ""
    console.print(
        f"{len(results) - failed} passed, {failed} failed: {plural(len(results), 'run')} of {plural(scenarios, 'scenario')}{skipped}"
    )
    return failed
