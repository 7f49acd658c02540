"""A descriptor's `source` as its citations: the one place that knows how a source is written."""

from __future__ import annotations


def split_citation(text: str) -> list[str]:
    """The `;`-separated citations of a source, leaving a `;` inside brackets alone.

    >>> split_citation("BUCKS-THR, Level 3 (a; b); WT2023, chapter 3")
    ['BUCKS-THR, Level 3 (a; b)', 'WT2023, chapter 3']
    """
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [part for part in parts if part]
