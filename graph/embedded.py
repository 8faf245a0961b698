"""The zero-setup store: SQLite (WAL, ``synchronous=FULL``) as the system of record, with an
in-memory :class:`graph.memory.MemoryGraph` kept in step for reads and analytics.

Writes are planned and validated first, then committed to SQLite in one transaction, and only
after the commit succeeds is the in-memory graph updated, so a failed write leaves both halves
as they were. SQLite work runs in a worker thread so the event loop keeps serving reads.

One process owns the file: :meth:`EmbeddedStore.open` takes the exclusive lock of
:mod:`graph.writer_lock` (``<db>.lock``) and ``close`` gives it back, so a second process, or
a second handle in this one, is refused with :class:`graph.errors.StoreInUse` naming the
holder. Revisions never repeat; see :meth:`EmbeddedStore._begin` and
:meth:`EmbeddedStore._commit_then_publish` for the two guards behind that.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from graph import keys
from graph import sqlite_history as history_sql
from graph.bulk import paused_gc
from graph.changes import Plan, plan_changes
from graph.errors import StoreInUse, StoreUnavailable
from graph.history import (
    SYSTEM,
    Author,
    ChangeFilter,
    ChangePage,
    NodeVersion,
    PastRecords,
    RecordChange,
    Versions,
    add_versions,
    check_known_at,
    record_changes,
    rewind_graph,
    weight_changes,
)
from graph.integrity import check_results_chain
from graph.keys import ApiKey
from graph.memory import MemoryGraph
from graph.memory_reads import MemoryReads
from graph.model import Node, NodeKind, Relationship, RelType, WeightScope
from graph.snapshot import SnapshotCache, delta_of
from graph.store import (
    ApplyResult,
    Change,
)
from graph.weights import validate_weights
from graph.writer_lock import WriterLock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    props TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relationships (
    id    TEXT PRIMARY KEY,
    type  TEXT NOT NULL,
    start TEXT NOT NULL REFERENCES nodes(id),
    "end" TEXT NOT NULL REFERENCES nodes(id),
    props TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS need_weights (
    scope  TEXT NOT NULL,
    key    TEXT NOT NULL,
    weight REAL NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES ('revision', '0');
-- API keys (graph/keys.py): not graph data, no revision. IF NOT EXISTS doubles as the
-- migration of files made before keys existed. Names are unique among active keys only.
CREATE TABLE IF NOT EXISTS api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_active_name ON api_keys(name)
    WHERE revoked_at IS NULL;
-- History (graph/history.py; the layout is explained in graph/sqlite_history.py): one change
-- set per revision, its records in batches, where each node record is, keys to find the others.
-- Append-only: the triggers refuse any UPDATE or DELETE. A file made before history existed
-- starts its history at the revision it had then ('history_from'); one made before batches
-- has a 'record_changes' table, which sqlite_history.migrate moves into these on open.
INSERT OR IGNORE INTO meta(key, value) SELECT 'history_from', value FROM meta
    WHERE key='revision';
CREATE TABLE IF NOT EXISTS change_sets (
    revision INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    author   TEXT NOT NULL,
    role     TEXT NOT NULL,
    via      TEXT NOT NULL,
    key_id   TEXT,
    size     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS record_batches (
    revision INTEGER NOT NULL REFERENCES change_sets(revision),
    first    INTEGER NOT NULL,
    kinds    TEXT,
    records  BLOB NOT NULL,
    PRIMARY KEY (revision, first)
);
CREATE TABLE IF NOT EXISTS node_records (
    id       TEXT NOT NULL,
    revision INTEGER NOT NULL REFERENCES change_sets(revision),
    seq      INTEGER NOT NULL,
    updated  INTEGER NOT NULL,
    PRIMARY KEY (id, revision, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS record_keys (
    bucket   INTEGER NOT NULL,
    revision INTEGER NOT NULL REFERENCES change_sets(revision),
    entries  BLOB NOT NULL,
    PRIMARY KEY (bucket, revision)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS change_sets_at ON change_sets(at);
CREATE TRIGGER IF NOT EXISTS change_sets_append_only_u BEFORE UPDATE ON change_sets
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS change_sets_append_only_d BEFORE DELETE ON change_sets
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_batches_append_only_u BEFORE UPDATE ON record_batches
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_batches_append_only_d BEFORE DELETE ON record_batches
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS node_records_append_only_u BEFORE UPDATE ON node_records
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS node_records_append_only_d BEFORE DELETE ON node_records
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_keys_append_only_u BEFORE UPDATE ON record_keys
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS record_keys_append_only_d BEFORE DELETE ON record_keys
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
"""

