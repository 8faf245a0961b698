"""Starlette routes for the GraphQL endpoint, GraphiQL and its local assets."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.schema import validate_document

from .view import GRAPHIQL_DIR, ContextGetter, GraphQLView

if TYPE_CHECKING:
    from graphql import GraphQLError
    from starlette.requests import Request
    from strawberry import Schema
    from strawberry.extensions import SchemaExtension

#: Where GraphiQL's files are served. ``index.html`` refers to these paths.
GRAPHIQL_ASSETS_PATH = "/graphiql"

CACHE_MAXSIZE = 256


class CacheInfo(NamedTuple):
    """Counters of a :class:`TextValidationCache` store, like ``functools.lru_cache``'s."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class _ValidationStore:
    """A thread-safe LRU map from validation key to validation errors."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            msg = f"maxsize must be at least 1, got {maxsize}"
            raise ValueError(msg)
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, list[GraphQLError]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def get(self, key: Hashable) -> list[GraphQLError] | None:
        with self._lock:
            errors = self._entries.get(key)
            if errors is None:
                self._misses += 1
            else:
                self._hits += 1
                self._entries.move_to_end(key)
            return errors

    def put(self, key: Hashable, errors: list[GraphQLError]) -> None:
        with self._lock:
            self._entries[key] = errors
            self._entries.move_to_end(key)
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self.maxsize, len(self._entries))


@functools.cache
def _validation_store(maxsize: int) -> _ValidationStore:
    return _ValidationStore(maxsize)


class TextValidationCache(ValidationCache):
    """Strawberry's ``ValidationCache``, keyed on the query text instead of the parsed document.

    Strawberry's version puts ``validate_document`` behind ``functools.lru_cache``, so its key
    holds the ``DocumentNode``: AST nodes are frozen dataclasses, hashed field by field through
    the whole tree on every request (about 15 us for a small query with a fragment, most of
    what a cache hit costs). The key here is (GraphQL schema, query text, validation rules): a
    ``str`` caches its hash and the rest hash by identity. The text determines the document
    (parse options only limit whether it parses at all), so the cached errors are the same.
    A document given without text (``query`` is None) is validated as Strawberry would.

    Like Strawberry's, the LRU store is process-wide per ``maxsize`` (extensions are made per
    request) and bounded, so unique query texts cannot grow memory at will.
    """

    def __init__(self, maxsize: int = CACHE_MAXSIZE) -> None:
        super().__init__(maxsize=maxsize)
        self.store = _validation_store(maxsize)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query, document = context.query, context.graphql_document
        if query is None or document is None:
            yield from super().on_validate()
            return
        gql_schema, rules = context.schema._schema, context.validation_rules
        key = (gql_schema, query, rules)
        errors = self.store.get(key)
        if errors is None:
            errors = validate_document(gql_schema, document, rules)
            self.store.put(key, errors)
        # A copy, so that whatever later changes this request's list leaves the cache alone.
        context.pre_execution_errors = list(errors)
        yield

    @classmethod
    def cache_info(cls, maxsize: int = CACHE_MAXSIZE) -> CacheInfo:
        """Hits, misses and size of the store shared by every instance of this ``maxsize``."""
        return _validation_store(maxsize).info()


def caching_extensions(maxsize: int = CACHE_MAXSIZE) -> list[Callable[[], SchemaExtension]]:
    """Extensions that cache parsed documents and validation results.

    Put them in the schema: ``strawberry.Schema(Query, extensions=[*caching_extensions()])``.
    Both caches are LRU-bounded (an unbounded cache keyed by query text would
    let clients grow memory at will) and shared process-wide per ``maxsize``.
    Factories, not instances: Strawberry deprecates shared instances.

    Strawberry's ``ParserCache`` is already keyed on the query text alone (a C
    ``lru_cache`` hit on a ``str``); validation uses :class:`TextValidationCache`.
    """
    return [lambda: ParserCache(maxsize=maxsize), lambda: TextValidationCache(maxsize=maxsize)]


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
