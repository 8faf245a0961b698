"""What only the Neo4j store's history has to prove (the shared behaviour is
tests/contract/test_history.py): change sets stay out of the graph, commit with their write
(once, even when the driver retries), are shared by replicas, are stored and read back in
batches, are found by exact id, start where a database written without history was, never
run back in time across clocks, and are read through indexes."""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import neo4j
import pytest

from graph import cypher
from graph.history import ChangeFilter, Entity, HistoryUnavailable
from graph.model import Node, RelType, WeightScope
from graph.neo4j import Neo4jStore, create_driver
from graph.neo4j.history import KEY_LEVELS, bucket, level, lookups
from graph.store import GraphStore, NodeWrite
from tests.conftest import NOTIFICATIONS_AS_WARNINGS, neo4j_store_for
from tests.factories import node, random_revisions, small_graph

HISTORY_LABELS = (cypher.CHANGE_SET, cypher.RECORD_BATCH, cypher.RECORD_KEY)
NASTY = [
    "",
    " ",
    '"',
    "\\",
    "cso-*",
    "cso-?",
    "cso-1 OR cso-2",
    "ids:cso-1",
    "'}) DETACH DELETE n //",
    '") CALL db.labels() YIELD label RETURN label //',
    "\u202e\u0000\U0001f600 中文",
]


async def raw(cfg: Any, query: str, **params: Any) -> list[neo4j.Record]:
    """Run Cypher outside the store (to inspect the database, or to play an older version)."""
    async with neo4j.AsyncGraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as d:
        records, _, _ = await d.execute_query(query, params, database_=cfg.database)
        return records


async def history_counts(cfg: Any) -> tuple[int, int]:
    """How many change sets and records the database holds."""
    sets = await raw(cfg, f"MATCH (c:{cypher.CHANGE_SET}) RETURN count(c) AS n")
    records = await raw(
        cfg, f"MATCH (b:{cypher.RECORD_BATCH}) RETURN coalesce(sum(size(b.ids)), 0) AS n"
    )
    return sets[0]["n"], records[0]["n"]


async def rename(store: GraphStore, node_id: str, name: str, **kw: Any) -> int:
    found = (await store.get_nodes([node_id]))[0]
    assert found is not None
    write = NodeWrite(found.kind.value, node_id, {**found.props, "name": name}, **kw)
    return (await store.apply([write])).revision


# --------------------------------------------------------------------------- model


async def test_history_stays_out_of_the_graph_and_reset_deletes_it(
    cfg: Any, neo4j_store: Neo4jStore
) -> None:
    await neo4j_store.apply(small_graph())
    await neo4j_store.set_need_weights({(WeightScope.REGION, "Asia"): 2.0})
    assert await history_counts(cfg) == (2, len(small_graph()) + 1)
    labels = await raw(
        cfg,
        "MATCH (n) WHERE n:ChangeSet OR n:RecordBatch OR n:RecordKey "
        "RETURN DISTINCT labels(n) AS labels",
    )
    assert sorted(tuple(r["labels"]) for r in labels) == [(label,) for label in HISTORY_LABELS]
    assert sum((await neo4j_store.counts_by_kind()).values()) == 14
    records = await neo4j_store.records(frozenset(RelType))
    assert len(records.nodes) == 14 and len(records.relationships) == 16
    assert len([r async for r in neo4j_store.export_records()]) == 30
    assert len((await neo4j_store.snapshot()).graph) == 14
    assert set(HISTORY_LABELS) <= set(cypher.tokens()["labels"])
    assert set(cypher.RECORD_BATCH_PROPERTIES) <= set(cypher.tokens()["properties"])
    assert set(cypher.RECORD_KEY_PROPERTIES) <= set(cypher.tokens()["properties"])
    await neo4j_store.reset()
    assert await history_counts(cfg) == (0, 0)
    assert await raw(cfg, "MATCH (m:Meta {key: 'history_from'}) RETURN m") == []
    assert await neo4j_store.history_start() == 0


async def test_a_retried_write_records_one_change_set(cfg: Any, neo4j_store: Neo4jStore) -> None:
    """The change set is written by the same transaction function as the records, so a
    retry after a dropped connection records it once, with the plan it wrote."""
    attempts: list[int] = []

    def drop_connection_once(n: int) -> None:
        attempts.append(n)
        if len(attempts) == 1:
            raise neo4j.exceptions.SessionExpired("connection dropped (simulated)")

    await neo4j_store.apply(small_graph(), progress=drop_connection_once)
    assert len(attempts) > 1
    assert await history_counts(cfg) == (1, 30)
    [cs] = (await neo4j_store.change_sets(ChangeFilter(), first=5)).items
    assert (cs.revision, cs.size) == (1, 30)


