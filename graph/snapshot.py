"""The immutable networkx view that analytics read: built the same way for both stores, and
after a write derived from the one before it rather than built again.

**Canonical order.** A snapshot lists its nodes by id and its relationships by id (each
node's neighbours in the order of their first relationship id), whichever store it comes
from and whatever order the writes came in. So a snapshot derived after writes is the very
graph a full build gives, attribute for attribute and in the same order, and anything
computed from it (a sum of floats included) comes out the same after a restart.

**After a write** (:func:`advance`). Building a snapshot costs about 4 s at 100,000 actors;
a write touches a handful of records. A store records each committed write as a
:class:`Delta`, and :class:`SnapshotCache` derives the next revision's snapshot from a
cached one by copying the three top-level dicts of its networkx graph (node attributes,
successors, predecessors: shallow, a few milliseconds) and, below them, only the entries the
write touched; everything else is shared with the previous snapshot, which is never changed.
Only a node whose own dates move it into or out of the snapshot's date is left to a full
build: its other relationships are not in the delta. A derived snapshot keeps a record of
what it changed (:func:`changes`: the nodes and pairs), so that the analysed network can
follow it without looking for them (analytics/advance.py); a neighbour it adds to a node is
merged into the node's order by bisection rather than by sorting every neighbour again.

This reaches into networkx's storage (``_node``, ``_succ``, ``_pred``, ``_adj``): networkx
offers no public way to share structure between graphs, and filling that storage directly
also builds a snapshot in a quarter of the time ``add_edges_from`` takes (per-call checks and
attribute merging, a million times). ``tests/contract/test_snapshots.py`` holds every built
snapshot equal to one made through networkx's public API, and every derived snapshot equal,
in content and order, to a full build after random write sequences on both stores, so a
networkx change that breaks this fails there.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import threading
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
from cachetools import LRUCache

from graph.bulk import paused_gc
from graph.changes import Plan
from graph.history import Versions, node_at
from graph.model import ACTOR_KINDS, Node, NodeKind, Relationship, RelType, interval_contains
from graph.reference import MemberStateRef, member_states
from graph.store import GraphRecords, Snapshot

if TYPE_CHECKING:
    from graph.dated import DateIndex

#: A snapshot's node attributes by id, in id order (:func:`node_table`, :func:`add_places`).
NodeTable = Mapping[str, dict[str, Any]]
#: A revision's nodes and relationships by id, and its node versions.
DatedRecords = tuple[Mapping[str, Node], Mapping[str, Relationship], Versions | None]

_ACTOR_KINDS = frozenset(k.value for k in ACTOR_KINDS)
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Stats:
    """Snapshots built in full, derived from an earlier revision's, and stepped from another
    date's (the tests read it)."""

    built: int = 0
    derived: int = 0
    stepped: int = 0


STATS = Stats()
_GEO = ("country", "region", "subregion")


@dataclass(frozen=True)
class Delta:
    """One committed write as snapshots need it: the new version of every node and
    relationship it wrote, and which of those nodes it created."""

    revision: int
    nodes: tuple[Node, ...]
    relationships: tuple[Relationship, ...]
    created_nodes: frozenset[str]
    #: Nodes written by more than one of the writes merged into this delta: they have
    #: versions, and at a snapshot's date an earlier one than the newest may hold.
    rewritten: frozenset[str] = frozenset()


def delta_of(plan: Plan | None, revision: int) -> Delta:
    """The delta of a committed write (``None``: one that changed no node or relationship,
    such as need weights, but still took a revision)."""
    if plan is None:
        return Delta(revision, (), (), frozenset())
    return Delta(revision, tuple(plan.nodes), tuple(plan.relationships), plan.created_nodes)


