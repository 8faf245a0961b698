"""GraphQL area: lineage. The root schema merges QUERIES and MUTATIONS; the app mounts ROUTES.

Outcome lineage, actor contributions, programme impact summaries and lineage issues
(``queries``), built on :mod:`analytics.lineage`. Links between outcomes are written through
the network area's ``linkOutcome`` mutation, whose integrity rules this area relies on.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.lineage.queries import LineageQuery

QUERIES: list[type] = [LineageQuery]
MUTATIONS: list[type] = []
ROUTES: list[BaseRoute] = []
