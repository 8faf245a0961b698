"""GraphQL over HTTP behaviour of the endpoint: methods, media types, status codes.

``client`` talks to the application under test (``live_server``) and uses only
introspection fields, so these tests hold for any schema. ``tiny`` talks to
the tiny schema's app for behaviour that needs specific fields. A few tests
serve their own small app (``serve_app``) to provoke failures. All tests are
synchronous, so they behave the same under any pytest-asyncio mode.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import strawberry
from graphql import FieldNode, GraphQLError, ValidationRule
from starlette.applications import Starlette
from strawberry.extensions import AddValidationRules, DisableValidation, MaxTokensLimiter
from strawberry.types import ExecutionResult

from api.guard import Guard
from api.http import (
    APPLICATION_JSON,
    AST_BYTES_PER_CHAR,
    CACHE_MAXSIZE,
    GRAPHQL_RESPONSE_JSON,
    DocumentCache,
    DocumentCachingSchema,
    check_caching,
    graphql_routes,
    negotiate_media_type,
    parse_document,
)
from api.settings import Settings

GQL = GRAPHQL_RESPONSE_JSON


@pytest.fixture
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=10) as http_client:
        yield http_client


@pytest.fixture
def tiny(tiny_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tiny_server, timeout=10) as http_client:
        yield http_client


def post(client: httpx.Client, body: object, accept: str | None = None) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return client.post("/graphql", json=body, headers=headers)


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


# --- GET and POST (any schema) ------------------------------------------------------


def test_post_query(client: httpx.Client) -> None:
    response = post(client, {"query": "{ __typename }"})
    assert response.status_code == 200
    assert media_type(response) == APPLICATION_JSON
    body = response.json()
    assert body["data"] == {"__typename": "Query"}
    # Every answer reports its cost, a repeat served from the response cache too.
    assert set(body) == {"data", "extensions"} and set(body["extensions"]) == {"cost"}


def test_get_query_with_variables(client: httpx.Client) -> None:
    response = client.get(
        "/graphql",
        params={
            "query": "query T($n: String!) { __type(name: $n) { name } }",
            "variables": '{"n": "String"}',
        },
        headers={"accept": GQL},
    )
    assert response.status_code == 200
    assert media_type(response) == GQL
    body = response.json()
    assert body["data"] == {"__type": {"name": "String"}}
    assert body["extensions"]["cost"]["requested"] == 100  # one introspection field


@pytest.mark.parametrize("accept", [GQL, APPLICATION_JSON])
def test_mutation_over_get_is_405(client: httpx.Client, accept: str) -> None:
    response = client.get(
        "/graphql", params={"query": "mutation { __typename }"}, headers={"accept": accept}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert media_type(response) == accept
    assert "mutations are not allowed" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/graphql")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert "errors" in response.json()


# --- media types and status codes (any schema) ----------------------------------------

PARSE_ERROR = {"query": "{"}
VALIDATION_ERROR = {"query": "{ noSuchField }"}
COERCION_ERROR = {  # the variable is used, so this passes validation and fails coercion
    "query": "query T($n: String!) { __type(name: $n) { name } }",
    "variables": {"n": None},
}
REQUEST_ERRORS = pytest.mark.parametrize(
    "body", [PARSE_ERROR, VALIDATION_ERROR, COERCION_ERROR], ids=["parse", "validation", "coercion"]
)


@REQUEST_ERRORS
def test_request_error_with_graphql_response_json_is_400_without_data(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    response = post(client, body, accept=GQL)
    assert response.status_code == 400
    assert media_type(response) == GQL
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"]


@REQUEST_ERRORS
def test_request_error_with_application_json_is_200_without_data(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    response = post(client, body, accept=APPLICATION_JSON)
    assert response.status_code == 200
    assert media_type(response) == APPLICATION_JSON
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"]


def test_bad_json_body_is_400_json(client: httpx.Client) -> None:
    response = client.post(
        "/graphql",
        content=b'{"not json',
        headers={"content-type": "application/json", "accept": GQL},
    )
    assert response.status_code == 400
    assert media_type(response) == GQL
    assert response.json()["errors"][0]["message"]


def test_post_without_content_type_is_4xx(client: httpx.Client) -> None:
    response = client.post("/graphql", content=b'{"query": "{ __typename }"}')
    assert 400 <= response.status_code < 500


def test_responses_vary_on_accept(client: httpx.Client) -> None:
    assert "accept" in post(client, {"query": "{ __typename }"}).headers["vary"].lower()


def test_browser_get_renders_graphiql_but_scripts_get_json(client: httpx.Client) -> None:
    page = client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code in (200, 503)  # 503: GraphiQL assets not installed (npm ci)
    assert page.headers["content-type"].startswith(("text/html", "text/plain"))
    # curl-style */* without a query is a GraphQL request, not a page load.
    response = client.get("/graphql", headers={"accept": "*/*"})
    assert response.status_code == 400
    assert media_type(response) == APPLICATION_JSON


def test_parse_and_validation_results_are_cached(client: httpx.Client) -> None:
    # The caches are process-wide per size, so this process sees the server's.
    cache = DocumentCache.of_size(CACHE_MAXSIZE)
    query = "query CacheProbe { __schema { queryType { name } } }"
    post(client, {"query": query})
    before = cache.info()
    response = post(client, {"query": query})
    assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    after = cache.info()
    assert after.parse.hits > before.parse.hits  # the app's response cache parses too
    assert after.validation.hits == before.validation.hits + 1
    # Code outside the schema reads the same parse cache, with the request's parse options.
    options = Guard(Settings.from_env().limits).parse_options
    assert parse_document(query, **options) is parse_document(query, **options)
    assert cache.info().parse.hits == after.parse.hits + 2


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, APPLICATION_JSON),
        ("", APPLICATION_JSON),
        ("*/*", APPLICATION_JSON),
        ("application/*", APPLICATION_JSON),
        ("application/json", APPLICATION_JSON),
        (GQL, GQL),
        (f"{GQL}, application/json", GQL),
        (f"application/json, {GQL}", GQL),
        (f"application/json, {GQL};q=0.9", APPLICATION_JSON),
        (f"{GQL};charset=utf-8", GQL),
        (f"{GQL};charset=latin1, application/json", APPLICATION_JSON),
        ("application/json, multipart/mixed", APPLICATION_JSON),
        ("text/html,application/xhtml+xml,*/*;q=0.8", APPLICATION_JSON),
        (f"*/*, {GQL};q=0", APPLICATION_JSON),
        ("text/plain", APPLICATION_JSON),
    ],
)
def test_negotiate_media_type(accept: str | None, expected: str) -> None:
    assert negotiate_media_type(accept) == expected


# --- behaviour that needs the tiny schema's fields ---------------------------------


def test_mutation_over_get_is_not_executed(tiny: httpx.Client, app_state: Any) -> None:
    before = app_state.mutations_executed
    response = tiny.get("/graphql", params={"query": "mutation { bump }"})
    assert response.status_code == 405
    assert app_state.mutations_executed == before


def test_mutation_over_post_runs(tiny: httpx.Client, app_state: Any) -> None:
    before = app_state.mutations_executed
    response = post(tiny, {"query": "mutation { bump }"}, accept=GQL)
    assert response.status_code == 200
    assert response.json() == {"data": {"bump": before + 1}}


def test_context_getter_builds_the_context(tiny: httpx.Client) -> None:
    response = tiny.post(
        "/graphql", json={"query": "{ requestId }"}, headers={"x-request-id": "abc-123"}
    )
    assert response.json() == {"data": {"requestId": "abc-123"}}


def test_custom_scalar_coercion_error_is_a_request_error(tiny: httpx.Client) -> None:
    body = {"query": "query Q($v: Int!) { answer(value: $v) }", "variables": {"v": "abc"}}
    response = post(tiny, body, accept=GQL)
    assert response.status_code == 400
    assert "data" not in response.json()


@pytest.mark.parametrize("accept", [GQL, APPLICATION_JSON])
def test_field_error_keeps_data_and_200(tiny: httpx.Client, accept: str) -> None:
    response = post(tiny, {"query": "{ boom }"}, accept=accept)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None
    assert payload["errors"][0]["path"] == ["boom"]
    assert "Traceback" not in response.text


# --- configuration and failure modes ------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


class NoPingRule(ValidationRule):
    """A rule an extension adds: the cache must apply it too."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value == "ping":
            self.report_error(GraphQLError("no ping", node))


