"""`needs serve`: run the HTTP service under uvicorn (FastAPI and uvicorn imported only here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from .options import fail, guarded

app = typer.Typer()


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


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve assessments over HTTP (JSON in, JSON out; OpenAPI at /openapi.json, docs at /docs)."""
    try:
        import uvicorn

        from ..service.app import create_app
        from ..service.protocol import HeadTimeoutProtocol
        from ..service.rulebooks import reload_rulebooks
    except ImportError as exc:
        raise fail(
            f"needs serve needs FastAPI and uvicorn, which are not installed ({exc.name} is missing).\n"
            "Install them with: pip install 'needs-engine[serve]'",
            hint="needs serve --help",
        ) from None
    # Load every shipped rulebook now: a broken one stops the server here, not on a request.
    guarded(_load_shipped_rulebooks, hint="needs serve --help")
    _reload_on_sighup(reload_rulebooks)
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
        raise fail(
            f"cannot listen on {host}:{port}; the log line above says why (a port in use, an unknown host)",
            hint="needs serve --help",
        ) from None


def _load_shipped_rulebooks() -> None:
    from ..service.rulebooks import loaded_rulebooks

    loaded_rulebooks()


def _reload_on_sighup(reload: Callable[[], None]) -> None:
    """`kill -HUP` re-reads the shipped rulebooks; a rulebook that no longer loads is logged and
    the loaded ones are kept."""
    import logging
    import signal

    def on_hup(signum: int, frame: object) -> None:
        try:
            reload()
            logging.getLogger("needs_engine.service").info("rulebooks reloaded")
        except Exception as exc:  # noqa: BLE001 - keep serving with the rulebooks already loaded
            logging.getLogger("needs_engine.service").error("rulebooks not reloaded: %s", type(exc).__name__)

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hup)
