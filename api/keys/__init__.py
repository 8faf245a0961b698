"""GraphQL area: API keys, for admins. The root schema merges QUERIES and MUTATIONS.

Why keys can be managed over GraphQL as well as with ``partnernet keys``: on the embedded store
the server holds the file's single-writer lock, so the command line cannot reach the store
while it serves; an admin key (the first one made with the command line) manages the rest.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.keys.schema import KeyMutation, KeyQuery

QUERIES: list[type] = [KeyQuery]
MUTATIONS: list[type] = [KeyMutation]
ROUTES: list[BaseRoute] = []
