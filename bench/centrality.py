"""Network analytics: our fast paths against networkx, on a skewed 5,000-node graph.

Prints one table: measure, our wall and CPU time, networkx's wall and CPU time, the
wall-clock speed-up (the target) and the CPU-time ratio, and the peak extra resident
memory while our call ran (sampled from /proc, so it includes the memory of the compiled
backends, which tracemalloc cannot see). Targets: betweenness >= 40x, closeness >= 20x,
PageRank >= 10x, communities >= 20x. The machine is shared: when other work competes for
the two cores, our multithreaded backends (rustworkx, NetworKit) lose more wall time
than single-threaded networkx, and the CPU columns show the work each side did.

The API converts a cached snapshot once per revision, so converting networkx to the
backends' formats (numpy arrays, a rustworkx graph, NetworKit graphs, a scipy matrix)
is its own row and our per-measure times run on the converted graph.

``--large`` adds a 100,000-node / 1,000,000-edge section, run in a fresh process so its
peak memory is its own: conversion, degree (also timed in networkx), PageRank and
sampled betweenness (k=256). Targets: PageRank and degree under 3 s, sampled
betweenness under 30 s, peak memory under 2 GB.

``--quick`` estimates networkx's all-sources measures (betweenness, closeness) from a
sample of sources, scaled to ``n`` sources; those rows are marked ``est.``. Weighted
networkx betweenness is always estimated that way (it takes over ten minutes).

Run: ``.venv/bin/python bench/centrality.py [--quick] [--large]``. The machine is shared;
ratios of two runs taken side by side are what to read, not absolute times.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# NetworKit as the server runs it: OpenMP's idle threads asleep (api/cli.py, quiet_openmp),
# set before the first import of NetworKit, which is when OpenMP reads it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import networkx as nx
import numpy as np

from analytics import _fast, centrality, structure

PAGE = os.sysconf("SC_PAGE_SIZE")
SEED = 20240501


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


class PeakRss:
    """Peak resident memory above the starting level while the block runs."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRss:
        self.start = _rss()
        self.peak = self.start
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def extra_mb(self) -> float:
        return (self.peak - self.start) / 2**20


CPU: dict[str, float] = {}


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float, Any]:
    """Best wall time of ``repeat`` runs, peak extra RSS (MB), last result.

    The process CPU time of the best run is left in ``CPU["last"]``: on a shared machine
    it shows how much of the wall time was our own work (multithreaded backends can
    use more CPU than wall time).
    """
    best = float("inf")
    peak = 0.0
    result = None
    for _ in range(repeat):
        with PeakRss() as mem:
            start, cpu = time.perf_counter(), time.process_time()
            result = fn()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if wall < best:
            best, CPU["last"] = wall, cpu
        peak = max(peak, mem.extra_mb)
    return best, peak, result


def skewed_graph(n: int = 5_000, m: int = 25_000, seed: int = SEED) -> nx.Graph:
    """Powerlaw-cluster core (hubs plus triangles) with a Barabasi-Albert overlay.

    Partnership projections have a few hub implementers, many small partners and
    clustered circles; this mix gives a heavy-tailed degree distribution with
    clustering. Random extra edges bring the count to exactly ``m``. Tie strengths
    1..5 in ``weight``.
    """
    core = nx.powerlaw_cluster_graph(n, 4, 0.5, seed=seed)
    overlay = nx.barabasi_albert_graph(n, 1, seed=seed + 1)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(core.edges())
    graph.add_edges_from(overlay.edges())
    rng = random.Random(seed)
    edges = list(graph.edges())
    rng.shuffle(edges)
    while len(edges) > m:
        graph.remove_edge(*edges.pop())
    while graph.number_of_edges() < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u != v:
            graph.add_edge(u, v)
    graph = nx.relabel_nodes(graph, {v: f"actor{v:05d}" for v in graph})
    for _, _, data in graph.edges(data=True):
        data["weight"] = float(rng.randint(1, 5))
    return graph


def row(
    name: str,
    ours: float,
    cpu: float,
    ref: float | None,
    mem: float,
    note: str = "",
    ref_cpu: float | None = None,
) -> str:
    ref_text = "-" if ref is None else f"{ref:9.3f}"
    ref_cpu_text = "-" if ref_cpu is None else f"{ref_cpu:8.2f}"
    ratio = "-" if ref is None else f"{ref / ours:7.1f}x"
    cpu_ratio = "-" if ref_cpu is None else f"{ref_cpu / cpu:7.1f}x"
    return (
        f"| {name:<31} | {ours:9.4f} | {cpu:8.3f} | {ref_text:>9} | {ref_cpu_text:>8} | "
        f"{ratio:>8} | {cpu_ratio:>8} | {mem:7.1f} | {note}"
    )


