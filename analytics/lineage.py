"""Outcome lineage and attribution: what led to an outcome, and what an actor contributed to.

The results chain (activities and programmes PRODUCED outcomes, outcomes CONTRIBUTED_TO higher
outcomes) and the engagement around it (actors PARTNERS_IN programmes and PARTICIPATED_IN
activities, activities PART_OF programmes) are read as one directed *flow of credit*: every
relationship has a **contributor** end and a **beneficiary** end. The contributor is the
relationship's start, except for PART_OF, where the programme (the end) contributes to its
activity (the start), because a programme runs its activities.

Attribution rule (docs/LINEAGE.md has a worked example from the seed data). Each node passes
part of its own credit to each of its contributors; that part is the link's **factor**:

* an outcome passes each PRODUCED or CONTRIBUTED_TO link its ``share``; when the links into
  one outcome that are in view sum above 1 (possible only for ended links and their
  replacements both in view), the shares are scaled down so they sum to 1;
* an activity splits its credit among its *parties*: each participant weighs the
  :data:`ROLE_WEIGHTS` of its role, and whoever runs the activity weighs
  :data:`RUNNER_WEIGHT`; a party's factor is its weight over the total. The runner's part goes
  to the programmes the activity is part of (split equally), or stays unattributed (with
  UNOCT) for an activity outside any programme;
* a programme splits its credit the same way among its partners, by role weight, keeping the
  runner's part (UNOCT's own) unattributed.

An actor's attributed share of an outcome is the product of the factors along a path from the
outcome to the actor, summed over the distinct paths within the depth bound, and never above 1.
Because every node hands out at most all of its credit, the shares of all actors in one outcome
sum to at most 1 (conservation), which ``tests/lineage`` checks as a property.

Why bounded expansion instead of a whole-graph snapshot: a lineage touches a small part of a
large graph, so the functions here read only what :meth:`graph.store.GraphStore.expand`
returns, which Neo4j answers with bounded per-hop Cypher queries and the embedded store with an
in-memory search. Only :func:`lineage_issues` needs the whole graph, and uses the snapshot.

Everything is deterministic: nodes, edges and paths come out in a total order that depends
only on the graph, so both stores give identical answers.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from operator import itemgetter
from types import MappingProxyType
from typing import Final, Literal, NamedTuple, Protocol

import networkx as nx

from graph.errors import NotFound, ValidationError
from graph.model import (
    ACTOR_KINDS,
    Node,
    NodeKind,
    Relationship,
    RelType,
    ResultsLevel,
    Role,
    interval_contains,
)
from graph.store import Direction, Subgraph

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
    "Flow",
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
    "build_flow",
    "contributions",
    "contributions_from",
    "lineage_from",
    "lineage_issues",
    "outcome_lineage",
    "programme_impact",
    "programme_impact_from",
]

DEFAULT_DEPTH: Final = 5
MAX_DEPTH: Final = 20

#: From an outcome to everything that led to it: lower outcomes, their producers, the
#: programmes those activities are part of, and the actors engaged in either.
UPSTREAM_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {
        RelType.CONTRIBUTED_TO: Direction.IN,
        RelType.PRODUCED: Direction.IN,
        RelType.PART_OF: Direction.OUT,
        RelType.PARTICIPATED_IN: Direction.IN,
        RelType.PARTNERS_IN: Direction.IN,
    }
)
#: From an outcome to the higher outcomes it contributed to.
DOWNSTREAM_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {RelType.CONTRIBUTED_TO: Direction.OUT}
)
#: From an actor to what it reached: its programmes and their activities, the activities it
#: took part in, what those produced, and what that contributed to. Exactly the reverse of
#: :data:`UPSTREAM_STEPS`.
ACTOR_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {
        RelType.PARTNERS_IN: Direction.OUT,
        RelType.PARTICIPATED_IN: Direction.OUT,
        RelType.PART_OF: Direction.IN,
        RelType.PRODUCED: Direction.OUT,
        RelType.CONTRIBUTED_TO: Direction.OUT,
    }
)
#: From a programme to what it reached: its activities, what they and it produced, and what
#: that contributed to.
PROGRAMME_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {
        RelType.PART_OF: Direction.IN,
        RelType.PRODUCED: Direction.OUT,
        RelType.CONTRIBUTED_TO: Direction.OUT,
    }
)
#: One hop of these from a node finds every contributor its credit is split among.
PARTY_STEPS: Final = UPSTREAM_STEPS

#: Weight of an actor's role when an activity or programme splits its credit among its
#: parties: leading roles 1, supporting roles 1/2, taking part or benefiting 1/4.
ROLE_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        Role.IMPLEMENTING: 1.0,
        Role.CO_DESIGN: 1.0,
        Role.FUNDING: 1.0,
        Role.HOST: 1.0,
        Role.ADVISORY: 0.5,
        Role.SPEAKER: 0.5,
        Role.PARTICIPANT: 0.25,
        Role.BENEFICIARY: 0.25,
    }
)
#: Weight of whoever runs an activity or programme, next to its participants or partners:
#: the activity's programmes, or UNOCT itself. Without it a lone partner or participant would
#: take all the credit for what UNOCT ran.
RUNNER_WEIGHT: Final = 1.0

RESULTS_TYPES: Final = frozenset({RelType.PRODUCED, RelType.CONTRIBUTED_TO})
_FLOW_TYPES: Final = frozenset(
    {RelType.PRODUCED, RelType.CONTRIBUTED_TO, RelType.PARTICIPATED_IN, RelType.PARTNERS_IN}
)
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


class Expander(Protocol):
    """The one store capability lineage needs (every ``GraphStore`` has it)."""

    async def expand(
        self,
        start: Sequence[str],
        *,
        steps: Mapping[RelType, Direction],
        max_depth: int,
        as_of: str | None = None,
    ) -> Subgraph: ...


# --------------------------------------------------------------------------- the flow


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Why: a process holding the embedded store tracks millions of objects, and the collections
    that a burst of allocations triggers cost several times the work itself (about 4x on the
    100,000-node benchmark). Everything built here is acyclic, so reference counting frees it
    and nothing is left for the collector; it is re-enabled as soon as the build is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def contributor_of(rel: Relationship) -> str:
    """The end of ``rel`` that receives credit from the other end.

    Examples
    --------
    >>> contributor_of(Relationship("r", RelType.PART_OF, "act-1", "prog-a"))
    'prog-a'
    >>> contributor_of(Relationship("r", RelType.PRODUCED, "act-1", "out-1"))
    'act-1'
    """
    return rel.end if rel.type is RelType.PART_OF else rel.start


def beneficiary_of(rel: Relationship) -> str:
    return rel.start if rel.type is RelType.PART_OF else rel.end


class Link(NamedTuple):
    """The relationships of one type from one contributor to one beneficiary, collapsed:
    parallel records (two roles, a re-dated share) are one step of a path.

    ``factor`` is the part of the beneficiary's credit passed to the contributor; ``rels`` are
    the relationships followed (results links below the ``min_share`` are left out of both).
    A named tuple because large lineages build one per relationship.
    """

    contributor: str
    beneficiary: str
    type: RelType
    rels: tuple[Relationship, ...]
    factor: float


class Flow:
    """Nodes and links of a part of the graph.

    ``feeds`` maps a beneficiary to the links from its contributors, in input order. The
    reverse map and the best-first orders (highest factor, then node id) that path search
    needs are built on first use, because a large lineage rarely needs them all.
    """

    __slots__ = ("_best", "_into", "feeds", "nodes")

    def __init__(self, nodes: Mapping[str, Node], feeds: Mapping[str, list[Link]]) -> None:
        self.nodes = nodes
        self.feeds = feeds
        self._into: dict[str, list[Link]] | None = None
        self._best: dict[tuple[str, bool], tuple[list[Link], list[int]]] = {}

    @property
    def feeds_into(self) -> Mapping[str, list[Link]]:
        """Contributor id to the links to its beneficiaries."""
        if self._into is None:
            into: dict[str, list[Link]] = {}
            for links in self.feeds.values():
                for link in links:
                    found = into.get(link.contributor)
                    if found is None:
                        into[link.contributor] = [link]
                    else:
                        found.append(link)
            self._into = into
        return self._into

    def steps(self, node_id: str, forward: bool) -> list[Link]:
        """Links leaving ``node_id`` towards beneficiaries (``forward``) or contributors."""
        return (self.feeds_into if forward else self.feeds).get(node_id, [])

    def best_steps(self, node_id: str, forward: bool) -> tuple[list[Link], list[int]]:
        """:meth:`steps` ordered best first (highest factor, then the other end's id), and for
        each position the end of its run of equal factors."""
        key = (node_id, forward)
        found = self._best.get(key)
        if found is None:
            # Two stable C-keyed sorts instead of one tuple key: large programmes have
            # tens of thousands of partners.
            links = sorted(self.steps(node_id, forward), key=itemgetter(1 if forward else 0))
            links.sort(key=itemgetter(4), reverse=True)
            run_end = [0] * len(links)
            end = len(links)
            for i in range(len(links) - 1, -1, -1):
                if i + 1 < len(links) and links[i].factor != links[i + 1].factor:
                    end = i + 1
                run_end[i] = end
            found = (links, run_end)
            self._best[key] = found
        return found


#: ROLE_WEIGHTS keyed by plain strings, for the hot loop of :func:`build_flow`.
_WEIGHTS: Final[dict[str, float]] = {str(k): v for k, v in ROLE_WEIGHTS.items()}


def _role_weight(rel: Relationship) -> float:
    return _WEIGHTS.get(str(rel.props.get("role", Role.PARTICIPANT)), 1.0)


def _rel_id(rel: Relationship) -> str:
    return rel.id


def _share(rel: Relationship) -> float:
    return float(rel.props.get("share", 0.0))


def build_flow(
    nodes: Iterable[Node], rels: Iterable[Relationship], *, min_share: float = 0.0
) -> Flow:
    """Collapse relationships into links and compute each link's factor.

    A beneficiary's factors are only right when all its contributor relationships are in
    ``rels``; callers guarantee that for every node they walk through (see ``PARTY_STEPS``).

    Parameters
    ----------
    nodes, rels : iterables
        Nodes and relationships (duplicates by id are fine). Give relationships in a
        deterministic order (stores return them sorted by id) so float sums are reproducible.
    min_share : float
        PRODUCED and CONTRIBUTED_TO relationships whose share is below this are not followed,
        but still count when the shares into an outcome are scaled to sum to 1.

    Examples
    --------
    >>> ns = [Node("a", NodeKind.ACTIVITY), Node("o", NodeKind.OUTCOME),
    ...       Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION), Node("p", NodeKind.PROGRAMME)]
    >>> rs = [Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.5}),
    ...       Relationship("r2", RelType.PARTICIPATED_IN, "c", "a", {"role": "IMPLEMENTING"}),
    ...       Relationship("r3", RelType.PART_OF, "a", "p")]
    >>> [(x.contributor, x.factor) for x in build_flow(ns, rs).feeds["a"]]
    [('c', 0.5), ('p', 0.5)]
    """
    by_id = {n.id: n for n in nodes}
    seen: set[str] = set()
    grouped: dict[str, dict[tuple[str, RelType], list[Relationship]]] = {}
    runners: dict[str, int] = {}
    part_of, flowing = RelType.PART_OF, _FLOW_TYPES
    for rel in rels:
        if rel.id in seen:
            continue
        seen.add(rel.id)
        rel_type = rel.type
        if rel_type is part_of:
            contributor, beneficiary = rel.end, rel.start
        elif rel_type in flowing:
            contributor, beneficiary = rel.start, rel.end
        else:
            continue
        groups = grouped.get(beneficiary)
        if groups is None:
            groups = grouped[beneficiary] = {}
        group = groups.get((contributor, rel_type))
        if group is None:
            groups[contributor, rel_type] = [rel]
            if rel_type is part_of:
                runners[beneficiary] = runners.get(beneficiary, 0) + 1
        else:
            group.append(rel)
    feeds: dict[str, list[Link]] = {}
    weights = _WEIGHTS
    for beneficiary, groups in grouped.items():
        values: list[tuple[str, RelType, tuple[Relationship, ...], float]] = []
        total = 0.0
        results = False
        for (contributor, rel_type), group in groups.items():
            if len(group) > 1:
                group.sort(key=_rel_id)
            if rel_type in RESULTS_TYPES:
                results = True
                total += sum(_share(r) for r in group)
                kept = tuple(r for r in group if _share(r) >= min_share)
                if not kept:
                    continue
                value = sum(_share(r) for r in kept)
            elif rel_type is part_of:
                kept, value = tuple(group), RUNNER_WEIGHT / runners[beneficiary]
            elif len(group) == 1:
                kept = (group[0],)
                value = weights.get(group[0].props.get("role", "PARTICIPANT"), 1.0)
                total += value
            else:
                kept = tuple(group)
                value = max(map(_role_weight, group))
                total += value
            values.append((contributor, rel_type, kept, value))
        # An engaged node always counts its runner: its programmes, or UNOCT, which keeps it.
        denominator = max(1.0, total) if results else total + RUNNER_WEIGHT
        scale = 1.0 / denominator if denominator > 0 else 0.0
        feeds[beneficiary] = [Link(c, beneficiary, t, k, v * scale) for c, t, k, v in values]
    return Flow(by_id, feeds)


def _spread(
    flow: Flow, start: str, depth: int, forward: bool
) -> tuple[dict[str, int], dict[str, float], list[Link]]:
    """Hops, credit and links used, over the paths of at most ``depth`` links from ``start``.

    Credit is summed one layer per path length, so a node reached by paths of several lengths
    counts each path exactly once and no path longer than ``depth`` counts at all. A node whose
    links all end at leaves (a programme's partners, an activity's participants) is the common
    case of a node reached at several lengths with thousands of links: its credit is gathered
    over the layers and handed out once, at the end. (A single pass in topological order was
    measured slower: results chains are shallow.)
    """
    step = flow.feeds_into if forward else flow.feeds
    end: Literal[0, 1] = 1 if forward else 0
    hops = {start: 0}
    credit = {start: 1.0}
    used: dict[int, Link] = {}
    fans: dict[str, bool] = {}
    gathered: dict[str, float] = {}
    layer = {start: 1.0}
    for hop in range(1, depth + 1):
        nxt: dict[str, float] = {}
        for node_id, value in layer.items():
            links = step.get(node_id, ())
            fan = fans.get(node_id)
            if fan is None:
                fan = fans[node_id] = len(links) > 1 and all(x[end] not in step for x in links)
            if fan:
                if node_id not in gathered:
                    gathered[node_id] = 0.0
                    for link in links:
                        used[id(link)] = link
                        other = link[end]
                        if other not in hops or hops[other] > hop:
                            hops[other] = hop
                gathered[node_id] += value
                continue
            for link in links:
                other = link[end]
                used[id(link)] = link
                nxt[other] = nxt.get(other, 0.0) + value * link.factor
                if other not in hops:
                    hops[other] = hop
        for node_id, value in nxt.items():
            credit[node_id] = credit.get(node_id, 0.0) + value
        layer = nxt
        if not layer:
            break
    for node_id, value in gathered.items():
        for link in step[node_id]:
            other = link[end]
            credit[other] = credit.get(other, 0.0) + value * link.factor
    return hops, credit, list(used.values())


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True, slots=True)
class Path:
    """A distinct path, listed in the direction credit flows: contributor first.

    ``share`` is the product of the factors of its links: the part of the last node's credit
    this path attributes to the first.
    """

    nodes: tuple[str, ...]
    links: tuple[Link, ...]
    share: float

    @property
    def relationship_ids(self) -> tuple[str, ...]:
        return tuple(r.id for link in self.links for r in link.rels)


@dataclass(frozen=True, slots=True)
class PathSet:
    """The best paths found, best first, and whether more exist than were returned."""

    paths: tuple[Path, ...]
    truncated: bool


def _best_paths(
    flow: Flow,
    start: str,
    forward: bool,
    depth: int,
    limit: int,
    *,
    allowed: Callable[[str, int], bool] = lambda node, length: True,
    goal: str | None = None,
) -> PathSet:
    """The ``limit`` paths of highest share leaving ``start``, in exact order of
    (share descending, node-id sequence from ``start``).

    Without ``goal``, a path is complete when it cannot be extended (or is ``depth`` long);
    with ``goal``, when it reaches it. Best-first search never builds a path worse than the
    ones it returns: extending a path multiplies its share by a factor <= 1, and a link's next
    sibling is pushed only when the link's path leaves the heap (siblings are sorted by factor,
    then id, which is the heap's own order), so the heap holds O(limit x depth) entries however
    many paths the graph has. Where products of different factors come out equal (a share of
    0, or rounding), sibling order and heap order could disagree, so that whole group of equal
    share is pushed at once and its last member (greatest id) pushes what follows.
    """
    # entry: (-share, ids, links, parent_share, siblings, run ends, next sibling index or -1)
    Entry = tuple[
        float, tuple[str, ...], tuple[Link, ...], float, Sequence[Link], Sequence[int], int
    ]
    heap: list[Entry] = []
    found: list[Path] = []
    end: Literal[0, 1] = 1 if forward else 0

    def push_from(
        ids: tuple[str, ...],
        links: tuple[Link, ...],
        share: float,
        sibs: Sequence[Link],
        runs: Sequence[int],
        i: int,
    ) -> bool:
        """Push the next sibling from index ``i`` (or its group); False if there is none."""
        length = len(ids)
        n = len(sibs)
        while i < n and (sibs[i][end] in ids or not allowed(sibs[i][end], length)):
            i += 1
        if i == n:
            return False
        value = share * sibs[i].factor
        nxt_run = runs[i]
        if nxt_run == n or share * sibs[nxt_run].factor != value:
            link = sibs[i]
            heapq.heappush(
                heap,
                (-value, (*ids, link[end]), (*links, link), share, sibs, runs, i + 1),
            )
            return True
        group = []
        while i < n and share * sibs[i].factor == value:
            if sibs[i][end] not in ids and allowed(sibs[i][end], length):
                group.append(i)
            i += 1
        last = max(group, key=lambda j: sibs[j][end])
        for j in group:
            link = sibs[j]
            advance = i if j == last else -1
            heapq.heappush(
                heap, (-value, (*ids, link[end]), (*links, link), share, sibs, runs, advance)
            )
        return True

    push_from((start,), (), 1.0, *flow.best_steps(start, forward), 0)
    while heap:
        neg, ids, links, parent_share, sibs, runs, advance = heapq.heappop(heap)
        if advance >= 0:
            push_from(ids[:-1], links[:-1], parent_share, sibs, runs, advance)
        last = ids[-1]
        if goal is not None and last == goal:
            complete = True
        elif len(links) >= depth:
            complete = goal is None
            if not complete:
                continue
        else:
            pushed = push_from(ids, links, -neg, *flow.best_steps(last, forward), 0)
            complete = goal is None and not pushed
        if complete:
            if len(found) == limit:
                return PathSet(tuple(found), True)
            ordered_ids = ids if forward else ids[::-1]
            ordered_links = links if forward else links[::-1]
            found.append(Path(ordered_ids, ordered_links, -neg))
    return PathSet(tuple(found), False)


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
    """An outcome's lineage: nodes ordered by (hops, id), edges by relationship id.

    Large lineages have tens of thousands of nodes while a client reads a page at a time, so
    the ordered ids are computed eagerly and the :class:`LineageNode` / :class:`LineageEdge`
    records only for what is read (:meth:`node_at`, :meth:`edge_at`, or all of them through
    :attr:`nodes` and :attr:`edges`).
    """

    def __init__(
        self,
        *,
        start: Node,
        direction: LineageDirection,
        depth: int,
        min_share: float,
        as_of: str | None,
        flow: Flow,
        hops: Mapping[str, int],
        credit: Mapping[str, float],
        downstream: frozenset[str],
        edges: Mapping[str, tuple[Relationship, Link, Side]],
    ) -> None:
        self.start = start
        self.direction = direction
        self.depth = depth
        self.min_share = min_share
        self.as_of = as_of
        self.flow = flow
        self._hops = hops
        self._credit = credit
        self._downstream = downstream
        self._edges = edges
        self._node_pos: dict[str, int] | None = None
        self._edge_pos: dict[str, int] | None = None

    @property
    def size(self) -> int:
        """Nodes plus relationships held (without ordering them)."""
        return len(self._hops) + len(self._edges)

    @cached_property
    def node_ids(self) -> tuple[str, ...]:
        """Ids of the lineage's nodes, ordered by (hops, id)."""
        buckets: list[list[str]] = [[] for _ in range(self.depth + 1)]
        for node_id, hop in self._hops.items():
            buckets[hop].append(node_id)
        return tuple(n for b in buckets for n in sorted(b))

    @cached_property
    def edge_ids(self) -> tuple[str, ...]:
        """Ids of the lineage's relationships, ordered."""
        return tuple(sorted(self._edges))

    def node_at(self, index: int) -> LineageNode:
        node_id = self.node_ids[index]
        if node_id == self.start.id:
            side = Side.START
        elif node_id in self._downstream:
            side = Side.DOWNSTREAM
        else:
            side = Side.UPSTREAM
        return LineageNode(
            self.flow.nodes[node_id], side, self._hops[node_id], self._credit[node_id]
        )

    def edge_at(self, index: int) -> LineageEdge:
        return LineageEdge(*self._edges[self.edge_ids[index]])

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
        return tuple(self.node_at(i) for i in range(len(self.node_ids)))

    @property
    def edges(self) -> tuple[LineageEdge, ...]:
        return tuple(self.edge_at(i) for i in range(len(self.edge_ids)))

    @_bulk()
    def paths(self, limit: int) -> PathSet:
        """The ``limit`` best distinct maximal paths (highest share first, then node ids from
        the start): upstream ones end at the outcome, downstream ones begin at it."""
        keyed: list[tuple[tuple[float, tuple[str, ...]], Path]] = []
        truncated = False
        if self.direction is not LineageDirection.DOWNSTREAM:
            up = _best_paths(self.flow, self.start.id, False, self.depth, limit)
            keyed += [((-p.share, p.nodes[::-1]), p) for p in up.paths]
            truncated = up.truncated
        if self.direction is not LineageDirection.UPSTREAM:
            down = _best_paths(self.flow, self.start.id, True, self.depth, limit)
            keyed += [((-p.share, p.nodes), p) for p in down.paths]
            truncated = truncated or down.truncated
        keyed.sort(key=lambda kp: kp[0])
        return PathSet(tuple(p for _, p in keyed[:limit]), truncated or len(keyed) > limit)