def build_snapshot(
    revision: int,
    nodes: Iterable[Node],
    rels: Iterable[Relationship],
    as_of: str | None = None,
    versions: Versions | None = None,
    *,
    table: NodeTable | None = None,
) -> Snapshot:
    """Nodes and relationships valid at ``as_of`` (all of them when None), frozen, in id order.
    A node written more than once is shown as its version valid at ``as_of``
    (:func:`graph.history.node_at`).

    Actors gain ``country``, ``region`` and ``subregion`` from the state they are BASED_IN
    (the lowest ISO3 if several), so analytics can group without walking the graph again
    (:func:`add_places`). ``table``: the nodes' attributes so made already (undated only).
    """
    if table is not None and (as_of is not None or versions):
        raise ValueError("a node table is taken for an undated snapshot only")
    with paused_gc():
        node = node_table(nodes, as_of, versions) if table is None else dict(table)
        succ: dict[str, dict[str, dict[str, Any]]] = {v: {} for v in node}
        pred: dict[str, dict[str, dict[str, Any]]] = {v: {} for v in node}
        if as_of is None:  # every relationship holds: no need to ask each
            kept = [r for r in rels if r.start in node and r.end in node]
        else:
            kept = [r for r in rels if r.start in node and r.end in node and r.valid_at(as_of)]
        kept.sort(key=attrgetter("id"))
        # What MultiDiGraph.add_edge stores, without its per-call checks: a quarter of the
        # time. One dict of relationships per pair, shared by both ends; relationships of one
        # type sharing one properties dict (the embedded store shares those that are equal:
        # graph/embedded.py) share one attributes dict too, as nothing writes to a snapshot's.
        # The key holds the dict's id while every record is alive; ``_value_`` is the enum's
        # plain attribute (``.value`` is a descriptor call).
        made: dict[tuple[str, int], dict[str, Any]] = {}
        for r in kept:
            out = succ[r.start]
            keyed = out.get(r.end)
            if keyed is None:
                keyed = out[r.end] = pred[r.end][r.start] = {}
            props = r.props
            key = (r.type._value_, id(props))
            data = made.get(key)
            if data is None:
                data = made[key] = {"type": key[0], **props}
            keyed[r.id] = data
    if table is None:
        add_places(node, kept)
    return _frozen(revision, as_of, node, succ, pred)


def snapshot_of(records: GraphRecords, table: NodeTable | None = None) -> Snapshot:
    """The undated snapshot of a revision's records (``GraphStore.snapshot_of``); with the
    records' node table (:func:`node_table` then :func:`add_places`) when the caller has made
    it already, whose attribute dicts it then shares."""
    return build_snapshot(records.revision, records.nodes, records.relationships, table=table)


def node_table(
    nodes: Iterable[Node], as_of: str | None = None, versions: Versions | None = None
) -> dict[str, dict[str, Any]]:
    """A snapshot's node attributes by id, in id order, before :func:`add_places`: each node
    valid at ``as_of`` (all when None), as its version then, with its ``kind`` and props."""
    node: dict[str, dict[str, Any]] = {}
    for n in sorted(nodes, key=attrgetter("id")):
        if versions and n.id in versions:
            n = node_at(n, versions[n.id], as_of)
        if interval_contains(n.props, as_of):
            node[n.id] = {"kind": n.kind._value_, **n.props}
    return node


def add_places(node: dict[str, dict[str, Any]], rels: Iterable[Relationship]) -> None:
    """Give the actors of a fresh :func:`node_table` the ``country``, ``region`` and
    ``subregion`` of the state they are BASED_IN (the lowest ISO3 if several), and member
    states their own ``country``, so that analytics group without walking the graph again.
    ``rels`` are the snapshot's relationships (one with an end not in ``node`` counts not)."""
    based_in: dict[str, str] = {}
    for r in rels:
        if (
            r.type is RelType.BASED_IN
            and r.end in node
            and (r.start not in based_in or r.end < based_in[r.start])
        ):
            based_in[r.start] = r.end
    states = member_states()
    for node_id, attrs in node.items():
        kind = attrs["kind"]
        if kind == NodeKind.MEMBER_STATE:
            attrs["country"] = node_id
        elif kind in _ACTOR_KINDS and node_id in based_in:
            attrs.update(_place(states[based_in[node_id]]))


def _frozen(
    revision: int,
    as_of: str | None,
    node: dict[str, dict[str, Any]],
    succ: dict[str, dict[str, dict[str, Any]]],
    pred: dict[str, dict[str, dict[str, Any]]],
) -> Snapshot:
    """A frozen MultiDiGraph over storage built here (see the module on why)."""
    g = nx.MultiDiGraph(revision=revision, as_of=as_of)
    g._node = node
    g._adj = g._succ = succ
    g._pred = pred
    return Snapshot(revision=revision, as_of=as_of, graph=nx.freeze(g))


