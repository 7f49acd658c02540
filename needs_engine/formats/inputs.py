"""Read a situation file (YAML or JSON) into a validated Situation, or one clear InputError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem
from ..model.situation import Situation
from .validation import problems_from_validation
from .yamlfile import Syntax, YAMLProblem, parse_text, read_file


def situation_from_document(document: Any, *, where: str) -> Situation:
    """Validate a parsed document as a Situation, naming `where`, the line and the field on failure."""
    if document is None:
        raise InputError([Problem(where, "the file is empty", code="empty", expected="a mapping with a 'household:' key")])
    if not isinstance(document, dict):
        raise InputError(
            [
                Problem(
                    where,
                    "the top level must be a mapping",
                    code="shape",
                    found=type(document).__name__,
                    expected="a mapping with a 'household:' key",
                )
            ]
        )
    try:
        return Situation.model_validate(document)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, document, where)) from None


def read_situation(path: Path) -> Situation:
    """Read and validate a situation file (`-` for stdin); JSON when its name ends in .json."""
    try:
        document = read_file(path)
    except YAMLProblem as exc:
        raise InputError([exc.problem]) from None
    return situation_from_document(document, where=str(path))


def read_situation_text(text: str, *, where: str = "<input>", syntax: Syntax = "yaml") -> Situation:
    """Parse and validate situation text: YAML, or JSON (strictly) with `syntax="json"`."""
    try:
        document = parse_text(text, where=where, syntax=syntax)
    except YAMLProblem as exc:
        raise InputError([exc.problem]) from None
    return situation_from_document(document, where=where)