def test_schema_without_caches_is_refused() -> None:
    with pytest.raises(ValueError, match="does not cache parsed and validated documents"):
        check_caching(strawberry.Schema(query=Query))
    with pytest.raises(ValueError, match="does not cache parsed and validated documents"):
        check_caching(DocumentCachingSchema(query=Query, document_cache_size=None))
    check_caching(DocumentCachingSchema(query=Query))


def counting(maxsize: int) -> Any:
    """``run(schema, query)`` -> (parse hits, validation hits, validation misses, answer)
    of one execution, counted on the process-wide caches of ``maxsize``."""
    cache = DocumentCache.of_size(maxsize)

    def run(on: strawberry.Schema, query: str) -> tuple[int, int, int, Any]:
        before = cache.info()
        result = on.execute_sync(query)
        after = cache.info()
        errors = [e.message for e in result.errors or []]
        return (
            after.parse.hits - before.parse.hits,
            after.validation.hits - before.validation.hits,
            after.validation.misses - before.validation.misses,
            result.data or errors,
        )

    return run


def test_caches_are_keyed_on_schema_and_query_text() -> None:
    maxsize = 7 * 1024  # caches of their own: the servers' requests use CACHE_MAXSIZE's
    schema = DocumentCachingSchema(query=Query, document_cache_size=maxsize)
    run = counting(maxsize)
    assert run(schema, "{ ping }") == (0, 0, 1, {"ping": "pong"})
    assert run(schema, "{ ping }") == (1, 1, 0, {"ping": "pong"})
    # Another text is another key, even for the same document.
    assert run(schema, "query { ping }") == (0, 0, 1, {"ping": "pong"})
    assert run(schema, "{  ping }") == (0, 0, 1, {"ping": "pong"})
    # A document that fails validation is not kept: each request parses and validates it.
    unknown = ["Cannot query field 'pong' on type 'Query'. Did you mean 'ping'?"]
    assert run(schema, "{ pong }") == (0, 0, 1, unknown)
    assert run(schema, "{ pong }") == (0, 0, 1, unknown)
    # A syntax error keeps no document, and is reported as without a cache.
    syntax = ["Syntax Error: Expected Name, found <EOF>."]
    assert run(schema, "{ ping") == (0, 0, 0, syntax)
    assert run(schema, "{ ping") == (0, 0, 0, syntax)
    # The same text against another schema is parsed once but validated against that schema.
    other = DocumentCachingSchema(query=Query, document_cache_size=maxsize)
    assert run(other, "{ ping }") == (1, 0, 1, {"ping": "pong"})


