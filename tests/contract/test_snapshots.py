"""Snapshots after writes (graph/snapshot.py): derived from the one before, equal to a full build.

Random sequences of writes on both stores: after each, the store's snapshot for several dates
(derived from the previous revision's by the write's delta whenever it can be) must be the very
graph a full build from the store's records gives, nodes, attributes, relationships and their
order included. The sequences mix creations, updates, endings, relationships whose ids sort
before existing ones, second places of one actor, actors whose own dates move them in and out
of a date (the case left to a full build) and need-weight writes (a revision with no graph
change). This is also the test that fails if networkx's storage, which ``advance`` shares
between snapshots, changes shape.
"""

from __future__ import annotations

import contextlib
import random

import networkx as nx
import pytest

from graph import snapshot as snapshots
from graph.errors import GraphError
from graph.model import RelType, WeightScope
from graph.snapshot import build_snapshot
from graph.store import GraphStore, NodeWrite, Snapshot
from tests.factories import node, random_write, rel, small_graph

DATES = (None, "2021-06-30", "2023-01-01")


def assert_same_graph(got: nx.MultiDiGraph, want: nx.MultiDiGraph) -> None:
    assert got.graph == want.graph
    assert list(got.nodes(data=True)) == list(want.nodes(data=True))
    assert list(got.edges(keys=True, data=True)) == list(want.edges(keys=True, data=True))
    for n in want:
        assert [(u, list(k)) for u, k in got.pred[n].items()] == [
            (u, list(k)) for u, k in want.pred[n].items()
        ], n
        for v, keyed in want.succ[n].items():
            assert got._succ[n][v] is got._pred[v][n]  # one dict per pair, as networkx keeps it
            assert list(got.succ[n][v]) == list(keyed)


async def full_build(store: GraphStore, as_of: str | None) -> Snapshot:
    """The snapshot built in full from the store's records and node versions."""
    records = await store.records(frozenset(RelType))
    versions = (await store.known_at(records.revision)).versions
    return build_snapshot(records.revision, records.nodes, records.relationships, as_of, versions)


@pytest.mark.parametrize(("seed", "every"), [(1, 1), (2, 1), (3, 1), (4, 4), (5, 4)])
async def test_a_snapshot_after_writes_equals_a_full_build(
    store: GraphStore, seed: int, every: int
) -> None:
    """Snapshots asked for after every write, or after bursts of ``every`` writes (derived
    from one merged delta)."""
    rng = random.Random(seed)
    await store.apply(small_graph())
    actors = ["cso-1", "cso-2", "cso-3"]
    rels: list[str] = []
    derived_before = snapshots.STATS.derived
    for as_of in DATES:  # the snapshots the first ones derive from
        await store.snapshot(as_of)
    for step in range(1, 26):
        if step % 7 == 6:
            await store.set_need_weights({(WeightScope.REGION, "Africa"): 1.0 + step})
        else:
            with contextlib.suppress(GraphError):  # a batch the model refuses (say, an ending
                await store.apply(random_write(rng, step, actors, rels))  # before its start)
        if step % every:
            continue
        for as_of in DATES:
            got = await store.snapshot(as_of)
            want = await full_build(store, as_of)
            assert got.revision == want.revision
            assert_same_graph(got.graph, want.graph)
    assert snapshots.STATS.derived - derived_before > 30 // every  # most came by the delta


async def test_an_actor_entering_a_date_is_built_in_full(store: GraphStore) -> None:
    """Its relationships existed before the write: only a full build has them."""
    await store.apply(
        [
            *small_graph(),
            node("CivilSocietyOrganization", "cso-late", "Late Circle", since="2024-01-01"),
            rel("PARTNERS_IN", "cso-late", "prog-a", role="ADVISORY", since="2020-01-01"),
        ]
    )
    before = await store.snapshot("2023-01-01")
    assert "cso-late" not in before.graph
    await store.apply([NodeWrite("CivilSocietyOrganization", "cso-late", {"name": "Late Circle"})])
    after = await store.snapshot("2023-01-01")
    assert after.graph.has_edge("cso-late", "prog-a")
    assert_same_graph(after.graph, (await full_build(store, "2023-01-01")).graph)


async def test_a_built_snapshot_is_stored_as_networkx_stores_it(store: GraphStore) -> None:
    """``build_snapshot`` fills networkx's storage itself: the same graph rebuilt through the
    public API must come out identical, storage shape and order included."""
    await store.apply(small_graph())
    records = await store.records(frozenset(RelType))
    for as_of in DATES:
        got = build_snapshot(records.revision, records.nodes, records.relationships, as_of).graph
        ref = nx.MultiDiGraph()
        ref.graph.update(got.graph)
        ref.add_nodes_from(got.nodes(data=True))
        by_id = sorted(got.edges(keys=True, data=True), key=lambda edge: edge[2])
        ref.add_edges_from(by_id)  # relationships in id order, as the snapshot promises
        assert_same_graph(got, ref)
        assert nx.is_frozen(got)
        assert dict(got.in_degree()) == dict(ref.in_degree())
        assert got.number_of_edges() == ref.number_of_edges() > 0
