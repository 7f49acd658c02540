"""The interview's questions on a terminal, through questionary (and prompt_toolkit under it).

questionary draws the choice lists and text boxes, with each value's definition shown beneath
the highlighted choice; the red-flag grid is a small prompt_toolkit application (checklist.py).
Every list ends with "Don't know", "Skip" and "Stop and save", and every text box takes `?` for
don't know, an empty answer to skip and `stop` to finish, so each question can always be left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional, Protocol

from .checklist import Grid, ask_checklist
from .interview import DONT_KNOW, SKIP, STOP

_STOP_WORDS = ("stop", "quit", "q")


class Lines(Protocol):
    """Where the interview's own lines are printed: given by the caller (render/console.py's
    PlainLines), since the terminal's styles belong to render/, a layer above this one."""

    def say(self, text: str, *, style: Optional[str] = None) -> None: ...


class TerminalPrompts:
    """`Prompts` on a real terminal. Ctrl-C at any question stops the interview (answers are kept)."""

    def __init__(self, lines: Lines) -> None:
        self.lines = lines

    def say(self, text: str) -> None:
        self.lines.say(text)

    def count(self, message: str, *, low: int, high: int, default: int) -> Any:
        import questionary

        def check(typed: str) -> Any:
            typed = typed.strip()
            if typed.lower() in _STOP_WORDS or (typed.isascii() and typed.isdigit() and low <= int(typed) <= high):
                return True
            return f"a whole number from {low} to {high}"

        def valid(typed: str) -> Any:
            return True if not typed.strip() else check(typed)

        typed = questionary.text(message, validate=valid, instruction=f"({low} to {high}; Enter for {default})").ask()
        if typed is None or typed.strip().lower() in _STOP_WORDS:
            return STOP
        return int(typed) if typed.strip() else default

    def text(self, message: str, *, help: str, read: Callable[[str], Any]) -> Any:
        import questionary

        def check(typed: str) -> Any:
            if not typed.strip() or typed.strip().lower() in _STOP_WORDS:
                return True
            try:
                read(typed)
            except ValueError as exc:
                return str(exc)
            return True

        self.lines.say(f"  {help}; ? don't know · Enter skip · stop to finish", style="dim")
        typed = questionary.text(message, validate=check).ask()
        if typed is None or typed.strip().lower() in _STOP_WORDS:
            return STOP
        if not typed.strip():
            return SKIP
        return read(typed)

    def choose(self, message: str, options: list[tuple[Any, str, str]], *, help: str = "") -> Any:
        import questionary

        choices = [
            questionary.Choice(label, value=index, description=definition or None)
            for index, (_v, label, definition) in enumerate(options)
        ]
        choices += [
            questionary.Choice("Don't know", value="dont_know", description="Written as unknown: never read as no concern."),
            questionary.Choice("Skip", value="skip", description="Write nothing and go on."),
            questionary.Choice("Stop and save", value="stop", description="End the interview; everything answered is saved."),
        ]
        picked = questionary.select(message, choices=choices, instruction=f"({help})" if help else None).ask()
        if picked is None or picked == "stop":
            return STOP
        if picked == "skip":
            return SKIP
        if picked == "dont_know":
            return DONT_KNOW
        return options[picked][0]

    def checklist(self, grid: Grid) -> Optional[Grid]:
        try:
            return ask_checklist(grid)
        except KeyboardInterrupt:
            return None
