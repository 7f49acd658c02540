"""Output shared by the commands: a rich view for people, or JSON for programs."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from .running import write_json

if TYPE_CHECKING:  # pydantic loads with the models a command makes, not with `needs --help`
    from pydantic import BaseModel
    from rich.console import RenderableType

M = TypeVar("M", bound="BaseModel")


class RichOrJson(str, Enum):
    rich = "rich"
    json = "json"


FormatOption = Annotated[RichOrJson, typer.Option("--format", "-f", help="rich (terminal) or json.")]


def emit(result: M, output: RichOrJson, renderables: Callable[[M], list[RenderableType]]) -> None:
    """Write `result` as JSON on stdout, or print its rich view."""
    if output is RichOrJson.json:
        write_json(result)
        return
    from rich.console import Console

    Console().print(*renderables(result))