_SHARED_MAX = 16
"""Longest property string shared between records on load: dates, roles, codes."""


_T = TypeVar("_T")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _dumps(props: object) -> str:
    """Properties as stored: compact JSON, keys sorted (orjson: a fifth of the standard
    library's time, which a bulk write and its change set both pay)."""
    return orjson.dumps(props, option=orjson.OPT_SORT_KEYS).decode()


def _read_graph(db: sqlite3.Connection) -> MemoryGraph:
    """Every node and relationship of the file, in one pass over each table.

    This is the whole of a start's cost, so it stays close to the floor of reading the rows
    and parsing their JSON (``bench/startup.py`` prints the ratio): the JSON is parsed by
    orjson (four times the standard library's speed), kinds and types are looked up in a dict
    rather than through the enums' constructors, and the short strings that
    repeat across hundreds of thousands of records (ids as relationship ends, dates, roles) are
    shared rather than held once per record, which is most of the resident memory saved.

    Relationships' properties repeat whole: the 163,537 relationships of the 20,000-actor
    synthetic graph have 660 distinct sets (a role and a start date, or nothing). Each
    distinct text is parsed once and its dict shared by every relationship that has it, and
    the snapshot shares it on (graph/snapshot.py). Records are never changed in place (a
    write replaces a record), so sharing is safe.
    """
    mem = MemoryGraph()
    kinds = {k.value: k for k in NodeKind}
    types = {t.value: t for t in RelType}
    shared: dict[str, str] = {}

    def share(props: dict[str, object]) -> dict[str, object]:
        for key, value in props.items():
            if type(value) is str and len(value) <= _SHARED_MAX:
                props[key] = shared.setdefault(value, value)
        return props

    for node_id, kind, props in db.execute("SELECT id, kind, props FROM nodes"):
        node_id = shared.setdefault(node_id, node_id)
        mem.put_node(Node(node_id, kinds[kind], share(orjson.loads(props))))
    parsed: dict[str, dict[str, object]] = {}
    for rel_id, rel_type, start, end, props in db.execute(
        'SELECT id, type, start, "end", props FROM relationships'
    ):
        values = parsed.get(props)
        if values is None:
            values = parsed[props] = share(orjson.loads(props))
        mem.put_relationship(
            Relationship(
                rel_id, types[rel_type], shared.get(start, start), shared.get(end, end), values
            )
        )
    return mem


