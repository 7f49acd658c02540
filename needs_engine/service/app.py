"""The HTTP service: the library's assessment over JSON, for case-management systems.

`create_app()` builds the FastAPI application; `needs serve` runs it under uvicorn. Errors are
RFC 9457 problem documents (`application/problem+json`) naming every field that is wrong, never
a traceback. Request bodies are capped (`MAX_BODY_BYTES`, 413 beyond it) and never logged: the
only log line per request is method, path and status, because a situation describes a family.
Only shipped rulebooks can be named over HTTP, so a request can never make the server read a
file of its choosing.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal, Optional

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException

from .._version import __version__
from ..errors import InputError, Problem
from ..model.assessment import Assessment, Override
from ..model.glossary import describe
from ..model.levels import Level
from ..model.situation import Situation
from ..model.tiers import Tier
from ..plural import plural
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook, shipped_rulebooks
from ..workflows.records import DecisionRecord, make_record

MAX_BODY_BYTES = 1_000_000
DRAIN_FACTOR = 8
BODY_TIMEOUT = 10.0
"""Seconds a client may take between two parts of a request body before it gets a 408."""
PROBLEM_JSON = "application/problem+json"
ACCESS_LOG = logging.getLogger("needs_engine.access")
ERROR_LOG = logging.getLogger("needs_engine.service")
RULEBOOK_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# --- the wire models -------------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=describe)


class AssessRequest(_Wire):
    """What to assess, under which rulebook, and what to return besides the assessment."""

    situation: Situation
    rulebook: str = Field(default="knowsley", pattern=RULEBOOK_ID, description="A shipped rulebook id (see GET /v1/rulebooks).")
    override: Optional[Override] = Field(default=None, description="Professional judgement: the level to use instead.")
    record: bool = Field(default=False, description="Also return a decision record under 'record'.")
    include_input: bool = Field(default=False, description="Keep the situation in the decision record (needs record: true).")

    @model_validator(mode="after")
    def _input_goes_with_record(self) -> AssessRequest:
        if self.include_input and not self.record:
            raise ValueError("include_input needs record: true")
        return self


class AssessResponse(Assessment):
    """The assessment, exactly as the library gives it, plus the decision record when asked for."""

    record: Optional[DecisionRecord] = Field(default=None, description="Present only when the request had record: true.")


class LevelInfo(_Wire):
    level: Level
    label: str
    name: Optional[str] = None
    tiers: list[Tier] = Field(description="The response tiers the level covers in this rulebook, lowest first.")


class RulebookInfo(_Wire):
    id: str
    name: str
    version: str
    content_hash: str
    levels: list[LevelInfo]
    library: Optional[str] = Field(default=None, description="The common library it extends, as '<id> <version>'.")


class DescriptorInfo(_Wire):
    id: str
    level: Level
    tier: Tier = Field(description="The response tier it calls for in this rulebook.")
    domain: str
    text: str
    source: str
    origin: Literal["common", "overridden", "local"] = Field(
        description="The common library as written, the library changed by this rulebook's override, or the rulebook's own."
    )


class ServiceHealth(_Wire):
    """The service's liveness and the engine version it runs."""

    status: str
    engine_version: str


class FieldError(_Wire):
    field: str = Field(description="Dotted path of the field in the request, e.g. situation.household.children.0.age_months.")
    message: str
    expected: Optional[str] = None
    code: str


class ProblemDetails(_Wire):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


# --- problems --------------------------------------------------------------------------------


def problem(
    status: int, title: str, detail: str, *, kind: str = "about:blank", errors: Optional[list[FieldError]] = None
) -> JSONResponse:
    body = ProblemDetails(type=kind, title=title, status=status, detail=detail, errors=errors or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON)


def _field_errors(errors: Any) -> list[FieldError]:
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


def _expected(error: Any) -> Optional[str]:
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


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
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


