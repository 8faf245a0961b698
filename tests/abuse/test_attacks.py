"""The attacks of the abuse-resistance issue, against live servers with the production limits.

Each attack must be refused before anything executes (a request error with the documented code,
no ``data``), leave memory and the document caches bounded, and never stop ``/healthz`` from
answering. The servers run the real app over the seed data on both stores, with
``api.guard.Limits()`` (the production defaults) rather than the test session's lenient ones.
"""

from __future__ import annotations

import asyncio
import dataclasses
import resource
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api import centrality, coverage, lineage
from api.app import create_app
from api.guard import ANALYSIS_COSTS, Limits, RequestBounds
from api.http import CACHE_MAXSIZE, DocumentCache
from api.schema import schema
from api.settings import staff_defaults
from tests.api.conftest import PRIVILEGED_KEY, _seed, _settings
from tests.conftest import STORE_KINDS
from tests.live import serve

PRODUCTION = Limits()
FAN_OUT_LEVEL = (
    "partners(first: 100) { edges { node { ... on Actor { programmes(first: 100) "
    "{ edges { node { %s } } } } } } }"
)


def fan_out(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = FAN_OUT_LEVEL % inner
    return '{ node(id: "prog-jpoa-central-asia") { ... on Programme { ' + inner + " } } }"


@pytest.fixture(scope="module", params=STORE_KINDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = _settings(request.param, tmp_path_factory.mktemp("abuse") / "api.db")
    _seed(settings)
    settings = dataclasses.replace(
        settings,
        limits=PRODUCTION,
        staff_limits=staff_defaults(PRODUCTION),
        lineage_warm_seconds=0,
    )
    with serve(create_app(settings)) as base:
        yield base


def post(url: str, query: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(
        f"{url}/graphql", json={"query": query}, headers=headers, timeout=60, **kwargs
    )


def refused(response: httpx.Response, code: str) -> dict[str, Any]:
    """The single error of a request refused before execution, checked for ``code``."""
    body = response.json()
    assert "data" not in body, body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body["errors"]
    return body["errors"][0]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class Heartbeat:
    """Polls ``/healthz`` every 50 ms in a thread while attacks run; records the slowest."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.worst = 0.0
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    ok = client.get(f"{self.url}/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.failures += not ok
                self.worst = max(self.worst, time.monotonic() - started)
                self._stop.wait(0.05)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_fan_out_nesting_is_refused_before_execution(url: str) -> None:
    with Heartbeat(url) as beat:
        deep = refused(post(url, fan_out(6)), "QUERY_TOO_COMPLEX")
        assert deep["extensions"]["measure"] == "depth"
        assert deep["extensions"]["limit"] == PRODUCTION.max_depth
        # Within the depth limit, the cost refuses it: 100 x 100 partners' programmes.
        costly = refused(post(url, fan_out(2)), "QUERY_TOO_COSTLY")
        assert costly["extensions"]["cost"] > PRODUCTION.max_cost
        assert costly["extensions"]["limit"] == PRODUCTION.max_cost
        assert f"{PRODUCTION.max_cost:,}" in costly["message"]
        # Refusal is not a matter of privilege: staff limits are larger, not unbounded.
        staff = refused(post(url, fan_out(2), key=PRIVILEGED_KEY), "QUERY_TOO_COSTLY")
        assert staff["extensions"]["limit"] == staff_defaults(PRODUCTION).max_cost
    assert beat.failures == 0 and beat.worst < 2.0


def test_one_level_of_the_same_query_runs_and_reports_its_cost(url: str) -> None:
    body = post(url, fan_out(1)).json()
    assert "errors" not in body, body
    assert body["data"]["node"]["partners"]["edges"]
    cost = body["extensions"]["cost"]
    assert 100 < cost["requested"] <= PRODUCTION.max_cost
    assert cost["limit"] == PRODUCTION.max_cost


def test_alias_floods_are_refused(url: str) -> None:
    with Heartbeat(url) as beat:
        page = "actors(first: 100) { edges { node { name } } }"
        # A thousand aliases pass the token limit: the parser stops, nothing is kept.
        pages = " ".join(f"a{i}: {page}" for i in range(1000))
        error = refused(post(url, f"{{ {pages} }}"), "QUERY_TOO_COMPLEX")
        assert error["extensions"]["measure"] == "tokens"
        # Sixty parse, and are too many aliases.
        pages = " ".join(f"a{i}: {page}" for i in range(60))
        error = refused(post(url, f"{{ {pages} }}"), "QUERY_TOO_COMPLEX")
        assert error["extensions"]["measure"] == "aliases"
        # Through a fragment spread many times: the spreads count as often as they appear.
        spread = " ".join(
            f"s{i}: actors(first: 1) {{ edges {{ node {{ ...F }} }} }}" for i in range(40)
        )
        fragment = "fragment F on Actor { " + " ".join(f"n{i}: name" for i in range(5)) + " }"
        error = refused(post(url, f"{{ {spread} }} {fragment}"), "QUERY_TOO_COMPLEX")
        assert error["extensions"]["value"] == 40 + 40 * 5
        # Few enough aliases, but each a different uncached analysis.
        measures = " ".join(
            f"b{i}: centrality(measure: BETWEENNESS, top: {i + 1}) {{ entries {{ score }} }}"
            for i in range(40)
        )
        refused(post(url, f"{{ {measures} }}"), "QUERY_TOO_COSTLY")
        # Ten thousand aliases do not even parse: the token limit stops the parser.
        flood = " ".join(f"b{i}: centrality(measure: BETWEENNESS) {{ top }}" for i in range(10_000))
        response = httpx.post(
            f"{url}/graphql",
            content=f"{{ {flood} }}".encode(),
            timeout=60,
            headers={"content-type": "application/graphql"},
        )
        assert response.status_code == 413  # larger than the body limit, before the parser
    assert beat.failures == 0 and beat.worst < 2.0


def test_oversized_bodies_are_refused_while_reading(url: str) -> None:
    limit = PRODUCTION.max_body_bytes
    declared = httpx.post(
        f"{url}/graphql",
        content=b"{" + b" " * (100 * 2**20) + b"}",
        timeout=60,
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["limit"] == limit

    # No Content-Length: counted as it arrives, and answered before the client is done.
    host, port = url.removeprefix("http://").split(":")
    chunk = b" " * 65_536
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        answer = b""
        while sent < 100 * 2**20 and not answer:
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # the server answered and closed
                break
            sent += len(chunk)
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                answer = sock.recv(65_536)
        answer = answer or sock.recv(65_536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    # Refused long before the end: what was sent beyond the limit sat in socket buffers.
    assert sent < 100 * 2**20 / 5


def test_token_floods_are_refused_without_keeping_anything(url: str) -> None:
    cache = DocumentCache.of_size(CACHE_MAXSIZE)
    start_rss = rss_mb()
    size_before = cache.info().parse.currsize
    with Heartbeat(url) as beat:
        for i in range(20):
            garbage = "{ " + f"x{i} " * 20_000 + "}"  # under the body limit, over the tokens
            started = time.monotonic()
            response = post(url, garbage)
            assert time.monotonic() - started < 2.0
            error = response.json()["errors"][0]
            assert "tokens" in error["message"]
        for i in range(20):  # parses, fails validation: not kept either
            unknown = "{ " + " ".join(f"f{i}_{j}" for j in range(2_000)) + " }"
            assert post(url, unknown).json()["errors"]
    assert beat.failures == 0 and beat.worst < 2.0
    # Nothing was added (a full cache may even have evicted entries to try, then dropped them),
    # and an invalid document sent again is parsed again: it was not kept.
    assert cache.info().parse.currsize <= size_before
    misses = cache.info().parse.misses
    assert post(url, unknown).json()["errors"]
    assert cache.info().parse.misses > misses
    assert rss_mb() - start_rss < 100


def test_analyses_all_carry_a_cost() -> None:
    """A new analysis field must be priced: every root field of the analytics areas (but the
    need-weight table, a stored list) has an entry in the cost table."""
    names = schema.config.name_converter
    for area in (centrality, coverage, lineage):
        for part in area.QUERIES:
            for field in part.__strawberry_definition__.fields:
                name = names.get_graphql_name(field)
                if name != "needWeights":
                    assert f"Query.{name}" in ANALYSIS_COSTS, name


def test_rate_limit_spends_cost_points_per_caller(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = _settings("embedded", tmp_path_factory.mktemp("rate") / "api.db")
    _seed(settings)
    limits = dataclasses.replace(PRODUCTION, rate="1000/minute")
    settings = dataclasses.replace(
        settings, limits=limits, staff_limits=limits, lineage_warm_seconds=0
    )
    query = "{ actors(first: 100) { edges { node { name } } } }"  # 101 points
    with serve(create_app(settings)) as base:
        answers = [post(base, query) for _ in range(10)]
        assert all(r.status_code == 200 and "data" in r.json() for r in answers[:9])
        assert [int(r.headers["RateLimit-Remaining"]) for r in answers[:3]] == [899, 798, 697]
        assert answers[0].headers["RateLimit-Limit"] == "1000"
        over = answers[9]
        assert over.status_code == 429
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        error = refused(over, "RATE_LIMITED")
        assert error["extensions"]["cost"] == 101
        # Another caller has a budget of its own.
        other = post(base, query, key=PRIVILEGED_KEY)
        assert other.status_code == 200 and "data" in other.json()
        # Refusals are charged too (100 points each), so they cannot be sent for free.
        refusals = [post(base, "{ nope", key=PRIVILEGED_KEY) for _ in range(10)]
        assert [r.status_code for r in refusals[:8]] == [200] * 8
        assert refusals[-1].status_code == 429
        refused(refusals[-1], "RATE_LIMITED")
        # Once the budget is spent, a document is not even parsed: same 429 for anything.
        # Spend the rest: in big steps while the budget allows, then a point at a time. The
        # window is a sliding counter: past a minute boundary the previous minute's points
        # come back a few per second, even between the last spend and the probe, so drain
        # and probe again until the probe lands on an empty budget.
        for _ in range(20):
            remaining = 1000
            for _ in range(2000):
                step = query if remaining > 101 else "{ health { status } }"
                answer = post(base, step, key=PRIVILEGED_KEY)
                remaining = int(answer.headers.get("RateLimit-Remaining", "0"))
                if remaining == 0:
                    break
            spent = post(base, "{ " + "x " * 4000 + "}", key=PRIVILEGED_KEY)
            assert spent.status_code == 429
            if "spent" in refused(spent, "RATE_LIMITED")["message"]:
                break
        else:
            pytest.fail("the budget never stayed empty long enough to probe the gate")
        assert refused(spent, "RATE_LIMITED")["extensions"]["cost"] == 0


def test_introspection_and_suggestions_are_settings(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = _settings("embedded", tmp_path_factory.mktemp("intro") / "api.db")
    _seed(settings)
    typo = "{ actrs(first: 1) { totalCount } }"
    for introspection, suggestions in ((True, False), (False, True)):
        limits = dataclasses.replace(
            PRODUCTION, introspection=introspection, suggestions=suggestions
        )
        app = create_app(dataclasses.replace(settings, limits=limits, lineage_warm_seconds=0))
        with serve(app) as base:
            schema = post(base, "{ __schema { queryType { name } } }").json()
            assert ("data" in schema) is introspection
            message = post(base, typo).json()["errors"][0]["message"]
            assert ("Did you mean" in message) is suggestions


# --- the deadline and client disconnects, on a small app of their own -------------------------


def test_deadline_cancels_the_request_and_caches_nothing(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = _settings("embedded", tmp_path_factory.mktemp("deadline") / "api.db")
    _seed(settings)
    query = "{ centrality(measure: BETWEENNESS, top: 5) { entries { score node { key } } } }"
    quick = dataclasses.replace(PRODUCTION, deadline_seconds=0.001, rate="")
    with serve(create_app(dataclasses.replace(settings, limits=quick))) as base:
        response = post(base, query)
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "DEADLINE_EXCEEDED"
    # The same question with time to answer gets a whole answer.
    with serve(create_app(dataclasses.replace(settings, limits=PRODUCTION))) as base:
        body = post(base, query).json()
    assert len(body["data"]["centrality"]["entries"]) == 5


def test_a_client_that_leaves_cancels_its_request() -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def slow(request: Request) -> JSONResponse:
        await request.body()
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return JSONResponse({})

    routes = [Route("/slow", slow, methods=["POST"])]
    app = RequestBounds(Starlette(routes=routes), lambda: PRODUCTION)
    with serve(app) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(
                b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                b"Content-Type: application/json\r\n\r\n{}"
            )
            assert started.wait(5)
        assert cancelled.wait(5), "the handler kept running after its client left"


@pytest.mark.parametrize(
    "body",
    [b"NaN", b"1", b'"x"', b"null", b"[" * 5000 + b"]" * 5000, b"\xff\xfe", b'{"query": 1}'],
)
def test_odd_bodies_are_400_not_500(url: str, body: bytes) -> None:
    response = httpx.post(
        f"{url}/graphql", content=body, headers={"content-type": "application/json"}, timeout=30
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["message"]


def test_odd_variables_in_a_get_are_400_not_500(url: str) -> None:
    for variables in ("NaN", "[" * 5000 + "]" * 5000, "{"):
        response = httpx.get(
            f"{url}/graphql",
            params={"query": "{ __typename }", "variables": variables},
            headers={"accept": "application/json"},
            timeout=30,
        )
        assert response.status_code == 400, (variables[:10], response.text)


def test_a_cached_answer_is_charged_like_its_first_execution(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Coverage answers are kept per revision and served again without executing; the
    repeat still costs the caller what the first one did, so flooding a cached query runs
    into the rate like any other."""
    settings = _settings("embedded", tmp_path_factory.mktemp("cached") / "api.db")
    _seed(settings)
    limits = dataclasses.replace(PRODUCTION, rate="400/minute")
    settings = dataclasses.replace(
        settings, limits=limits, staff_limits=limits, lineage_warm_seconds=0
    )
    query = "{ coverageMatrix(groupBy: [REGION, THEME]) { rows { key } } }"
    with serve(create_app(settings)) as base:
        answers = [post(base, query) for _ in range(12)]
        first_cost = answers[0].json()["extensions"]["cost"]["requested"]
        assert first_cost > 0
        for answer in answers[1:]:
            if answer.status_code == 200:  # served from the cache, and charged the same
                assert answer.json()["extensions"]["cost"]["requested"] == first_cost
                assert answer.json()["data"] == answers[0].json()["data"]
        remaining = [int(a.headers["RateLimit-Remaining"]) for a in answers if a.status_code == 200]
        assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(
            remaining
        )
        assert answers[-1].status_code == 429
        refused(answers[-1], "RATE_LIMITED")
