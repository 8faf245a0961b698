"""History: one change set per committed write, and the graph as it was.

Two clocks (docs/HISTORY.md):

- **Recorded time**: what the database said at a revision. Every write that bumps the
  revision (mutation, import, seed, need weights) stores one :class:`ChangeSet`, append-only,
  in the same transaction as the write: who made it, when, and for every node, relationship
  or weight it touched the value before and after. :func:`rewind` turns today's records back
  into those of an earlier revision by undoing, newest first, every change set after it, so
  nothing but the change sets has to be kept to answer ``knownAt``.
- **Valid time**: what was true in the world on a date. Relationships carry it as
  ``since``/``until``; a node's properties carry it as versions, each valid from a date (the
  ``validFrom`` of the write, else the day it was written). :func:`node_at` picks the version
  of a date.

Both stores record and read change sets through the same types and the same two functions,
so the contract tests hold them to one behaviour. Protection never weakens with time: a
node shown as it was, at any date or revision, takes the strictest of its sensitivity then
and its sensitivity now (:func:`strictest`), so a past version never reveals what is
restricted today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.errors import ValidationError
from graph.model import Node, NodeKind, Relationship, RelType, Sensitivity, WeightScope

if TYPE_CHECKING:
    from graph.memory import MemoryGraph

Weights = dict[tuple[WeightScope, str], float]


class Entity(StrEnum):
    """What a record change is about."""

    NODE = "NODE"
    RELATIONSHIP = "RELATIONSHIP"
    NEED_WEIGHT = "NEED_WEIGHT"


@dataclass(frozen=True, slots=True)
class Author:
    """Who made a write: an API key's name and role, ``cli:<user>`` on the command line, or
    the seed loader. ``via`` says through what (``mutation``, ``import``, ``seed``,
    ``weights``, ``cli``)."""

    name: str
    role: str
    via: str
    key_id: str | None = None


#: Writes made by code with nobody behind them (tests, benchmarks).
SYSTEM = Author("system", "system", "system")


class RecordChange(NamedTuple):
    """One record's value before and after a write (``None``: it did not exist).

    ``id`` is the node or relationship id, or ``SCOPE:key`` for a need weight; ``kind`` the
    node kind, relationship type or ``NeedWeight``; ``valid_from`` the day a node's new
    version holds from (nodes only). A named tuple rather than a frozen dataclass: a bulk
    write makes one per record, and a frozen dataclass takes three times as long to make."""

    entity: Entity
    id: str
    kind: str
    before: Node | Relationship | float | None
    after: Node | Relationship | float | None
    valid_from: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """One committed write. ``changes`` may be only part of its records (a page, or the
    records of one node): ``size`` is how many it has in all."""

    revision: int
    at: dt.datetime
    author: Author
    size: int
    changes: tuple[RecordChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which change sets to list; ``None`` means any. Revisions and times are inclusive.

    ``node`` keeps change sets that touched that node or relationship id (and lists only its
    records); ``kinds`` those that touched a record of one of these kinds or types;
    ``author`` those made by that key name, ``key_id`` by that caller (``Author.key_id``)."""

    node: str | None = None
    kinds: frozenset[str] | None = None
    author: str | None = None
    key_id: str | None = None
    from_revision: int | None = None
    to_revision: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ChangePage:
    items: list[ChangeSet]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class NodeVersion:
    """A node as one write left it, valid from ``valid_from`` (``""``: always, the first
    version of a node created without a date), recorded at ``revision``."""

    valid_from: str
    revision: int
    node: Node


#: Versions of the nodes with more than one known value, oldest revision first (a node that
#: existed before history began has its value before its first recorded change as a first
#: version). Nodes with one have one version, the current record, and are not listed.
Versions = Mapping[str, Sequence[NodeVersion]]


@dataclass(frozen=True, slots=True)
class PastRecords:
    """Every record as the database held it at ``revision`` (``knownAt``), indexed as the
    embedded store indexes them, with sensitivity already made the strictest of then and
    now, and the node versions known then."""

    revision: int
    at: dt.datetime | None
    graph: MemoryGraph
    weights: Weights
    versions: dict[str, list[NodeVersion]] = field(default_factory=dict)

    @property
    def nodes(self) -> dict[str, Node]:
        return self.graph.nodes

    @property
    def relationships(self) -> dict[str, Relationship]:
        return self.graph.rels


class HistoryUnavailable(ValidationError):
    """``knownAt`` asks for a revision the store has no history for."""


