"""Coverage results for the API: computed once per (revision, parameters, caller's view).

Dashboards poll the same few matrices all day, so three caches sit between a request and the
analytics, all keyed by the graph revision (any write, weights included, bumps it, so nothing
is ever stale and nothing needs invalidating):

- the :class:`~analytics.coverage.EngagementIndex` of the revision (built from the store's
  full-history snapshot);
- :class:`~analytics.coverage_report.Cube` per (window, geography basis): its tables and
  suppression decisions grow as queries need them, so a second grouping of the same data
  reuses the first one's work and sees the same decisions;
- finished results per (kind of result, parameters, caller's view), LRU.

Concurrent identical requests share one computation (single flight). Work on large graphs
runs in a worker thread so the event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final, TypeVar

from analytics.coverage import EngagementIndex, GeographyBasis, Window, build_index
from analytics.coverage_report import Cube
from graph.store import GraphStore, WeightScope

T = TypeVar("T")

#: Engagements above which work leaves the event loop for a worker thread.
THREAD_THRESHOLD: Final = 20_000
RESULTS_CACHE_SIZE: Final = 256
CUBES_CACHE_SIZE: Final = 32
INDEXES_KEPT: Final = 2


class _Lru:
    """A bounded mapping, least recently used out first; safe from worker threads too."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class CoverageService:
    """The coverage caches of one store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._indexes: OrderedDict[int, EngagementIndex] = OrderedDict()
        self._weights: dict[int, dict[tuple[WeightScope, str], float]] = {}
        self._cubes = _Lru(CUBES_CACHE_SIZE)
        self._results = _Lru(RESULTS_CACHE_SIZE)
        #: Finished GraphQL results (see :mod:`api.coverage.responses`).
        self.responses = _Lru(RESULTS_CACHE_SIZE)
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}

    async def _once(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """Run ``make`` once for concurrent callers of the same key."""
        running = self._inflight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await make()
        except BaseException as err:
            future.set_exception(err)
            future.exception()  # retrieved: waiters re-raise it, nobody else needs to
            raise
        finally:
            self._inflight.pop(key, None)
        future.set_result(value)
        return value

    async def index(self) -> EngagementIndex:
        """The index of the store's current revision."""
        revision = await self.store.revision()
        found = self._indexes.get(revision)
        if found is not None:
            return found

        async def build() -> EngagementIndex:
            snap = await self.store.snapshot(None)
            graph = snap.graph
            if graph.number_of_edges() > THREAD_THRESHOLD:
                index = await asyncio.to_thread(build_index, graph, snap.revision)
            else:
                index = build_index(graph, snap.revision)
            self._indexes[snap.revision] = index
            while len(self._indexes) > INDEXES_KEPT:
                self._indexes.popitem(last=False)
            return index

        return await self._once(("index", revision), build)

    async def weights(self, revision: int) -> dict[tuple[WeightScope, str], float]:
        found = self._weights.get(revision)
        if found is None:
            found = await self.store.need_weights()
            self._weights = {revision: found}
        return found

    def cube(self, index: EngagementIndex, window: Window, basis: GeographyBasis) -> Cube:
        key = (index.revision, window, basis)
        cube: Cube | None = self._cubes.get(key)
        if cube is None:
            cube = Cube(index, window, basis)
            self._cubes.put(key, cube)
        return cube

    async def result(
        self,
        key: Hashable,
        compute: Callable[[EngagementIndex, dict[tuple[WeightScope, str], float]], T],
    ) -> T:
        """The cached result for ``key`` at the current revision, computing it on a miss.

        ``compute(index, weights)`` runs in a worker thread when the graph is large.
        """
        revision = await self.store.revision()
        found = self._results.get((revision, key))
        if found is not None:
            return found

        async def make() -> T:
            index = await self.index()
            weights = await self.weights(index.revision)
            if index.engagements > THREAD_THRESHOLD:
                value = await asyncio.to_thread(compute, index, weights)
            else:
                value = compute(index, weights)
            self._results.put((index.revision, key), value)
            return value

        return await self._once((revision, key), make)

    def clear_computed(self) -> None:
        """Forget results, tables and suppression decisions, keeping the revision's index:
        the next request computes its answer (benchmarks of the uncached path use this)."""
        self._results = _Lru(RESULTS_CACHE_SIZE)
        self._cubes = _Lru(CUBES_CACHE_SIZE)
        self.responses = _Lru(RESULTS_CACHE_SIZE)

    def clear(self) -> None:
        """Forget everything: the next request starts from the store's snapshot."""
        self._indexes.clear()
        self._weights.clear()
        self.clear_computed()


_SERVICES: weakref.WeakKeyDictionary[GraphStore, CoverageService] = weakref.WeakKeyDictionary()


def service_for(store: GraphStore) -> CoverageService:
    """The one service of a store (stores live as long as their app)."""
    service = _SERVICES.get(store)
    if service is None:
        service = _SERVICES[store] = CoverageService(store)
    return service
