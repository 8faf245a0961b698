"""Outcome lineage and attribution: what led to an outcome, and what an actor contributed to.

Credit flows from an outcome to what led to it (:mod:`analytics.flow` has the rule and
docs/LINEAGE.md a worked example from the seed data). An actor's attributed share of an outcome
is the product of the factors along a path from the outcome to the actor, summed over the
distinct paths within the depth bound, and never above 1. Because every node hands out at most
all of its credit, the shares of all actors in one outcome sum to at most 1 (conservation),
which ``tests/lineage`` checks as a property.

Every question here is answered from a :class:`analytics.flow_index.FlowIndex` of the whole
graph at one revision (see that module for why), read from the store by :func:`load_index`;
only :func:`lineage_issues` reads the snapshot. Everything is deterministic: nodes, links and
paths come out in a total order that depends only on the graph, so both stores give identical
answers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Final, NamedTuple, Protocol

import networkx as nx
import numpy as np

from analytics.flow import (
    ACTOR_STEPS,
    DOWNSTREAM_STEPS,
    FLOW_TYPES,
    PARTY_STEPS,
    PROGRAMME_STEPS,
    RESULTS_TYPES,
    ROLE_WEIGHTS,
    RUNNER_WEIGHT,
    UPSTREAM_STEPS,
    Link,
    bulk,
    role_weight,
)
from analytics.flow_index import FlowIndex, Spread
from analytics.paths import Path, PathSet, best_paths
from graph.errors import NotFound, ValidationError
from graph.model import (
    ACTOR_KINDS,
    Node,
    NodeKind,
    Relationship,
    RelType,
    ResultsLevel,
    interval_contains,
)
from graph.store import GraphRecords

__all__ = [
    "ACTOR_STEPS",
    "DEFAULT_DEPTH",
    "DOWNSTREAM_STEPS",
    "MAX_DEPTH",
    "PARTY_STEPS",
    "PROGRAMME_STEPS",
    "ROLE_WEIGHTS",
    "RUNNER_WEIGHT",
    "UPSTREAM_STEPS",
    "Contribution",
    "Contributions",
    "EvidenceCoverage",
    "FlowIndex",
    "Issue",
    "IssueKind",
    "Lineage",
    "LineageDirection",
    "LineageEdge",
    "LineageNode",
    "Link",
    "PartnerShare",
    "Path",
    "PathSet",
    "ProgrammeImpact",
    "Side",
    "contributions",
    "lineage_issues",
    "load_index",
    "outcome_lineage",
    "programme_impact",
]

DEFAULT_DEPTH: Final = 5
MAX_DEPTH: Final = 20

_LEVEL_ORDER: Final = {ResultsLevel.IMPACT: 0, ResultsLevel.OUTCOME: 1, ResultsLevel.OUTPUT: 2}


class LineageDirection(StrEnum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


class Side(StrEnum):
    """Where a node of a lineage sits relative to the outcome asked about."""

    START = "START"
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"


class RecordSource(Protocol):
    """The one store capability lineage needs (every ``GraphStore`` has it)."""

    async def records(self, rel_types: frozenset[RelType]) -> GraphRecords: ...


async def load_index(
    store: RecordSource, *, as_of: str | None = None, min_share: float = 0.0
) -> FlowIndex:
    """Read the graph from the store and compile its flow; the compiling runs in a worker
    thread so the event loop keeps serving other requests."""
    check_share(min_share)
    found = await store.records(FLOW_TYPES)
    return await asyncio.to_thread(
        FlowIndex, found.nodes, found.relationships, as_of=as_of, min_share=min_share
    )


def _subject(index: FlowIndex, node_id: str, kinds: frozenset[NodeKind], what: str) -> Node:
    found = index.nodes.get(node_id)
    if found is None:
        raise NotFound(f"no {what} with id {node_id!r}", field=what)
    if found.kind not in kinds:
        raise ValidationError(f"{node_id!r} is a {found.kind}, not an {what}", field=what)
    return found


def check_depth(depth: int) -> int:
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError(f"must be between 1 and {MAX_DEPTH}, got {depth}", field="depth")
    return depth


def check_share(min_share: float) -> float:
    if not 0.0 <= min_share <= 1.0:
        raise ValidationError(f"must be between 0 and 1, got {min_share}", field="minShare")
    return min_share


# --------------------------------------------------------------------------- outcome lineage


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
    >>> ns = [Node("o", NodeKind.OUTCOME), Node("a", NodeKind.ACTIVITY)]
    >>> rs = [Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.4})]
    >>> lin = outcome_lineage(FlowIndex(ns, rs), "o", depth=5)
    >>> [(n.node.id, n.hops, n.share) for n in lin.nodes]
    [('o', 0, 1.0), ('a', 1, 0.4)]
    >>> [p.nodes for p in lin.paths(10).paths]
    [('a', 'o')]
    """
    check_depth(depth)
    start = _subject(index, outcome, frozenset({NodeKind.OUTCOME}), "outcome")
    up = down = None
    if direction is not LineageDirection.DOWNSTREAM:
        up = index.spread(start.id, depth, forward=False)
    if direction is not LineageDirection.UPSTREAM:
        down = index.spread(start.id, depth, forward=True)
    return Lineage(index, start, direction, depth, up, down)


