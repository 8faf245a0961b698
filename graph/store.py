"""The ``GraphStore`` protocol that both stores implement, and the value types it speaks.

The API and the CLI only ever see this protocol, so swapping the embedded store for Neo4j is a
setting, and one contract test suite can prove the two behave the same.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import networkx as nx

from graph import keys
from graph.errors import ValidationError
from graph.history import SYSTEM, Author, ChangeFilter, ChangePage, PastRecords, RecordChange
from graph.keys import ApiKey
from graph.model import (
    FocusGroup,
    Node,
    NodeKind,
    Region,
    Relationship,
    RelType,
    Role,
    Sensitivity,
    WeightScope,
)

if TYPE_CHECKING:
    from graph.changes import Plan
    from graph.snapshot import Delta


class Direction(StrEnum):
    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


class SortOrder(StrEnum):
    """Stable orders: every order ends with the id, so pages never overlap or skip."""

    NAME = "NAME"
    ID = "ID"


@dataclass(frozen=True, slots=True)
class NodeFilter:
    """What ``find_nodes`` may filter on; ``None`` means "any".

    Geography of a node: a Member State is its own country; an actor is where it is BASED_IN
    (a regional organisation also by its ``region`` property); a programme or activity is
    every state it TARGETS plus an activity's ``location``. Theme: a programme or activity
    ADDRESSES it; an actor partners in such a programme or took part in such an activity.
    """

    kinds: frozenset[NodeKind] | None = None
    region: Region | None = None
    subregion: str | None = None
    country: str | None = None
    theme: str | None = None
    focus_group: FocusGroup | None = None
    role: Role | None = None
    sensitivity: Sensitivity | None = None
    active_as_of: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Node]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship seen from one of its ends: ``node`` is the other end."""

    rel: Relationship
    node: Node


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True, slots=True)
class NodeWrite:
    """Create or replace a node (props are validated against its kind on apply).

    ``create``: the node must not exist yet (nor be written earlier in the batch); checked in
    the same atomic step as the write, so of two concurrent creates of one id exactly one
    succeeds and the other fails with :class:`graph.errors.Conflict` (``field="id"``).
    """

    kind: str
    id: str
    props: dict[str, Any] = field(default_factory=dict)
    where: str | None = None
    create: bool = False
    #: The day this version of the node holds from (valid time); default: the day written.
    valid_from: str | None = None
    #: Keep the stored props that ``props`` does not name: a file that knows a few fields of a
    #: record (an IATI organisation's name and type) must not erase the rest (its sensitivity).
    merge: bool = False
    #: Props of a node that does not exist yet, under ``props``: the do-no-harm default of an
    #: imported non-state actor is to be restricted, but an existing actor keeps its own.
    defaults: dict[str, Any] = field(default_factory=dict)
    #: Provenance props (where the record came from, when) written only when the record is new
    #: or otherwise changes, so importing the same file twice changes nothing.
    stamp: dict[str, Any] = field(default_factory=dict)
    #: ``kind`` is a guess (the source did not type the record): a stored node keeps its own
    #: kind instead of the write being refused as a change of kind.
    kind_guessed: bool = False


@dataclass(frozen=True, slots=True)
class RelWrite:
    """Create or replace a relationship; endpoints may be nodes written earlier in the batch."""

    type: str
    id: str
    start: str
    end: str
    props: dict[str, Any] = field(default_factory=dict)
    where: str | None = None
    #: As for :class:`NodeWrite`: keep the stored props that ``props`` does not name.
    merge: bool = False
    #: As for :class:`NodeWrite`: provenance written only with a change.
    stamp: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RelEnd:
    """End a relationship on a date: history is kept, nothing is deleted."""

    id: str
    until: str
    where: str | None = None


Change = NodeWrite | RelWrite | RelEnd


@dataclass(frozen=True, slots=True)
class ApplyResult:
    revision: int
    nodes_written: int
    relationships_written: int
    #: What was planned (and written when it is not empty): an import reports from it.
    plan: Plan | None = field(default=None, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.nodes_written or self.relationships_written)


