"""Outcome lineage on the synthetic 100,000-node graph, on each store, against a plain
networkx breadth-first search over the same graph.

Builds the graph the way ``partnernet seed --synthetic`` does (reference seed, then
``seeds.synthetic.generate`` applied in batches) into an embedded store in a temporary
directory (``--db`` keeps or reuses the file), and into Neo4j when ``NEO4J_URI`` is set
(``--neo4j-reuse`` skips the load when the database already holds the same counts).

It first times, once per store, what every lineage query of a revision shares:

* ``read``: the store's ``records`` (every node and every flow relationship);
* ``compile``: building the :class:`analytics.lineage.FlowIndex` from them.

Then for each start outcome, as medians of ``--repeat`` runs after one warm-up:

* ``lineage``: :func:`analytics.lineage.outcome_lineage` over the index, with its ordered node
  and relationship id lists, which is what the 200 ms target is about;
* ``paths``: the 20 best paths of that lineage;
* ``graphql``: the ``outcomeLineage`` query (first page of 20 nodes, 10 paths) executed
  in-process on the schema with the result cache cleared (the index cache kept), then
  ``cached`` with both warm;
* ``nx bfs``: ``networkx.single_source_shortest_path_length`` with the same cutoff on a
  ``DiGraph`` of the same relationships oriented the same way (built once, untimed) — the
  peer, i.e. the cost of merely visiting the same nodes in Python.

Ratios are taken within the same run. The synthetic outcomes form a tree under
``syn-out-0000000`` with fan-in 20, and each is produced by an activity of a Zipf-popular
programme, so a high-level outcome's upstream lineage reaches most partners of the most
popular programmes: the rows show how time grows with the size of the lineage.

Run: ``.venv/bin/python bench/lineage.py [--actors N] [--db PATH] [--repeat R]``.
The machine is shared; read the ratios, and absolute times as upper bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx

from analytics import lineage as L
from api.cli import SYNTHETIC_BATCH, seed_store
from api.context import Context
from api.lineage.cache import RESULTS
from api.policy import Policy
from api.schema import schema
from graph.embedded import EmbeddedStore
from graph.model import Relationship
from graph.store import GraphStore
from seeds.synthetic import generate

DEPTH = 10
#: Start outcomes, from the root of the synthetic tree (IMPACT, whose depth-10 lineage is
#: nearly the whole graph) down to outcomes whose lineage is a few hundred nodes.
STARTS = ["syn-out-0000000", "syn-out-0000150", "syn-out-0000500", "syn-out-0004000"]
TARGET_MS = 200.0
QUERY = """query ($id: ID!) { outcomeLineage(outcome: $id, depth: 10) {
  nodes(first: 20) { totalCount edges { node { hops share node { key name } } } }
  paths(first: 10) { truncated paths { share nodes { key } } } } }"""


async def build(store: GraphStore, actors: int) -> None:
    await seed_store(store, quiet=True)
    it = generate(actors)
    done = 0
    started = time.perf_counter()
    while batch := list(islice(it, SYNTHETIC_BATCH)):
        await store.apply(batch)
        done += len(batch)
        print(f"\r  loaded {done:,} records ({time.perf_counter() - started:.0f} s)", end="")
    print()


async def timed(work: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    """Median milliseconds of ``repeat`` runs after one warm-up, and the last result."""
    result = await work()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = await work()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


async def peer_graph(store: GraphStore) -> nx.DiGraph:
    """The lineage relationships as a plain DiGraph, oriented from outcome to contributor."""
    g = nx.DiGraph()
    async for record in store.export_records():
        if isinstance(record, Relationship) and record.type in L.FLOW_TYPES:
            contributor, beneficiary = L.flow_ends(record)
            g.add_edge(beneficiary, contributor)
    return g


async def measure(name: str, store: GraphStore, peer: nx.DiGraph, repeat: int) -> None:
    counts = await store.counts_by_kind()
    print(f"\n== {name}: {sum(counts.values()):,} nodes, revision {await store.revision()}")
    t = time.perf_counter()
    found = await store.records(L.FLOW_TYPES)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    index = L.FlowIndex(found.nodes, found.relationships)
    t_compile = time.perf_counter() - t
    print(
        f"once per revision: read {len(found.nodes):,} nodes + {len(found.relationships):,} "
        f"relationships {t_read:.2f} s, compile {len(index.factor):,} links {t_compile:.2f} s"
    )
    header = (
        f"{'start':<16} {'nodes':>7} {'links':>7} {'lineage':>9} {'paths':>7} "
        f"{'graphql':>9} {'cached':>7} {'nx bfs':>8} {'lin/bfs':>8}  same  <200ms"
    )
    print(header)
    ctx = Context(store=store, policy=Policy())
    for start in STARTS:

        async def lineage(s: str = start) -> L.Lineage:
            found = L.outcome_lineage(index, s, depth=DEPTH)
            _ = found.node_ids, found.edge_ids  # ordered lists are lazy: count them in
            return found

        t_lineage, lin = await timed(lineage, repeat)

        def paths(found: L.Lineage = lin) -> Awaitable[Any]:
            return _sync(lambda: found.paths(20))

        t_paths, _ = await timed(paths, repeat)

        async def query(s: str = start, clear: bool = True) -> Any:
            if clear:
                RESULTS(store).clear()
            result = await schema.execute(QUERY, {"id": s}, context_value=ctx)
            assert not result.errors, result.errors
            return result

        t_graphql, _ = await timed(query, repeat)

        def cached(s: str = start) -> Awaitable[Any]:
            return query(s, clear=False)

        def bfs(s: str = start) -> Awaitable[Any]:
            return _sync(lambda: nx.single_source_shortest_path_length(peer, s, cutoff=DEPTH))

        t_cached, _ = await timed(cached, repeat)
        t_bfs, reached = await timed(bfs, repeat)
        same = set(reached) == set(lin.node_ids)
        print(
            f"{start:<16} {len(lin.node_ids):>7,} {len(lin.edge_ids):>7,} "
            f"{t_lineage:>7.1f}ms {t_paths:>5.1f}ms {t_graphql:>7.1f}ms {t_cached:>5.1f}ms "
            f"{t_bfs:>6.1f}ms {t_lineage / t_bfs:>7.1f}x  {'yes' if same else 'NO':<4}  "
            f"{'yes' if t_lineage < TARGET_MS else 'no'}"
        )


async def _sync(fn: Callable[[], Any]) -> Any:
    return fn()


async def embedded(args: argparse.Namespace) -> tuple[EmbeddedStore, nx.DiGraph]:
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="lineage-bench-")) / "g.db"
    fresh = not path.exists()
    store = EmbeddedStore(path)
    t = time.perf_counter()
    await store.open()
    if fresh:
        print(f"building the synthetic graph ({args.actors:,} actors) in {path}")
        await build(store, args.actors)
    print(f"embedded store ready in {time.perf_counter() - t:.0f} s ({path})")
    return store, await peer_graph(store)


async def neo4j(args: argparse.Namespace, peer: nx.DiGraph, reference: GraphStore) -> None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        print("\n== neo4j: skipped (set NEO4J_URI to measure the Neo4j store)")
        return
    try:
        from graph.factory import Neo4jConfig
        from graph.neo4j import Neo4jStore, create_driver
    except ImportError as err:
        print(f"\n== neo4j: the Neo4j store is not available ({err}); not measured")
        return
    cfg = Neo4jConfig(
        uri=uri,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD", "partnernet-dev"),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        timeout=float(os.environ.get("NEO4J_TIMEOUT", "600")),
    )
    store = Neo4jStore(create_driver(cfg), cfg, owns_driver=True)  # closing it closes the driver
    await store.open()
    try:
        want = await reference.counts_by_kind()
        if not (args.neo4j_reuse and await store.counts_by_kind() == want):
            print(f"\nloading the same graph into Neo4j at {uri} (this takes a while)")
            await store.reset()
            await build(store, args.actors)
        await measure("neo4j", store, peer, args.repeat)
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=86_000, help="synthetic actors (~100k nodes)")
    parser.add_argument("--db", help="embedded store file to build once and reuse")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure")
    parser.add_argument("--neo4j-reuse", action="store_true", help="reuse a loaded Neo4j graph")
    args = parser.parse_args()
    store, peer = await embedded(args)
    try:
        print(f"peer graph: {peer.number_of_nodes():,} nodes, {peer.number_of_edges():,} edges")
        await measure("embedded", store, peer, args.repeat)
        await neo4j(args, peer, store)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
