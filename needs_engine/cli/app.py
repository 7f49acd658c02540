"""The `needs` command: assess a situation, look at rulebooks, print the schema.

Exit codes: 0 success, 2 bad input (one clear message on stderr, never a traceback),
1 internal error. stdout stays clean for --format json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TypeVar

import typer

from ..model.levels import Level
from . import running
from .running import OutputFormat

app = typer.Typer(
    name="needs",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # typer's own shell completion: `needs --install-completion` (bash, zsh, fish, PowerShell).
    add_completion=True,
    # `-h` as well as `--help`, on every command: click hands the names down to each subcommand.
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    help="Look at, lint and check a rulebook; see which descriptors the scenarios exercise.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")

T = TypeVar("T")


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


SituationFile = Annotated[
    Path, typer.Argument(metavar="FILE", help="A situation in YAML or JSON; - reads it from standard input.", show_default=False)
]
"""The situation argument of every command that reads one: one wording, and `-` everywhere."""


def stdin_once(**arguments: Path) -> None:
    """Refuse `-` for more than one of a command's files: standard input can be read only once, and
    the second reader would see an empty file and report that instead of the real mistake."""
    from ..errors import InputError, Problem
    from ..formats.yamlfile import STDIN

    named = [name for name, path in arguments.items() if str(path) == STDIN]
    if len(named) > 1:
        raise InputError(
            [
                Problem(
                    " and ".join(named),
                    "standard input (-) can be read only once",
                    expected="a file name for all but one of them",
                )
            ]
        )


RulebookOption = Annotated[
    str, typer.Option("--rulebook", "-r", help="A shipped rulebook id (knowsley) or a path to a rulebook.")
]


BROKEN_PIPE_EXIT = running.BROKEN_PIPE_EXIT
"""The exit status when the reader of stdout goes away (`running.BROKEN_PIPE_EXIT`)."""


def fail(message: str, *, code: int = 2, hint: str = "needs --help") -> typer.Exit:
    """Print one error panel on stderr and return the Exit to raise."""
    running.print_failure(message, hint=hint)
    return typer.Exit(code=code)


def _typer_exit(code: int) -> typer.Exit:
    return typer.Exit(code=code)


def guarded(action: Callable[[], T], *, hint: str) -> T:
    """Run `action`, turning expected errors into exit 2 and anything else into exit 1
    (`running.guarded_as`); a closed stdout ends the command quietly with BROKEN_PIPE_EXIT."""
    return running.guarded_as(action, hint=hint, exit_with=_typer_exit, passed_on=(typer.Exit, typer.Abort, KeyboardInterrupt))


@app.command()
def assess(
    file: SituationFile,
    rulebook: RulebookOption = "knowsley",
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="rich (terminal), json, markdown or html.")
    ] = OutputFormat.rich,
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


@rules_app.command("list")
def rules_list(
    rulebook: RulebookOption = "knowsley",
    level: Annotated[Optional[Level], typer.Option("--level", help="Only descriptors at this level.")] = None,
    domain: Annotated[Optional[str], typer.Option("--domain", help="Only descriptors in this domain.")] = None,
) -> None:
    """List a rulebook's descriptors: id, level, origin (common, overridden or local) and text."""

    def run() -> None:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from ..plural import plural
        from ..render.origin import origin_counts_line
        from ..render.theme import level_badge
        from ..rulebook.load import load_rulebook

        book = load_rulebook(rulebook)
        if domain is not None and domain not in book.domains:
            import difflib

            from ..errors import InputError, Problem

            close = difflib.get_close_matches(domain, list(book.domains), n=1)
            raise InputError(
                [
                    Problem(
                        "--domain",
                        f"no domain '{domain}' in {book.id}",
                        expected=", ".join(sorted(book.domains)),
                        suggestion=close[0] if close else None,
                    )
                ]
            )
        chosen = [d for d in book.descriptors if (level is None or d.level is level) and (domain is None or d.domain == domain)]
        table = Table(
            title=f"{book.name} {book.version}: {len(chosen)} of {plural(len(book.descriptors), 'descriptor')}",
            caption=origin_counts_line(book),
        )
        table.add_column("id", no_wrap=True)
        table.add_column("level", no_wrap=True)
        table.add_column("origin", no_wrap=True)
        table.add_column("text", overflow="fold")
        for d in chosen:
            table.add_row(d.id, level_badge(d.level, book.levels[d.level].label), d.origin.kind, Text(d.text))
        Console().print(table)

    guarded(run, hint="needs rules list --help")


