"""Errors the engine raises, each carrying enough to point a person at the problem.

`InputError` is bad input (a situation or an override); `RulebookError` is a rulebook that
does not load; both collect every problem found before raising, so an author sees them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

QUOTE_LIMIT = 80
"""The most characters of a bad value any message quotes (a value can be long, or personal)."""


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text`, cut to at most `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (`loc`), what (`msg`), and what was found and expected."""

    loc: str
    msg: str
    code: str = "invalid"
    found: Optional[str] = None
    expected: Optional[str] = None
    suggestion: Optional[str] = None

    def __str__(self) -> str:
        parts = [f"{self.loc}: {self.msg}" if self.loc else self.msg]
        if self.found is not None:
            parts.append(f"found {self.found}")
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.suggestion is not None:
            parts.append(f"did you mean '{self.suggestion}'?")
        return "; ".join(parts)


def unknown_name(loc: str, msg: str, name: str, known: Iterable[str], *, expected: Optional[str] = None) -> Problem:
    """A problem for `name`, which names nothing in `known`, suggesting the closest name that does."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return Problem(loc, msg, code="reference", expected=expected, suggestion=close[0] if close else None)


class NeedsError(Exception):
    """Base of every error needs-engine raises on purpose."""

    exit_code = 2
    """What the CLI exits with: 2, bad input, unless a subclass says otherwise."""

    def __init__(self, problems: list[Problem], *, source: Optional[str] = None) -> None:
        self.problems = problems
        self.source = source
        super().__init__(self.describe())

    def describe(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems"] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class EnvironmentFault(NeedsError):
    """The machine, not the input, stopped the work: a full disk, a file that cannot be written.

    The CLI exits 1 for it (as for an internal error: the input was not at fault) with a message
    naming the file and the operating system's reason, not "this is a bug".
    """

    exit_code = 1

    @classmethod
    def of(cls, path: object, exc: OSError, *, doing: str = "write") -> EnvironmentFault:
        reason = exc.strerror or type(exc).__name__
        return cls([Problem(str(path), f"cannot {doing} the file: {reason}", code="os_error")])


class InputError(NeedsError):
    """A situation, or a request about one, that cannot be assessed as given."""


class RulebookError(NeedsError):
    """A rulebook that does not load: bad YAML, unknown keys, bad conditions, broken references."""


@dataclass
class ConditionError(Exception):
    """A condition that does not parse or check; the rulebook loader adds file and line."""

    msg: str
    text: str
    col: Optional[int] = None
    suggestion: Optional[str] = None
    found: Optional[str] = None
    expected: Optional[str] = None
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f" (column {self.col + 1})" if self.col is not None else ""
        return f"{self.msg}{where} in: {self.text}"
