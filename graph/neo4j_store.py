"""The deployment store: Neo4j 5.26 through the official async driver.

It answers exactly like the embedded store (the contract tests run on both). The parts that
decide *what* to write are shared with it: :func:`graph.changes.plan_changes` validates and
de-duplicates a batch, :func:`graph.integrity.check_results_chain` guards the results chain,
:func:`graph.snapshot.build_snapshot` builds the analytics view. What is specific here:

- **Serialised writers.** Every write transaction first takes the exclusive lock on the
  revision node, re-plans if another writer committed since the batch was planned, checks the
  results-chain rules on data read *after* the lock, writes, and bumps the revision, all in one
  transaction. Replicas over one database therefore cannot both pass a check that only one of
  them should, and they agree on the revision.
- **Retry-safe transaction functions.** The driver may run a managed transaction function
  again after a transient failure; ours start from nothing each time (the failed attempt was
  rolled back), re-read under the lock what they depend on, ``CREATE`` only ids confirmed
  absent under that lock and ``SET`` whole property maps on the rest, and the uniqueness
  constraints refuse any duplicate anyway, so a second run writes exactly once.
- **Clean failures.** Driver and socket errors become :class:`graph.errors.StoreUnavailable`
  (or another :class:`graph.errors.GraphError`) with one line that never holds the password;
  the driver's pool reconnects by itself, and the schema is ensured lazily if the server was
  down when the store opened.

See docs/NEO4J.md for the data model, atomicity and measured speed.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import heapq
import logging
import math
import re
from collections import OrderedDict, defaultdict, deque
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncSession,
    AsyncTransaction,
    Query,
    unit_of_work,
)
from neo4j import exceptions as nx4j

from graph import cypher, keys
from graph.changes import Plan, plan_changes
from graph.errors import Conflict, GraphError, StoreUnavailable
from graph.factory import Neo4jConfig
from graph.integrity import CONTRIBUTION_TYPES, check_results_chain
from graph.keys import ApiKey
from graph.model import Node, NodeKind, Relationship, RelType
from graph.reference import member_states
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
    decode_cursor,
    encode_cursor,
    sort_key,
)
from graph.weights import validate_weights

log = logging.getLogger("partnernet.neo4j")

T = TypeVar("T")
Tx = AsyncManagedTransaction | AsyncTransaction
Progress = Callable[[int], None]
#: (epoch, revision): the epoch changes when the counter is recreated after a reset.
RevisionState = tuple[str | None, int]

#: How long a managed transaction keeps retrying transient failures (deadlocks, a leader
#: switch, a dropped pooled connection). Short, so a request during an outage fails in
#: seconds instead of hanging; the next request starts afresh.
RETRY_BUDGET = 3.0
#: Connecting is quick or hopeless; don't let a black-holed address hold a request for 30 s.
CONNECT_TIMEOUT = 5.0
SNAPSHOT_CACHE_SIZE = 8
SNAPSHOT_ATTEMPTS = 3
RESET_BATCH = 10_000
#: Relationship lookups of more ids than this decide per type between seeking and scanning.
SMALL_LOOKUP = 100
#: Scan a type when it holds at most this many relationships per id looked up (a scan step
#: costs several times less than a seek; see ``cypher.relationships_by_id``).
SCAN_FACTOR = 4


class _Redacted:
    """Holds secrets (the password, and one written into the URI) for redaction only; its
    repr never shows them."""

    __slots__ = ("_values",)

    def __init__(self, *values: str | None) -> None:
        self._values = [v for v in values if v]

    def __repr__(self) -> str:
        return "_Redacted('**********')"

    def scrub(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, "**********")
        return text


def _uri_password(uri: str) -> str | None:
    try:
        return urlsplit(uri).password
    except ValueError:
        return None


def _public_uri(uri: str) -> str:
    """The URI without any user:password@ part, fit for messages and logs."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid NEO4J_URI>"
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _connector(uri: str, auth: neo4j.Auth, timeout: float) -> Callable[[], AsyncDriver]:
    """A driver factory that keeps the URI and credentials in a closure, out of the store's
    attributes, so no repr, debugger dump or traceback with locals shows them."""

    def connect() -> AsyncDriver:
        return AsyncGraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=CONNECT_TIMEOUT,
            connection_acquisition_timeout=max(timeout, CONNECT_TIMEOUT),
            max_transaction_retry_time=RETRY_BUDGET,
            user_agent="partnernet",
        )

    return connect


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


