"""What the command modules share: option and argument types, output formats, and how a command fails.

Every command module imports these from here, below `app.py`, so no command module imports the
module that composes them (`app.py` imports each of them, never the other way round).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from . import running
from .running import BROKEN_PIPE_EXIT, DEFAULT_FORMAT, DEFAULT_RULEBOOK, OutputFormat, write_json

if TYPE_CHECKING:  # pydantic loads with the models a command makes, not with `needs --help`
    from pydantic import BaseModel

    from ..render.console import Renderables

__all__ = [
    "BROKEN_PIPE_EXIT",
    "DEFAULT_FORMAT",
    "DEFAULT_RULEBOOK",
    "FormatOption",
    "OutputFormat",
    "RichOrJson",
    "RulebookOption",
    "SituationFile",
    "emit",
    "fail",
    "guarded",
    "stdin_once",
    "write_json",
]

T = TypeVar("T")
M = TypeVar("M", bound="BaseModel")

SituationFile = Annotated[
    Path, typer.Argument(metavar="FILE", help="A situation in YAML or JSON; - reads it from standard input.", show_default=False)
]
"""The situation argument of every command that reads one: one wording, and `-` everywhere."""

RulebookOption = Annotated[
    str, typer.Option("--rulebook", "-r", help="A shipped rulebook id (knowsley) or a path to a rulebook.")
]
"""`--rulebook/-r` of every command that reads one rulebook; its default is `DEFAULT_RULEBOOK`."""


class RichOrJson(str, Enum):
    rich = "rich"
    json = "json"


FormatOption = Annotated[RichOrJson, typer.Option("--format", "-f", help="rich (terminal) or json.")]


def emit(result: M, output: RichOrJson, renderables: Callable[[M], Renderables]) -> None:
    """Write `result` as JSON on stdout, or print its rich view (`renderables`, from render/)."""
    if output is RichOrJson.json:
        write_json(result)
        return
    from ..render.console import print_renderables

    print_renderables(renderables(result))


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
