"""The four-step Continuum of Need scale shared by every rulebook.

Rulebooks supply their own labels (Knowsley's Thrive names, St Helens' Levels 1-4);
the canonical ids below are what the engine compares.
"""

from __future__ import annotations

from enum import Enum


class Level(str, Enum):
    """A level of need, ordered from least to most serious."""

    _rank: int

    universal = "universal"
    early_help = "early_help"
    targeted = "targeted"
    safeguarding = "safeguarding"

    @property
    def rank(self) -> int:
        """Position on the continuum: 0 for universal up to 3 for safeguarding."""
        return self._rank

    def step(self, by: int) -> Level:
        """The level `by` steps up (positive) or down (negative), clamped to the scale."""
        return LEVELS[max(0, min(len(LEVELS) - 1, self.rank + by))]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self._rank < other._rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self._rank <= other._rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self._rank > other._rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Level):
            return NotImplemented
        return self._rank >= other._rank


LEVELS: tuple[Level, ...] = tuple(Level)
# Held on each member, so comparing levels (the engine's inner loop) is an attribute read, not a dict lookup.
for _position, _level in enumerate(LEVELS):
    _level._rank = _position
