"""Output shared by compare, review and coverage: a rich view for people, or JSON for programs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import BaseModel

if TYPE_CHECKING:
    from rich.console import RenderableType

M = TypeVar("M", bound=BaseModel)


class RichOrJson(str, Enum):
    rich = "rich"
    json = "json"


FormatOption = Annotated[RichOrJson, typer.Option("--format", "-f", help="rich (terminal) or json.")]


def emit(result: M, output: RichOrJson, renderables: Callable[[M], list[RenderableType]]) -> None:
    """Write `result` as JSON on stdout, or print its rich view."""
    if output is RichOrJson.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    from rich.console import Console

    Console().print(*renderables(result))
