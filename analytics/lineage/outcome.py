"""An outcome's lineage: what led to it, what it led to, and the paths that justify each share.

Upstream, a node's share is the part of the outcome attributed to it; downstream, the part of
a higher outcome attributed to this one (:mod:`analytics.lineage.flow` has the rule).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

import numpy as np

from analytics.lineage.checks import DEFAULT_DEPTH, check_depth, find_subject
from analytics.lineage.flow import Link
from analytics.lineage.flow_index import FlowIndex, Spread, bulk
from analytics.lineage.paths import Path, PathSet, best_paths
from graph.model import Node, NodeKind, Relationship

__all__ = [
    "Lineage",
    "LineageDirection",
    "LineageEdge",
    "LineageNode",
    "Side",
    "outcome_lineage",
]


class LineageDirection(StrEnum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


class Side(StrEnum):
    """Where a node of a lineage sits relative to the outcome asked about."""

    START = "START"
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"


class LineageNode(NamedTuple):
    """A node of a lineage. ``share``: upstream, the part of the outcome attributed to this
    node; downstream, the part of this node attributed to the outcome; 1 for the outcome."""

    node: Node
    side: Side
    hops: int
    share: float


class LineageEdge(NamedTuple):
    """A relationship on a lineage, with the link it belongs to."""

    rel: Relationship
    link: Link
    side: Side


class Lineage:
    """An outcome's lineage: nodes ordered by (hops, id), relationships by id.

    Large lineages have tens of thousands of nodes while a client reads a page at a time, so
    they are held as positions in the index, and ids, :class:`LineageNode` and
    :class:`LineageEdge` records are made only for what is read.
    """

    def __init__(
        self,
        index: FlowIndex,
        start: Node,
        direction: LineageDirection,
        depth: int,
        upstream: Spread | None,
        downstream: Spread | None,
    ) -> None:
        self.index = index
        self.start = start
        self.direction = direction
        self.depth = depth
        self.min_share = index.min_share
        self.as_of = index.as_of
        # Downstream first: where both sides hold a node (only the outcome itself) or a
        # relationship, the first occurrence is kept.
        sides = [(s, side) for s, side in ((downstream, 1), (upstream, 0)) if s is not None]
        positions, first = np.unique(
            np.concatenate([s.reached for s, _ in sides]), return_index=True
        )
        hops = np.concatenate([s.hops for s, _ in sides])[first]
        credit = np.concatenate([s.credit for s, _ in sides])[first]
        order = np.lexsort((positions, hops))
        self._nodes = positions[order]
        self._hops = hops[order]
        self._credit = credit[order]
        self._downstream = (
            frozenset(downstream.reached.tolist()) if downstream is not None else frozenset()
        )
        ranks = [index.rels_of(s.links) for s, _ in sides]
        self._edges, first = np.unique(np.concatenate(ranks), return_index=True)
        self._edge_down = np.concatenate(
            [np.full(len(r), side, bool) for r, (_, side) in zip(ranks, sides, strict=True)]
        )[first]
        self._node_pos: dict[str, int] | None = None
        self._edge_pos: dict[str, int] | None = None

    @property
    def flow(self) -> FlowIndex:
        return self.index

    @property
    def size(self) -> int:
        """Nodes plus relationships on the lineage."""
        return len(self._nodes) + len(self._edges)

    @cached_property
    def node_ids(self) -> tuple[str, ...]:
        """Ids of the lineage's nodes, ordered by (hops, id)."""
        ids = self.index.ids
        return tuple(ids[p] for p in self._nodes.tolist())

    @cached_property
    def edge_ids(self) -> tuple[str, ...]:
        """Ids of the lineage's relationships, ordered."""
        rels = self.index.rels
        return tuple(rels[r].id for r in self._edges.tolist())

    def node_at(self, index: int) -> LineageNode:
        position = int(self._nodes[index])
        node = self.index.nodes[self.index.ids[position]]
        if node.id == self.start.id:
            side = Side.START
        elif position in self._downstream:
            side = Side.DOWNSTREAM
        else:
            side = Side.UPSTREAM
        return LineageNode(node, side, int(self._hops[index]), float(self._credit[index]))

    def edge_at(self, index: int) -> LineageEdge:
        rank = int(self._edges[index])
        side = Side.DOWNSTREAM if self._edge_down[index] else Side.UPSTREAM
        return LineageEdge(self.index.rels[rank], self.index.link_of(rank), side)

    def node_position(self, node_id: str) -> int | None:
        """Index of ``node_id`` in :attr:`node_ids` (None when not on the lineage)."""
        if self._node_pos is None:
            self._node_pos = {n: i for i, n in enumerate(self.node_ids)}
        return self._node_pos.get(node_id)

    def edge_position(self, rel_id: str) -> int | None:
        if self._edge_pos is None:
            self._edge_pos = {n: i for i, n in enumerate(self.edge_ids)}
        return self._edge_pos.get(rel_id)

    @property
    def nodes(self) -> tuple[LineageNode, ...]:
        return tuple(self.node_at(i) for i in range(len(self._nodes)))

    @property
    def edges(self) -> tuple[LineageEdge, ...]:
        return tuple(self.edge_at(i) for i in range(len(self._edges)))

    @bulk()
    def paths(self, limit: int) -> PathSet:
        """The ``limit`` best distinct maximal paths (highest share first, then node ids from
        the start): upstream ones end at the outcome, downstream ones begin at it."""
        keyed: list[tuple[tuple[float, tuple[str, ...]], Path]] = []
        truncated = False
        if self.direction is not LineageDirection.DOWNSTREAM:
            up = best_paths(self.flow, self.start.id, False, self.depth, limit)
            keyed += [((-p.share, p.nodes[::-1]), p) for p in up.paths]
            truncated = up.truncated
        if self.direction is not LineageDirection.UPSTREAM:
            down = best_paths(self.flow, self.start.id, True, self.depth, limit)
            keyed += [((-p.share, p.nodes), p) for p in down.paths]
            truncated = truncated or down.truncated
        keyed.sort(key=lambda kp: kp[0])
        return PathSet(tuple(p for _, p in keyed[:limit]), truncated or len(keyed) > limit)


def outcome_lineage(
    index: FlowIndex,
    outcome: str,
    *,
    direction: LineageDirection = LineageDirection.UPSTREAM,
    depth: int = DEFAULT_DEPTH,
) -> Lineage:
    """The lineage of ``outcome`` within ``depth`` links (``asOf`` and ``minShare`` are the
    index's).

    Examples
    --------
    >>> from graph.model import RelType
    >>> ns = [Node("o", NodeKind.OUTCOME), Node("a", NodeKind.ACTIVITY)]
    >>> rs = [Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.4})]
    >>> lin = outcome_lineage(FlowIndex(ns, rs), "o", depth=5)
    >>> [(n.node.id, n.hops, n.share) for n in lin.nodes]
    [('o', 0, 1.0), ('a', 1, 0.4)]
    >>> [p.nodes for p in lin.paths(10).paths]
    [('a', 'o')]
    """
    check_depth(depth)
    start = find_subject(index, outcome, frozenset({NodeKind.OUTCOME}), "outcome")
    up = down = None
    if direction is not LineageDirection.DOWNSTREAM:
        up = index.spread(start.id, depth, forward=False)
    if direction is not LineageDirection.UPSTREAM:
        down = index.spread(start.id, depth, forward=True)
    return Lineage(index, start, direction, depth, up, down)
