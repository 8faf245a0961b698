"""Structure: the shape of the partnership network as a whole.

Components say which parts of the network can reach each other at all; communities
which actors work mostly among themselves; articulation points and bridges which single
actors or partnerships hold parts together; the summary gives the dashboard figures.

All functions take a networkx graph (normally a projection from
:mod:`analytics.projection`); multigraphs are collapsed and, where a measure is defined
on undirected graphs only, directions are dropped first (weights of reciprocal ties
summed). networkx is the reference; ``tests/analytics`` checks the fast paths against it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse.csgraph as csgraph

from analytics._fast import IndexedGraph, IntArray, indexed, nk
from analytics.blocks import blocks
from analytics.centrality import DEFAULT_WORK_BUDGET

__all__ = [
    "CommunityResult",
    "NetworkSummary",
    "articulation_points",
    "bridges",
    "communities",
    "connected_components",
    "internal_strengths",
    "modularity",
    "summary",
]


def _groups(view: IndexedGraph, labels: IntArray) -> list[list[Hashable]]:
    """Nodes grouped by label: largest group first, members and ties ordered by id."""
    buckets: dict[int, list[Hashable]] = {}
    for node, label in zip(view.nodes, labels.tolist(), strict=True):
        buckets.setdefault(label, []).append(node)
    groups = [sorted(members, key=str) for members in buckets.values()]
    groups.sort(key=lambda members: (-len(members), str(members[0])))
    return groups


def connected_components(graph: nx.Graph, *, strong: bool = False) -> list[list[Hashable]]:
    """Groups of actors that can reach each other through partnerships.

    More than one component means the network is fragmented: no chain of partnerships
    joins the pieces. Directed graphs use weak connectivity unless ``strong`` is set.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph.
    strong : bool
        For directed graphs, require directed paths both ways.

    Returns
    -------
    list of list
        Components, largest first (ties by smallest id); members sorted by id.
        Backend ``scipy``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])
    >>> connected_components(g)
    [['c', 'd', 'e'], ['a', 'b']]
    """
    view = indexed(graph)
    if view.n == 0:
        return []
    _, labels = csgraph.connected_components(
        view.csr("one"),
        directed=view.directed,
        connection="strong" if strong else "weak",
    )
    return _groups(view, labels)


@dataclass(frozen=True)
class CommunityResult:
    """A partition of the network into communities and its quality.

    Attributes
    ----------
    communities : list of list
        Largest first; members sorted by id. Every node is in exactly one.
    modularity : float
        Newman modularity of the partition (with ``resolution``) on the undirected,
        weighted graph the communities were found on.
    resolution : float
        Resolution ``gamma``: above 1 favours smaller communities.
    seed : int
        Seed that fixed the node visiting order.
    backend : str
        Library that found the partition.
    """

    communities: list[list[Hashable]]
    modularity: float
    resolution: float
    seed: int
    backend: str

    def membership(self) -> dict[Hashable, int]:
        """Node id to community number (0 is the largest community)."""
        return {v: i for i, members in enumerate(self.communities) for v in members}


def _labels(view: IndexedGraph, groups: Iterable[Iterable[Hashable]]) -> IntArray:
    index = view.index()
    labels = np.full(view.n, -1, dtype=np.int64)
    for number, members in enumerate(groups):
        for node in members:
            if labels[index[node]] != -1:
                raise ValueError(f"node {node!r} is in more than one community")
            labels[index[node]] = number
    if (labels < 0).any():
        raise ValueError("communities must cover every node")
    return labels


def _modularity(view: IndexedGraph, labels: IntArray, resolution: float) -> float:
    weights = view.values("weight")
    total = float(weights.sum())
    if total == 0:
        return 0.0
    inside = float(weights[labels[view.src] == labels[view.dst]].sum())
    out_strength = np.bincount(labels[view.src], weights=weights, minlength=view.n)
    in_strength = np.bincount(labels[view.dst], weights=weights, minlength=view.n)
    if view.directed:
        expected = float((out_strength * in_strength).sum()) / total**2
    else:
        expected = float(((out_strength + in_strength) ** 2).sum()) / (4 * total**2)
    return inside / total - resolution * expected


def modularity(
    graph: nx.Graph,
    groups: Iterable[Iterable[Hashable]],
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
) -> float:
    """Newman modularity: how much more the ties fall inside groups than by chance.

    Parameters
    ----------
    graph : networkx.Graph
        Directed graphs use the directed (Leicht-Newman) null model, as networkx.
    groups : iterable of iterables
        A partition of the nodes.
    weight : str, optional
        Tie strength attribute (missing means 1).
    resolution : float
        ``gamma`` in ``Q = sum_c L_c / m - gamma * (d_c / 2m)^2``.

    Returns
    -------
    float
        Equal to ``networkx.community.modularity``; 0 for a graph without edges.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("c", "d")])
    >>> modularity(g, [["a", "b"], ["c", "d"]])
    0.5
    """
    view = indexed(graph, weight)
    return _modularity(view, _labels(view, groups), resolution)


def communities(
    graph: nx.Graph,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int = 0,
) -> CommunityResult:
    """Communities by the Louvain method: groups of actors that mostly work together.

    Runs NetworKit's PLM (Louvain with refinement) sequentially on the nodes in a
    seeded random order, so the same seed gives the same partition; a different seed
    may find a different, equally good one. Directions are dropped first (a
    partnership ties both ends), summing reciprocal weights.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph.
    weight : str, optional
        Tie strength attribute (missing means 1).
    resolution : float
        Modularity resolution ``gamma``: higher finds more, smaller communities.
    seed : int
        Fixes the node order the method visits.

    Returns
    -------
    CommunityResult
        Partition and its modularity. Backend ``networkit``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"),
    ...               ("x", "z"), ("c", "x")])
    >>> result = communities(g, seed=1)
    >>> result.communities, round(result.modularity, 3)
    ([['a', 'b', 'c'], ['x', 'y', 'z']], 0.357)
    """
    view = indexed(graph, weight).undirected()
    if view.m == 0:
        labels = np.arange(view.n)
        return CommunityResult(_groups(view, labels), 0.0, resolution, seed, "networkit")
    order = np.random.default_rng(seed).permutation(view.n)
    shuffled = nk.GraphFromCoo(
        (view.weight, (order[view.src], order[view.dst])),
        n=view.n,
        weighted=True,
        directed=False,
    )
    plm = nk.community.PLM(shuffled, refine=True, gamma=resolution, par="none")
    plm.run()
    found = np.asarray(plm.getPartition().getVector(), dtype=np.int64)
    labels = found[order]
    return CommunityResult(
        _groups(view, labels),
        _modularity(view, labels, resolution),
        resolution,
        seed,
        "networkit",
    )


def internal_strengths(
    graph: nx.Graph, groups: Iterable[Iterable[Hashable]], *, weight: str | None = "weight"
) -> list[list[tuple[Hashable, float]]]:
    """Each group's members with the strength of their ties inside it, strongest first.

    A member's internal strength is the summed weight of its ties to the other members of its
    group: who to call to reach that circle. Directions are dropped first (reciprocal weights
    summed), as in :func:`communities`; self-loops do not count.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph.
    groups : iterable of iterables
        A partition of the nodes (e.g. :attr:`CommunityResult.communities`).
    weight : str, optional
        Tie strength attribute (missing means 1); ``None`` counts ties.

    Returns
    -------
    list of list
        Per group, in the given order: ``(node, strength)`` by strength descending, then id.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("a", "c"), ("c", "x")])
    >>> internal_strengths(g, [["a", "b", "c"], ["x"]], weight=None)
    [[('a', 2.0), ('b', 1.0), ('c', 1.0)], [('x', 0.0)]]
    """
    chosen = [list(members) for members in groups]
    view = indexed(graph, weight).undirected()
    labels = _labels(view, chosen)
    inside = (labels[view.src] == labels[view.dst]) & (view.src != view.dst)
    strength = np.bincount(view.src[inside], weights=view.weight[inside], minlength=view.n)
    strength += np.bincount(view.dst[inside], weights=view.weight[inside], minlength=view.n)
    index = view.index()
    return [
        sorted(((v, float(strength[index[v]])) for v in members), key=lambda x: (-x[1], str(x[0])))
        for members in chosen
    ]


def articulation_points(graph: nx.Graph) -> list[Hashable]:
    """Actors whose removal would split the network.

    These are single points of failure: if such a partner withdraws, the actors that
    only reached the rest of the network through it are cut off. Directions are
    dropped first.

    Returns
    -------
    list
        Node ids sorted by id: the nodes in two or more blocks (:mod:`analytics.blocks`).
        Backend ``rustworkx``.

    Examples
    --------
    >>> import networkx as nx
    >>> articulation_points(nx.path_graph(["a", "b", "c"]))
    ['b']
    """
    found = blocks(graph)
    return sorted((found.nodes[i] for i in found.cut_vertices().tolist()), key=str)


def bridges(graph: nx.Graph) -> list[tuple[Hashable, Hashable]]:
    """Partnerships whose loss would split the network.

    A bridge is the only link between two parts of the network. Directions are dropped
    and parallel relationships merged first: a pair of actors tied by two
    relationships is still one link.

    Returns
    -------
    list of tuple
        Each bridge as a pair sorted by id; the list sorted: the blocks of one link
        (:mod:`analytics.blocks`). Backend ``rustworkx``.

    Examples
    --------
    >>> import networkx as nx
    >>> bridges(nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]))
    [('c', 'd')]
    """
    found = blocks(graph)
    pairs: list[tuple[Hashable, Hashable]] = []
    for u, v in found.bridges().tolist():
        ends = sorted((found.nodes[u], found.nodes[v]), key=str)
        pairs.append((ends[0], ends[1]))
    return sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1])))


@dataclass(frozen=True)
class NetworkSummary:
    """Headline figures of a network.

    Attributes
    ----------
    nodes, relationships : int
        Counts as given (parallel relationships counted separately).
    links : int
        Distinct tied pairs (directed pairs for directed graphs), self-loops included.
    density : float
        ``links`` over possible pairs, as ``networkx.density`` of the collapsed graph.
    components, largest_component, isolates : int
        Weakly connected components, size of the largest, nodes without any tie.
    average_clustering : float
        Mean local clustering of the undirected, loop-free graph (degree < 2 counts 0).
    diameter : int or None
        Longest shortest path in hops within the largest component; ``None`` when the
        graph was too large for an exact answer and only ``diameter_bounds`` is known.
    diameter_bounds : tuple of int
        Lower and upper bound on the diameter (equal when exact).
    """

    nodes: int
    relationships: int
    links: int
    density: float
    components: int
    largest_component: int
    isolates: int
    average_clustering: float
    diameter: int | None
    diameter_bounds: tuple[int, int]


def summary(graph: nx.Graph, *, budget: int | None = DEFAULT_WORK_BUDGET) -> NetworkSummary:
    """Headline figures for a dashboard: size, density, fragmentation, clustering, reach.

    The diameter (how many hops separate the two most distant actors of the main
    component) is computed exactly with NetworKit's iFUB algorithm when
    ``nodes * links`` of that component fits ``budget``, otherwise bounded to within
    10% by its estimated-range algorithm.

    Examples
    --------
    >>> import networkx as nx
    >>> s = summary(nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]))
    >>> s.nodes, s.links, s.components, s.diameter, round(s.average_clustering, 3)
    (4, 4, 1, 2, 0.583)
    """
    view = indexed(graph)
    n = view.n
    possible = n * (n - 1) if view.directed else n * (n - 1) / 2
    groups = connected_components(graph)
    plain = view.undirected()
    degree = np.bincount(plain.src[plain.src != plain.dst], minlength=n) + np.bincount(
        plain.dst[plain.src != plain.dst], minlength=n
    )
    clustering = 0.0
    bounds = (0, 0)
    if n and plain.m:
        nk_graph = plain.networkit(None)
        local = nk.centrality.LocalClusteringCoefficient(nk_graph, turbo=True)
        local.run()
        clustering = float(np.mean(local.scores()))
        bounds = _diameter(nk_graph, budget)
    return NetworkSummary(
        nodes=n,
        relationships=graph.number_of_edges(),
        links=view.m,
        density=view.m / possible if n > 1 else 0.0,
        components=len(groups),
        largest_component=len(groups[0]) if groups else 0,
        isolates=int((degree == 0).sum()),
        average_clustering=clustering,
        diameter=bounds[0] if bounds[0] == bounds[1] else None,
        diameter_bounds=bounds,
    )


def _diameter(nk_graph: object, budget: int | None) -> tuple[int, int]:
    largest = nk.components.ConnectedComponents.extractLargestConnectedComponent(nk_graph, True)
    cost = largest.numberOfNodes() * max(largest.numberOfEdges(), 1)
    if largest.numberOfEdges() == 0:
        return (0, 0)
    if budget is None or cost <= budget:
        algo = nk.distance.Diameter(largest, nk.distance.DiameterAlgo.EXACT)
        algo.run()
        exact = int(algo.getDiameter()[0])
        return (exact, exact)
    algo = nk.distance.Diameter(largest, nk.distance.DiameterAlgo.ESTIMATED_RANGE, error=0.1)
    algo.run()
    low, high = algo.getDiameter()
    return (int(low), int(high))
