"""The built-in dashboard: its page at ``/`` and its built assets under ``/dashboard/``.

The dashboard is a static single-page app (TypeScript in ``dashboard/``, bundled by esbuild into
``api/static/dashboard/`` when ``npm ci`` runs). It reads everything through the public GraphQL
API with the key the user types into the page, so the page and its assets are served without
credentials (see ``api.access``): they hold no data.

Asset names carry a content hash (``app-XXXXXXXX.js``), so they are cached for a year; the page
itself is revalidated on every load, so a new build is picked up at once. A page the build has
not produced yet is a 503 that says how to build it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
    import os

    from starlette.requests import Request
    from starlette.types import Scope

DASHBOARD_DIR = Path(__file__).resolve().parent / "static" / "dashboard"
#: Where the assets are served; dashboard/build.mjs writes this prefix into the page.
ASSETS_PATH = "/dashboard"

# The dashboard talks to this origin only. Styles: echarts and sigma set element styles.
# Workers: the force-directed layout runs in a worker built from a blob.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
NOT_BUILT = (
    "The dashboard is not built: run `npm ci` (or `npm run build:dashboard`) in the "
    "repository root, then reload this page."
)
_HASHED = re.compile(r"-[A-Z0-9]{8}\.[A-Za-z0-9.]+$")
_MEDIA_TYPES = {".js": "text/javascript", ".map": "application/json", ".css": "text/css"}


class _Assets(StaticFiles):
    """StaticFiles with the dashboard's headers: long caching for hashed names, the CSP, and
    explicit media types (the platform's mimetypes table varies)."""

    async def check_config(self) -> None:
        """A dashboard not built yet is a 404 per asset (the page says how to build it), not
        the 500 StaticFiles answers for a missing directory."""
        if self.directory is not None and Path(self.directory).is_dir():
            await super().check_config()

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        name = Path(full_path).name
        media_type = _MEDIA_TYPES.get(Path(name).suffix)
        if media_type is not None:
            charset = "; charset=utf-8" if media_type != "application/json" else ""
            response.headers["content-type"] = f"{media_type}{charset}"
        response.headers["cache-control"] = (
            "public, max-age=31536000, immutable" if _HASHED.search(name) else "no-cache"
        )
        response.headers["x-content-type-options"] = "nosniff"
        response.headers["content-security-policy"] = CSP
        return response


def dashboard_routes(directory: Path = DASHBOARD_DIR) -> list[BaseRoute]:
    """``GET /`` (the page) and ``/dashboard/...`` (its assets), served without credentials."""

    async def page(request: Request) -> Response:
        index = directory / "index.html"
        try:
            html = index.read_text(encoding="utf-8")
        except FileNotFoundError:
            return PlainTextResponse(NOT_BUILT, status_code=503, headers={"Retry-After": "60"})
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": CSP,
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            },
        )

    return [
        Route("/", page, methods=["GET", "HEAD"], name="dashboard"),
        # check_dir=False: the app starts before the dashboard is built (the page says so).
        Mount(
            ASSETS_PATH,
            _Assets(directory=directory, check_dir=False),
            name="dashboard-assets",
        ),
    ]
