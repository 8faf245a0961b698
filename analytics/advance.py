"""The analysed network after a write, from the one before it.

After a write the store derives the new snapshot from the previous one, sharing every entry
the write did not touch (graph/snapshot.py). So what changed is visible by identity: a node
whose attributes, successors or predecessors are not the very dicts they were is one the
write touched, found in one pass over the nodes. :func:`advance_simple` rebuilds the simple
graph of :func:`analytics.projection.simple_graph` only around those nodes and shares the
rest with the previous one, as the snapshot does, then updates the backends' integer views
with a few numpy passes. At 100,000 actors this is milliseconds where the full projection
takes seconds; the first measure after a write then costs what the measure costs.

It applies to the undirected simple graph of a whole snapshot (the default network); a
filtered or directed network, or a snapshot built in full rather than derived (everything
looks touched), is projected in full instead. Like the snapshots, it reaches into networkx's
storage (``_node``, ``_adj``); ``tests/analytics/test_advance.py`` holds every result equal,
in content, order and views, to a full projection, and fails if that storage changes shape.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np

from analytics._fast import IndexedGraph, indexed, seed_views

__all__ = ["advance_simple", "touched_nodes"]

#: Beyond this share of touched nodes (and this many) a full projection is cheaper than
#: patching.
MAX_TOUCHED_SHARE = 0.05
MIN_TOUCHED_LIMIT = 64


def touched_nodes(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> set[Hashable] | None:
    """Nodes of ``new`` whose attributes or relationships are not shared with ``old``;
    ``None`` if ``new`` lost a node of ``old`` (not something a derived snapshot does).

    >>> g = nx.MultiDiGraph([("a", "p"), ("b", "p")])
    >>> touched_nodes(g, g), sorted(touched_nodes(g, nx.MultiDiGraph(g)))
    (set(), ['a', 'b', 'p'])
    """
    o_node, o_succ, o_pred = old._node, old._succ, old._pred
    n_node, n_succ, n_pred = new._node, new._succ, new._pred
    if n_node.keys() == o_node.keys():  # the common case, in one ordered pass at C speed
        pairs = zip(
            n_node, n_node.values(), o_node.values(), n_succ.values(), o_succ.values(),
            n_pred.values(), o_pred.values(), strict=True,
        )  # fmt: skip
        return {v for v, a, b, c, d, e, f in pairs if a is not b or c is not d or e is not f}
    if any(v not in n_node for v in o_node):
        return None
    return {
        v
        for v in n_node
        if n_node[v] is not o_node.get(v)
        or n_succ[v] is not o_succ.get(v)
        or n_pred[v] is not o_pred.get(v)
    }


def advance_simple(
    previous: nx.Graph, old: nx.MultiDiGraph, new: nx.MultiDiGraph
) -> nx.Graph | None:
    """``simple_graph(new, directed=False)``, given ``previous = simple_graph(old,
    directed=False)``; ``None`` when it is not worth it or not possible (see the module).

    >>> from analytics.projection import simple_graph
    >>> snap = nx.freeze(nx.MultiDiGraph([("a", "p"), ("b", "p"), ("b", "p")]))
    >>> same = advance_simple(simple_graph(snap, directed=False), snap, snap)
    >>> list(same.edges(data="relationships"))
    [('a', 'p', 1), ('b', 'p', 2)]
    """
    if previous.is_directed() or not nx.is_frozen(previous):
        return None
    touched = touched_nodes(old, new)
    if touched is None or len(touched) > max(MAX_TOUCHED_SHARE * len(new), MIN_TOUCHED_LIMIT):
        return None
    nodes = list(new._node) if len(new) != len(previous) else list(previous)
    rows = {u: _row(new, u) for u in touched}
    adj = _patched_adjacency(previous, new, touched, rows, nodes)
    result = nx.Graph()
    result.graph.update(new.graph)
    if len(nodes) == len(previous):
        result._node = dict(previous._node)
    else:
        result._node = {v: previous._node.get(v) for v in nodes}
    for v in touched:
        result._node[v] = dict(new._node[v])
    result._adj = adj
    frozen = nx.freeze(result)
    seed_views(frozen, _patched_views(indexed(previous, "weight"), nodes, touched, rows))
    return frozen


def _row(snap: nx.MultiDiGraph, u: Hashable) -> dict[Hashable, int]:
    """Relationships between ``u`` and each neighbour, both directions, loops once."""
    counts: dict[Hashable, int] = {}
    for v, keyed in snap._succ[u].items():
        counts[v] = counts.get(v, 0) + len(keyed)
    for v, keyed in snap._pred[u].items():
        if v != u:
            counts[v] = counts.get(v, 0) + len(keyed)
    return counts


def _patched_adjacency(
    previous: nx.Graph,
    new: nx.MultiDiGraph,
    touched: set[Hashable],
    rows: dict[Hashable, dict[Hashable, int]],
    nodes: list[Hashable],
) -> dict[Hashable, dict[Hashable, dict[str, Any]]]:
    """The previous adjacency with the touched nodes' rows replaced, one dict per tie shared
    by both ends (as networkx keeps it), each row in neighbour order."""
    adj: dict[Hashable, dict[Hashable, dict[str, Any]]]
    if len(nodes) == len(previous):
        adj = dict(previous._adj)
    else:
        adj = {v: previous._adj.get(v, {}) for v in nodes}
    owned: set[Hashable] = set()

    def own(v: Hashable) -> dict[Hashable, dict[str, Any]]:
        if v not in owned:
            adj[v] = dict(adj[v])
            owned.add(v)
        return adj[v]

    for u in touched:
        for v in list(adj[u]):  # ties gone
            if v not in rows[u]:
                del own(u)[v]
                if v != u:
                    del own(v)[u]
        for v, count in rows[u].items():
            if adj[u].get(v, {}).get("relationships") == count:
                continue
            data = {"weight": float(count), "relationships": count}
            own(u)[v] = data
            own(v)[u] = data
    for v in owned:
        adj[v] = dict(sorted(adj[v].items(), key=lambda item: str(item[0])))
    return adj


def _patched_views(
    view: IndexedGraph,
    nodes: list[Hashable],
    touched: set[Hashable],
    rows: dict[Hashable, dict[Hashable, int]],
) -> dict[str | None, IndexedGraph]:
    """The previous integer view with the touched nodes' ties replaced, in the order
    :func:`analytics._fast.indexed` gives (pairs ascending, lower index first)."""
    n = len(nodes)
    src, dst, weight = view.src, view.dst, view.weight
    if len(view.nodes) == n:
        index = view.index()
    else:  # nodes were added: indices move
        index = {v: i for i, v in enumerate(nodes)}
        moved = np.fromiter((index[v] for v in view.nodes), np.int64, len(view.nodes))
        src, dst = moved[src], moved[dst]
    gone = np.zeros(n, dtype=bool)
    gone[[index[u] for u in touched]] = True
    keep = ~(gone[src] | gone[dst])
    pairs = {
        (min(index[u], index[v]), max(index[u], index[v])): count
        for u, row in rows.items()
        for v, count in row.items()
    }
    add_src = np.fromiter((p[0] for p in pairs), np.int64, len(pairs))
    add_dst = np.fromiter((p[1] for p in pairs), np.int64, len(pairs))
    add_weight = np.fromiter(pairs.values(), np.float64, len(pairs))
    src = np.concatenate([src[keep], add_src])
    dst = np.concatenate([dst[keep], add_dst])
    weight = np.concatenate([weight[keep], add_weight])
    order = np.argsort(src * max(n, 1) + dst, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    return {
        "weight": IndexedGraph(nodes, False, src, dst, weight),
        None: IndexedGraph(nodes, False, src, dst, np.ones(src.size)),
    }