async def test_a_failed_write_records_nothing(cfg: Any) -> None:
    store = neo4j_store_for(replace(cfg, batch_size=5))
    await store.open()
    try:
        await store.reset()

        def fail(n: int) -> None:
            raise RuntimeError("disk full (simulated)")

        with pytest.raises(RuntimeError):
            await store.apply(small_graph(), progress=fail)
        assert await history_counts(cfg) == (0, 0)
        assert await raw(cfg, "MATCH (m:Meta {key: 'history_from'}) RETURN m") == []
    finally:
        await store.close()


@pytest.mark.parametrize("seed", [4, 5])
async def test_history_is_read_back_in_batches(cfg: Any, seed: int) -> None:
    """With batches of 5 records, the 30-record first change set is written and read back a
    page at a time, and runs of small ones a window at a time: ``known_at`` still gives back
    every revision."""
    store = neo4j_store_for(replace(cfg, batch_size=5))
    await store.open()
    try:
        await store.reset()
        seen = {}
        async for _ in random_revisions(store, seed, 14):
            recs = await store.records(frozenset(RelType))
            seen[await store.revision()] = (
                {r.id: r for r in recs.relationships},
                {
                    n.id: {k: v for k, v in n.props.items() if k != "sensitivity"}
                    for n in recs.nodes
                },
                await store.need_weights(),
            )
        for revision, (rels, nodes, weights) in seen.items():
            past = await store.known_at(revision)
            assert past.relationships == rels
            assert past.weights == weights
            assert {
                i: {k: v for k, v in n.props.items() if k != "sensitivity"}
                for i, n in past.nodes.items()
            } == nodes
        paged = await store.change_records(1, first=7, after=20)
        assert [seq for seq, _ in paged] == list(range(21, 28))
        assert len(await store.change_records(1, first=100)) == 30
    finally:
        await store.close()


async def test_a_large_change_set_is_stored_in_record_batches(
    cfg: Any, neo4j_store: Neo4jStore
) -> None:
    programmes = [node("Programme", f"prog-{i:03}", f"Programme {i}") for i in range(250)]
    await neo4j_store.apply(programmes)
    seqs = await raw(cfg, "MATCH (b:RecordBatch) RETURN b.seq AS seq, size(b.ids) AS n")
    assert sorted((r["seq"], r["n"]) for r in seqs) == [(1, 100), (101, 100), (201, 50)]
    keys = await raw(cfg, "MATCH (k:RecordKey) RETURN k.bucket AS b, size(k.ids) AS n")
    assert level(250) == 4  # about 64 ids a key
    assert sorted(r["b"] for r in keys) == sorted({bucket(p.id, 4) for p in programmes})
    assert sum(r["n"] for r in keys) == 250
    page = await neo4j_store.change_records(1, first=7, after=96)
    assert [(seq, c.id) for seq, c in page] == [(97 + i, f"prog-{96 + i:03}") for i in range(7)]
    assert await neo4j_store.change_records(1, first=5, after=248) == [
        (249, (await neo4j_store.change_records(1, first=1, after=248))[0][1]),
        (250, (await neo4j_store.change_records(1, first=1, after=249))[0][1]),
    ]
    assert await neo4j_store.change_records(1, first=5, after=250) == []
    assert await neo4j_store.change_records(2, first=5) == []
    await rename(neo4j_store, "prog-150", "Renamed", valid_from="2030-01-01")
    first, second = (await neo4j_store.change_sets(ChangeFilter(node="prog-150"), first=5)).items
    assert [(c.id, c.before) for c in first.changes] == [("prog-150", None)]
    assert [c.id for c in second.changes] == ["prog-150"] and second.revision == 2
    versions = (await neo4j_store.known_at(2)).versions
    assert [(v.valid_from, v.revision, v.node.name) for v in versions["prog-150"]] == [
        ("", 1, "Programme 150"),
        ("2030-01-01", 2, "Renamed"),
    ]
    assert list(versions) == ["prog-150"]


def test_key_levels_fit_the_change_set() -> None:
    """Small change sets key every id at the finest level; larger ones about 64 ids a key;
    bucket numbers never collide across levels."""
    assert [level(n) for n in (1, 16, 17, 64, 65, 1000, 65_536, 10**6)] == [
        1024,
        1024,
        1,
        1,
        2,
        16,
        1024,
        1024,
    ]
    for lv in KEY_LEVELS:
        assert {bucket(f"id-{i}", lv) for i in range(5000)} <= set(range(lv, 2 * lv))
    groups = lookups(["a", "b", "a"])
    assert sum(len(g["ids"]) for g in groups) == 2 * len(KEY_LEVELS)


