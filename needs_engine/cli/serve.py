"""`needs serve`: run the HTTP service (service/server.py runs it under uvicorn; FastAPI and
uvicorn are imported only there, when this command runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import fail, guarded

app = typer.Typer()


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve assessments over HTTP (JSON in, JSON out; OpenAPI at /openapi.json, docs at /docs)."""
    try:
        from ..service.server import loaded_rulebooks, run_server
    except ImportError as exc:
        raise fail(
            f"needs serve needs FastAPI and uvicorn, which are not installed ({exc.name} is missing).\n"
            "Install them with: pip install 'needs-engine[serve]'",
            hint="needs serve --help",
        ) from None
    # Load every shipped rulebook now: a broken one stops the server here, not on a request.
    guarded(loaded_rulebooks, hint="needs serve --help")
    if not run_server(host, port):
        raise fail(
            f"cannot listen on {host}:{port}; the log line above says why (a port in use, an unknown host)",
            hint="needs serve --help",
        )
