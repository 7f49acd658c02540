"""Three-valued (Kleene) logic: True, False, and None for unknown.

Kept apart so the rules are stated once: `and` is false if anything is false, `or` is true if
anything is true, otherwise unknown wins over the remaining value.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Optional

Truth = Optional[bool]


def kleene(values: Iterable[Truth], decisive: bool) -> Truth:
    """The one three-valued and/or loop: `decisive` False is `and`, True is `or`. Every evaluator
    that combines truth values (and, or, quantifiers, age bands) comes here."""
    unknown = False
    for value in values:
        if value is decisive:
            return decisive
        if value is None:
            unknown = True
    return None if unknown else not decisive


def all3(values: Iterable[Truth]) -> Truth:
    """Kleene conjunction."""
    return kleene(values, False)


def any3(values: Iterable[Truth]) -> Truth:
    """Kleene disjunction."""
    return kleene(values, True)


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
        at_low, at_high = COMPARISONS[op](self.low, bound), COMPARISONS[op](self.high, bound)
        if self.low == self.high:
            return at_low
        if op in ("==", "!="):
            inside = self.low <= bound <= self.high
            if not inside:
                return op == "!="
            return None
        return at_low if at_low == at_high else None


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
"""The comparison each operator of the condition language names (one table for counts, numbers and ordinals)."""