HEADER = (
    f"| {'measure':<31} | {'ours (s)':>9} | {'ours cpu':>8} | {'nx (s)':>9} | "
    f"{'nx cpu':>8} | {'speed-up':>8} | {'cpu x':>8} | {'peak MB':>7} | note\n"
    f"|{'-' * 33}|{'-' * 11}|{'-' * 10}|{'-' * 11}|{'-' * 10}|{'-' * 10}|{'-' * 10}"
    f"|{'-' * 9}|------"
)


def nx_estimate(fn: Callable[[int], Any], n: int, sample: int) -> tuple[float, float]:
    """Wall and CPU time of networkx on ``sample`` sources, scaled to ``n`` sources."""
    seconds, _, _ = timed(lambda: fn(sample))
    return seconds * n / sample, CPU["last"] * n / sample


def small_section(quick: bool) -> None:
    start = time.perf_counter()
    graph = nx.freeze(skewed_graph())
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    degrees = sorted((d for _, d in graph.degree()), reverse=True)
    print(
        f"\n## {n:,} nodes / {m:,} edges (max degree {degrees[0]}, median "
        f"{degrees[len(degrees) // 2]}; built in {time.perf_counter() - start:.1f} s)\n"
    )
    print(HEADER)

    def convert() -> None:
        for weight in (None, "weight"):
            view = _fast.indexed(graph, weight)
            view.csr("one", loops=False)
            view.csr("weight")
            view.csr("distance", loops=False)
            view.rustworkx("one")
            view.rustworkx("weight", loops=True)
            view.networkit(None)
            view.networkit(None, reverse=True)
            view.networkit("distance")
            view.undirected()

    seconds, mem, _ = timed(convert)
    print(
        row(
            "conversion (once per snapshot)",
            seconds,
            CPU["last"],
            None,
            mem,
            "all backends, 2 weightings",
        )
    )

    sample = 250
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any] | None, str]] = [
        (
            "degree",
            lambda: centrality.degree_centrality(graph),
            lambda: nx.degree_centrality(graph),
            "numpy",
        ),
        (
            "betweenness (exact)",
            lambda: centrality.betweenness_centrality(graph),
            None if quick else (lambda: nx.betweenness_centrality(graph)),
            "rustworkx",
        ),
        (
            "betweenness (exact, weighted)",
            lambda: centrality.betweenness_centrality(graph, weight="weight"),
            None,
            "networkit",
        ),
        (
            "betweenness (sampled k=256)",
            lambda: centrality.betweenness_centrality(graph, k=256, seed=1),
            lambda: nx.betweenness_centrality(graph, k=256, seed=1),
            "numpy (networkx's sources)",
        ),
        (
            "closeness (WF)",
            lambda: centrality.closeness_centrality(graph),
            None if quick else (lambda: nx.closeness_centrality(graph)),
            "networkit",
        ),
        (
            "harmonic",
            lambda: centrality.harmonic_centrality(graph),
            None,
            "scipy",
        ),
        (
            "pagerank",
            lambda: centrality.pagerank(graph),
            lambda: nx.pagerank(graph),
            "scipy (cached matrix)",
        ),
        (
            "eigenvector",
            lambda: centrality.eigenvector_centrality(graph),
            lambda: nx.eigenvector_centrality(graph),
            "rustworkx",
        ),
        (
            "constraint (Burt)",
            lambda: centrality.constraint(graph),
            lambda: nx.constraint(graph),
            "scipy",
        ),
        (
            "communities (Louvain)",
            lambda: structure.communities(graph, seed=1),
            lambda: nx.community.louvain_communities(graph, seed=1),
            "networkit PLM",
        ),
        (
            "bridges + articulation points",
            lambda: (structure.bridges(graph), structure.articulation_points(graph)),
            lambda: (list(nx.bridges(graph)), list(nx.articulation_points(graph))),
            "rustworkx",
        ),
        (
            "summary (incl. exact diameter)",
            lambda: structure.summary(graph),
            None,
            "networkit",
        ),
    ]
    estimates: dict[str, Callable[[int], Any]] = {
        "betweenness (exact)": lambda k: nx.betweenness_centrality(graph, k=k, seed=1),
        "betweenness (exact, weighted)": lambda k: nx.betweenness_centrality(
            graph, k=k, seed=1, weight="weight"
        ),
        "closeness (WF)": lambda k: [nx.closeness_centrality(graph, u=u) for u in list(graph)[:k]],
        "harmonic": lambda k: nx.harmonic_centrality(graph, sources=list(graph)[:k]),
    }
    for name, ours_fn, ref_fn, backend in cases:
        repeat = 3 if name in {"degree", "pagerank", "eigenvector", "communities (Louvain)"} else 1
        ours, mem, _ = timed(ours_fn, repeat=repeat)
        cpu = CPU["last"]
        note = backend
        ref: float | None = None
        ref_cpu: float | None = None
        if ref_fn is not None:
            ref, _, _ = timed(ref_fn)
            ref_cpu = CPU["last"]
        elif name in estimates:
            ref, ref_cpu = nx_estimate(estimates[name], n, sample)
            note += f"; nx est. from {sample} sources"
        if name == "communities (Louvain)":
            ours_q = structure.communities(graph, seed=1).modularity
            ref_q = nx.community.modularity(graph, nx.community.louvain_communities(graph, seed=1))
            note += f"; modularity {ours_q:.4f} vs nx {ref_q:.4f}"
        print(row(name, ours, cpu, ref, mem, note, ref_cpu), flush=True)


