"""Backend adapters: a compact integer view of a networkx graph, and the views of it
that scipy, rustworkx and NetworKit need.

networkx is the vocabulary of the analytics package; the heavy lifting runs on compiled
libraries. Converting a graph costs about as much as a cheap measure, so the compact view
of a *frozen* graph (a snapshot, or a projection of one) is cached per graph object and
per weight attribute, and each backend graph is built at most once per view. Results never
depend on the cache: a graph that is not frozen is simply converted on every call.

Conventions used throughout:

* node ``i`` of a view is ``nodes[i]``, in ``list(G)`` order, so seeded choices made on
  ``list(G)`` (networkx's sampling) map one to one onto indices;
* multi-edges are collapsed, their weights summed; with ``weight=None`` every edge of
  the collapsed graph has weight 1;
* a *distance* is ``1 / weight``: strong ties are short.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal, TypeVar

import networkit as nk
import networkx as nx
import numpy as np
import rustworkx as rx
import scipy.sparse as sp
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
T = TypeVar("T")
Values = Literal["weight", "distance", "one"]

__all__ = ["IndexedGraph", "as_scores", "indexed", "nk", "seed_views"]


class IndexedGraph:
    """One simple graph as integer arrays, plus lazily built backend graphs.

    ``src``, ``dst`` and ``weight`` hold one entry per simple edge (an undirected edge
    once, in either orientation). Instances are treated as immutable.
    """

    __slots__ = ("_cache", "_lock", "directed", "dst", "nodes", "src", "weight")

    def __init__(
        self,
        nodes: Sequence[Hashable],
        directed: bool,
        src: IntArray,
        dst: IntArray,
        weight: FloatArray,
        *,
        index: dict[Hashable, int] | None = None,
    ) -> None:
        """``index``: :meth:`index` when the caller holds it already (a view of the same
        nodes shares it rather than building it again)."""
        self.nodes: tuple[Hashable, ...] = tuple(nodes)
        self.directed = directed
        self.src = src
        self.dst = dst
        self.weight = weight
        self._cache: dict[tuple[Any, ...], Any] = {} if index is None else {("index",): index}
        self._lock = threading.RLock()

    @property
    def n(self) -> int:
        return len(self.nodes)

    @property
    def m(self) -> int:
        return int(self.src.size)

    def _cached(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            found: T = self._cache[key]
            return found

    def index(self) -> dict[Hashable, int]:
        """Map node id to index."""
        return self._cached(("index",), lambda: {v: i for i, v in enumerate(self.nodes)})

    def values(self, kind: Values) -> FloatArray:
        """Edge values: the weight, its reciprocal (a distance) or all ones."""
        if kind == "weight":
            return self.weight
        if kind == "distance":
            return self._cached(("distance",), lambda: 1.0 / self.weight)
        return self._cached(("one",), lambda: np.ones(self.m))

    def arcs(
        self, kind: Values = "weight", *, loops: bool = True, reverse: bool = False
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Arcs (both directions of every undirected edge), optionally reversed."""
        src, dst, val = self.src, self.dst, self.values(kind)
        if not loops:
            keep = src != dst
            src, dst, val = src[keep], dst[keep], val[keep]
        if not self.directed:
            nonloop = src != dst
            src, dst = np.concatenate([src, dst[nonloop]]), np.concatenate([dst, src[nonloop]])
            val = np.concatenate([val, val[nonloop]])
        if reverse:
            src, dst = dst, src
        return src, dst, val

    def csr(self, kind: Values = "weight", *, loops: bool = True, reverse: bool = False) -> Any:
        """The (weighted) adjacency matrix as a scipy CSR array with sorted indices."""

        def build() -> Any:
            src, dst, val = self.arcs(kind, loops=loops, reverse=reverse)
            mat = sp.csr_array((val, (src, dst)), shape=(self.n, self.n))
            mat.sum_duplicates()
            mat.sort_indices()
            return mat

        return self._cached(("csr", kind, loops, reverse), build)

    def rustworkx(self, kind: Values = "one", *, loops: bool = False) -> Any:
        """A rustworkx PyGraph / PyDiGraph whose node payloads are indices and edge
        payloads the chosen edge values."""

        def build() -> Any:
            cls = rx.PyDiGraph if self.directed else rx.PyGraph
            graph = cls(multigraph=False, node_count_hint=self.n, edge_count_hint=self.m)
            graph.add_nodes_from(range(self.n))
            src, dst, val = self.src, self.dst, self.values(kind)
            if not loops:
                keep = src != dst
                src, dst, val = src[keep], dst[keep], val[keep]
            graph.extend_from_weighted_edge_list(
                list(zip(src.tolist(), dst.tolist(), val.tolist(), strict=True))
            )
            return graph

        return self._cached(("rx", kind, loops), build)

    def networkit(
        self, kind: Values | None = None, *, reverse: bool = False, loops: bool = False
    ) -> Any:
        """A NetworKit graph; ``kind=None`` builds an unweighted one."""

        def build() -> Any:
            src, dst, val = self.src, self.dst, self.values(kind or "one")
            if not loops:
                keep = src != dst
                src, dst, val = src[keep], dst[keep], val[keep]
            if reverse and self.directed:
                src, dst = dst, src
            if src.size == 0:
                return nk.Graph(self.n, weighted=kind is not None, directed=self.directed)
            coo: Any = (val, (src, dst)) if kind is not None else (src, dst)
            return nk.GraphFromCoo(coo, n=self.n, weighted=kind is not None, directed=self.directed)

        return self._cached(("nk", kind, reverse, loops), build)

    def undirected(self) -> IndexedGraph:
        """The same graph with directions dropped, weights of reciprocal arcs summed."""
        if not self.directed:
            return self

        def build() -> IndexedGraph:
            lo = np.minimum(self.src, self.dst)
            hi = np.maximum(self.src, self.dst)
            src, dst, weight = _sum_duplicates(lo, hi, self.weight, self.n)
            return IndexedGraph(self.nodes, False, src, dst, weight)

        return self._cached(("undirected",), build)


