"""The embedded store's change sets: SQL over the ``change_sets`` and ``record_changes``
tables (graph/embedded.py creates them; graph/history.py says what they mean).

Writes go through the writer's connection, inside the write's own transaction, so a change
set commits or rolls back with its write. Reads open their own read-only connection: the
writer's connection may be inside a transaction that has not committed, whose rows a read on
it would see.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from graph.history import (
    Author,
    ChangeFilter,
    ChangePage,
    ChangeSet,
    Entity,
    NodeVersion,
    RecordChange,
    decode_value,
    encode_value,
    from_utc_text,
    utc_text,
)
from graph.model import Node

_INSERT_SET = (
    "INSERT INTO change_sets(revision, at, author, role, via, key_id, size) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_RECORD = (
    "INSERT INTO record_changes(revision, seq, entity, id, kind, valid_from, before, after) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_RECORD_COLUMNS = "seq, entity, id, kind, valid_from, before, after"


def _json(value: Any) -> str | None:
    data = encode_value(value)
    return None if data is None else orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()


def insert(
    db: sqlite3.Connection,
    revision: int,
    at: dt.datetime,
    author: Author,
    changes: Sequence[RecordChange],
) -> None:
    """Store one change set; the caller's transaction commits it with the write."""
    db.execute(
        _INSERT_SET,
        (revision, utc_text(at), author.name, author.role, author.via, author.key_id, len(changes)),
    )
    db.executemany(
        _INSERT_RECORD,
        (
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
        ),
    )


def _record(row: Sequence[Any]) -> tuple[int, RecordChange]:
    seq, entity, record_id, kind, valid_from, before, after = row
    ent = Entity(entity)
    return seq, RecordChange(
        ent,
        record_id,
        kind,
        decode_value(ent, record_id, None if before is None else orjson.loads(before)),
        decode_value(ent, record_id, None if after is None else orjson.loads(after)),
        valid_from,
    )


def history_from(db: sqlite3.Connection, revision: int) -> int:
    """The first revision history can reproduce. If the file holds a revision no change set
    was stored for (written by a build of partnernet without history), history restarts
    there: a rewind across that write would be wrong."""
    (value,) = db.execute("SELECT value FROM meta WHERE key='history_from'").fetchone()
    (latest,) = db.execute("SELECT max(revision) FROM change_sets").fetchone()
    start = int(value)
    if revision > max(start, latest or 0):
        db.execute("UPDATE meta SET value=? WHERE key='history_from'", (str(revision),))
        return revision
    return start


def load_versions(db: sqlite3.Connection, history_from: int) -> dict[str, list[NodeVersion]]:
    """Versions of every node with more than one known value (graph.history.Versions): each
    value it was written with and, for a node that existed before history began, the value
    before its first recorded change (valid always, known until that change). Records at or
    before ``history_from`` (history restarted after a gap) are not read."""
    rows = db.execute(
        "SELECT id, revision, valid_from, before, after FROM record_changes "
        "WHERE entity = 'NODE' AND revision > ? AND id IN (SELECT id FROM record_changes "
        "WHERE entity = 'NODE' AND revision > ? GROUP BY id "
        "HAVING count(*) > 1 OR sum(before IS NOT NULL) > 0) ORDER BY id, revision",
        (history_from, history_from),
    )
    out: dict[str, list[NodeVersion]] = {}
    for node_id, revision, valid_from, before, after in rows:
        listed = out.get(node_id)
        if listed is None:
            listed = out[node_id] = []
            if before is not None:  # it existed before history began
                first = decode_value(Entity.NODE, node_id, orjson.loads(before))
                assert isinstance(first, Node)
                listed.append(NodeVersion("", revision - 1, first))
        node = decode_value(Entity.NODE, node_id, orjson.loads(after))
        assert isinstance(node, Node)
        listed.append(NodeVersion(valid_from or "", revision, node))
    return {k: v for k, v in out.items() if len(v) > 1}


def latest_versions(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, NodeVersion]:
    """The newest recorded version of each node in ``ids`` (none for a node whose history
    began before history did)."""
    out: dict[str, NodeVersion] = {}
    for node_id in ids:
        row = db.execute(
            "SELECT revision, valid_from, after FROM record_changes "
            "WHERE id = ? AND entity = 'NODE' ORDER BY revision DESC LIMIT 1",
            (node_id,),
        ).fetchone()
        if row is not None:
            node = decode_value(Entity.NODE, node_id, orjson.loads(row[2]))
            assert isinstance(node, Node)
            out[node_id] = NodeVersion(row[1] or "", row[0], node)
    return out


