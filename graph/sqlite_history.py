"""The embedded store's change sets: SQL over the history tables (graph/embedded.py creates
them; graph/history.py says what they mean).

Writes go through the writer's connection, inside the write's own transaction, so a change
set commits or rolls back with its write. Reads open their own read-only connection: the
writer's connection may be inside a transaction that has not committed, whose rows a read on
it would see.

**Layout.** A bulk write's change set is as large as the write, so what history costs per
record decides what it costs (``bench/history.py``): a row and an index entry per record made
bulk imports 1.4x the same write without history. So, like the Neo4j store's ``RecordBatch``
and ``RecordKey`` (docs/NEO4J.md, *History*), records are stored in batches and found by id
through a few keys per change set; node records, which every write that updates a node and
every opening of the store look up, also through an index of their own:

- ``change_sets``: one row per revision (who, when, how many records).
- ``record_batches``: the records of a change set in order, as UTF-8 JSON (a BLOB: no text
  copy to make) of ``[entity, id, kind, before, after, valid_from]`` arrays, the fields of
  :class:`graph.history.RecordChange`. A node or relationship value is what orjson makes of
  the dataclass (the fields of :func:`graph.history.encode_value` and the id), a need weight
  a number: a batch is encoded in one call, with no dict built per record. A batch holds
  records of one entity, ``NODES_PER_BATCH`` node records or ``RECORDS_PER_BATCH`` others. A
  record's ``seq`` (1-based, its position in the change set) is ``first`` plus its index in
  the batch. The first batch's ``kinds`` lists every kind and type the change set touched
  (the ``kinds`` filter). A rowid table: its large rows leave less of their overflow pages
  empty than a ``WITHOUT ROWID`` table's (7 MB less of the benchmark's 81 MB file).
- ``node_records``: where each node record is (id, revision, seq), and whether it has a
  ``before`` (``updated``: only updated nodes have versions, so opening the store reads the
  records of those alone). Nodes are a small part of a bulk write (23,200 of its 184,543
  records in the benchmark), so this index costs little there.
- ``record_keys``: where every other record (relationships, need weights) is, in ``(bucket,
  revision)`` rows whose ``entries`` hold ``crc32(id) << 32 | seq`` as little-endian 64-bit
  integers. A change set spreads those ids over ``level(count)`` buckets, bucket ``level +
  crc32(id) % level`` (unique across levels, as in a heap's numbering): a small change set
  keys each id on its own (the exact level, 2**32: the bucket is the crc32), a large one
  spreads them over 1,024 keys, so a 50,000-record import writes 1,024 keys, not 50,000. A
  lookup reads the one bucket of each of the ``LEVELS``, keeps the entries with the id's crc32
  and checks the records they point at (two ids can share a crc32).

Files written before this layout hold one ``record_changes`` row per record; :func:`migrate`
moves them into these tables when the store opens (their values keep the form of
``encode_value``, which reading takes as well).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import sys
import zlib
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
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
    from_utc_text,
    utc_text,
)
from graph.model import Node, Relationship

#: Records a ``record_batches`` row holds at most: rows of several kilobytes, as a row per
#: record was most of history's cost. A lookup by id has SQLite parse a batch to extract the
#: one record it wants, and a write that updates a node looks its last version up
#: (graph/embedded.py), so node records are batched fewer at a time (a few kilobytes).
#: Reads find a record's batch by ``first``: both may change without rewriting batches.
RECORDS_PER_BATCH = 100
NODES_PER_BATCH = 8
#: Change sets keying at most this many records key each id on its own (the exact level: the
#: bucket is the id's crc32), so a lookup by id reads only the keys of its crc32 among them;
#: larger ones spread their ids over ``COARSE_LEVEL`` keys, and a lookup reads the key of its
#: bucket in each of them (tens of entries; a million-record change set puts about 1,000 ids,
#: 8 KB, in a key).
SMALL_CHANGE_SET = 1024
COARSE_LEVEL = 1 << 10
EXACT_LEVEL = 1 << 32
#: Every level a lookup tries, one bucket (one B-tree probe) each, so few. Stored data depends
#: on the level rule only through the buckets it chose: ``level`` may change, and levels may
#: be added (lookups must then try them too), never taken away.
LEVELS = (COARSE_LEVEL, EXACT_LEVEL)
#: A lookup of more ids than this reads every key or node record (a bulk re-import's node
#: versions) rather than those of each id (a query per id).
_FEW_IDS = 1000
_LOW32 = 0xFFFFFFFF
_SWAP = sys.byteorder != "little"
_SORTED = orjson.OPT_SORT_KEYS

_INSERT_SET = (
    "INSERT INTO change_sets(revision, at, author, role, via, key_id, size) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_BATCH = "INSERT INTO record_batches(revision, first, kinds, records) VALUES (?, ?, ?, ?)"
_INSERT_NODE = "INSERT INTO node_records(id, revision, seq, updated) VALUES (?, ?, ?, ?)"
_INSERT_KEY = "INSERT INTO record_keys(bucket, revision, entries) VALUES (?, ?, ?)"
_SET_COLUMNS = "revision, at, author, role, via, key_id, size"
#: The keys of one bucket of each level (``UNION ALL`` of equalities: half the time of ``IN``).
_KEYS_OF = " UNION ALL ".join(
    "SELECT revision, entries FROM record_keys WHERE bucket = ? AND revision > ?" for _ in LEVELS
)
_BATCH_OF = (
    "SELECT first, records FROM record_batches WHERE revision = ? AND first <= ? "
    "ORDER BY first DESC LIMIT 1"
)
#: One record, extracted by SQLite from its batch (not parsed into Python with the others).
_RECORD_AT = (
    "SELECT json_extract(CAST(b.records AS TEXT), '$[' || (:seq - b.first) || ']') "
    "FROM record_batches b WHERE b.revision = :revision AND b.first <= :seq "
    "ORDER BY b.first DESC LIMIT 1"
)
#: A node's newest record, in one statement: a write that updates a node asks for it.
_NEWEST_NODE_RECORD = (
    "SELECT n.revision, "
    + _RECORD_AT.replace(":seq", "n.seq").replace(":revision", "n.revision").join("()")
    + " FROM node_records n WHERE n.id = ? ORDER BY n.revision DESC, n.seq DESC LIMIT 1"
)


def level(records: int) -> int:
    """The key level of a change set keying ``records`` records (see the module)."""
    return EXACT_LEVEL if records <= SMALL_CHANGE_SET else COARSE_LEVEL


def _crc(record_id: str) -> int:
    return zlib.crc32(record_id.encode())


def _entries(blob: bytes) -> array[int]:
    out = array("Q", blob)
    if _SWAP:
        out.byteswap()
    return out


def _blob(entries: list[int]) -> bytes:
    out = array("Q", entries)
    if _SWAP:
        out.byteswap()
    return out.tobytes()


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
    _store(db, revision, changes)


def _default(value: object) -> object:
    """What orjson does not encode itself: a record (a named tuple) as its fields, and
    properties held in another mapping than a dict."""
    if type(value) is RecordChange:
        return tuple(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not stored in history")


def _store(db: sqlite3.Connection, revision: int, records: Sequence[Sequence[Any]]) -> None:
    """The batches, node records and keys of one change set (after its ``change_sets`` row).
    ``records`` are :class:`RecordChange` s, or rows in their order with values as stored."""
    entities = [r[0] for r in records]
    kinds: str | None = orjson.dumps(sorted({r[2] for r in records})).decode()
    batches, nodes = [], []
    keyed_ids: list[str] = []
    keyed_seqs: list[int] = []
    start, count = 0, len(records)
    while start < count:
        entity = entities[start]
        is_node = entity == "NODE"
        end = min(start + (NODES_PER_BATCH if is_node else RECORDS_PER_BATCH), count)
        if entities[end - 1] != entity:  # another entity starts inside
            end = next(i for i in range(start, end) if entities[i] != entity)
        part = records[start:end]
        batches.append((revision, start + 1, kinds, orjson.dumps(part, _default, _SORTED)))
        if is_node:
            nodes += [
                (r[1], revision, seq, r[3] is not None) for seq, r in enumerate(part, start + 1)
            ]
        else:
            keyed_ids += [r[1] for r in part]
            keyed_seqs += range(start + 1, end + 1)
        start, kinds = end, None
    db.executemany(_INSERT_BATCH, batches)
    if nodes:
        db.executemany(_INSERT_NODE, nodes)
    if keyed_ids:
        lv = level(len(keyed_ids))
        keys: defaultdict[int, list[int]] = defaultdict(list)
        for seq, crc in zip(keyed_seqs, map(zlib.crc32, map(str.encode, keyed_ids)), strict=True):
            keys[lv + crc % lv].append(crc << 32 | seq)
        db.executemany(_INSERT_KEY, [(b, revision, _blob(keys[b])) for b in sorted(keys)])


def migrate(db: sqlite3.Connection) -> None:
    """Move the records of a file written before batches (``record_changes``, one row per
    record) into the tables of this layout, in one transaction, then drop the old table (and
    its index and triggers with it; later writes reuse its pages, the file does not shrink). A
    file an older build wrote to again after this has a new ``record_changes`` of the
    revisions since, which the next open moves the same way."""
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'record_changes'"
    ).fetchone()
    if found is None:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        rows = db.execute(
            "SELECT revision, entity, id, kind, valid_from, before, after FROM record_changes "
            "ORDER BY revision, seq"
        )
        for revision, group in itertools.groupby(rows, key=lambda row: int(row[0])):
            _store(
                db,
                revision,
                [
                    (entity, record_id, kind, _fragment(before), _fragment(after), valid_from)
                    for _, entity, record_id, kind, valid_from, before, after in group
                ],
            )
        db.execute("DROP TABLE record_changes")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _fragment(text: str | None) -> orjson.Fragment | None:
    """Stored JSON put into a batch as it is, not parsed and encoded again."""
    return None if text is None else orjson.Fragment(text)


# --------------------------------------------------------------------------- reading


def _value(entity: Entity, record_id: str, data: Any) -> Node | Relationship | float | None:
    if data is None or type(data) is dict:
        return decode_value(entity, record_id, data)
    return float(data)  # a need weight


def _change(rec: Sequence[Any]) -> RecordChange:
    entity, record_id, kind, before, after, valid_from = rec
    ent = Entity(entity)
    return RecordChange(
        ent,
        record_id,
        kind,
        _value(ent, record_id, before),
        _value(ent, record_id, after),
        valid_from,
    )


def _node_locations(
    db: sqlite3.Connection, ids: Collection[str], after_revision: int = -1
) -> dict[int, list[int]]:
    """The revisions and seqs of the node records of ``ids`` after ``after_revision``."""
    out: dict[int, list[int]] = {}
    if len(ids) > _FEW_IDS:
        rows: Iterable[tuple[str, int, int]] = db.execute(
            "SELECT id, revision, seq FROM node_records WHERE revision > ?", (after_revision,)
        )
        for record_id, revision, seq in rows:
            if record_id in ids:
                out.setdefault(revision, []).append(seq)
        return out
    for record_id in ids:
        for revision, seq in db.execute(
            "SELECT revision, seq FROM node_records WHERE id = ? AND revision > ?",
            (record_id, after_revision),
        ):
            out.setdefault(revision, []).append(seq)
    return out


def _keyed_locations(
    db: sqlite3.Connection, ids: Collection[str], after_revision: int = -1
) -> dict[int, list[int]]:
    """The revisions and seqs where a keyed record (not a node's) of one of ``ids`` may be,
    after ``after_revision``: every one that is, and rarely one of an id sharing a crc32."""
    crcs = {_crc(i) for i in ids}
    out: dict[int, list[int]] = {}
    if len(crcs) > _FEW_IDS:
        for revision, blob in db.execute(
            "SELECT revision, entries FROM record_keys WHERE revision > ?", (after_revision,)
        ):
            for entry in _entries(blob):
                if entry >> 32 in crcs:
                    out.setdefault(revision, []).append(entry & _LOW32)
        return out
    for crc in crcs:
        # A few crcs: each searched for as bytes (an entry's high half), not by decoding
        # every entry of the keys read.
        mark = crc.to_bytes(4, "little")
        args = [arg for lv in LEVELS for arg in (lv + crc % lv, after_revision)]
        for revision, blob in db.execute(_KEYS_OF, args):
            at = blob.find(mark)
            while at >= 0:
                if at % 8 == 4:
                    out.setdefault(revision, []).append(int.from_bytes(blob[at - 4 : at], "little"))
                at = blob.find(mark, at + 1)
    return out


def _candidates(
    db: sqlite3.Connection, ids: Collection[str], after_revision: int = -1
) -> dict[int, list[int]]:
    """Where a record of one of ``ids`` may be: revisions ascending, each with its seqs
    ascending."""
    found = _node_locations(db, ids, after_revision)
    for revision, seqs in _keyed_locations(db, ids, after_revision).items():
        found.setdefault(revision, []).extend(seqs)
    return {rev: sorted(set(seqs)) for rev, seqs in sorted(found.items())}


def _pick(
    db: sqlite3.Connection, revision: int, seqs: Sequence[int], ids: Collection[str] | None
) -> list[tuple[int, RecordChange]]:
    """The records at ``seqs`` (ascending) of a change set that are of one of ``ids`` (of
    any id: ``None``). One record is extracted by SQLite, not parsed with its batch."""
    if len(seqs) == 1:
        (seq,) = seqs
        row = db.execute(_RECORD_AT, {"seq": seq, "revision": revision}).fetchone()
        if row is None or row[0] is None:
            return []
        rec = orjson.loads(row[0])
        return [(seq, _change(rec))] if ids is None or rec[1] in ids else []
    out: list[tuple[int, RecordChange]] = []
    first, batch = 0, list[Any]()
    for seq in seqs:
        if not first <= seq < first + len(batch):
            row = db.execute(_BATCH_OF, (revision, seq)).fetchone()
            if row is None:
                continue
            first, batch = row[0], orjson.loads(row[1])
            if seq >= first + len(batch):
                continue
        rec = batch[seq - first]
        if ids is None or rec[1] in ids:
            out.append((seq, _change(rec)))
    return out


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
    before ``history_from`` (history restarted after a gap) are not read. Only a node that
    was updated has versions, so only the records of those are read."""
    updated = {
        node_id
        for (node_id,) in db.execute(
            "SELECT id FROM node_records WHERE updated = 1 AND revision > ?", (history_from,)
        )
    }
    found: dict[str, list[tuple[int, RecordChange]]] = {}
    for revision, seqs in sorted(_node_locations(db, updated, history_from).items()):
        for _, c in _pick(db, revision, sorted(seqs), updated):
            found.setdefault(c.id, []).append((revision, c))
    out: dict[str, list[NodeVersion]] = {}
    for node_id in sorted(found):
        records = found[node_id]
        first_rev, first = records[0]
        listed: list[NodeVersion] = []
        if isinstance(first.before, Node):  # it existed before history began
            listed.append(NodeVersion("", first_rev - 1, first.before))
        for revision, c in records:
            assert isinstance(c.after, Node)
            listed.append(NodeVersion(c.valid_from or "", revision, c.after))
        if len(listed) > 1:
            out[node_id] = listed
    return out


def latest_versions(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, NodeVersion]:
    """The newest recorded version of each node in ``ids`` (none for a node whose history
    began before history did)."""
    out: dict[str, NodeVersion] = {}
    for node_id in ids:
        row = db.execute(_NEWEST_NODE_RECORD, (node_id,)).fetchone()
        if row is not None and row[1] is not None:
            c = _change(orjson.loads(row[1]))
            assert isinstance(c.after, Node)
            out[node_id] = NodeVersion(c.valid_from or "", row[0], c.after)
    return out


def reader(path: Path) -> sqlite3.Connection:
    """A read-only connection of its own (see the module)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    db.execute("PRAGMA query_only=ON")
    return db


def _where(flt: ChangeFilter, upto: int, revisions: Sequence[int] | None) -> tuple[str, list[Any]]:
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
    if revisions is not None:
        clauses.append("cs.revision IN (SELECT value FROM json_each(?))")
        args.append(orjson.dumps(list(revisions)).decode())
    if flt.kinds is not None:
        marks = ", ".join("?" for _ in flt.kinds)
        clauses.append(
            "EXISTS (SELECT 1 FROM record_batches rb, json_each(rb.kinds) k "
            f"WHERE rb.revision = cs.revision AND rb.first = 1 AND k.value IN ({marks}))"
        )
        args.extend(sorted(flt.kinds))
    return " AND ".join(clauses), args


def _change_set(row: Sequence[Any], changes: tuple[RecordChange, ...] = ()) -> ChangeSet:
    rev, at, name, role, via, key_id, size = row
    return ChangeSet(rev, from_utc_text(at), Author(name, role, via, key_id), size, changes)


def change_sets(
    db: sqlite3.Connection,
    flt: ChangeFilter,
    first: int,
    after: int | None,
    newest_first: bool,
    upto: int,
) -> ChangePage:
    """A page of change sets at or below revision ``upto`` (what this process has
    published: a write may have committed and not be published yet). With a node filter,
    the keys name the change sets that may hold the id, and each is checked against its
    records, in page order, until the page is full."""
    candidates = None if flt.node is None else _candidates(db, [flt.node])
    if candidates is not None and not candidates:
        return ChangePage([], False)
    where, args = _where(flt, upto, None if candidates is None else list(candidates))
    if after is not None:
        where += " AND cs.revision " + ("< ?" if newest_first else "> ?")
        args.append(after)
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT {_SET_COLUMNS} FROM change_sets cs WHERE {where} ORDER BY cs.revision {order}"
    if candidates is None:
        rows = db.execute(f"{sql} LIMIT ?", [*args, first + 1]).fetchall()
        return ChangePage([_change_set(row) for row in rows[:first]], len(rows) > first)
    assert flt.node is not None
    ids = {flt.node}
    items: list[ChangeSet] = []
    for row in db.execute(sql, args):
        records = _pick(db, row[0], candidates[row[0]], ids)
        if not records:
            continue  # another id with the same crc32
        if len(items) == first:
            return ChangePage(items, True)
        items.append(_change_set(row, tuple(c for _, c in records)))
    return ChangePage(items, False)


def change_records(
    db: sqlite3.Connection, revision: int, first: int, after: int
) -> list[tuple[int, RecordChange]]:
    out: list[tuple[int, RecordChange]] = []
    if first <= 0:
        return out
    rows = db.execute(
        "SELECT first, records FROM record_batches WHERE revision = ? AND first >= coalesce("
        "(SELECT max(first) FROM record_batches WHERE revision = ? AND first <= ?), 1) "
        "ORDER BY first",
        (revision, revision, after + 1),
    )
    for start, text in rows:
        for seq, rec in enumerate(orjson.loads(text), start=start):
            if seq > after:
                out.append((seq, _change(rec)))
                if len(out) == first:
                    return out
    return out


def later(db: sqlite3.Connection, revision: int, upto: int) -> Iterator[ChangeSet]:
    """Every change set after ``revision`` up to ``upto``, each with all its records."""
    sets = db.execute(
        f"SELECT {_SET_COLUMNS} FROM change_sets "
        "WHERE revision > ? AND revision <= ? ORDER BY revision",
        (revision, upto),
    ).fetchall()
    for row in sets:
        batches = db.execute(
            "SELECT records FROM record_batches WHERE revision = ? ORDER BY first", (row[0],)
        )
        yield _change_set(
            row, tuple(_change(rec) for (text,) in batches for rec in orjson.loads(text))
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
