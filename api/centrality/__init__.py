"""GraphQL area: centrality. The root schema merges QUERIES and MUTATIONS; the app mounts ROUTES."""

from __future__ import annotations

from starlette.routing import BaseRoute

QUERIES: list[type] = []
MUTATIONS: list[type] = []
ROUTES: list[BaseRoute] = []
