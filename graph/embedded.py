"""The zero-setup store: SQLite (WAL, ``synchronous=FULL``) as the system of record, with an
in-memory :class:`graph.memory.MemoryGraph` kept in step for reads and analytics.

Writes are planned and validated first, then committed to SQLite in one transaction, and only
after the commit succeeds is the in-memory graph updated, so a failed write leaves both halves
as they were. SQLite work runs in a worker thread so the event loop keeps serving reads.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from pathlib import Path

from graph.changes import Plan, plan_changes
from graph.errors import StoreUnavailable
from graph.integrity import check_results_chain
from graph.memory import MemoryGraph
from graph.model import Node, NodeKind, Relationship, RelType
from graph.snapshot import build_snapshot
from graph.store import (
    ApplyResult,
    Change,
    Direction,
    Edge,
    GraphRecords,
    NodeFilter,
    Page,
    Snapshot,
    SortOrder,
    WeightScope,
)
from graph.weights import validate_weights

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
"""

_SNAPSHOT_CACHE_SIZE = 8


def _dumps(props: object) -> str:
    return json.dumps(props, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class EmbeddedStore:
    """``GraphStore`` over one SQLite file; one process owns the file at a time."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._mem = MemoryGraph()
        self._revision = 0
        self._weights: dict[tuple[WeightScope, str], float] = {}
        self._write_lock = asyncio.Lock()
        self._snapshots: OrderedDict[tuple[int, str | None], Snapshot] = OrderedDict()

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        await asyncio.to_thread(self._open_sync)

    def _open_sync(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(_SCHEMA)
        except sqlite3.Error as err:
            raise StoreUnavailable(
                f"cannot open embedded store: {err}", where=str(self.path)
            ) from None
        mem = MemoryGraph()
        for node_id, kind, props in db.execute("SELECT id, kind, props FROM nodes"):
            mem.put_node(Node(node_id, NodeKind(kind), json.loads(props)))
        rows = db.execute('SELECT id, type, start, "end", props FROM relationships')
        for rel_id, rel_type, start, end, props in rows:
            mem.put_relationship(
                Relationship(rel_id, RelType(rel_type), start, end, json.loads(props))
            )
        (rev,) = db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        weights = {
            (WeightScope(scope), key): weight
            for scope, key, weight in db.execute("SELECT scope, key, weight FROM need_weights")
        }
        self._db, self._mem, self._revision, self._weights = db, mem, int(rev), weights

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            await asyncio.to_thread(db.close)

    async def ping(self) -> None:
        if self._db is None:
            raise StoreUnavailable("embedded store is not open", where=str(self.path))

    # ------------------------------------------------------------------ reads

    async def revision(self) -> int:
        return self._revision

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        return [self._mem.nodes.get(i) for i in ids]

    async def get_relationships(self, ids: Sequence[str]) -> list[Relationship | None]:
        return [self._mem.rels.get(i) for i in ids]

    async def find_nodes(
        self,
        flt: NodeFilter,
        *,
        first: int,
        after: str | None = None,
        sort: SortOrder = SortOrder.NAME,
    ) -> Page:
        return self._mem.find(flt, first, after, sort)

    async def neighbours(
        self,
        ids: Sequence[str],
        *,
        types: Collection[RelType] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: str | None = None,
    ) -> dict[str, list[Edge]]:
        return self._mem.neighbours(ids, types, direction, as_of)

    async def counts_by_kind(self) -> dict[NodeKind, int]:
        return self._mem.counts_by_kind()

    async def snapshot(self, as_of: str | None = None) -> Snapshot:
        key = (self._revision, as_of)
        snap = self._snapshots.get(key)
        if snap is None:
            snap = build_snapshot(
                self._revision, self._mem.nodes.values(), self._mem.rels.values(), as_of
            )
            self._snapshots[key] = snap
            while len(self._snapshots) > _SNAPSHOT_CACHE_SIZE:
                self._snapshots.popitem(last=False)
        else:
            self._snapshots.move_to_end(key)
        return snap

    async def records(self, rel_types: frozenset[RelType]) -> GraphRecords:
        mem = self._mem
        rels = [r for r in mem.rels.values() if r.type in rel_types]
        return GraphRecords(self._revision, list(mem.nodes.values()), rels)

    async def need_weights(self) -> dict[tuple[WeightScope, str], float]:
        return dict(self._weights)

    async def set_need_weights(
        self, weights: Mapping[tuple[WeightScope, str], float], *, replace: bool = False
    ) -> int:
        clean = validate_weights(weights)
        async with self._write_lock:
            merged = clean if replace else {**self._weights, **clean}
            if merged == self._weights:
                return self._revision
            revision = self._revision + 1
            await asyncio.to_thread(self._commit_weights, merged, revision)
            self._weights, self._revision = merged, revision
            return revision

    def _commit_weights(self, weights: dict[tuple[WeightScope, str], float], revision: int) -> None:
        db = self._db
        assert db is not None
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM need_weights")
            db.executemany(
                "INSERT INTO need_weights(scope, key, weight) VALUES (?, ?, ?)",
                ((scope.value, key, w) for (scope, key), w in sorted(weights.items())),
            )
            db.execute("UPDATE meta SET value=? WHERE key='revision'", (str(revision),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def export_records(self) -> AsyncIterator[Node | Relationship]:
        for node_id in sorted(self._mem.nodes):
            yield self._mem.nodes[node_id]
        for rel_id in sorted(self._mem.rels):
            yield self._mem.rels[rel_id]

    # ------------------------------------------------------------------ writes

    async def apply(
        self, changes: Sequence[Change], *, progress: Callable[[int], None] | None = None
    ) -> ApplyResult:
        async with self._write_lock:
            if self._db is None:
                raise StoreUnavailable("embedded store is not open", where=str(self.path))
            plan = await plan_changes(changes, self.get_nodes, self.get_relationships)
            if not plan:
                return ApplyResult(self._revision, 0, 0)
            check_results_chain(
                plan.relationships, self._mem.incoming_contributions, self._mem.contributes_to
            )
            revision = self._revision + 1
            await asyncio.to_thread(self._commit, plan, revision)
            for node in plan.nodes:
                self._mem.put_node(node)
            for rel in plan.relationships:
                self._mem.put_relationship(rel)
            self._revision = revision
            if progress is not None:
                progress(len(plan.nodes) + len(plan.relationships))
            return ApplyResult(revision, len(plan.nodes), len(plan.relationships))

    def _commit(self, plan: Plan, revision: int) -> None:
        db = self._db
        assert db is not None
        try:
            db.execute("BEGIN IMMEDIATE")
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
            db.execute("UPDATE meta SET value=? WHERE key='revision'", (str(revision),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