# --------------------------------------------------------------------------- rules

_OWN_DATES = ("since", "until")


def strictest(then: Node, now: Node | None) -> Node:
    """``then`` with the stricter of its sensitivity and ``now``'s: restricted at either
    time means restricted."""
    if now is None or then.props.get("sensitivity") == Sensitivity.RESTRICTED:
        return then
    if now.props.get("sensitivity") != Sensitivity.RESTRICTED:
        return then
    return replace(then, props={**then.props, "sensitivity": Sensitivity.RESTRICTED.value})


def node_at(current: Node, versions: Sequence[NodeVersion] | None, day: str | None) -> Node:
    """The version of a node valid on ``day``: the one with the latest ``valid_from`` on or
    before it (the later write on a tie), or the earliest version for a day before them all.
    Without a day, or with one version, the current record. A node's own ``since`` and
    ``until`` are always the current ones, and sensitivity the strictest of then and now.

    >>> a = Node("a", NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"name": "A", "sensitivity": "PUBLIC"})
    >>> b = Node("a", NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"name": "B", "sensitivity": "PUBLIC"})
    >>> vs = [NodeVersion("2020-01-01", 1, a), NodeVersion("2024-06-01", 2, b)]
    >>> node_at(b, vs, "2023-12-31").name, node_at(b, vs, "2024-06-01").name
    ('A', 'B')
    """
    if day is None or not versions or len(versions) < 2:
        return current
    best: NodeVersion | None = None
    for v in versions:
        if v.valid_from <= day and (
            best is None or (v.valid_from, v.revision) >= (best.valid_from, best.revision)
        ):
            best = v
    if best is None:
        best = min(versions, key=lambda v: (v.valid_from, -v.revision))
    if best.node is current:
        return current
    # A node's own dates say when it existed at all: what is known of them now holds for
    # every version (a version's dates are not a valid time of themselves).
    props = {k: v for k, v in best.node.props.items() if k not in _OWN_DATES}
    props.update((k, current.props[k]) for k in _OWN_DATES if k in current.props)
    return strictest(replace(best.node, props=props), current)


def weight_id(scope: WeightScope, key: str) -> str:
    return f"{scope.value}:{key}"


def weight_changes(before: Weights, after: Weights) -> list[RecordChange]:
    """The record changes of a write of need weights."""
    out = []
    for scope, key in sorted(before.keys() | after.keys()):
        old, new = before.get((scope, key)), after.get((scope, key))
        if old != new:
            wid = weight_id(scope, key)
            out.append(RecordChange(Entity.NEED_WEIGHT, wid, "NeedWeight", old, new))
    return out


def record_changes(
    nodes: Iterable[Node],
    rels: Iterable[Relationship],
    before_nodes: Mapping[str, Node],
    before_rels: Mapping[str, Relationship],
    valid_from: Mapping[str, str],
    day: str,
) -> list[RecordChange]:
    """The record changes of a planned write. A node's new version holds from ``valid_from``
    if the write said so; else an update holds from ``day`` (the day it is written) and a
    creation from always (``None``): nothing says the node was ever otherwise."""
    out = [
        RecordChange(
            Entity.NODE,
            n.id,
            n.kind.value,
            before_nodes.get(n.id),
            n,
            valid_from.get(n.id, day if n.id in before_nodes else None),
        )
        for n in nodes
    ]
    out += (
        RecordChange(Entity.RELATIONSHIP, r.id, r.type.value, before_rels.get(r.id), r)
        for r in rels
    )
    return out


def add_versions(
    versions: dict[str, list[NodeVersion]],
    revision: int,
    changes: Iterable[RecordChange],
    first_seen: Mapping[str, NodeVersion] | None = None,
) -> None:
    """Keep ``versions`` (of nodes written more than once) up to date after a write.
    ``first_seen`` gives the one version of nodes not yet listed (their current record and
    when it was written); without it, a node's earlier version is rebuilt from ``before``
    with an unknown date, which sorts first."""
    for c in changes:
        if c.entity is not Entity.NODE or not isinstance(c.after, Node):
            continue
        new = NodeVersion(c.valid_from or "", revision, c.after)
        listed = versions.get(c.id)
        if listed is not None:
            listed.append(new)
        elif isinstance(c.before, Node):
            old = (first_seen or {}).get(c.id) or NodeVersion("", revision - 1, c.before)
            versions[c.id] = [old, new]


# --------------------------------------------------------------------------- rewinding


