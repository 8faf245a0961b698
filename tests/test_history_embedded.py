"""The embedded store's history across files made before it and writers without it, and
its storage (graph/sqlite_history.py).

A file written by a build without history starts its history at the revision it holds when
first opened; a node that existed then and is updated later keeps its earlier value as a
version, before and after reopening; and a revision written later by such a build (no change
set) restarts history there, so ``knownAt`` never rewinds across it. A file written with one
history row per record (before batches) is moved to batches when opened, and reads the same.
Lookups by id find records in large change sets (coarse keys), across batches, and never
confuse two ids that share a crc32; every history table is append-only.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zlib
from pathlib import Path

import orjson
import pytest

from graph import sqlite_history
from graph.embedded import EmbeddedStore
from graph.history import (
    ChangeFilter,
    Entity,
    HistoryUnavailable,
    RecordChange,
    encode_value,
    utc_text,
)
from graph.model import Node, NodeKind, WeightScope
from graph.store import NodeWrite, RelEnd
from tests.factories import node, rel

OLD_SCHEMA = """
CREATE TABLE nodes (id TEXT PRIMARY KEY, kind TEXT NOT NULL, props TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE relationships (id TEXT PRIMARY KEY, type TEXT NOT NULL, start TEXT NOT NULL,
    "end" TEXT NOT NULL, props TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE need_weights (scope TEXT NOT NULL, key TEXT NOT NULL, weight REAL NOT NULL,
    PRIMARY KEY (scope, key)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""
CSO = {"name": "Velmora Circle", "focus_groups": ["YOUTH"]}


def _old_file(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('revision', '7')")
    db.execute(
        "INSERT INTO nodes VALUES ('cso-v', 'CivilSocietyOrganization', ?)", (json.dumps(CSO),)
    )
    db.commit()
    db.close()


async def _focus(store: EmbeddedStore, day: str) -> list[str]:
    return list((await store.snapshot(day)).graph.nodes["cso-v"]["focus_groups"])


async def test_a_file_from_before_history_keeps_its_first_value(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_file(path)
    store = EmbeddedStore(path)
    await store.open()
    try:
        assert await store.history_start() == 7
        with pytest.raises(HistoryUnavailable):
            await store.known_at(6)
        changed = {**CSO, "focus_groups": ["WOMEN"]}
        await store.apply(
            [NodeWrite("CivilSocietyOrganization", "cso-v", changed, valid_from="2024-01-01")]
        )
        assert await _focus(store, "2023-06-30") == ["YOUTH"]
        assert await _focus(store, "2024-06-30") == ["WOMEN"]
        assert (await store.known_at(7)).nodes["cso-v"].props["focus_groups"] == ["YOUTH"]
    finally:
        await store.close()
    reopened = EmbeddedStore(path)
    await reopened.open()
    try:
        assert await _focus(reopened, "2023-06-30") == ["YOUTH"]
        assert await _focus(reopened, "2024-06-30") == ["WOMEN"]
    finally:
        await reopened.close()


async def test_a_write_without_history_restarts_it(tmp_path: Path) -> None:
    path = tmp_path / "gap.db"
    store = EmbeddedStore(path)
    await store.open()
    await store.apply([NodeWrite("CivilSocietyOrganization", "cso-v", CSO)])
    await store.apply([NodeWrite("CivilSocietyOrganization", "cso-v", {**CSO, "name": "B"})])
    await store.close()
    db = sqlite3.connect(path)  # what a build without history would do: no change set
    db.execute("UPDATE nodes SET props = ? WHERE id = 'cso-v'", (json.dumps(CSO),))
    db.execute("UPDATE meta SET value = '3' WHERE key = 'revision'")
    db.commit()
    db.close()
    reopened = EmbeddedStore(path)
    await reopened.open()
    try:
        assert await reopened.history_start() == 3
        with pytest.raises(HistoryUnavailable):
            await reopened.known_at(2)
        assert (await reopened.known_at(3)).nodes["cso-v"].name == "Velmora Circle"
    finally:
        await reopened.close()


# --------------------------------------------------------------------------- one row per record

#: The history tables as builds before batches made them (one ``record_changes`` row per
#: record, values as ``encode_value`` JSON), executed as they were.
ROW_PER_RECORD_HISTORY = """
INSERT OR IGNORE INTO meta(key, value) SELECT 'history_from', value FROM meta
    WHERE key='revision';
CREATE TABLE change_sets (
    revision INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    author   TEXT NOT NULL,
    role     TEXT NOT NULL,
    via      TEXT NOT NULL,
    key_id   TEXT,
    size     INTEGER NOT NULL
);
CREATE TABLE record_changes (
    revision   INTEGER NOT NULL REFERENCES change_sets(revision),
    seq        INTEGER NOT NULL,
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    valid_from TEXT,
    before     TEXT,
    after      TEXT,
    PRIMARY KEY (revision, seq)
) WITHOUT ROWID;
CREATE INDEX record_changes_id ON record_changes(id, revision);
CREATE INDEX change_sets_at ON change_sets(at);
CREATE TRIGGER change_sets_append_only_u BEFORE UPDATE ON change_sets
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER change_sets_append_only_d BEFORE DELETE ON change_sets
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER record_changes_append_only_u BEFORE UPDATE ON record_changes
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER record_changes_append_only_d BEFORE DELETE ON record_changes
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
"""
CSO_KIND = "CivilSocietyOrganization"
AT = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)


def _json(value: object) -> str | None:
    data = encode_value(value)  # type: ignore[arg-type]
    return None if data is None else orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()


def _row_per_record_file(path: Path) -> None:
    """Three revisions as a build before batches stored them: two nodes created, one of them
    changed from a date of its own by an editor, then a need weight."""
    youth = Node("cso-v", NodeKind.CIVIL_SOCIETY_ORGANIZATION, CSO)
    women = Node("cso-v", NodeKind.CIVIL_SOCIETY_ORGANIZATION, {**CSO, "focus_groups": ["WOMEN"]})
    other = Node("cso-w", NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"name": "Ombrela Collective"})
    sets = [
        (
            1,
            ("system", "system", "system", None),
            [
                RecordChange(Entity.NODE, "cso-v", CSO_KIND, None, youth),
                RecordChange(Entity.NODE, "cso-w", CSO_KIND, None, other),
            ],
        ),
        (
            2,
            ("field-office", "EDITOR", "mutation", "k1"),
            [
                RecordChange(Entity.NODE, "cso-v", CSO_KIND, youth, women, "2024-01-01"),
            ],
        ),
        (
            3,
            ("system", "system", "weights", None),
            [
                RecordChange(Entity.NEED_WEIGHT, "REGION:Africa", "NeedWeight", None, 2.0),
            ],
        ),
    ]
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA + "INSERT INTO meta VALUES ('revision', '0');")
    db.executescript(ROW_PER_RECORD_HISTORY)
    for revision, (name, role, via, key_id), changes in sets:
        at = utc_text(AT + dt.timedelta(minutes=revision))
        db.execute(
            "INSERT INTO change_sets VALUES (?, ?, ?, ?, ?, ?, ?)",
            (revision, at, name, role, via, key_id, len(changes)),
        )
        db.executemany(
            "INSERT INTO record_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    revision,
                    seq,
                    c.entity.value,
                    c.id,
                    c.kind,
                    c.valid_from,
                    _json(c.before),
                    _json(c.after),
                )
                for seq, c in enumerate(changes, start=1)
            ],
        )
    db.executemany(
        "INSERT INTO nodes VALUES (?, ?, ?)",
        [(n.id, n.kind.value, json.dumps(n.props)) for n in (women, other)],
    )
    db.execute("INSERT INTO need_weights VALUES ('REGION', 'Africa', 2.0)")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'revision'")
    db.commit()
    db.close()


