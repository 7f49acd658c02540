"""`needs train`: a terminal quiz over a folder of scenarios, for trainers and learners."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import DEFAULT_RULEBOOK, RulebookOption, guarded

app = typer.Typer()


@app.command()
def train(
    folder: Annotated[Path, typer.Argument(help="A folder of scenario files.")] = Path("scenarios"),
    seed: Annotated[Optional[int], typer.Option("--seed", help="Shuffle with this seed: the same seed, the same order.")] = None,
    answers: Annotated[
        Optional[Path],
        typer.Option("--answers", help="Read answers from this file, one per line (otherwise from the keyboard or a pipe)."),
    ] = None,
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    count: Annotated[Optional[int], typer.Option("--count", min=1, help="Ask at most this many scenarios.")] = None,
) -> None:
    """Quiz yourself: read each scenario, name its level (1-4 or a name), and see the engine's reasons."""

    def run() -> None:
        from ..errors import InputError, Problem
        from ..render.quiz import run_quiz
        from ..rulebook.load import load_rulebook
        from ..scenarios.library import load_scenarios
        from ..workflows.training import quiz_order

        book = load_rulebook(rulebook)
        scenarios = quiz_order(load_scenarios(folder), seed=seed, count=count)
        if not scenarios:
            raise InputError([Problem(str(folder), "no scenario files found", expected="a folder of .yaml scenario files")])
        stream = _answers_stream(answers) if answers is not None else sys.stdin
        try:
            # Show each answer read from a file or a pipe; a person typing sees their own.
            run_quiz(scenarios, book, stream, echo=answers is not None or not stream.isatty())
        finally:
            if answers is not None:
                stream.close()

    guarded(run, hint="needs train --help")


def _answers_stream(path: Path) -> io.StringIO:
    """The answers file read and decoded before the first question, so a bad file is one clear
    error (exit 2) rather than a quiz that breaks half way. /dev/null and pipes are fine."""
    from ..errors import InputError, Problem

    expected = "a UTF-8 text file, one answer per line"
    if path.is_dir():
        raise InputError([Problem(str(path), "the answers file is a folder", expected=expected)])
    from ..formats.yamlfile import YAMLProblem, read_bounded

    try:
        raw = read_bounded(path, regular_only=False)
    except YAMLProblem as exc:
        raise InputError([exc.problem]) from None
    try:
        return io.StringIO(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), "the answers file is not UTF-8 text", expected=expected)]) from None
