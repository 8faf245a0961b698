"""What only the Neo4j store has to prove: schema, atomic and retry-safe writes, serialised
writers across processes, revisions in the database, timeouts, clean errors, injection."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import traceback
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import neo4j
import pytest

from graph import cypher
from graph.embedded import EmbeddedStore
from graph.errors import Conflict, IntegrityError, StoreUnavailable
from graph.exchange import record_to_json
from graph.factory import Neo4jConfig
from graph.model import NodeKind, Relationship, RelType, Role, WeightScope
from graph.neo4j import Neo4jStore, create_driver
from graph.neo4j.reads import SMALL_LOOKUP
from graph.store import (
    ApplyResult,
    Change,
    GraphStore,
    NodeFilter,
    NodeWrite,
    RelWrite,
    get_node,
)
from tests.conftest import NOTIFICATIONS_AS_WARNINGS, neo4j_store_for
from tests.factories import node, rel, small_graph

NASTY = [
    "'}) DETACH DELETE n //",
    "`Entity` MATCH (m) SET m:Pwned RETURN m",
    "$ids ${x} $$ \\u0027",
    '") CALL db.labels() YIELD label RETURN label //',
    '\u202e\u0000\U0001f600 ΣΊΣΥΦΟΣ 中文 \\ " \n\t',
]


async def raw(cfg: Neo4jConfig, query: str, **params: Any) -> list[neo4j.Record]:
    """Run Cypher outside the store (to inspect or disturb the database)."""
    async with neo4j.AsyncGraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as d:
        records, _, _ = await d.execute_query(query, params, database_=cfg.database)
        return records


async def everything(store: GraphStore) -> list[str]:
    return [record_to_json(r) async for r in store.export_records()]


# --------------------------------------------------------------------------- schema


async def test_schema_is_ensured_once_and_idempotently(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore, caplog: pytest.LogCaptureFixture
) -> None:
    names = {r["name"] for r in await raw(cfg, "SHOW CONSTRAINTS YIELD name")}
    names |= {r["name"] for r in await raw(cfg, "SHOW INDEXES YIELD name")}
    assert {name for name, _ in cypher.schema_statements()} <= names
    for kind in NodeKind:
        assert f"{cypher._snake(kind.value)}_id" in names
    for t in RelType:
        assert f"{t.value.lower()}_id" in names
    caplog.set_level(logging.INFO, logger="partnernet.neo4j")
    again = neo4j_store_for(cfg)
    await again.open()
    await again.close()
    assert not [r for r in caplog.records if "creating Neo4j schema" in r.getMessage()]


async def test_uniqueness_constraints_refuse_duplicates(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore
) -> None:
    await neo4j_store.apply(small_graph())
    with pytest.raises(neo4j.exceptions.ConstraintError):
        await raw(cfg, "CREATE (:Entity:Programme {id: 'prog-a', name: 'dup'})")
    with pytest.raises(neo4j.exceptions.ConstraintError):
        await raw(
            cfg,
            "MATCH (a {id: 'cso-3'}), (b {id: 'JOR'}) "
            "CREATE (a)-[:BASED_IN {id: 'based_in-cso-3-JOR'}]->(b)",
        )


async def test_no_server_notifications_on_a_fresh_database(cfg: Neo4jConfig) -> None:
    """Every notification (deprecations, missing labels, performance hints) becomes a
    warning, and warnings are errors here: the store's Cypher must trigger none. The driver
    is the test's, configured so, and lent to the store."""
    driver = create_driver(cfg, **NOTIFICATIONS_AS_WARNINGS)
    store = Neo4jStore(driver, cfg)
    await store.open()
    try:
        await store.reset()
        await store.counts_by_kind()
        await store.get_relationships(["x"])
        await store.find_nodes(
            NodeFilter(theme="t", role=Role.FUNDING, active_as_of="2020-01-01"), first=3
        )
        await store.apply(small_graph())
        await store.neighbours(["prog-a", "x"])
        await store.records(frozenset({RelType.PRODUCED}))
        await store.snapshot("2021-01-01")
        await everything(store)
        await store.set_need_weights({(WeightScope.COUNTRY, "KEN"): 2.0})
        await store.ping()
    finally:
        await store.close()
        await driver.close()


# --------------------------------------------------------------------------- writes