def check_depth(depth: int) -> int:
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError(f"must be between 1 and {MAX_DEPTH}, got {depth}", field="depth")
    return depth


def check_share(min_share: float) -> float:
    if not 0.0 <= min_share <= 1.0:
        raise ValidationError(f"must be between 0 and 1, got {min_share}", field="minShare")
    return min_share


def _start_node(sub: Subgraph, node_id: str, kinds: frozenset[NodeKind], what: str) -> Node:
    found = next((n for n in sub.nodes if n.id == node_id), None)
    if found is None:
        raise NotFound(f"no {what} with id {node_id!r}", field=what)
    if found.kind not in kinds:
        raise ValidationError(f"{node_id!r} is a {found.kind}, not an {what}", field=what)
    return found


@_bulk()
def lineage_from(
    outcome: str,
    *,
    upstream: Subgraph | None,
    downstream: Subgraph | None,
    depth: int,
    min_share: float = 0.0,
    as_of: str | None = None,
) -> Lineage:
    """An outcome's lineage from already expanded subgraphs.

    Parameters
    ----------
    outcome : str
        Id of the outcome.
    upstream : Subgraph or None
        ``expand([outcome], steps=UPSTREAM_STEPS, max_depth=depth)``, or None for a
        downstream-only lineage.
    downstream : Subgraph or None
        ``expand([outcome], steps=DOWNSTREAM_STEPS, max_depth=depth)`` plus one hop of
        ``{PRODUCED: IN, CONTRIBUTED_TO: IN}`` from each node it reached (so each higher
        outcome's shares can be scaled), or None for an upstream-only lineage.

    Examples
    --------
    >>> ns = [Node("o", NodeKind.OUTCOME), Node("a", NodeKind.ACTIVITY)]
    >>> rs = [Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.4})]
    >>> up = Subgraph(ns, {"o": 0, "a": 1}, rs)
    >>> lin = lineage_from("o", upstream=up, downstream=None, depth=5)
    >>> [(n.node.id, n.hops, n.share) for n in lin.nodes]
    [('o', 0, 1.0), ('a', 1, 0.4)]
    >>> [p.nodes for p in lin.paths(10).paths]
    [('a', 'o')]
    """
    check_depth(depth)
    check_share(min_share)
    subs = [s for s in (upstream, downstream) if s is not None]
    if not subs:
        raise ValueError("need an upstream or a downstream subgraph")
    start = _start_node(subs[0], outcome, frozenset({NodeKind.OUTCOME}), "outcome")
    flow = build_flow(
        (n for s in subs for n in s.nodes),
        (r for s in subs for r in s.relationships),
        min_share=min_share,
    )
    hops: dict[str, int] = {}
    credit: dict[str, float] = {}
    downstream_ids: frozenset[str] = frozenset()
    edges: dict[str, tuple[Relationship, Link, Side]] = {}
    for sub, side, forward in (
        (upstream, Side.UPSTREAM, False),
        (downstream, Side.DOWNSTREAM, True),
    ):
        if sub is None:
            continue
        side_hops, side_credit, used = _spread(flow, start.id, depth, forward)
        hops.update(side_hops)
        credit.update(side_credit)
        if forward:
            downstream_ids = frozenset(side_hops)
        for link in used:
            for rel in link.rels:
                edges[rel.id] = (rel, link, side)
    direction = (
        LineageDirection.BOTH
        if upstream is not None and downstream is not None
        else LineageDirection.UPSTREAM
        if upstream is not None
        else LineageDirection.DOWNSTREAM
    )
    return Lineage(
        start=start,
        direction=direction,
        depth=depth,
        min_share=min_share,
        as_of=as_of,
        flow=flow,
        hops=hops,
        credit=credit,
        downstream=downstream_ids,
        edges=edges,
    )


