"""`needs train`: a terminal quiz over a folder of scenarios, for trainers and learners."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import DEFAULT_RULEBOOK, RulebookOption, guarded

app = typer.Typer()


MAX_RETRIES = 3


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
        from rich.console import Console

        from ..errors import InputError, Problem
        from ..model.levels import Level
        from ..render.quiz import show_reveal, show_scenario, show_score
        from ..rulebook.load import load_rulebook
        from ..scenarios.library import load_scenarios
        from ..workflows.training import QUIT_WORDS, mark, parse_answer, quiz_order

        book = load_rulebook(rulebook)
        scenarios = quiz_order(load_scenarios(folder), seed=seed, count=count)
        if not scenarios:
            raise InputError([Problem(str(folder), "no scenario files found", expected="a folder of .yaml scenario files")])
        stream = _answers_stream(answers) if answers is not None else sys.stdin
        console = Console(highlight=False)
        # Show each answer read from a file or a pipe; a person typing sees their own.
        echo = answers is not None or not stream.isatty()
        items = []
        try:
            for number, scenario in enumerate(scenarios, 1):
                show_scenario(console, scenario, number, len(scenarios), book)
                level = None
                for _ in range(MAX_RETRIES):
                    console.print("Your level (1-4, or a name; q to stop): ", end="")
                    line = stream.readline()
                    if not line:
                        break
                    if echo:
                        console.print(line.strip(), markup=False)
                    if line.strip().lower() in QUIT_WORDS:
                        break
                    level = parse_answer(line, book)
                    if level is not None:
                        break
                    console.print(
                        f"'{line.strip()}' is not a level. Answer 1-4, or a name such as 'early help' or '{book.levels[Level.targeted].label}'.",
                        markup=False,
                    )
                if level is None:
                    console.print("Stopping here.")
                    break
                item = mark(scenario, level, book)
                items.append(item)
                show_reveal(console, item, book)
        finally:
            if answers is not None:
                stream.close()
        show_score(console, items, len(scenarios))

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