async def _on_input_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InputError)
    return problem(
        422,
        "Invalid request",
        exc.describe(),
        kind="urn:needs-engine:problem:invalid-input",
        errors=_problem_errors(exc.problems),
    )


class BodyProblem(HTTPException):
    """A request body the one reader refused (raised from inside FastAPI's body parsing, which
    passes HTTPExceptions through): 400 for text that is not JSON, 422 for JSON it will not
    misread (a repeated key, a number too long, nesting too deep), with the field path."""

    def __init__(self, refused: Any) -> None:
        self.refused = refused
        status = 400 if refused.problem.code in ("not_json", "encoding") else 422
        super().__init__(status, refused.problem.msg)


class StrictRequest(Request):
    """A request whose JSON body is read by the one reader (formats/yamlfile.py), never json.loads."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            from ..formats.yamlfile import YAMLProblem, parse_bytes

            try:
                self._json = parse_bytes(await self.body(), where="body", syntax="json")
            except YAMLProblem as exc:
                raise BodyProblem(exc) from None
        return self._json


def _is_json(content_type: Optional[str]) -> bool:
    if content_type is None:
        return True  # FastAPI's default: a body without a type is read as JSON
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class StrictRoute(APIRoute):
    """Every route: bodies through the one reader, and 415 for a body that is not JSON."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        takes_body = self.body_field is not None

        async def strict(request: Request) -> Response:
            if takes_body and not _is_json(request.headers.get("content-type")):
                return problem(
                    415,
                    "Unsupported Media Type",
                    "the request body must be JSON (Content-Type: application/json)",
                    kind="urn:needs-engine:problem:unsupported-media-type",
                )
            return await handler(StrictRequest(request.scope, request.receive))

        return strict


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    from http import HTTPStatus

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


# --- the gate every request passes: size limit, access log, last-resort 500 ------------------


