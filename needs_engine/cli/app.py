"""The `needs` command: assess a situation, look at rulebooks, print the schema.

Exit codes: 0 success, 2 bad input (one clear message on stderr, never a traceback),
1 internal error. stdout stays clean for --format json.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TypeVar

import typer

from ..errors import NeedsError
from ..model.levels import Level

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


class OutputFormat(str, Enum):
    rich = "rich"
    json = "json"
    markdown = "markdown"
    html = "html"


SituationFile = Annotated[
    Path, typer.Argument(metavar="FILE", help="A situation in YAML or JSON; - reads it from standard input.", show_default=False)
]
"""The situation argument of every command that reads one: one wording, and `-` everywhere."""


def stdin_once(**arguments: Path) -> None:
    """Refuse `-` for more than one of a command's files: standard input can be read only once, and
    the second reader would see an empty file and report that instead of the real mistake."""
    from ..errors import InputError, Problem
    from ..yamlfile import STDIN

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


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


def fail(message: str, *, code: int = 2, hint: str = "needs --help") -> typer.Exit:
    """Print one error panel on stderr and return the Exit to raise."""
    from rich.panel import Panel
    from rich.text import Text

    from ..render.text import longest_word, terminal_safe

    message = terminal_safe(message)
    console = _stderr_console()
    # Lines wrap between words, never inside one: a `file:line` location longer than the
    # terminal widens the panel rather than being split (`situa` / `tion.yaml:3`).
    console.width = max(console.width, longest_word(message) + 4)
    console.print(Panel(Text(message), title="Error", title_align="left", border_style="red", subtitle=f"Try '{hint}'"))
    return typer.Exit(code=code)


BROKEN_PIPE_EXIT = 141
"""The exit status when the reader of stdout goes away (`needs ... | head -1`): 128 + SIGPIPE,
as the shell reports for `cat` in the same place, so a cut-short output never looks complete."""


def _reader_gone() -> typer.Exit:
    """Stop quietly: point stdout at /dev/null so nothing (not even the final flush) writes to
    the closed pipe again, and exit with BROKEN_PIPE_EXIT."""
    _stdout_gone()
    return typer.Exit(code=BROKEN_PIPE_EXIT)


def _stdout_gone() -> None:
    """Point stdout at /dev/null: what could not be written (a closed pipe, a full disk) is not
    tried again by the interpreter's final flush."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _rich_stopped_on_a_broken_pipe(exc: SystemExit) -> bool:
    """rich handles a closed stdout itself by raising SystemExit(1) from Console.on_broken_pipe."""
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code.co_name == "on_broken_pipe"


def guarded(action: Callable[[], T], *, hint: str) -> T:
    """Run `action`, turning expected errors into exit 2 and anything else into exit 1.

    A closed stdout is neither: it ends the command quietly with BROKEN_PIPE_EXIT.
    """
    try:
        result = action()
        sys.stdout.flush()  # a closed pipe shows here, not after the exit status is chosen
        return result
    except BrokenPipeError:
        raise _reader_gone() from None
    except SystemExit as exc:
        if _rich_stopped_on_a_broken_pipe(exc):
            raise _reader_gone() from None
        raise
    except NeedsError as exc:
        raise fail(exc.describe(), code=exc.exit_code, hint=hint) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except OSError as exc:
        # The machine, not the input: a full disk, an unwritable output (see docs/usage.md). Files the
        # engine writes are named where they are written; an unnamed one is standard output.
        where = exc.filename if exc.filename is not None else "standard output"
        if exc.filename is None:
            _stdout_gone()  # nothing more can be written there, not even the interpreter's last flush
        raise fail(f"{where}: cannot write or read it: {exc.strerror or type(exc).__name__}", code=1, hint=hint) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("NEEDS_DEBUG"):
            raise
        raise fail(
            f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in needs-engine; set NEEDS_DEBUG=1 to see the traceback.",
            code=1,
            hint=hint,
        ) from None


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
    hint = "needs assess --help"

    def run() -> None:
        from ..engine.assess import assess as assess_situation
        from ..errors import InputError, Problem
        from ..inputs import read_situation
        from ..rulebook.load import load_rulebook

        situation = read_situation(file)
        book = load_rulebook(rulebook)
        override = None
        if override_level is not None:
            if not reason or len(reason.strip()) < 3:
                raise InputError(
                    [Problem("--reason", "an override needs a reason", expected="a sentence explaining the judgement")]
                )
            override = {"level": override_level, "reason": reason.strip(), "by": by, "second_person": second_person}
        elif reason or second_person or by:
            raise InputError([Problem("--override-level", "--reason, --by and --second-person go with --override-level")])
        if include_input and record is None:
            raise InputError([Problem("--include-input", "--include-input goes with --record DIR")])
        result = assess_situation(situation, book, override=override)
        if record is not None:
            from ..records import make_record, write_record

            sys.stderr.write(
                f"decision record: {write_record(make_record(situation, result, include_input=include_input), record)}\n"
            )
        _emit(result, book, output, all_questions, situation, full=full)

    guarded(run, hint=hint)


def _emit(result, book, output: OutputFormat, all_questions: bool, situation, *, full: bool = False) -> None:  # type: ignore[no-untyped-def]
    if output is OutputFormat.json:
        from .output import write_json

        write_json(result)
    elif output is OutputFormat.markdown:
        from ..render.markdown import assessment_markdown

        sys.stdout.write(assessment_markdown(result, book))
    elif output is OutputFormat.html:
        from ..render.html import record_html

        sys.stdout.write(record_html(result, book, situation))
    else:
        from rich.console import Console

        if full:
            from ..render.terminal import render_assessment

            render_assessment(result, book, Console(), all_questions=all_questions)
        else:
            from ..render.summary import render_summary

            render_summary(result, book, Console(), all_questions=all_questions)


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
