"""The response cache of coverage queries: a repeat is served without executing, and nothing
is shared across revisions, callers or kinds of operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import strawberry

from api.context import Context
from api.coverage import EXTENSIONS
from api.coverage.service import service_for
from api.http import caching_extensions
from api.nodes import NODE_TYPES
from api.policy import Policy
from api.schema import Mutation, Query
from graph.embedded import EmbeddedStore
from graph.store import WeightScope
from tests.factories import small_graph

MATRIX = '{ coverageMatrix(groupBy: [REGION], asOf: "2024-06-30") { revision total { partners } } }'


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "r.db")
    await s.open()
    await s.apply(small_graph())
    yield s
    await s.close()


@pytest.fixture
def schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        extensions=[*caching_extensions(), *EXTENSIONS],
    )


async def test_a_repeat_is_served_from_the_cache(
    store: EmbeddedStore, schema: strawberry.Schema
) -> None:
    staff, caller = Policy(privileged=True), Policy()
    first = await schema.execute(MATRIX, context_value=Context(store, staff))
    assert first.errors is None and first.data is not None
    service = service_for(store)
    assert len(service.responses.items) == 1
    again = await schema.execute(MATRIX, context_value=Context(store, staff))
    assert again.data == first.data and len(service.responses.items) == 1
    other = await schema.execute(MATRIX, context_value=Context(store, caller))
    assert len(service.responses.items) == 2  # another caller view, another entry
    # fewer than k partners in the whole small graph: hidden from the unprivileged caller
    assert other.data["coverageMatrix"]["total"]["partners"] is None
    await store.set_need_weights({(WeightScope.REGION, "Africa"): 2.0})
    after = await schema.execute(MATRIX, context_value=Context(store, staff))
    assert after.data["coverageMatrix"]["revision"] == first.data["coverageMatrix"]["revision"] + 1


async def test_only_coverage_queries_are_cached(
    store: EmbeddedStore, schema: strawberry.Schema
) -> None:
    staff = Policy(privileged=True)
    service = service_for(store)
    await schema.execute("{ health { revision } }", context_value=Context(store, staff))
    await schema.execute(
        "{ health { revision } coverageMatrix(groupBy: [THEME]) { revision } }",
        context_value=Context(store, staff),
    )
    await schema.execute(
        "mutation { setNeedWeights(input: {weights: []}) { revision } }",
        context_value=Context(store, staff),
    )
    bad = await schema.execute(
        "{ coverageMatrix(groupBy: []) { revision } }", context_value=Context(store, staff)
    )
    assert bad.errors
    assert service.responses.items == {}