def rewind(
    revision: int,
    nodes: Mapping[str, Node],
    rels: Mapping[str, Relationship],
    weights: Weights,
    later: Iterable[ChangeSet],
    versions: Mapping[str, Sequence[NodeVersion]],
    at: dt.datetime | None,
) -> PastRecords:
    """Today's records turned back to ``revision``: :func:`rewind_graph` on an index of them."""
    from graph.memory import MemoryGraph  # graph.memory builds on graph.store, which needs us

    graph = MemoryGraph()
    for node in nodes.values():
        graph.put_node(node)
    for rel in rels.values():
        graph.put_relationship(rel)
    return rewind_graph(revision, graph, weights, later, versions, at)


def rewind_graph(
    revision: int,
    graph: MemoryGraph,
    weights: Weights,
    later: Iterable[ChangeSet],
    versions: Mapping[str, Sequence[NodeVersion]],
    at: dt.datetime | None,
) -> PastRecords:
    """``graph`` (today's records, a fork of them: it is changed) turned back to
    ``revision`` by undoing ``later`` (every change set after it, each with all its
    records), newest first; then each node it changed made the strictest of then and now
    (an unchanged node is today's), and only the versions known at ``revision`` kept."""
    today: dict[str, Node | None] = {}  # the nodes changed, as they are today
    past_weights = dict(weights)
    for cs in sorted(later, key=lambda c: c.revision, reverse=True):
        if cs.revision <= revision:
            continue
        for c in reversed(cs.changes):
            if c.entity is Entity.NODE:
                today.setdefault(c.id, graph.nodes.get(c.id))
                if c.before is None:
                    graph.remove_node(c.id)
                else:
                    assert isinstance(c.before, Node)
                    graph.put_node(c.before)
            elif c.entity is Entity.RELATIONSHIP:
                if c.before is None:
                    graph.remove_relationship(c.id)
                else:
                    assert isinstance(c.before, Relationship)
                    graph.put_relationship(c.before)
            else:
                scope, _, key = c.id.partition(":")
                _restore(past_weights, (WeightScope(scope), key), c.before)
    for node_id, now in today.items():
        then = graph.nodes.get(node_id)
        if then is not None:
            graph.nodes[node_id] = strictest(then, now)
    known: dict[str, list[NodeVersion]] = {}
    for node_id, listed in versions.items():
        now = today[node_id] if node_id in today else graph.nodes.get(node_id)
        kept = [
            NodeVersion(v.valid_from, v.revision, strictest(v.node, now))
            for v in listed
            if v.revision <= revision
        ]
        if len(kept) > 1:
            known[node_id] = kept
    return PastRecords(revision, at, graph, past_weights, known)


def _restore(records: dict[Any, Any], key: Any, before: object) -> None:
    if before is None:
        records.pop(key, None)
    else:
        records[key] = before


def check_known_at(revision: int, current: int, history_from: int) -> None:
    """Refuse a ``knownAt`` revision the store cannot rewind to."""
    if revision > current:
        raise HistoryUnavailable(
            f"revision {revision} is not recorded yet: the store is at revision {current}",
            field="knownAt",
        )
    if revision < history_from:
        raise HistoryUnavailable(
            f"history starts at revision {history_from}: this store was written without "
            f"history before it, so revision {revision} cannot be reproduced",
            field="knownAt",
        )


# --------------------------------------------------------------------------- storage


def encode_value(value: Node | Relationship | float | None) -> dict[str, Any] | None:
    """A record's value as JSON-ready data, as both stores keep it."""
    if value is None:
        return None
    if isinstance(value, Node):
        return {"kind": value.kind.value, "props": dict(value.props)}
    if isinstance(value, Relationship):
        return {
            "type": value.type.value,
            "start": value.start,
            "end": value.end,
            "props": dict(value.props),
        }
    return {"weight": value}


def decode_value(
    entity: Entity, record_id: str, data: Mapping[str, Any] | None
) -> Node | Relationship | float | None:
    if data is None:
        return None
    if entity is Entity.NODE:
        return Node(record_id, NodeKind(data["kind"]), data["props"])
    if entity is Entity.RELATIONSHIP:
        return Relationship(
            record_id, RelType(data["type"]), data["start"], data["end"], data["props"]
        )
    return float(data["weight"])


def utc_text(at: dt.datetime) -> str:
    """A timestamp as both stores keep it: UTC, ISO 8601, microseconds, sortable as text."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_utc_text(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
