"""GraphQL area: history (docs/HISTORY.md). The root schema merges QUERIES and MUTATIONS."""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.history.exports import ROUTES as EXPORT_ROUTES
from api.history.schema import HistoryQuery
from api.history.series import SeriesQuery

QUERIES: list[type] = [HistoryQuery, SeriesQuery]
MUTATIONS: list[type] = []
ROUTES: list[BaseRoute] = [*EXPORT_ROUTES]
