"""Errors as RFC 9457 problem documents (`application/problem+json`), naming every field that is
wrong and never quoting a traceback: the exception handlers the application installs, and
`problem()`, which the gate and the routes use to answer the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Optional

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import InputError, Problem
from ..plural import plural
from .wire import FieldError, ProblemDetails

if TYPE_CHECKING:
    from ..formats.yamlfile import YAMLProblem

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, title: str, detail: str, *, kind: str = "about:blank", errors: Optional[list[FieldError]] = None
) -> JSONResponse:
    body = ProblemDetails(type=kind, title=title, status=status, detail=detail, errors=errors or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON)


class BodyProblem(HTTPException):
    """A request body the one reader refused (raised from inside FastAPI's body parsing, which
    passes HTTPExceptions through): 400 for text that is not JSON, 422 for JSON it will not
    misread (a repeated key, a number too long, nesting too deep), with the field path."""

    def __init__(self, refused: YAMLProblem) -> None:
        self.refused = refused
        status = 400 if refused.problem.code in ("not_json", "encoding") else 422
        super().__init__(status, refused.problem.msg)


def _field_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    from ..model.fields import allowed_keys

    found = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        where = loc[1:] if loc and loc[0] in ("body", "path", "query") else loc
        expected = _expected(error)
        if error.get("type") == "extra_forbidden" and where[:1] == ("situation",):
            expected = allowed_keys(where[1:])
        found.append(
            FieldError(
                field=".".join(str(part) for part in where) or "body",
                message=str(error.get("msg", "invalid")),
                expected=str(expected) if expected is not None else None,
                code=str(error.get("type", "invalid")),
            )
        )
    return found


def _expected(error: Mapping[str, Any]) -> Optional[str]:
    """What the field should hold, in words: pydantic's own phrase after 'should'."""
    kind, message = error.get("type"), str(error.get("msg", ""))
    if kind == "missing":
        return "a value: this field is required"
    if kind == "extra_forbidden":
        return "no such field here"
    context = error.get("ctx") or {}
    if "expected" in context:
        return str(context["expected"])
    for marker in (" should be ", " should "):
        if marker in message:
            return message.split(marker, 1)[1]
    return None


def _problem_errors(problems: list[Problem]) -> list[FieldError]:
    return [FieldError(field=p.loc, message=p.msg, expected=p.expected, code=p.code) for p in problems]


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc.errors())
    if any(error.code == "json_invalid" for error in errors):
        return problem(
            400, "Malformed JSON", "the request body is not valid JSON", kind="urn:needs-engine:problem:malformed-json"
        )
    fields = ", ".join(sorted({error.field for error in errors}))
    return problem(
        422,
        "Invalid request",
        f"{plural(len(errors), 'problem')} in: {fields}",
        kind="urn:needs-engine:problem:invalid-input",
        errors=errors,
    )


async def on_input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return problem(
        422,
        "Invalid request",
        exc.describe(),
        kind="urn:needs-engine:problem:invalid-input",
        errors=_problem_errors(exc.problems),
    )


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, BodyProblem):
        if exc.status_code == 400:
            return problem(400, "Malformed JSON", exc.refused.problem.msg, kind="urn:needs-engine:problem:malformed-json")
        field = exc.refused.field or "body"
        return problem(
            422,
            "Invalid request",
            exc.refused.problem.msg,
            kind="urn:needs-engine:problem:invalid-input",
            errors=[FieldError(field=field, message=exc.refused.problem.msg, code=exc.refused.problem.code)],
        )
    title = HTTPStatus(exc.status_code).phrase
    response = problem(exc.status_code, title, str(exc.detail) if exc.detail else title)
    if exc.headers:
        response.headers.update(exc.headers)
    return response
