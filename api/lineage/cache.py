"""Lineage results cached per (store, revision, parameters).

Why: a lineage result is independent of the caller (the policy is applied when a page is
read), immutable, and can take a noticeable time on a large graph, while clients page through
it and dashboards poll it. Keying on the revision means a write is never served stale: the next
request computes afresh. Concurrent identical requests share one computation.

Entries are weighed (roughly, in nodes plus relationships held, a result counting the flow
index it keeps alive) and the least recently used are dropped past a budget, because a result
on a large graph holds most of it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from analytics import lineage as lin
from graph.store import GraphStore

T = TypeVar("T")
#: At most this many results per store.
SIZE = 32
#: And at most this much weight per store. Measured on the synthetic 100,000-node graph: its
#: flow index weighs 0.82 M and takes 60 MB over the embedded store's own records, 590 MB when
#: read from Neo4j (records included); the root's depth-10 lineage with its id lists weighs
#: 0.47 M more and takes 9 MB. So results keep at most four indexes alive beyond the two of
#: ``INDEXES``, and only when they were asked with as many different asOf/minShare values.
BUDGET = 4_000_000


class ResultCache:
    """A small LRU of results per store, keyed by (revision, parameters)."""

    def __init__(self, size: int = SIZE, budget: int = BUDGET) -> None:
        self.size = size
        self.budget = budget
        self._stores: WeakKeyDictionary[
            Any, OrderedDict[tuple[int, Hashable], tuple[asyncio.Future[Any], list[int]]]
        ] = WeakKeyDictionary()

    async def get(
        self,
        store: GraphStore,
        params: Hashable,
        compute: Callable[[], Awaitable[T]],
        weigh: Callable[[T], int] = lambda result: 1,
    ) -> tuple[int, T]:
        """The revision read and the result for it, computing it at most once."""
        revision = await store.revision()
        entries = self._stores.setdefault(store, OrderedDict())
        key = (revision, params)
        found = entries.get(key)
        if found is not None:
            entries.move_to_end(key)
            return revision, await found[0]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        weight = [1]
        entries[key] = (future, weight)
        try:
            result = await compute()
        except asyncio.CancelledError:
            entries.pop(key, None)
            future.cancel()
            raise
        except Exception as err:
            entries.pop(key, None)
            future.set_exception(err)
            # Requests sharing this computation get the error; mark it retrieved so an
            # unshared one does not log "exception was never retrieved".
            future.exception()
            raise
        future.set_result(result)
        weight[0] = max(1, weigh(result))
        self._evict(entries, key)
        return revision, result

    def _evict(self, entries: OrderedDict[tuple[int, Hashable], Any], keep: Hashable) -> None:
        total = sum(w[0] for _, w in entries.values())
        for key in list(entries):
            if len(entries) <= self.size and total <= self.budget:
                break
            if key == keep:
                continue
            _, weight = entries.pop(key)
            total -= weight[0]

    def params(self, store: GraphStore) -> list[Hashable]:
        """Parameters of the entries held for ``store`` (any revision), most recent last."""
        return list(dict.fromkeys(params for _, params in self._stores.get(store, ())))

    def clear(self) -> None:
        self._stores.clear()


#: The process-wide cache of results the resolvers use.
RESULTS = ResultCache()
#: The compiled flows results are computed from: the last few (revision, asOf, minShare).
INDEXES = ResultCache(size=2, budget=BUDGET)


async def index_for(store: GraphStore, as_of: str | None, min_share: float) -> lin.FlowIndex:
    """The compiled flow for the store's current revision, built at most once per revision."""
    _, index = await INDEXES.get(
        store,
        (as_of, min_share),
        lambda: lin.load_index(store, as_of=as_of, min_share=min_share),
        lambda built: built.weight,
    )
    return index
