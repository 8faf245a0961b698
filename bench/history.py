"""What history costs: writes, reading the past, and series against one date.

The issue "History" sets three bars, printed here as ratios measured in one run (medians of
``--repeat`` runs, never the best; the sides alternate, so a change in the machine's load
falls on all of them):

- **Writes with history within 1.3x** of the same writes without it, on the embedded store
  (bench/neo4j_ingest.py measures Neo4j). "Without" is the same store with the one call that
  stores a change set (``graph.sqlite_history.insert``) replaced by a no-op for the run, so
  everything else (planning, the data rows, the commit) is equal. Two workloads after the
  seed: the synthetic network written in batches of 50,000 records (an import), and 200
  single-node updates (mutations, one transaction each).
- **A query with ``asOf`` or ``knownAt`` within 1.5x** of the same query without them, cold:
  the store opened afresh before each run (opening is not timed), so nothing is cached and
  every snapshot, network and index is built. ``knownAt`` names the revision before a stream
  of updates (ended partnerships, actors' focus groups changed from a date of their own, new
  partnerships): the store rewinds them and builds a past store of that revision.
- **A series of 8 dates within 3x** of one date, cold: ``centralitySeries`` (PageRank) and
  ``coverageSeries`` over 8 quarter ends, against ``centrality`` and ``coverageMatrix`` at the
  last of them.

Queries run in process through the GraphQL schema (``schema.execute``) with an analyst's
policy, so the API's own code paths and caches are measured, without HTTP. The network is the
synthetic one of bench/synthetic.py plus the update stream, kept as
``<workdir>/history-<N>.db``.

Run: ``.venv/bin/python bench/history.py [--actors 20000] [--repeat 3] [--skip-writes]
[--skip-reads]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from api.context import Context
from api.policy import Policy
from api.schema import schema
from bench.synthetic import WORKDIR, seeded_store
from graph import sqlite_history
from graph.batching import batched
from graph.embedded import EmbeddedStore
from graph.keys import Role
from graph.model import NodeKind, RelType
from graph.store import NodeWrite, RelEnd, RelWrite
from seeds.illustrative import seed_changes
from seeds.synthetic import generate

BATCH = 50_000
UPDATES = 200
STREAM = 500
LAST = "2024-06-30"
QUARTERS = '{from: "2022-09-30", to: "2024-06-30", every: QUARTER}'
TOP = "top: 20"
CENTRALITY = "{ centrality(measure: PAGERANK, %s%s) { revision entries { rank node { key } } } }"
SERIES = (
    "{ centralitySeries(measure: PAGERANK, %s, dates: %s) "
    "{ points { asOf entries { rank previousRank node { key } } } gainers { rankChange } } }"
)
MATRIX = "{ coverageMatrix(groupBy: [REGION, THEME]%s) { cells { gapScore } } }"
COVERAGE_SERIES = (
    "{ coverageSeries(groupBy: [REGION, THEME], dates: %s) "
    "{ points { matrix { cells { gapScore } } } worsened { gapChange } } }"
)


# --------------------------------------------------------------------------- writes


@contextlib.contextmanager
def history(on: bool) -> Iterator[None]:
    real = sqlite_history.insert
    if not on:
        sqlite_history.insert = lambda *args, **kwargs: None
    try:
        yield
    finally:
        sqlite_history.insert = real


async def ingest(actors: int, on: bool) -> tuple[float, float]:
    """Seconds to write the synthetic network, then ``UPDATES`` single-node updates."""
    with tempfile.TemporaryDirectory() as tmp, history(on):
        store = EmbeddedStore(Path(tmp) / "h.db")
        await store.open()
        try:
            await store.apply(list(seed_changes()))
            records = list(generate(actors, seed=7))
            gc.collect()
            t0 = time.perf_counter()
            for batch in batched(records, BATCH):
                await store.apply(batch)
            bulk = time.perf_counter() - t0
            nodes = [r for r in records if isinstance(r, NodeWrite)][:UPDATES]
            t0 = time.perf_counter()
            for i, n in enumerate(nodes):
                await store.apply([NodeWrite(n.kind, n.id, {**n.props, "description": f"v{i}"})])
            single = time.perf_counter() - t0
        finally:
            await store.close()
    return bulk, single


async def writes(actors: int, repeat: int) -> list[str]:
    runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(repeat):
        for on in (False, True):
            runs[on].append(await ingest(actors, on))
    rows = []
    for i, name in enumerate((f"bulk write (batches of {BATCH:,})", f"{UPDATES} single updates")):
        without = statistics.median(r[i] for r in runs[False])
        with_history = statistics.median(r[i] for r in runs[True])
        rows.append(_row(name, "without history", without, "with", with_history, 1.3))
    return rows


# --------------------------------------------------------------------------- reads


async def history_store(workdir: Path, actors: int) -> tuple[Path, int]:
    """The synthetic network with a stream of updates after it; the revision before them."""
    path = workdir / f"history-{actors}.db"
    marker = workdir / f"history-{actors}.before"
    if path.exists() and marker.exists():
        return path, int(marker.read_text())
    scratch = workdir / f".history-{actors}.db"
    shutil.copy(seeded_store(workdir, actors), scratch)
    store = EmbeddedStore(scratch)
    await store.open()
    try:
        before = await store.revision()
        rng = random.Random(11)
        records = await store.records(frozenset({RelType.PARTNERS_IN}))
        cso = [n for n in records.nodes if n.kind is NodeKind.CIVIL_SOCIETY_ORGANIZATION]
        programmes = [n.id for n in records.nodes if n.kind is NodeKind.PROGRAMME]
        partnerships = list(records.relationships)
        for i in range(STREAM):
            choice = i % 3
            if choice == 0:  # a partnership ended
                r = rng.choice(partnerships)
                start = int(str(r.props.get("since") or "2015")[:4])
                end = f"{rng.randrange(min(max(2016, start + 1), 2026), 2027)}-06-30"
                await store.apply([RelEnd(r.id, end)])
            elif choice == 1:  # an actor's focus changed, from a day of its own
                a = rng.choice(cso)
                props = {**a.props, "focus_groups": [rng.choice(["YOUTH", "WOMEN", "MEDIA"])]}
                day = f"{rng.randrange(2019, 2026)}-0{rng.randrange(1, 10)}-01"
                await store.apply([NodeWrite(a.kind.value, a.id, props, valid_from=day)])
            else:  # a new partnership
                a, p = rng.choice(cso), rng.choice(programmes)
                since = f"{rng.randrange(2018, 2026)}-01-01"
                props = {"role": "IMPLEMENTING", "since": since}
                await store.apply([RelWrite("PARTNERS_IN", f"stream-{i}", a.id, p, props)])
    finally:
        await store.close()
    scratch.rename(path)
    marker.write_text(str(before))
    return path, before


async def cold(path: Path, query: str) -> float:
    """Seconds to answer ``query`` on a freshly opened store (the open is not timed)."""
    store = EmbeddedStore(path)
    await store.open()
    try:
        ctx = Context(store=store, policy=Policy(role=Role.ANALYST))
        gc.collect()
        t0 = time.perf_counter()
        result = await schema.execute(query, context_value=ctx)
        elapsed = time.perf_counter() - t0
        assert not result.errors, result.errors
        return elapsed
    finally:
        await store.close()


async def reads(path: Path, before: int, repeat: int) -> list[str]:
    queries = {
        "now": CENTRALITY % (TOP, ""),
        "asOf": CENTRALITY % (TOP, f', filter: {{asOf: "{LAST}"}}'),
        "knownAt": CENTRALITY % (TOP, f", knownAt: {before}"),
        "series": SERIES % (TOP, QUARTERS),
        "matrix now": MATRIX % "",
        "matrix asOf": MATRIX % f', asOf: "{LAST}"',
        "matrix knownAt": MATRIX % f", knownAt: {before}",
        "coverage series": COVERAGE_SERIES % QUARTERS,
    }
    times: dict[str, list[float]] = {k: [] for k in queries}
    for _ in range(repeat):
        for name, query in queries.items():
            times[name].append(await cold(path, query))
    t = {k: statistics.median(v) for k, v in times.items()}
    return [
        _row("centrality PageRank", "now", t["now"], f"asOf {LAST}", t["asOf"], 1.5),
        _row("centrality PageRank", "now", t["now"], f"knownAt {before}", t["knownAt"], 1.5),
        _row("centrality PageRank", f"asOf {LAST}", t["asOf"], "8 quarters", t["series"], 3.0),
        _row("coverage matrix", "now", t["matrix now"], "asOf", t["matrix asOf"], 1.5),
        _row("coverage matrix", "now", t["matrix now"], "knownAt", t["matrix knownAt"], 1.5),
        _row("coverage matrix", "asOf", t["matrix asOf"], "8 quarters", t["coverage series"], 3.0),
    ]


def _row(what: str, base: str, a: float, other: str, b: float, target: float) -> str:
    mark = "ok" if b / a <= target else "MISS"
    return f"| {what} | {base}: {a:.3f} s | {other}: {b:.3f} s | {b / a:.2f}x | {target}x {mark} |"


async def main_async(args: argparse.Namespace) -> None:
    repeat = max(3, args.repeat)
    print(f"## history, embedded store, {args.actors:,} synthetic actors, medians of {repeat}")
    print()
    print("| workload | base | with history | ratio | target |")
    print("|---|---|---|---|---|")
    if not args.skip_writes:
        for row in await writes(args.actors, repeat):
            print(row, flush=True)
    if args.skip_reads:
        return
    path, before = await history_store(Path(args.workdir), args.actors)
    for row in await reads(path, before, repeat):
        print(row, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default=str(WORKDIR))
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