async def test_the_node_filter_matches_ids_exactly(neo4j_store: Neo4jStore) -> None:
    """An id's bucket holds other ids too (and ids are compared as they are): no prefix,
    case folding or pattern syntax widens a match, and no string fails to query."""
    await neo4j_store.apply(small_graph())
    await neo4j_store.apply([node("CivilSocietyOrganization", "cso-10", "Tenth Network")])
    await neo4j_store.set_need_weights({(WeightScope.REGION, "Asia"): 2.0})

    async def revisions(node_id: str) -> list[int]:
        page = await neo4j_store.change_sets(ChangeFilter(node=node_id), first=10)
        assert all(c.id == node_id for cs in page.items for c in cs.changes)
        return [cs.revision for cs in page.items]

    assert await revisions("cso-1") == [1]
    assert await revisions("cso-10") == [2]
    assert await revisions("CSO-1") == []
    assert await revisions("REGION:Asia") == [3]
    for nasty in NASTY:
        assert await revisions(nasty) == [], nasty


# --------------------------------------------------------------------------- history start


async def test_history_starts_where_a_database_without_history_was(
    cfg: Any, neo4j_store: Neo4jStore
) -> None:
    """A database written before history existed (played here by deleting what a version
    with history recorded) reproduces revisions from the one it held when history began."""
    await neo4j_store.apply(small_graph())
    await raw(cfg, "MATCH (n) WHERE n:ChangeSet OR n:RecordBatch OR n:RecordKey DELETE n")
    await raw(cfg, "MATCH (m:Meta {key: 'history_from'}) DELETE m")
    assert await neo4j_store.history_start() == 1
    assert (await neo4j_store.change_sets(ChangeFilter(), first=5)).items == []
    with pytest.raises(HistoryUnavailable):
        await neo4j_store.known_at(0)
    assert len((await neo4j_store.known_at(1)).nodes) == 14
    assert await neo4j_store.revision_at(dt.datetime.now(dt.UTC)) == 1
    await rename(neo4j_store, "cso-1", "Renamed")
    assert await neo4j_store.history_start() == 1
    assert (await neo4j_store.known_at(1)).nodes["cso-1"].name == "Zorveli Youth Collective"
    assert [
        cs.revision for cs in (await neo4j_store.change_sets(ChangeFilter(), first=5)).items
    ] == [2]


async def test_a_write_without_history_restarts_it(cfg: Any, neo4j_store: Neo4jStore) -> None:
    """A replica still running a version without history writes revision 3 and records no
    change set: earlier revisions can no longer be rewound to, and history restarts at 3."""
    await neo4j_store.apply(small_graph())
    await rename(neo4j_store, "cso-1", "Second")
    assert await neo4j_store.history_start() == 0
    await raw(
        cfg,
        "MATCH (m:Meta {key: 'revision'}) SET m.value = m.value + 1 "
        "WITH m MATCH (n:Entity {id: 'cso-1'}) SET n.name = 'Behind history'",
    )
    assert await neo4j_store.history_start() == 3
    with pytest.raises(HistoryUnavailable):
        await neo4j_store.known_at(2)
    assert await rename(neo4j_store, "cso-1", "Fourth") == 4
    assert await neo4j_store.history_start() == 3
    stored = await raw(cfg, "MATCH (m:Meta {key: 'history_from'}) RETURN m.value AS v")
    assert stored[0]["v"] == 3
    assert (await neo4j_store.known_at(3)).nodes["cso-1"].name == "Behind history"
    with pytest.raises(HistoryUnavailable):
        await neo4j_store.known_at(2)


