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
looks touched), is projected in full instead. The same holds between two dates of one
revision, where the snapshot is stepped (graph/dated.py) and nodes may also go. Like the
snapshots, it reaches into networkx's storage (``_node``, ``_adj``);
``tests/analytics/test_advance.py`` holds every result equal, in content, order and views,
to a full projection, and fails if that storage changes shape.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np

from analytics._fast import IndexedGraph, indexed, seed_views

__all__ = ["advance_simple", "touched_nodes"]

#: Beyond this share of touched nodes (and this many) a full projection is cheaper than
#: patching. Measured on the 20,000-actor synthetic network, between quarter ends: patching
#: 8% of the nodes took 0.10-0.44 s against 0.39-0.93 s for a full projection, 21% took
#: 0.26 s against 0.96 s, 33% took 0.54 s against 0.42 s.
MAX_TOUCHED_SHARE = 0.25
MIN_TOUCHED_LIMIT = 64


def touched_nodes(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> set[Hashable]:
    """Nodes of ``new`` whose attributes or relationships are not shared with ``old`` (a
    node ``new`` lost is not one of them; its neighbours are, since their relationships
    changed).

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
    if len(touched) > max(MAX_TOUCHED_SHARE * len(new), MIN_TOUCHED_LIMIT):
        return None
    same = new._node.keys() == previous._node.keys()
    nodes = list(previous) if same else list(new._node)
    rows = {u: _row(new, u) for u in touched}
    adj = _patched_adjacency(previous, new, touched, rows, nodes, same)
    result = nx.Graph()
    result.graph.update(new.graph)
    if same:
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
    same: bool,
) -> dict[Hashable, dict[Hashable, dict[str, Any]]]:
    """The previous adjacency with the touched nodes' rows replaced, one dict per tie shared
    by both ends (as networkx keeps it), each row in neighbour order; the rows of nodes gone
    are left out (their neighbours are touched)."""
    adj: dict[Hashable, dict[Hashable, dict[str, Any]]] = (
        dict(previous._adj) if same else {v: previous._adj.get(v, {}) for v in nodes}
    )
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
                if v != u and v in adj:
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
    if list(view.nodes) == nodes:
        index = view.index()
        keep = np.ones(src.size, dtype=bool)
    else:  # nodes were added or went: indices move, ties to a node gone go
        index = {v: i for i, v in enumerate(nodes)}
        moved = np.fromiter((index.get(v, -1) for v in view.nodes), np.int64, len(view.nodes))
        src, dst = moved[src], moved[dst]
        keep = (src >= 0) & (dst >= 0)
    gone = np.zeros(n, dtype=bool)
    gone[[index[u] for u in touched]] = True
    keep &= ~(gone[np.maximum(src, 0)] | gone[np.maximum(dst, 0)])
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
