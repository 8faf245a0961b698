"""GraphQL area: coverage. The root schema merges QUERIES and MUTATIONS; the app mounts ROUTES.

Coverage matrices, under-engaged cells, trends, stakeholder gaps and unengaged Member States
(``queries``), need weights (``mutations``), the CSV/JSON exports for BI tools (``exports``),
and the cache of whole coverage responses that api/app.py gives the HTTP view (``responses``).
The analytics live in :mod:`analytics.coverage`; docs/COVERAGE.md explains the metrics and the
protection of small counts.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.coverage.exports import ROUTES as EXPORT_ROUTES
from api.coverage.mutations import CoverageMutation
from api.coverage.queries import CoverageQuery

QUERIES: list[type] = [CoverageQuery]
MUTATIONS: list[type] = [CoverageMutation]
ROUTES: list[BaseRoute] = [*EXPORT_ROUTES]
