"""The lineage flow index is recompiled after a write without a query waiting for it, but only
for stores (and parameters) that lineage has been asked about."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from api.lineage import cache
from api.lineage.warm import keep_warm
from graph.store import GraphStore
from tests.factories import node, rel
from tests.lineage.conftest import Compiled
from tests.lineage.graphs import chain

TICK = 0.02


@contextlib.asynccontextmanager
async def warming(store: GraphStore) -> AsyncIterator[None]:
    task = asyncio.create_task(keep_warm(store, TICK))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until(condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / TICK)):
        if condition():
            return
        await asyncio.sleep(TICK)
    raise AssertionError("condition not met in time")


async def test_a_used_index_is_rebuilt_after_a_write(
    store: GraphStore, compiles: list[Compiled]
) -> None:
    await store.apply(chain())
    before = await store.revision()
    await cache.index_for(store, None, 0.0)
    await cache.index_for(store, "2023-06-01", 0.0)
    indexes = cache.INDEXES(store)
    async with warming(store):
        await store.apply(
            [node("Outcome", "out-9", "Ninth"), rel("PRODUCED", "act-1", "out-9", share=0.5)]
        )
        after = await store.revision()
        assert after > before
        await until(lambda: {(after, None, 0.0), (after, "2023-06-01", 0.0)} <= set(indexes))
    computed = indexes.stats.computed
    index = await cache.index_for(store, None, 0.0)
    assert indexes.stats.computed == computed  # the query found it ready
    assert "out-9" in index.nodes
    # This process wrote it, so the indexes were derived from the ones before, not compiled.
    assert {revision for revision, _, _ in compiles} == {before}


async def test_an_index_is_compiled_when_the_write_is_not_at_hand(
    store: GraphStore, compiles: list[Compiled]
) -> None:
    """Deltas this process no longer has (another process's write looks the same) leave the
    index to a full compile from the records."""
    await store.apply(chain())
    await cache.index_for(store, None, 0.0)
    await store.apply([node("Outcome", "out-9", "Ninth")])
    store._snapshots.clear()  # type: ignore[attr-defined]  # the deltas are gone
    index = await cache.index_for(store, None, 0.0)
    assert "out-9" in index.nodes
    assert [revision for revision, _, _ in compiles] == [1, await store.revision()]


async def test_an_unused_store_is_never_compiled(
    store: GraphStore, compiles: list[Compiled]
) -> None:
    await store.apply(chain())
    async with warming(store):
        await store.apply([node("Outcome", "out-9", "Ninth")])
        await asyncio.sleep(10 * TICK)
    assert compiles == []
