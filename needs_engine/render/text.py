"""Plain-text helpers every human format shares: the longest word of a line, and check lines.

Making free text from the input safe to show is `formats/text.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.assessment import Check


def longest_word(text: str) -> int:
    """The length of the longest run of non-space characters in `text` (0 for none)."""
    return max((len(word) for word in text.split()), default=0)


def check_lines(checks: Sequence[Check]) -> list[str]:
    """Each check as the line every human format shows first: "check: <subject>: <message>"."""
    return [f"check: {check.subject}: {check.message}" for check in checks]
