"""Neo4j ingest and snapshot speed, with ratios measured side by side in this one run.

1. **Batched import**: the synthetic generator's output cut at 100,000 relationships, written
   by one ``Neo4jStore.apply`` (planning, then one transaction of UNWIND batches), over the
   reference + illustrative seed. Reported as relationships (and records) per second.
2. **Batched vs one transaction per row** on a sample of the same records (default 1,000):
   one ``apply`` per record, then the same records as one ``apply`` (best of 5, each copy
   under fresh ids so every run really writes), both over the freshly seeded database.
   Target: batched at least 50x faster. Also shown: the full import's throughput against
   the per-row throughput.
3. **Snapshot load time** of the full graph (``snapshot()``, cold, best of 3), each codec
   in a fresh process: with ``neo4j-rust-ext`` (when installed) and pure Python.

The machine's load average is printed too: on a shared machine, absolute times move with
it, ratios much less (short runs take the best of several for that reason).

The database is wiped (``reset``). Against ``NEO4J_URI`` (and ``NEO4J_USER``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) it refuses to wipe a non-empty database unless given
``--reset``; without ``NEO4J_URI`` it starts a private server (port 7691, data in
``.neo4j/bench``) through ``tools/neo4j-test-server/up.sh`` and stops it afterwards.

Run: ``.venv/bin/python bench/neo4j_ingest.py [--relationships N] [--sample N]
[--batch-size N] [--reset]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
if "--no-rust" in sys.argv:  # before anything imports the driver: hide the Rust codec
    sys.modules["neo4j._rust"] = None  # type: ignore[assignment]

from api.cli import seed_store  # noqa: E402
from graph.factory import Neo4jConfig  # noqa: E402
from graph.neo4j import Neo4jStore, create_driver  # noqa: E402
from graph.store import Change, NodeWrite, RelWrite  # noqa: E402
from seeds.synthetic import generate  # noqa: E402

PRIVATE_PORT = 7691
TARGET_RATIO = 50
SAMPLE_REPEATS, SNAPSHOT_REPEATS = 5, 3


def config(batch_size: int) -> Neo4jConfig:
    return Neo4jConfig(
        uri=os.environ["NEO4J_URI"],
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD", "partnernet-dev"),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        timeout=120.0,
        batch_size=batch_size,
    )


def new_store(batch_size: int) -> Neo4jStore:
    """A store over a driver of its own: closing the store closes the driver."""
    cfg = config(batch_size)
    return Neo4jStore(create_driver(cfg), cfg, owns_driver=True)


def synthetic(relationships: int) -> list[Change]:
    """The generator's stream, cut right after the N-th relationship (nodes always come
    before the relationships that use them, so the cut is self-contained)."""
    out: list[Change] = []
    rels = 0
    for change in generate(relationships // 7, seed=7):  # ~7.8 relationships per actor
        out.append(change)
        if isinstance(change, RelWrite):
            rels += 1
            if rels == relationships:
                return out
    raise SystemExit(f"the generator yielded only {rels} relationships")


def renamed(changes: list[Change], tag: str) -> list[Change]:
    """The same records under new ids (references to nodes outside them kept), so a batch
    can be written again for real instead of being recognised as a no-op."""
    own = {c.id for c in changes if isinstance(c, NodeWrite)}

    def rn(node_id: str) -> str:
        return f"{tag}-{node_id}" if node_id in own else node_id

    out: list[Change] = []
    for c in changes:
        if isinstance(c, NodeWrite):
            out.append(replace(c, id=rn(c.id)))
        elif isinstance(c, RelWrite):
            out.append(replace(c, id=f"{tag}-{c.id}", start=rn(c.start), end=rn(c.end)))
    return out


async def fresh(store: Neo4jStore) -> None:
    await store.reset()
    await seed_store(store, quiet=True)


async def timed_apply(store: Neo4jStore, changes: list[Change]) -> float:
    started = time.perf_counter()
    await store.apply(changes)
    return time.perf_counter() - started


async def per_row(store: Neo4jStore, changes: list[Change]) -> float:
    started = time.perf_counter()
    for change in changes:
        await store.apply([change])
    return time.perf_counter() - started


async def ingest(args: argparse.Namespace) -> dict[str, float]:
    store = new_store(args.batch_size)
    await store.open()
    try:
        if sum((await store.counts_by_kind()).values()) and not args.reset:
            raise SystemExit("the database is not empty; pass --reset to let the bench wipe it")
        changes = synthetic(args.relationships)
        sample = changes[: args.sample]
        await fresh(store)
        sample_per_row = await per_row(store, sample)
        sample_batched = min(
            [await timed_apply(store, renamed(sample, f"b{i}")) for i in range(SAMPLE_REPEATS)]
        )
        await fresh(store)
        full = await timed_apply(store, changes)
        assert (await store.revision()) == 2
        return {
            "records": len(changes),
            "relationships": sum(isinstance(c, RelWrite) for c in changes),
            "full_s": full,
            "sample": len(sample),
            "sample_batched_s": sample_batched,
            "sample_per_row_s": sample_per_row,
        }
    finally:
        await store.close()


def snapshot_child(args: argparse.Namespace) -> None:
    """Runs in a fresh process (``--no-rust`` hid the Rust codec at import time)."""

    async def load() -> dict[str, float]:
        store = new_store(args.batch_size)
        await store.open()
        try:
            seconds = float("inf")
            for _ in range(SNAPSHOT_REPEATS):
                store._snapshots.clear()  # cold every time: no cached snapshot
                started = time.perf_counter()
                snap = await store.snapshot()
                seconds = min(seconds, time.perf_counter() - started)
            return {
                "rust": any(name.startswith("neo4j._rust.") for name in sys.modules),
                "seconds": seconds,
                "nodes": snap.graph.number_of_nodes(),
                "edges": snap.graph.number_of_edges(),
            }
        finally:
            await store.close()

    print(json.dumps(asyncio.run(load())))


def snapshot_in_child(args: argparse.Namespace, rust: bool) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--snapshot-child", "--batch-size", str(args.batch_size)]
    if not rust:
        cmd.append("--no-rust")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=900)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    assert result.pop("rust") == rust, "the codec in the child is not the one asked for"
    return result


@contextlib.contextmanager
def neo4j_server() -> Iterator[None]:
    """Use ``NEO4J_URI`` if set, else a private test server for the duration."""
    if os.environ.get("NEO4J_URI"):
        yield
        return
    env = {
        **os.environ,
        "NEO4J_TEST_PORT": str(PRIVATE_PORT),
        "NEO4J_TEST_HOME": str(REPO / ".neo4j" / "bench"),
        "NEO4J_TEST_FRESH": "1",
    }
    scripts = REPO / "tools" / "neo4j-test-server"
    subprocess.run(["bash", str(scripts / "up.sh")], env=env, check=True)
    os.environ.update(
        NEO4J_URI=f"bolt://127.0.0.1:{PRIVATE_PORT}",
        NEO4J_USER="neo4j",
        NEO4J_PASSWORD=env.get("NEO4J_TEST_PASSWORD", "partnernet-dev"),
    )
    try:
        yield
    finally:
        subprocess.run(["bash", str(scripts / "down.sh")], env=env, check=False)


def rust_ext_version() -> str | None:
    try:
        return importlib.metadata.version("neo4j-rust-ext")
    except importlib.metadata.PackageNotFoundError:
        return None


def report(args: argparse.Namespace, run: dict[str, float], snaps: dict[str, dict]) -> None:
    rels, records, full = run["relationships"], run["records"], run["full_s"]
    batches = -(-int(records) // args.batch_size)
    ratio = run["sample_per_row_s"] / run["sample_batched_s"]
    print(f"neo4j ingest benchmark at {os.environ['NEO4J_URI']} (batch size {args.batch_size})")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min) at the end")
    print(
        f"synthetic data: {records:,.0f} records = {records - rels:,.0f} nodes + {rels:,.0f} "
        "relationships, over the reference + illustrative seed"
    )
    print(
        f"batched import (planning + one transaction of ~{batches} UNWIND batches): "
        f"{full:.1f} s = {rels / full:,.0f} relationships/s ({records / full:,.0f} records/s)"
    )
    print(
        f"sample of {run['sample']:,.0f} records: batched {run['sample_batched_s']:.2f} s, "
        f"one transaction per row {run['sample_per_row_s']:.1f} s "
        f"({run['sample'] / run['sample_per_row_s']:,.0f} records/s)"
    )
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(
        f"  -> batched is {ratio:.0f}x faster than one transaction per row on the sample "
        f"({verdict} the target of {TARGET_RATIO}x)"
    )
    throughput = (records / full) / (run["sample"] / run["sample_per_row_s"])
    print(f"  -> full batched import vs one transaction per row, records/s: {throughput:.0f}x")
    for name, snap in snaps.items():
        print(
            f"snapshot load, {name}: {snap['seconds']:.2f} s for "
            f"{snap['nodes']:,.0f} nodes + {snap['edges']:,.0f} edges"
        )
    if len(snaps) == 2:
        with_rust, without = (s["seconds"] for s in snaps.values())
        print(f"  -> neo4j-rust-ext makes the snapshot {without / with_rust:.1f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--reset", action="store_true", help="allow wiping a non-empty DB")
    parser.add_argument("--snapshot-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-rust", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.snapshot_child:
        snapshot_child(args)
        return
    with neo4j_server():
        run = asyncio.run(ingest(args))
        snaps = {}
        version = rust_ext_version()
        if version:
            snaps[f"with neo4j-rust-ext {version}"] = snapshot_in_child(args, rust=True)
        snaps["pure-Python codec"] = snapshot_in_child(args, rust=False)
    report(args, run, snaps)


if __name__ == "__main__":
    main()
