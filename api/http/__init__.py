"""HTTP layer of the GraphQL API: GraphQL over HTTP compliant endpoint + offline GraphiQL.

Typical use in the Starlette app::

    from starlette.applications import Starlette
    from api.http import caching_extensions, graphql_routes

    schema = strawberry.Schema(Query, extensions=[*caching_extensions()])
    app = Starlette(routes=[*graphql_routes(schema, context_getter=get_context)])

``get_context(request, response)`` (sync or async) returns the per-request
context object. GraphiQL's browser bundles come from npm (``npm ci`` copies
them to ``api/static/graphiql/vendor/``) and are served by the app itself.
"""

from .negotiation import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, negotiate_media_type
from .routes import (
    CACHE_MAXSIZE,
    CacheInfo,
    TextValidationCache,
    caching_extensions,
    check_caching,
    graphql_routes,
)
from .view import GRAPHIQL_DIR, ContextGetter, GraphQLView, is_request_error

__all__ = [
    "APPLICATION_JSON",
    "CACHE_MAXSIZE",
    "GRAPHIQL_DIR",
    "GRAPHQL_RESPONSE_JSON",
    "CacheInfo",
    "ContextGetter",
    "GraphQLView",
    "TextValidationCache",
    "caching_extensions",
    "check_caching",
    "graphql_routes",
    "is_request_error",
    "negotiate_media_type",
]