# --------------------------------------------------------------------------- contributions


@dataclass(frozen=True, slots=True)
class Contribution:
    """An outcome reached, and the share of it attributed to the actor (or programme)."""

    outcome: Node
    hops: int
    share: float


@dataclass(frozen=True)
class Contributions:
    """What one actor (or programme) reached; outcomes ordered by share, then id."""

    subject: Node
    depth: int
    min_share: float
    as_of: str | None
    outcomes: tuple[Contribution, ...]
    flow: FlowIndex
    hops: Mapping[str, int]

    @bulk()
    def paths(self, outcome: str, limit: int) -> PathSet:
        """The ``limit`` best paths from the subject to ``outcome`` within the depth bound,
        subject first; their shares sum to the outcome's share when none are left out."""
        hops = self.hops
        remaining = self.depth

        def allowed(node_id: str, length: int) -> bool:
            # length nodes are on the path so far (from the outcome); the rest must fit.
            return node_id in hops and length + hops[node_id] <= remaining

        if outcome not in hops:
            return PathSet((), False)
        return best_paths(
            self.flow,
            outcome,
            False,
            self.depth,
            limit,
            allowed=allowed,
            goal=self.subject.id,
        )


def contributions(
    index: FlowIndex,
    subject: str,
    *,
    depth: int = DEFAULT_DEPTH + 3,
    kinds: frozenset[NodeKind] = ACTOR_KINDS,
) -> Contributions:
    """Outcomes an actor (or, with ``kinds={PROGRAMME}``, a programme) reached, with its
    attributed share of each. The default depth is 8 so an actor reaches five results levels
    through a programme (actor, programme, activity, then outcomes).

    Examples
    --------
    >>> ns = [Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION), Node("d", NodeKind.COMPANY),
    ...       Node("a", NodeKind.ACTIVITY), Node("o", NodeKind.OUTCOME, {"level": "OUTPUT"})]
    >>> rs = [Relationship("p1", RelType.PARTICIPATED_IN, "c", "a", {"role": "SPEAKER"}),
    ...       Relationship("p2", RelType.PARTICIPATED_IN, "d", "a", {"role": "PARTICIPANT"}),
    ...       Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.6})]
    >>> result = contributions(FlowIndex(ns, rs), "c", depth=5)
    >>> [(x.outcome.id, round(x.share, 3)) for x in result.outcomes]
    [('o', 0.171)]
    """
    return _contributions(index, subject, depth, kinds)[0]


def _contributions(
    index: FlowIndex, subject: str, depth: int, kinds: frozenset[NodeKind]
) -> tuple[Contributions, Spread]:
    check_depth(depth)
    what = "programme" if kinds == frozenset({NodeKind.PROGRAMME}) else "actor"
    start = _subject(index, subject, kinds, what)
    spread = index.spread(start.id, depth, forward=True)
    ids, nodes = index.ids, index.nodes
    hops = {ids[p]: h for p, h in zip(spread.reached.tolist(), spread.hops.tolist(), strict=True)}
    outcomes = [
        Contribution(node, hop, min(1.0, share))
        for p, hop, share in zip(
            spread.reached.tolist(), spread.hops.tolist(), spread.credit.tolist(), strict=True
        )
        if (node := nodes[ids[p]]).kind is NodeKind.OUTCOME
    ]
    outcomes.sort(key=lambda c: (-c.share, c.outcome.id))
    found = Contributions(
        subject=start,
        depth=depth,
        min_share=index.min_share,
        as_of=index.as_of,
        outcomes=tuple(outcomes),
        flow=index,
        hops=hops,
    )
    return found, spread