def _sum_duplicates(
    src: IntArray, dst: IntArray, weight: FloatArray, n: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Merge repeated (src, dst) pairs, summing weights; keeps first-seen order."""
    if src.size == 0:
        return src, dst, weight
    key = src * max(n, 1) + dst
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if uniq.size == key.size:
        return src, dst, weight
    summed = np.bincount(inverse, weights=weight, minlength=uniq.size).astype(np.float64)
    order = np.argsort(first, kind="stable")
    keep = first[order].astype(np.int64)
    return src[keep], dst[keep], summed[order]


def _check(values: FloatArray, weight: str) -> None:
    if values.size and not bool(np.all(np.isfinite(values) & (values > 0))):
        raise ValueError(f"edge attribute {weight!r} must hold positive finite numbers")


def _convert_simple(graph: nx.Graph, weight: str | None) -> IndexedGraph:
    """One pass over the adjacency: about twice as fast as iterating ``graph.edges``."""
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    counts = np.fromiter((len(nbrs) for _, nbrs in graph.adjacency()), np.int64, len(nodes))
    total = int(counts.sum())
    dst = np.fromiter((index[v] for _, nbrs in graph.adjacency() for v in nbrs), np.int64, total)
    src = np.repeat(np.arange(len(nodes), dtype=np.int64), counts)
    if weight is None:
        values = np.ones(total)
    else:
        try:
            values = np.fromiter(
                (d.get(weight, 1.0) for _, nbrs in graph.adjacency() for d in nbrs.values()),
                np.float64,
                total,
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"edge attribute {weight!r} must be numeric") from exc
    if not graph.is_directed():
        once = src <= dst  # each undirected edge is listed from both ends, a loop once
        src, dst, values = src[once], dst[once], values[once]
    if weight is not None:
        _check(values, weight)
    return IndexedGraph(nodes, graph.is_directed(), src, dst, values)


def _convert(graph: nx.Graph, weight: str | None) -> IndexedGraph:
    if not graph.is_multigraph():
        return _convert_simple(graph, weight)
    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    m = graph.number_of_edges()
    triples = list(graph.edges(data=weight, default=1.0))
    src = np.fromiter((index[u] for u, _, _ in triples), dtype=np.int64, count=m)
    dst = np.fromiter((index[v] for _, v, _ in triples), dtype=np.int64, count=m)
    if weight is None:
        values = np.ones(m)
    else:
        try:
            values = np.array([w for _, _, w in triples], dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"edge attribute {weight!r} must be numeric") from exc
        _check(values, weight)
    if graph.is_directed():
        src, dst, values = _sum_duplicates(src, dst, values, len(nodes))
    else:
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        src, dst, values = _sum_duplicates(lo, hi, values, len(nodes))
    if weight is None:
        values = np.ones(src.size)
    return IndexedGraph(nodes, graph.is_directed(), src, dst, values)


_CACHE: weakref.WeakKeyDictionary[nx.Graph, dict[str | None, IndexedGraph]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()


def indexed(graph: nx.Graph, weight: str | None = None) -> IndexedGraph:
    """The compact view of ``graph`` for ``weight``; cached when the graph is frozen.

    Examples
    --------
    >>> g = nx.freeze(nx.path_graph(["a", "b", "c"]))
    >>> view = indexed(g, "weight")
    >>> view.nodes, view.m, indexed(g, "weight") is view, indexed(g, None) is view
    (('a', 'b', 'c'), 2, True, False)
    >>> thawed = nx.path_graph(["a", "b", "c"])  # not frozen: converted on every call
    >>> indexed(thawed) is indexed(thawed)
    False
    """
    if not nx.is_frozen(graph):
        return _convert(graph, weight)
    with _CACHE_LOCK:
        per_graph = _CACHE.setdefault(graph, {})
        found = per_graph.get(weight)
    if found is not None:
        return found
    view = _convert(graph, weight)
    with _CACHE_LOCK:
        return per_graph.setdefault(weight, view)


def seed_views(graph: nx.Graph, views: dict[str | None, IndexedGraph]) -> None:
    """Record views of a frozen ``graph`` that its builder already holds as arrays, so the
    first measure on it skips the conversion. Each must equal what :func:`indexed` would
    build (``tests/analytics/test_projection.py`` holds them to that)."""
    if not nx.is_frozen(graph):
        raise ValueError("only a frozen graph's views are cached")
    with _CACHE_LOCK:
        per_graph = _CACHE.setdefault(graph, {})
        for weight, view in views.items():
            per_graph.setdefault(weight, view)


def as_scores(view: IndexedGraph, values: Any) -> dict[Hashable, float]:
    """Pair node ids with a per-index sequence of scores (as Python floats: one C pass)."""
    return dict(zip(view.nodes, np.asarray(values, dtype=np.float64).tolist(), strict=True))
