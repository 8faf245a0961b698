"""What the Neo4j store reads inside a transaction: records by id, filtered search,
neighbours, and every record page by page. Functions take the transaction (or return the
function a transaction runs, once the arguments are checked) and run only the statements of
graph/cypher.py."""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from neo4j import AsyncManagedTransaction

from graph import cypher
from graph.batching import batched
from graph.history import ChangeSet, NodeVersion, Weights, check_known_at
from graph.model import Node, NodeKind, Relationship, RelType
from graph.neo4j import history, results
from graph.neo4j.results import RevisionState, Tx
from graph.reference import member_states
from graph.store import (
    Direction,
    Edge,
    GraphRecords,
    NodeFilter,
    Page,
    SortOrder,
    decode_cursor,
    encode_cursor,
    sort_key,
)

T = TypeVar("T")
#: The function a managed transaction runs.
Work = Callable[[AsyncManagedTransaction], Awaitable[T]]

#: Relationship lookups of more ids than this decide per type between seeking and scanning.
SMALL_LOOKUP = 100
#: Scan a type when it holds at most this many relationships per id looked up (a scan step
#: costs several times less than a seek; see ``cypher.relationships_by_id``).
SCAN_FACTOR = 4


# --------------------------------------------------------------------------- by id


async def nodes(tx: Tx, ids: Sequence[str], batch: int) -> list[Node | None]:
    found: dict[str, Node] = {}
    for chunk in batched(dict.fromkeys(ids), batch):
        for row in await results.rows(tx, cypher.GET_NODES, ids=chunk):
            found[row[0]] = results.node(row)
    return [found.get(i) for i in ids]


async def relationships(tx: Tx, ids: Sequence[str], batch: int) -> list[Relationship | None]:
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Relationship] = {}
    seek, scan = await _lookup_strategy(tx, len(wanted))
    if scan:
        query = cypher.relationships_by_id(scan, True)
        rows = await results.rows(tx, query, ids=wanted)
        found.update((row[0], results.rel(row)) for row in rows)
    if seek:
        query = cypher.relationships_by_id(seek, False)
        for chunk in batched(wanted, batch):
            rows = await results.rows(tx, query, ids=chunk)
            found.update((row[0], results.rel(row)) for row in rows)
    return [found.get(i) for i in ids]


async def _lookup_strategy(tx: Tx, n_ids: int) -> tuple[frozenset[RelType], frozenset[RelType]]:
    """(types to index-seek, types to scan) for looking up ``n_ids`` relationship ids:
    small lookups seek every type; big ones scan the types that hold fewer than
    SCAN_FACTOR relationships per id and skip empty types."""
    if n_ids <= SMALL_LOOKUP:
        return (frozenset(RelType) if n_ids else frozenset()), frozenset()
    counts = {
        RelType(rec["type"]): int(rec["count"])
        for rec in await results.records(tx, cypher.COUNT_RELATIONSHIPS_BY_TYPE)
    }
    seek = frozenset(t for t, c in counts.items() if c > SCAN_FACTOR * n_ids)
    scan = frozenset(t for t, c in counts.items() if 0 < c <= SCAN_FACTOR * n_ids)
    return seek, scan


async def counts_by_kind(tx: Tx) -> dict[NodeKind, int]:
    recs = await results.records(tx, cypher.COUNTS_BY_KIND)
    counts = {NodeKind(rec["kind"]): int(rec["count"]) for rec in recs}
    return {k: counts.get(k, 0) for k in NodeKind}


async def count_records(tx: Tx) -> int:
    recs = await results.records(tx, cypher.COUNT_RECORDS)
    return int(recs[0]["records"]) if recs else 0


async def count_history(tx: Tx) -> int:
    """At most how many records history holds (from the count store: constant time)."""
    recs = await results.records(tx, cypher.COUNT_RECORD_BATCHES)
    return int(recs[0]["batches"]) * history.RECORDS_PER_BATCH if recs else 0


# --------------------------------------------------------------------------- search


def find_nodes(
    flt: NodeFilter, *, first: int, after: str | None, sort: SortOrder, batch: int
) -> Work[Page]:
    """The search: Neo4j filters; Python applies the text filter, sorts and cuts the page, so
    case folding and string order are Python's, exactly as in the embedded store."""
    cursor = tuple(decode_cursor(after)) if after is not None else None
    query, params = _find_query(flt)
    needle = flt.text.lower() if flt.text is not None else None

    async def work(tx: AsyncManagedTransaction) -> Page:
        matches: list[Node] = []
        for node_id, kind, name, acronym in await results.rows(tx, query, **params):
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
        items = [n for n in await nodes(tx, page_ids, batch) if n is not None]
        return Page(
            items=items,
            total_count=len(matches),
            has_next_page=start + first < len(matches),
            end_cursor=encode_cursor(sort, items[-1]) if items else None,
        )

    return work


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