# --------------------------------------------------------------------------- programme impact


@dataclass(frozen=True, slots=True)
class PartnerShare:
    """A partner of a programme and its part of the credit the programme earns."""

    actor: Node
    roles: tuple[str, ...]
    weight: float
    share: float


@dataclass(frozen=True, slots=True)
class EvidenceCoverage:
    """How well the results links behind a summary are evidenced."""

    links: int
    with_source: int
    with_evidence_date: int
    by_confidence: Mapping[str, int]

    @property
    def coverage(self) -> float | None:
        """Fraction of links with a source reference (None when there are no links)."""
        return self.with_source / self.links if self.links else None


@dataclass(frozen=True)
class ProgrammeImpact:
    """A programme's impact summary."""

    contributions: Contributions
    by_level: Mapping[str, int]
    partners: tuple[PartnerShare, ...]
    evidence: EvidenceCoverage

    @property
    def programme(self) -> Node:
        return self.contributions.subject


def evidence_of(rels: Iterable[Relationship]) -> EvidenceCoverage:
    """Evidence coverage of the PRODUCED and CONTRIBUTED_TO relationships among ``rels``.

    Examples
    --------
    >>> r = Relationship("r", RelType.PRODUCED, "a", "o", {"share": 1, "source": "report"})
    >>> e = evidence_of([r])
    >>> (e.links, e.with_source, e.coverage, dict(e.by_confidence))
    (1, 1, 1.0, {'HIGH': 0, 'MEDIUM': 1, 'LOW': 0})
    """
    results = [r for r in rels if r.type in RESULTS_TYPES]
    confidence = {"HIGH": 0, "MEDIUM": 0, "LOW": 0}
    for r in results:
        confidence[str(r.props.get("confidence", "MEDIUM"))] += 1
    return EvidenceCoverage(
        links=len(results),
        with_source=sum(1 for r in results if r.props.get("source")),
        with_evidence_date=sum(1 for r in results if r.props.get("evidence_date")),
        by_confidence=MappingProxyType(confidence),
    )


def programme_impact(
    index: FlowIndex, programme: str, *, depth: int = DEFAULT_DEPTH + 2
) -> ProgrammeImpact:
    """A programme's outcomes by level, its partners' parts of its credit, and the evidence
    coverage of the results links on the way; default depth 7 (programme, activity, five
    levels). A programme's share of an outcome follows the same rule as an actor's; each
    partner gets ``weight / total weight`` of everything the programme earns.
    """
    result, spread = _contributions(index, programme, depth, frozenset({NodeKind.PROGRAMME}))
    levels = {level.value: 0 for level in sorted(_LEVEL_ORDER, key=_LEVEL_ORDER.__getitem__)}
    for c in result.outcomes:
        levels[str(c.outcome.props.get("level", ResultsLevel.OUTCOME))] += 1
    partners = [
        PartnerShare(
            actor=result.flow.nodes[link.contributor],
            roles=tuple(sorted({str(r.props.get("role")) for r in link.rels})),
            weight=max(role_weight(r) for r in link.rels),
            share=link.factor,
        )
        for link in index.steps(programme, forward=False)
        if link.type is RelType.PARTNERS_IN
    ]
    partners.sort(key=lambda p: (-p.share, p.actor.id))
    evidence = evidence_of(index.rels[r] for r in index.rels_of(spread.links).tolist())
    return ProgrammeImpact(
        contributions=result,
        by_level=MappingProxyType(levels),
        partners=tuple(partners),
        evidence=evidence,
    )


# --------------------------------------------------------------------------- issues


class IssueKind(StrEnum):
    OUTCOME_WITHOUT_PRODUCER = "OUTCOME_WITHOUT_PRODUCER"
    LINK_WITHOUT_EVIDENCE = "LINK_WITHOUT_EVIDENCE"
    PARTNER_WITHOUT_OUTCOME = "PARTNER_WITHOUT_OUTCOME"


