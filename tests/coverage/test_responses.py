"""The response cache of coverage queries, over HTTP: a repeat is served without executing, and
nothing is shared across revisions, callers or kinds of operation.

The app runs in-process (``httpx.ASGITransport``, lifespan entered by hand) over an embedded
store the test holds, so the test can look into the store's coverage service.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import api.schema
from api.app import create_app
from api.coverage.service import service_for
from api.settings import Settings
from graph.embedded import EmbeddedStore
from tests.factories import small_graph

MATRIX = '{ coverageMatrix(groupBy: [REGION], asOf: "2024-06-30") { revision total { partners } } }'
STAFF_KEY = "responses-test-key"

Post = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "r.db")
    await s.open()
    await s.apply(small_graph())
    yield s
    await s.close()


@pytest.fixture
async def post(store: EmbeddedStore, tmp_path: Path) -> AsyncIterator[Post]:
    """``await post(query, variables=None, staff=False)``: the decoded JSON body."""
    settings = dataclasses.replace(
        Settings.from_env(),
        store="embedded",
        db_path=tmp_path / "unused.db",
        privileged_keys=frozenset({STAFF_KEY}),
    )
    app = create_app(settings, store=store)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):

        async def call(query: str, variables: Any = None, *, staff: bool = False) -> Any:
            headers = {"Authorization": f"Bearer {STAFF_KEY}"} if staff else {}
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert response.status_code == 200, response.text
            return response.json()

        yield call


def entries(store: EmbeddedStore) -> int:
    return len(service_for(store).responses)


async def test_a_repeat_is_served_without_executing(
    post: Post, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await post(MATRIX, staff=True)
    assert "errors" not in first and entries(store) == 1

    async def no_execution(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached coverage query must not reach the schema")

    monkeypatch.setattr(api.schema.schema, "execute", no_execution)
    again = await post(MATRIX, staff=True)
    assert again["data"] == first["data"]
    # Priced when executed; a cached answer is charged and reports that same price.
    cost = first["extensions"]["cost"]["requested"]
    assert cost > 0 and again["extensions"]["cost"]["requested"] == cost
    assert entries(store) == 1


async def test_variables_and_callers_have_entries_of_their_own(
    post: Post, store: EmbeddedStore
) -> None:
    query = "query M($asOf: Date) { coverageMatrix(groupBy: [REGION], asOf: $asOf) { revision } }"
    await post(query, {"asOf": "2024-06-30"}, staff=True)
    await post(query, {"asOf": "2024-06-30"}, staff=True)
    assert entries(store) == 1
    await post(query, {"asOf": "2023-06-30"}, staff=True)
    assert entries(store) == 2
    staff = await post(MATRIX, staff=True)
    caller = await post(MATRIX)
    assert entries(store) == 4  # another caller view, another entry
    assert staff["data"]["coverageMatrix"]["total"]["partners"] is not None
    # fewer than k partners in the whole small graph: hidden from the unprivileged caller
    assert caller["data"]["coverageMatrix"]["total"]["partners"] is None


async def test_a_write_invalidates_the_cache(post: Post, store: EmbeddedStore) -> None:
    before = await post(MATRIX, staff=True)
    written = await post(
        'mutation { setNeedWeights(input: {weights: [{scope: REGION, key: "Africa", '
        "weight: 2}]}) { revision userErrors { message } } }",
        staff=True,
    )
    assert written["data"]["setNeedWeights"]["userErrors"] == []
    after = await post(MATRIX, staff=True)
    revision = before["data"]["coverageMatrix"]["revision"]
    assert after["data"]["coverageMatrix"]["revision"] == revision + 1


async def test_errors_and_other_operations_are_not_cached(post: Post, store: EmbeddedStore) -> None:
    bad = await post("{ coverageMatrix(groupBy: []) { revision } }", staff=True)
    assert bad["errors"]
    await post("{ coverageMatrix(groupBy: []) { revision } }", staff=True)
    syntax = await post("{ coverageMatrix(groupBy: [REGION]) { revision }", staff=True)
    assert syntax["errors"][0]["message"].startswith("Syntax Error")
    assert entries(store) == 0
    await post("{ health { revision } }", staff=True)
    await post("{ health { revision } coverageMatrix(groupBy: [THEME]) { revision } }", staff=True)
    await post("{ ... on Query { coverageMatrix(groupBy: [THEME]) { revision } } }", staff=True)
    await post("mutation { setNeedWeights(input: {weights: []}) { revision } }", staff=True)
    assert entries(store) == 0
