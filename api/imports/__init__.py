"""Area: data import over HTTP (docs/DATA_FORMAT.md). No GraphQL fields: a data file is a
multipart upload, which GraphQL clients handle poorly, so the app mounts one route."""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.imports.upload import ROUTES as UPLOAD_ROUTES

QUERIES: list[type] = []
MUTATIONS: list[type] = []
ROUTES: list[BaseRoute] = [*UPLOAD_ROUTES]
