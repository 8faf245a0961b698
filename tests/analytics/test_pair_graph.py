"""Graphs made from pairs (analytics/pair_graph.py): nothing is filled until read, and what is
filled is what networkx's public API builds, so that every networkx function sees an ordinary
graph. These fail if the networkx storage descriptors the module relies on change."""

from __future__ import annotations

import copy
import pickle
import threading

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics import _fast
from analytics.pair_graph import PairDiGraph, PairGraph, filled, pair_graph

pairs_st = st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30)


def _made(pairs: set[tuple[int, int]], directed: bool) -> tuple[nx.Graph, nx.Graph]:
    """The graph from the pairs, and the same one through ``add_edges_from``."""
    if not directed:
        pairs = {(min(u, v), max(u, v)) for u, v in pairs}
    ordered = sorted(pairs)
    ids = [f"n{i}" for i in range(8)]
    counts = np.array([1 + (u * 7 + v) % 3 for u, v in ordered], np.int64)
    src = np.array([u for u, _ in ordered], np.int64)
    dst = np.array([v for _, v in ordered], np.int64)
    got = pair_graph(
        {v: {"kind": "Company", "i": i} for i, v in enumerate(ids)},
        directed=directed,
        src=src,
        dst=dst,
        relationships=counts,
        attributes={"revision": 3},
    )
    want: nx.Graph = nx.DiGraph(revision=3) if directed else nx.Graph(revision=3)
    want.add_nodes_from((v, {"kind": "Company", "i": i}) for i, v in enumerate(ids))
    want.add_edges_from(
        (ids[u], ids[v], {"weight": float(k), "relationships": int(k)})
        for (u, v), k in zip(ordered, counts, strict=True)
    )
    return got, want


@given(pairs=pairs_st, directed=st.booleans())
def test_a_filled_graph_is_the_one_networkx_builds(
    pairs: set[tuple[int, int]], directed: bool
) -> None:
    got, want = _made(pairs, directed)
    assert not filled(got) and nx.is_frozen(got)
    assert list(got.nodes(data=True)) == list(want.nodes(data=True))  # nodes: no fill
    assert not filled(got)
    assert got.graph == want.graph
    assert list(got.edges(data=True)) == list(want.edges(data=True))
    assert filled(got)
    rows = ("adj", "succ", "pred") if directed else ("adj",)
    for row in rows:
        for v in want:
            assert list(getattr(got, row)[v].items()) == list(getattr(want, row)[v].items())
    assert nx.utils.graphs_equal(got, want)
    for weight in ("weight", None):  # the seeded views are what converting gives
        seeded, converted = _fast.indexed(got, weight), _fast._convert(want, weight)
        assert seeded.src.tolist() == converted.src.tolist()
        assert seeded.dst.tolist() == converted.dst.tolist()
        assert seeded.weight.tolist() == converted.weight.tolist()


@pytest.mark.parametrize("directed", [False, True])
def test_every_storage_attribute_fills_the_graph(directed: bool) -> None:
    """Whichever of networkx's storage attributes is read first fills them all."""
    names = ("_adj", "_succ", "_pred") if directed else ("_adj",)
    for first in names:
        got, want = _made({(0, 1), (1, 2), (2, 0)}, directed)
        getattr(got, first)
        assert filled(got)
        for name in names:
            assert getattr(got, name) == getattr(want, name), (first, name)
        if directed:
            assert got._succ is got._adj


@pytest.mark.parametrize("directed", [False, True])
def test_copies_pickles_and_views_are_ordinary_graphs(directed: bool) -> None:
    got, want = _made({(0, 1), (1, 2), (3, 4)}, directed)
    same = pickle.loads(pickle.dumps(got))  # unfilled: the pairs travel, filled on arrival
    assert not filled(same) and nx.utils.graphs_equal(same, want)
    shallow = copy.copy(got)
    assert nx.utils.graphs_equal(shallow, want) and not filled(got)
    thawed = got.copy()  # networkx's own copy: an empty graph of the class, then filled
    assert not nx.is_frozen(thawed) and nx.utils.graphs_equal(thawed, want)
    assert isinstance(thawed, PairDiGraph if directed else PairGraph)
    part = got.subgraph(["n0", "n1", "n2"])
    assert sorted(part.edges()) == sorted(want.subgraph(["n0", "n1", "n2"]).edges())
    empty = (PairDiGraph if directed else PairGraph)()
    empty.add_edge("a", "b")  # an empty one is an ordinary networkx graph
    assert list(empty.edges()) == [("a", "b")] and filled(empty)


def test_threads_reading_at_once_fill_once() -> None:
    """Two analysis threads may read one network's adjacency first: one fills it, and both
    see that one."""
    got, _ = _made({(u, v) for u in range(8) for v in range(u, 8)}, False)
    seen: list[object] = []
    start = threading.Barrier(4)

    def read() -> None:
        start.wait()
        seen.append(got._adj)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and all(s is seen[0] for s in seen)


def test_networkx_storage_is_still_set_through_its_descriptors() -> None:
    """What the classes delegate to: networkx's data descriptors of its storage, which
    store into the instance dict (a networkx that stops doing so fails here first)."""
    for cls, names in ((nx.Graph, ("_adj", "_node")), (nx.DiGraph, ("_adj", "_succ", "_pred"))):
        for name in names:
            assert hasattr(cls.__dict__[name], "__set__"), (cls, name)
    g = nx.Graph()
    assert "_adj" in g.__dict__ and "_node" in g.__dict__
    d = nx.DiGraph()
    assert d.__dict__["_succ"] is d.__dict__["_adj"] and "_pred" in d.__dict__