def reader(path: Path) -> sqlite3.Connection:
    """A read-only connection of its own (see the module)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    db.execute("PRAGMA query_only=ON")
    return db


def _where(flt: ChangeFilter, upto: int) -> tuple[str, list[Any]]:
    clauses: list[str] = ["cs.revision <= ?"]
    args: list[Any] = [upto]
    if flt.from_revision is not None:
        clauses.append("cs.revision >= ?")
        args.append(flt.from_revision)
    if flt.to_revision is not None:
        clauses.append("cs.revision <= ?")
        args.append(flt.to_revision)
    if flt.since is not None:
        clauses.append("cs.at >= ?")
        args.append(utc_text(flt.since))
    if flt.until is not None:
        clauses.append("cs.at <= ?")
        args.append(utc_text(flt.until))
    if flt.author is not None:
        clauses.append("cs.author = ?")
        args.append(flt.author)
    if flt.key_id is not None:
        clauses.append("cs.key_id = ?")
        args.append(flt.key_id)
    if flt.node is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM record_changes rc WHERE rc.id = ? AND rc.revision = cs.revision)"
        )
        args.append(flt.node)
    if flt.kinds is not None:
        marks = ", ".join("?" for _ in flt.kinds)
        clauses.append(
            "EXISTS (SELECT 1 FROM record_changes rc WHERE rc.revision = cs.revision "
            f"AND rc.kind IN ({marks}))"
        )
        args.extend(sorted(flt.kinds))
    return " AND ".join(clauses), args


def change_sets(
    db: sqlite3.Connection,
    flt: ChangeFilter,
    first: int,
    after: int | None,
    newest_first: bool,
    upto: int,
) -> ChangePage:
    """A page of change sets at or below revision ``upto`` (what this process has
    published: a write may have committed and not be published yet)."""
    where, args = _where(flt, upto)
    if after is not None:
        where += " AND cs.revision " + ("< ?" if newest_first else "> ?")
        args.append(after)
    order = "DESC" if newest_first else "ASC"
    rows = db.execute(
        "SELECT cs.revision, cs.at, cs.author, cs.role, cs.via, cs.key_id, cs.size "
        f"FROM change_sets cs WHERE {where} ORDER BY cs.revision {order} LIMIT ?",
        [*args, first + 1],
    ).fetchall()
    items = [
        ChangeSet(rev, from_utc_text(at), Author(name, role, via, key_id), size)
        for rev, at, name, role, via, key_id, size in rows[:first]
    ]
    if flt.node is not None:
        items = [
            ChangeSet(
                cs.revision,
                cs.at,
                cs.author,
                cs.size,
                tuple(
                    c
                    for _, c in map(
                        _record,
                        db.execute(
                            f"SELECT {_RECORD_COLUMNS} FROM record_changes "
                            "WHERE revision = ? AND id = ? ORDER BY seq",
                            (cs.revision, flt.node),
                        ),
                    )
                ),
            )
            for cs in items
        ]
    return ChangePage(items, len(rows) > first)


def change_records(
    db: sqlite3.Connection, revision: int, first: int, after: int
) -> list[tuple[int, RecordChange]]:
    rows = db.execute(
        f"SELECT {_RECORD_COLUMNS} FROM record_changes WHERE revision = ? AND seq > ? "
        "ORDER BY seq LIMIT ?",
        (revision, after, first),
    )
    return [_record(row) for row in rows]


def later(db: sqlite3.Connection, revision: int, upto: int) -> Iterator[ChangeSet]:
    """Every change set after ``revision`` up to ``upto``, each with all its records."""
    sets = db.execute(
        "SELECT revision, at, author, role, via, key_id, size FROM change_sets "
        "WHERE revision > ? AND revision <= ? ORDER BY revision",
        (revision, upto),
    ).fetchall()
    for rev, at, name, role, via, key_id, size in sets:
        records = db.execute(
            f"SELECT {_RECORD_COLUMNS} FROM record_changes WHERE revision = ? ORDER BY seq",
            (rev,),
        )
        yield ChangeSet(
            rev,
            from_utc_text(at),
            Author(name, role, via, key_id),
            size,
            tuple(c for _, c in map(_record, records)),
        )


def revision_at(db: sqlite3.Connection, at: dt.datetime, upto: int) -> int | None:
    row = db.execute(
        "SELECT max(revision) FROM change_sets WHERE at <= ? AND revision <= ?",
        (utc_text(at), upto),
    ).fetchone()
    return None if row[0] is None else int(row[0])


def committed_at(db: sqlite3.Connection, revision: int) -> dt.datetime | None:
    row = db.execute("SELECT at FROM change_sets WHERE revision = ?", (revision,)).fetchone()
    return None if row is None else from_utc_text(row[0])
