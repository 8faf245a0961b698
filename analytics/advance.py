"""The analysed network after a write, from the one before it.

After a write the store derives the new snapshot from the previous one, sharing every entry
the write did not touch (graph/snapshot.py). So what changed is visible by identity: a node
whose attributes, successors or predecessors are not the very dicts they were is one the
write touched, found in three passes over the nodes at C speed. Below them, a pair's
relationships are one dict that a change replaces, so the pairs that changed are the entries
of the touched nodes' rows that are not the very dicts they were. A snapshot derived from the
very one the previous network was built from records both as it is made
(:func:`graph.snapshot.changes`), and then nothing is searched at all. :func:`advance_simple`
replaces only those pairs' ties in the simple graph of
:func:`analytics.projection.simple_graph` and shares the rest with the previous one, as the
snapshot does (a row that gained neighbours gets them merged into place by bisection), then
patches the backends' integer views with a few numpy passes (searchsorted, one merge). At
100,000 actors this is milliseconds where the full projection takes seconds; the first
measure after a write then costs what the measure costs.

It applies to the undirected simple graph of a whole snapshot (the default network); a
filtered or directed network, or a snapshot built in full rather than derived (everything
looks touched), is projected in full instead. The same holds between two dates of one
revision, where the snapshot is stepped (graph/dated.py) and nodes may also go. Like the
snapshots, it reaches into networkx's storage (``_node``, ``_adj``);
``tests/analytics/test_advance.py`` holds every result equal, in content, order and views,
to a full projection, and fails if that storage changes shape.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from itertools import compress, repeat
from operator import is_not
from typing import Any

import networkx as nx
import numpy as np

from analytics._fast import FloatArray, IndexedGraph, IntArray, indexed
from analytics.pair_graph import filled, pair_graph
from graph.snapshot import changes, merged_tail

__all__ = ["advance_simple", "touched_nodes"]

#: Beyond this share of touched nodes (and this many) a full projection is cheaper than
#: patching. Measured (CPU time) on the 20,000-actor synthetic network between dates, with
#: the step's changes at hand: patching 8% of the nodes took 0.03 s against 0.25-0.36 s for
#: a full projection, 33% 0.08 s against 0.31 s, 50% 0.12 s against 0.29 s, 61-64%
#: 0.15-0.18 s against 0.25-0.33 s, 70% 0.17 s against 0.18 s, 99% 0.22-0.77 s against
#: 0.13-0.31 s.
MAX_PATCHED_SHARE = 0.6
#: The same bound for indexes derived after a write (analytics/coverage/delta.py).
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
    # Three passes of identity tests at C speed, rather than one in Python.
    touched = set(compress(n_node, map(is_not, n_node.values(), map(o_node.get, n_node))))
    touched.update(compress(n_succ, map(is_not, n_succ.values(), map(o_succ.get, n_succ))))
    touched.update(compress(n_pred, map(is_not, n_pred.values(), map(o_pred.get, n_pred))))
    return touched


def unchanged(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> bool:
    """Whether ``new``, a snapshot derived from ``old``, holds the very nodes, attributes and
    relationships ``old`` does (the write between them held none: need weights), so that
    anything computed from ``old``'s graph holds for ``new``'s.

    Only a snapshot derived or stepped from ``old`` can be (its record of what it changed
    says so at once); any other, built in full, is taken as changed without a walk.

    >>> unchanged(nx.MultiDiGraph([("a", "p")]), nx.MultiDiGraph([("a", "p")]))
    False
    """
    known = changes(old, new)
    return known is not None and not known.nodes and new._node.keys() == old._node.keys()


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
    known = changes(old, new)
    touched: set[Hashable] = set(known.nodes) if known is not None else touched_nodes(old, new)
    if len(touched) > max(MAX_PATCHED_SHARE * len(new), MIN_TOUCHED_LIMIT):
        return None
    view = indexed(previous, "weight")
    p_node, n_node = previous._node, new._node
    same = n_node.keys() == p_node.keys()
    if same:
        nodes = list(view.nodes)
        index = view.index()
    else:
        nodes = list(n_node)
        index = dict(zip(nodes, range(len(nodes)), strict=True))
    ends = known.pairs if known is not None else _changed_ends(old, new, touched)
    pairs = _changed_pairs(new, ends, index)
    node = dict(p_node) if same else dict(zip(nodes, map(p_node.get, nodes), strict=True))
    o_node = old._node
    for v in touched:
        if n_node[v] is not o_node.get(v) or v not in p_node:
            node[v] = n_node[v]  # shared, as simple_graph shares it
    src, dst, weight = _patched_pairs(view, nodes, same, index, pairs)
    return pair_graph(
        node,
        directed=False,
        src=src,
        dst=dst,
        relationships=weight.astype(np.int64),
        attributes=new.graph,
        index=index,
        # The previous adjacency patched if it was filled; else the result fills its own.
        adjacency=_patched_adjacency(previous, pairs, nodes, same) if filled(previous) else None,
    )


def _changed_ends(
    old: nx.MultiDiGraph, new: nx.MultiDiGraph, touched: set[Hashable]
) -> set[tuple[Hashable, Hashable]]:
    """Every (start, end) whose relationships may have changed, found by identity: a pair's
    relationships are one dict shared by both ends, replaced (never changed in place) when
    they change (graph/snapshot.py), so a changed pair is one whose dict, in a touched node's
    successors or predecessors, is not the very one it was."""
    o_succ, o_pred = old._succ, old._pred
    n_succ, n_pred = new._succ, new._pred
    empty: dict[Hashable, Any] = {}
    ends: set[tuple[Hashable, Hashable]] = set()
    for u in touched:
        now, was = n_succ[u], o_succ.get(u, empty)
        if now is not was:
            ends.update((u, v) for v in _changed(now, was))
        now, was = n_pred[u], o_pred.get(u, empty)
        if now is not was:
            ends.update((v, u) for v in _changed(now, was))
    return ends


def _changed_pairs(
    new: nx.MultiDiGraph,
    ends: Iterable[tuple[Hashable, Hashable]],
    index: dict[Hashable, int],
) -> dict[tuple[int, int], tuple[Hashable, Hashable, int]]:
    """The pairs of ``ends`` both of whose ends are in ``new``, by (lower index, higher
    index): its two ends (in that order) and its relationships now (0: none)."""
    n_succ = new._succ
    empty: dict[Hashable, Any] = {}
    pairs: dict[tuple[int, int], tuple[Hashable, Hashable, int]] = {}
    for u, v in ends:
        i, j = index.get(u), index.get(v)
        if i is None or j is None:  # a node gone: its ties go with it
            continue
        if i > j:
            i, j, u, v = j, i, v, u
        if (i, j) in pairs:
            continue
        count = len(n_succ[u].get(v, empty))
        if u != v:
            count += len(n_succ[v].get(u, empty))
        pairs[(i, j)] = (u, v, count)
    return pairs


def _changed(now: dict[Hashable, Any], was: dict[Hashable, Any]) -> list[Hashable]:
    """The neighbours in a row whose relationships are not the very dict they were."""
    changed = list(compress(now, map(is_not, now.values(), map(was.get, now))))  # at C speed
    if len(was) > len(now) - len(changed):  # some went
        changed += was.keys() - now.keys()
    return changed


def _patched_adjacency(
    previous: nx.Graph,
    pairs: dict[tuple[int, int], tuple[Hashable, Hashable, int]],
    nodes: list[Hashable],
    same: bool,
) -> dict[Hashable, dict[Hashable, dict[str, Any]]]:
    """The previous adjacency with the changed pairs' ties replaced, one dict per tie shared
    by both ends (as networkx keeps it), each row in neighbour order; the rows of nodes gone
    are left out, and they are taken out of their neighbours' rows."""
    p_adj = previous._adj
    adj: dict[Hashable, dict[Hashable, dict[str, Any]]]
    owned: set[Hashable] = set()
    if same:
        adj = dict(p_adj)
    else:
        adj = dict(zip(nodes, map(p_adj.get, nodes), strict=True))
        for v in adj.keys() - p_adj.keys():  # new
            adj[v] = {}
            owned.add(v)

    def own(v: Hashable) -> dict[Hashable, dict[str, Any]]:
        if v not in owned:
            adj[v] = dict(adj[v])
            owned.add(v)
        return adj[v]

    if not same:
        for x in p_adj.keys() - adj.keys():  # gone
            for w in p_adj[x]:
                if w in adj:
                    del own(w)[x]
    appended: dict[Hashable, int] = {}  # new neighbours last in a row, from one out of order
    for u, v, count in pairs.values():
        data = adj[u].get(v)
        if data is None:
            if count:
                data = {"weight": float(count), "relationships": count}
                for a, b in ((u, v), (v, u)):
                    row = own(a)
                    if b not in row:  # (a loop is put once)
                        tail = appended.get(a)
                        if tail is not None:
                            appended[a] = tail + 1
                        elif row and str(b) < str(next(reversed(row))):
                            appended[a] = 1
                    row[b] = data
        elif not count:
            del own(u)[v]
            if u != v:
                del own(v)[u]
        elif data["relationships"] != count:
            data = {"weight": float(count), "relationships": count}
            own(u)[v] = data
            own(v)[u] = data
    for v, tail in appended.items():
        adj[v] = dict(merged_tail(adj[v], tail, _by_name))
    return adj


