"""The `needs` command: the root group, composed here from one Typer per command file.

Exit codes: 0 success, 2 bad input (one clear message on stderr, never a traceback),
1 internal error. stdout stays clean for --format json.

Each command file (`serve.py`, `rules.py`, `scenarios.py`, ...) declares its commands on a
`typer.Typer()` of its own and imports only what lies below it (`options.py`, `running.py`,
render/, the engine); this module imports them and composes their Typers into `app`:
`add_typer` without a name merges a file's commands into its group (the root, or `rules`), and
a file that is a group of its own (`scenarios`) is added under its name.

The trade-off, lazy composition: importing a command file and building its click command costs a
fresh process about as much as loading a rulebook from the cache, and a screener's `needs assess`
uses none of them. So the entry point (`needs_engine.cli.main`) first works out from the
command line which files the command needs (`COMMAND_MODULES` and `MODULES_OF` there, which it
reads before typer is imported), and this module composes only those; imported any other way
(tests, an embedding program) it composes every one. The price is that the table of which
command lives in which file sits beside the entry point, as strings, rather than in the imports
here; `tests/cli/test_imports.py` holds the table to what the files declare, and checks that no
command file imports this one.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..model.levels import Level
from . import commands, running
from .options import BROKEN_PIPE_EXIT, DEFAULT_FORMAT, DEFAULT_RULEBOOK, OutputFormat, RulebookOption, SituationFile, guarded

__all__ = ["BROKEN_PIPE_EXIT", "app", "main"]

app = typer.Typer(
    name="needs",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # typer's own shell completion: `needs --install-completion` (bash, zsh, fish, PowerShell).
    add_completion=True,
    # `-h` as well as `--help`, on every command: click hands the names down to each subcommand.
    context_settings={"help_option_names": ["-h", "--help"]},
)
RULES_HELP = "Look at, lint and check a rulebook; see which descriptors the scenarios exercise."
OWN_GROUPS = ("scenarios",)
"""Command files whose Typer is a top-level group of its own, added under the file's name. The
`rules` group is made here, from the files `MODULES_OF["rules"]` lists, merged in that order."""


def _print_version(wanted: bool) -> None:
    """`needs --version`: which engine made an assessment is recorded in it; this says which is installed."""
    if wanted:
        from .._version import __version__

        typer.echo(f"needs-engine {__version__}")
        raise typer.Exit()


@app.callback()
def _needs(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Place each child, and the family, on the Continuum of Need, and explain why."""


@app.command()
def assess(
    file: SituationFile,
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="rich (terminal), json, markdown or html.")
    ] = DEFAULT_FORMAT,
    override_level: Annotated[
        Optional[Level], typer.Option("--override-level", help="Professional judgement: the level to use instead.")
    ] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why the override (required with --override-level).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who made the override (role or initials).")] = None,
    second_person: Annotated[
        Optional[str], typer.Option("--second-person", help="Who agreed a downward override (required to lower).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="The detailed view: every reason with its facts, every escalation and more questions.")
    ] = False,
    all_questions: Annotated[bool, typer.Option("--all-questions", help="Show every question, not only the first few.")] = False,
    record: Annotated[
        Optional[Path], typer.Option("--record", help="Also save a decision record (JSON) in this directory.", file_okay=False)
    ] = None,
    include_input: Annotated[
        bool, typer.Option("--include-input", help="Keep the situation itself in the record (it may hold names).")
    ] = False,
) -> None:
    """Assess one household and show its level, the reasons, the gaps and what to do next.

    The terminal view fits one screen: the level and what to do now, each child's top reasons,
    the red-flag checklist and the five questions that matter most. --full shows everything.
    """
    guarded(
        lambda: running.assess_command(
            file, rulebook, output, override_level, reason, by, second_person, full, all_questions, record, include_input
        ),
        hint="needs assess --help",
    )


class SchemaFormat(str, Enum):
    json = "json"
    markdown = "markdown"


@app.command()
def schema(
    assessment: Annotated[
        bool,
        typer.Option("--assessment", help="The JSON Schema of an assessment (what `assess --format json` prints) instead."),
    ] = False,
    output: Annotated[
        SchemaFormat, typer.Option("--format", "-f", help="json (a JSON Schema) or markdown (every fact in words).")
    ] = SchemaFormat.json,
) -> None:
    """Print the JSON Schema of a situation (every fact, its values and their definitions)."""

    def run() -> None:
        from ..model.assessment import Assessment
        from ..model.situation import Situation

        if output is SchemaFormat.markdown:
            from ..errors import InputError, Problem
            from ..render.facts import facts_markdown

            if assessment:
                raise InputError([Problem("--format", "markdown lists a situation's facts", expected="json with --assessment")])
            sys.stdout.write(facts_markdown())
            return
        model = Assessment if assessment else Situation
        sys.stdout.write(json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n")

    guarded(run, hint="needs schema --help")


def _compose(modules: Iterable[str]) -> None:
    """Add the Typers of the command files `modules` to `app`: the root's own files merged first
    (in `COMMAND_MODULES` order), then the groups, so `--help` lists the commands, then the groups."""
    typers = {name: importlib.import_module(f"{__package__}.{name}").app for name in modules}
    in_rules = commands.MODULES_OF["rules"]
    for name, module_app in typers.items():
        if name not in in_rules and name not in OWN_GROUPS:
            app.add_typer(module_app)
    rules = [typers[name] for name in in_rules if name in typers]
    if rules:
        rules_app = typer.Typer(help=RULES_HELP, no_args_is_help=True)
        for module_app in rules:
            rules_app.add_typer(module_app)
        app.add_typer(rules_app, name="rules")
    for name in OWN_GROUPS:
        if name in typers:
            app.add_typer(typers[name], name=name)


def _wanted() -> tuple[str, ...]:
    """The command files the entry point chose (`needs_engine.cli.main`), or every one."""
    return commands.COMMAND_MODULES if commands.wanted is None else commands.wanted


_compose(_wanted())


def main() -> None:
    """Run `needs` with its commands composed (the console entry point is `needs_engine.cli.main`)."""
    app()