def test_caches_honour_extensions_that_change_parsing_or_validation() -> None:
    maxsize = 5 * 1024
    run = counting(maxsize)
    limited = DocumentCachingSchema(
        query=Query, document_cache_size=maxsize, extensions=[lambda: MaxTokensLimiter(3)]
    )
    assert run(limited, "{ ping }")[3] == {"ping": "pong"}
    errors = run(limited, "{ a: ping }")[3]
    assert "more than 3 tokens" in errors[0]
    # With validation disabled nothing is validated, so nothing is cached either.
    unvalidated = DocumentCachingSchema(
        query=Query, document_cache_size=maxsize, extensions=[DisableValidation]
    )
    assert run(unvalidated, "{ pong }") == (0, 0, 0, [])
    strict = DocumentCachingSchema(
        query=Query,
        document_cache_size=maxsize,
        extensions=[lambda: AddValidationRules([NoPingRule])],
    )
    assert run(strict, "{ ping }")[3] == ["no ping"]
    # Refused by the added rule: not kept, so validated again (the parse was dropped too).
    assert run(strict, "{ ping }")[1:] == (0, 1, ["no ping"])


def test_caches_are_lrus_bounded_in_bytes() -> None:
    query_chars = len("{ a: ping }")
    maxsize = 2 * AST_BYTES_PER_CHAR * query_chars  # two parsed documents of that length
    schema = DocumentCachingSchema(query=Query, document_cache_size=maxsize)
    run = counting(maxsize)

    def hit(query: str) -> bool:
        parse_hits, _, _, data = run(schema, query)
        assert data == {query[2]: "pong"}
        return parse_hits == 1

    assert [hit("{ a: ping }"), hit("{ b: ping }"), hit("{ a: ping }")] == [False, False, True]
    assert not hit("{ c: ping }")  # evicts b, the least recently used
    assert [hit("{ a: ping }"), hit("{ b: ping }")] == [True, False]
    info = DocumentCache.of_size(maxsize).info()
    assert info.parse.currsize == maxsize
    # A document larger than the whole cache is parsed, answered and not kept.
    big = "{ " + " ".join(f"a{i}: ping" for i in range(40)) + " }"
    assert run(schema, big)[3]["a39"] == "pong"
    assert run(schema, big)[0] == 0
    assert DocumentCache.of_size(maxsize).info().parse.currsize <= maxsize


