"""Three-valued (Kleene) logic: True, False, and None for unknown.

Kept apart so the rules are stated once: `and` is false if anything is false, `or` is true if
anything is true, otherwise unknown wins over the remaining value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

Truth = Optional[bool]


def all3(values: Iterable[Truth]) -> Truth:
    """Kleene conjunction."""
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            unknown = True
    return None if unknown else True


def any3(values: Iterable[Truth]) -> Truth:
    """Kleene disjunction."""
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def not3(value: Truth) -> Truth:
    return None if value is None else not value


@dataclass(frozen=True)
class Span:
    """How many of a set of conditions hold: at least `low`, at most `high` (unknowns undecided)."""

    low: int
    high: int

    @classmethod
    def of(cls, values: Iterable[Truth]) -> Span:
        low = high = 0
        for value in values:
            if value is True:
                low += 1
                high += 1
            elif value is None:
                high += 1
        return cls(low, high)

    def compare(self, op: str, bound: float) -> Truth:
        """Three-valued `count op bound`: decided only when every possible count agrees."""
        at_low, at_high = _OPS[op](self.low, bound), _OPS[op](self.high, bound)
        if self.low == self.high:
            return at_low
        if op in ("==", "!="):
            inside = self.low <= bound <= self.high
            if not inside:
                return op == "!="
            return None
        return at_low if at_low == at_high else None


_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
