"""uvicorn's HTTP/1.1 protocol with a deadline for the request head.

uvicorn (h11) closes an idle keep-alive connection, but a client that sends half a request line
or half its headers and then waits holds the connection, and its buffer, for ever: enough of them
and the server has no connections left. Here the whole head of every request must arrive within
`HEADER_TIMEOUT` seconds of its first byte (or of the connection opening); otherwise the
connection is closed. The body has its own per-part deadline in the service's Gate.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0


class HeadTimeoutProtocol(H11Protocol):
    """H11Protocol that closes a connection whose request head is not complete in time."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._head_deadline: Optional[asyncio.TimerHandle] = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._head_deadline is None and not self._in_request():
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self._in_request():
            self._disarm()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _in_request(self) -> bool:
        cycle = getattr(self, "cycle", None)
        return cycle is not None and not cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        handle = getattr(self, "_head_deadline", None)
        if handle is not None:
            handle.cancel()
        self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self._in_request() and not self.transport.is_closing():
            self.transport.close()