async def test_change_set_times_never_run_back(cfg: Any, neo4j_store: Neo4jStore) -> None:
    """A replica whose clock runs ahead made the last change set: the next one is not
    dated before it, so revision order and time order agree."""
    await neo4j_store.apply(small_graph())
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    await raw(
        cfg,
        "MATCH (c:ChangeSet {revision: 1}) SET c.at = $at",
        at=ahead.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
    await rename(neo4j_store, "cso-1", "Later")
    first, second = (await neo4j_store.change_sets(ChangeFilter(), first=5)).items
    assert first.at == ahead <= second.at
    assert await neo4j_store.revision_at(ahead) == 2


# --------------------------------------------------------------------------- replicas


async def _racing(stores: list[Neo4jStore], writes: list[Callable[[], Awaitable[Any]]]) -> None:
    """Every store plans before any writes (a barrier in front of the write)."""
    barrier = asyncio.Barrier(len(stores))
    for store in stores:
        real = store._db.write

        async def gated(work: Callable[..., Awaitable[Any]], _real: Any = real, **kw: Any) -> Any:
            await barrier.wait()
            return await _real(work, **kw)

        store._db.write = gated  # type: ignore[method-assign]
    await asyncio.gather(*(w() for w in writes))
    for store in stores:
        del store._db.write


async def test_replicas_share_one_history_chain(cfg: Any, neo4j_store: Neo4jStore) -> None:
    """Two replicas rename one node at once: the one that loses the lock plans again, and
    its change set's ``before`` is the other's ``after``, not what it planned from. The other
    replica sees both change sets, and the dated versions, without having written them."""
    other = neo4j_store_for(cfg)
    await other.open()
    try:
        await neo4j_store.apply(small_graph())
        cso = (await neo4j_store.get_nodes(["cso-1"]))[0]
        assert cso is not None

        def renaming(store: Neo4jStore, name: str, day: str) -> Callable[[], Awaitable[Any]]:
            props = {**cso.props, "name": name}
            write = NodeWrite(cso.kind.value, "cso-1", props, valid_from=day)
            return lambda: store.apply([write])

        await _racing(
            [neo4j_store, other],
            [
                renaming(neo4j_store, "First Name", "2022-01-01"),
                renaming(other, "Second Name", "2023-01-01"),
            ],
        )
        page = await other.change_sets(ChangeFilter(node="cso-1"), first=10)
        assert [cs.revision for cs in page.items] == [1, 2, 3]
        chain = [cs.changes[0] for cs in page.items]
        assert chain[0].before is None
        assert chain[1].before == chain[0].after and chain[2].before == chain[1].after
        assert all(c.entity is Entity.NODE for c in chain)
        names = {"2021-06-01": "Zorveli Youth Collective"}
        for c in chain[1:]:
            assert isinstance(c.after, Node) and c.valid_from is not None
            names[c.valid_from] = c.after.name
        for day, name in names.items():
            assert (await neo4j_store.snapshot(day)).graph.nodes["cso-1"]["name"] == name
            assert (await other.snapshot(day)).graph.nodes["cso-1"]["name"] == name
    finally:
        await other.close()


# --------------------------------------------------------------------------- statements


async def test_no_server_notifications_from_history(cfg: Any) -> None:
    """Every history statement on a fresh database, notifications as errors."""
    driver = create_driver(cfg, **NOTIFICATIONS_AS_WARNINGS)
    store = Neo4jStore(driver, cfg)
    await store.open()
    try:
        await store.reset()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            everything = ChangeFilter(
                node="cso-1",
                kinds=frozenset({"CivilSocietyOrganization"}),
                author="system",
                key_id="k1",
                from_revision=0,
                to_revision=9,
                since=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                until=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
            )
            for apply_first in (False, True):
                if apply_first:
                    await store.apply(small_graph())
                    await rename(store, "cso-1", "Renamed", valid_from="2022-01-01")
                    await store.set_need_weights({(WeightScope.REGION, "Asia"): 3.0})
                await store.history_start()
                for newest_first in (False, True):
                    await store.change_sets(everything, first=2, newest_first=newest_first)
                    await store.change_sets(ChangeFilter(), first=2, after=1)
                await store.change_records(1, first=3, after=1)
                await store.revision_at(dt.datetime.now(dt.UTC))
                await store.known_at(0)
                await store.snapshot("2021-01-01")
    finally:
        await store.close()
        await driver.close()


def _operators(plan: dict[str, Any]) -> list[str]:
    details = plan.get("args", {}).get("Details", "")
    out = [f"{plan['operatorType'].split('@')[0]} {details}"]
    for child in plan.get("children", []):
        out += _operators(child)
    return out


@pytest.mark.parametrize(
    "query",
    [
        cypher.change_sets(),
        cypher.change_sets(newest_first=True, author=True, key_id=True),
        cypher.change_sets(kinds=True),
        cypher.change_sets(node=True, kinds=True),
        cypher.RECORD_PAGE,
        cypher.BATCHES_BETWEEN,
        cypher.BATCH_PAGE,
        cypher.UPDATED_NODES,
        cypher.RECORDS_OF,
        cypher.REVISION_AT,
        cypher.HISTORY_HEAD,
    ],
)
async def test_history_reads_seek_indexes(cfg: Any, neo4j_store: Neo4jStore, query: str) -> None:
    """No history read scans a label: ``record_batch_key`` is composite, and serves a
    query only when it names ``seq`` too, which is easy to forget."""
    await neo4j_store.apply(small_graph())
    params = {
        "after": 0,
        "last": 10,
        "limit": 3,
        "kinds": ["Programme"],
        "node": "cso-1",
        "per_batch": 100,
        "groups": [{"bucket": 7, "ids": ["cso-1"]}],
        "author": "system",
        "key_id": "k1",
        "revision": 1,
        "low": 0,
        "high": 1,
        "at": "2999-01-01T00:00:00.000000Z",
    }
    async with (
        neo4j.AsyncGraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as d,
        d.session(database=cfg.database) as session,
    ):
        summary = await (await session.run(f"EXPLAIN {query}", params)).consume()
    assert summary.plan is not None
    ops = _operators(summary.plan)
    assert not [op for op in ops if "LabelScan" in op or "AllNodesScan" in op], ops
