"""Centrality: who connects whom in the partnership network.

Every function takes a networkx graph (normally a projection from
:mod:`analytics.projection`) and returns a :class:`CentralityResult`: plain scores keyed
by node id, how they were normalised, which backend computed them, and a ranking.
networkx defines what each number means; the compiled backends (NetworKit, scipy, the
numba searches of :mod:`analytics._kernels`) must reproduce networkx to 1e-9, which the property
tests in ``tests/analytics`` check on random graphs.

Weights. ``weight`` names an edge attribute holding a *tie strength* (missing means 1);
strengths must be positive. Path-based measures (betweenness, closeness, harmonic) turn
a strength into a length with ``distance = 1 / weight``, so strong partnerships are
short. Multigraphs are collapsed first, summing the weights of parallel edges; with
``weight=None`` a collapsed edge counts once.

See ``docs/METRICS.md`` for what each measure means for partnerships.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from analytics._brandes import source_dependencies
from analytics._fast import FloatArray, IndexedGraph, as_scores, indexed, nk
from analytics.counting import stable_order
from analytics.errors import AnalysisTooLarge

__all__ = [
    "DEFAULT_WORK_BUDGET",
    "AnalysisTooLarge",
    "Broker",
    "CentralityResult",
    "betweenness_centrality",
    "brokers",
    "closeness_centrality",
    "constraint",
    "core_number",
    "degree_centrality",
    "effective_size",
    "eigenvector_centrality",
    "estimate_betweenness_cost",
    "harmonic_centrality",
    "pagerank",
]


def _kernels() -> ModuleType:
    """The compiled kernels (analytics/_kernels.py), imported on the first measure that runs
    one: numba and llvmlite hold about 110 MB of a process's memory, which a server asked only
    for PageRank, coverage or lineage, and every command-line run, would carry for nothing."""
    from analytics import _kernels as kernels

    return kernels


DEFAULT_WORK_BUDGET = 2_000_000_000
"""Default ceiling on ``sources * edges`` for all-pairs path measures: about a minute of
exact betweenness on two cores; the API can pass its own."""


@dataclass(frozen=True)
class CentralityResult:
    """Scores of one measure, with how they were normalised and computed.

    Attributes
    ----------
    measure : str
        Name of the measure, e.g. ``"betweenness"``.
    scores : dict
        Node id to score, for every node the measure is defined on.
    normalization : str
        How raw values were scaled, in words.
    backend : str
        Library that computed the scores.
    weight : str or None
        Edge attribute used as tie strength.
    sampled_sources : int or None
        Number of sampled source nodes when the result is an estimate.
    descending : bool
        Whether a higher score ranks first (False for constraint).
    """

    measure: str
    scores: dict[Hashable, float]
    normalization: str
    backend: str
    weight: str | None = None
    sampled_sources: int | None = None
    descending: bool = True

    @property
    def sampled(self) -> bool:
        """Whether the scores are a sampled estimate rather than exact."""
        return self.sampled_sources is not None

    def ranked(self, top: int | None = None) -> list[tuple[Hashable, float]]:
        """Nodes from most to least central, ties broken by node id.

        Examples
        --------
        >>> r = CentralityResult("demo", {"a": 1.0, "b": 3.0, "c": 1.0}, "none", "numpy")
        >>> r.ranked(2)
        [('b', 3.0), ('a', 1.0)]
        """
        scores = self.scores
        # Two sorts at C speed instead of one comparing tuples: by id in Python (a view's
        # nodes come in id order, so a single pass), then stably by score in numpy (negated
        # when descending, so that equal scores keep their id order).
        ids = sorted(scores, key=str)
        values = np.fromiter(map(scores.__getitem__, ids), np.float64, len(ids))
        if np.isnan(values).any():  # NaN: the general (slower) comparison
            sign = -1.0 if self.descending else 1.0
            every = sorted(scores.items(), key=lambda item: (sign * item[1], str(item[0])))
            return every if top is None else every[:top]
        order = np.argsort(-values if self.descending else values, kind="stable")
        chosen = [ids[i] for i in order[:top].tolist()]
        return list(zip(chosen, map(scores.__getitem__, chosen), strict=True))


def _result(
    measure: str,
    view: IndexedGraph,
    values: Any,
    normalization: str,
    backend: str,
    weight: str | None,
    **extra: Any,
) -> CentralityResult:
    return CentralityResult(
        measure, as_scores(view, values), normalization, backend, weight, **extra
    )


def _check_budget(measure: str, cost: int, budget: int | None, advice: str) -> None:
    if budget is not None and cost > budget:
        raise AnalysisTooLarge(measure, cost, budget, advice)


# --------------------------------------------------------------------------- degree


def degree_centrality(
    graph: nx.Graph,
    *,
    direction: Literal["in", "out", "all"] = "all",
    weight: str | None = None,
    normalized: bool = True,
) -> CentralityResult:
    """Degree: how many partners (or how much partnership) each actor has.

    Degree is the first screen for hubs and isolates: cheap, local and easy to explain.
    Weighted degree (strength) sums tie strengths instead of counting ties.

    Parameters
    ----------
    graph : networkx.Graph
        Any networkx graph; multigraphs are collapsed first.
    direction : {"all", "in", "out"}
        For directed graphs, which ties count; undirected graphs accept only ``"all"``.
    weight : str, optional
        Edge attribute with tie strength; ``None`` counts ties.
    normalized : bool
        Divide by ``n - 1``, the number of possible partners, as networkx's
        ``degree_centrality`` does (a one-node graph scores 1).

    Returns
    -------
    CentralityResult
        Backend ``numpy``. A self-loop adds 2 to the total degree, as in networkx.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("a", "c")])
    >>> degree_centrality(g).ranked()
    [('a', 1.0), ('b', 0.5), ('c', 0.5)]
    """
    if direction != "all" and not graph.is_directed():
        raise ValueError("in/out degree needs a directed graph")
    view = indexed(graph, weight)
    values = view.values("weight")
    out_deg = np.bincount(view.src, weights=values, minlength=view.n).astype(np.float64)
    in_deg = np.bincount(view.dst, weights=values, minlength=view.n).astype(np.float64)
    deg: FloatArray = {"in": in_deg, "out": out_deg, "all": in_deg + out_deg}[direction]
    label = "divided by n - 1" if normalized else "none"
    if normalized:
        deg = np.ones(view.n) if view.n == 1 else deg / max(view.n - 1, 1)
    name = "degree" if direction == "all" else f"{direction}_degree"
    return _result(name, view, deg, label, "numpy", weight)


# --------------------------------------------------------------------------- betweenness


def estimate_betweenness_cost(graph: nx.Graph, *, k: int | None = None) -> int:
    """Work units of (exact or ``k``-sampled) betweenness: ``sources * edges``.

    Brandes' algorithm runs one shortest-path search per source, each touching every
    edge once, so ``n * m`` predicts run time well enough to refuse hopeless requests
    before starting them (about 2e7 units per second per core on the fast paths).

    Examples
    --------
    >>> import networkx as nx
    >>> estimate_betweenness_cost(nx.path_graph(10))
    90
    >>> estimate_betweenness_cost(nx.path_graph(10), k=2)
    18
    """
    n = graph.number_of_nodes()
    sources = n if k is None else min(k, n)
    return int(sources * max(graph.number_of_edges(), 1))


def _rescale(
    raw: FloatArray, n: int, *, normalized: bool, directed: bool, sources: list[int] | None
) -> FloatArray:
    """networkx's ``_rescale`` (endpoints excluded) on ordered-pair dependency sums."""
    big_n = n - 1
    if big_n < 2:
        return raw
    correction = 1.0 if directed else 2.0
    if sources is None:
        scale = 1.0 / (big_n * (big_n - 1)) if normalized else 1.0 / correction
        return raw * scale
    k = len(sources)
    if normalized:
        on_source = 1.0 / ((k - 1) * (big_n - 1))
        off_source = 1.0 / (k * (big_n - 1))
    else:
        on_source = big_n / ((k - 1) * correction)
        off_source = big_n / (k * correction)
    factors = np.full(n, off_source)
    factors[sources] = on_source
    scaled: FloatArray = raw * factors
    return scaled