_RESULTS_IN: Final = MappingProxyType(
    {RelType.PRODUCED: Direction.IN, RelType.CONTRIBUTED_TO: Direction.IN}
)


async def outcome_lineage(
    store: Expander,
    outcome: str,
    *,
    direction: LineageDirection = LineageDirection.UPSTREAM,
    depth: int = DEFAULT_DEPTH,
    min_share: float = 0.0,
    as_of: str | None = None,
) -> Lineage:
    """Expand around ``outcome`` in the store and build its lineage (see :func:`lineage_from`).

    Upstream needs one bounded expansion: every node it walks through is expanded, so all its
    contributors are in view. Downstream needs a second, one-hop expansion, because the shares
    into a higher outcome come from outcomes off the lineage too. The build runs in a worker
    thread (it only reads the immutable expansion) so a large lineage does not stall the event
    loop serving other requests.
    """
    check_depth(depth)
    check_share(min_share)
    up = down = None
    if direction is not LineageDirection.DOWNSTREAM:
        up = await store.expand([outcome], steps=UPSTREAM_STEPS, max_depth=depth, as_of=as_of)
    if direction is not LineageDirection.UPSTREAM:
        chain = await store.expand([outcome], steps=DOWNSTREAM_STEPS, max_depth=depth, as_of=as_of)
        around = await store.expand(
            [n.id for n in chain.nodes], steps=_RESULTS_IN, max_depth=1, as_of=as_of
        )
        down = _union(chain, around)
    return await asyncio.to_thread(
        lineage_from,
        outcome,
        upstream=up,
        downstream=down,
        depth=depth,
        min_share=min_share,
        as_of=as_of,
    )


