"""Startup: how close opening the embedded store comes to the floor, and memory per actor.

A start reads the whole store once into memory (graph/embedded.py), so its cost is bounded
below by reading the same rows from SQLite and parsing their JSON. For each size of the
synthetic network (``partnernet seed --synthetic``), each figure the median of ``--repeat``
runs, each run in a fresh process (so no run inherits another's heap or caches):

- **floor (json)**: ``SELECT`` every node and relationship and parse each row's properties
  with the standard library's ``json``, collector on, into a list: the floor as the issue
  that asked for this measured it;
- **floor (orjson)**: the same, parsed by orjson (which the store uses) with the collector
  paused: the fastest read-and-parse this machine does, so the strictest floor;
- **open**: ``EmbeddedStore.open()``, and the resident memory it added (``/proc``), per actor;
- **serve**: ``partnernet serve`` as a user starts it, from launch to its first answer
  (``countsByKind`` over HTTP), then the first PageRank top 20 and the first region x theme
  coverage matrix (cold: nothing computed yet), and the server's resident memory after the
  first answer and after that round of analytics, per actor.

The ratios printed are open / floor. Targets (the "fast from cold" issue): open within 2x of
the floor at 100,000 actors; memory per actor half that of the build before it (13.5 KB per
actor at start and 27 KB after a round of analytics at 100,000 actors, measured then).

Run: ``.venv/bin/python bench/startup.py [--sizes 2000,20000,100000] [--repeat 3]
[--workdir DIR]``. Databases are generated once per size into ``--workdir`` (default
``/tmp/partnernet-bench``) and reused. The machine is shared: read the ratios, which come
from one run, rather than the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.synthetic import WORKDIR, seeded_store

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")
COUNTS = "{ countsByKind { kind count } }"
PAGERANK = "{ centrality(measure: PAGERANK, top: 20) { revision entries { rank score } } }"
COVERAGE = "{ coverageMatrix(groupBy: [REGION, THEME]) { revision cells { partners } } }"


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 2**20


# --------------------------------------------------------------------------- probes
# Each runs in its own process (``--probe KIND PATH``) and prints one JSON object.


def _probe(kind: str, path: str) -> dict[str, float]:
    import gc
    import sqlite3

    if kind == "open":
        import asyncio

        from graph.embedded import EmbeddedStore

        before = _rss_mb()
        store = EmbeddedStore(path)
        start = time.perf_counter()
        asyncio.run(store.open())
        seconds = time.perf_counter() - start
        added = _rss_mb() - before
        asyncio.run(store.close())
        return {"seconds": seconds, "mb": added}
    import orjson

    loads = json.loads if kind == "floor-json" else orjson.loads
    if kind == "floor-orjson":
        gc.disable()
    start = time.perf_counter()
    db = sqlite3.connect(path)
    rows = [(i, k, loads(p)) for i, k, p in db.execute("SELECT id, kind, props FROM nodes")]
    rels = [
        (i, t, s, e, loads(p))
        for i, t, s, e, p in db.execute('SELECT id, type, start, "end", props FROM relationships')
    ]
    seconds = time.perf_counter() - start
    db.close()
    return {"seconds": seconds, "records": len(rows) + len(rels)}


def _run_probe(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--probe", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


# --------------------------------------------------------------------------- serve


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _post(client: httpx.Client, url: str, query: str) -> float:
    start = time.perf_counter()
    response = client.post(url, json={"query": query})
    seconds = time.perf_counter() - start
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{query[:40]}...: {response.status_code} {body.get('errors')}")
    return seconds


def _serve(path: Path) -> dict[str, float]:
    port = _free_port()
    env = {**os.environ, "PARTNERNET_STORE": "embedded", "PARTNERNET_DB": str(path)}
    cmd = [str(ROOT / ".venv/bin/partnernet"), "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/graphql"
    start = time.perf_counter()
    # Its log to a file, not a pipe: a pipe nobody reads would stall it once full.
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(timeout=600) as client:
                while True:
                    if server.poll() is not None:
                        log.seek(0)
                        raise RuntimeError(f"serve exited:\n{log.read()}")
                    try:
                        _post(client, url, COUNTS)
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
                first = time.perf_counter() - start
                rss_start = _rss_mb(server.pid)
                pagerank = _post(client, url, PAGERANK)
                coverage = _post(client, url, COVERAGE)
                rss_after = _rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
        return {
            "first": first,
            "pagerank": pagerank,
            "coverage": coverage,
            "rss_start": rss_start,
            "rss_after": rss_after,
        }


# --------------------------------------------------------------------------- report


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(path: Path, actors: int, repeat: int) -> None:
    json_floor = [_run_probe("floor-json", path) for _ in range(repeat)]
    fast_floor = [_run_probe("floor-orjson", path) for _ in range(repeat)]
    opens = [_run_probe("open", path) for _ in range(repeat)]
    serves = [_serve(path) for _ in range(repeat)]
    records = int(json_floor[0]["records"])
    floor_json, floor_fast = _median(json_floor, "seconds"), _median(fast_floor, "seconds")
    opened = _median(opens, "seconds")
    per_actor = _median(opens, "mb") * 1024 / actors
    print(f"\n{actors:,} actors ({records:,} nodes and relationships), medians of {repeat}")
    print(f"  floor, json (collector on)    {floor_json:7.2f} s")
    print(f"  floor, orjson (collector off) {floor_fast:7.2f} s")
    print(
        f"  open                          {opened:7.2f} s   {opened / floor_json:4.2f}x the json "
        f"floor, {opened / floor_fast:4.2f}x the orjson floor   {per_actor:5.1f} KB/actor"
    )
    print(f"  serve: launch to first answer {_median(serves, 'first'):7.2f} s")
    print(f"         first PageRank top 20  {_median(serves, 'pagerank'):7.2f} s")
    print(f"         first coverage matrix  {_median(serves, 'coverage'):7.2f} s")
    for key, label in (("rss_start", "after first answer"), ("rss_after", "after analytics")):
        mb = _median(serves, key)
        print(f"         resident {label:18} {mb:7.0f} MB   {mb * 1024 / actors:5.1f} KB/actor")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000", help="synthetic actors, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (at least 3)")
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--probe", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_probe(*args.probe)))
        return
    if args.repeat < 3:
        parser.error("--repeat must be at least 3: the figures are medians")
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()}")
    for size in (int(s) for s in args.sizes.split(",")):
        report(seeded_store(args.workdir, size), size, args.repeat)
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
