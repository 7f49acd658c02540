"""`needs new` (an interview that writes a situation file) and `needs template` (a form)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .options import DEFAULT_RULEBOOK, RulebookOption, guarded

app = typer.Typer()


@app.command()
def new(
    file: Annotated[Path, typer.Argument(help="The situation file to write (YAML).", show_default=False)],
    continue_: Annotated[
        bool, typer.Option("--continue", help="Go on with a case saved before in FILE (its own comments are rewritten).")
    ] = False,
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
) -> None:
    """Write a situation file by answering questions: household, red flags, then what matters most.

    Each answer is saved at once and shows the level now and how high it could still go.
    "Don't know" and "Skip" are always there; the interview ends when no unknown can change
    any child's level, or when you choose "Stop and save".
    """

    def run() -> None:
        from ..errors import InputError, Problem
        from ..intake.interview import Interview, continue_document
        from ..intake.prompts import TerminalPrompts
        from ..render.console import PlainLines
        from ..rulebook.load import load_rulebook

        where = str(file)
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InputError(
                [
                    Problem(
                        "needs new",
                        "the interview needs a terminal to ask its questions",
                        expected="a terminal; for a form to fill in an editor, use: needs template > FILE",
                    )
                ]
            )
        if str(file) == "-":
            raise InputError([Problem("FILE", "needs new writes a file; '-' (standard input) cannot be written")])
        if continue_ and not file.is_file():
            raise InputError([Problem(where, "there is no saved case here to go on with", expected="a file needs new wrote")])
        if not file.parent.is_dir():
            raise InputError([Problem(where, "the folder to write this file in does not exist", expected="an existing folder")])
        if not continue_ and file.exists():
            raise InputError(
                [Problem(where, "this file already exists", expected="a new file name, or --continue to go on with it")]
            )
        book = load_rulebook(rulebook)
        interview = Interview(file, book, TerminalPrompts(PlainLines()))
        if continue_:
            interview.document = continue_document(file)
        interview.run(continuing=continue_)
        if file.exists():
            sys.stdout.write(f"Saved {file}. Next: needs assess {file}\n")
        else:
            sys.stdout.write("Stopped before anything was answered: no file written.\n")

    guarded(run, hint="needs new --help")


@app.command()
def template(
    children: Annotated[int, typer.Option("--children", min=1, max=20, help="How many children (c1, c2, ...).")] = 1,
    carers: Annotated[int, typer.Option("--carers", min=1, max=12, help="How many carers (a1, a2, ...).")] = 1,
) -> None:
    """Print a situation with every fact as `unknown`, each with its values explained: a form to fill in."""

    def run() -> None:
        from ..intake.template import form_yaml

        sys.stdout.write(form_yaml(children=children, carers=carers))

    guarded(run, hint="needs template --help")