def _union(first: Subgraph, second: Subgraph) -> Subgraph:
    """Nodes and relationships of both; hop counts of the first (the one walked)."""
    nodes = {n.id: n for n in second.nodes} | {n.id: n for n in first.nodes}
    rels = {r.id: r for r in second.relationships} | {r.id: r for r in first.relationships}
    return Subgraph(
        nodes=[nodes[k] for k in sorted(nodes)],
        depth=dict(first.depth),
        relationships=[rels[k] for k in sorted(rels)],
    )


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
    flow: Flow
    hops: Mapping[str, int]

    @_bulk()
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
        return _best_paths(
            self.flow,
            outcome,
            False,
            self.depth,
            limit,
            allowed=allowed,
            goal=self.subject.id,
        )


@_bulk()
def contributions_from(
    subject: str,
    *,
    reached: Subgraph,
    parties: Subgraph,
    depth: int,
    min_share: float = 0.0,
    as_of: str | None = None,
    kinds: frozenset[NodeKind] = ACTOR_KINDS,
) -> Contributions:
    """Outcomes an actor reached, with its attributed share of each.

    Parameters
    ----------
    reached : Subgraph
        ``expand([subject], steps=ACTOR_STEPS, max_depth=depth)`` (``PROGRAMME_STEPS`` for a
        programme).
    parties : Subgraph
        ``expand(<every node of reached>, steps=PARTY_STEPS, max_depth=1)``: the other
        contributors of every node reached, which the factors are computed over.

    Examples
    --------
    >>> ns = [Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION), Node("d", NodeKind.COMPANY),
    ...       Node("a", NodeKind.ACTIVITY), Node("o", NodeKind.OUTCOME, {"level": "OUTPUT"})]
    >>> rs = [Relationship("p1", RelType.PARTICIPATED_IN, "c", "a", {"role": "SPEAKER"}),
    ...       Relationship("p2", RelType.PARTICIPATED_IN, "d", "a", {"role": "PARTICIPANT"}),
    ...       Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.6})]
    >>> reached = Subgraph([ns[0], ns[2], ns[3]], {"c": 0, "a": 1, "o": 2}, [rs[0], rs[2]])
    >>> parties = Subgraph(ns, {}, rs)
    >>> result = contributions_from("c", reached=reached, parties=parties, depth=5)
    >>> [(x.outcome.id, round(x.share, 3)) for x in result.outcomes]
    [('o', 0.171)]
    """
    check_depth(depth)
    check_share(min_share)
    what = "programme" if kinds == frozenset({NodeKind.PROGRAMME}) else "actor"
    start = _start_node(reached, subject, kinds, what)
    flow = build_flow(
        [*reached.nodes, *parties.nodes],
        [*reached.relationships, *parties.relationships],
        min_share=min_share,
    )
    hops, credit, _ = _spread(flow, start.id, depth, forward=True)
    outcomes = [
        Contribution(flow.nodes[n], hops[n], min(1.0, credit[n]))
        for n in hops
        if flow.nodes[n].kind is NodeKind.OUTCOME
    ]
    outcomes.sort(key=lambda c: (-c.share, c.outcome.id))
    return Contributions(
        subject=start,
        depth=depth,
        min_share=min_share,
        as_of=as_of,
        outcomes=tuple(outcomes),
        flow=flow,
        hops=hops,
    )


