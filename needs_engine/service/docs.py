"""`/docs` (Swagger UI) and `/redoc` (ReDoc) served from the package, so they work with no network.

FastAPI's own pages load their scripts and styles from a CDN (and Swagger UI asks an online
validator for a badge), so on a case system's closed network they are blank. These pages are
FastAPI's (its documented recipe for self-hosted docs assets), pointed at the copies of Swagger
UI and ReDoc that the `fastapi-offline` package ships (its `static/` folder: Swagger UI's bundle
and stylesheet, ReDoc's standalone bundle, a favicon), mounted under `/docs-assets`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",  # each page starts its viewer with an inline script
        "style-src 'self' 'unsafe-inline'",  # both viewers inject their styles
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",  # ReDoc's search runs in a worker made from a blob
        "connect-src 'self'",
        "frame-ancestors 'none'",
    )
)
"""The pages' Content-Security-Policy: the browser itself refuses anything from another host.

ReDoc's menu shows the Redocly logo from its CDN, unconditionally (hidden again if it fails to
load): without this policy every visit to /redoc would try the internet, telling an outside host
that someone is reading the docs; with it the browser never sends the request."""
ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")


def assets_folder() -> Path:
    """Where the installed fastapi-offline keeps Swagger UI and ReDoc (checked file by file in the tests)."""
    return Path(str(files("fastapi_offline") / "static"))


def add_docs(api: FastAPI) -> None:
    """Add /docs, /redoc and the assets they load; none of them is part of the OpenAPI document."""
    assert api.openapi_url is not None
    openapi_url = api.openapi_url
    api.mount(ASSETS_URL, StaticFiles(directory=assets_folder()), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _local_only(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{api.title} - Swagger UI",
                swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
                # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @api.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _local_only(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{api.title} - ReDoc",
                redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = PAGE_POLICY
    return page