@dataclass(frozen=True, slots=True)
class Issue:
    """A gap in the recorded lineage. ``subject`` is the outcome, the link's outcome, or the
    actor; ``relationship`` the link's id for LINK_WITHOUT_EVIDENCE. Messages name ids only,
    never names, so they are safe to show for restricted actors."""

    kind: IssueKind
    subject: str
    relationship: str | None
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject, self.relationship or "")


@bulk()
def lineage_issues(graph: nx.MultiDiGraph, as_of: str | None = None) -> list[Issue]:
    """Gaps in the recorded lineage, ordered by (kind, subject id, relationship id).

    * OUTCOME_WITHOUT_PRODUCER: no activity or programme PRODUCED the outcome or any outcome
      that (transitively) CONTRIBUTED_TO it;
    * LINK_WITHOUT_EVIDENCE: a PRODUCED or CONTRIBUTED_TO link with no ``source``;
    * PARTNER_WITHOUT_OUTCOME: an actor partners in a programme or took part in an activity,
      but none of them (nor the programmes' activities) PRODUCED anything.

    Only relationships valid at ``as_of`` count (all when None). Nodes are never filtered by
    date: a finished activity still led to what it produced.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A snapshot graph (:class:`graph.store.Snapshot`): node attribute ``kind``, edge
        attribute ``type`` plus the relationship's properties, edges keyed by id.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", kind="Outcome"); g.add_node("c", kind="CivilSocietyOrganization")
    >>> g.add_node("a", kind="Activity")
    >>> _ = g.add_edge("c", "a", key="p1", type="PARTICIPATED_IN")
    >>> [(i.kind.value, i.subject) for i in lineage_issues(g)]
    [('OUTCOME_WITHOUT_PRODUCER', 'o'), ('PARTNER_WITHOUT_OUTCOME', 'c')]
    """
    kind = nx.get_node_attributes(graph, "kind")
    outcomes = sorted(n for n, k in kind.items() if k == NodeKind.OUTCOME)
    produced: set[str] = set()
    producers: set[str] = set()
    contributes: dict[str, list[str]] = defaultdict(list)
    part_of: dict[str, list[str]] = defaultdict(list)
    engaged: dict[str, set[str]] = defaultdict(set)
    issues: list[Issue] = []
    for start, end, rel_id, attrs in graph.edges(keys=True, data=True):
        if not interval_contains(attrs, as_of):
            continue
        rel_type = attrs.get("type")
        if rel_type in RESULTS_TYPES:
            if rel_type == RelType.PRODUCED:
                produced.add(end)
                producers.add(start)
            else:
                contributes[start].append(end)
            if not attrs.get("source"):
                issues.append(
                    Issue(
                        IssueKind.LINK_WITHOUT_EVIDENCE,
                        end,
                        rel_id,
                        f"{rel_type} link {rel_id!r} from {start!r} to {end!r} has no source "
                        "reference",
                    )
                )
        elif rel_type == RelType.PART_OF:
            part_of[end].append(start)
        elif rel_type in (RelType.PARTNERS_IN, RelType.PARTICIPATED_IN):
            engaged[start].add(end)
    # Outcomes with a producer somewhere upstream: everything downstream of a produced outcome.
    reached = set(produced)
    frontier = sorted(produced)
    while frontier:
        nxt = []
        for o in frontier:
            for higher in contributes.get(o, ()):
                if higher not in reached:
                    reached.add(higher)
                    nxt.append(higher)
        frontier = nxt
    for o in outcomes:
        if o not in reached:
            issues.append(
                Issue(
                    IssueKind.OUTCOME_WITHOUT_PRODUCER,
                    o,
                    None,
                    f"no activity or programme produced {o!r} or anything that contributed to it",
                )
            )
    for actor in sorted(engaged):
        if kind.get(actor) not in ACTOR_KINDS:
            continue
        if not any(
            e in producers or any(a in producers for a in part_of.get(e, ()))
            for e in engaged[actor]
        ):
            n = len(engaged[actor])
            issues.append(
                Issue(
                    IssueKind.PARTNER_WITHOUT_OUTCOME,
                    actor,
                    None,
                    f"{actor!r} partners in or took part in {n} programmes or activities, none "
                    "of which led to a recorded outcome",
                )
            )
    issues.sort(key=lambda i: i.key)
    return issues
