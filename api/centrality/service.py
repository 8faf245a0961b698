"""Network analyses for the API: cached per (revision, parameters), computed once, off the loop.

Why each piece:

- **Cache keyed by revision** (:class:`api.core.cache.ResultCache`: single flight, bounded,
  cancelled when nobody waits). Every write bumps the graph revision, so a result keyed by
  (revision, parameters) is never stale and nothing needs invalidating; a dashboard polling
  the same ranking costs one revision lookup. Analysed graphs are cached the same way, which
  also keeps alive the backends' converted views of them (analytics/_fast.py caches per graph
  object), so a second measure on the same network skips conversion.
- **Off the event loop.** Projections and measures run in a small thread pool, so the server
  keeps answering other requests during a minute of exact betweenness. Two workers: the
  compiled backends are multithreaded already, and more would only contend for the cores.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import networkx as nx

from analytics.advance import advance_simple, unchanged
from analytics.centrality import DEFAULT_WORK_BUDGET
from analytics.coverage import GeographyBasis, build_index
from analytics.errors import AnalysisTooLarge
from analytics.resilience import Cell, CellEngagements, cell_engagements, programme_activities
from api.centrality.graphs import (
    analysed_graph,
    coverage_graph,
    coverage_window,
    default_network,
)
from api.centrality.params import NetworkParams, Projection
from api.core.cache import PerStore, ResultCache, Stats
from graph.bulk import paused_gc
from graph.model import RelType
from graph.store import GraphRecords, GraphStore

T = TypeVar("T")
log = logging.getLogger("partnernet")
DEFAULT: Final = NetworkParams()
EVERY_TYPE: Final = frozenset(RelType)

#: Work budget of all-pairs measures (``sources * edges``); see docs/METRICS.md.
WORK_BUDGET: int = DEFAULT_WORK_BUDGET
#: Analysed networks kept per store: few, since one of a 1M-relationship graph is large.
NETWORKS_KEPT: Final = 4
#: Cell tables and finished results kept per store.
RESULTS_KEPT: Final = 128
#: Threads that run analyses.
WORKERS: Final = 2

_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    """The analysis thread pool, started on first use (never at import)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="partnernet-analysis")
    return _executor


#: Computations started and joined, over every store (the tests read it).
STATS = Stats()


@dataclass(eq=False)
class Network:
    """An analysed network, the revision it was built from, and the snapshot it was built
    from (the next revision's network is derived from the two: analytics/advance.py).

    A network made from the store's records has no snapshot at first; it is set once, when
    the one of the same revision has been built (:meth:`AnalysisService._settle`). Nothing
    else changes."""

    revision: int
    graph: nx.Graph
    snapshot: nx.MultiDiGraph | None
    #: Which graph this is: a network derived from another without change (a write it does
    #: not hold, such as need weights) keeps its number, and with it the results computed
    #: on it (``AnalysisService.analyse``).
    generation: int


