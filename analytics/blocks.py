"""Blocks: the pieces of a network that no single loss disconnects, and what joins them.

A *block* is a biconnected component: a maximal piece that stays connected whichever one
node leaves it (a lone link is a block of its own). Blocks meet at *cut vertices*
(articulation points), the nodes that lie in two or more blocks: removing one splits its
component. A block of one link is a *bridge*. Joining every node to the blocks it lies in
gives the *block-cut forest*, one tree per component, from which the pieces any one removal
leaves are read off: a node's removal leaves one piece per block it lies in, a bridge's the
two sides of it.

One decomposition serves every question about single points of failure: rustworkx finds the
blocks (Hopcroft-Tarjan, in Rust), :mod:`analytics.structure` lists the articulation points
and bridges, and :mod:`analytics.resilience` says what each one cuts off. The pieces' sizes
come from subtree sums over the forest (one breadth-first pass and one sparse triangular
solve), so the whole analysis is linear and runs in compiled code. Connectivity is
undirected; self-loops and parallel edges are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import cast

import networkx as nx
import numpy as np
import rustworkx as rx
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
from scipy.sparse.linalg import spsolve_triangular

from analytics._fast import IndexedGraph, IntArray, indexed

__all__ = ["Blocks", "blocks"]


@dataclass(frozen=True)
class _Forest:
    """Subtree sums of the block-cut forest, rooted at one node per component.

    Forest nodes are the graph's nodes ``0..n-1`` and its blocks ``n..n+B-1``; ``parent`` of
    a node is a block or -1 (the root of its tree), of a block the node it hangs from.
    ``sums[x]`` holds, for the subtree below forest node ``x``, its number of graph nodes
    and their total weight; ``total[v]`` the same for the whole component of node ``v``.
    """

    parent: IntArray
    sums: IntArray
    total: IntArray


class Blocks:
    """The blocks of a graph, and the cut vertices and bridges where they meet.

    Node ``i`` is ``nodes[i]``; the graph is read undirected and simple (self-loops dropped,
    parallel edges merged). Build it with :func:`blocks`. Listing cut vertices or bridges
    asks rustworkx only for them; what each one cuts off needs every block, which are read
    (once) on first use.
    """

    def __init__(self, view: IndexedGraph) -> None:
        self.view = view
        self.nodes = view.nodes

    def cut_vertices(self) -> IntArray:
        """Nodes lying in two or more blocks (ascending): exactly the articulation points."""
        found = rx.articulation_points(self.view.rustworkx("one"))
        return np.sort(np.fromiter(found, dtype=np.int64, count=len(found)))

    def bridges(self) -> IntArray:
        """Links alone in their block, one ``(u, v)`` row each: exactly the bridges."""
        # rustworkx's stub types the pairs as ``tuple[int]``; they are (u, v) index pairs
        found = cast(set[tuple[int, int]], rx.bridges(self.view.rustworkx("one")))
        flat = np.fromiter((end for pair in found for end in pair), np.int64, 2 * len(found))
        return flat.reshape(-1, 2)

    @cached_property
    def _links(self) -> tuple[IntArray, IntArray, int]:
        """Every link of the simple graph as a ``(u, v)`` row, its block, and the number of
        blocks."""
        found = rx.biconnected_components(self.view.rustworkx("one"))
        count = len(found)
        # keys and values come in the same order (one insertion-ordered map)
        links = np.fromiter(
            (end for pair in found for end in pair), dtype=np.int64, count=2 * count
        ).reshape(count, 2)
        labels = np.fromiter(found.values(), dtype=np.int64, count=count)
        ids, block = np.unique(labels, return_inverse=True)
        return links, np.asarray(block, dtype=np.int64).reshape(-1), int(ids.size)

    @cached_property
    def _members(self) -> tuple[IntArray, IntArray]:
        """(node, block) of every node's membership of a block, sorted by block then node."""
        links, block, _ = self._links
        n = max(len(self.nodes), 1)
        key = np.unique(np.concatenate([block * n + links[:, 0], block * n + links[:, 1]]))
        return key % n, key // n

    def _forest(self, weight: IntArray) -> _Forest:
        n, b = len(self.nodes), self._links[2]
        member, member_block = self._members
        # Root each tree at the first node of its component, all under one extra node.
        _, labels = csgraph.connected_components(self.view.csr("one", loops=False), directed=False)
        component = np.asarray(labels, dtype=np.int64)
        _, first = np.unique(component, return_index=True)
        top = n + b
        rows = np.concatenate([member, np.full(first.size, top)])
        cols = np.concatenate([n + member_block, first])
        forest = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(top + 1, top + 1))
        order, pred = csgraph.breadth_first_order(
            forest, top, directed=False, return_predecessors=True
        )
        # Breadth first, a parent comes before its children, so "each node's sum is its own
        # weight plus its children's sums" is an upper triangular system in that order.
        size = top + 1
        position = np.empty(size, dtype=np.int64)
        position[order] = np.arange(size)
        matrix = sp.csr_array(
            (
                np.concatenate([np.ones(size), -np.ones(size - 1)]),
                (
                    np.concatenate([np.arange(size), position[pred[order[1:]]]]),
                    np.concatenate([np.arange(size), np.arange(1, size)]),
                ),
            ),
            shape=(size, size),
        )
        own = np.zeros((size, 2))
        own[position[:n], 0] = 1.0
        own[position[:n], 1] = weight
        solved = spsolve_triangular(matrix, own, lower=False, unit_diagonal=True)
        sums = np.rint(np.asarray(solved)[position[:top]]).astype(np.int64)
        parent = np.where(pred[:top] == top, -1, pred[:top]).astype(np.int64)
        total = sums[first[component]]
        return _Forest(parent, sums, total)

    def cut_off(self, weight: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """What removing each cut vertex does to its component.

        ``weight`` gives each node a non-negative integer weight (an actor: 1). Returns, for
        the cut vertices in ascending order: how many pieces the component falls into without
        it, and the nodes and weight outside the largest piece (by nodes, then weight).
        """
        n = len(self.nodes)
        member, _ = self._members
        cut = np.flatnonzero(np.bincount(member, minlength=n) >= 2)
        if not cut.size:
            empty = np.zeros(0, dtype=np.int64)
            return cut, empty, empty, empty
        forest = self._forest(weight)
        scale = int(weight.sum()) + 1  # orders pieces by (nodes, weight)
        best = np.zeros(n, dtype=np.int64)
        pieces = np.zeros(n, dtype=np.int64)
        # Each block hanging from a node is a piece when the node goes ...
        below = forest.parent[n:]
        block_sums = forest.sums[n:]
        np.add.at(pieces, below, 1)
        np.maximum.at(best, below, block_sums[:, 0] * scale + block_sums[:, 1])
        # ... and so is the rest of its component, above it.
        inner = forest.parent[:n] >= 0
        rest = forest.total[:n] - forest.sums[:n]
        pieces += inner
        best = np.maximum(best, np.where(inner, rest[:, 0] * scale + rest[:, 1], 0))
        nodes_out = forest.total[cut, 0] - 1 - best[cut] // scale
        weight_out = forest.total[cut, 1] - weight[cut] - best[cut] % scale
        return cut, pieces[cut], nodes_out, weight_out

    def bridge_sides(self, weight: IntArray) -> tuple[IntArray, IntArray, IntArray]:
        """Each bridge (as in :meth:`bridges`) with the nodes and weight of its smaller side
        (by nodes, then weight)."""
        links, block, count = self._links
        ends = links[(np.bincount(block, minlength=count) == 1)[block]]
        if not ends.size:
            empty = np.zeros(0, dtype=np.int64)
            return ends, empty, empty
        forest = self._forest(weight)
        n = len(self.nodes)
        u, v = ends[:, 0], ends[:, 1]
        # The end hanging below the bridge's block is the root of one side.
        below = np.where(forest.parent[v] >= n, v, u)
        inside = forest.sums[below]
        outside = forest.total[below] - inside
        scale = int(weight.sum()) + 1
        smaller = np.where(
            (inside[:, 0] * scale + inside[:, 1] <= outside[:, 0] * scale + outside[:, 1])[:, None],
            inside,
            outside,
        )
        return ends, smaller[:, 0], smaller[:, 1]


def blocks(graph: nx.Graph) -> Blocks:
    """The blocks of ``graph`` with directions, self-loops and parallel edges ignored.

    Examples
    --------
    A triangle with a tail: the tail's links are bridges, and the two nodes joining them
    to the rest are cut vertices.

    >>> import networkx as nx
    >>> found = blocks(nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")]))
    >>> [found.nodes[i] for i in found.cut_vertices()]
    ['c', 'd']
    >>> sorted(tuple(sorted((found.nodes[u], found.nodes[v]))) for u, v in found.bridges())
    [('c', 'd'), ('d', 'e')]

    Removing ``c`` leaves two pieces, ``{a, b}`` and ``{d, e}``: two nodes outside the
    largest (here with every node weighing 1).

    >>> cut, pieces, nodes_out, _ = found.cut_off(np.ones(5, dtype=np.int64))
    >>> [(found.nodes[v], p, out) for v, p, out in zip(cut, pieces.tolist(), nodes_out.tolist())]
    [('c', 2, 2), ('d', 2, 1)]
    """
    return Blocks(indexed(graph).undirected())
