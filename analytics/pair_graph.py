"""Simple networkx graphs made from integer pairs, whose adjacency is filled on first use.

Why: a network's measures read it through its integer views (analytics/_fast.py), which its
builder holds already as arrays; only a few analyses walk networkx's adjacency (a network's
summary, brokers, the drawn view, a job's payload). Filling that adjacency costs two dict
insertions per tie in Python: at 20,000 actors about 0.1 s, three times PageRank itself and as
much as the rest of the network's build. So a network made from pairs (every analysed network:
analytics/projection.py) keeps the pairs, seeds its views, and fills its adjacency only when
something first reads it. A first PageRank or community search never does.

How: networkx keeps the adjacency in instance attributes (``_adj``, and for a directed graph
``_succ``/``_pred``) behind data descriptors of its own that reset cached views when they are
set. The classes here put a descriptor in front of each that, when the instance has no such
attribute yet, fills it from the pairs, then delegates setting to networkx's. An empty graph
of these classes (as ``copy`` or ``subgraph`` make one) is an ordinary networkx graph. This
reaches into networkx's storage; ``tests/analytics/test_pair_graph.py`` holds a filled graph
equal, adjacency order included, to one built through networkx's public API, and fails if the
descriptors this relies on change.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np

from analytics._fast import FloatArray, IndexedGraph, IntArray, seed_views

__all__ = ["filled", "pair_graph"]

_PAIRS = "_pairs"
_LOCK = threading.Lock()  # one fill at a time: two threads must not both pay for one


class _FilledOnRead:
    """A networkx storage attribute that is filled from the pairs when first read."""

    def __init__(self, name: str, base: Any) -> None:
        self._name = name
        self._base = base  # networkx's own descriptor: setting stays networkx's business

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        found = obj.__dict__.get(self._name)
        if found is None:
            _fill(obj)
            found = obj.__dict__[self._name]
        return found

    def __set__(self, obj: Any, value: Any) -> None:
        self._base.__set__(obj, value)


class PairGraph(nx.Graph):  # type: ignore[misc]
    """An undirected simple graph whose adjacency is filled from its pairs on first read."""

    _adj = _FilledOnRead("_adj", nx.Graph.__dict__["_adj"])
    _STORAGE = ("_adj",)


class PairDiGraph(nx.DiGraph):  # type: ignore[misc]
    """A directed simple graph whose successors and predecessors are filled on first read."""

    _adj = _FilledOnRead("_adj", nx.DiGraph.__dict__["_adj"])
    _succ = _FilledOnRead("_succ", nx.DiGraph.__dict__["_succ"])
    _pred = _FilledOnRead("_pred", nx.DiGraph.__dict__["_pred"])
    _STORAGE = ("_adj", "_succ", "_pred")


def pair_graph(
    nodes: dict[Any, dict[str, Any]],
    *,
    directed: bool,
    src: IntArray,
    dst: IntArray,
    relationships: IntArray,
    attributes: Mapping[str, Any],
    index: dict[Any, int] | None = None,
    adjacency: dict[Any, dict[Any, dict[str, Any]]] | None = None,
) -> nx.Graph:
    """The frozen simple graph of the pairs ``(nodes[src[i]], nodes[dst[i]])``, each tie with
    ``relationships`` and ``weight`` (the same count, as a float), with its views seeded.

    The pairs must be distinct and ascending (by ``src``, then ``dst``), undirected ones with
    ``src <= dst``: then the adjacency, when filled, is what ``add_edges_from`` gives with the
    pairs in that order, each row in neighbour order. ``nodes`` (id to attributes, in node
    order) becomes the graph's own: the caller hands it over. Its attribute dicts are kept,
    not copied, and ties with the same count share one attribute dict: the graph is frozen and
    nothing writes to them. ``index``: node id to position, if the caller has it.
    ``adjacency`` (undirected only): the adjacency those pairs make, if the caller has it
    already (a network patched after a write, analytics/advance.py); then nothing is left to
    fill.

    >>> g = pair_graph(
    ...     {"a": {}, "b": {}, "c": {}},
    ...     directed=False,
    ...     src=np.array([0, 0]),
    ...     dst=np.array([1, 2]),
    ...     relationships=np.array([3, 1]),
    ...     attributes={},
    ... )
    >>> filled(g), list(g.edges(data="relationships")), filled(g)
    (False, [('a', 'b', 3), ('a', 'c', 1)], True)
    """
    graph: nx.Graph = PairDiGraph() if directed else PairGraph()
    graph.graph.update(attributes)
    graph._node = nodes
    ids = list(nodes)
    if adjacency is not None:
        if directed:
            raise ValueError("an adjacency is taken for an undirected graph only")
        graph._adj = adjacency
    else:
        for name in graph._STORAGE:
            del graph.__dict__[name]
        graph.__dict__[_PAIRS] = (ids, src, dst, relationships)
    frozen = nx.freeze(graph)
    weight: FloatArray = relationships.astype(np.float64)
    seed_views(
        frozen,
        {
            "weight": IndexedGraph(ids, directed, src, dst, weight, index=index),
            None: IndexedGraph(ids, directed, src, dst, np.ones(src.size), index=index),
        },
    )
    return frozen


def filled(graph: nx.Graph) -> bool:
    """Whether ``graph``'s adjacency is in place (always, for a graph not made by
    :func:`pair_graph`): patching it after a write is only worth it then."""
    return _PAIRS not in graph.__dict__


def _fill(graph: nx.Graph) -> None:
    """networkx's storage as ``add_nodes_from`` then ``add_edges_from`` would fill it with
    the pairs in order (the same dicts in the same order), without their per-item checks."""
    with _LOCK:
        pairs = graph.__dict__.get(_PAIRS)
        if pairs is None:  # filled by another thread meanwhile
            return
        ids, src, dst, relationships = pairs
        directed = graph.is_directed()
        succ: dict[Hashable, dict[Hashable, dict[str, Any]]] = {v: {} for v in ids}
        pred = {v: {} for v in ids} if directed else succ
        shared: dict[int, dict[str, Any]] = {}
        for u, v, k in zip(src.tolist(), dst.tolist(), relationships.tolist(), strict=True):
            data = shared.get(k)
            if data is None:
                data = shared[k] = {"weight": float(k), "relationships": k}
            a, b = ids[u], ids[v]
            succ[a][b] = pred[b][a] = data
        graph._adj = succ  # (a directed graph's _succ with it)
        if directed:
            graph._pred = pred
        del graph.__dict__[_PAIRS]
