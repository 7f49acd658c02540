"""Turn pydantic validation errors on a situation into Problems a screener can act on:
the field path, the line in their file, what was found and what was expected."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import Problem, clip
from ..model.fields import allowed_keys
from .yamlfile import line_of

PERSONAL_FIELDS = frozenset({"name"})
"""Fields whose values are never quoted in a message, a batch error row or a problem document."""


def problems_from_validation(exc: ValidationError, document: Any = None, where: str = "") -> list[Problem]:
    """Turn pydantic errors into Problems naming the field path (and line, given the document)."""
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        dotted = ".".join(str(part) for part in loc)
        line = line_of(document, loc) if document is not None else None
        prefix = f"{where}:{line}" if where and line else where
        found = error.get("input")
        expected = None
        if error["type"] == "extra_forbidden":
            expected = allowed_keys(loc)
            msg = f"unknown field '{dotted}'"
        else:
            msg = f"{dotted}: {error['msg'].lower()}" if dotted else error["msg"].lower()
        # A name is personal data: never quoted. Any other value is quoted to at most 80 characters.
        personal = bool(loc) and loc[-1] in PERSONAL_FIELDS
        shown = None if personal or isinstance(found, (dict, list)) else clip(repr(found))
        problems.append(
            Problem(prefix, msg, code=error["type"], found=shown if error["type"] != "missing" else None, expected=expected)
        )
    return problems
