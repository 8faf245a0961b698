"""Coverage speed, measured at the server, uncached against cached in the same run.

Targets (docs/COVERAGE.md): the region x theme matrix on the seed data under 50 ms uncached;
a cached repeat at least 10x faster than the uncached call; on the synthetic 100,000-actor
graph (``--large``) under 2 s uncached.

What is timed, each as the median of several runs:

- **compute**: what the ``coverageMatrix`` resolver waits for, i.e. ``CoverageService.result``
  (index lookup, tables, suppression for unprivileged callers, gaps). *Uncached* means the
  results cache was just cleared (the revision's engagement index is kept, as after any first
  request); *cold* means right after a write (new revision: the store rebuilds its snapshot,
  the index is rebuilt); *cached* is a repeat.
- **server**: a whole HTTP request as the server handles it (routing, context and policy,
  GraphQL parsing and validation, execution, JSON encoding), for the GraphQL query and the
  CSV export: the app is driven through ASGI directly (lifespan included), so only its own
  work is timed, with no network and no client sharing the interpreter.

Run: ``.venv/bin/python bench/coverage.py [--large] [--actors N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from analytics.coverage import Dimension, GeographyBasis, Window
from analytics.coverage_report import MatrixQuery, build_matrix
from api.app import create_app
from api.coverage.params import MatrixRequest
from api.coverage.service import CoverageService, service_for
from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.model import WeightScope

AS_OF = "2025-06-30"
KEY = "bench-staff-key"
QUERY = """query($asOf: Date) { coverageMatrix(groupBy: [REGION, THEME], asOf: $asOf) {
  revision rows { key label } columns { key label }
  cells { suppressed partners partnerships programmes activities funding lastActivity
          engagementIndex need gapScore }
  rowTotals { suppressed partners } columnTotals { suppressed partners } total { partners } } }"""
REPEAT = 15


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def fmt(ms: float) -> str:
    return f"{ms * 1000:8.1f} us" if ms < 1 else f"{ms:8.2f} ms"


# --------------------------------------------------------------------------- compute level


async def compute_level(store: EmbeddedStore, k: int | None, repeat: int) -> dict[str, float]:
    service = CoverageService(store)
    req = MatrixRequest(
        MatrixQuery((Dimension.REGION, Dimension.THEME)),
        Window.as_of(dt.date.fromisoformat(AS_OF)),
        GeographyBasis.PARTNER,
        k,
    )

    def compute(index: Any, weights: Any) -> Any:
        return build_matrix(service.cube(index, req.window, req.basis), req.query, weights, k)

    async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
        gc.collect()
        t = time.perf_counter()
        await fn()
        return time.perf_counter() - t

    async def run() -> Any:
        return await service.result(("bench", req), compute)

    cold = []
    for i in range(5):
        # a write (here: of a weight) makes a new revision: new snapshot, new index
        await store.set_need_weights({(WeightScope.REGION, "Africa"): 1.0 + i}, replace=True)
        cold.append(await timed(run))
    uncached, cached = [], []
    for _ in range(repeat):
        service.clear_computed()  # results, tables and suppression; the index is kept
        uncached.append(await timed(run))
        cached.append(await timed(run))
    await store.set_need_weights({}, replace=True)
    return {"cold": median_ms(cold), "uncached": median_ms(uncached), "cached": median_ms(cached)}


# --------------------------------------------------------------------------- server level


class Asgi:
    """Drive an ASGI app directly, as a server would (lifespan included): what is timed is
    only the app's work, with no network and no client competing for the interpreter."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lifespan: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def __aenter__(self) -> Asgi:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._lifespan = asyncio.create_task(self.app(scope, self._events.get, self._acks.put))
        await self._events.put({"type": "lifespan.startup"})
        assert (await self._acks.get())["type"] == "lifespan.startup.complete"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._events.put({"type": "lifespan.shutdown"})
        await self._acks.get()
        assert self._lifespan is not None
        await self._lifespan

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        query: str = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[float, int, dict[str, str], bytes]:
        """(seconds, status, headers, body) of one request; garbage collected before, so a
        collection caused by earlier work does not land in this one."""
        raw = [(b"host", b"bench"), (b"accept", b"application/json")]
        raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        if body:
            raw.append((b"content-type", b"application/json"))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": raw,
            "client": ("127.0.0.1", 1),
            "server": ("bench", 80),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        out: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            out.append(message)

        gc.collect()
        start = time.perf_counter()
        await self.app(scope, receive, send)
        took = time.perf_counter() - start
        head = out[0]
        hdrs = {k.decode(): v.decode() for k, v in head["headers"]}
        return took, head["status"], hdrs, b"".join(m.get("body", b"") for m in out[1:])