def betweenness_centrality(
    graph: nx.Graph,
    *,
    weight: str | None = None,
    normalized: bool = True,
    k: int | None = None,
    seed: int = 0,
    budget: int | None = DEFAULT_WORK_BUDGET,
    allow_sampling: bool = False,
) -> CentralityResult:
    """Betweenness: how often an actor lies on the shortest routes between others.

    High betweenness marks brokers that join otherwise separate parts of the network,
    and so also single points of failure. Exact betweenness costs ``n * m``; sampling
    ``k`` sources (as networkx does) gives an unbiased estimate at ``k * m``.

    Parameters
    ----------
    graph : networkx.Graph
        Directed or undirected; multigraphs are collapsed first.
    weight : str, optional
        Tie strength attribute; shortest paths use ``distance = 1 / weight``.
    normalized : bool
        Divide by the number of ordered pairs ``(n - 1)(n - 2)`` that could route through
        a node; otherwise undirected scores count each unordered pair once.
    k : int, optional
        Sample this many sources (at least 2), drawn exactly as
        ``networkx.betweenness_centrality(G, k=k, seed=seed)`` draws them, and scale
        as networkx does; ``k >= n`` means exact.
    seed : int
        Seed of the source sample, so a sampled ranking is reproducible.
    budget : int, optional
        Largest acceptable :func:`estimate_betweenness_cost`; ``None`` disables it.
    allow_sampling : bool
        When exact betweenness is over budget, sample as many sources as the budget
        allows instead of raising; the result reports ``sampled_sources``.

    Returns
    -------
    CentralityResult
        Backend ``numba`` (exact, unweighted: analytics/_kernels.py), ``networkit`` (exact,
        weighted) or ``numpy`` (sampled sources).

    Raises
    ------
    AnalysisTooLarge
        If the cost exceeds ``budget`` and sampling is not allowed or not enough.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "hub"), ("b", "hub"), ("c", "hub")])
    >>> betweenness_centrality(g).ranked(1)
    [('hub', 1.0)]
    """
    view = indexed(graph, weight)
    n, m = view.n, view.m
    if k is not None and k >= n:
        k = None
    if k is not None and k < 2:
        raise ValueError("sampled betweenness needs k >= 2 sources")
    cost = estimate_betweenness_cost(graph, k=k)
    if budget is not None and cost > budget:
        affordable = budget // max(m, 1)
        if k is None and allow_sampling and affordable >= 2:
            k = int(affordable)
        else:
            advice = (
                f"pass k <= {affordable} to sample sources"
                if affordable >= 2
                else "no sample fits; raise the budget"
            )
            if k is None and affordable >= 2:
                advice += ", or allow_sampling=True"
            raise AnalysisTooLarge("betweenness", cost, budget, advice)
    weighted = weight is not None
    sources: list[int] | None = None
    if k is None:
        raw = _exact_betweenness(view, weighted)
        backend = "networkit" if weighted else "numba"
    else:
        index = view.index()
        sources = [index[v] for v in random.Random(seed).sample(list(view.nodes), k)]
        raw = source_dependencies(view, sources, weighted=weighted)
        backend = "numpy"
    scores = _rescale(raw, n, normalized=normalized, directed=view.directed, sources=sources)
    label = (
        "divided by (n-1)(n-2) ordered pairs"
        if normalized
        else ("ordered pairs" if view.directed else "unordered pairs")
    )
    if sources is not None:
        label += f"; sampled k={k} sources, scaled as networkx (n-1)/k, sources (n-1)/(k-1)"
    return _result("betweenness", view, scores, label, backend, weight, sampled_sources=k)


