"""GraphQL area: network. The root schema merges QUERIES and MUTATIONS; the app mounts ROUTES.

Node connections with filters (``queries``), and staff mutations (``mutations``). The node
types themselves and their navigation live in :mod:`api.nodes`, shared by every area.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.network.mutations import NetworkMutation
from api.network.queries import NetworkQuery

QUERIES: list[type] = [NetworkQuery]
MUTATIONS: list[type] = [NetworkMutation]
ROUTES: list[BaseRoute] = []
