"""The API's version in the path: every operation under `/v1`, and the first paths kept working.

The service was published without a version in its paths (`POST /assess`, ...). Case systems
already call those, and a redirect would not keep them working: most HTTP clients do not repeat a
POST body after a 301 or 302 (curl not at all without `-L`), so a redirected `POST /assess`
would fail, or silently become a GET. So the first paths stay, answered by the same handlers as
`/v1`, left out of the OpenAPI document (it lists each operation once, under `/v1`), and every
answer on them says where the operation now lives (`Link: </v1/...>; rel="successor-version"`,
RFC 5829). New operations exist only under `/v1`. A `/v2` would be a second router beside this.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

API_VERSION = "v1"
PREFIX = f"/{API_VERSION}"
FIRST_PATHS = frozenset(
    {"/assess", "/explain", "/compare", "/rulebooks", "/rulebooks/{rulebook_id}/descriptors", "/schema/situation", "/health"}
)
"""The paths published before the version was: kept, as aliases of their `/v1` operations."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def include_versions(api: FastAPI, router: APIRouter) -> None:
    """Publish `router` under /v1, and its first paths unversioned (hidden from the OpenAPI)."""
    api.include_router(router, prefix=PREFIX)
    first = APIRouter()
    first.routes.extend(route for route in router.routes if isinstance(route, APIRoute) and route.path in FIRST_PATHS)
    api.include_router(first, include_in_schema=False)
    patterns = [route.path_regex for route in first.routes if isinstance(route, APIRoute)]
    api.add_middleware(Successor, patterns=patterns)


class Successor:
    """ASGI middleware: an answer on an unversioned path names its /v1 successor in a Link header."""

    def __init__(self, app: ASGIApp, *, patterns: list[re.Pattern[str]]) -> None:
        self.app = app
        self.patterns = patterns

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path or not any(pattern.match(path) for pattern in self.patterns):
            await self.app(scope, receive, send)
            return
        link = f'<{PREFIX}{path}>; rel="successor-version"'.encode("latin-1", "replace")

        async def send_with_link(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"link", link)]
            await send(message)

        await self.app(scope, receive, send_with_link)