async def _reach(
    store: Expander,
    subject: str,
    steps: Mapping[RelType, Direction],
    depth: int,
    as_of: str | None,
    what: str,
) -> tuple[Subgraph, Subgraph]:
    reached = await store.expand([subject], steps=steps, max_depth=depth, as_of=as_of)
    if not reached.nodes:
        raise NotFound(f"no {what} with id {subject!r}", field=what)
    parties = await store.expand(
        [n.id for n in reached.nodes], steps=PARTY_STEPS, max_depth=1, as_of=as_of
    )
    return reached, parties


async def contributions(
    store: Expander,
    actor: str,
    *,
    depth: int = DEFAULT_DEPTH + 3,
    min_share: float = 0.0,
    as_of: str | None = None,
) -> Contributions:
    """Expand from ``actor`` in the store and attribute (see :func:`contributions_from`).

    The default depth is 8 so an actor reaches five results levels through a programme
    (actor, programme, activity, then outcomes).
    """
    check_depth(depth)
    check_share(min_share)
    reached, parties = await _reach(store, actor, ACTOR_STEPS, depth, as_of, "actor")
    return await asyncio.to_thread(
        contributions_from,
        actor,
        reached=reached,
        parties=parties,
        depth=depth,
        min_share=min_share,
        as_of=as_of,
    )


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


