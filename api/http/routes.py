"""Starlette routes for the GraphQL endpoint, GraphiQL and its local assets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from .document_cache import check_caching
from .view import GRAPHIQL_DIR, ContextGetter, GraphQLView, ResponseCache

if TYPE_CHECKING:
    from starlette.requests import Request
    from strawberry import Schema

#: Where GraphiQL's files are served. ``index.html`` refers to these paths.
GRAPHIQL_ASSETS_PATH = "/graphiql"


def graphql_routes(
    schema: Schema,
    *,
    context_getter: ContextGetter | None = None,
    graphiql: bool = True,
    path: str = "/graphql",
    graphiql_dir: Path = GRAPHIQL_DIR,
    response_cache: ResponseCache | None = None,
    **view_options: Any,
) -> list[BaseRoute]:
    """Routes to add to a Starlette app: ``routes=[*graphql_routes(schema, context_getter=...)]``.

    - ``path`` (GET, POST; websocket for subscriptions): the GraphQL endpoint,
      and GraphiQL for a browser GET.
    - ``/graphiql/init.js`` and ``/graphiql/vendor/...``: GraphiQL's script and
      the bundles ``npm ci`` copies from npm (only when ``graphiql`` is true).

    ``response_cache`` wraps the execution of each operation sent over HTTP (see
    ``GraphQLView``); ``view_options`` go to ``GraphQLView`` (and from there to Strawberry's
    view). Raises ``ValueError`` if the schema lacks the document cache.
    """
    check_caching(schema)
    view = GraphQLView(
        schema,
        context_getter=context_getter,
        graphiql=graphiql,
        graphiql_dir=graphiql_dir,
        response_cache=response_cache,
        **view_options,
    )
    routes: list[BaseRoute] = [
        Route(path, view, name="graphql"),
        WebSocketRoute(path, view, name="graphql-ws"),
    ]
    if graphiql:
        init_js = graphiql_dir / "init.js"

        async def graphiql_init(request: Request) -> FileResponse:
            return FileResponse(init_js, media_type="text/javascript")

        routes += [
            Route(f"{GRAPHIQL_ASSETS_PATH}/init.js", graphiql_init, name="graphiql-init"),
            # check_dir=False: the app still starts before `npm ci` has run;
            # the GraphiQL page then explains what is missing.
            Mount(
                f"{GRAPHIQL_ASSETS_PATH}/vendor",
                StaticFiles(directory=graphiql_dir / "vendor", check_dir=False),
                name="graphiql-vendor",
            ),
        ]
    return routes