def test_unexpected_exception_is_a_500_without_details(serve_app: Any) -> None:
    def broken_context(request: object, response: object) -> object:
        msg = "secret database password in this message"
        raise RuntimeError(msg)

    schema = DocumentCachingSchema(query=Query)
    app = Starlette(routes=graphql_routes(schema, context_getter=broken_context, graphiql=False))
    with serve_app(app) as base_url, httpx.Client(base_url=base_url, timeout=10) as test_client:
        response = post(test_client, {"query": "{ ping }"}, accept=GQL)
    assert response.status_code == 500
    assert media_type(response) == GQL
    assert response.json() == {"errors": [{"message": "Internal server error"}]}


def test_response_cache_wraps_execution(serve_app: Any) -> None:
    seen: list[str | None] = []

    async def response_cache(
        context: object, request: Any, execute: Callable[[], Awaitable[ExecutionResult]]
    ) -> ExecutionResult:
        seen.append(request.query)
        if request.operation_name == "Canned":
            return ExecutionResult(data={"ping": "from the cache"}, errors=None)
        return await execute()

    schema = DocumentCachingSchema(query=Query)
    routes = graphql_routes(
        schema, graphiql=False, response_cache=response_cache, allow_queries_via_get=False
    )
    canned = {"query": "query Canned { ping }", "operationName": "Canned"}
    with serve_app(Starlette(routes=routes)) as base_url, httpx.Client(base_url=base_url) as c:
        assert post(c, {"query": "{ ping }"}).json() == {"data": {"ping": "pong"}}
        assert post(c, canned).json() == {"data": {"ping": "from the cache"}}
        # A request the view refuses is not answered from the cache.
        refused = c.get("/graphql", params=canned)
        assert refused.status_code >= 400 and "from the cache" not in refused.text
    assert seen == ["{ ping }", "query Canned { ping }"]


def test_graphiql_can_be_disabled(serve_app: Any) -> None:
    schema = DocumentCachingSchema(query=Query)
    app = Starlette(routes=graphql_routes(schema, graphiql=False))
    with serve_app(app) as base_url, httpx.Client(base_url=base_url, timeout=10) as test_client:
        page = test_client.get("/graphql", headers={"accept": "text/html"})
        assert not page.headers["content-type"].startswith("text/html")
        assert test_client.get("/graphiql/init.js").status_code == 404
        pong = test_client.get("/graphql", params={"query": "{ ping }"})
        assert pong.json() == {"data": {"ping": "pong"}}