def chung_lu_edges(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``m`` distinct edges with power-law (exponent 2.5) expected degrees, numpy only."""
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.5, n) + 1.0
    p = weights / weights.sum()
    keys = np.empty(0, dtype=np.int64)
    while keys.size < m:
        u = rng.choice(n, size=m, p=p)
        v = rng.choice(n, size=m, p=p)
        keep = u != v
        lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        keys = np.unique(np.concatenate([keys, lo * n + hi]))
    keys = rng.permutation(keys)[:m]
    return keys // n, keys % n


def large_section() -> None:
    n, m = 100_000, 1_000_000
    start = time.perf_counter()
    src, dst = chung_lu_edges(n, m, SEED)
    names = [f"actor{i:06d}" for i in range(n)]
    graph = nx.Graph()
    graph.add_nodes_from(names)
    graph.add_edges_from(zip([names[i] for i in src], [names[i] for i in dst], strict=True))
    graph = nx.freeze(graph)
    degrees = np.bincount(np.concatenate([src, dst]), minlength=n)
    print(
        f"\n## {n:,} nodes / {graph.number_of_edges():,} edges (max degree "
        f"{degrees.max()}, median {int(np.median(degrees))}; generated and loaded into "
        f"networkx in {time.perf_counter() - start:.1f} s, RSS {_rss() / 2**20:.0f} MB)\n"
    )
    print(HEADER)

    def convert() -> None:
        view = _fast.indexed(graph)
        view.csr("one", loops=False)
        view.csr("weight")

    seconds, mem, _ = timed(convert)
    cpu = CPU["last"]
    print(row("conversion (once per snapshot)", seconds, cpu, None, mem, "numpy, scipy CSR"))
    ours, mem, _ = timed(lambda: centrality.degree_centrality(graph), repeat=3)
    cpu = CPU["last"]
    ref, _, _ = timed(lambda: nx.degree_centrality(graph))
    print(row("degree", ours, cpu, ref, mem, "numpy; target < 3 s", CPU["last"]), flush=True)
    ours, mem, _ = timed(lambda: centrality.pagerank(graph), repeat=3)
    print(row("pagerank", ours, CPU["last"], None, mem, "scipy; target < 3 s"), flush=True)
    ours, mem, result = timed(lambda: centrality.betweenness_centrality(graph, k=256, seed=1))
    assert result.sampled_sources == 256
    print(
        row(
            "betweenness (sampled k=256)",
            ours,
            CPU["last"],
            None,
            mem,
            "numpy; target < 30 s",
        )
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"\nPeak resident memory of this section's process: {peak:,.0f} MB (target < 2,048)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="estimate slow networkx runs")
    parser.add_argument("--large", action="store_true", help="add the 100k/1M section")
    parser.add_argument("--section", choices=["small", "large"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section == "large":
        large_section()
        return
    print(f"networkx {nx.__version__}; cores {os.cpu_count()}; load {os.getloadavg()[0]:.1f}")
    small_section(args.quick)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(f"\nPeak resident memory of this process: {peak:,.0f} MB")
    if args.large:
        subprocess.run([sys.executable, __file__, "--section", "large"], check=True)


if __name__ == "__main__":
    main()
