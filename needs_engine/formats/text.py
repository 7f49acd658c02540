"""Free text from the input (a reference, a name, an override's reason), made safe to show.

A reference or a name is whatever the screener, or a case-management system, typed: it may hold
terminal escape sequences or markup. The terminal gets it without control characters (so it
cannot move the cursor, recolour or retitle the window); Markdown gets it escaped (so `<script>`
or `**` is shown as written, not interpreted). HTML escapes with `html.escape` (`render/html.py`).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def terminal_safe(text: str) -> str:
    """`text` without control characters (tab and newline are kept)."""
    return _CONTROL.sub("", text)


def markdown_safe(text: str) -> str:
    """`text` as literal Markdown: control characters dropped, HTML and Markdown syntax escaped."""
    import html  # here, not at the top: the terminal view imports this module and needs no html (2 ms)

    return _MARKDOWN.sub(r"\\\1", html.escape(terminal_safe(text).replace("\n", " "), quote=False))
