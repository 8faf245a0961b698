"""Lineage results and flow indexes, cached per (store, revision, parameters).

Why: a lineage result is independent of the caller (the policy is applied when a page is
read), immutable, and can take a noticeable time on a large graph, while clients page through
it and dashboards poll it. Keying on the revision means a write is never served stale: the next
request computes afresh. Concurrent identical requests share one computation
(:class:`api.core.cache.ResultCache`, which also says what happens when they leave).

Entries are weighed (roughly, in nodes plus relationships held, a result counting the flow
index it keeps alive) and the least recently used are dropped past a budget, because a result
on a large graph holds most of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, TypeVar, cast

from analytics import lineage as lin
from api.core.cache import PerStore, ResultCache
from api.lineage.index import load_index
from graph.snapshot import Delta
from graph.store import GraphStore

T = TypeVar("T")
#: At most this many results per store.
SIZE: Final = 32
#: And at most this much weight per store. Measured on the synthetic 100,000-node graph: its
#: flow index weighs 0.82 M and takes 60 MB over the embedded store's own records, 590 MB when
#: read from Neo4j (records included); the root's depth-10 lineage with its id lists weighs
#: 0.47 M more and takes 9 MB. So results keep at most four indexes alive beyond the
#: ``INDEXES_KEPT``, and only when they were asked with as many different asOf/minShare values.
BUDGET: Final = 4_000_000
#: Compiled flow indexes kept per store: the last few (revision, asOf, minShare).
INDEXES_KEPT: Final = 2

#: The results of each store, and the compiled flows they are computed from.
RESULTS = PerStore(lambda _: ResultCache(entries=SIZE, budget=BUDGET))
INDEXES = PerStore(lambda _: ResultCache(entries=INDEXES_KEPT, budget=BUDGET))


async def cached_result(
    store: GraphStore,
    params: Hashable,
    compute: Callable[[], Awaitable[T]],
    weigh: Callable[[T], float],
) -> tuple[int, T]:
    """The revision read and the result of ``compute()`` for it, computed at most once."""
    revision = await store.revision()
    return revision, await RESULTS(store).get((revision, params), compute, weigh)


async def index_for(store: GraphStore, as_of: str | None, min_share: float) -> lin.FlowIndex:
    """The compiled flow for the store's current revision, built at most once per revision:
    after this process's writes, derived from the newest index kept (of an earlier revision)
    by what they wrote (``FlowIndex.advanced``), else compiled from every record."""
    revision = await store.revision()
    indexes = INDEXES(store)

    async def build() -> lin.FlowIndex:
        earlier = sorted(
            (key[0], key)
            for key in cast(list[tuple[int, str | None, float]], list(indexes))
            if key[0] < revision and key[1:] == (as_of, min_share)
        )
        if earlier:
            since, key = earlier[-1]
            previous: lin.FlowIndex | None = indexes.peek(key)
            delta = store.written(since, revision)
            if previous is not None and delta is not None and _smaller(delta, previous):
                return await asyncio.to_thread(previous.advanced, delta.nodes, delta.relationships)
        return await load_index(store, as_of=as_of, min_share=min_share)

    return await indexes.get((revision, as_of, min_share), build, lambda built: built.weight)


def _smaller(delta: Delta, index: lin.FlowIndex) -> bool:
    """Whether the write is smaller than the index: deriving costs a pass in Python per
    record written, where compiling costs one per record stored."""
    return len(delta.nodes) + len(delta.relationships) < index.weight


def indexes_used(store: GraphStore) -> list[tuple[str | None, float]]:
    """The (asOf, minShare) of the indexes kept for ``store``, at any revision."""
    keys = cast(list[tuple[int, str | None, float]], list(INDEXES(store)))
    return list(dict.fromkeys((as_of, share) for _, as_of, share in keys))