def neighbours(
    ids: Collection[str],
    types: Collection[RelType] | None,
    direction: Direction,
    as_of: str | None,
) -> Work[dict[str, list[Edge]]]:
    """The edges of every node of ``ids`` (at least one, and ``types`` not empty), each
    node's sorted by type, neighbour and relationship id."""
    query = cypher.neighbours(
        direction in (Direction.OUT, Direction.BOTH),
        direction in (Direction.IN, Direction.BOTH),
        frozenset(RelType(t) for t in types) if types is not None else None,
    )
    wanted = list(dict.fromkeys(ids))

    async def work(tx: AsyncManagedTransaction) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {i: [] for i in wanted}
        for origin, rel_row, node_row in await results.rows(tx, query, ids=wanted, day=as_of):
            out[origin].append(Edge(results.rel(rel_row), results.node(node_row)))
        for edges in out.values():
            edges.sort(key=lambda e: (e.rel.type, e.node.id, e.rel.id))
        return out

    return work


# --------------------------------------------------------------------------- everything


async def pages(tx: Tx, query: str, as_of: str | None, batch: int) -> AsyncIterator[list[Any]]:
    """Keyset pagination over an id-ordered page query (see graph/cypher.py)."""
    after = ""
    while True:
        rows = await results.rows(tx, query, after=after, batch=batch, as_of=as_of)
        if rows:
            yield rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


async def relationships_by_id(tx: Tx, batch: int) -> AsyncIterator[Relationship]:
    """All relationships in id order: a k-way merge of the per-type id-ordered pages,
    holding at most one page per type in memory."""
    streams = {t: pages(tx, cypher.relationship_page(t, False), None, batch) for t in RelType}
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
        yield results.rel(buffers[t].popleft())
        if buffers[t]:
            heapq.heappush(heap, (buffers[t][0][0], t))
        else:
            await refill(t)


async def graph_records(
    tx: Tx,
    rel_types: frozenset[RelType],
    as_of: str | None,
    batch: int,
    *,
    with_versions: bool = False,
) -> tuple[RevisionState, GraphRecords | None, dict[str, list[NodeVersion]]]:
    """Every node and every relationship of ``rel_types`` (valid at ``as_of`` when given),
    paged in batches, and with a date (or ``with_versions``) the versions of the nodes
    written more than once; ``None`` if the revision moved meanwhile (Neo4j reads are
    read-committed, so the pages could mix two revisions)."""
    dated = as_of is not None
    before = await results.revision_state(tx)
    versions = await history.node_versions(tx, batch) if dated or with_versions else {}
    found_nodes = [
        results.node(row)
        async for page in pages(tx, cypher.node_page(dated), as_of, batch)
        for row in page
    ]
    rels = [
        results.rel(row)
        for t in RelType
        if t in rel_types
        async for page in pages(tx, cypher.relationship_page(t, dated), as_of, batch)
        for row in page
    ]
    if await results.revision_state(tx) != before:
        return before, None, versions
    return before, GraphRecords(before[1], found_nodes, rels, before[0]), versions


@dataclass(frozen=True)
class Past:
    """What ``known_at`` rewinds (graph.history.rewind): today's records, every change set
    after the revision, when the revision was committed, and the node versions."""

    records: GraphRecords
    weights: Weights
    later: list[ChangeSet]
    at: dt.datetime | None
    versions: dict[str, list[NodeVersion]]


async def past_records(tx: Tx, revision: int, batch: int) -> Past | None:
    """Everything :class:`Past` holds, consistent with one revision; ``None`` if the
    revision moved meanwhile. Raises ``HistoryUnavailable`` for a revision history cannot
    reproduce."""
    at_head = await history.head(tx)
    check_known_at(revision, at_head.revision, at_head.start)
    state, found, _ = await graph_records(tx, frozenset(RelType), None, batch)
    if found is None or state != at_head.state:
        return None
    weights = results.weights(await results.rows(tx, cypher.NEED_WEIGHTS))
    later = await history.later(tx, revision, batch)
    at = await history.committed_at(tx, revision)
    versions = await history.node_versions(tx, batch)
    if await results.revision_state(tx) != state:
        return None
    return Past(found, weights, later, at, versions)
