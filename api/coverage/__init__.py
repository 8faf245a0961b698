"""GraphQL area: coverage. The root schema merges QUERIES and MUTATIONS; the app mounts ROUTES.

Coverage matrices, under-engaged cells, trends, stakeholder gaps and unengaged Member States
(``queries``), need weights (``mutations``), and the CSV/JSON exports for BI tools
(``exports``). The analytics live in :mod:`analytics.coverage`; docs/COVERAGE.md explains the
metrics and the protection of small counts.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.coverage.exports import ROUTES as EXPORT_ROUTES
from api.coverage.mutations import CoverageMutation
from api.coverage.queries import CoverageQuery
from api.coverage.responses import CoverageResponses

QUERIES: list[type] = [CoverageQuery]
MUTATIONS: list[type] = [CoverageMutation]
ROUTES: list[BaseRoute] = [*EXPORT_ROUTES]
#: Schema extensions of the area (api/schema.py adds them to the schema).
EXTENSIONS: list[type] = [CoverageResponses]