@_bulk()
def programme_impact_from(
    programme: str,
    *,
    reached: Subgraph,
    parties: Subgraph,
    depth: int,
    min_share: float = 0.0,
    as_of: str | None = None,
) -> ProgrammeImpact:
    """A programme's outcomes by level, its partners' parts of its credit, and the evidence
    coverage of the results links on the way.

    ``reached`` is ``expand([programme], steps=PROGRAMME_STEPS, max_depth=depth)`` and
    ``parties`` one hop of ``PARTY_STEPS`` from each node of it (which includes the
    programme's partners). A programme's share of an outcome follows the same rule as an
    actor's; each partner gets ``weight / total weight`` of everything the programme earns.
    """
    result = contributions_from(
        programme,
        reached=reached,
        parties=parties,
        depth=depth,
        min_share=min_share,
        as_of=as_of,
        kinds=frozenset({NodeKind.PROGRAMME}),
    )
    levels = {level.value: 0 for level in sorted(_LEVEL_ORDER, key=_LEVEL_ORDER.__getitem__)}
    for c in result.outcomes:
        levels[str(c.outcome.props.get("level", ResultsLevel.OUTCOME))] += 1
    partners = [
        PartnerShare(
            actor=result.flow.nodes[link.contributor],
            roles=tuple(sorted({str(r.props.get("role")) for r in link.rels})),
            weight=max(_role_weight(r) for r in link.rels),
            share=link.factor,
        )
        for link in result.flow.feeds.get(programme, ())
        if link.type is RelType.PARTNERS_IN
    ]
    partners.sort(key=lambda p: (-p.share, p.actor.id))
    _, _, used = _spread(result.flow, programme, depth, forward=True)
    evidence = evidence_of(r for link in used for r in link.rels)
    return ProgrammeImpact(
        contributions=result,
        by_level=MappingProxyType(levels),
        partners=tuple(partners),
        evidence=evidence,
    )


async def programme_impact(
    store: Expander,
    programme: str,
    *,
    depth: int = DEFAULT_DEPTH + 2,
    min_share: float = 0.0,
    as_of: str | None = None,
) -> ProgrammeImpact:
    """Expand from ``programme`` in the store and summarise (see
    :func:`programme_impact_from`); default depth 7 (programme, activity, five levels)."""
    check_depth(depth)
    check_share(min_share)
    reached, parties = await _reach(store, programme, PROGRAMME_STEPS, depth, as_of, "programme")
    return await asyncio.to_thread(
        programme_impact_from,
        programme,
        reached=reached,
        parties=parties,
        depth=depth,
        min_share=min_share,
        as_of=as_of,
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


@_bulk()
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
