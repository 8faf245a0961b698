"""API keys: the pure rules of graph/keys.py, then the key half of the GraphStore contract,
run unchanged against both stores."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from graph import keys
from graph.embedded import EmbeddedStore
from graph.errors import Conflict, ValidationError
from graph.exchange import record_to_json
from graph.keys import ApiKey, Role
from graph.model import WeightScope
from graph.store import GraphStore, RelEnd, authenticate
from tests.conftest import (
    NOTIFICATIONS_AS_WARNINGS,
    StoreFactory,
    neo4j_config,
    neo4j_store_for,
)
from tests.factories import node, small_graph

T0 = datetime(2025, 6, 2, 9, 14, 5, tzinfo=UTC)


def make(name: str, role: Role = Role.VIEWER, at: datetime = T0) -> tuple[str, ApiKey]:
    return keys.issue(name, role, now=at)


def secret_of(token: str) -> str:
    parsed = keys.parse_presented(token)
    assert parsed is not None
    return parsed[1]


# --------------------------------------------------------------------------- graph/keys.py


def test_roles_are_ordered_and_parsed() -> None:
    assert Role.VIEWER < Role.ANALYST < Role.EDITOR < Role.ADMIN
    assert sorted([Role.ADMIN, Role.VIEWER, Role.EDITOR, Role.ANALYST]) == list(Role)
    assert Role.ADMIN.allows(Role.EDITOR) and Role.ANALYST.allows(Role.ANALYST)
    assert not Role.ANALYST.allows(Role.EDITOR)
    assert max(Role) is Role.ADMIN
    assert Role.parse(" Admin ") is Role.ADMIN and Role.parse("viewer") is Role.VIEWER
    with pytest.raises(ValidationError) as err:
        Role.parse("root")
    assert "unknown role 'root'" in str(err.value) and "viewer, analyst, editor, admin" in str(
        err.value
    )


def test_tokens_have_one_shape_and_parse_back() -> None:
    made = {keys.new_secret() for _ in range(200)}
    assert len({m.key_id for m in made}) == 200 and len({m.secret for m in made}) == 200
    for m in made:
        assert len(m.token) == keys.TOKEN_LENGTH == 63
        assert m.token == f"pn_{m.key_id}_{m.secret}"
        assert keys.parse_presented(m.token) == (m.key_id, m.secret)


@pytest.mark.parametrize(
    "token",
    [
        None,
        42,
        b"pn_0123456789abcdef_" + b"a" * 43,
        "",
        "pn_",
        "Bearer pn_0123456789abcdef_" + "a" * 43,
        " pn_0123456789abcdef_" + "a" * 42,
        "pn_0123456789abcdef_" + "a" * 42 + "\n",
        "pk_0123456789abcdef_" + "a" * 43,  # wrong prefix
        "PN_0123456789abcdef_" + "a" * 43,
        "pn_0123456789ABCDEF_" + "a" * 43,  # id is lowercase hex
        "pn_0123456789abcdeg_" + "a" * 43,
        "pn_0123456789abcdef-" + "a" * 43,  # separator
        "pn_0123456789abcdef_" + "a" * 42,  # too short
        "pn_0123456789abcdef_" + "a" * 44,  # too long
        "pn_0123456789abcde_" + "a" * 44,  # right length, id too short
        "pn_0123456789abcdef_" + "a" * 42 + "=",  # not URL-safe base64
        "pn_0123456789abcdef_" + "a" * 42 + "é",
        "pn_0123456789abcdef_" + "a" * 42 + "\x00",
        "pn_" + "a" * 10_000,
    ],
)
def test_malformed_tokens_are_rejected_without_exceptions(token: Any) -> None:
    assert keys.parse_presented(token) is None


def test_hash_is_keyed_sha256_and_verified_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = keys.new_secret()
    stored = keys.hash_secret(made.secret)
    assert stored.startswith("hmac-sha256$") and len(stored) == len("hmac-sha256$") + 64
    assert made.secret not in stored
    assert stored.split("$")[1] != hashlib.sha256(made.secret.encode()).hexdigest()  # keyed
    assert keys.verify(made.secret, stored)
    assert not keys.verify(made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B"), stored)
    assert not keys.verify(made.secret, "sha256$" + stored.split("$")[1])
    assert not keys.verify(made.secret, "")
    assert not keys.verify("\ud800", stored)  # a lone surrogate is just a wrong secret

    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest  # what graph/keys.py calls, as hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    _, record = make("spy")
    assert keys.check(record, "x" * 43) is None
    assert keys.check(None, "x" * 43) is None  # no record: still one comparison
    assert keys.check(replace(record, revoked_at=T0), "x" * 43) is None
    assert len(compared) == 3


def test_records_never_show_the_hash_and_are_checked() -> None:
    token, record = make("dashboards")
    assert record.secret_hash not in repr(record) and secret_of(token) not in repr(record)
    assert keys.check(record, secret_of(token)) == record
    assert keys.check(replace(record, revoked_at=T0), secret_of(token)) is None
    for bad_name in ["", "   ", "x" * 101, "tab\there", "bidi\u202eeman", "0123456789abcdef"]:
        with pytest.raises(ValidationError):
            keys.issue(bad_name, Role.VIEWER)
    assert keys.issue("  padded  ", Role.VIEWER)[1].name == "padded"
    with pytest.raises(ValidationError):
        keys.issue("naive", Role.VIEWER, now=datetime(2025, 1, 1))


# --------------------------------------------------------------------------- the contract


async def test_create_get_and_list(store: GraphStore) -> None:
    assert await store.list_keys() == []
    _, later = make("ingest", Role.EDITOR, T0 + timedelta(hours=1))
    _, first = make("dashboards", Role.VIEWER, T0)
    _, same_time = make("analysts", Role.ANALYST, T0)
    for record in (later, first, same_time):
        # typed to return nothing: checked at run time too
        assert cast(object, await store.create_key(record)) is None
    assert await store.get_key(first.id) == first
    assert await store.get_key(later.id) == later
    assert (await store.get_key(later.id)).role is Role.EDITOR  # type: ignore[union-attr]
    assert await store.get_key("0" * 16) is None
    assert await store.get_key("not an id") is None
    assert await store.get_key("") is None
    listed = await store.list_keys()
    assert listed == [*sorted([first, same_time], key=lambda k: k.id), later]
    assert all(k.active for k in listed)


async def test_authenticate_a_presented_token(store: GraphStore) -> None:
    token, record = make("grafana", Role.ANALYST)
    await store.create_key(record)
    assert await authenticate(store, token) == record
    secret = secret_of(token)
    wrong = token[:-1] + ("A" if secret[-1] != "A" else "B")
    assert await authenticate(store, wrong) is None
    other_id = f"pn_{'f' * 16}_{secret}"
    assert await authenticate(store, other_id) is None
    for junk in (None, "", "Bearer " + token, token + " ", token.upper()):
        assert await authenticate(store, junk) is None


async def test_revoke(store: GraphStore) -> None:
    token, record = make("old laptop", Role.ADMIN)
    _, other = make("other")
    await store.create_key(record)
    await store.create_key(other)
    at = T0 + timedelta(days=3)
    assert await store.revoke_key(record.id, at) is True
    revoked = await store.get_key(record.id)
    assert revoked == replace(record, revoked_at=at) and not revoked.active
    assert await authenticate(store, token) is None  # revoked: not returned as active
    assert await store.revoke_key(record.id, at + timedelta(days=1)) is False
    assert (await store.get_key(record.id)).revoked_at == at  # type: ignore[union-attr]
    assert await store.revoke_key("0" * 16, at) is False
    assert await store.revoke_key("nonsense", at) is False
    assert await store.list_keys() == sorted([revoked, other], key=lambda k: k.id)
    assert (await store.get_key(other.id)) == other
    with pytest.raises(ValidationError):
        await store.revoke_key(other.id, datetime(2025, 1, 1))
    assert (await store.get_key(other.id)) == other


async def test_names_are_unique_among_active_keys(store: GraphStore) -> None:
    _, first = make("ops")
    await store.create_key(first)
    _, clash = make("ops", Role.ADMIN)
    with pytest.raises(Conflict) as err:
        await store.create_key(clash)
    assert err.value.field == "name" and "already named 'ops'" in str(err.value)
    assert await store.get_key(clash.id) is None
    assert await store.revoke_key(first.id, T0 + timedelta(hours=1))
    await store.create_key(clash)  # the name is free again once its key is revoked
    _, third = make("ops")
    with pytest.raises(Conflict):
        await store.create_key(third)
    assert {k.id for k in await store.list_keys()} == {first.id, clash.id}
    _, same_id = make("other name")
    with pytest.raises(Conflict) as err:
        await store.create_key(replace(same_id, id=first.id))
    assert err.value.field == "id"
    assert await store.get_key(first.id) == replace(first, revoked_at=T0 + timedelta(hours=1))


async def test_concurrent_creates_of_one_name_admit_exactly_one(store: GraphStore) -> None:
    records = [make("race", Role.ADMIN)[1] for _ in range(5)]
    results = await asyncio.gather(*(store.create_key(r) for r in records), return_exceptions=True)
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if r is not None)
    assert [k.name for k in await store.list_keys()] == ["race"]


async def test_bad_records_are_refused_and_store_nothing(store: GraphStore) -> None:
    _, good = make("good")
    for bad in (
        replace(good, id="short"),
        replace(good, id="0123456789ABCDEF"),
        replace(good, name=" padded"),
        replace(good, name="bell\x07"),
        replace(good, secret_hash="plain-secret"),
        replace(good, created_at=datetime(2025, 1, 1)),
        replace(good, revoked_at=T0),
    ):
        with pytest.raises(ValidationError):
            await store.create_key(bad)
    assert await store.list_keys() == []


async def test_keys_survive_reopening(store_factory: StoreFactory) -> None:
    first = await store_factory()
    token, kept = make("kept", Role.EDITOR)
    _, gone = make("gone", at=T0 - timedelta(days=1))
    await first.create_key(kept)
    await first.create_key(gone)
    await first.revoke_key(gone.id, T0 + timedelta(minutes=5))
    before = await first.list_keys()
    await first.close()
    second = await store_factory()
    assert await second.list_keys() == before
    assert await authenticate(second, token) == kept
    assert (await second.get_key(gone.id)).revoked_at == T0 + timedelta(minutes=5)  # type: ignore[union-attr]


async def test_keys_are_not_graph_data(store: GraphStore) -> None:
    """No revision bump (so no cache invalidation), absent from every graph read and the
    export, untouched by graph writes, weights and imports."""
    await store.apply(small_graph())
    revision = await store.revision()
    snap = await store.snapshot()
    counts = await store.counts_by_kind()
    exported = [record_to_json(r) async for r in store.export_records()]
    token, record = make("dashboards", Role.ADMIN)
    await store.create_key(record)
    await store.revoke_key(make("x")[1].id, T0)  # unknown: nothing happens either
    _, revoked = make("revoked")
    await store.create_key(revoked)
    await store.revoke_key(revoked.id, T0 + timedelta(seconds=1))
    assert await store.revision() == revision
    assert await store.snapshot() is snap  # the cached snapshot is still the current one
    assert await store.counts_by_kind() == counts
    assert [record_to_json(r) async for r in store.export_records()] == exported
    assert (await store.get_nodes([record.id])) == [None]
    found = await store.records(frozenset())
    assert record.id not in {n.id for n in found.nodes}
    assert record.id not in set(snap.graph)
    # graph writes, imports and weights leave keys alone
    await store.apply([node("Programme", "prog-new", "New Programme")])
    await store.apply([RelEnd("partners_in-cso-1-prog-a", "2024-06-30")])
    await store.set_need_weights({(WeightScope.COUNTRY, "KEN"): 2.0}, replace=True)
    assert await store.revision() == revision + 3
    assert await authenticate(store, token) == record
    assert len(await store.list_keys()) == 2


async def test_names_are_data(store: GraphStore) -> None:
    names = [
        "'}) DETACH DELETE n //",
        "`Entity` MATCH (m) SET m:Pwned RETURN m",
        "$ids ${x} $$ \\u0027 $name",
        'ΣΊΣΥΦΟΣ 中文 \\ " \U0001f600',
    ]
    records = [make(n, at=T0 + timedelta(seconds=i))[1] for i, n in enumerate(names)]
    for record in records:
        await store.create_key(record)
    assert [k.name for k in await store.list_keys()] == names
    assert await store.revision() == 0
    assert sum((await store.counts_by_kind()).values()) == 0
    assert await store.revoke_key(records[0].id, T0)
    assert [k.active for k in await store.list_keys()] == [False, True, True, True]


async def test_the_secret_is_never_stored(store: GraphStore) -> None:
    token, record = make("scanner", Role.ADMIN)
    await store.create_key(record)
    secret = secret_of(token)
    if isinstance(store, EmbeddedStore):
        stored = b"".join(
            path.read_bytes()
            for path in store.path.parent.iterdir()
            if path.name.startswith(store.path.name)
        )
        assert record.id.encode() in stored and record.secret_hash.encode() in stored
        with sqlite3.connect(store.path) as db:
            rows = db.execute("SELECT * FROM api_keys").fetchall()
        assert rows == [(record.id, "scanner", "admin", record.secret_hash, keys.to_text(T0), None)]
    else:
        rows = await _neo4j_rows("MATCH (n) RETURN properties(n) AS p")
        key_props = [r["p"] for r in rows if r["p"].get("id") == record.id]
        assert key_props == [
            {
                "id": record.id,
                "name": "scanner",
                "role": "admin",
                "hash": record.secret_hash,
                "created_at": keys.to_text(T0),
            }
        ]
        stored = repr([r["p"] for r in rows]).encode()
    for needle in (secret, secret[:20], secret[-20:], token):
        assert needle.encode() not in stored


async def _neo4j_rows(query: str) -> list[Any]:
    import neo4j

    cfg = neo4j_config()
    async with neo4j.AsyncGraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as d:
        records, _, _ = await d.execute_query(query, database_=cfg.database)
        return list(records)


# --------------------------------------------------------------------------- Neo4j only


async def test_neo4j_key_model_and_reset() -> None:
    """The ``api_key_id`` constraint exists, key Cypher triggers no server notification on a
    fresh database (warnings are errors here), and ``reset`` wipes keys with the graph."""
    store = neo4j_store_for(neo4j_config(), **NOTIFICATIONS_AS_WARNINGS)
    await store.open()
    try:
        await store.reset()
        assert await store.get_key("0" * 16) is None
        assert await store.list_keys() == []
        token, record = make("fresh", Role.ADMIN)
        await store.create_key(record)
        with pytest.raises(Conflict):
            await store.create_key(make("fresh")[1])
        assert await authenticate(store, token) == record
        assert await store.revoke_key(record.id, T0)
        assert not await store.revoke_key(record.id, T0)
        constraints = await _neo4j_rows(
            "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type "
            "WHERE name = 'api_key_id' RETURN labelsOrTypes, properties, type"
        )
        assert [(r[0], r[1], r[2]) for r in constraints] == [(["ApiKey"], ["id"], "UNIQUENESS")]
        await store.reset()
        assert await store.list_keys() == []
        assert await _neo4j_rows("MATCH (n) RETURN n") == []
    finally:
        await store.close()


# --------------------------------------------------------------------------- embedded only


async def test_embedded_files_from_before_keys_gain_the_table(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = EmbeddedStore(path)
    await old.open()
    await old.apply(small_graph())
    await old.close()
    with sqlite3.connect(path) as db:  # what a file written before keys existed looks like
        db.execute("DROP INDEX api_keys_active_name")
        db.execute("DROP TABLE api_keys")
    store = EmbeddedStore(path)
    await store.open()
    try:
        assert await store.list_keys() == [] and await store.revision() == 1
        token, record = make("after upgrade", Role.ADMIN)
        await store.create_key(record)
        assert await authenticate(store, token) == record
        assert await store.revision() == 1
    finally:
        await store.close()
