"""Counted nouns in output: "1 error", "2 errors", "1 question".

Every count a person reads goes through `plural`, so no message says "1 errors" or hedges with
"error(s)". It lives outside render/ because plain-text output (replay, the HTTP problem
details, lint and scenario summaries) counts things too, and none of those need rich.
"""

from __future__ import annotations

from typing import Optional

_IRREGULAR = {"child": "children", "family": "families", "household": "households"}
"""Nouns whose plural is not the noun plus "s" (only those the output counts)."""


def plural(count: int, noun: str, many: Optional[str] = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is exactly one.

    >>> plural(1, "error"), plural(2, "error"), plural(0, "question"), plural(3, "child")
    ('1 error', '2 errors', '0 questions', '3 children')
    >>> plural(1_500, "row")
    '1,500 rows'

    `many` gives the plural when it is neither the noun plus "s" nor a known irregular one.
    """
    if count == 1:
        return f"{count:,} {noun}"
    return f"{count:,} {many or _IRREGULAR.get(noun, noun + 's')}"
