"""The analysed network after a write (analytics/advance.py) equals a full projection.

Random writes on both stores (the generator of the snapshot contract test); after each, the
network derived from the previous one must be ``simple_graph`` of the new snapshot: same
nodes and attributes, ties, order of nodes, ties and neighbours, and the same integer views
(pairs, order, weights) the measures run on. The same between dates of a larger network where
many ties come and go on one day, both from the changes the step records and from those
found by identity.
"""

from __future__ import annotations

import copy

import networkx as nx
import pytest

from analytics import _fast, advance
from analytics.advance import advance_simple
from analytics.pair_graph import filled
from analytics.projection import simple_graph
from graph.dated import DateIndex, step
from graph.snapshot import build_snapshot
from graph.store import GraphStore
from tests.contract.test_dated import WALK, busy_records
from tests.factories import random_revisions, small_graph


def assert_same_network(got: nx.Graph, want: nx.Graph) -> None:
    """Equal in content, order and views; a network whose adjacency is not filled yet
    (analytics/pair_graph.py) is compared through a shallow copy, which fills its own, so
    that ``got`` stays unfilled for what is derived from it next."""
    for weight in ("weight", None):
        seeded, full = _fast.indexed(got, weight), _fast._convert(want, weight)
        assert seeded.nodes == full.nodes
        assert seeded.src.tolist() == full.src.tolist()
        assert seeded.dst.tolist() == full.dst.tolist()
        assert seeded.weight.tolist() == full.weight.tolist()
    lazy = not filled(got)
    shown = copy.copy(got) if lazy else got
    assert shown.graph == want.graph
    assert list(shown.nodes(data=True)) == list(want.nodes(data=True))
    assert list(shown.edges(data=True)) == list(want.edges(data=True))
    for v in want:
        assert list(shown.adj[v].items()) == list(want.adj[v].items()), v
    assert filled(got) is not lazy


def _search(monkeypatch: pytest.MonkeyPatch, recorded: bool) -> None:
    """Derive from the changes the snapshot recorded, or (``recorded=False``) from those
    found by identity, as for a snapshot derived from another than the network's."""
    if not recorded:
        monkeypatch.setattr(advance, "changes", lambda old, new: None)


@pytest.mark.parametrize("fill", [True, False])
@pytest.mark.parametrize("recorded", [True, False])
@pytest.mark.parametrize("seed", [4, 5])
async def test_the_network_after_a_write_equals_a_full_projection(
    store: GraphStore, seed: int, recorded: bool, fill: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fill``: the previous network's adjacency was read (it is patched), or not (the
    result is made from the patched pairs and fills its own when read)."""
    _search(monkeypatch, recorded)
    revisions = random_revisions(store, seed, 30)
    await anext(revisions)  # the small graph and a first write
    snap = await store.snapshot()
    network = simple_graph(snap.graph, directed=False)
    derived = 0
    async for _ in revisions:
        after = await store.snapshot()
        if fill:
            network.adj  # noqa: B018 (read: filled)
        assert filled(network) is fill
        found = advance_simple(network, snap.graph, after.graph)
        want = simple_graph(after.graph, directed=False)
        if found is not None:
            derived += 1
            assert_same_network(found, want)
        snap, network = after, found if found is not None else want
    assert derived >= 20


async def test_a_network_is_not_derived_from_an_unrelated_snapshot(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot built in full shares nothing with the previous one: everything looks
    touched, and a full projection is cheaper than patching every node."""
    await store.apply(small_graph())
    snap = await store.snapshot()
    network = simple_graph(snap.graph, directed=False)
    copy = nx.freeze(nx.MultiDiGraph(snap.graph))
    assert len(copy) > 0
    monkeypatch.setattr(advance, "MIN_TOUCHED_LIMIT", 0)
    assert advance_simple(network, snap.graph, copy) is None


@pytest.mark.parametrize("recorded", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_network_at_another_date_equals_a_full_projection(
    store: GraphStore, seed: int, recorded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dated snapshots of one revision, stepped one from the other (nodes come and go), and
    the network of each derived from the one before."""
    _search(monkeypatch, recorded)
    monkeypatch.setattr(advance, "MAX_PATCHED_SHARE", 1.0)  # derive even on a tiny graph
    async for _ in random_revisions(store, seed, 30):
        pass
    days = ["2019-01-01", "2020-06-30", "2022-01-01", "2021-03-01", "2024-12-31", "2019-07-01"]
    snap = await store.snapshot(days[0])
    network = simple_graph(snap.graph, directed=False)
    derived = 0
    for day in days[1:]:
        after = await store.snapshot(day)
        found = advance_simple(network, snap.graph, after.graph)
        want = simple_graph(after.graph, directed=False)
        if found is not None:
            derived += 1
            assert_same_network(found, want)
        snap, network = after, found if found is not None else want
    assert derived == len(days) - 1


@pytest.mark.parametrize("recorded", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_network_when_many_ties_change_at_once_equals_a_full_projection(
    seed: int, recorded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stepped between busy days: the network derived from the changes the step recorded
    (``recorded``) or from those found by identity equals a full projection."""
    monkeypatch.setattr(advance, "MAX_PATCHED_SHARE", 1.0)
    _search(monkeypatch, recorded)
    nodes, rels = busy_records(seed)
    index = DateIndex(1, nodes, rels, None)
    snap = build_snapshot(1, nodes.values(), rels.values(), WALK[0])
    network = simple_graph(snap.graph, directed=False)
    for day in WALK[1:]:
        after = step(snap, day, index)
        found = advance_simple(network, snap.graph, after.graph)
        assert found is not None
        assert_same_network(found, simple_graph(after.graph, directed=False))
        snap, network = after, found
