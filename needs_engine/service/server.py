"""Running the HTTP service under uvicorn, for `needs serve`.

uvicorn and FastAPI are imported here at the top, so importing this module is what fails when the
`serve` extra is not installed: the command catches that ImportError and says how to install them.
"""

from __future__ import annotations

from typing import Any

import uvicorn

from .app import create_app
from .protocol import HeadTimeoutProtocol
from .rulebooks import loaded_rulebooks, reload_rulebooks

__all__ = ["loaded_rulebooks", "log_config", "run_server"]

STARTUP_FAILURE = 3
"""uvicorn's exit status when the server cannot start (it cannot bind the host and port)."""
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_config() -> dict[str, Any]:
    """Logging for the server: uvicorn's own messages and needs-engine's one line per request
    (method, path, status). uvicorn's access log is off: its lines carry client addresses and
    query strings, and nothing about a request beyond method, path and status belongs in a log."""
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": LOG_FORMAT}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "needs_engine": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }


def run_server(host: str, port: int) -> bool:
    """Serve on `host`:`port` until stopped (`kill -HUP` re-reads the shipped rulebooks meanwhile).

    Returns False when uvicorn could not start, having logged why (a port in use, an unknown
    host), so the caller can say so in its own words; any other exit is passed on."""
    _reload_on_sighup()
    try:
        uvicorn.run(
            create_app(),
            host=host,
            port=port,
            access_log=False,
            log_config=log_config(),
            server_header=False,
            http=HeadTimeoutProtocol,
            timeout_keep_alive=5,
        )
    except SystemExit as exc:
        if exc.code != STARTUP_FAILURE:
            raise
        return False
    return True


def _reload_on_sighup() -> None:
    """`kill -HUP` re-reads the shipped rulebooks; a rulebook that no longer loads is logged and
    the loaded ones are kept."""
    import logging
    import signal

    def on_hup(signum: int, frame: object) -> None:
        try:
            reload_rulebooks()
            logging.getLogger("needs_engine.service").info("rulebooks reloaded")
        except Exception as exc:  # noqa: BLE001 - keep serving with the rulebooks already loaded
            logging.getLogger("needs_engine.service").error("rulebooks not reloaded: %s", type(exc).__name__)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hup)
