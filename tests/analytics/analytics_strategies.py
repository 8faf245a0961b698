"""Hypothesis strategies and comparison helpers shared by the analytics tests.

Random graphs are small (the reference is networkx, pure Python) but cover what breaks
fast paths: both directions, weights or none, isolates, several components, self-loops,
the empty and one-node graphs, and node ids in scrambled insertion order.

Weights come from powers of two, so ``distance = 1 / weight`` and every path length is
exact in binary floating point: tie detection between equal shortest paths then cannot
differ between networkx and a backend because of rounding.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import networkx as nx
from hypothesis import strategies as st

WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0)
TOL = 1e-9


@st.composite
def graphs(
    draw: st.DrawFn,
    *,
    directed: bool | None = None,
    weighted: bool | None = None,
    loops: bool = True,
    min_nodes: int = 0,
    max_nodes: int = 12,
) -> nx.Graph:
    """A small simple graph with string ids; ``distance`` = 1 / ``weight`` if weighted."""
    is_directed = draw(st.booleans()) if directed is None else directed
    is_weighted = draw(st.booleans()) if weighted is None else weighted
    n = draw(st.integers(min_nodes, max_nodes))
    order = draw(st.permutations(range(n)))
    graph: nx.Graph = nx.DiGraph() if is_directed else nx.Graph()
    graph.add_nodes_from(f"n{i}" for i in order)
    if n:
        pairs = draw(
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                max_size=3 * n,
            )
        )
        for u, v in pairs:
            if u == v and not loops:
                continue
            w = draw(st.sampled_from(WEIGHTS))
            graph.add_edge(f"n{u}", f"n{v}", weight=w, distance=1.0 / w)
    if not is_weighted:
        for _, _, data in graph.edges(data=True):
            data.clear()
    return graph


def planted(seed: int, groups: int = 4, size: int = 25) -> nx.Graph:
    """A graph with clear community structure (dense groups, sparse between)."""
    g = nx.planted_partition_graph(groups, size, 0.5, 0.02, seed=seed)
    return nx.relabel_nodes(g, {v: f"n{v}" for v in g})


def assert_scores_close(ours: Mapping[Hashable, float], ref: Mapping[Hashable, float]) -> None:
    """Same nodes, and every score equal to 1e-9 absolute or relative."""
    assert set(ours) == set(ref)
    for node, value in ref.items():
        assert math.isclose(ours[node], value, rel_tol=TOL, abs_tol=TOL), (
            node,
            ours[node],
            value,
        )