async def test_failed_import_leaves_no_trace(cfg: Neo4jConfig) -> None:
    """All UNWIND batches run in one transaction: a failure after some batches were sent
    rolls every one of them back."""
    store = neo4j_store_for(replace(cfg, batch_size=5))
    await store.open()
    await store.reset()
    sent: list[int] = []

    def fail_after_three_batches(n: int) -> None:
        sent.append(n)
        if len(sent) == 3:
            raise RuntimeError("disk full (simulated)")

    try:
        with pytest.raises(RuntimeError):
            await store.apply(small_graph(), progress=fail_after_three_batches)
        assert len(sent) == 3
        assert await store.revision() == 0
        assert await everything(store) == []
        assert await raw(cfg, "MATCH (n) WHERE NOT n:Meta RETURN n") == []
        result = await store.apply(small_graph(), progress=sent.append)
        assert (result.revision, result.nodes_written) == (1, 14)
    finally:
        await store.close()


async def test_a_retried_transaction_writes_once(neo4j_store: Neo4jStore) -> None:
    """The driver re-runs a write transaction after a dropped connection; the function
    re-reads the revision under the lock, so the retry writes the same thing once."""
    attempts: list[int] = []

    def drop_connection_once(n: int) -> None:
        attempts.append(n)
        if len(attempts) == 1:
            raise neo4j.exceptions.SessionExpired("connection dropped (simulated)")

    result = await neo4j_store.apply(small_graph(), progress=drop_connection_once)
    assert result.revision == 1 == await neo4j_store.revision()
    assert (result.nodes_written, result.relationships_written) == (14, 16)
    assert (await neo4j_store.counts_by_kind())[NodeKind.MEMBER_STATE] == 3
    assert len(attempts) > 1


async def test_writes_outside_the_store_are_caught_by_constraints(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore
) -> None:
    """Someone writes the same id behind the store's back (without bumping the revision)
    between planning and writing: the uniqueness constraint refuses, nothing is written."""
    real_write = neo4j_store._db.write

    async def sneaky(work: Callable[..., Awaitable[Any]], **kw: Any) -> Any:
        await raw(cfg, "CREATE (:Entity:Programme {id: 'prog-a', name: 'Intruder'})")
        return await real_write(work, **kw)

    neo4j_store._db.write = sneaky  # type: ignore[method-assign]
    with pytest.raises(Conflict):
        await neo4j_store.apply(small_graph())
    assert await neo4j_store.revision() == 0
    rows = await raw(cfg, "MATCH (n:Entity) RETURN n.name AS name")
    assert [r["name"] for r in rows] == ["Intruder"]


async def test_big_lookups_scan_or_seek_with_the_same_answers(
    neo4j_store: Neo4jStore,
) -> None:
    """Lookups of more than SMALL_LOOKUP ids take the scan path for small types; answers
    and conflict detection across types must not change."""
    await neo4j_store.apply(small_graph())
    stored = [r async for r in neo4j_store.export_records() if isinstance(r, Relationship)]
    ids = [f"missing-{i}" for i in range(SMALL_LOOKUP)] + [r.id for r in stored] * 2
    found = await neo4j_store.get_relationships(ids)
    assert found[SMALL_LOOKUP:] == stored * 2
    assert found[:SMALL_LOOKUP] == [None] * SMALL_LOOKUP
    fresh = [NodeWrite("Programme", f"p-{i}", {"name": f"P {i}"}) for i in range(600)]
    links = [RelWrite("ADDRESSES", f"a-{i}", f"p-{i}", "theme-cft", {}) for i in range(600)]
    reuse = RelWrite("ADDRESSES", "based_in-cso-1-KEN", "p-0", "theme-pcve", {})
    with pytest.raises(Conflict) as err:
        await neo4j_store.apply([*fresh, *links, reuse])
    assert "based_in-cso-1-KEN" in str(err.value)
    assert await neo4j_store.revision() == 1


async def _race(
    stores: list[Neo4jStore], batches: Sequence[Sequence[Change]]
) -> list[ApplyResult | BaseException]:
    """Both stores plan before either writes (a barrier in front of the write)."""
    barrier = asyncio.Barrier(len(stores))
    for store in stores:
        real = store._db.write

        async def gated(work: Callable[..., Awaitable[Any]], _real: Any = real, **kw: Any) -> Any:
            await barrier.wait()
            return await _real(work, **kw)

        store._db.write = gated  # type: ignore[method-assign]
    return await asyncio.gather(
        *(s.apply(b) for s, b in zip(stores, batches, strict=True)), return_exceptions=True
    )


