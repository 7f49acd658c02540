"""The route class every operation uses: a JSON body is read by the one reader
(formats/yamlfile.py), never `json.loads`, and a body that is not JSON gets a 415.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Optional

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from .problems import BodyProblem, problem


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

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
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
