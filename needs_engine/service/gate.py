"""The gate every request passes before the application: a size limit on the body, a time
limit between its parts, one access-log line (method, path, status: never the body, which
describes a family) and a last-resort 500 that logs no request and no traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Optional

from .problems import problem

MAX_BODY_BYTES = 1_000_000
DRAIN_FACTOR = 8
BODY_TIMEOUT = 10.0
"""Seconds a client may take between two parts of a request body before it gets a 408."""
ACCESS_LOG = logging.getLogger("needs_engine.access")
ERROR_LOG = logging.getLogger("needs_engine.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


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