_KINDS: Final = {k.value: k for k in NodeKind}
_TYPES: Final = {t.value: t for t in RelType}


def _node(row: Sequence[Any]) -> Node:
    """A node from a ``[id, kind, props]`` row (see graph/cypher.py); the props dict is
    fresh from the decoder, so dropping the stored ``id`` in place is safe (and cheap on the
    snapshot's hot path)."""
    node_id, kind, props = row
    props.pop("id", None)
    return Node(node_id, _KINDS[kind], props)


def _rel(row: Sequence[Any]) -> Relationship:
    """A relationship from an ``[id, type, start, end, props]`` row."""
    rel_id, rel_type, start, end, props = row
    props.pop("id", None)
    return Relationship(rel_id, _TYPES[rel_type], start, end, props)


async def _rows(tx: Tx, query: str, **params: Any) -> list[Any]:
    """The ``rows`` list of a query that collects its rows into one record."""
    record = await (await tx.run(query, params)).single(strict=True)
    return list(record["rows"])


async def _records(tx: Tx, query: str, **params: Any) -> list[neo4j.Record]:
    result = await tx.run(query, params)
    return [rec async for rec in result]


async def _run(tx: Tx, query: str, **params: Any) -> None:
    await (await tx.run(query, params)).consume()


async def _revision_state(tx: Tx) -> RevisionState:
    rec = await (await tx.run(cypher.REVISION)).single()
    return (None, 0) if rec is None else (rec["epoch"], int(rec["value"]))


def _is_stale(planned: RevisionState, now: RevisionState) -> bool:
    """Whether a writer committed since planning. No counter at planning time means an empty
    graph, which is still true while the counter reads 0 (every write makes it >= 1)."""
    if planned[0] is None:
        return now[1] != 0
    return planned != now


class _Lookups:
    """The planner's view of the stored graph inside one transaction; remembers which ids it
    found, so the writer knows what to CREATE and what to update."""

    def __init__(self, store: Neo4jStore, tx: Tx) -> None:
        self._store, self._tx = store, tx
        self.nodes: set[str] = set()
        self.rels: set[str] = set()

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        found = await self._store._tx_nodes(self._tx, ids)
        self.nodes.update(n.id for n in found if n is not None)
        return found

    async def get_rels(self, ids: Sequence[str]) -> list[Relationship | None]:
        found = await self._store._tx_rels(self._tx, ids)
        self.rels.update(r.id for r in found if r is not None)
        return found

    async def plan(self, changes: Sequence[Change]) -> Plan:
        return await plan_changes(changes, self.get_nodes, self.get_rels)


