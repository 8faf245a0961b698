"""The first answer after a start and after a one-relationship write, per area and size.

What a user meets first is a cold cache: right after the server starts, and again after every
write (each write is a new revision, and every result is keyed by revision). For each size of
the synthetic network, on the embedded store, with the services the API uses:

- **centrality**: PageRank top 20 on the default network (``AnalysisService.analyse``: from
  cold the store's records, the network made from them, the measure; after a write the
  snapshot and the network derived from the previous ones, the measure);
- **coverage**: the region x theme matrix on a date, unsuppressed (``CoverageService.result``:
  snapshot, engagement index, tables);
- **lineage**: the compiled flow index every lineage query starts from (``index_for``:
  snapshot, flow index).

Three figures per area, each the median of ``--repeat`` runs: **cold** (a store just opened
for that area alone: nothing cached; coverage and lineage build the snapshot in full, the
default network is made from the records without it), **after write** (the services warm,
including the snapshot the analysis service builds after its first answer, which a server
does while idle: ``AnalysisService.settled``; then one partnership written: the snapshot and,
for the default network, the projection are derived from the previous revision's; the rest
is rebuilt), and their ratio,
the target of the issue being at most 10% at 100,000 actors. For centrality the after-write
time is also split: the **derivation** (``AnalysisService.network``: the snapshot and the
network derived from the previous revision's, what replaces a rebuild) and, the rest, the
measure itself, which no derivation removes. The write goes to a copy of the
database, so runs do not drift. Cold runs reopen the store (the load itself is not timed:
only the answer).

Run: ``.venv/bin/python bench/after_write.py [--sizes 2000,20000,100000] [--repeat 3]
[--workdir DIR]`` (databases generated once into ``--workdir``, default
``/tmp/partnernet-bench``, shared with bench/startup.py). The machine is shared: read ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from analytics.centrality import pagerank
from analytics.coverage import Dimension, GeographyBasis, Window
from analytics.coverage_report import MatrixQuery, build_matrix
from api.centrality.params import NetworkParams
from api.centrality.service import AnalysisService
from api.coverage.params import MatrixRequest
from api.coverage.service import CoverageService
from api.lineage.cache import index_for
from bench.synthetic import WORKDIR, seeded_store
from graph.embedded import EmbeddedStore
from graph.model import NodeKind
from graph.store import NodeFilter, RelWrite

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 6, 30)
AREAS = ("centrality", "coverage", "lineage")


def queries(
    store: EmbeddedStore, analysis: AnalysisService | None = None
) -> dict[str, Callable[[], Awaitable[Any]]]:
    """One first query per area, on services made for this store."""
    analysis = analysis or AnalysisService(store)
    coverage = CoverageService(store)
    request = MatrixRequest(
        MatrixQuery((Dimension.REGION, Dimension.THEME)),
        Window.as_of(AS_OF),
        GeographyBasis.PARTNER,
        None,
    )

    def matrix(index: Any, weights: Any) -> Any:
        cube = coverage.cube(index, request.window, request.basis)
        return build_matrix(cube, request.query, weights, None)

    return {
        "centrality": lambda: analysis.analyse(
            NetworkParams(), ("bench", "pagerank"), lambda g: pagerank(g).ranked(20)
        ),
        "coverage": lambda: coverage.result(("bench", request), matrix),
        "lineage": lambda: index_for(store, None, 0.0),
    }


async def ids(store: EmbeddedStore, kind: NodeKind, first: int) -> list[str]:
    page = await store.find_nodes(NodeFilter(kinds=frozenset({kind})), first=first)
    return [n.id for n in page.items]


async def timed(run: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await run()
    return time.perf_counter() - start


async def measure(
    path: Path, repeat: int
) -> tuple[dict[str, tuple[list[float], list[float]]], list[float]]:
    cold: dict[str, list[float]] = {a: [] for a in AREAS}
    warm: dict[str, list[float]] = {a: [] for a in AREAS}
    derived: list[float] = []  # of centrality's after-write time: snapshot and network
    for _ in range(repeat):
        for area in AREAS:  # each from its own start: no area's build serves another's
            store = EmbeddedStore(path)
            await store.open()
            try:
                cold[area].append(await timed(queries(store)[area]))
            finally:
                await store.close()
    store = EmbeddedStore(path)
    await store.open()
    try:
        analysis = AnalysisService(store)
        first = queries(store, analysis)
        for run in first.values():
            await run()
        await analysis.settled()
        actors = await ids(store, NodeKind.CIVIL_SOCIETY_ORGANIZATION, repeat)
        (programme,) = await ids(store, NodeKind.PROGRAMME, 1)
        for i, actor in enumerate(actors):
            await store.apply(
                [
                    RelWrite(
                        "PARTNERS_IN",
                        f"bench-after-write-{i}-{time.time_ns()}",
                        actor,
                        programme,
                        {"role": "ADVISORY", "since": "2024-01-01"},
                    )
                ]
            )
            for area, run in first.items():
                if area == "centrality":  # the same query, in two timed parts
                    derive = await timed(lambda: analysis.network(NetworkParams()))
                    derived.append(derive)
                    warm[area].append(derive + await timed(run))
                else:
                    warm[area].append(await timed(run))
    finally:
        await store.close()
    return {a: (cold[a], warm[a]) for a in AREAS}, derived


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000", help="synthetic actors, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (at least 3)")
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    args = parser.parse_args(argv)
    if args.repeat < 3:
        parser.error("--repeat must be at least 3: the figures are medians")
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()}")
    for size in (int(s) for s in args.sizes.split(",")):
        source = seeded_store(args.workdir, size)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / source.name
            shutil.copy(source, copy)
            found, derived = asyncio.run(measure(copy, args.repeat))
        print(f"\n{size:,} actors, medians of {args.repeat}")
        print(f"  {'area':<11} {'cold':>9} {'after write':>12} {'ratio':>7}   derivation")
        for area, (cold, warm) in found.items():
            c, w = statistics.median(cold), statistics.median(warm)
            note = ""
            if area == "centrality":
                d = statistics.median(derived)
                note = f"   {d:.3f}s ({d / c:.1%} of cold; the rest is the measure)"
            print(f"  {area:<11} {c:8.3f}s {w:11.3f}s {w / c:6.1%}{note}")
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