def _by_name(item: tuple[Hashable, Any]) -> str:
    return str(item[0])


def _patched_pairs(
    view: IndexedGraph,
    nodes: list[Hashable],
    same: bool,
    index: dict[Hashable, int],
    pairs: dict[tuple[int, int], tuple[Hashable, Hashable, int]],
) -> tuple[IntArray, IntArray, FloatArray]:
    """The previous integer view's pairs and weights with the changed pairs replaced, in the
    order :func:`analytics._fast.indexed` gives (pairs ascending, lower index first)."""
    n = max(len(nodes), 1)
    src, dst, weight = view.src, view.dst, view.weight
    if not same:  # nodes were added or went: indices move (in order), ties to a node gone go
        moved = np.fromiter(map(index.get, view.nodes, repeat(-1)), np.int64, len(view.nodes))
        src, dst = moved[src], moved[dst]
        keep = (src >= 0) & (dst >= 0)
        src, dst, weight = src[keep], dst[keep], weight[keep]
    codes = src * n + dst  # ascending: the moves keep the order
    changed = np.fromiter((i * n + j for i, j in pairs), np.int64, len(pairs))
    counts = np.fromiter((c for _, _, c in pairs.values()), np.int64, len(pairs))
    if changed.size:
        at = np.searchsorted(codes, changed)
        found = at < codes.size
        found[found] &= codes[at[found]] == changed[found]
        keep = np.ones(codes.size, dtype=bool)
        keep[at[found]] = False
        added = counts > 0
        codes = np.concatenate([codes[keep], changed[added]])
        weight = np.concatenate([weight[keep], counts[added].astype(np.float64)])
        order = np.argsort(codes, kind="stable")
        codes, weight = codes[order], weight[order]
        src, dst = codes // n, codes % n
    return src, dst, weight