class AnalysisService:
    """The analysis caches of one store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        # Refusals (work over the budget) are kept like results: see ResultCache.
        refusals = (AnalysisTooLarge,)
        self._networks = ResultCache(entries=NETWORKS_KEPT, stats=STATS, keep_errors=refusals)
        self._results = ResultCache(entries=RESULTS_KEPT, stats=STATS, keep_errors=refusals)
        self._generations = itertools.count(1)
        #: Snapshots being built for networks made from records, by revision.
        self._settling: dict[int, asyncio.Task[None]] = {}
        #: The records the newest network made from them was made from, until it settles.
        self._records: GraphRecords | None = None

    async def _off_loop(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(executor(), fn, *args)

    async def network(self, params: NetworkParams) -> Network:
        """The analysed network of ``params`` at the current revision."""
        revision = await self.store.revision()

        budget = WORK_BUDGET  # in the key: a refusal is kept, and it depends on the budget

        async def make() -> Network:
            if params == DEFAULT:
                await self._settled(before=revision)  # a snapshot due: derive from it
                found = self._previous(params, budget, revision)
                if found is None or self.store.written(found.revision, revision) is None:
                    return await self._from_records()
            snap = await self.store.snapshot(params.snapshot_date)
            before = self._previous(params, budget, snap.revision)

            def build() -> nx.Graph:
                with paused_gc():  # a collection would walk every snapshot held, many times
                    if before is not None:
                        found = advance_simple(before.graph, before.snapshot, snap.graph)
                        if found is not None:
                            return found
                    return analysed_graph(snap.graph, params, budget)

            graph = await self._off_loop(build)
            if before is not None and unchanged(before.snapshot, snap.graph):
                generation = before.generation
            else:
                generation = next(self._generations)
            return Network(snap.revision, graph, snap.graph, generation)

        return await self._networks.get((revision, params, budget), make)

    async def _from_records(self) -> Network:
        """The default network with no earlier one to derive it from (after a start, or
        writes this process holds no record of: another process's, on Neo4j): made from the
        store's records without the snapshot, whose build costs several times the network's
        (api/centrality/graphs.py). The snapshot, which the next revision's network
        is derived from, is built after this network's first answer (:meth:`_settle`)."""
        records = await self.store.records(EVERY_TYPE)

        def build() -> nx.Graph:
            with paused_gc():
                return default_network(records)

        graph = await self._off_loop(build)
        self._records = records
        return Network(records.revision, graph, None, next(self._generations))

    def _settle(self, network: Network) -> None:
        """Build, in the background, the snapshot a network made from records lacks: after a
        write, the next network is derived from the two (analytics/advance.py), in a fraction
        of a full build. Started once the network has answered, so that the first answer does
        not share the interpreter with the build."""
        records = self._records
        if network.snapshot is not None or records is None or records.revision != network.revision:
            return
        self._records = None
        task = asyncio.get_running_loop().create_task(self._attach_snapshot(network, records))
        self._settling[network.revision] = task
        task.add_done_callback(lambda _: self._settling.pop(network.revision, None))

    async def _attach_snapshot(self, network: Network, records: GraphRecords) -> None:
        try:
            # Its node table, made from the same records (a mapping: copied off the loop).
            snap = await self.store.snapshot_of(records, network.graph.nodes)
        except Exception:  # the store closed meanwhile, or failed: the next write rebuilds
            log.warning(
                "no snapshot for the network of revision %d", network.revision, exc_info=True
            )
            return
        if snap.revision == network.revision:
            network.snapshot = snap.graph

    async def _settled(self, before: int | None = None) -> None:
        """Wait for the snapshots being built for networks made from records (of revisions
        before ``before``). ``asyncio.wait``: a caller cancelled does not cancel the builds."""
        while pending := [t for r, t in self._settling.items() if before is None or r < before]:
            await asyncio.wait(pending)

    async def close(self) -> None:
        """Stop the snapshot builds still running (the app stops; the store closes next)."""
        for task in list(self._settling.values()):
            task.cancel()
        await self._settled()

    async def settled(self) -> None:
        """Wait for every snapshot being built for a network made from records (benchmarks
        and tests that want the idle time a server has between requests)."""
        await self._settled()

    def _previous(self, params: NetworkParams, budget: int, revision: int) -> Network | None:
        """A kept network to derive this one from, if it is one that can be derived (the
        whole snapshot, undirected, its snapshot at hand): the newest of the same parameters
        before ``revision`` (after a write), else one of this revision at the nearest other
        date (a series)."""
        if params.projection is not Projection.FULL or params.directed or not params.unfiltered:
            return None
        keys = [key for key in self._networks if isinstance(key, tuple) and key[2] == budget]
        older = [k for k in keys if k[1] == params and k[0] < revision]
        if older:
            key = max(older, key=lambda k: k[0])
        else:
            day = params.as_of
            dated = [
                k
                for k in keys
                if k[0] == revision
                and day is not None
                and k[1].as_of is not None
                and dataclasses.replace(k[1], as_of=day) == params
            ]
            if not dated or day is None:
                return None
            key = min(dated, key=lambda k: abs((k[1].as_of - day).days))
        found = self._networks.peek(key)
        return found if isinstance(found, Network) and found.snapshot is not None else None

    async def engagements(
        self, params: NetworkParams, basis: GeographyBasis
    ) -> tuple[int, CellEngagements]:
        """Engagements per (region, theme) cell in the scope of ``params`` (coverage
        semantics): what ``whatIf`` removes."""
        revision = await self.store.revision()

        async def make() -> tuple[int, CellEngagements]:
            snap = await self.store.snapshot(None)

            def compute() -> CellEngagements:
                index = build_index(coverage_graph(snap.graph, params), snap.revision)
                return cell_engagements(index, coverage_window(params.as_of), basis)

            return snap.revision, await self._off_loop(compute)

        return await self._results.get(("engagements", revision, params, basis), make)

    async def cells(
        self, params: NetworkParams, basis: GeographyBasis
    ) -> tuple[int, dict[Cell, frozenset[str]]]:
        """Partners per (region, theme) cell in the scope of ``params`` (coverage semantics)."""
        revision = await self.store.revision()

        async def make() -> tuple[int, dict[Cell, frozenset[str]]]:
            at, found = await self.engagements(params, basis)
            return at, await self._off_loop(found.partners)

        return await self._results.get(("cells", revision, params, basis), make)

    async def activities(self) -> Mapping[Hashable, tuple[Hashable, ...]]:
        """Each programme's activities, over the whole history (``PART_OF`` classifies, as in
        coverage): a programme removed by ``whatIf`` takes them with it."""
        revision = await self.store.revision()

        async def make() -> Mapping[Hashable, tuple[Hashable, ...]]:
            snap = await self.store.snapshot(None)
            return await self._off_loop(programme_activities, snap.graph)

        return await self._results.get(("activities", revision), make)

    async def analyse(
        self, params: NetworkParams, what: Hashable, compute: Callable[[nx.Graph], T]
    ) -> tuple[int, T]:
        """``compute(graph)`` on the analysed network, cached under ``what`` (which must
        name everything ``compute`` depends on besides the network)."""
        network = await self.network(params)

        async def make() -> T:
            return await self._off_loop(compute, network.graph)

        # Keyed by the graph, not the revision: a write the network does not hold keeps it,
        # and its results (an exact betweenness of minutes survives a change of need weights).
        key = ("analysis", network.generation, params, WORK_BUDGET, what)  # the budget too
        found = await self._results.get(key, make)
        self._settle(network)
        return network.revision, found

    def clear(self) -> None:
        """Forget every cached graph and result (benchmarks of the uncached path)."""
        self._networks.clear()
        self._results.clear()


#: The one service of a store.
service_for = PerStore(AnalysisService)