async def server_level(settings: Settings, store: EmbeddedStore, repeat: int) -> dict[str, float]:
    app = create_app(settings, store=store)
    out: dict[str, float] = {}
    service = service_for(store)
    body = json.dumps({"query": QUERY, "variables": {"asOf": AS_OF}}).encode()
    params = f"groupBy=region,theme&asOf={AS_OF}"
    async with Asgi(app) as server:

        async def graphql(key: str | None) -> float:
            auth = {"authorization": f"Bearer {key}"} if key else {}
            took, status, _, payload = await server.request("POST", "/graphql", body, headers=auth)
            assert status == 200 and b'"errors"' not in payload, payload[:300]
            return took

        async def export(tag: str | None = None) -> tuple[float, str]:
            cond = {"if-none-match": tag} if tag else {}
            took, status, headers, _ = await server.request(
                "GET", "/exports/coverage.csv", query=params, headers=cond
            )
            assert status in (200, 304), status
            return took, headers["etag"]

        await graphql(None)  # warm: schema caches, the revision's index
        for name, key in (("graphql", None), ("graphql staff", KEY)):
            uncached, cached = [], []
            for _ in range(repeat):
                service.clear_computed()
                uncached.append(await graphql(key))
                cached.append(await graphql(key))
            out[f"{name} uncached"] = median_ms(uncached)
            out[f"{name} cached"] = median_ms(cached)
        uncached, cached, not_modified = [], [], []
        for _ in range(repeat):
            service.clear_computed()
            took, tag = await export()
            uncached.append(took)
            cached.append((await export())[0])
            not_modified.append((await export(tag))[0])
        out["csv uncached"] = median_ms(uncached)
        out["csv cached"] = median_ms(cached)
        out["csv 304"] = median_ms(not_modified)
    return out


# --------------------------------------------------------------------------- main


def report(title: str, figures: dict[str, float], target_ms: float | None = None) -> list[str]:
    print(title)
    failures = []
    for name, ms in figures.items():
        print(f"  {name:22} {fmt(ms)}")
    pairs = [(k, k.replace("uncached", "cached")) for k in figures if k.endswith("uncached")]
    for unc, cac in pairs:
        ratio = figures[unc] / figures[cac]
        verdict = "ok" if ratio >= 10 else "below 10x"
        print(
            f"  {unc.replace(' uncached', '') + ': uncached/cached':22} {ratio:8.1f} x  ({verdict})"
        )
        if ratio < 10 and unc.startswith(("compute", "csv")):
            failures.append(f"{title} {unc}: cached only {ratio:.1f}x faster")
        if target_ms is not None and figures[unc] > target_ms:
            failures.append(f"{title} {unc}: {figures[unc]:.1f} ms > {target_ms} ms")
    return failures


async def open_store(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    await store.open()
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help="also the synthetic graph")
    parser.add_argument("--actors", type=int, default=100_000, help="synthetic actors")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per figure")
    args = parser.parse_args()

    from api.cli import SYNTHETIC_BATCH, seed_store
    from graph.batching import batched
    from seeds.synthetic import generate

    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        settings = dataclasses.replace(
            Settings.from_env(), db_path=db, privileged_keys=frozenset({KEY})
        )

        async def seeded() -> tuple[EmbeddedStore, dict[str, dict[str, float]]]:
            store = await open_store(db)
            await seed_store(store, quiet=True)
            counts = await store.counts_by_kind()
            snap = await store.snapshot(None)
            print(
                f"seed data: {sum(counts.values())} nodes, {snap.graph.number_of_edges()} "
                f"relationships; region x theme as of {AS_OF}; medians of {args.repeat} runs"
            )
            figures = {
                "unprivileged (k=5)": await compute_level(store, 5, args.repeat),
                "privileged": await compute_level(store, None, args.repeat),
            }
            await store.close()
            return store, figures

        _, compute = asyncio.run(seeded())
        for who, fig in compute.items():
            failures += report(
                f"compute, {who}:",
                {
                    "compute cold (after write)": fig["cold"],
                    "compute uncached": fig["uncached"],
                    "compute cached": fig["cached"],
                },
                target_ms=50,
            )

        async def serve_seed() -> dict[str, float]:
            store = await open_store(db)
            try:
                return await server_level(settings, store, args.repeat)
            finally:
                await store.close()

        figures = asyncio.run(serve_seed())
        failures += report("server, whole HTTP request:", figures, target_ms=50)

        if args.large:

            async def large() -> dict[str, float]:
                store = await open_store(db)
                t = time.perf_counter()
                for batch in batched(generate(args.actors), SYNTHETIC_BATCH):
                    await store.apply(batch)
                built = time.perf_counter() - t
                t = time.perf_counter()
                snap = await store.snapshot(None)
                snapshot = time.perf_counter() - t
                print(
                    f"synthetic graph: {args.actors} actors, {snap.graph.number_of_nodes()} "
                    f"nodes, {snap.graph.number_of_edges()} relationships (store built in "
                    f"{built:.0f} s, snapshot {snapshot:.1f} s)"
                )
                service = CoverageService(store)
                t = time.perf_counter()
                await service.index()
                index_s = time.perf_counter() - t
                out = {"index build (per revision)": index_s * 1000}
                for who, k in (("unprivileged", 5), ("privileged", None)):
                    req = MatrixRequest(
                        MatrixQuery((Dimension.REGION, Dimension.THEME)),
                        Window.as_of(dt.date.fromisoformat(AS_OF)),
                        GeographyBasis.PARTNER,
                        k,
                    )

                    def compute(index: Any, weights: Any, req: MatrixRequest = req) -> Any:
                        cube = service.cube(index, req.window, req.basis)
                        return build_matrix(cube, req.query, weights, req.k)

                    uncached, cached = [], []
                    for _ in range(3):
                        service.clear_computed()
                        t = time.perf_counter()
                        await service.result(("large", req), compute)
                        uncached.append(time.perf_counter() - t)
                        t = time.perf_counter()
                        await service.result(("large", req), compute)
                        cached.append(time.perf_counter() - t)
                    out[f"compute {who} uncached"] = median_ms(uncached)
                    out[f"compute {who} cached"] = median_ms(cached)
                await store.close()
                return out

            big = asyncio.run(large())
            failures += report(f"compute, synthetic {args.actors} actors:", big, target_ms=2000)
    if failures:
        print("MISSED: " + "; ".join(failures))
        return 1
    print("all coverage targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