async def _race_replicas(
    cfg: Neo4jConfig, batches: Sequence[Sequence[Change]]
) -> list[ApplyResult | BaseException]:
    """Each batch applied by its own replica (another store on the same database), racing."""
    replicas = [neo4j_store_for(cfg) for _ in batches]
    for r in replicas:
        await r.open()
    try:
        return await _race(replicas, batches)
    finally:
        for r in replicas:
            await r.close()


@pytest.mark.parametrize("rule", ["shares", "cycle"])
async def test_concurrent_replicas_cannot_both_pass_the_results_chain_check(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore, rule: str
) -> None:
    await neo4j_store.apply([*small_graph(), node("Outcome", "out-3", "Lasting peace")])
    if rule == "shares":  # each alone sums to 0.9 into out-1, together 1.2
        batches = [
            [rel("PRODUCED", "prog-a", "out-1", share=0.3)],
            [rel("PRODUCED", "prog-b", "out-1", share=0.3)],
        ]
    else:  # out-1 -> out-2 exists; each alone is fine, together a cycle
        batches = [
            [rel("CONTRIBUTED_TO", "out-2", "out-3", share=0.1)],
            [rel("CONTRIBUTED_TO", "out-3", "out-1", share=0.1)],
        ]
    outcomes = await _race_replicas(cfg, batches)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], IntegrityError), outcomes
    assert await neo4j_store.revision() == 2


async def test_concurrent_replicas_cannot_both_create_one_id(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore
) -> None:
    await neo4j_store.apply(small_graph())
    batches = [
        [NodeWrite("Company", "co-new", {"name": name, "illustrative": True}, create=True)]
        for name in ("First Claimant", "Second Claimant")
    ]
    outcomes = await _race_replicas(cfg, batches)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), outcomes
    assert await neo4j_store.revision() == 2


async def test_replicas_agree_on_the_revision_and_see_each_others_writes(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore
) -> None:
    other = neo4j_store_for(cfg)
    await other.open()
    try:
        await neo4j_store.apply(small_graph())
        before = await other.snapshot()
        outcomes = await _race(
            [neo4j_store, other],
            [[node("Programme", "prog-c", "Gamma")], [node("Programme", "prog-d", "Delta")]],
        )
        applied = [o for o in outcomes if isinstance(o, ApplyResult)]
        assert len(applied) == len(outcomes), outcomes  # neither write failed
        assert sorted(o.revision for o in applied) == [2, 3]
        assert await other.revision() == await neo4j_store.revision() == 3
        after = await other.snapshot()
        assert before.revision == 1 and after.revision == 3
        assert {"prog-c", "prog-d"} <= set(after.graph)
        assert not (await neo4j_store.apply(small_graph())).changed
        assert await other.revision() == 3
    finally:
        await other.close()


async def test_reset_clears_everything_and_invalidates_cached_snapshots(
    neo4j_store: Neo4jStore,
) -> None:
    await neo4j_store.apply(small_graph())
    await neo4j_store.set_need_weights({(WeightScope.COUNTRY, "KEN"): 2.0})
    assert (await neo4j_store.snapshot()).revision == 2
    await neo4j_store.reset()
    assert await neo4j_store.revision() == 0
    assert await neo4j_store.need_weights() == {}
    assert sum((await neo4j_store.counts_by_kind()).values()) == 0
    await neo4j_store.apply([node("Programme", "p", "P")])
    await neo4j_store.apply([node("Programme", "q", "Q")])
    snap = await neo4j_store.snapshot()
    assert snap.revision == 2 and set(snap.graph) == {"p", "q"}


async def test_every_transaction_has_a_timeout(cfg: Neo4jConfig) -> None:
    """A writer stuck behind a lock gives up after NEO4J_TIMEOUT with a clear error."""
    store = neo4j_store_for(replace(cfg, timeout=2.0))
    await store.open()
    await store.reset()
    auth = (cfg.user, cfg.password)
    async with (
        neo4j.AsyncGraphDatabase.driver(cfg.uri, auth=auth) as d,
        d.session(database=cfg.database) as session,
    ):
        holder = await session.begin_transaction()
        await (await holder.run(cypher.LOCK_REVISION)).consume()
        started = time.monotonic()
        try:
            with pytest.raises(StoreUnavailable) as err:
                await store.apply(small_graph())
        finally:
            await holder.rollback()
            await store.close()
    assert time.monotonic() - started < 20
    assert "time limit" in err.value.message


