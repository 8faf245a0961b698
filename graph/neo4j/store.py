"""The deployment store: Neo4j 5.26 through the official async driver.

It answers exactly like the embedded store (the contract tests run on both). The parts that
decide *what* to write are shared with it: :func:`graph.changes.plan_changes` validates and
de-duplicates a batch, :func:`graph.integrity.check_results_chain` guards the results chain,
:func:`graph.snapshot.build_snapshot` builds the analytics view. What is specific here:

- **Serialised writers.** Every write transaction first takes the exclusive lock on the
  revision node, re-plans if another writer committed since the batch was planned, checks the
  results-chain rules on data read *after* the lock, writes, and bumps the revision, all in one
  transaction (:mod:`graph.neo4j.writes`). Replicas over one database therefore cannot both
  pass a check that only one of them should, and they agree on the revision.
- **Clean failures.** Driver and socket errors become :class:`graph.errors.StoreUnavailable`
  (or another :class:`graph.errors.GraphError`) with one line that never holds the password
  (:mod:`graph.neo4j.faults`); the driver's pool reconnects by itself, and the schema is
  ensured lazily if the server was down when the store opened (:mod:`graph.neo4j.driver`).
- **A driver passed in.** The store runs on a driver it is given and closes it only if it
  was handed ownership (:mod:`graph.neo4j.driver` states the rule).
- **History in the database.** Each write records its change set in its own transaction, and
  every history read (change sets, ``known_at``, the node versions of a dated snapshot) is
  one read transaction checked against the revision (:mod:`graph.neo4j.history`), so
  replicas share one history as they share one revision.

See docs/NEO4J.md for the data model, atomicity and measured speed.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from neo4j import AsyncDriver

from graph import cypher, keys
from graph.changes import Plan
from graph.errors import Conflict, StoreUnavailable
from graph.factory import Neo4jConfig
from graph.history import (
    SYSTEM,
    Author,
    ChangeFilter,
    ChangePage,
    NodeVersion,
    PastRecords,
    RecordChange,
    rewind,
)
from graph.keys import ApiKey
from graph.model import Node, NodeKind, Relationship, RelType, WeightScope
from graph.neo4j import history, reads, results, writes
from graph.neo4j.driver import Database
from graph.neo4j.faults import Faults
from graph.neo4j.results import RevisionState, Tx
from graph.snapshot import (
    DatedRecords,
    Delta,
    NodeTable,
    SnapshotCache,
    build_snapshot,
    delta_of,
    snapshot_of,
)
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
)
from graph.weights import validate_weights

SNAPSHOT_ATTEMPTS = 3
RESET_BATCH = 10_000

T = TypeVar("T")


class Neo4jStore:
    """``GraphStore`` over a Neo4j 5.x database; safe to share between concurrent requests
    and to run in several processes over one database.

    ``driver`` is used, not created (see :func:`graph.neo4j.driver.create_driver`); the
    store closes it in :meth:`close` only if ``owns_driver``. ``cfg`` gives the database,
    timeouts and batch size, and the credentials to scrub from messages (kept only in a
    redactor whose ``repr`` shows none).
    """

    def __init__(self, driver: AsyncDriver, cfg: Neo4jConfig, *, owns_driver: bool = False):
        faults = Faults.of(cfg)
        self._db = Database(
            driver,
            name=cfg.database,
            timeout=faults.timeout,
            faults=faults,
            owns_driver=owns_driver,
        )
        self._where = faults.where
        self._database = cfg.database
        self._batch = max(1, int(cfg.batch_size))
        self._snapshots = SnapshotCache()
        # The records of the last dated snapshot built, to step it to other dates.
        self._dated: tuple[int, DatedRecords] | None = None
        # The epoch the cached snapshots and deltas belong to: a reset starts a new one, with
        # revisions counted from 0 again (see graph/neo4j/results.py).
        self._epoch: str | None = None
        self.attached: dict[object, Any] = {}

    def __repr__(self) -> str:
        return f"Neo4jStore({self._where!r}, database={self._database!r})"

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        """Ensure the schema. If the server is down this raises :class:`StoreUnavailable`,
        but the store stays open: later calls connect by themselves."""
        await self._db.open()

    async def close(self) -> None:
        """Refuse further calls, and close the driver if this store owns it."""
        self.attached.clear()
        await self._db.close()

    async def ping(self) -> None:
        await self._db.ping()

    async def reset(self) -> None:
        """Delete every node, relationship, weight, the revision and history (tests,
        maintenance).

        API keys go too: a reset empties the whole database, like deleting the embedded
        store's file, so tests start from nothing and a wiped database keeps no credentials
        that outlived it. Create an admin key again afterwards (``partnernet keys create``).
        Imports and ``apply`` never touch keys; only this does."""
        timeout = self._db.timeout * 10
        await self._db.run(cypher.RESET, write=True, timeout=timeout, batch=RESET_BATCH)
        self._snapshots.clear()
        self._dated = None
        self._epoch = None
        self.attached.clear()  # results keyed by revisions, which start again from 0

    def _long_timeout(self, records: int) -> float:
        """Bulk work gets the per-query timeout once per batch it needs."""
        return self._db.timeout * max(1, math.ceil(records / self._batch))

    # ------------------------------------------------------------------ reads

    async def revision(self) -> int:
        return (await self._db.read(results.revision_state))[1]

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        ids = list(ids)
        return await self._db.read(lambda tx: reads.nodes(tx, ids, self._batch))

    async def get_relationships(self, ids: Sequence[str]) -> list[Relationship | None]:
        ids = list(ids)
        return await self._db.read(lambda tx: reads.relationships(tx, ids, self._batch))

    async def counts_by_kind(self) -> dict[NodeKind, int]:
        return await self._db.read(reads.counts_by_kind)

    async def find_nodes(
        self,
        flt: NodeFilter,
        *,
        first: int,
        after: str | None = None,
        sort: SortOrder = SortOrder.NAME,
    ) -> Page:
        search = reads.find_nodes(flt, first=first, after=after, sort=sort, batch=self._batch)
        return await self._db.read(search)

    async def neighbours(
        self,
        ids: Sequence[str],
        *,
        types: Collection[RelType] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: str | None = None,
    ) -> dict[str, list[Edge]]:
        if not ids or (types is not None and not types):
            return {i: [] for i in ids}
        return await self._db.read(reads.neighbours(ids, types, direction, as_of))

    async def need_weights(self) -> dict[tuple[WeightScope, str], float]:
        rows = await self._db.read(lambda tx: results.rows(tx, cypher.NEED_WEIGHTS))
        return results.weights(rows)

    # ------------------------------------------------------------------ snapshots, export

    async def snapshot(self, as_of: str | None = None) -> Snapshot:
        """Cached per (epoch, revision, as_of), and after this process's own writes derived
        from the snapshot before them (graph/snapshot.py). Otherwise (a start, another
        process's write) pages through nodes and relationships in batches of ``batch_size``
        in one read transaction, and accepts the result only if the revision did not move
        meanwhile (Neo4j reads are read-committed). A dated snapshot reads the node versions
        in the same transaction, and shows each node as its version valid at the date; it
        reads every record, not only those valid then, and keeps them, so that the next
        dates of a series are stepped from it without a read (graph/dated.py)."""
        epoch, revision = await self._db.read(results.revision_state)
        self._enter_epoch(epoch)
        found = self._snapshots.find(revision, as_of)
        if found is not None:
            return found
        if as_of is None:

            async def build() -> Snapshot:
                state, read, _ = await self._consistent_read(frozenset(RelType), None)
                self._enter_epoch(state[0])
                return await asyncio.to_thread(
                    build_snapshot, read.revision, read.nodes, read.relationships, None
                )

            return await self._snapshots.build(revision, as_of, build)
        dated = self._dated
        if dated is not None and dated[0] == revision:
            stepped = await self._snapshots.dated(revision, as_of, lambda: dated[1])
            if stepped is not None:
                return stepped

        async def build_dated() -> Snapshot:
            """Every record (not only those valid then), kept for the dates a series asks
            next: they are stepped from this one (graph/dated.py), with no read."""
            state, read, versions = await self._consistent_read(
                frozenset(RelType), None, with_versions=True
            )
            self._enter_epoch(state[0])

            def build() -> tuple[Snapshot, DatedRecords]:
                nodes = {n.id: n for n in read.nodes}
                rels = {r.id: r for r in read.relationships}
                snap = build_snapshot(read.revision, nodes.values(), rels.values(), as_of, versions)
                return snap, (nodes, rels, versions)

            snap, records = await asyncio.to_thread(build)
            self._dated = (read.revision, records)
            return snap

        return await self._snapshots.build(revision, as_of, build_dated)

    def _enter_epoch(self, epoch: str | None) -> None:
        """Forget snapshots and deltas of another epoch (the database was reset)."""
        if epoch != self._epoch:
            self._snapshots.clear()
            self._dated = None
            self._epoch = epoch

    def _written(self, state: RevisionState, plan: Plan | None) -> None:
        """Record a committed write of this process for the snapshots after it."""
        self._enter_epoch(state[0])
        self._snapshots.record(delta_of(plan, state[1]))

    async def snapshot_of(self, records: GraphRecords, table: NodeTable | None = None) -> Snapshot:
        """Kept only if the database is still in the records' epoch (not reset since)."""
        epoch, _ = await self._db.read(results.revision_state)
        self._enter_epoch(epoch)
        if records.epoch != epoch:
            return await asyncio.to_thread(snapshot_of, records, table)
        return await self._snapshots.of_records(records, table)

    def written(self, since: int, until: int) -> Delta | None:
        return self._snapshots.written(since, until)

    async def records(self, rel_types: frozenset[RelType]) -> GraphRecords:
        _, found, _ = await self._consistent_read(rel_types, None)
        return found

    async def _consistent_read(
        self, rel_types: frozenset[RelType], as_of: str | None, *, with_versions: bool = False
    ) -> tuple[RevisionState, GraphRecords, dict[str, list[NodeVersion]]]:
        """:func:`reads.graph_records` in one read transaction, tried again while the
        revision moves under it."""
        timeout = self._long_timeout(await self._db.read(reads.count_records))

        async def read(
            tx: Tx,
        ) -> tuple[RevisionState, GraphRecords, dict[str, list[NodeVersion]]] | None:
            state, found, versions = await reads.graph_records(
                tx, rel_types, as_of, self._batch, with_versions=with_versions
            )
            return None if found is None else (state, found, versions)

        return await self._until_still(read, timeout)

    async def _until_still(self, work: Callable[[Tx], Awaitable[T | None]], timeout: float) -> T:
        """``work`` in a read transaction, tried again while it finds the revision moving
        under it (it returns ``None`` then)."""
        for _ in range(SNAPSHOT_ATTEMPTS):
            found = await self._db.read(work, timeout=timeout)
            if found is not None:
                return found
        raise StoreUnavailable(
            "the graph kept changing while it was being read; try again", where=self._where
        )

    async def export_records(self) -> AsyncIterator[Node | Relationship]:
        """Nodes by id, then relationships by id, paged from one read transaction. If a
        write commits meanwhile the export ends with :class:`Conflict` rather than hand out a
        mix of two revisions."""
        timeout = self._long_timeout(await self._db.read(reads.count_records))
        async with self._db.read_transaction(timeout) as tx:
            before = await results.revision_state(tx)
            async for page in reads.pages(tx, cypher.node_page(False), None, self._batch):
                for row in page:
                    yield results.node(row)
            async for rel in reads.relationships_by_id(tx, self._batch):
                yield rel
            if await results.revision_state(tx) != before:
                raise Conflict(
                    "the graph changed while it was being exported; export again",
                    where=self._where,
                )

    # ------------------------------------------------------------------ writes

    async def apply(
        self,
        changes: Sequence[Change],
        *,
        progress: writes.Progress | None = None,
        author: Author = SYSTEM,
    ) -> ApplyResult:
        """Plan in a read transaction, then write in one write transaction (all UNWIND
        batches of the whole change set, and its change set by ``author``), so a failure
        anywhere leaves nothing behind. ``progress`` is called with the number of records
        written after each batch."""
        changes = list(changes)
        timeout = self._long_timeout(len(changes))
        planned = await self._db.read(
            lambda tx: writes.plan(tx, changes, self._batch), timeout=timeout
        )
        if not planned.plan:
            return ApplyResult(planned.state[1], 0, 0, planned.plan)
        written = await self._db.write(
            lambda tx: writes.write(tx, changes, planned, self._batch, progress, author),
            timeout=timeout,
        )
        if written.plan is not None:
            self._written((written.epoch, written.result.revision), written.plan)
        return written.result

    async def set_need_weights(
        self,
        weights: Mapping[tuple[WeightScope, str], float],
        *,
        replace: bool = False,
        author: Author = SYSTEM,
    ) -> int:
        clean = validate_weights(weights)
        state, changed = await self._db.write(
            lambda tx: writes.set_need_weights(tx, clean, replace, self._batch, author)
        )
        if changed:
            self._written(state, None)
        return state[1]

    # ------------------------------------------------------------------ history
    #
    # ``(:ChangeSet)`` and ``(:RecordBatch)`` nodes (graph/neo4j/history.py), outside the
    # ``:Entity`` label like API keys.

    async def history_start(self) -> int:
        return (await self._db.read(history.head)).start

    async def change_sets(
        self,
        flt: ChangeFilter,
        *,
        first: int,
        after: int | None = None,
        newest_first: bool = False,
    ) -> ChangePage:
        return await self._db.read(
            lambda tx: history.change_sets(tx, flt, first, after, newest_first)
        )

    async def change_records(
        self, revision: int, *, first: int, after: int = 0
    ) -> list[tuple[int, RecordChange]]:
        return await self._db.read(lambda tx: history.change_records(tx, revision, first, after))

    async def revision_at(self, at: datetime) -> int:
        """One read transaction: the last change set at or before ``at``, else where
        history starts then."""

        async def read(tx: Tx) -> int:
            found = await history.revision_at(tx, at)
            return (await history.head(tx)).start if found is None else found

        return await self._db.read(read)

    async def known_at(self, revision: int) -> PastRecords:
        """Today's records and every change set after ``revision``, read in one read
        transaction consistent with one revision (:func:`reads.past_records`), rewound in a
        worker thread."""
        records = await self._db.read(reads.count_records)
        records += await self._db.read(reads.count_history)
        past = await self._until_still(
            lambda tx: reads.past_records(tx, revision, self._batch),
            self._long_timeout(records),
        )
        nodes = {n.id: n for n in past.records.nodes}
        rels = {r.id: r for r in past.records.relationships}
        return await asyncio.to_thread(
            rewind, revision, nodes, rels, past.weights, past.later, past.versions, past.at
        )

    # ------------------------------------------------------------------ API keys
    #
    # ``(:ApiKey)`` nodes (see graph/cypher.py), outside the ``:Entity`` label every graph read
    # starts from.

    async def get_key(self, key_id: str) -> ApiKey | None:
        """One seek on the ``api_key_id`` uniqueness index."""
        rows = await self._db.read(lambda tx: results.rows(tx, cypher.GET_API_KEY, id=key_id))
        return keys.from_row(*rows[0]) if rows else None

    async def list_keys(self) -> list[ApiKey]:
        rows = await self._db.read(lambda tx: results.rows(tx, cypher.LIST_API_KEYS))
        return sorted((keys.from_row(*row) for row in rows), key=keys.listing_order)

    async def create_key(self, record: ApiKey) -> None:
        keys.check_new(record)
        await self._db.write(lambda tx: writes.create_key(tx, record))

    async def revoke_key(self, key_id: str, at: datetime) -> bool:
        when = keys.to_text(at)
        return await self._db.write(lambda tx: writes.revoke_key(tx, key_id, when))