@dataclass(frozen=True)
class Changes:
    """What a derived snapshot's graph changed from the one it was derived from, so that
    what follows it (the analysed network: analytics/advance.py) need not look for it.

    ``nodes``: those of the new graph whose attributes, successors or predecessors are not
    the very dicts they were; ``pairs``: every (start, end) whose relationships were put or
    taken out (an end may be gone). A node gone takes its relationships with it unlisted."""

    base: weakref.ref[nx.MultiDiGraph]
    nodes: frozenset[str]
    pairs: frozenset[tuple[str, str]]


_CHANGES: weakref.WeakKeyDictionary[nx.MultiDiGraph, Changes] = weakref.WeakKeyDictionary()
_CHANGES_LOCK = threading.Lock()  # drafts finish in worker threads


def changes(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> Changes | None:
    """What ``new`` changed from ``old``, if it was derived from that very graph (stepped to
    another date or advanced after a write); ``None`` if it was not, or built in full.

    >>> g = build_snapshot(1, [], []).graph
    >>> changes(g, g) is None
    True
    """
    with _CHANGES_LOCK:
        found = _CHANGES.get(new)
    return found if found is not None and found.base() is old else None


class Draft:
    """The next snapshot's storage while a delta is applied: copies of the previous one's
    top-level dicts, and below them a copy of each entry on its first change. What it
    changed is recorded for :func:`changes`; attributes are set by :meth:`set_attrs`."""

    def __init__(self, old: nx.MultiDiGraph) -> None:
        self._base = old
        self.node: dict[str, dict[str, Any]] = dict(old._node)
        self.succ: dict[str, dict[str, dict[str, Any]]] = dict(old._succ)
        self.pred: dict[str, dict[str, dict[str, Any]]] = dict(old._pred)
        self._own_succ: set[str] = set()
        self._own_pred: set[str] = set()
        self._unordered: set[tuple[str, str]] = set()
        self._appended: dict[tuple[str, str], list[str]] = {}
        self._attrs_set: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()
        self.reorder_nodes = False

    def succ_of(self, u: str) -> dict[str, dict[str, Any]]:
        if u not in self._own_succ:
            self.succ[u] = dict(self.succ[u])
            self._own_succ.add(u)
        return self.succ[u]

    def pred_of(self, v: str) -> dict[str, dict[str, Any]]:
        if v not in self._own_pred:
            self.pred[v] = dict(self.pred[v])
            self._own_pred.add(v)
        return self.pred[v]

    def set_attrs(self, node_id: str, attrs: dict[str, Any]) -> None:
        """Replace a node's attributes (a new dict: the old one may be shared)."""
        self.node[node_id] = attrs
        self._attrs_set.add(node_id)

    def add_node(self, node_id: str, attrs: dict[str, Any]) -> None:
        if self.node and node_id < next(reversed(self.node)):
            self.reorder_nodes = True
        self.node[node_id] = attrs
        self.succ[node_id], self.pred[node_id] = {}, {}
        self._own_succ.add(node_id)
        self._own_pred.add(node_id)

    def remove_node(self, node_id: str, placing: str) -> set[str]:
        """Take a node out with its relationships; returns the nodes that had a relationship
        of type ``placing`` to it (their place must be derived again)."""
        placed = {
            u
            for u, keyed in self.pred[node_id].items()
            if any(d["type"] == placing for d in keyed.values())
        }
        for v in self.succ[node_id]:
            if v != node_id:
                del self.pred_of(v)[node_id]
        for u in self.pred[node_id]:
            if u != node_id:
                del self.succ_of(u)[node_id]
        del self.node[node_id], self.succ[node_id], self.pred[node_id]
        self._own_succ.discard(node_id)
        self._own_pred.discard(node_id)
        self._unordered = {(side, n) for side, n in self._unordered if n != node_id}
        self._appended.pop(("s", node_id), None)
        self._appended.pop(("p", node_id), None)
        return placed - {node_id}

    def set_edge(self, u: str, v: str, key: str, data: dict[str, Any] | None) -> None:
        """Put (or, with ``data=None``, take out) relationship ``key`` from ``u`` to ``v``.
        Each pair's relationships stay in id order; a node whose neighbours may have left
        the order of their first relationship is put back in order once, in :meth:`finish`
        (a write of ten thousand partnerships of one programme sorts its partners once):
        new neighbours, which come last, are merged into the others by bisection; a
        neighbour whose first relationship changed has the node's neighbours sorted again."""
        self._pairs.add((u, v))
        keyed = dict(self.succ[u].get(v, {}))
        if data is None:
            del keyed[key]
        else:
            out_of_order = key not in keyed and bool(keyed) and key < next(reversed(keyed))
            keyed[key] = data
            if out_of_order:
                keyed = dict(sorted(keyed.items()))
        first = next(iter(keyed)) if keyed else None
        for side, outer, inner, of in (("s", u, v, self.succ_of), ("p", v, u, self.pred_of)):
            around = of(outer)
            before = around.get(inner)
            if first is None:
                del around[inner]  # the others keep their order
                continue
            if before is None:  # a new neighbour comes last: in order if its first is
                row = (side, outer)
                appended = self._appended.get(row)
                if appended is not None:  # after one out of order, every one is merged
                    appended.append(inner)
                elif around and first < next(iter(next(reversed(around.values())))):
                    self._appended[row] = [inner]
            elif next(iter(before)) != first:
                self._unordered.add((side, outer))
            around[inner] = keyed

    def finish(self, revision: int, as_of: str | None) -> Snapshot:
        for side, outer in self._unordered:
            around = (self.succ if side == "s" else self.pred)[outer]
            ordered = sorted(around.items(), key=_first)
            around.clear()
            around.update(ordered)
        for (side, outer), appended in self._appended.items():
            if (side, outer) not in self._unordered:
                _merge_appended((self.succ if side == "s" else self.pred)[outer], appended)
        if self.reorder_nodes:
            order = sorted(self.node)
            self.node = dict(zip(order, map(self.node.__getitem__, order), strict=True))
            self.succ = dict(zip(order, map(self.succ.__getitem__, order), strict=True))
            self.pred = dict(zip(order, map(self.pred.__getitem__, order), strict=True))
        snap = _frozen(revision, as_of, self.node, self.succ, self.pred)
        touched = (self._own_succ | self._own_pred | self._attrs_set) & self.node.keys()
        found = Changes(weakref.ref(self._base), frozenset(touched), frozenset(self._pairs))
        with _CHANGES_LOCK:
            _CHANGES[snap.graph] = found
        return snap


def _first(item: tuple[str, dict[str, Any]]) -> str:
    """A pair's first relationship id: what a node's neighbours are ordered by."""
    return next(iter(item[1]))


def _merge_appended(around: dict[str, dict[str, Any]], appended: list[str]) -> None:
    """Put the neighbours ``appended`` to ``around`` (in order before them) in their places:
    those still there are its last entries (reading a few of the others' relationships, not
    all: at scale, reading each is a cache miss)."""
    tail = len(dict.fromkeys(w for w in appended if w in around))
    if tail:
        merged = merged_tail(around, tail, _first)
        around.clear()
        around.update(merged)


def merged_tail(
    row: Mapping[K, V], tail: int, key: Callable[[tuple[K, V]], str]
) -> list[tuple[K, V]]:
    """The items of ``row`` in ``key`` order, given that all but its last ``tail`` are: each of
    those merged in by bisection, so a few new neighbours cost a few comparisons, not a sort.

    >>> merged_tail({"a": 1, "c": 3, "b": 2}, 1, lambda item: item[0])
    [('a', 1), ('b', 2), ('c', 3)]
    """
    items = list(row.items())
    head, new = items[:-tail], sorted(items[-tail:], key=key)
    merged: list[tuple[K, V]] = []
    lo = 0
    for item in new:
        at = bisect.bisect_left(head, key(item), lo=lo, key=key)
        merged += head[lo:at]
        merged.append(item)
        lo = at
    return merged + head[lo:]


def advance(snap: Snapshot, delta: Delta) -> Snapshot | None:
    """The snapshot at ``delta.revision``, from ``snap`` at the revision before it; ``None``
    when a node of the delta enters or leaves the snapshot's date without being created by it
    (its other relationships are not in the delta), or, in a dated snapshot, when the delta
    updates a node (the version it adds may hold at the date or not): build it in full."""
    as_of = snap.as_of
    if as_of is not None and (
        delta.rewritten or not delta.created_nodes.issuperset(n.id for n in delta.nodes)
    ):
        return None  # an update adds a version, which may or may not hold at the date
    draft = Draft(snap.graph)
    touched: set[str] = set()
    for n in delta.nodes:
        valid, present = interval_contains(n.props, as_of), n.id in draft.node
        if valid and not present and n.id in delta.created_nodes:
            draft.add_node(n.id, {"kind": n.kind.value, **n.props})
        elif valid != present:
            return None
        elif valid:
            draft.set_attrs(n.id, {"kind": n.kind.value, **n.props})  # place: _place_actors
        touched.add(n.id)
    for r in delta.relationships:
        was = r.id in draft.succ.get(r.start, {}).get(r.end, {})
        now = r.start in draft.node and r.end in draft.node and r.valid_at(as_of)
        if now:
            draft.set_edge(r.start, r.end, r.id, {"type": r.type.value, **r.props})
        elif was:
            draft.set_edge(r.start, r.end, r.id, None)
        if r.type is RelType.BASED_IN and (was or now):
            touched.add(r.start)
    if not _place_actors(draft, touched & draft.node.keys(), {n.id for n in delta.nodes}):
        return None
    return draft.finish(delta.revision, as_of)


def _place_actors(draft: Draft, nodes: set[str], written: Collection[str]) -> bool:
    """``country``/``region``/``subregion`` of the touched nodes, as :func:`build_snapshot`
    derives them; ``False`` when an actor not in the delta lost its last place (its own
    props, which the attributes would fall back to, are not at hand)."""
    states = member_states()
    for node_id in nodes:
        attrs = draft.node[node_id]
        if attrs["kind"] == NodeKind.MEMBER_STATE:
            if attrs.get("country") != node_id:
                draft.set_attrs(node_id, {**attrs, "country": node_id})
            continue
        if attrs["kind"] not in _ACTOR_KINDS:
            continue
        places = [
            v
            for v, keyed in draft.succ[node_id].items()
            if any(d["type"] == RelType.BASED_IN.value for d in keyed.values())
        ]
        if places:
            geo = _place(states[min(places)])
            if any(k not in attrs or attrs[k] != geo[k] for k in _GEO):
                draft.set_attrs(node_id, {**attrs, **geo})
        elif node_id not in written and any(k in attrs for k in _GEO):
            return False  # (a written node's attributes are its props already: advance)
    return True


def _place(ref: MemberStateRef) -> dict[str, Any]:
    """The attributes an actor gains from the state it is based in."""
    return {"country": ref.iso3, "region": ref.region, "subregion": ref.subregion}


def _merged(deltas: list[Delta]) -> Delta:
    """Several consecutive writes as one (the last version of each record): a burst of writes
    costs one pass over the snapshot's top-level dicts, not one per write."""
    if len(deltas) == 1:
        return deltas[0]
    nodes = {n.id: n for d in deltas for n in d.nodes}
    rels = {r.id: r for d in deltas for r in d.relationships}
    created = frozenset().union(*(d.created_nodes for d in deltas))
    written = Counter(n.id for d in deltas for n in d.nodes)
    rewritten = frozenset(node_id for node_id, times in written.items() if times > 1)
    revision = deltas[-1].revision
    return Delta(revision, tuple(nodes.values()), tuple(rels.values()), created, rewritten)


def _paused(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` with the collector paused (graph/bulk.py): a step or an index makes tens
    of thousands of long-lived dicts, none of them garbage."""
    with paused_gc():
        return fn(*args)


class SnapshotCache:
    """Snapshots per (revision, date), the deltas of recent writes, and one build at a time
    per key.

    A snapshot missing from the cache is derived from the newest cached one of the same date
    when the deltas of every revision since are at hand (:func:`advance`), else built by the
    store's ``build`` (in a worker thread: a full build takes seconds at scale, the event
    loop must keep serving). Concurrent requests for one key share one build.
    """

    def __init__(self, size: int = 8, deltas: int = 256) -> None:
        """``size`` snapshots (few: one of a 1M-relationship graph is large, though derived
        ones share most of it) and the deltas of the last ``deltas`` writes."""
        self._snaps: LRUCache[tuple[int, str | None], Snapshot] = LRUCache(size)
        self._deltas: dict[int, Delta] = {}
        self._max_deltas = deltas
        self._building: dict[tuple[int, str | None], asyncio.Task[Snapshot]] = {}
        self._dates: LRUCache[int, DateIndex] = LRUCache(1)

    async def dated(
        self, revision: int, as_of: str, records: Callable[[], DatedRecords]
    ) -> Snapshot | None:
        """The snapshot at ``as_of`` stepped from a cached one of the same revision at the
        nearest other date (graph/dated.py), ``None`` if none is cached. ``records`` gives,
        on the loop, the revision's nodes, relationships and versions as mappings nothing
        will change, from which the revision's date index is made (in a worker thread) and
        kept for the next dates."""
        from graph.dated import DateIndex, step  # graph.dated builds on this module

        day = dt.date.fromisoformat(as_of)
        bases = [d for r, d in list(self._snaps) if r == revision and d is not None]
        if not bases:
            return None
        nearest = min(bases, key=lambda d: abs((dt.date.fromisoformat(d) - day).days))
        base = self._snaps.get((revision, nearest))
        if base is None:
            return None

        async def run() -> Snapshot:
            index = self._dates.get(revision)
            if index is None:
                nodes, rels, versions = records()
                index = await asyncio.to_thread(_paused, DateIndex, revision, nodes, rels, versions)
                self._dates[revision] = index
            snap = await asyncio.to_thread(_paused, step, base, as_of, index)
            STATS.stepped += 1
            return snap

        return await self.build(revision, as_of, run, counted=False)

    async def of_records(self, records: GraphRecords, table: NodeTable | None) -> Snapshot:
        """The undated snapshot of a revision's every record (``GraphStore.snapshot_of``):
        found or derived as :meth:`find` does, else built from them (in a worker thread)."""
        found = self.find(records.revision, None)
        if found is not None:
            return found
        return await self.build(
            records.revision, None, lambda: asyncio.to_thread(snapshot_of, records, table)
        )

    def record(self, delta: Delta) -> None:
        """A committed write; the oldest deltas go beyond the bound."""
        self._deltas[delta.revision] = delta
        while len(self._deltas) > self._max_deltas:
            del self._deltas[min(self._deltas)]

    def written(self, since: int, until: int) -> Delta | None:
        """The writes after revision ``since`` up to ``until`` merged into one, if every one is
        at hand (see ``GraphStore.written``)."""
        if since >= until or any(r not in self._deltas for r in range(since + 1, until + 1)):
            return None
        return _merged([self._deltas[r] for r in range(since + 1, until + 1)])

    def clear(self) -> None:
        """Forget everything (the store was reset or written behind this process's back)."""
        self._snaps.clear()
        self._deltas.clear()
        self._dates.clear()

    def find(self, revision: int, as_of: str | None) -> Snapshot | None:
        """The snapshot if cached or derivable from a cached one; ``None`` if it must be
        built."""
        found = self._snaps.get((revision, as_of))
        if found is not None:
            return found
        bases = sorted(
            (r for r, a in list(self._snaps) if a == as_of and r < revision), reverse=True
        )
        for base in bases:
            if any(r not in self._deltas for r in range(base + 1, revision + 1)):
                continue
            deltas = [self._deltas[r] for r in range(base + 1, revision + 1)]
            snap = advance(self._snaps[(base, as_of)], _merged(deltas))
            if snap is None:
                return None
            self._snaps[(revision, as_of)] = snap
            STATS.derived += 1
            return snap
        return None

    async def build(
        self,
        revision: int,
        as_of: str | None,
        build: Callable[[], Awaitable[Snapshot]],
        *,
        counted: bool = True,
    ) -> Snapshot:
        """``await build()`` once for the key, shared by concurrent callers; a caller that is
        cancelled leaves the build to the others (and to the cache). ``counted``: a full
        build, for ``STATS.built``."""
        key = (revision, as_of)
        task = self._building.get(key)
        if task is None:

            async def run() -> Snapshot:
                try:
                    snap = await build()  # may be of a later revision than asked: kept as such
                    STATS.built += counted
                    self._snaps[(snap.revision, as_of)] = snap
                    return snap
                finally:
                    self._building.pop(key, None)

            task = self._building[key] = asyncio.ensure_future(run())
        return await asyncio.shield(task)
