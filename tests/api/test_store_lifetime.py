"""What the API keeps per store goes with the store: a service refers back to its store, so a
map keyed by the store would keep every store ever opened alive (a process that opens stores
in turn, like a benchmark or a test run, grew by the whole graph at each open)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from api.context import Context
from api.policy import Policy
from api.schema import schema
from graph.embedded import EmbeddedStore
from graph.keys import Role
from graph.store import GraphStore
from tests.conftest import StoreFactory
from tests.factories import small_graph

QUERY = """{
  centrality(measure: PAGERANK, top: 3) { entries { node { key } } }
  coverageMatrix(groupBy: [REGION, THEME]) { cells { gapScore } }
}"""


async def analyse(store: GraphStore) -> None:
    result = await schema.execute(
        QUERY, context_value=Context(store=store, policy=Policy(role=Role.ANALYST))
    )
    assert not result.errors, result.errors


async def test_the_caches_live_in_the_store_and_close_empties_them(
    store_factory: StoreFactory,
) -> None:
    store = await store_factory()
    await store.apply(small_graph())
    await analyse(store)
    assert len(store.attached) >= 2  # the centrality and the coverage services
    await store.close()
    assert store.attached == {}


async def test_a_closed_store_is_freed_even_when_the_next_open_freezes_what_is_alive(
    tmp_path: Path,
) -> None:
    """Opening an embedded store freezes every live object out of the collector's reach
    (graph/bulk.py); garbage left by the store closed before must not be among them."""
    first = EmbeddedStore(tmp_path / "first.db")
    await first.open()
    await first.apply(small_graph())
    await analyse(first)
    await first.close()
    gone = weakref.ref(first)
    del first
    second = EmbeddedStore(tmp_path / "second.db")
    await second.open()
    try:
        gc.collect()
        assert gone() is None
    finally:
        await second.close()