def _exact_betweenness(view: IndexedGraph, weighted: bool) -> FloatArray:
    """Ordered-pair dependency sums over all sources."""
    if view.n < 3 or view.m == 0:
        return np.zeros(view.n)
    if weighted:
        algo = nk.centrality.Betweenness(view.networkit("distance"), normalized=False)
        algo.run()
        return np.asarray(algo.scores(), dtype=np.float64)
    arcs = view.csr("one", loops=False)
    sums: FloatArray = _kernels().betweenness_sums(arcs.indptr, arcs.indices, view.n)
    return sums


# --------------------------------------------------------------------------- closeness


def closeness_centrality(
    graph: nx.Graph, *, weight: str | None = None, budget: int | None = DEFAULT_WORK_BUDGET
) -> CentralityResult:
    """Closeness: how near an actor is to everyone who can reach it.

    Close actors hear things early and can mobilise partners quickly. The
    Wasserman-Faust correction multiplies by the share of the network that can reach the
    node, so a tight clique that is cut off from everyone else does not outrank a
    well-connected actor in the main component.

    Parameters
    ----------
    graph : networkx.Graph
        For directed graphs, distances are *incoming* (from others to the node), as in
        networkx.
    weight : str, optional
        Tie strength; path length uses ``distance = 1 / weight``.
    budget : int, optional
        Ceiling on ``n * m`` work, as for betweenness.

    Returns
    -------
    CentralityResult
        ``(r - 1) / sum(d(v, u)) * (r - 1) / (n - 1)`` with ``r`` the number of nodes that
        reach ``u`` (itself included), equal to networkx ``closeness_centrality`` with
        ``wf_improved=True``; unreachable nodes score 0. Backend ``networkit``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.path_graph(["a", "b", "c"])
    >>> closeness_centrality(g).scores
    {'a': 0.6666666666666666, 'b': 1.0, 'c': 0.6666666666666666}
    """
    view = indexed(graph, weight)
    _check_budget(
        "closeness", view.n * max(view.m, 1), budget, "filter the graph to a smaller projection"
    )
    label = "Wasserman-Faust: (r-1)^2 / ((n-1) * sum of distances)"
    if view.n < 2 or view.m == 0:
        return _result("closeness", view, np.zeros(view.n), label, "networkit", weight)
    weighted = weight is not None
    nk_graph = view.networkit("distance" if weighted else None, reverse=True)
    algo = nk.centrality.Closeness(
        nk_graph, not weighted, nk.centrality.ClosenessVariant.GENERALIZED
    )
    algo.run()
    return _result("closeness", view, algo.scores(), label, "networkit", weight)