class Neo4jStore:
    """``GraphStore`` over a Neo4j 5.x database; safe to share between concurrent requests
    and to run in several processes over one database."""

    def __init__(self, cfg: Neo4jConfig) -> None:
        self._where = _public_uri(cfg.uri)
        self._user = cfg.user
        self._secret = _Redacted(cfg.password, _uri_password(cfg.uri))
        self._connect = _connector(cfg.uri, neo4j.basic_auth(cfg.user, cfg.password), cfg.timeout)
        self._database = cfg.database
        self._timeout = float(cfg.timeout)
        self._batch = max(1, int(cfg.batch_size))
        self._driver: AsyncDriver | None = None
        self._bookmarks: neo4j.api.AsyncBookmarkManager | None = None
        self._schema_ready = False
        self._schema_lock = asyncio.Lock()
        self._snapshots: OrderedDict[tuple[RevisionState, str | None], Snapshot] = OrderedDict()

    def __repr__(self) -> str:
        return f"Neo4jStore({self._where!r}, database={self._database!r})"

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        """Create the driver and ensure the schema. If the server is down this raises
        :class:`StoreUnavailable` but keeps the driver: later calls connect by themselves."""
        if self._driver is None:
            try:
                self._driver = self._connect()
                self._bookmarks = AsyncGraphDatabase.bookmark_manager()
            except (ValueError, nx4j.ConfigurationError) as err:
                raise StoreUnavailable(
                    f"invalid Neo4j configuration: {self._one_line(err)}", where=self._where
                ) from None
        await self._ready()

    async def close(self) -> None:
        if self._driver is not None:
            driver, self._driver = self._driver, None
            await driver.close()

    async def ping(self) -> None:
        """Ready means: reachable, credentials accepted, schema in place. A connection the
        server dropped while restarting fails once, so a second attempt decides."""
        await self._ready()
        for attempt in (1, 2):
            try:
                async with self._guard(), self._session(write=False) as session:
                    query = Query(cypher.PING, timeout=min(self._timeout, CONNECT_TIMEOUT))
                    await (await session.run(query)).consume()
                return
            except StoreUnavailable:
                if attempt == 2:
                    raise

    async def reset(self) -> None:
        """Delete every node, relationship, weight and the revision (tests, maintenance).

        API keys go too: a reset empties the whole database, like deleting the embedded
        store's file, so tests start from nothing and a wiped database keeps no credentials
        that outlived it. Create an admin key again afterwards (``partnernet keys create``).
        Imports and ``apply`` never touch keys; only this does."""
        await self._ready()
        async with self._guard(), self._session(write=True) as session:
            query = Query(cypher.RESET, timeout=self._timeout * 10)
            await (await session.run(query, batch=RESET_BATCH)).consume()
        self._snapshots.clear()

    # ------------------------------------------------------------------ plumbing

    def _drv(self) -> AsyncDriver:
        if self._driver is None:
            raise StoreUnavailable("the Neo4j store is not open", where=self._where)
        return self._driver

    def _session(self, *, write: bool) -> AsyncSession:
        return self._drv().session(
            database=self._database,
            default_access_mode=neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS,
            bookmark_manager=self._bookmarks,
        )

    def _one_line(self, err: BaseException) -> str:
        text = err.message if isinstance(err, nx4j.Neo4jError) and err.message else str(err)
        if found := re.search(r"\(reason (.*)\)", text, flags=re.DOTALL):
            text = found.group(1)
        text = " ".join(self._secret.scrub(text).split())
        return text[:300] or type(err).__name__

    def _translate(self, err: Exception) -> GraphError:
        """One line for a person, no driver internals, never the password."""
        log.debug("neo4j failure", exc_info=err)
        reason = self._one_line(err)
        code = getattr(err, "code", None) or ""
        if isinstance(err, nx4j.AuthError):
            return StoreUnavailable(
                f"Neo4j refused the credentials of user {self._user!r}", where=self._where
            )
        if isinstance(err, nx4j.ConstraintError):
            return Conflict(f"Neo4j refused a duplicate: {reason}", where=self._where)
        if any(k in code for k in ("TransactionTimedOut", "Terminated", "LockClientStopped")):
            return StoreUnavailable(
                f"Neo4j stopped the transaction: it exceeded its time limit of "
                f"{self._timeout:g} s per batch, or an administrator terminated it",
                where=self._where,
            )
        if "DatabaseNotFound" in code:
            return StoreUnavailable(f"Neo4j has no database {self._database!r}", where=self._where)
        if isinstance(
            err, nx4j.ServiceUnavailable | nx4j.SessionExpired | nx4j.ConnectionPoolError | OSError
        ):
            return StoreUnavailable(f"Neo4j is unreachable: {reason}", where=self._where)
        if isinstance(err, nx4j.TransientError):
            return StoreUnavailable(f"Neo4j is busy, try again: {reason}", where=self._where)
        return GraphError(f"Neo4j failed: {reason}", where=self._where)

    @contextlib.asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        try:
            yield
        except GraphError:
            raise
        except (nx4j.Neo4jError, nx4j.DriverError, OSError) as err:
            raise self._translate(err) from None

    async def _ready(self) -> None:
        """Ensure constraints and indexes once per store; retried on every call until it
        succeeds, so a store opened while Neo4j was down heals when it comes back."""
        if self._schema_ready:
            return
        async with self._schema_lock:
            if self._schema_ready:
                return
            async with self._guard(), self._session(write=True) as session:
                await self._ensure_schema(session)
            self._schema_ready = True

    async def _ensure_schema(self, session: AsyncSession) -> None:
        """Create only what is missing (DDL runs in its own auto-commit transactions), then
        the tokens, then wait for new indexes to come online so first queries do not scan."""
        existing: set[str] = set()
        for show in (cypher.SHOW_CONSTRAINTS, cypher.SHOW_INDEXES):
            result = await session.run(Query(show, timeout=self._timeout))
            existing |= {rec["name"] async for rec in result}
        missing = [(n, s) for n, s in cypher.schema_statements() if n not in existing]
        for name, statement in missing:
            log.info("creating Neo4j schema object %s", name)
            await (await session.run(Query(statement, timeout=self._timeout))).consume()
        query = Query(cypher.CREATE_TOKENS, timeout=self._timeout)
        await (await session.run(query, cypher.tokens())).consume()
        if missing:
            query = Query(cypher.AWAIT_INDEXES, timeout=self._timeout + 5)
            await (await session.run(query, seconds=int(self._timeout))).consume()

    async def _read(
        self,
        work: Callable[[AsyncManagedTransaction], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        """Run ``work`` in a managed read transaction (routed to a reader, retried on
        transient failures) under a timeout."""
        await self._ready()
        async with self._guard(), self._session(write=False) as s:
            return await s.execute_read(unit_of_work(timeout=timeout or self._timeout)(work))

    async def _write(
        self,
        work: Callable[[AsyncManagedTransaction], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        await self._ready()
        async with self._guard(), self._session(write=True) as s:
            return await s.execute_write(unit_of_work(timeout=timeout or self._timeout)(work))

    def _long_timeout(self, records: int) -> float:
        """Bulk work gets the per-query timeout once per batch it needs."""
        return self._timeout * max(1, math.ceil(records / self._batch))

    # ------------------------------------------------------------------ tx-level lookups

    async def _tx_nodes(self, tx: Tx, ids: Sequence[str]) -> list[Node | None]:
        found: dict[str, Node] = {}
        for chunk in _batched(dict.fromkeys(ids), self._batch):
            for row in await _rows(tx, cypher.GET_NODES, ids=chunk):
                found[row[0]] = _node(row)
        return [found.get(i) for i in ids]

    async def _tx_rels(self, tx: Tx, ids: Sequence[str]) -> list[Relationship | None]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Relationship] = {}
        seek, scan = await self._lookup_strategy(tx, len(wanted))
        if scan:
            query = cypher.relationships_by_id(scan, True)
            found.update((row[0], _rel(row)) for row in await _rows(tx, query, ids=wanted))
        if seek:
            query = cypher.relationships_by_id(seek, False)
            for chunk in _batched(wanted, self._batch):
                found.update((row[0], _rel(row)) for row in await _rows(tx, query, ids=chunk))
        return [found.get(i) for i in ids]

    async def _lookup_strategy(
        self, tx: Tx, n_ids: int
    ) -> tuple[frozenset[RelType], frozenset[RelType]]:
        """(types to index-seek, types to scan) for looking up ``n_ids`` relationship ids:
        small lookups seek every type; big ones scan the types that hold fewer than
        SCAN_FACTOR relationships per id and skip empty types."""
        if n_ids <= SMALL_LOOKUP:
            return (frozenset(RelType) if n_ids else frozenset()), frozenset()
        counts = {
            RelType(rec["type"]): int(rec["count"])
            for rec in await _records(tx, cypher.COUNT_RELATIONSHIPS_BY_TYPE)
        }
        seek = frozenset(t for t, c in counts.items() if c > SCAN_FACTOR * n_ids)
        scan = frozenset(t for t, c in counts.items() if 0 < c <= SCAN_FACTOR * n_ids)
        return seek, scan

    # ------------------------------------------------------------------ reads

    async def revision(self) -> int:
        return (await self._read(_revision_state))[1]

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        ids = list(ids)
        return await self._read(lambda tx: self._tx_nodes(tx, ids))

    async def get_relationships(self, ids: Sequence[str]) -> list[Relationship | None]:
        ids = list(ids)
        return await self._read(lambda tx: self._tx_rels(tx, ids))

    async def counts_by_kind(self) -> dict[NodeKind, int]:
        rows = await self._read(lambda tx: _records(tx, cypher.COUNTS_BY_KIND))
        counts = {NodeKind(rec["kind"]): int(rec["count"]) for rec in rows}
        return {k: counts.get(k, 0) for k in NodeKind}

    async def find_nodes(
        self,
        flt: NodeFilter,
        *,
        first: int,
        after: str | None = None,
        sort: SortOrder = SortOrder.NAME,
    ) -> Page:
        """Neo4j filters; Python applies the text filter, sorts and cuts the page, so case
        folding and string order are Python's, exactly as in the embedded store."""
        cursor = tuple(decode_cursor(after)) if after is not None else None
        query, params = _find_query(flt)
        needle = flt.text.lower() if flt.text is not None else None

        async def work(tx: AsyncManagedTransaction) -> Page:
            matches: list[Node] = []
            for node_id, kind, name, acronym in await _rows(tx, query, **params):
                name = node_id if name is None else name
                if needle is not None and not (
                    needle in str(name).lower() or needle in str(acronym or "").lower()
                ):
                    continue
                matches.append(Node(node_id, NodeKind(kind), {"name": name}))
            matches.sort(key=lambda n: sort_key(sort, n))
            keys = [sort_key(sort, n) for n in matches]
            start = 0 if cursor is None else bisect.bisect_right(keys, cursor)
            page_ids = [n.id for n in matches[start : start + first]]
            items = [n for n in await self._tx_nodes(tx, page_ids) if n is not None]
            return Page(
                items=items,
                total_count=len(matches),
                has_next_page=start + first < len(matches),
                end_cursor=encode_cursor(sort, items[-1]) if items else None,
            )

        return await self._read(work)

    async def neighbours(
        self,
        ids: Sequence[str],
        *,
        types: Collection[RelType] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: str | None = None,
    ) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {i: [] for i in ids}
        if not out or (types is not None and not types):
            return out
        query = cypher.neighbours(
            direction in (Direction.OUT, Direction.BOTH),
            direction in (Direction.IN, Direction.BOTH),
            frozenset(RelType(t) for t in types) if types is not None else None,
        )
        wanted = list(out)
        rows = await self._read(lambda tx: _rows(tx, query, ids=wanted, day=as_of))
        for origin, rel_row, node_row in rows:
            out[origin].append(Edge(_rel(rel_row), _node(node_row)))
        for edges in out.values():
            edges.sort(key=lambda e: (e.rel.type, e.node.id, e.rel.id))
        return out

    async def need_weights(self) -> dict[tuple[WeightScope, str], float]:
        rows = await self._read(lambda tx: _rows(tx, cypher.NEED_WEIGHTS))
        return _weights(rows)

    # ------------------------------------------------------------------ snapshots, export

    async def _count_records(self) -> int:
        rows = await self._read(lambda tx: _records(tx, cypher.COUNT_RECORDS))
        return int(rows[0]["records"]) if rows else 0

    async def snapshot(self, as_of: str | None = None) -> Snapshot:
        """Cached per (epoch, revision, as_of). Pages through nodes and relationships in
        batches of ``batch_size`` in one read transaction, and accepts the result only if
        the revision did not move meanwhile (Neo4j reads are read-committed)."""
        state = await self._read(_revision_state)
        cached = self._snapshots.get((state, as_of))
        if cached is not None:
            self._snapshots.move_to_end((state, as_of))
            return cached
        state, found = await self._consistent_read(frozenset(RelType), as_of)
        snap = build_snapshot(found.revision, found.nodes, found.relationships, as_of)
        self._snapshots[(state, as_of)] = snap
        while len(self._snapshots) > SNAPSHOT_CACHE_SIZE:
            self._snapshots.popitem(last=False)
        return snap

    async def records(self, rel_types: frozenset[RelType]) -> GraphRecords:
        _, found = await self._consistent_read(rel_types, None)
        return found

    async def _consistent_read(
        self, rel_types: frozenset[RelType], as_of: str | None
    ) -> tuple[RevisionState, GraphRecords]:
        """Every node and every relationship of ``rel_types`` (valid at ``as_of`` when
        given), paged in batches of ``batch_size`` in one read transaction, and accepted only
        if the revision did not move meanwhile (Neo4j reads are read-committed)."""
        timeout = self._long_timeout(await self._count_records())
        dated = as_of is not None

        async def work(tx: AsyncManagedTransaction) -> tuple[RevisionState, GraphRecords | None]:
            before = await _revision_state(tx)
            nodes = [
                _node(row)
                async for page in self._pages(tx, cypher.node_page(dated), as_of)
                for row in page
            ]
            rels = [
                _rel(row)
                for t in RelType
                if t in rel_types
                async for page in self._pages(tx, cypher.relationship_page(t, dated), as_of)
                for row in page
            ]
            if await _revision_state(tx) != before:
                return before, None
            return before, GraphRecords(before[1], nodes, rels)

        for _ in range(SNAPSHOT_ATTEMPTS):
            state, found = await self._read(work, timeout=timeout)
            if found is not None:
                return state, found
        raise StoreUnavailable(
            "the graph kept changing while it was being read; try again", where=self._where
        )

    async def _pages(self, tx: Tx, query: str, as_of: str | None) -> AsyncIterator[list[Any]]:
        """Keyset pagination over an id-ordered page query (see graph/cypher.py)."""
        after = ""
        while True:
            rows = await _rows(tx, query, after=after, batch=self._batch, as_of=as_of)
            if rows:
                yield rows
            if len(rows) < self._batch:
                return
            after = rows[-1][0]

    async def _relationships_by_id(self, tx: Tx) -> AsyncIterator[Relationship]:
        """All relationships in id order: a k-way merge of the per-type id-ordered pages,
        holding at most one page per type in memory."""
        streams = {t: self._pages(tx, cypher.relationship_page(t, False), None) for t in RelType}
        buffers: dict[RelType, deque[Any]] = {}
        heap: list[tuple[str, RelType]] = []

        async def refill(t: RelType) -> None:
            page = await anext(streams[t], None)
            if page:
                buffers[t] = deque(page)
                heapq.heappush(heap, (buffers[t][0][0], t))

        for t in RelType:
            await refill(t)
        while heap:
            _, t = heapq.heappop(heap)
            yield _rel(buffers[t].popleft())
            if buffers[t]:
                heapq.heappush(heap, (buffers[t][0][0], t))
            else:
                await refill(t)

    async def export_records(self) -> AsyncIterator[Node | Relationship]:
        """Nodes by id, then relationships by id, paged from one read transaction. If a
        write commits meanwhile the export ends with :class:`Conflict` rather than hand out a
        mix of two revisions."""
        timeout = self._long_timeout(await self._count_records())
        try:
            async with self._session(write=False) as session:
                tx = await session.begin_transaction(timeout=timeout)
                try:
                    before = await _revision_state(tx)
                    async for page in self._pages(tx, cypher.node_page(False), None):
                        for row in page:
                            yield _node(row)
                    async for rel in self._relationships_by_id(tx):
                        yield rel
                    if await _revision_state(tx) != before:
                        raise Conflict(
                            "the graph changed while it was being exported; export again",
                            where=self._where,
                        )
                finally:
                    await tx.close()
        except (nx4j.Neo4jError, nx4j.DriverError, OSError) as err:
            raise self._translate(err) from None

    # ------------------------------------------------------------------ writes

    async def apply(
        self, changes: Sequence[Change], *, progress: Progress | None = None
    ) -> ApplyResult:
        """Plan in a read transaction, then write in one write transaction (all UNWIND
        batches of the whole change set), so a failure anywhere leaves nothing behind.
        ``progress`` is called with the number of records written after each batch."""
        changes = list(changes)
        timeout = self._long_timeout(len(changes))

        async def plan_tx(tx: AsyncManagedTransaction) -> tuple[RevisionState, Plan, _Lookups]:
            state = await _revision_state(tx)
            lookups = _Lookups(self, tx)
            return state, await lookups.plan(changes), lookups

        planned_state, plan, seen = await self._read(plan_tx, timeout=timeout)
        if not plan:
            return ApplyResult(planned_state[1], 0, 0)

        async def write_tx(tx: AsyncManagedTransaction) -> ApplyResult:
            await _run(tx, cypher.LOCK_REVISION)
            state = await _revision_state(tx)
            current, existing = plan, seen
            if _is_stale(planned_state, state):
                log.info("graph moved to revision %s while planning; planning again", state[1])
                existing = _Lookups(self, tx)
                current = await existing.plan(changes)
                if not current:
                    return ApplyResult(state[1], 0, 0)
            await self._check_results_chain(tx, current.relationships)
            await self._write_plan(tx, current, existing, progress)
            revision = state[1] + 1
            await _run(tx, cypher.SET_REVISION, revision=revision)
            return ApplyResult(revision, len(current.nodes), len(current.relationships))

        return await self._write(write_tx, timeout=timeout)

    async def _write_plan(
        self, tx: Tx, plan: Plan, existing: _Lookups, progress: Progress | None
    ) -> None:
        """Nodes before relationships (which may end at them), in UNWIND batches per kind or
        type and per create/update."""
        total, done = len(plan.nodes) + len(plan.relationships), 0
        node_groups: dict[tuple[NodeKind, bool], list[Node]] = defaultdict(list)
        for node in plan.nodes:
            node_groups[(node.kind, node.id in existing.nodes)].append(node)
        rel_groups: dict[tuple[RelType, bool], list[Relationship]] = defaultdict(list)
        for rel in plan.relationships:
            rel_groups[(rel.type, rel.id in existing.rels)].append(rel)
        for (kind, stored), nodes in node_groups.items():
            query = cypher.update_nodes(kind) if stored else cypher.create_nodes(kind)
            for chunk in _batched(nodes, self._batch):
                rows = [{"id": n.id, "props": {**n.props, "id": n.id}} for n in chunk]
                await _run(tx, query, rows=rows)
                done = self._report(progress, done, len(chunk), total)
        for (rel_type, stored), rels in rel_groups.items():
            query = (
                cypher.update_relationships(rel_type)
                if stored
                else cypher.create_relationships(rel_type)
            )
            for part in _batched(rels, self._batch):
                rows = [
                    {"id": r.id, "start": r.start, "end": r.end, "props": {**r.props, "id": r.id}}
                    for r in part
                ]
                await _run(tx, query, rows=rows)
                done = self._report(progress, done, len(part), total)

    @staticmethod
    def _report(progress: Progress | None, done: int, step: int, total: int) -> int:
        done += step
        log.debug("neo4j write: %d/%d records", done, total)
        if progress is not None:
            progress(step)
        return done

    async def _check_results_chain(self, tx: Tx, planned: Sequence[Relationship]) -> None:
        """Fetch, under the writer lock, exactly what the shared rule needs: stored links
        into the outcomes the batch touches, and the CONTRIBUTED_TO successors reachable from
        them; then let :func:`check_results_chain` decide."""
        contrib = [r for r in planned if r.type in CONTRIBUTION_TYPES]
        if not contrib:
            return
        incoming: dict[str, list[Relationship]] = defaultdict(list)
        for chunk in _batched(sorted({r.end for r in contrib}), self._batch):
            for row in await _rows(tx, cypher.INCOMING_CONTRIBUTIONS, ids=chunk):
                rel = _rel(row)
                incoming[rel.end].append(rel)
        successors = await self._successor_closure(tx, contrib)
        check_results_chain(planned, lambda o: incoming.get(o, ()), lambda o: successors.get(o, ()))

    async def _successor_closure(
        self, tx: Tx, contrib: Sequence[Relationship]
    ) -> dict[str, list[str]]:
        added: dict[str, set[str]] = defaultdict(set)
        for r in contrib:
            if r.type is RelType.CONTRIBUTED_TO:
                added[r.start].add(r.end)
        frontier = sorted({r.end for r in contrib if r.type is RelType.CONTRIBUTED_TO})
        seen = set(frontier)
        successors: dict[str, list[str]] = {}
        while frontier:
            for chunk in _batched(frontier, self._batch):
                for outcome, ends in await _rows(tx, cypher.CONTRIBUTES_TO, ids=chunk):
                    successors[outcome] = list(ends)
            nxt: set[str] = set()
            for o in frontier:
                for m in (*successors.get(o, ()), *added.get(o, ())):
                    if m not in seen:
                        seen.add(m)
                        nxt.add(m)
            frontier = sorted(nxt)
        return successors

    async def set_need_weights(
        self, weights: Mapping[tuple[WeightScope, str], float], *, replace: bool = False
    ) -> int:
        clean = validate_weights(weights)

        async def work(tx: AsyncManagedTransaction) -> int:
            await _run(tx, cypher.LOCK_REVISION)
            _, revision = await _revision_state(tx)
            current = _weights(await _rows(tx, cypher.NEED_WEIGHTS))
            merged = clean if replace else {**current, **clean}
            if merged == current:
                return revision
            await _run(tx, cypher.DELETE_NEED_WEIGHTS)
            rows = [
                {"scope": scope.value, "key": key, "weight": w}
                for (scope, key), w in sorted(merged.items())
            ]
            for chunk in _batched(rows, self._batch):
                await _run(tx, cypher.CREATE_NEED_WEIGHTS, rows=chunk)
            await _run(tx, cypher.SET_REVISION, revision=revision + 1)
            return revision + 1

        return await self._write(work)

    # ------------------------------------------------------------------ API keys
    #
    # ``(:ApiKey)`` nodes (see graph/cypher.py), outside the ``:Entity`` label every graph read
    # starts from. Key writes lock their own node, never the revision node, and never bump
    # the revision: keys are not graph data and must not invalidate analytics caches.

    async def get_key(self, key_id: str) -> ApiKey | None:
        """One seek on the ``api_key_id`` uniqueness index."""
        rows = await self._read(lambda tx: _rows(tx, cypher.GET_API_KEY, id=key_id))
        return keys.from_row(*rows[0]) if rows else None

    async def list_keys(self) -> list[ApiKey]:
        rows = await self._read(lambda tx: _rows(tx, cypher.LIST_API_KEYS))
        return sorted((keys.from_row(*row) for row in rows), key=keys.listing_order)

    async def create_key(self, record: ApiKey) -> None:
        """Under the key writers' lock: refuse a taken id or an active key's name, then
        ``CREATE`` (the ``api_key_id`` constraint refuses a duplicate id anyway)."""
        keys.check_new(record)
        props = keys.to_row(record)

        async def work(tx: AsyncManagedTransaction) -> None:
            await _run(tx, cypher.LOCK_API_KEYS)
            rec = await (
                await tx.run(cypher.API_KEY_CLASHES, id=record.id, name=record.name)
            ).single(strict=True)
            if rec["id_taken"] is not None:
                raise keys.id_taken(record.id)
            if rec["name_taken"]:
                raise keys.name_taken(record.name)
            await _run(tx, cypher.CREATE_API_KEY, props=props)

        await self._write(work)

    async def revoke_key(self, key_id: str, at: datetime) -> bool:
        when = keys.to_text(at)

        async def work(tx: AsyncManagedTransaction) -> bool:
            await _run(tx, cypher.LOCK_API_KEYS)
            return bool(await _records(tx, cypher.REVOKE_API_KEY, id=key_id, at=when))

        return await self._write(work)


# --------------------------------------------------------------------------- helpers


def _weights(rows: Iterable[Sequence[Any]]) -> dict[tuple[WeightScope, str], float]:
    return {(WeightScope(scope), key): float(weight) for scope, key, weight in rows}


def _find_query(flt: NodeFilter) -> tuple[str, dict[str, Any]]:
    """The filter's Cypher and parameters; region filters become the list of Member States
    that the reference table puts there, exactly the lookup the embedded store does."""
    states = member_states().values()
    query = cypher.find_nodes(
        cypher.kinds_param(flt.kinds),
        sensitivity=flt.sensitivity is not None,
        focus_group=flt.focus_group is not None,
        day=flt.active_as_of is not None,
        role=flt.role is not None,
        country=flt.country is not None,
        region=flt.region is not None,
        subregion=flt.subregion is not None,
        theme=flt.theme is not None,
    )
    params: dict[str, Any] = {
        "day": flt.active_as_of,
        "sensitivity": flt.sensitivity,
        "focus_group": flt.focus_group,
        "role": flt.role,
        "country": [flt.country] if flt.country is not None else [],
        "region": flt.region,
        "region_countries": sorted(s.iso3 for s in states if s.region == flt.region),
        "subregion_countries": sorted(s.iso3 for s in states if s.subregion == flt.subregion),
        "theme": flt.theme,
    }
    return query, {k: str(v) if isinstance(v, StrEnum) else v for k, v in params.items()}