@rules_app.command("show")
def rules_show(
    name: Annotated[
        Optional[str],
        typer.Argument(
            metavar="ID|RULEBOOK",
            help="A descriptor id of --rulebook (e.g. education.persistent_absence), or a rulebook to summarise.",
        ),
    ] = None,
    rulebook: RulebookOption = "knowsley",
    explain_origin: Annotated[
        Optional[str],
        typer.Option(
            "--explain-origin",
            metavar="ID",
            help="Say where descriptor ID comes from: the common library, an override of it (what it changed, "
            "its source and reason) or the rulebook's own files.",
        ),
    ] = None,
) -> None:
    """Show one descriptor in full, a rulebook's summary, or where a descriptor comes from.

    `needs rules show ID -r RULEBOOK` shows the descriptor: level, tier, origin, text, source,
    condition, age band and where it is defined. `needs rules show RULEBOOK` summarises the
    rulebook: the tiers each level covers and how many descriptors are common, overridden, local
    and excluded. `needs rules show RULEBOOK --explain-origin ID` explains one descriptor's origin.
    """

    def run() -> None:
        from rich.console import Console
        from rich.panel import Panel
        from rich.text import Text

        from ..render.origin import origin_lines, summary_lines
        from ..rulebook.load import load_rulebook

        console = Console()
        if explain_origin is not None:
            book = load_rulebook(name or rulebook)
            _descriptor_or_fail(book, explain_origin, excluded_too=True)
            console.print(Text("\n".join(origin_lines(book, explain_origin))))
            return
        book = load_rulebook(rulebook)
        if name is None or (name not in book.by_id and _is_rulebook(name)):
            summarised = book if name is None else load_rulebook(name)
            console.print(Text("\n".join(summary_lines(summarised))))
            return
        descriptor = _descriptor_or_fail(book, name)
        age = descriptor.age.model_dump(exclude_none=True) if descriptor.age else "any age, born or unborn"
        body = "\n".join(
            [
                f"level:    {book.label(descriptor.level)} ({descriptor.level.value})",
                f"tier:     {descriptor.tier.value}",
                f"origin:   {descriptor.origin.kind} (needs rules show {book.id} --explain-origin {descriptor.id})",
                f"domain:   {book.domains[descriptor.domain].label} ({descriptor.domain})",
                f"text:     {descriptor.text}",
                f"when:     {descriptor.applies.condition.text}",
                f"age:      {age}",
                f"red flag: {'yes' if descriptor.red_flag else 'no'}; floor: {'yes' if descriptor.floor else 'no'}",
                f"source:   {descriptor.source}",
                f"defined:  {descriptor.file}:{descriptor.line}",
            ]
        )
        console.print(Panel(Text(body), title=descriptor.id, title_align="left"))

    guarded(run, hint="needs rules show --help")


def _is_rulebook(name: str) -> bool:
    """Whether `name` names a rulebook (a shipped id, or a path to one)."""
    from ..errors import RulebookError
    from ..rulebook.load import locate

    try:
        locate(name)
    except RulebookError:
        return False
    return True


def _descriptor_or_fail(book, descriptor_id: str, *, excluded_too: bool = False):  # type: ignore[no-untyped-def]
    """The descriptor `descriptor_id` of `book`, or an InputError naming the closest id."""
    import difflib

    from ..errors import InputError, Problem

    descriptor = book.by_id.get(descriptor_id)
    if descriptor is None and not (excluded_too and any(e.descriptor == descriptor_id for e in book.excluded)):
        close = difflib.get_close_matches(descriptor_id, list(book.by_id), n=1)
        raise InputError([Problem("ID", f"no descriptor '{descriptor_id}' in {book.id}", suggestion=close[0] if close else None)])
    return descriptor


def _register_commands() -> None:
    """Import the command modules, each registering its commands: every one, or only those the
    entry point chose (`needs_engine.cli.main`, `COMMAND_MODULES` there)."""
    import importlib

    from . import COMMAND_MODULES, wanted

    for module in COMMAND_MODULES if wanted is None else wanted:
        importlib.import_module(f"{__package__}.{module}")


_register_commands()


def main() -> None:
    """Run `needs` with the commands registered (the console entry point is `needs_engine.cli.main`)."""
    app()