_HARMONIC_BATCH_CELLS = 8_000_000  # distance rows per scipy call: at most 64 MB


def harmonic_centrality(
    graph: nx.Graph,
    *,
    weight: str | None = None,
    normalized: bool = False,
    budget: int | None = DEFAULT_WORK_BUDGET,
) -> CentralityResult:
    """Harmonic closeness: the sum of ``1 / d(v, u)`` over all other nodes ``v``.

    Unlike closeness it needs no correction for disconnected networks (an unreachable
    partner simply adds 0), which suits a partnership graph full of small islands.

    Parameters
    ----------
    graph : networkx.Graph
        For directed graphs distances are incoming, as in networkx.
    weight : str, optional
        Tie strength; path length uses ``distance = 1 / weight``.
    normalized : bool
        Divide by ``n - 1`` so that 1 means "adjacent to everyone" (unweighted).
    budget : int, optional
        Ceiling on ``n * m`` work.

    Returns
    -------
    CentralityResult
        Equal to networkx ``harmonic_centrality`` (before the optional division).
        Backend ``numba`` unweighted (a breadth-first search per node: analytics/_kernels.py),
        ``scipy`` weighted (batched Dijkstra rows, at most 64 MB per batch).

    Examples
    --------
    >>> import networkx as nx
    >>> harmonic_centrality(nx.path_graph(["a", "b", "c"])).scores
    {'a': 1.5, 'b': 2.0, 'c': 1.5}
    """
    view = indexed(graph, weight)
    _check_budget(
        "harmonic", view.n * max(view.m, 1), budget, "filter the graph to a smaller projection"
    )
    label = "divided by n - 1" if normalized else "none (sum of 1/distance)"
    n = view.n
    values = np.zeros(n)
    weighted = weight is not None
    if n >= 2 and view.m and not weighted:
        arcs = view.csr("one", loops=False)
        values = _kernels().harmonic_sums(arcs.indptr, arcs.indices, n)
    elif n >= 2 and view.m:
        matrix = view.csr("distance", loops=False)
        batch = max(1, min(n, _HARMONIC_BATCH_CELLS // n))
        for start in range(0, n, batch):
            rows = np.arange(start, min(start + batch, n))
            dist = csgraph.shortest_path(matrix, method="D", directed=True, indices=rows)
            dist[np.arange(rows.size), rows] = np.inf  # a node is not its own partner
            np.reciprocal(dist, out=dist)  # 1/inf = 0: an unreachable node adds 0
            values += dist.sum(axis=0)
    if normalized and n >= 2:
        values /= n - 1
    backend = "scipy" if weighted else "numba"
    return _result("harmonic", view, values, label, backend, weight)


# --------------------------------------------------------------------------- spectral


def eigenvector_centrality(
    graph: nx.Graph, *, weight: str | None = None, max_iter: int = 100, tol: float = 1e-6
) -> CentralityResult:
    """Eigenvector centrality: being partnered with well-partnered actors.

    It rewards influence through connections rather than their number: a small CSO
    working with the three largest implementers scores above one with many peripheral
    partners. On directed graphs it is the left eigenvector (importance flows along
    edges, to their targets), as in networkx.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph; self-loops count, multigraphs are collapsed first.
    weight : str, optional
        Tie strength attribute.
    max_iter, tol : int, float
        Power iteration on ``A + I`` stops when the L1 change is below ``n * tol``,
        exactly as networkx iterates.

    Returns
    -------
    CentralityResult
        Unit Euclidean norm. Backend ``numpy`` (scipy sparse products).

    Raises
    ------
    networkx.PowerIterationFailedConvergence
        If ``max_iter`` iterations do not converge.

    Examples
    --------
    >>> import networkx as nx
    >>> r = eigenvector_centrality(nx.star_graph(["hub", "a", "b", "c"]))
    >>> r.ranked(1)[0][0], round(r.scores["hub"], 4)
    ('hub', 0.7071)
    """
    view = indexed(graph, weight)
    label = "unit Euclidean norm"
    if view.n == 0:
        return _result("eigenvector", view, [], label, "numpy", weight)
    # networkx's iteration, x <- (A + I)^T x normalised, as one sparse product a step on the
    # view's cached matrix: rustworkx's graph walk took 15 s at 100,000 synthetic actors,
    # 20x igraph with its build (bench/peers.py); this takes about a second.
    flows_in = view.csr("weight", loops=True, reverse=True)
    x = np.full(view.n, 1.0 / view.n)
    for _ in range(max_iter):
        last = x
        x = last + flows_in @ last
        norm = float(np.sqrt(x @ x)) or 1.0
        x = x / norm
        if float(np.abs(x - last).sum()) < view.n * tol:
            return _result("eigenvector", view, x, label, "numpy", weight)
    raise nx.PowerIterationFailedConvergence(max_iter)


def pagerank(
    graph: nx.Graph,
    *,
    alpha: float = 0.85,
    weight: str | None = "weight",
    personalization: Mapping[Hashable, float] | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> CentralityResult:
    """PageRank: where a random walk along partnerships spends its time.

    PageRank spreads importance along directed ties (e.g. funding flows) and, through
    the damping term, never lets a node with no incoming ties drop to zero. An
    undirected edge counts as two arcs. Dangling nodes redistribute their rank by the
    personalization vector, as in networkx.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph; multigraphs are collapsed first, summing weights.
    alpha : float
        Damping: probability of following an edge rather than teleporting.
    weight : str, optional
        Tie strength attribute (networkx's default ``"weight"``; missing means 1).
    personalization : mapping, optional
        Teleport distribution over node ids (normalised to sum 1); uniform if omitted.
    max_iter, tol : int, float
        Stop when the L1 change is below ``n * tol``, as networkx does.

    Returns
    -------
    CentralityResult
        Scores sum to 1. Backend ``scipy``: networkx's own sparse power iteration
        run on a cached matrix, so results agree with networkx to rounding.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "c"), ("b", "c"), ("c", "a")])
    >>> [node for node, _ in pagerank(g).ranked()]
    ['c', 'a', 'b']
    """
    view = indexed(graph, weight)
    n = view.n
    label = "probabilities summing to 1"
    if n == 0:
        return _result("pagerank", view, [], label, "scipy", weight)
    matrix = view.csr("weight", loops=True)
    out_strength = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_strength == 0
    inv = np.divide(1.0, out_strength, out=np.zeros(n), where=~dangling)
    if view.directed:
        transition = (matrix.multiply(inv[:, None])).tocsr().T.tocsr()
    else:  # symmetric: the transpose of the row-scaled matrix is the column-scaled one
        transition = sp.csr_array(
            (matrix.data * inv[matrix.indices], matrix.indices, matrix.indptr), shape=(n, n)
        )
    if personalization is None:
        p = np.full(n, 1.0 / n)
    else:
        index = view.index()
        p = np.zeros(n)
        for node, value in personalization.items():
            p[index[node]] = value
        if p.sum() == 0:
            raise ZeroDivisionError("personalization must have a positive total")
        p /= p.sum()
    x = np.full(n, 1.0 / n)
    dangling_idx = np.flatnonzero(dangling)
    for _ in range(max_iter):
        last = x
        x = alpha * (transition @ last + last[dangling_idx].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            return _result("pagerank", view, x, label, "scipy", weight)
    raise nx.PowerIterationFailedConvergence(max_iter)


# --------------------------------------------------------------------------- structural holes


def _simple(graph: nx.Graph, weight: str | None) -> nx.Graph:
    """A simple, loop-free copy when networkx needs one; otherwise the graph itself."""
    if not graph.is_multigraph() and nx.number_of_selfloops(graph) == 0:
        return graph
    view = indexed(graph, weight)
    simple = nx.DiGraph() if view.directed else nx.Graph()
    simple.add_nodes_from(view.nodes)
    keep = view.src != view.dst
    pairs = zip(view.src[keep].tolist(), view.dst[keep].tolist(), strict=True)
    simple.add_edges_from((view.nodes[u], view.nodes[v]) for u, v in pairs)
    return simple


def _mutual_weights(view: IndexedGraph, measure: str, budget: int | None) -> tuple[Any, FloatArray]:
    """Burt's mutual tie strengths ``z_ij + z_ji`` (loops dropped) and their row sums.

    Both Burt measures multiply this matrix by itself, which touches every two-step
    path: the budget applies to the sum of squared degrees.
    """
    adjacency = view.csr("weight", loops=False)
    mutual = (adjacency + adjacency.T).tocsr()
    degrees = np.diff(mutual.indptr)
    _check_budget(
        measure,
        int((degrees.astype(np.float64) ** 2).sum()),
        budget,
        "restrict it to a smaller projection",
    )
    return mutual, np.asarray(mutual.sum(axis=1)).ravel()


def _row_scale(matrix: Any, factors: FloatArray) -> Any:
    inverse = np.divide(1.0, factors, out=np.zeros_like(factors), where=factors != 0)
    return matrix.multiply(inverse[:, None]).tocsr()


def _defined(view: IndexedGraph, values: FloatArray, strength: FloatArray) -> dict[Hashable, float]:
    return {v: float(x) for v, x, s in zip(view.nodes, values, strength, strict=True) if s > 0}


def constraint(
    graph: nx.Graph, *, weight: str | None = None, budget: int | None = DEFAULT_WORK_BUDGET
) -> CentralityResult:
    """Burt's constraint: how much an actor's partners are also partners of each other.

    Low constraint means the actor bridges structural holes (its partners do not know
    each other) and can broker; high constraint means a closed, redundant circle.
    Isolated actors have no ego network and are left out (networkx gives them NaN).

    Parameters
    ----------
    graph : networkx.Graph
        Directed graphs use both in- and out-neighbours (mutual ties ``z_ij + z_ji``),
        as networkx does. Self-loops are ignored.
    weight : str, optional
        Tie strength attribute, used for the proportional tie strengths.
    budget : int, optional
        Ceiling on the sum of squared degrees (the two-step paths examined).

    Returns
    -------
    CentralityResult
        ``c(v) = sum over neighbours u of (p_vu + sum_w p_vw p_wu)^2`` with ``p`` the
        mutual tie strengths normalised per row; unnormalised (a dyad scores 1).
        Ranked ascending: brokers first. Backend ``scipy`` (networkx's sparse formula,
        restricted to existing ties).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.star_graph(["broker", "a", "b", "c"])
    >>> [(node, round(score, 3)) for node, score in constraint(g).ranked(2)]
    [('broker', 0.333), ('a', 1.0)]
    """
    view = indexed(graph, weight)
    mutual, strength = _mutual_weights(view, "constraint", budget)
    p = _row_scale(mutual, strength)
    indirect = (p @ p).tocsr()
    on_ties = (p + indirect.multiply(p > 0)).tocsr()
    values = np.asarray(on_ties.multiply(on_ties).sum(axis=1)).ravel()
    return CentralityResult(
        "constraint",
        _defined(view, values, strength),
        "none",
        "scipy",
        weight,
        descending=False,
    )


def effective_size(
    graph: nx.Graph, *, weight: str | None = None, budget: int | None = DEFAULT_WORK_BUDGET
) -> CentralityResult:
    """Burt's effective size: the number of partners, minus their redundancy.

    An actor whose five partners never work with one another has effective size 5; if
    they all work together it falls towards 1. It is the "how many separate circles do
    I reach" reading of brokerage. Isolated actors are left out (networkx gives NaN).

    Parameters
    ----------
    graph : networkx.Graph
        Directed or undirected; self-loops are ignored.
    weight : str, optional
        Tie strength attribute.
    budget : int, optional
        Ceiling on the sum of squared degrees.

    Returns
    -------
    CentralityResult
        ``sum over neighbours u of (1 - sum_w p_vw m_uw)``, ``p`` normalised by row sum
        and ``m`` by row maximum, as networkx; unnormalised (divide by degree for
        Burt's efficiency). Backend ``scipy``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("broker", "a"), ("broker", "b"), ("a", "x"), ("b", "y")])
    >>> effective_size(g).scores["broker"]
    2.0
    """
    view = indexed(graph, weight)
    mutual, strength = _mutual_weights(view, "effective size", budget)
    p = _row_scale(mutual, strength)
    row_max = mutual.max(axis=1).toarray().ravel() if view.n else np.zeros(0)
    m = _row_scale(mutual, row_max)
    redundancy = (p @ m.T).tocsr().multiply(p > 0)
    values = np.diff(mutual.indptr) - np.asarray(redundancy.sum(axis=1)).ravel()
    return CentralityResult(
        "effective_size", _defined(view, values, strength), "none", "scipy", weight
    )


def core_number(graph: nx.Graph) -> CentralityResult:
    """k-core number: the deepest core (every member with >= k partners inside) a node is in.

    The innermost core is the network's stable centre; actors with core number 1 hang
    on by a single thread. Directed graphs use in + out degree, as networkx does;
    self-loops are ignored.

    Computed by the bucket algorithm compiled with numba (:mod:`analytics._kernels`):
    networkx's, in Python, took 13.5 s at 100,000 synthetic actors, and NetworKit's with its
    graph build 1.2x the peers' CPU (``bench/peers.py``); NetworKit also does not follow the
    in + out rule for directed graphs.

    Returns
    -------
    CentralityResult
        Integer-valued scores, unnormalised. Backend ``numba``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    >>> core_number(g).scores
    {'a': 2.0, 'b': 2.0, 'c': 2.0, 'd': 1.0}
    """
    view = indexed(graph)
    if view.directed:  # every arc both ways round: a node's arcs are its in + out degree
        loops = view.src == view.dst
        src = np.concatenate([view.src[~loops], view.dst[~loops]])
        dst = np.concatenate([view.dst[~loops], view.src[~loops]])
        order, indptr = stable_order(src, view.n)
        indices = dst[order]
    else:
        arcs = view.csr("one", loops=False)
        indptr, indices = arcs.indptr, arcs.indices
    cores = _kernels().core_numbers(indptr, indices, view.n).astype(np.float64)
    return CentralityResult("core_number", as_scores(view, cores), "none (integer k)", "numba")


# --------------------------------------------------------------------------- brokers


@dataclass(frozen=True)
class Broker:
    """An actor spanning structural holes: its Burt constraint and effective size
    (:func:`constraint`, :func:`effective_size`) and its number of distinct partners
    (``degree``, self-loops aside)."""

    node: Hashable
    constraint: float
    effective_size: float
    degree: int

    @property
    def efficiency(self) -> float:
        """Burt's efficiency: effective size per partner (0 without partners)."""
        return self.effective_size / self.degree if self.degree else 0.0


def brokers(
    graph: nx.Graph, *, weight: str | None = None, budget: int | None = DEFAULT_WORK_BUDGET
) -> list[Broker]:
    """Brokers first: lowest Burt constraint, then largest effective size, then id.

    Isolated actors have no ego network and are left out, as in :func:`constraint`.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph, as for :func:`constraint`.
    weight : str, optional
        Tie strength attribute.
    budget : int, optional
        Ceiling on the sum of squared degrees, for each of the two measures.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("broker", "a"), ("broker", "b"), ("broker", "c"), ("a", "x")])
    >>> top = brokers(g)[0]
    >>> top.node, round(top.constraint, 3), top.degree, top.effective_size, top.efficiency
    ('broker', 0.333, 3, 3.0, 1.0)
    """
    low = constraint(graph, weight=weight, budget=budget).scores
    size = effective_size(graph, weight=weight, budget=budget).scores
    ties = degree_centrality(graph, normalized=False).scores
    found = [Broker(v, c, size[v], round(ties[v])) for v, c in low.items()]
    found.sort(key=lambda b: (b.constraint, -b.effective_size, str(b.node)))
    return found