def _tables(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()


async def _read_history(store: EmbeddedStore) -> None:
    """Everything history answers about the file of ``_row_per_record_file``."""
    assert await store.history_start() == 0
    page = await store.change_sets(ChangeFilter(), first=10)
    assert [(cs.revision, cs.size) for cs in page.items][:3] == [(1, 2), (2, 1), (3, 1)]
    assert page.items[1].author.key_id == "k1"
    assert page.items[0].at == AT + dt.timedelta(minutes=1)
    by_node = await store.change_sets(ChangeFilter(node="cso-v"), first=10)
    assert [cs.revision for cs in by_node.items] == [1, 2]
    assert [c.id for cs in by_node.items for c in cs.changes] == ["cso-v", "cso-v"]
    weights = ChangeFilter(kinds=frozenset({"NeedWeight"}), to_revision=3)
    assert [cs.revision for cs in (await store.change_sets(weights, first=10)).items] == [3]
    by_author = await store.change_sets(ChangeFilter(author="field-office"), first=10)
    assert [cs.revision for cs in by_author.items] == [2]
    [(seq, created)] = await store.change_records(1, first=5, after=1)
    assert (seq, created.id, created.before) == (2, "cso-w", None)
    [(_, changed)] = await store.change_records(2, first=5)
    assert changed.valid_from == "2024-01-01"
    assert isinstance(changed.before, Node) and changed.before.props["focus_groups"] == ["YOUTH"]
    [(_, weight)] = await store.change_records(3, first=5)
    assert (weight.before, weight.after) == (None, 2.0)
    assert await store.revision_at(AT + dt.timedelta(minutes=2, seconds=30)) == 2
    past = await store.known_at(1)
    assert past.nodes["cso-v"].props["focus_groups"] == ["YOUTH"]
    assert past.weights == {}
    assert (await store.known_at(2)).nodes["cso-v"].props["focus_groups"] == ["WOMEN"]
    assert await _focus(store, "2023-06-30") == ["YOUTH"]
    assert await _focus(store, "2024-06-30") == ["WOMEN"]


async def test_a_file_with_a_row_per_record_is_moved_to_batches(tmp_path: Path) -> None:
    path = tmp_path / "rows.db"
    _row_per_record_file(path)
    store = EmbeddedStore(path)
    await store.open()
    try:
        await _read_history(store)
        assert "record_changes" not in _tables(path)
        await store.apply([node(CSO_KIND, "cso-w", "Ombrela Network")])
        await store.set_need_weights({(WeightScope.REGION, "Africa"): 3.0})
    finally:
        await store.close()
    reopened = EmbeddedStore(path)
    await reopened.open()
    try:
        await _read_history(reopened)
        by_node = await reopened.change_sets(ChangeFilter(node="cso-w"), first=10)
        assert [cs.revision for cs in by_node.items] == [1, 4]
        assert (await reopened.known_at(4)).weights == {(WeightScope.REGION, "Africa"): 2.0}
    finally:
        await reopened.close()


async def test_a_failed_move_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rows.db"
    _row_per_record_file(path)

    def broken(*_: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_history, "_store", broken)
    with pytest.raises(Exception, match="disk I/O error"):
        await EmbeddedStore(path).open()
    assert "record_changes" in _tables(path)
    monkeypatch.undo()
    store = EmbeddedStore(path)
    await store.open()
    try:
        await _read_history(store)
    finally:
        await store.close()


# --------------------------------------------------------------------------- lookups by id

#: Two ids with the same crc32: a lookup of one reads the other's keys and must drop them.
TWINS = ("cso-599430bd25", "cso-f7633dd321")
ROLE = "IMPLEMENTING"


def test_the_twins_share_a_crc32() -> None:
    assert zlib.crc32(TWINS[0].encode()) == zlib.crc32(TWINS[1].encode())


@pytest.mark.parametrize("few_ids", [1000, 1])
async def test_lookups_by_id_in_large_change_sets_and_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, few_ids: int
) -> None:
    """Small limits stand in for large writes: 3 records a batch, and a change set keying
    more than 4 records at the coarse level. The twins are relationship ids (found by crc32
    keys) and node ids (found by their own index); lookups of several ids read those of each
    id, or all of them."""
    monkeypatch.setattr(sqlite_history, "_FEW_IDS", few_ids)
    monkeypatch.setattr(sqlite_history, "RECORDS_PER_BATCH", 3)
    monkeypatch.setattr(sqlite_history, "NODES_PER_BATCH", 3)
    monkeypatch.setattr(sqlite_history, "SMALL_CHANGE_SET", 4)
    path = tmp_path / "keys.db"
    csos = [f"cso-{i}" for i in range(5)] + list(TWINS)
    store = EmbeddedStore(path)
    await store.open()
    try:
        await store.apply(
            [node("Programme", "prog-a", "Alpha Programme")]
            + [node(CSO_KIND, i, f"Name {i}") for i in csos]
            + [rel("PARTNERS_IN", i, "prog-a", f"p-{i}", role=ROLE) for i in csos[:5]]
            + [rel("PARTNERS_IN", "cso-0", "prog-a", twin, role=ROLE) for twin in TWINS]
        )
        await store.apply(
            [NodeWrite(CSO_KIND, TWINS[0], {"name": "Renamed"}, valid_from="2024-01-01")]
        )
        await store.apply(
            [
                NodeWrite(CSO_KIND, "cso-3", {"name": "Three"}, valid_from="2024-02-01"),
                NodeWrite(CSO_KIND, TWINS[1], {"name": "Twin"}, valid_from="2024-02-01"),
                RelEnd(TWINS[0], "2024-03-31"),
            ]
        )
        # a twin is a node and a relationship: both its records of revision 1 are listed
        for twin, revisions in zip(TWINS, ([1, 1, 2, 3], [1, 1, 3]), strict=True):
            page = await store.change_sets(ChangeFilter(node=twin), first=10)
            assert [cs.revision for cs in page.items for _ in cs.changes] == revisions
            assert {c.id for cs in page.items for c in cs.changes} == {twin}
        first = await store.change_sets(ChangeFilter(node="cso-3"), first=1)
        assert [cs.revision for cs in first.items] == [1] and first.has_next_page
        rest = await store.change_sets(ChangeFilter(node="cso-3"), first=1, after=1)
        assert [cs.revision for cs in rest.items] == [3] and not rest.has_next_page
        by_rel = await store.change_sets(ChangeFilter(node="p-cso-4"), first=5)
        assert [(cs.revision, [c.id for c in cs.changes]) for cs in by_rel.items] == [
            (1, ["p-cso-4"])
        ]
        assert not (await store.change_sets(ChangeFilter(node="cso-none"), first=5)).items
        records = await store.change_records(1, first=4, after=6)
        assert [(seq, c.id) for seq, c in records] == [
            (7, TWINS[0]),
            (8, TWINS[1]),
            (9, "p-cso-0"),
            (10, "p-cso-1"),
        ]
    finally:
        await store.close()
    reopened = EmbeddedStore(path)
    await reopened.open()
    try:
        day = await reopened.snapshot("2023-12-31")
        assert day.graph.nodes[TWINS[0]]["name"] == f"Name {TWINS[0]}"
        assert day.graph.nodes[TWINS[1]]["name"] == f"Name {TWINS[1]}"
        assert day.graph.nodes["cso-3"]["name"] == "Name cso-3"
        later = await reopened.snapshot("2024-06-30")
        assert later.graph.nodes[TWINS[0]]["name"] == "Renamed"
        assert later.graph.nodes[TWINS[1]]["name"] == "Twin"
        past = await reopened.known_at(2)
        assert past.nodes["cso-3"].name == "Name cso-3"
        assert "until" not in past.relationships[TWINS[0]].props
        assert past.relationships[TWINS[1]].props == {"role": ROLE}
    finally:
        await reopened.close()


async def test_every_history_table_is_append_only(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    store = EmbeddedStore(path)
    await store.open()
    await store.apply([node(CSO_KIND, "cso-1", "One")])
    await store.apply([node(CSO_KIND, "cso-1", "Uno")])
    await store.set_need_weights({(WeightScope.REGION, "Africa"): 2.0})
    await store.close()
    db = sqlite3.connect(path)
    try:
        for table in ("change_sets", "record_batches", "node_records", "record_keys"):
            (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert count > 0
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(f"DELETE FROM {table}")
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(f"UPDATE {table} SET revision = revision")
    finally:
        db.close()
