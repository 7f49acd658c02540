"""The terminals the commands print to, and printing a command's rich view on one.

The command modules (cli/) never import rich: they ask here for the console a render function
draws on, or hand their view's parts here to be printed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from rich.console import Console

if TYPE_CHECKING:
    from rich.console import RenderableType

Renderables = list["RenderableType"]
"""A command's rich view: the parts printed one after another."""


def console(*, stderr: bool = False, highlight: bool = True) -> Console:
    """A console on stdout (or stderr), sized and coloured for the terminal as rich finds it."""
    return Console(stderr=stderr, highlight=highlight)


def print_renderables(parts: Renderables) -> None:
    """Print a command's view on stdout."""
    Console().print(*parts)


class PlainLines:
    """Lines on stdout printed as given: no markup read and nothing highlighted, since they carry
    what people typed (a `[` in an answer is text). The interview's `say` (intake/prompts.py)."""

    def __init__(self) -> None:
        self._console = Console(highlight=False)

    def say(self, text: str, *, style: Optional[str] = None) -> None:
        self._console.print(text, markup=False, style=style)
