"""How a command runs and fails, and what `needs assess` does, without typer.

`app.py` declares the commands to typer; what a command does once its options are read, and how
its errors become one panel on stderr and an exit status, is here, so the entry point can run a
plainly written `needs assess FILE` without importing typer, click and pydantic's option
adapters first (`quick.py`, issue 16 section 4). Both ways call the same functions below.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TypeVar

from ..errors import NeedsError
from ..model.levels import Level

if TYPE_CHECKING:  # loaded with the engine a command runs, not before
    from pydantic import BaseModel

    from ..model.assessment import Assessment
    from ..model.situation import Situation
    from ..rulebook.book import Rulebook

T = TypeVar("T")

BROKEN_PIPE_EXIT = 141
"""The exit status when the reader of stdout goes away (`needs ... | head -1`): 128 + SIGPIPE,
as the shell reports for `cat` in the same place, so a cut-short output never looks complete."""


class OutputFormat(str, Enum):
    rich = "rich"
    json = "json"
    markdown = "markdown"
    html = "html"


DEFAULT_FORMAT = OutputFormat.rich
"""What `assess` and `explain` print when --format is not given: the view for a person at a terminal."""
DEFAULT_RULEBOOK = "knowsley"
"""The rulebook a command uses when --rulebook is not given: typer's default for every command's
option (`options.RulebookOption`), and `assess_command`'s for the command line `quick.py` reads."""


def print_failure(message: str, *, hint: str) -> None:
    """Print one error panel on stderr, titled "Error", with a "Try 'HINT'" subtitle (`render/failure.py`)."""
    from ..render.failure import print_failure as print_panel

    print_panel(message, hint=hint)


def stdout_gone() -> None:
    """Point stdout at /dev/null: what could not be written (a closed pipe, a full disk) is not
    tried again by the interpreter's final flush."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def rich_stopped_on_a_broken_pipe(exc: SystemExit) -> bool:
    """rich handles a closed stdout itself by raising SystemExit(1) from Console.on_broken_pipe."""
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code.co_name == "on_broken_pipe"


def guarded_as(
    action: Callable[[], T],
    *,
    hint: str,
    exit_with: Callable[[int], BaseException],
    passed_on: tuple[type[BaseException], ...],
) -> T:
    """Run `action`, turning expected errors into exit 2 and anything else into exit 1.

    A closed stdout is neither: it ends the command quietly with BROKEN_PIPE_EXIT. `exit_with`
    makes the exception that ends the command with a status (typer's Exit, or SystemExit when
    typer is not there); `passed_on` are raised as they are (typer's own exits, Ctrl-C).
    """
    try:
        result = action()
        sys.stdout.flush()  # a closed pipe shows here, not after the exit status is chosen
        return result
    except BrokenPipeError:
        stdout_gone()
        raise exit_with(BROKEN_PIPE_EXIT) from None
    except SystemExit as exc:
        if rich_stopped_on_a_broken_pipe(exc):
            stdout_gone()
            raise exit_with(BROKEN_PIPE_EXIT) from None
        raise
    except NeedsError as exc:
        print_failure(exc.describe(), hint=hint)
        raise exit_with(exc.exit_code) from None
    except passed_on:
        raise
    except OSError as exc:
        # The machine, not the input: a full disk, an unwritable output (see docs/usage.md). Files the
        # engine writes are named where they are written; an unnamed one is standard output.
        where = exc.filename if exc.filename is not None else "standard output"
        if exc.filename is None:
            stdout_gone()  # nothing more can be written there, not even the interpreter's last flush
        print_failure(f"{where}: cannot write or read it: {exc.strerror or type(exc).__name__}", hint=hint)
        raise exit_with(1) from None
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("NEEDS_DEBUG"):
            raise
        print_failure(
            f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in needs-engine; set NEEDS_DEBUG=1 to see the traceback.",
            hint=hint,
        )
        raise exit_with(1) from None


def assess_command(
    file: Path,
    rulebook: str = DEFAULT_RULEBOOK,
    output: OutputFormat = DEFAULT_FORMAT,
    override_level: Optional[Level] = None,
    reason: Optional[str] = None,
    by: Optional[str] = None,
    second_person: Optional[str] = None,
    full: bool = False,
    all_questions: bool = False,
    record: Optional[Path] = None,
    include_input: bool = False,
) -> None:
    """What `needs assess` does with its options read: assess, record if asked, and show the result.

    The defaults are the command's: typer's `assess` declares these same values, and `quick.py`
    passes only the options a command line gives."""
    from ..engine.assess import assess as assess_situation
    from ..errors import InputError, Problem
    from ..formats.inputs import read_situation
    from ..rulebook.load import load_rulebook

    situation = read_situation(file)
    book = load_rulebook(rulebook)
    override = None
    if override_level is not None:
        if not reason or len(reason.strip()) < 3:
            raise InputError([Problem("--reason", "an override needs a reason", expected="a sentence explaining the judgement")])
        override = {"level": override_level, "reason": reason.strip(), "by": by, "second_person": second_person}
    elif reason or second_person or by:
        raise InputError([Problem("--override-level", "--reason, --by and --second-person go with --override-level")])
    if include_input and record is None:
        raise InputError([Problem("--include-input", "--include-input goes with --record DIR")])
    result = assess_situation(situation, book, override=override)
    if record is not None:
        from ..workflows.records import make_record, write_record

        sys.stderr.write(
            f"decision record: {write_record(make_record(situation, result, include_input=include_input), record)}\n"
        )
    emit_assessment(result, book, output, all_questions, situation, full=full)


def write_json(result: BaseModel) -> None:
    """Write `result` (a pydantic model) on stdout as the indented JSON every command's `--format json` gives."""
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


def emit_assessment(
    result: Assessment, book: Rulebook, output: OutputFormat, all_questions: bool, situation: Situation, *, full: bool = False
) -> None:
    """Write an assessment on stdout in the format asked for (the rich view: one screen, or --full)."""
    if output is OutputFormat.json:
        write_json(result)
    elif output is OutputFormat.markdown:
        from ..render.markdown import assessment_markdown

        sys.stdout.write(assessment_markdown(result, book))
    elif output is OutputFormat.html:
        from ..render.html import record_html

        sys.stdout.write(record_html(result, book, situation))
    else:
        from ..render.console import console

        if full:
            from ..render.terminal import render_assessment

            render_assessment(result, book, console(), all_questions=all_questions)
        else:
            from ..render.summary import render_summary

            render_summary(result, book, console(), all_questions=all_questions)