class Gate:
    """ASGI middleware: caps request bodies, logs method/path/status only, and turns any
    unexpected exception into a 500 problem without logging the request or a traceback."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], *, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = {"started": False}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                # Logged before the response goes out, so the line exists once the client has it.
                ACCESS_LOG.info("%s %s %s", scope["method"], scope["path"][:200], message["status"])
            await send(message)

        try:
            try:
                body_receive = await self._bounded(scope, receive)
            except TimeoutError:
                await self._send_problem(
                    send_logged, 408, "Request Timeout", f"the request body did not arrive within {BODY_TIMEOUT:g} s"
                )
                return
            if body_receive is None:
                await self._send_problem(
                    send_logged, 413, "Content Too Large", f"the request body is over {self.max_body:,} bytes"
                )
            else:
                await self.app(scope, body_receive, send_logged)
        except Exception as exc:  # noqa: BLE001 - the service's last line of defence
            # The type and where it was raised, never its message: a message can quote the input.
            frame = exc.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            place = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "?"
            ERROR_LOG.error("internal error %s at %s on %s %s", type(exc).__name__, place, scope["method"], scope["path"])
            if not state["started"]:
                await self._send_problem(
                    send_logged, 500, "Internal Server Error", "an internal error; this is a bug in needs-engine"
                )

    async def _bounded(self, scope: Scope, receive: Receive) -> Optional[Receive]:
        """Read the whole body (at most max_body bytes) and replay it; None if it is too large.

        An oversized body is still read (and dropped) up to DRAIN_FACTOR times the limit, so the
        client, still sending, gets the 413 rather than a broken connection.
        """
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body * DRAIN_FACTOR:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= self.max_body * DRAIN_FACTOR:
            # A slow body holds a connection and its buffer: each part must arrive in time.
            message = await asyncio.wait_for(receive(), BODY_TIMEOUT)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.max_body:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if size > self.max_body:
            return None
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    @staticmethod
    async def _send_problem(send: Send, status: int, title: str, detail: str) -> None:
        response = problem(status, title, detail)
        await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


# --- the application -------------------------------------------------------------------------

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    for status, description in (
        (400, "Malformed JSON."),
        (404, "No such resource (for example an unknown rulebook id)."),
        (408, f"The request body did not arrive within {BODY_TIMEOUT:g} s."),
        (413, f"The request body is over {MAX_BODY_BYTES:,} bytes."),
        (415, "The request body is not JSON."),
        (503, "Too many explanations are running: try again after `Retry-After` seconds."),
        (422, "The request does not validate: every wrong field is named in `errors`."),
        (500, "An internal error (a bug): no details are given."),
    )
}


_LOADED: dict[str, Rulebook] = {}
_LOADING = threading.Lock()


def loaded_rulebooks() -> dict[str, Rulebook]:
    """The shipped rulebooks, loaded once per process: a request never looks at the files.

    They are read again only by `reload_rulebooks()` (`needs serve` calls it on SIGHUP) or a restart.
    """
    if not _LOADED:
        with _LOADING:
            if not _LOADED:
                _LOADED.update({rulebook_id: load_rulebook(rulebook_id) for rulebook_id in shipped_rulebooks()})
    return _LOADED


def reload_rulebooks() -> None:
    """Read the shipped rulebooks again (all or nothing: a broken edit keeps the loaded ones)."""
    fresh = {rulebook_id: load_rulebook(rulebook_id) for rulebook_id in shipped_rulebooks()}
    with _LOADING:
        _LOADED.clear()
        _LOADED.update(fresh)


def _shipped_rulebook(rulebook_id: str) -> Optional[Rulebook]:
    return loaded_rulebooks().get(rulebook_id)


def shipped_rulebook(rulebook_id: str, field: str = "rulebook") -> Rulebook:
    """The shipped rulebook with this id, or an InputError naming the request `field` that gave it."""
    book = _shipped_rulebook(rulebook_id)
    if book is None:
        raise InputError(
            [
                Problem(
                    field,
                    f"no shipped rulebook called '{rulebook_id}'",
                    code="unknown_rulebook",
                    expected=", ".join(loaded_rulebooks()),
                )
            ]
        )
    return book


def create_app(*, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    """Build the service. Rulebooks load once per process and are shared by every request."""
    from .docs import add_docs

    api = FastAPI(
        title="needs-engine",
        version=__version__,
        summary="Place each child, and the family, on the Continuum of Need, and explain why.",
        description=API_DESCRIPTION,
        responses=PROBLEM_RESPONSES,
        docs_url=None,
        redoc_url=None,
    )
    api.router.route_class = StrictRoute
    api.add_exception_handler(RequestValidationError, _on_validation_error)
    api.add_exception_handler(InputError, _on_input_error)
    api.add_exception_handler(HTTPException, _on_http_error)
    _add_routes(api)
    add_docs(api)
    api.openapi = lambda: _openapi(api)  # type: ignore[method-assign]
    api.add_middleware(Gate, max_body=max_body)
    return api


API_DESCRIPTION = (
    "Decision support for children's services: it supports professional judgement, never replaces it.\n\n"
    "Every operation is under `/v1`. The first paths, without it (`/assess`, `/explain`, `/compare`, `/rulebooks`, "
    "`/rulebooks/{id}/descriptors`, `/schema/situation`, `/health`), still answer exactly as `/v1` does, with a "
    '`Link: <...>; rel="successor-version"` header; they are not listed here. An assessment carries '
    "`format_version`: within one major version fields are only added, never renamed, removed or retyped "
    "(docs/embedding.md, 'Versions')."
)


def _add_routes(api: FastAPI) -> None:
    """Every operation on one router, published under /v1 and, for the first paths, without it too."""
    from .versions import include_versions

    router = APIRouter(route_class=StrictRoute)
    _add_assessment_routes(router)
    # Imported here, not at the top: these routes use this module's helpers.
    from .changes import add_change_routes
    from .explanations import add_explanation_routes

    add_explanation_routes(router)
    add_change_routes(router)
    include_versions(api, router)
    # The explorer is a page, not part of the versioned API.
    from .explorer import router as explorer

    api.include_router(explorer)


def _add_assessment_routes(api: APIRouter) -> None:
    @api.post(
        "/assess",
        response_model=AssessResponse,
        tags=["assess"],
        operation_id="assess",
        summary="Assess one household",
    )
    def assess_household(request: AssessRequest) -> JSONResponse:
        """Assess one household: the same assessment JSON the library and `needs assess --format json` give."""
        from ..engine.assess import assess

        assessment = assess(request.situation, shipped_rulebook(request.rulebook), override=request.override)
        body = assessment.model_dump(mode="json")
        if request.record:
            record = make_record(request.situation, assessment, include_input=request.include_input)
            body["record"] = record.model_dump(mode="json")
        return JSONResponse(body)

    @api.get(
        "/rulebooks",
        response_model=list[RulebookInfo],
        tags=["rulebooks"],
        operation_id="list_rulebooks",
        summary="List the shipped rulebooks",
    )
    def rulebooks() -> list[RulebookInfo]:
        """The shipped rulebooks: id, name, version, content hash and level labels."""
        return [_rulebook_info(book) for book in loaded_rulebooks().values()]

    @api.get(
        "/rulebooks/{rulebook_id}/descriptors",
        response_model=list[DescriptorInfo],
        tags=["rulebooks"],
        operation_id="list_descriptors",
        summary="List a rulebook's descriptors",
    )
    def descriptors(rulebook_id: str = Path(max_length=64, description="A shipped rulebook id.")) -> list[DescriptorInfo]:
        """Every descriptor of a rulebook: id, level, tier, domain, text, source and origin."""
        book = _shipped_rulebook(rulebook_id)
        if book is None:
            raise HTTPException(404, f"no shipped rulebook called '{rulebook_id[:64]}'; see GET /rulebooks")
        return [
            DescriptorInfo(
                id=d.id, level=d.level, tier=d.tier, domain=d.domain, text=d.text, source=d.source, origin=d.origin.kind
            )
            for d in book.descriptors
        ]

    @api.get(
        "/schema/situation",
        response_model=dict[str, Any],
        tags=["schema"],
        operation_id="situation_schema",
        summary="The JSON Schema of a situation",
    )
    def situation_schema() -> dict[str, Any]:
        """The JSON Schema of a situation: every fact, its values and their definitions."""
        return Situation.model_json_schema()

    @api.get("/health", response_model=ServiceHealth, tags=["health"], operation_id="health", summary="Liveness")
    def health() -> ServiceHealth:
        """Liveness: the service is up."""
        return ServiceHealth(status="ok", engine_version=__version__)


def _rulebook_info(book: Rulebook) -> RulebookInfo:
    return RulebookInfo(
        id=book.id,
        name=book.name,
        version=book.version,
        content_hash=book.content_hash,
        levels=[
            LevelInfo(level=level, label=entry.label, name=entry.name, tiers=list(book.tiers_of(level)))
            for level, entry in sorted(book.levels.items())
        ],
        library=book.library,
    )


def _openapi(api: FastAPI) -> dict[str, Any]:
    """FastAPI's OpenAPI document plus the problem schema the error responses refer to."""
    if api.openapi_schema is None:
        document = get_openapi(
            title=api.title,
            version=api.version,
            summary=api.summary,
            description=api.description,
            routes=api.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem_schema.pop("$defs", {}))
        schemas["ProblemDetails"] = problem_schema
        # The situation exactly as `needs schema` prints it (FastAPI's own rendering drops, for
        # one, `default: null`), so an integrator validating against either validates alike.
        situation_schema = Situation.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(situation_schema.pop("$defs", {}))
        schemas["Situation"] = situation_schema
        from .examples import add_examples

        add_examples(document)
        api.openapi_schema = document
    return api.openapi_schema