# --------------------------------------------------------------------------- errors


async def test_bad_credentials_and_unreachable_servers_fail_in_one_clean_line(
    cfg: Neo4jConfig,
) -> None:
    secret = "hunter2-not-the-password"

    def assert_clean(err: StoreUnavailable, expected: str) -> None:
        text = "".join(traceback.format_exception(err))
        assert expected in err.message, err.message
        assert "\n" not in str(err)
        assert secret not in text

    cases = [
        (replace(cfg, password=secret), "credentials"),
        (replace(cfg, uri="bolt://127.0.0.1:1", password=secret), "unreachable"),
        (replace(cfg, database="no-such-db"), "no database"),
    ]
    for config, expected in cases:
        store = neo4j_store_for(config)
        for attributes in (repr(store), repr(vars(store)), repr(vars(store._db))):
            assert secret not in attributes
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as err:
            await store.open()
        with pytest.raises(StoreUnavailable):
            await store.ping()
        await store.close()
        assert_clean(err.value, expected)
        assert time.monotonic() - started < 30
    # A URI the driver cannot use is refused when the driver is built, before any store.
    with pytest.raises(StoreUnavailable) as err:
        create_driver(replace(cfg, uri=f"bolt://neo4j:{secret}@127.0.0.1:1", password=secret))
    assert_clean(err.value, "invalid Neo4j configuration")
    # The driver leaves the socket of a refused connection (port 1 above) to the garbage
    # collector, whose ResourceWarning would otherwise fail whichever later test it happens to
    # run in. Collect it here, where its cause is known.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


# --------------------------------------------------------------------------- injection


async def test_cypher_fragments_are_data_everywhere(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore, tmp_path: Any
) -> None:
    """Strings with Cypher in every free-text property, weight key and filter are stored and
    returned literally, change nothing else, and give the embedded store's answers."""
    embedded = EmbeddedStore(tmp_path / "ref.db")
    await embedded.open()
    batch: list[Any] = list(small_graph())
    for i, text in enumerate(NASTY):
        batch.append(
            NodeWrite(
                "CivilSocietyOrganization",
                f"cso-n{i}",
                {"name": text, "description": text, "source": text},
            )
        )
        batch.append(RelWrite("BASED_IN", f"based-n{i}", f"cso-n{i}", "KEN", {"source": text}))
    weights = {(WeightScope.THEME, text): 1.5 for text in NASTY}
    labels_before = {r["label"] for r in await raw(cfg, "CALL db.labels() YIELD label")}
    try:
        for store in (embedded, neo4j_store):
            await store.apply(batch)
            await store.set_need_weights(weights)
        for i, text in enumerate(NASTY):
            found = await get_node(neo4j_store, f"cso-n{i}")
            assert found is not None and found.name == text == found.props["description"]
            (link,) = await neo4j_store.get_relationships([f"based-n{i}"])
            assert link is not None and link.props["source"] == text
            for flt in (
                NodeFilter(text=text),
                NodeFilter(theme=text),
                NodeFilter(country=text),
                NodeFilter(subregion=text),
                NodeFilter(active_as_of=text),
            ):
                pages = [await s.find_nodes(flt, first=50) for s in (embedded, neo4j_store)]
                assert pages[1] == pages[0], flt
            got = [await s.neighbours([text], as_of=text) for s in (embedded, neo4j_store)]
            assert got[1] == got[0]
        assert await neo4j_store.need_weights() == await embedded.need_weights()
        assert await everything(neo4j_store) == await everything(embedded)
        labels_after = {r["label"] for r in await raw(cfg, "CALL db.labels() YIELD label")}
        assert labels_after == labels_before
        assert await raw(cfg, "MATCH (n:Pwned) RETURN n") == []
    finally:
        await embedded.close()


def test_labels_and_types_come_only_from_the_allow_list() -> None:
    for bad in ("Programme) DETACH DELETE n //", "Entity`", "Pwned"):
        with pytest.raises(ValueError):
            cypher.label(bad)
        with pytest.raises(ValueError):
            cypher.rel_type(bad)
    assert cypher.label(NodeKind.PROGRAMME) == "Programme"
