"""HTTP layer of the GraphQL API: GraphQL over HTTP compliant endpoint + offline GraphiQL.

Typical use in the Starlette app::

    from starlette.applications import Starlette
    from api.http import DocumentCachingSchema, graphql_routes

    schema = DocumentCachingSchema(Query)
    app = Starlette(routes=[*graphql_routes(schema, context_getter=get_context)])

``get_context(request, response)`` (sync or async) returns the per-request
context object. ``DocumentCachingSchema`` is a ``strawberry.Schema`` with parse and
validation caches keyed on the query text (``graphql_routes`` refuses a schema without
them); ``graphql_routes(..., response_cache=...)`` can answer repeated operations without
executing them (the app uses it for coverage queries).
GraphiQL's browser bundles come from npm (``npm ci`` copies them to
``api/static/graphiql/vendor/``) and are served by the app itself.
"""

from .document_cache import (
    AST_BYTES_PER_CHAR,
    CACHE_MAXSIZE,
    CacheInfo,
    DocumentCache,
    DocumentCacheInfo,
    DocumentCachingSchema,
    RequestGuard,
    check_caching,
    parse_document,
)
from .negotiation import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate_media_type
from .routes import graphql_routes
from .view import GRAPHIQL_DIR, ContextGetter, GraphQLView, ResponseCache, is_request_error

__all__ = [
    "APPLICATION_JSON",
    "AST_BYTES_PER_CHAR",
    "CACHE_MAXSIZE",
    "GRAPHIQL_DIR",
    "GRAPHQL_RESPONSE_JSON",
    "CacheInfo",
    "ContextGetter",
    "DocumentCache",
    "DocumentCacheInfo",
    "DocumentCachingSchema",
    "GraphQLView",
    "RequestGuard",
    "ResponseCache",
    "check_caching",
    "graphql_routes",
    "is_request_error",
    "negotiate_media_type",
    "parse_document",
]
