"""Starlette routes for the GraphQL endpoint, GraphiQL and its local assets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from strawberry.extensions import ParserCache, ValidationCache

from .view import GRAPHIQL_DIR, ContextGetter, GraphQLView

if TYPE_CHECKING:
    from starlette.requests import Request
    from strawberry import Schema
    from strawberry.extensions import SchemaExtension

#: Where GraphiQL's files are served. ``index.html`` refers to these paths.
GRAPHIQL_ASSETS_PATH = "/graphiql"

CACHE_MAXSIZE = 256


def caching_extensions(maxsize: int = CACHE_MAXSIZE) -> list[Callable[[], SchemaExtension]]:
    """Extensions that cache parsed documents and validation results.

    Put them in the schema: ``strawberry.Schema(Query, extensions=[*caching_extensions()])``.
    Both caches are LRU-bounded (an unbounded cache keyed by query text would
    let clients grow memory at will) and shared process-wide per ``maxsize``.
    Factories, not instances: Strawberry deprecates shared instances.
    """
    return [lambda: ParserCache(maxsize=maxsize), lambda: ValidationCache(maxsize=maxsize)]


def check_caching(schema: Schema) -> None:
    """Refuse a schema that would re-parse and re-validate every request.

    Parsing and validation are a large share of a small query's cost; the
    caches are a project requirement, so a missing one fails at startup
    rather than as a silent slowdown.
    """
    extensions = schema.get_extensions()
    missing = [
        cls.__name__
        for cls in (ParserCache, ValidationCache)
        if not any(isinstance(extension, cls) for extension in extensions)
    ]
    if missing:
        msg = (
            f"The GraphQL schema lacks the {' and '.join(missing)} extension(s); "
            "add `*api.http.caching_extensions()` to `strawberry.Schema(extensions=...)`."
        )
        raise ValueError(msg)


def graphql_routes(
    schema: Schema,
    *,
    context_getter: ContextGetter | None = None,
    graphiql: bool = True,
    path: str = "/graphql",
    graphiql_dir: Path = GRAPHIQL_DIR,
    **view_options: Any,
) -> list[BaseRoute]:
    """Routes to add to a Starlette app: ``routes=[*graphql_routes(schema, context_getter=...)]``.

    - ``path`` (GET, POST; websocket for subscriptions): the GraphQL endpoint,
      and GraphiQL for a browser GET.
    - ``/graphiql/init.js`` and ``/graphiql/vendor/...``: GraphiQL's script and
      the bundles ``npm ci`` copies from npm (only when ``graphiql`` is true).

    ``view_options`` go to ``GraphQLView`` (and from there to Strawberry's view).
    Raises ``ValueError`` if the schema lacks the caching extensions.
    """
    check_caching(schema)
    view = GraphQLView(
        schema,
        context_getter=context_getter,
        graphiql=graphiql,
        graphiql_dir=graphiql_dir,
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
