"""Results computed once per (revision, parameters), in a task of their own, bounded in memory.

Every result the API derives from the graph (an analysed network, a ranking, a coverage matrix,
a lineage flow index) is cached by a key that holds the graph revision and the parameters. A
write bumps the revision, so an entry is never stale and nothing is invalidated: the next
request's key misses, and old entries age out. :class:`ResultCache` is the one way to do it:

- **Single flight.** The first request for a key starts the computation as a task of its own;
  identical requests arriving while it runs wait for that task instead of starting another.
- **Finished results only.** A result is kept once the computation returns. One that raises, or
  is cancelled, is not kept: its waiters get the error, and the next request starts afresh.
  Except refusals: errors of the ``keep_errors`` types (an analysis over its work budget) are
  as certain for the key as a result, and finding one out can cost seconds (the projection's
  cost is counted over the whole snapshot), so they are kept and raised again from the cache.
- **Bounded.** At most ``entries`` results and at most ``budget`` of weight (``weigh(result)``,
  what a result holds alive, in the caller's unit), least recently used out first
  (``cachetools.LRUCache``). A result heavier than the whole budget is kept alone until the
  next one arrives, so the latest is always at hand. Running computations are not counted:
  each has a request waiting for it, and requests are bounded (docs/SECURITY.md).
- **Off the event loop.** The computation is a coroutine; what in it blocks (an analysis, a
  compile) it hands to a worker thread, so the loop keeps serving while it runs.

**Cancellation: a computation runs while someone waits for it.** Each waiter awaits the task
through :func:`asyncio.shield`, so a waiter that is cancelled (its client disconnected, or its
deadline passed: api/guard/asgi.py) leaves alone, and the others keep waiting for the same
computation. When the last waiter leaves, the computation is cancelled and forgotten. Why not
the alternatives:

- *Waiters share the first caller's fate* (what lineage did): the first caller is the first to
  reach its deadline, so every request that joined it later would fail with a cancellation that
  was not its own, time left or not, and one client hanging up would fail everyone else's.
- *Always finish and cache* (what centrality did): work nobody waits for would outlive the
  deadline that bounds every request, and a caller could start many distinct costly analyses
  and hang up, leaving the server computing for nobody; docs/SECURITY.md rules out "a request
  that runs on after its client has gone". Nothing is left running at shutdown either.

What a worker thread is already doing cannot be interrupted: cancelling stops the computation
at its next ``await`` (no later step starts) and the thread's result is dropped. Work budgets
bound what a thread may do before it starts (docs/METRICS.md). A computation that awaits
another cache's entry is one of that entry's waiters, so cancelling it cancels the inner one
too, unless another request still waits for it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cachetools import Cache, LRUCache

from graph.store import GraphStore

T = TypeVar("T")
S = TypeVar("S")


@dataclass
class Stats:
    """Counters the tests read to prove single flight: computations started, and requests that
    joined a computation already running."""

    computed: int = 0
    shared: int = 0


@dataclass(frozen=True)
class _Refused:
    """A kept refusal (see ``keep_errors``)."""

    error: Exception


class _Flight:
    """A running computation and how many requests wait for it."""

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.waiters = 0


class ResultCache:
    """Results by key (which must hold the revision), computed once, kept within bounds.

    >>> cache = ResultCache(entries=2)
    >>> async def answer() -> int:
    ...     return 42
    >>> asyncio.run(cache.get((7, "question"), answer))
    42
    >>> cache.stats
    Stats(computed=1, shared=0)
    """

    def __init__(
        self,
        *,
        entries: int,
        budget: float = math.inf,
        stats: Stats | None = None,
        keep_errors: tuple[type[Exception], ...] = (),
    ) -> None:
        self.entries = entries
        self.budget = budget
        self.keep_errors = keep_errors
        #: Shared between caches where a test counts the computations of a whole area.
        self.stats = stats or Stats()
        self._done: LRUCache[Hashable, tuple[Any, float]] = LRUCache(
            maxsize=budget, getsizeof=lambda kept: kept[1]
        )
        self._running: dict[Hashable, _Flight] = {}

    async def get(
        self,
        key: Hashable,
        compute: Callable[[], Awaitable[T]],
        weigh: Callable[[T], float] | None = None,
    ) -> T:
        """The result for ``key``: kept, joined while it is computed, or ``await compute()``,
        weighing ``weigh(result)`` (default 1) against the budget."""
        try:
            kept = self._done[key][0]
        except KeyError:
            pass
        else:
            if isinstance(kept, _Refused):
                raise kept.error.with_traceback(None)
            return kept
        flight = self._running.get(key)
        if flight is None:
            self.stats.computed += 1
            task = asyncio.get_running_loop().create_task(self._compute(key, compute, weigh))
            flight = self._running[key] = _Flight(task)
        else:
            self.stats.shared += 1
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        finally:
            flight.waiters -= 1
            if not flight.waiters and not flight.task.done():
                flight.task.cancel()  # the last waiter left: nobody wants it any more
                if self._running.get(key) is flight:
                    del self._running[key]

    async def _compute(
        self, key: Hashable, compute: Callable[[], Awaitable[T]], weigh: Callable[[T], float] | None
    ) -> T:
        try:
            result = await compute()
        except self.keep_errors as err:
            self._keep(key, _Refused(err), 1)
            raise
        finally:
            flight = self._running.get(key)
            if flight is not None and flight.task is asyncio.current_task():
                del self._running[key]
        self._keep(key, result, weigh(result) if weigh else 1)
        return result

    def _keep(self, key: Hashable, kept: object, weight: float) -> None:
        self._done[key] = (kept, min(max(1, weight), self.budget))
        while len(self._done) > self.entries:
            self._done.popitem()

    def peek(self, key: Hashable) -> Any:
        """The result kept for ``key``, or ``None``: no computation, no refusal raised, and
        its place in the eviction order unchanged (for deriving a new result from an older
        one, which the new one then pushes out first, not another key's result).

        ``cachetools.Cache.__getitem__`` reads without the recency update that
        ``LRUCache.__getitem__`` adds (tests/api/test_results_cache.py checks it)."""
        if key not in self._done:
            return None
        kept = Cache.__getitem__(self._done, key)
        return None if isinstance(kept[0], _Refused) else kept[0]

    def __iter__(self) -> Iterator[Hashable]:
        """The keys of the results kept (not of computations still running)."""
        return iter(list(self._done))

    def __len__(self) -> int:
        return len(self._done)

    def clear(self) -> None:
        """Forget every kept result (benchmarks of the uncached path); computations running
        finish for their waiters and are kept."""
        self._done.clear()


class PerStore(Generic[S]):
    """One ``make(store)`` per store, made on first use and kept in the store's ``attached``:
    the caches of an area live, and go, with the store they cache (graph/store.py says why
    not in a map keyed by the store)."""

    def __init__(self, make: Callable[[GraphStore], S]) -> None:
        self._make = make

    def __call__(self, store: GraphStore) -> S:
        found: S | None = store.attached.get(self)
        if found is None:
            found = store.attached[self] = self._make(store)
        return found
