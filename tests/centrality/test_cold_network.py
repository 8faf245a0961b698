"""The default network from cold (api/centrality/service.py): made from the store's records
without the snapshot, then settled with the snapshot of its revision, from which the networks
after writes are derived. Both stores; every network compared with a full projection of the
store's snapshot at its revision."""

from __future__ import annotations

import networkx as nx
import pytest

from analytics.pair_graph import filled
from api.centrality.graphs import analysed_graph, default_network
from api.centrality.params import NetworkParams
from api.centrality.service import EVERY_TYPE, AnalysisService
from graph import snapshot as snapshots
from graph.store import GraphStore
from tests.analytics.test_advance import assert_same_network
from tests.conftest import neo4j_config, neo4j_store_for
from tests.factories import random_revisions, rel, small_graph

DEFAULT = NetworkParams()


async def full_projection(store: GraphStore) -> nx.Graph:
    return analysed_graph((await store.snapshot()).graph, DEFAULT)


async def test_the_network_of_the_records_equals_the_projection_of_the_snapshot(
    store: GraphStore,
) -> None:
    """After every write of a random sequence (nodes placed, moved, relationships added and
    ended, need weights), including the places actors take from BASED_IN."""
    compared = 0
    async for _ in random_revisions(store, 7, 25):
        records = await store.records(EVERY_TYPE)
        assert records.revision == await store.revision()
        assert_same_network(default_network(records), await full_projection(store))
        compared += 1
    assert compared >= 20


async def test_a_cold_network_answers_before_any_snapshot_then_settles(
    store: GraphStore,
) -> None:
    await store.apply(small_graph())
    service = AnalysisService(store)
    built = snapshots.STATS.built
    revision, nodes = await service.analyse(DEFAULT, "nodes", len)
    network = await service.network(DEFAULT)
    assert snapshots.STATS.built == built  # the answer did not wait for a snapshot
    assert not filled(network.graph)  # nor fill the adjacency no measure read
    await service.settled()
    assert snapshots.STATS.built == built + 1 and network.snapshot is not None
    snap = await store.snapshot()  # the store keeps the one built from the records
    assert snap.graph is network.snapshot and snap.revision == revision
    assert nodes == len(snap.graph)
    records = await store.records(EVERY_TYPE)
    fresh = snapshots.build_snapshot(records.revision, records.nodes, records.relationships)
    assert list(snap.graph.nodes(data=True)) == list(fresh.graph.nodes(data=True))
    assert list(snap.graph.edges(keys=True, data=True)) == list(
        fresh.graph.edges(keys=True, data=True)
    )
    assert all(snap.graph.nodes[v] is network.graph.nodes[v] for v in snap.graph)  # shared
    assert_same_network(network.graph, await full_projection(store))


async def test_after_a_write_the_network_is_derived_even_before_it_settled(
    store: GraphStore,
) -> None:
    """A write that comes before the snapshot is built waits for it: the next network is
    derived from the two, not made from cold again."""
    await store.apply(small_graph())
    service = AnalysisService(store)
    await service.analyse(DEFAULT, "nodes", len)  # the build starts after this answer
    await store.apply([rel("PARTNERS_IN", "cso-3", "prog-a", role="ADVISORY", since="2023-01-01")])
    derived = snapshots.STATS.derived
    after = await service.network(DEFAULT)
    assert after.snapshot is not None and snapshots.STATS.derived == derived + 1
    assert_same_network(after.graph, await full_projection(store))


async def test_the_snapshot_of_records_is_the_store_snapshot(store: GraphStore) -> None:
    """``snapshot_of``: equal to the store's own build, kept as the store's, and the base of
    the snapshots after the writes since."""
    async for _ in random_revisions(store, 3, 6):
        pass
    records = await store.records(EVERY_TYPE)
    made = await store.snapshot_of(records)
    assert made.revision == records.revision
    assert await store.snapshot() is made
    fresh = snapshots.build_snapshot(records.revision, records.nodes, records.relationships)
    assert list(made.graph.nodes(data=True)) == list(fresh.graph.nodes(data=True))
    assert list(made.graph.edges(keys=True, data=True)) == list(
        fresh.graph.edges(keys=True, data=True)
    )
    with pytest.raises(ValueError, match="undated snapshot only"):  # a table is of today
        snapshots.build_snapshot(1, records.nodes, records.relationships, "2024-01-01", table={})
    await store.apply([rel("PARTNERS_IN", "cso-2", "prog-a", role="FUNDING", since="2024-01-01")])
    derived = snapshots.STATS.derived
    await store.snapshot()
    assert snapshots.STATS.derived == derived + 1


async def test_records_read_before_a_reset_are_not_kept_as_the_snapshot() -> None:
    """Neo4j: a reset starts a new epoch, and its revisions anew. Records read before it are
    of the old database: their snapshot must not become the new one's of the same number."""
    store = neo4j_store_for(neo4j_config())
    await store.open()
    try:
        await store.reset()
        await store.apply(small_graph())
        records = await store.records(EVERY_TYPE)
        await store.reset()
        await store.apply(small_graph()[:2])
        assert await store.revision() == records.revision  # the same number, other content
        made = await store.snapshot_of(records)
        assert len(made.graph) == len(records.nodes)
        now = await store.snapshot()
        assert now is not made and len(now.graph) == 2
    finally:
        await store.reset()
        await store.close()


async def test_closing_the_service_stops_the_snapshot_build(store: GraphStore) -> None:
    """The app closes the service before the store: no build is left running on it."""
    await store.apply(small_graph())
    service = AnalysisService(store)
    network = await service.network(DEFAULT)
    await service.analyse(DEFAULT, "nodes", len)  # the build is due from here
    await service.close()
    assert network.snapshot is None
    await service.settled()  # nothing left to wait for
    assert network.snapshot is None


async def test_after_another_process_writes_the_network_is_made_from_records() -> None:
    """Neo4j: a write this process holds no delta of cannot be derived from; the records
    path is cheaper than a full snapshot and projection, and gives the same network."""
    cfg = neo4j_config()
    ours, theirs = neo4j_store_for(cfg), neo4j_store_for(cfg)
    await ours.open()
    await theirs.open()
    try:
        await ours.reset()
        await ours.apply(small_graph())
        service = AnalysisService(ours)
        await service.analyse(DEFAULT, "nodes", len)
        await service.settled()
        await theirs.apply(
            [rel("PARTNERS_IN", "cso-3", "prog-a", role="ADVISORY", since="2023-01-01")]
        )
        built = snapshots.STATS.built
        after = await service.network(DEFAULT)
        assert after.snapshot is None and snapshots.STATS.built == built
        assert after.revision == await ours.revision()
        assert_same_network(after.graph, await full_projection(ours))
    finally:
        await ours.reset()
        await theirs.close()
        await ours.close()
