"""Serves the built web console (``web/`` → ``llmore/static/console``) with client-side routing.

Hashed files under ``/assets`` are cached for a year; every other non-API path returns
``index.html`` so React Router can handle deep links. Without a build, ``/`` explains how to
build the console and points at the API docs.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from llmore.deps import public

CONSOLE_DIR = Path(__file__).parent / "static" / "console"
API_PREFIXES = ("/api/", "/v1/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/metrics")

NOT_BUILT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>LLMore</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>LLMore is running</h1><p>The web console has not been built in this installation
(<code>make up</code> builds it from <code>web/</code>).</p>
<p>The API and its documentation are at <a href="/docs">/docs</a>.</p></body></html>"""


class ImmutableAssets(StaticFiles):
    """Static files whose names carry a content hash, so browsers may cache them forever."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[override]
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def mount_console(app: FastAPI, console_dir: Path = CONSOLE_DIR) -> None:
    """Register the console's asset mount and the SPA fallback route (registered last)."""
    index = console_dir / "index.html"
    assets = console_dir / "assets"
    if assets.is_dir():
        app.mount("/assets", ImmutableAssets(directory=assets), name="console-assets")

    @app.get("/{path:path}", include_in_schema=False)
    def console_page(path: str, request: Request, _: None = public()) -> object:
        if request.url.path.startswith(API_PREFIXES):
            raise StarletteHTTPException(404)
        candidate = (console_dir / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(console_dir.resolve()):
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(NOT_BUILT_PAGE)
