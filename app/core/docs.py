"""The interactive docs, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served from the copies
the fastapi-offline package installs: a branch office behind a firewall sees them too, and the
pages load nothing from anywhere but this server."""

import base64
import hashlib
import os
import re
from importlib.metadata import version

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.staticfiles import PathLike
from starlette.types import Scope

# The files change only with the package's version, which is in their path: a browser keeps
# them for a year and never asks again.
ASSETS = f"/docs/assets/{version('fastapi-offline')}"
CACHE_FOREVER = "public, max-age=31536000, immutable"


class Assets(StaticFiles):
    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHE_FOREVER
        return response


def _inline_scripts(html: str) -> str:
    """CSP hashes of the page's inline scripts (FastAPI writes Swagger UI's start-up call
    inline): exactly those run, and nothing injected."""
    blocks = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in blocks
    )


# Only this server's files and the document; images also as data: URIs (both UIs draw their
# icons so). ReDoc styles itself with <style> blocks it writes at run time (styled-components),
# so its page allows inline styles, as the portfolio page does; its search runs in a worker made
# from a blob. Its sidebar credit, an image on Redocly's CDN, is refused like anything else.
SWAGGER_POLICY = (
    "default-src 'none'; script-src 'self' {scripts}; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
REDOC_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def install_docs(app: FastAPI) -> None:
    """Serve the two pages and their assets; the app must be made with ``docs_url=None`` and
    ``redoc_url=None`` (FastAPI's own pages load from a CDN)."""
    assert app.openapi_url is not None
    app.mount(ASSETS, Assets(packages=[("fastapi_offline", "static")]), name="docs-assets")
    swagger = bytes(
        get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        ).body
    ).decode()
    redoc = bytes(
        get_redoc_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        ).body
    ).decode()
    swagger_policy = SWAGGER_POLICY.format(scripts=_inline_scripts(swagger))

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger, headers={"Content-Security-Policy": swagger_policy})

    @app.get("/redoc", include_in_schema=False)
    def redoc_ui() -> HTMLResponse:
        return HTMLResponse(redoc, headers={"Content-Security-Policy": REDOC_POLICY})
