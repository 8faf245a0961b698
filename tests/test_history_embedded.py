"""The embedded store's history across files made before it and writers without it.

A file written by a build without history starts its history at the revision it holds when
first opened; a node that existed then and is updated later keeps its earlier value as a
version, before and after reopening; and a revision written later by such a build (no change
set) restarts history there, so ``knownAt`` never rewinds across it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.history import HistoryUnavailable
from graph.store import NodeWrite

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
