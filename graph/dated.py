"""A dated snapshot from another date's, for series: step the date instead of rebuilding.

A series asks for the network at eight quarter ends; building each dated snapshot in full
reads every record eight times. Between two dates only the records whose validity starts or
ends in between change (a relationship's ``since``/``until``, a node's own dates, a node
version's ``validFrom``), so :func:`step` derives the snapshot of one date from another's
by those alone, sharing every untouched entry as :func:`graph.snapshot.advance` does after a
write. :class:`DateIndex` finds them by bisection in lists sorted once per revision.

The result equals a full build (tests/contract/test_dated.py holds every stepped snapshot
equal to :func:`graph.snapshot.build_snapshot`, order included, after random date walks).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from graph.history import Versions, node_at
from graph.model import ACTOR_KINDS, Node, NodeKind, Relationship, RelType, interval_contains
from graph.reference import member_states
from graph.snapshot import Draft
from graph.store import Snapshot

_ACTOR_KINDS = frozenset(k.value for k in ACTOR_KINDS)


class _Events:
    """Records by one date of theirs, sorted, for "whose date falls in this range"."""

    def __init__(self, dated: list[tuple[str, str]]) -> None:
        dated.sort(key=itemgetter(0))
        self._days = [d for d, _ in dated]
        self._ids = [i for _, i in dated]

    def between(self, lo: str, hi: str, *, left: bool) -> list[str]:
        """Ids with a date in ``(lo, hi]`` (``left=False``) or ``[lo, hi)`` (``left=True``)."""
        if left:
            a, b = bisect.bisect_left(self._days, lo), bisect.bisect_left(self._days, hi)
        else:
            a, b = bisect.bisect_right(self._days, lo), bisect.bisect_right(self._days, hi)
        return self._ids[a:b]


class DateIndex:
    """The records of one revision, indexed by the dates at which they enter or leave.

    ``nodes`` and ``rels`` are taken as they are (not copied): pass mappings nothing else
    changes, such as copies made where the store's own are written."""

    def __init__(
        self,
        revision: int,
        nodes: Mapping[str, Node],
        rels: Mapping[str, Relationship],
        versions: Versions | None,
    ) -> None:
        self.revision = revision
        self.nodes = nodes
        self.rels = rels
        self.versions = versions or {}
        node_since: list[tuple[str, str]] = []
        node_until: list[tuple[str, str]] = []
        for n in nodes.values():  # a node's own dates are its current ones (history.node_at)
            if since := n.props.get("since"):
                node_since.append((since, n.id))
            if until := n.props.get("until"):
                node_until.append((until, n.id))
        # Only a node with dates of its own can enter a snapshot: its relationships are what
        # comes with it.
        dated = {i for _, i in node_since} | {i for _, i in node_until}
        for node_id, listed in self.versions.items():
            node_since += ((v.valid_from, node_id) for v in listed if v.valid_from)
        rel_since: list[tuple[str, str]] = []
        rel_until: list[tuple[str, str]] = []
        self.rels_of: dict[str, list[Relationship]] = defaultdict(list)
        for r in rels.values():
            props = r.props
            if since := props.get("since"):
                rel_since.append((since, r.id))
            if until := props.get("until"):
                rel_until.append((until, r.id))
            if r.start in dated:
                self.rels_of[r.start].append(r)
            if r.end in dated and r.end != r.start:
                self.rels_of[r.end].append(r)
        self._node_since, self._node_until = _Events(node_since), _Events(node_until)
        self._rel_since, self._rel_until = _Events(rel_since), _Events(rel_until)

    def node(self, node_id: str, day: str) -> Node:
        return node_at(self.nodes[node_id], self.versions.get(node_id), day)

    def changing(self, a: str, b: str) -> tuple[set[str], set[str]]:
        """Ids of the nodes and relationships that may differ between dates ``a`` and ``b``:
        a start in ``(lo, hi]`` or an end (inclusive) in ``[lo, hi)``."""
        lo, hi = min(a, b), max(a, b)
        nodes = set(self._node_since.between(lo, hi, left=False))
        nodes.update(self._node_until.between(lo, hi, left=True))
        rels = set(self._rel_since.between(lo, hi, left=False))
        rels.update(self._rel_until.between(lo, hi, left=True))
        return nodes, rels


def _attrs(index: DateIndex, draft: Draft, node_id: str, day: str) -> dict[str, Any]:
    """A node's attributes as :func:`graph.snapshot.build_snapshot` gives them."""
    node = index.node(node_id, day)
    attrs = {"kind": node.kind.value, **node.props}
    if node.kind is NodeKind.MEMBER_STATE:
        attrs["country"] = node_id
    elif node.kind.value in _ACTOR_KINDS:
        places = [
            v
            for v, keyed in draft.succ[node_id].items()
            if any(d["type"] == RelType.BASED_IN.value for d in keyed.values())
        ]
        if places:
            ref = member_states()[min(places)]
            attrs.update(country=ref.iso3, region=ref.region, subregion=ref.subregion)
    return attrs


def step(snap: Snapshot, day: str, index: DateIndex) -> Snapshot:
    """The snapshot of ``index``'s revision at ``day``, from ``snap`` (same revision, dated)."""
    assert snap.as_of is not None and snap.revision == index.revision
    node_ids, rel_ids = index.changing(snap.as_of, day)
    draft = Draft(snap.graph)
    touched: set[str] = set()
    entering: list[str] = []
    for node_id in sorted(node_ids):
        valid = interval_contains(index.node(node_id, day).props, day)
        present = node_id in draft.node
        if present and not valid:
            touched |= draft.remove_node(node_id, RelType.BASED_IN.value)
        elif valid and not present:
            draft.add_node(node_id, {})
            entering.append(node_id)
            touched.add(node_id)
        elif valid:
            touched.add(node_id)
    for node_id in entering:
        for r in index.rels_of.get(node_id, ()):
            if r.start in draft.node and r.end in draft.node and r.valid_at(day):
                draft.set_edge(r.start, r.end, r.id, {"type": r.type.value, **r.props})
                if r.type is RelType.BASED_IN:
                    touched.add(r.start)
    for rel_id in sorted(rel_ids):
        r = index.rels[rel_id]
        was = rel_id in draft.succ.get(r.start, {}).get(r.end, {})
        now = r.start in draft.node and r.end in draft.node and r.valid_at(day)
        if now and not was:
            draft.set_edge(r.start, r.end, r.id, {"type": r.type.value, **r.props})
        elif was and not now:
            draft.set_edge(r.start, r.end, r.id, None)
        if was != now and r.type is RelType.BASED_IN:
            touched.add(r.start)
    for node_id in touched:
        if node_id in draft.node:
            draft.set_attrs(node_id, _attrs(index, draft, node_id, day))
    return draft.finish(snap.revision, day)
