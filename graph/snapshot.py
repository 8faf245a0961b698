"""Build the immutable networkx view that analytics read, the same way for both stores."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from graph.bulk import paused_gc
from graph.model import ACTOR_KINDS, Node, NodeKind, Relationship, RelType, interval_contains
from graph.reference import member_states
from graph.store import Snapshot


def build_snapshot(
    revision: int,
    nodes: Iterable[Node],
    rels: Iterable[Relationship],
    as_of: str | None = None,
) -> Snapshot:
    """Nodes and relationships valid at ``as_of`` (all of them when None), frozen.

    Actors gain ``country``, ``region`` and ``subregion`` from the state they are BASED_IN
    (the lowest ISO3 if several), so analytics can group without walking the graph again.
    """
    g = nx.MultiDiGraph(revision=revision, as_of=as_of)
    with paused_gc():
        g.add_nodes_from(
            (n.id, {"kind": n.kind.value, **n.props})
            for n in nodes
            if interval_contains(n.props, as_of)
        )
        based_in: dict[str, str] = {}
        kept = [r for r in rels if r.start in g and r.end in g and r.valid_at(as_of)]
        g.add_edges_from((r.start, r.end, r.id, {"type": r.type.value, **r.props}) for r in kept)
    for r in kept:
        if r.type is RelType.BASED_IN and (r.start not in based_in or r.end < based_in[r.start]):
            based_in[r.start] = r.end
    states = member_states()
    for node_id, attrs in g.nodes(data=True):
        kind = attrs["kind"]
        if kind == NodeKind.MEMBER_STATE:
            attrs["country"] = node_id
        elif kind in ACTOR_KINDS and node_id in based_in:
            ref = states[based_in[node_id]]
            attrs.update(country=ref.iso3, region=ref.region, subregion=ref.subregion)
    return Snapshot(revision=revision, as_of=as_of, graph=nx.freeze(g))