class EmbeddedStore(MemoryReads):
    """``GraphStore`` over one SQLite file; one open handle (so one process) owns the file at a
    time, enforced by a lock taken in :meth:`open` and released in :meth:`close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = WriterLock(self.path)
        self._db: sqlite3.Connection | None = None
        self._mem = MemoryGraph()
        self._revision = 0
        self._weights: dict[tuple[WeightScope, str], float] = {}
        self._keys: dict[str, ApiKey] = {}
        self._versions: dict[str, list[NodeVersion]] = {}
        self._history_from = 0
        self._write_lock = asyncio.Lock()
        self._snapshots = SnapshotCache()
        self.attached: dict[object, Any] = {}

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        await asyncio.to_thread(self._open_sync)

    def _open_sync(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock.acquire()  # before SQLite touches the file; raises StoreInUse if taken
        try:
            self._load()
        except BaseException:
            if self._db is None:
                self._lock.release()
            raise

    def _load(self) -> None:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(_SCHEMA)
            history_sql.migrate(db)
        except sqlite3.Error as err:
            raise StoreUnavailable(
                f"cannot open embedded store: {err}", where=str(self.path)
            ) from None
        with paused_gc(freeze=True):
            mem = _read_graph(db)
        (rev,) = db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        weights = {
            (WeightScope(scope), key): weight
            for scope, key, weight in db.execute("SELECT scope, key, weight FROM need_weights")
        }
        api_keys = {
            row[0]: keys.from_row(*row)
            for row in db.execute(
                "SELECT id, name, role, hash, created_at, revoked_at FROM api_keys"
            )
        }
        self._db, self._mem, self._revision, self._weights = db, mem, int(rev), weights
        self._keys = api_keys
        self._history_from = history_sql.history_from(db, int(rev))
        self._versions = history_sql.load_versions(db, self._history_from)

    async def close(self) -> None:
        self.attached.clear()
        db, self._db = self._db, None
        if db is not None:
            await asyncio.to_thread(db.close)
        self._lock.release()

    async def ping(self) -> None:
        if self._db is None:
            raise StoreUnavailable("embedded store is not open", where=str(self.path))

    # ------------------------------------------------------------------ reads

    async def revision(self) -> int:
        return self._revision

    def _node_versions(self) -> Versions:
        return self._versions

    async def need_weights(self) -> dict[tuple[WeightScope, str], float]:
        return dict(self._weights)

    async def set_need_weights(
        self,
        weights: Mapping[tuple[WeightScope, str], float],
        *,
        replace: bool = False,
        author: Author = SYSTEM,
    ) -> int:
        clean = validate_weights(weights)
        async with self._write_lock:
            merged = clean if replace else {**self._weights, **clean}
            if merged == self._weights:
                return self._revision
            revision = self._revision + 1
            changes = weight_changes(self._weights, merged)

            def commit() -> None:
                with self._transaction(revision) as db:
                    db.execute("DELETE FROM need_weights")
                    db.executemany(
                        "INSERT INTO need_weights(scope, key, weight) VALUES (?, ?, ?)",
                        ((scope.value, key, w) for (scope, key), w in sorted(merged.items())),
                    )
                    history_sql.insert(db, revision, _now(), author, changes)

            def publish() -> None:
                self._weights, self._revision = merged, revision
                self._snapshots.record(delta_of(None, revision))

            await self._commit_then_publish(commit, publish)
            return revision

    # ------------------------------------------------------------------ writes

    async def apply(
        self,
        changes: Sequence[Change],
        *,
        progress: Callable[[int], None] | None = None,
        author: Author = SYSTEM,
    ) -> ApplyResult:
        async with self._write_lock:
            if self._db is None:
                raise StoreUnavailable("embedded store is not open", where=str(self.path))
            plan = await plan_changes(changes, self.get_nodes, self.get_relationships)
            if not plan:
                return ApplyResult(self._revision, 0, 0, plan)
            check_results_chain(
                plan.relationships, self._mem.incoming_contributions, self._mem.contributes_to
            )
            revision = self._revision + 1
            at = _now()
            first_seen: dict[str, NodeVersion] = {}
            node_changes: list[RecordChange] = []

            def commit() -> None:
                """In the worker thread: a bulk write's change set is as large as the write."""
                updated = [i for i in plan.before_nodes if i not in self._versions]
                with self._transaction(revision) as db, paused_gc():
                    records = record_changes(
                        plan.nodes,
                        plan.relationships,
                        plan.before_nodes,
                        plan.before_rels,
                        plan.valid_from,
                        at.date().isoformat(),
                    )
                    first_seen.update(history_sql.latest_versions(db, updated))
                    self._commit(db, plan)
                    history_sql.insert(db, revision, at, author, records)
                node_changes.extend(records[: len(plan.nodes)])  # nodes come first

            def publish() -> None:
                for node in plan.nodes:
                    self._mem.put_node(node)
                for rel in plan.relationships:
                    self._mem.put_relationship(rel)
                add_versions(self._versions, revision, node_changes, first_seen)
                self._revision = revision
                self._snapshots.record(delta_of(plan, revision))

            await self._commit_then_publish(commit, publish)
            if progress is not None:
                progress(len(plan.nodes) + len(plan.relationships))
            return ApplyResult(revision, len(plan.nodes), len(plan.relationships), plan)

    def _commit(self, db: sqlite3.Connection, plan: Plan) -> None:
        """Write a plan's rows inside the open transaction (a method: tests hold it)."""
        db.executemany(
            "INSERT INTO nodes(id, kind, props) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, props=excluded.props",
            ((n.id, n.kind.value, _dumps(n.props)) for n in plan.nodes),
        )
        db.executemany(
            'INSERT INTO relationships(id, type, start, "end", props) VALUES (?, ?, ?, ?, ?) '
            "ON CONFLICT(id) DO UPDATE SET props=excluded.props",
            ((r.id, r.type.value, r.start, r.end, _dumps(r.props)) for r in plan.relationships),
        )

    # ------------------------------------------------------------------ history

    async def _read_history(self, read: Callable[[sqlite3.Connection], _T]) -> _T:
        if self._db is None:
            raise StoreUnavailable("embedded store is not open", where=str(self.path))

        def run() -> _T:
            db = history_sql.reader(self.path)
            try:
                return read(db)
            finally:
                db.close()

        return await asyncio.to_thread(run)

    async def history_start(self) -> int:
        return self._history_from

    async def change_sets(
        self,
        flt: ChangeFilter,
        *,
        first: int,
        after: int | None = None,
        newest_first: bool = False,
    ) -> ChangePage:
        upto = self._revision
        return await self._read_history(
            lambda db: history_sql.change_sets(db, flt, first, after, newest_first, upto)
        )

    async def change_records(
        self, revision: int, *, first: int, after: int = 0
    ) -> list[tuple[int, RecordChange]]:
        if revision > self._revision:
            return []
        return await self._read_history(
            lambda db: history_sql.change_records(db, revision, first, after)
        )

    async def revision_at(self, at: dt.datetime) -> int:
        upto = self._revision
        found = await self._read_history(lambda db: history_sql.revision_at(db, at, upto))
        return self._history_from if found is None else found

    async def known_at(self, revision: int) -> PastRecords:
        """A fork of the memory index (graph/memory.py) rewound in a worker thread. Writes
        wait meanwhile: the fork shares the index's inner dicts, which a write would change
        under it (the rewind costs what the change sets since ``revision`` hold)."""
        async with self._write_lock:
            current = self._revision
            check_known_at(revision, current, self._history_from)
            graph, weights = self._mem.fork(), dict(self._weights)
            versions = {k: list(v) for k, v in self._versions.items()}

            def read(db: sqlite3.Connection) -> PastRecords:
                later = list(history_sql.later(db, revision, current))
                at = history_sql.committed_at(db, revision)
                return rewind_graph(revision, graph, weights, later, versions, at)

            return await self._read_history(read)

    # ------------------------------------------------------------------ API keys
    #
    # Keys live in the ``api_keys`` table and, whole, in ``self._keys`` (by id, so the lookup
    # every authenticated request makes is one dict read). They are not graph data: a key
    # write takes the write lock (graph writes share the connection) and goes through
    # ``_commit_then_publish`` like every write, but never reads or bumps the revision, so
    # snapshots, analytics caches and ETags stay valid; export and import never see keys.

    async def get_key(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    async def list_keys(self) -> list[ApiKey]:
        return sorted(self._keys.values(), key=keys.listing_order)

    async def create_key(self, record: ApiKey) -> None:
        """Store a new active key; does not bump the revision. See ``GraphStore``."""
        keys.check_new(record)
        async with self._write_lock:
            if self._db is None:
                raise StoreUnavailable("embedded store is not open", where=str(self.path))
            if record.id in self._keys:
                raise keys.id_taken(record.id)
            if any(k.active and k.name == record.name for k in self._keys.values()):
                raise keys.name_taken(record.name)
            row = keys.to_row(record)

            def publish() -> None:
                self._keys[record.id] = record

            await self._commit_then_publish(
                lambda: self._commit_key(
                    "INSERT INTO api_keys(id, name, role, hash, created_at, revoked_at) "
                    "VALUES (:id, :name, :role, :hash, :created_at, :revoked_at)",
                    row,
                    record,
                ),
                publish,
            )

    async def revoke_key(self, key_id: str, at: datetime) -> bool:
        """Revoke an active key; does not bump the revision. See ``GraphStore``."""
        when = keys.utc(at)
        async with self._write_lock:
            if self._db is None:
                raise StoreUnavailable("embedded store is not open", where=str(self.path))
            record = self._keys.get(key_id)
            if record is None or not record.active:
                return False
            revoked = dataclasses.replace(record, revoked_at=when)

            def publish() -> None:
                self._keys[key_id] = revoked

            await self._commit_then_publish(
                lambda: self._commit_key(
                    "UPDATE api_keys SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL",
                    {"at": keys.to_text(when), "id": key_id},
                    record,
                ),
                publish,
            )
            return True

    def _commit_key(self, sql: str, params: Mapping[str, object], record: ApiKey) -> None:
        """One key write in its own transaction; the revision is neither checked nor bumped.
        The constraints are the backstop for a writer that bypassed the file lock."""
        try:
            with self._transaction(None) as db:
                db.execute(sql, params)
        except sqlite3.IntegrityError as err:
            if "api_keys.id" in str(err):
                raise keys.id_taken(record.id) from None
            raise keys.name_taken(record.name) from None

    # ------------------------------------------------------------------ revision guards

    @contextlib.contextmanager
    def _transaction(self, revision: int | None) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises.
        With a ``revision``, the write stores it (see :meth:`_begin`); without, the revision
        is neither checked nor bumped (API keys)."""
        db = self._db
        assert db is not None
        try:
            if revision is None:
                db.execute("BEGIN IMMEDIATE")
            else:
                self._begin(db, revision)
            yield db
            if revision is not None:
                db.execute("UPDATE meta SET value=? WHERE key='revision'", (str(revision),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _begin(self, db: sqlite3.Connection, revision: int) -> None:
        """Open the write transaction that will store ``revision``, or refuse.

        Revisions name what a client has seen (``health.revision``, coverage ``ETag``s), so
        one number must never stand for two states. This process numbers each write from the
        revision held in memory; the file lock keeps other writers out, but a writer that
        ignores it (an older build, the ``sqlite3`` shell, a file system whose ``flock`` does
        nothing) could still have moved the file on. So, inside ``BEGIN IMMEDIATE`` (SQLite's
        write lock: nothing can commit between this read and our ``COMMIT``), the stored
        revision is read again and must be exactly the one before ours. If it is not, the
        write is refused with :class:`StoreInUse` and rolled back, rather than storing a
        revision number that already names other data; the memory index is stale then, and
        only reopening the file (restarting the process) reloads it. The check is one
        primary-key read per write transaction.
        """
        db.execute("BEGIN IMMEDIATE")
        (stored,) = db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        if int(stored) != revision - 1:
            raise StoreInUse(
                f"the file was written behind this process's back: it holds revision {stored}, "
                f"this process expected {revision - 1}. The write was refused so that no "
                "revision number is used twice; stop the other writer, then restart this "
                "process to reload the file",
                where=str(self.path),
            )

    async def _commit_then_publish(
        self, commit: Callable[[], None], publish: Callable[[], None]
    ) -> None:
        """Run ``commit`` in a worker thread, then ``publish`` (the in-memory update) on the
        loop, as one step that cancelling the caller cannot split.

        Without this, a caller cancelled while the thread commits (a client hanging up, a
        deadline) would leave the commit running and skip the in-memory update: memory would
        lag the file by one revision, and the write lock would be released while the thread
        still used the connection. The next write would then reuse the committed number
        (:meth:`_begin` refuses that, which would wedge writes until a restart). So the step
        runs in its own task; a cancellation waits, still holding the write lock, for the
        task to finish and is re-raised afterwards.
        """

        async def step() -> None:
            await asyncio.to_thread(commit)
            publish()

        task = asyncio.ensure_future(step())
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            while not task.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait({task})
            if not task.cancelled():
                task.exception()  # retrieved: the caller was cancelled, it hears that instead
            raise
