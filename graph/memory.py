"""An in-memory index of the graph that answers the read half of the ``GraphStore`` protocol.

The embedded store keeps one of these in step with SQLite. The filter semantics documented on
:class:`graph.store.NodeFilter` are implemented here for the embedded store and in
``graph/cypher.py`` for Neo4j; the contract tests hold the two to the same answers.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Iterator, Sequence

from graph.model import (
    ACTOR_KINDS,
    Node,
    NodeKind,
    Relationship,
    RelType,
    interval_contains,
)
from graph.reference import member_states
from graph.store import (
    Direction,
    Edge,
    NodeFilter,
    Page,
    SortOrder,
    decode_cursor,
    encode_cursor,
    sort_key,
)

_ENGAGEMENT = (RelType.PARTNERS_IN, RelType.PARTICIPATED_IN)


class MemoryGraph:
    """Nodes and relationships, indexed by kind and by (node, type) each way; not thread-safe,
    owned by one event loop.

    Plain dicts of the records the store already holds, and nothing else: a general graph
    library here would keep a second copy of every relationship (a ``MultiDiGraph`` cost
    about half the resident memory and half the load time of a 100,000-actor store) for
    lookups these two indexes answer."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.rels: dict[str, Relationship] = {}
        self._by_kind: dict[NodeKind, set[str]] = {k: set() for k in NodeKind}
        # (node, type) -> {relationship id: relationship}, each way, so the filters
        # visit only the relationships of the type asked for (a popular programme has tens of
        # thousands of partners of other types).
        self._out: dict[tuple[str, RelType], dict[str, Relationship]] = {}
        self._in: dict[tuple[str, RelType], dict[str, Relationship]] = {}
        # A fork (``fork``) shares the inner dicts of ``_out``/``_in`` with the graph it was
        # forked from until it writes one; these are the ones it owns.
        self._owned: set[tuple[bool, tuple[str, RelType]]] | None = None

    def fork(self) -> MemoryGraph:
        """A copy to change without changing this one, made in one pass of C-level copies:
        the inner index dicts are shared, and each side copies one before its first write to
        it (this graph too, from now on: a later write must not show in the fork). Why:
        the graph as it was at an earlier revision (graph/past.py) is today's with a few
        changes undone, and copying a 100,000-actor index record by record takes seconds."""
        g = MemoryGraph.__new__(MemoryGraph)
        g.nodes, g.rels = dict(self.nodes), dict(self.rels)
        g._by_kind = {k: set(v) for k, v in self._by_kind.items()}
        g._out, g._in = dict(self._out), dict(self._in)
        g._owned = set()
        self._owned = set()  # both sides now copy an inner dict before their first write to it
        return g

    # ------------------------------------------------------------------ writes

    def put_node(self, node: Node) -> None:
        self.nodes[node.id] = node
        self._by_kind[node.kind].add(node.id)

    def remove_node(self, node_id: str) -> None:
        """Take out a node (its relationships must have gone first: a rewind undoes them)."""
        node = self.nodes.pop(node_id)
        self._by_kind[node.kind].discard(node_id)

    def _side(self, out: bool, key: tuple[str, RelType]) -> dict[str, Relationship]:
        side = self._out if out else self._in
        found = side.get(key)
        if found is None:
            found = side[key] = {}
            if self._owned is not None:
                self._owned.add((out, key))
        elif self._owned is not None and (out, key) not in self._owned:
            found = side[key] = dict(found)
            self._owned.add((out, key))
        return found

    def put_relationship(self, rel: Relationship) -> None:
        # Start, end and type are fixed for life (graph.changes refuses to change them), so
        # an update replaces the record in place under the same index keys.
        self.rels[rel.id] = rel
        if self._owned is None:  # not a fork: the load's hot path, kept to two lookups
            self._out.setdefault((rel.start, rel.type), {})[rel.id] = rel
            self._in.setdefault((rel.end, rel.type), {})[rel.id] = rel
        else:
            self._side(True, (rel.start, rel.type))[rel.id] = rel
            self._side(False, (rel.end, rel.type))[rel.id] = rel

    def remove_relationship(self, rel_id: str) -> None:
        rel = self.rels.pop(rel_id)
        del self._side(True, (rel.start, rel.type))[rel_id]
        del self._side(False, (rel.end, rel.type))[rel_id]

    # ------------------------------------------------------------------ reads

    def out_rels(self, node_id: str, rel_type: RelType) -> Iterator[Relationship]:
        return iter(self._out.get((node_id, rel_type), {}).values())

    def in_rels(self, node_id: str, rel_type: RelType) -> Iterator[Relationship]:
        return iter(self._in.get((node_id, rel_type), {}).values())

    def neighbours(
        self,
        ids: Sequence[str],
        types: Collection[RelType] | None,
        direction: Direction,
        as_of: str | None,
    ) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {}
        for node_id in ids:
            edges: list[Edge] = []
            if node_id in self.nodes:
                for rel_type in RelType if types is None else types:
                    if direction in (Direction.OUT, Direction.BOTH):
                        edges += (
                            Edge(r, self.nodes[r.end])
                            for r in self.out_rels(node_id, rel_type)
                            if r.valid_at(as_of)
                        )
                    if direction in (Direction.IN, Direction.BOTH):
                        edges += (
                            Edge(r, self.nodes[r.start])
                            for r in self.in_rels(node_id, rel_type)
                            if r.valid_at(as_of)
                        )
                edges.sort(key=lambda e: (e.rel.type, e.node.id, e.rel.id))
            out[node_id] = edges
        return out

    def find(self, flt: NodeFilter, first: int, after: str | None, sort: SortOrder) -> Page:
        kinds = flt.kinds or frozenset(NodeKind)
        matches = [
            self.nodes[i]
            for kind in kinds
            for i in self._by_kind[kind]
            if self._matches(self.nodes[i], flt)
        ]
        matches.sort(key=lambda n: sort_key(sort, n))
        start = 0
        if after is not None:
            key = tuple(decode_cursor(after))
            start = bisect.bisect_right([sort_key(sort, n) for n in matches], key)
        items = matches[start : start + first]
        return Page(
            items=items,
            total_count=len(matches),
            has_next_page=start + first < len(matches),
            end_cursor=encode_cursor(sort, items[-1]) if items else None,
        )

    # ------------------------------------------------------------------ filter semantics

    def countries(self, node: Node, as_of: str | None = None) -> set[str]:
        if node.kind is NodeKind.MEMBER_STATE:
            return {node.id}
        if node.kind in ACTOR_KINDS:
            return {r.end for r in self.out_rels(node.id, RelType.BASED_IN) if r.valid_at(as_of)}
        if node.kind in (NodeKind.PROGRAMME, NodeKind.ACTIVITY):
            found = {
                r.end
                for r in self.out_rels(node.id, RelType.TARGETS)
                if r.valid_at(as_of) and self.nodes[r.end].kind is NodeKind.MEMBER_STATE
            }
            if loc := node.props.get("location"):
                found.add(loc)
            return found
        return set()

    def themes(self, node: Node, as_of: str | None = None) -> set[str]:
        if node.kind is NodeKind.THEMATIC_AREA:
            return {node.id}
        if node.kind is NodeKind.PROGRAMME:
            return {r.end for r in self.out_rels(node.id, RelType.ADDRESSES) if r.valid_at(as_of)}
        if node.kind is NodeKind.ACTIVITY:
            found = {r.end for r in self.out_rels(node.id, RelType.ADDRESSES) if r.valid_at(as_of)}
            for part in self.out_rels(node.id, RelType.PART_OF):
                if part.valid_at(as_of):
                    found |= self.themes(self.nodes[part.end], as_of)
            return found
        if node.kind in ACTOR_KINDS:
            found = set()
            for rel_type in _ENGAGEMENT:
                for r in self.out_rels(node.id, rel_type):
                    if r.valid_at(as_of):
                        found |= self.themes(self.nodes[r.end], as_of)
            return found
        return set()

    def _matches(self, node: Node, flt: NodeFilter) -> bool:
        p = node.props
        day = flt.active_as_of
        if flt.sensitivity is not None and p.get("sensitivity") != flt.sensitivity:
            return False
        if flt.focus_group is not None and flt.focus_group not in p.get("focus_groups", ()):
            return False
        if flt.text is not None:
            needle = flt.text.lower()
            if needle not in node.name.lower() and needle not in str(p.get("acronym", "")).lower():
                return False
        if day is not None:
            if not interval_contains(p, day):
                return False
            if node.kind in ACTOR_KINDS and not any(
                r.valid_at(day) for t in _ENGAGEMENT for r in self.out_rels(node.id, t)
            ):
                return False
        if flt.role is not None and not any(
            r.props.get("role") == flt.role and r.valid_at(day)
            for t in _ENGAGEMENT
            for r in self.out_rels(node.id, t)
        ):
            return False
        if flt.country is not None and flt.country not in self.countries(node, day):
            return False
        if flt.region is not None or flt.subregion is not None:
            ms = member_states()
            regions = {ms[c].region for c in self.countries(node, day)}
            subregions = {ms[c].subregion for c in self.countries(node, day)}
            if node.kind is NodeKind.REGIONAL_ORGANIZATION and p.get("region"):
                regions.add(p["region"])
            if flt.region is not None and flt.region not in regions:
                return False
            if flt.subregion is not None and flt.subregion not in subregions:
                return False
        return flt.theme is None or flt.theme in self.themes(node, day)

    def counts_by_kind(self) -> dict[NodeKind, int]:
        return {k: len(v) for k, v in self._by_kind.items()}

    def incoming_contributions(self, outcome: str) -> Iterable[Relationship]:
        for t in (RelType.PRODUCED, RelType.CONTRIBUTED_TO):
            yield from self.in_rels(outcome, t)

    def contributes_to(self, outcome: str) -> Iterable[str]:
        return (r.end for r in self.out_rels(outcome, RelType.CONTRIBUTED_TO))
