"""The one error panel a command prints on stderr when it cannot do what was asked."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from ..formats.text import terminal_safe
from .text import longest_word


def print_failure(message: str, *, hint: str) -> None:
    """Print one error panel on stderr, titled "Error", with a "Try 'HINT'" subtitle."""
    message = terminal_safe(message)
    console = Console(stderr=True)
    # Lines wrap between words, never inside one: a `file:line` location longer than the
    # terminal widens the panel rather than being split (`situa` / `tion.yaml:3`).
    console.width = max(console.width, longest_word(message) + 4)
    console.print(Panel(Text(message), title="Error", title_align="left", border_style="red", subtitle=f"Try '{hint}'"))
