"""Importing the field's data: an IATI activity file against the APOC JSON Lines of the same
graph, on both stores, measured side by side in one run.

The issue "Bring your own data" asks for records per second and peak memory of importing a
generated IATI file of 10,000 activities (bench/iati_file.py, with its mapping), against the
APOC JSON Lines import of the same graph. How:

1. The IATI file is generated once into the work directory, imported into a seeded store, and
   that store exported as JSON Lines: the same graph, in partnernet's own format.
2. Each run is a **child process** (so its peak resident memory, ``ru_maxrss``, is its own):
   it opens a freshly seeded store (a copy of a seeded file for the embedded store; a wiped and
   re-seeded database for Neo4j; neither timed), imports one file through
   ``graph.exchange.import_file`` exactly as ``partnernet import`` does, and prints the
   seconds, the records written and its peak memory. The JSON Lines file holds the seed too;
   those records are unchanged, so both imports write the same records.
3. The two formats alternate, ``--repeat`` times each; medians, never the best run.

The IATI import does more than the JSON Lines one by design: it parses XML, resolves codes
through the mapping, merges into stored records and stamps provenance. The ratio says what
that costs.

Run: ``.venv/bin/python bench/imports.py [--activities 10000] [--repeat 3] [--stores
embedded,neo4j]``. Neo4j: ``NEO4J_URI`` (wiped: only a test database), else a private server
(bench/neo4j_ingest.py's) with a 4 GB heap: an import is one transaction, and one of 10,000
activities (~110,000 records and their change set) needs more than Neo4j's default share of a
1 GB heap (``dbms.memory.transaction.total.max``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api.cli import seed_store  # noqa: E402
from bench.iati_file import MAPPING, write  # noqa: E402
from bench.synthetic import WORKDIR  # noqa: E402
from graph.embedded import EmbeddedStore  # noqa: E402
from graph.exchange import export_jsonl, import_file, load_mapping  # noqa: E402
from graph.store import GraphStore  # noqa: E402


def _neo4j_store() -> GraphStore:
    from bench.neo4j_ingest import new_store

    return new_store(5_000)


async def _fresh(kind: str, work: Path) -> GraphStore:
    """A freshly seeded store, not timed."""
    if kind == "embedded":
        path = work / "run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(work / "seeded.db", path)
        store: GraphStore = EmbeddedStore(path)
        await store.open()
        return store
    store = _neo4j_store()
    await store.open()
    await store.reset()  # type: ignore[attr-defined]
    await seed_store(store, quiet=True)
    return store


async def _child(kind: str, fmt: str, path: Path, work: Path) -> dict[str, float]:
    store = await _fresh(kind, work)
    try:
        mapping = load_mapping(work / "mapping.toml") if fmt == "iati" else None
        started = time.perf_counter()
        report = await import_file(store, path, fmt=fmt, mapping=mapping)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
    finally:
        await store.close()
    return {
        "seconds": seconds,
        "written": report.nodes_written + report.relationships_written,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def _prepare(kind: str, work: Path, activities: int) -> tuple[Path, Path]:
    """The IATI file, its mapping, the seeded template, and the JSON Lines of the same graph."""
    iati = work / f"iati-{activities}.xml"
    if not iati.exists():
        with iati.open("w", encoding="utf-8") as out:
            write(out, activities)
    (work / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    if kind == "embedded" and not (work / "seeded.db").exists():
        seeded = EmbeddedStore(work / "seeded.db")
        await seeded.open()
        await seed_store(seeded, quiet=True)
        await seeded.close()
    jsonl = work / f"iati-{activities}.jsonl"
    if not jsonl.exists():
        store = await _fresh(kind, work)
        try:
            await import_file(store, iati, fmt="iati", mapping=load_mapping(work / "mapping.toml"))
            with jsonl.open("w", encoding="utf-8") as out:
                await export_jsonl(store, out)
        finally:
            await store.close()
    return iati, jsonl


def _run_child(kind: str, fmt: str, path: Path, work: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, fmt, str(path), str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"{kind} {fmt} run failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _bench(kind: str, activities: int, repeat: int) -> None:
    work = WORKDIR / f"imports-{kind}"
    work.mkdir(parents=True, exist_ok=True)
    iati, jsonl = asyncio.run(_prepare(kind, work, activities))
    runs: dict[str, list[dict[str, float]]] = {"iati": [], "jsonl": []}
    for _ in range(repeat):
        for fmt, path in (("iati", iati), ("jsonl", jsonl)):
            runs[fmt].append(_run_child(kind, fmt, path, work))
    med = {
        fmt: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "written", "peak_mb")}
        for fmt, rs in runs.items()
    }
    size = {"iati": iati.stat().st_size, "jsonl": jsonl.stat().st_size}
    print(f"\n{kind} store, {activities:,} IATI activities, medians of {repeat}:")
    for fmt in ("iati", "jsonl"):
        m = med[fmt]
        print(
            f"  {fmt:<5} {size[fmt] / 1e6:6.1f} MB file  {m['written']:>8,.0f} records written  "
            f"{m['seconds']:6.2f} s  {m['written'] / m['seconds']:>8,.0f} records/s  "
            f"peak {m['peak_mb']:6.0f} MB"
        )
    print(
        f"  IATI / JSON Lines: time {med['iati']['seconds'] / med['jsonl']['seconds']:.2f}x, "
        f"peak memory {med['iati']['peak_mb'] / med['jsonl']['peak_mb']:.2f}x"
    )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        kind, fmt, path, work = sys.argv[2:6]
        print(json.dumps(asyncio.run(_child(kind, fmt, Path(path), Path(work)))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="embedded,neo4j")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if "embedded" in stores:
        _bench("embedded", args.activities, args.repeat)
    if "neo4j" in stores:
        from bench.neo4j_ingest import neo4j_server

        # One import is one transaction: 10,000 activities are ~110,000 records with their
        # change set, more than the test server's default 1 GB heap lets a transaction hold.
        os.environ.setdefault("NEO4J_TEST_HEAP_OPTS", "-Xmx4g -Xms1g")
        with neo4j_server():
            _bench("neo4j", args.activities, args.repeat)


if __name__ == "__main__":
    main()
