"""The HTTP service: the library's assessment over JSON, for case-management systems.

`create_app()` builds the FastAPI application from its parts; `needs serve` runs it under
uvicorn. Errors are RFC 9457 problem documents (problems.py) naming every field that is wrong,
never a traceback. Request bodies are capped (gate.py: `MAX_BODY_BYTES`, 413 beyond it) and never
logged. Only shipped rulebooks can be named over HTTP (rulebooks.py), so a request can never make
the server read a file of its choosing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException

from .._version import __version__
from ..errors import InputError
from ..model.situation import Situation
from .assessment import add_assessment_routes
from .changes import add_change_routes
from .docs import add_docs
from .examples import add_examples
from .explanations import add_explanation_routes
from .explorer import router as explorer
from .gate import BODY_TIMEOUT, MAX_BODY_BYTES, Gate
from .problems import PROBLEM_JSON, on_http_error, on_input_error, on_validation_error
from .strict import StrictRoute
from .versions import include_versions
from .wire import ProblemDetails

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

API_DESCRIPTION = (
    "Decision support for children's services: it supports professional judgement, never replaces it.\n\n"
    "Every operation is under `/v1`. The first paths, without it (`/assess`, `/explain`, `/compare`, `/rulebooks`, "
    "`/rulebooks/{id}/descriptors`, `/schema/situation`, `/health`), still answer exactly as `/v1` does, with a "
    '`Link: <...>; rel="successor-version"` header; they are not listed here. An assessment carries '
    "`format_version`: within one major version fields are only added, never renamed, removed or retyped "
    "(docs/embedding.md, 'Versions')."
)


def create_app(*, max_body: int = MAX_BODY_BYTES) -> FastAPI:
    """Build the service. Rulebooks load once per process and are shared by every request."""
    api = _Service(
        title="needs-engine",
        version=__version__,
        summary="Place each child, and the family, on the Continuum of Need, and explain why.",
        description=API_DESCRIPTION,
        responses=PROBLEM_RESPONSES,
        docs_url=None,
        redoc_url=None,
    )
    api.router.route_class = StrictRoute
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(InputError, on_input_error)
    api.add_exception_handler(HTTPException, on_http_error)
    _add_routes(api)
    add_docs(api)
    api.add_middleware(Gate, max_body=max_body)
    return api


class _Service(FastAPI):
    """The application, whose OpenAPI document also carries the problem schema and examples."""

    def openapi(self) -> dict[str, Any]:
        return _openapi(self)


def _add_routes(api: FastAPI) -> None:
    """Every operation on one router, published under /v1 and, for the first paths, without it too."""
    router = APIRouter(route_class=StrictRoute)
    add_assessment_routes(router)
    add_explanation_routes(router)
    add_change_routes(router)
    include_versions(api, router)
    # The explorer is a page, not part of the versioned API.
    api.include_router(explorer)


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
        add_examples(document)
        api.openapi_schema = document
    return api.openapi_schema
