"""Coverage results for the API: computed once per (revision, parameters, caller's view).

Dashboards poll the same few matrices all day, so three caches sit between a request and the
analytics, all keyed by the graph revision (any write, weights included, bumps it, so nothing
is ever stale and nothing needs invalidating):

- the :class:`~analytics.coverage.EngagementIndex` of the revision (built from the store's
  full-history snapshot);
- :class:`~analytics.coverage_report.Cube` per (window, geography basis): its tables and
  suppression decisions grow as queries need them, so a second grouping of the same data
  reuses the first one's work and sees the same decisions;
- finished results per (kind of result, parameters, caller's view).

The index and the results are :class:`api.core.cache.ResultCache` entries: concurrent identical
requests share one computation, which is cancelled when the last of them leaves; the cubes and
the finished GraphQL responses are plain LRUs. Work on large graphs runs in a worker thread so
the event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

import networkx as nx
from cachetools import LRUCache

from analytics.coverage import EngagementIndex, GeographyBasis, Window, build_index
from analytics.coverage.delta import advance_index
from analytics.coverage_report import Cube
from api.core.cache import PerStore, ResultCache
from graph.bulk import paused_gc
from graph.model import WeightScope
from graph.store import GraphStore

T = TypeVar("T")
Weights = dict[tuple[WeightScope, str], float]

#: Engagements above which work leaves the event loop for a worker thread.
THREAD_THRESHOLD: Final = 20_000
#: Snapshot nodes above which the index is built (or derived) in a worker thread: about
#: ``THREAD_THRESHOLD`` engagements. Nodes, because counting a snapshot's relationships is
#: itself a walk over the graph (0.2 s on the loop at 20,000 actors).
THREAD_THRESHOLD_NODES: Final = 3_000
RESULTS_CACHE_SIZE: Final = 256
CUBES_CACHE_SIZE: Final = 32
INDEXES_KEPT: Final = 2


class CoverageService:
    """The coverage caches of one store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._indexes = ResultCache(entries=INDEXES_KEPT)
        #: The newest index built and the snapshot graph it was built from, for the next.
        self._last: tuple[EngagementIndex, nx.MultiDiGraph] | None = None
        self._weights = ResultCache(entries=1)
        self._results = ResultCache(entries=RESULTS_CACHE_SIZE)
        self._cubes: LRUCache[Hashable, Cube] = LRUCache(CUBES_CACHE_SIZE)
        self._lock = threading.Lock()  # cubes are asked for from worker threads too
        #: Finished GraphQL results (see :mod:`api.coverage.responses`); used on the loop only.
        self.responses: LRUCache[Hashable, Any] = LRUCache(RESULTS_CACHE_SIZE)

    async def index(self) -> EngagementIndex:
        """The index of the store's current revision: derived from the last one built and the
        snapshot it was built from when it can be (analytics/coverage/delta.py), else built."""

        async def build() -> EngagementIndex:
            snap = await self.store.snapshot(None)
            before = self._last

            def make() -> EngagementIndex:
                with paused_gc():  # a collection would walk every snapshot held: 5x the work
                    if before is not None and before[0].revision < snap.revision:
                        found = advance_index(*before, snap.graph, snap.revision)
                        if found is not None:
                            return found
                    return build_index(snap.graph, snap.revision)

            if len(snap.graph) > THREAD_THRESHOLD_NODES:
                index = await asyncio.to_thread(make)
            else:
                index = make()
            if self._last is None or self._last[0].revision < index.revision:
                self._last = (index, snap.graph)
            return index

        return await self._indexes.get(await self.store.revision(), build)

    async def weights(self, revision: int) -> Weights:
        return await self._weights.get(revision, self.store.need_weights)

    def cube(self, index: EngagementIndex, window: Window, basis: GeographyBasis) -> Cube:
        """The one cube of (revision, window, basis), so every query sees the same decisions."""
        key = (index.revision, window, basis)
        with self._lock:
            cube: Cube | None = self._cubes.get(key)
            if cube is None:
                cube = self._cubes[key] = Cube(index, window, basis)
            return cube

    async def result(self, key: Hashable, compute: Callable[[EngagementIndex, Weights], T]) -> T:
        """The cached result for ``key`` at the current revision, computing it on a miss.

        ``compute(index, weights)`` runs in a worker thread when the graph is large.
        """

        async def make() -> T:
            index = await self.index()
            weights = await self.weights(index.revision)
            if index.engagements > THREAD_THRESHOLD:
                return await asyncio.to_thread(compute, index, weights)
            return compute(index, weights)

        return await self._results.get((await self.store.revision(), key), make)

    def clear_computed(self) -> None:
        """Forget results, tables and suppression decisions, keeping the revision's index:
        the next request computes its answer (benchmarks of the uncached path use this)."""
        self._results.clear()
        self.responses.clear()
        with self._lock:
            self._cubes.clear()

    def clear(self) -> None:
        """Forget everything: the next request starts from the store's snapshot."""
        self._indexes.clear()
        self._weights.clear()
        self.clear_computed()


#: The one service of a store.
service_for = PerStore(CoverageService)
