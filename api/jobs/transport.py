"""A networkx graph as flat arrays, to send an analysed network to a job's child process.

Why not pickle the graph itself: pickling is one C call that holds the GIL, so the server's
event loop stands still for all of it (0.2 s for the 24,000-node, 163,000-link network of the
20,000-actor synthetic data, about five times that at 100,000 actors), and an analysed network
carries every stored property of its nodes (names, sources, ...), which no measure reads. Here
the server walks the graph in a worker thread (Python code, so the loop keeps its turns) and
pickles a few arrays and lists, which takes milliseconds; the child rebuilds the graph.

Fidelity: the child's graph has the same nodes in the same order and the same edges in the same
order (``graph.edges()``), with the attributes asked for. For a graph whose edges were added in
sorted order, as every analysed network is (``analytics.projection.canonical`` and
``simple_graph``), each node's adjacency (and, directed, its predecessors) is then in the same
order too, so the backends' views (``analytics/_fast.py`` walks the adjacency) are identical and
the results are those of the server, to the last bits that the multithreaded backends vary from
run to run anyway (``tests/centrality/test_jobs.py`` checks both).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

#: What the centrality measures read: a node's kind (the ranking is tagged with it) and a
#: link's weight.
NODE_ATTRIBUTES = ("kind",)
EDGE_ATTRIBUTES = ("weight",)


@dataclass(frozen=True)
class EdgeValues:
    """One edge attribute: its values on the edges that have it (``present``; None: all)."""

    values: NDArray[Any] | list[Any]
    present: NDArray[np.bool_] | None


@dataclass(frozen=True)
class GraphPayload:
    """A simple graph (``Graph`` or ``DiGraph``) as arrays.

    >>> g = nx.Graph([("a", "b", {"weight": 2.0}), ("b", "c", {"weight": 1.0})])
    >>> nx.set_node_attributes(g, {"a": "X", "b": "Y", "c": "Y"}, "kind")
    >>> h = GraphPayload.of(g).graph()
    >>> list(h.nodes(data="kind")), list(h.edges(data="weight")), nx.is_frozen(h)
    ([('a', 'X'), ('b', 'Y'), ('c', 'Y')], [('a', 'b', 2.0), ('b', 'c', 1.0)], True)
    """

    directed: bool
    nodes: list[Hashable]
    node_data: list[dict[str, Any]]
    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    edge_data: dict[str, EdgeValues]
    graph_data: dict[str, Any]

    @classmethod
    def of(
        cls,
        graph: nx.Graph,
        node_attributes: Sequence[str] = NODE_ATTRIBUTES,
        edge_attributes: Sequence[str] = EDGE_ATTRIBUTES,
    ) -> GraphPayload:
        """The arrays of ``graph`` with only the attributes named (a few seconds of Python at
        a million links: call it off the event loop)."""
        if graph.is_multigraph():
            raise ValueError("a multigraph: collapse it to a simple graph first")
        nodes = list(graph)
        index = {v: i for i, v in enumerate(nodes)}
        attrs = graph.nodes
        node_data = [{k: attrs[v][k] for k in node_attributes if k in attrs[v]} for v in nodes]
        # graph.edges() order, from one pass over the adjacency (as analytics/_fast.py reads
        # it): an undirected edge is listed by its first end in node order, so keep an entry
        # when its other end does not come earlier.
        adjacency = list(graph.adjacency())
        degree = np.fromiter((len(nbrs) for _, nbrs in adjacency), np.int64, len(nodes))
        total = int(degree.sum())
        src = np.repeat(np.arange(len(nodes), dtype=np.int64), degree)
        dst = np.fromiter((index[v] for _, nbrs in adjacency for v in nbrs), np.int64, total)
        data = [d for _, nbrs in adjacency for d in nbrs.values()]
        if not graph.is_directed():
            keep = dst >= src
            src, dst = src[keep], dst[keep]
            data = [d for d, kept in zip(data, keep.tolist(), strict=True) if kept]
        edge_data = {name: _edge_values(data, name) for name in edge_attributes}
        return cls(graph.is_directed(), nodes, node_data, src, dst, edge_data, dict(graph.graph))

    def graph(self) -> nx.Graph:
        """The graph again, frozen, as the analysed networks are."""
        built: nx.Graph = nx.DiGraph() if self.directed else nx.Graph()
        built.graph.update(self.graph_data)
        built.add_nodes_from(zip(self.nodes, self.node_data, strict=True))
        data: list[dict[str, Any]] = [{} for _ in range(self.src.size)]
        for name, column in self.edge_data.items():
            values = column.values
            if isinstance(values, np.ndarray):
                values = values.tolist()
            where: list[int] = (
                list(range(len(data)))
                if column.present is None
                else np.flatnonzero(column.present).tolist()
            )
            for i, value in zip(where, values, strict=True):
                data[i][name] = value
        nodes = self.nodes
        built.add_edges_from(
            (nodes[u], nodes[v], d)
            for u, v, d in zip(self.src.tolist(), self.dst.tolist(), data, strict=True)
        )
        return nx.freeze(built)


def _edge_values(data: list[dict[str, Any]], name: str) -> EdgeValues:
    present = [name in d for d in data]
    values = [d[name] for d in data if name in d]
    mask = None if all(present) else np.array(present, dtype=bool)
    # floats stay floats and ints ints (tolist() gives back the same Python numbers)
    try:
        if all(type(x) is float for x in values):
            return EdgeValues(np.array(values, dtype=np.float64), mask)
        if all(type(x) is int for x in values):
            return EdgeValues(np.array(values, dtype=np.int64), mask)
    except OverflowError:  # an int beyond 64 bits: kept as it is
        pass
    return EdgeValues(values, mask)