@dataclass(frozen=True, slots=True)
class GraphRecords:
    """Result of :meth:`GraphStore.records`: every node and every relationship of the types
    asked for, all read at ``revision``, in no particular order."""

    revision: int
    nodes: Sequence[Node]
    relationships: Sequence[Relationship]
    #: The database's epoch they were read in (Neo4j: a reset starts a new one, and with it
    #: revisions anew); None for a store that has none.
    epoch: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable view of the graph at a revision (and optionally as of a date).

    ``graph`` is a frozen ``networkx.MultiDiGraph``: node attribute ``kind`` plus the node's
    props, and for actors the derived ``country``/``region``/``subregion`` of where they are
    based; edges keyed by relationship id with attribute ``type`` plus the props.
    """

    revision: int
    as_of: str | None
    graph: nx.MultiDiGraph


# --------------------------------------------------------------------------- protocol


@runtime_checkable
class GraphStore(Protocol):
    #: What callers compute from this store and keep with it (the API's caches: api/core/
    #: cache.py, ``PerStore``), so that it goes when the store goes: ``close`` empties it. Kept
    #: on the store rather than in a map keyed by it, because what is kept refers back to the
    #: store, and a map's value that refers to its weak key keeps that key alive for good.
    attached: dict[object, Any]

    async def open(self) -> None: ...

    async def close(self) -> None:
        """Release the store's resources and empty ``attached``."""

    async def ping(self) -> None:
        """Raise :class:`graph.errors.StoreUnavailable` when the store cannot serve."""

    async def revision(self) -> int: ...

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]: ...

    async def get_relationships(self, ids: Sequence[str]) -> list[Relationship | None]: ...

    async def find_nodes(
        self,
        flt: NodeFilter,
        *,
        first: int,
        after: str | None = None,
        sort: SortOrder = SortOrder.NAME,
    ) -> Page: ...

    async def neighbours(
        self,
        ids: Sequence[str],
        *,
        types: Collection[RelType] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: str | None = None,
    ) -> dict[str, list[Edge]]: ...

    async def counts_by_kind(self) -> dict[NodeKind, int]: ...

    async def apply(
        self,
        changes: Sequence[Change],
        *,
        progress: Callable[[int], None] | None = None,
        author: Author = SYSTEM,
    ) -> ApplyResult:
        """Validate and write every change in one transaction, or none of them, with its
        change set (graph/history.py) made by ``author``. ``progress`` is told how many
        records have been written, as they are."""

    async def snapshot(self, as_of: str | None = None) -> Snapshot: ...

    async def records(self, rel_types: frozenset[RelType]) -> GraphRecords:
        """Every node and every relationship of ``rel_types``, read at one revision, as plain
        records: what an analysis that compiles its own index of the graph needs, without
        the cost of a :class:`Snapshot`'s networkx graph."""

    async def snapshot_of(
        self, records: GraphRecords, table: Mapping[str, dict[str, Any]] | None = None
    ) -> Snapshot:
        """The snapshot (undated) of ``records``, which must be every node and relationship
        of a revision as :meth:`records` read them: built from them without reading again,
        and kept as this store's snapshot of that revision, so that the snapshots after the
        writes since are derived from it. For a network made from the records first
        (api/centrality/service.py), whose next revision is derived from the two. ``table``:
        their node attributes as ``graph.snapshot.node_table`` and ``add_places`` make them,
        if the caller has them (the snapshot shares the dicts)."""

    def written(self, since: int, until: int) -> Delta | None:
        """What the writes after revision ``since`` up to ``until`` stored (the newest version
        of each record written, and the nodes created), when this process made them all and
        still has them at hand (the last few hundred); else None. For deriving a result of
        ``until`` from one of ``since`` rather than computing it from every record."""

    async def need_weights(self) -> dict[tuple[WeightScope, str], float]:
        """Need/priority weights set so far; anything absent weighs 1."""

    async def set_need_weights(
        self,
        weights: Mapping[tuple[WeightScope, str], float],
        *,
        replace: bool = False,
        author: Author = SYSTEM,
    ) -> int:
        """Store weights atomically (``replace`` drops all others first); returns the new
        revision, which a change of weights bumps like any write, with its change set."""

    # History (graph/history.py): read-only; nothing edits or deletes a change set.

    async def history_start(self) -> int:
        """The first revision history can reproduce: 0, or the revision a store written
        before history existed was at when history began."""

    async def change_sets(
        self,
        flt: ChangeFilter,
        *,
        first: int,
        after: int | None = None,
        newest_first: bool = False,
    ) -> ChangePage:
        """Change sets matching ``flt`` by revision (oldest first unless ``newest_first``),
        from the one after revision ``after``. Their ``changes`` hold the records of
        ``flt.node`` if it is given, else nothing (see :meth:`change_records`)."""

    async def change_records(
        self, revision: int, *, first: int, after: int = 0
    ) -> list[tuple[int, RecordChange]]:
        """Records of one change set as (position from 1, change), from position ``after``+1."""

    async def revision_at(self, at: datetime) -> int:
        """The revision the store held at ``at``: that of the last change set made at or
        before it (``history_start()`` if none was)."""

    async def known_at(self, revision: int) -> PastRecords:
        """Every record as the store held it at ``revision`` (:func:`graph.history.rewind`);
        :class:`graph.history.HistoryUnavailable` for a revision it cannot reproduce."""

    def export_records(self) -> AsyncIterator[Node | Relationship]:
        """Every node sorted by id, then every relationship sorted by id."""

    # API keys (graph/keys.py). Keys are not graph data: creating or revoking one never bumps
    # the revision (so it never invalidates snapshots, analytics caches or ETags), and keys
    # never appear in ``export_records``, ``snapshot`` or ``records``, nor are they touched by
    # ``apply``/imports or ``set_need_weights``.

    async def create_key(self, record: ApiKey) -> None:
        """Store a new, active key record (checked with :func:`graph.keys.check_new`).
        :class:`graph.errors.Conflict` with ``field="name"`` if an active key already has the
        name (names are unique among non-revoked keys only, so a revoked key's name can be
        reused), with ``field="id"`` if the id is taken. Does not bump the revision."""

    async def get_key(self, key_id: str) -> ApiKey | None:
        """The record with this id, revoked or not (check ``record.active``), or ``None``.
        Every authenticated request calls this, so it is an indexed lookup (the embedded
        store answers from memory)."""

    async def list_keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first (then by id)."""

    async def revoke_key(self, key_id: str, at: datetime) -> bool:
        """Mark the key revoked at ``at`` (timezone-aware). ``True`` if this call revoked it;
        ``False`` if there is no such key or it was already revoked (its first revocation time
        is kept). Does not bump the revision."""


# --------------------------------------------------------------------------- helpers


async def get_node(store: GraphStore, node_id: str) -> Node | None:
    return (await store.get_nodes([node_id]))[0]


async def authenticate(store: GraphStore, token: str | None) -> ApiKey | None:
    """The active key whose token was presented (the part after ``Authorization: Bearer``),
    or ``None`` for no token, a malformed token, an unknown id, a wrong secret or a revoked
    key. One indexed lookup by the token's id, one hash and a constant-time comparison;
    never raises for bad input. Store failures (:class:`graph.errors.StoreUnavailable`)
    propagate: the caller should answer 503, not treat the caller as anonymous."""
    parsed = keys.parse_presented(token)
    if parsed is None:
        return None
    key_id, secret = parsed
    return keys.check(await store.get_key(key_id), secret)


def encode_key(key: Sequence[str]) -> str:
    """An opaque token holding ``key``: base64 of its JSON array. Every cursor is one, the
    store's (below) and the API's (``api/core/paging.py``), so there is one codec."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_key(token: str) -> tuple[str, ...] | None:
    """The key inside a token of :func:`encode_key`; None when ``token`` is no such token."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError, RecursionError):  # RecursionError: "[[[[..." nested deep
        return None
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        return None
    return tuple(key)


def encode_cursor(sort: SortOrder, node: Node) -> str:
    return encode_key(sort_key(sort, node))


def decode_cursor(cursor: str) -> tuple[str, ...]:
    key = decode_key(cursor)
    if key is None:
        raise ValidationError("is not a cursor returned by this API", field="after")
    return key


def sort_key(sort: SortOrder, node: Node) -> tuple[str, ...]:
    return (node.name.lower(), node.id) if sort is SortOrder.NAME else (node.id,)
