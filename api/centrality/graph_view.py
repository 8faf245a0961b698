"""The ``networkGraph`` root field: an analysed network as drawable data, nodes and links.

The other network fields answer questions about the network (who ranks first, what splits
it); a drawing needs the network itself: every node the caller may see, with what sizes and
colours it, and every link between them. This module serves that in one bounded answer.

Why it is built this way:

- **The same network and the same analyses.** The network is the one every centrality field
  analyses (:func:`~api.centrality.queries.network_params`, the service's cached graph), and
  the scores, communities, articulation points and bridges on it are read from the cache
  entries of ``centrality``, ``communities``, ``articulationPoints`` and ``bridges`` (same
  keys, same computations), so a dashboard that asks both pays once.
- **Policy first.** Restricted actors the caller may not see are left out *before* anything is
  ordered, counted or cut: their links go with them, ``totalNodes`` and ``totalLinks`` count
  what the caller is shown, and each node's ``degree`` (by which nodes are ordered and cut) is
  its number of links to shown nodes. So nothing in the answer shows a gap where a hidden
  actor stands; scores and communities are computed on the whole network, as the fields
  they come from are (docs/SECURITY.md, "What an unprivileged caller can still infer").
- **Bounded.** At most ``maxNodes`` nodes (5,000), those with the most links, and at most
  ``maxLinks`` links (20,000) among them: each node's strongest first, so that no node is
  drawn alone while it has a tie in the drawing, then the strongest of the rest (a dense
  co-partnership network has a hundred times more ties than nodes); the answer says when it
  was cut.
  The cost model prices every node (a ``Node`` object) and every 10 links.
- **Cached per (revision, parameters).** The selection depends on the network, the caller's
  hidden set (empty for privileged callers; the same for every other caller at a revision)
  and the bounds, and is kept under those in the service's results cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Hashable
from dataclasses import dataclass
from typing import Annotated, Any, Final, TypeVar

import networkx as nx
import strawberry
from strawberry.types import Info

from analytics import resilience
from analytics.centrality import AnalysisTooLarge
from analytics.projection import ACTOR_KINDS
from api.centrality import analyses
from api.centrality import service as svc
from api.centrality import types as t
from api.centrality.errors import not_converged, too_large
from api.centrality.queries import (
    FilterArg,
    HalfLifeArg,
    WeightedArg,
    centrality_request,
    ranking_for,
    shown_nodes,
)
from api.context import Context
from api.errors import bad_input
from api.input_ranges import NUMBERS
from api.nodes import Node
from graph.model import NON_STATE_KINDS

#: Most nodes one answer holds (the range of ``maxNodes``: api/input_ranges.py).
MAX_NODES: Final = int(NUMBERS["maxNodes"].high or 5_000)
#: Most links one answer holds (the range of ``maxLinks``).
MAX_LINKS: Final = int(NUMBERS["maxLinks"].high or 20_000)
DEFAULT_NODES: Final = 2_000
DEFAULT_LINKS: Final = 10_000
#: The partition the ``communities`` field gives by default: the same cache entry.
_RESOLUTION: Final = 1.0
_SEED: Final = 0
_NON_STATE: Final = frozenset(k.value for k in NON_STATE_KINDS)

R = TypeVar("R")


# --------------------------------------------------------------------------- GraphQL types


@strawberry.type(description="A node of a network drawing, with what sizes and colours it.")
class GraphNode:
    node: Node = strawberry.field(description="The node.")
    degree: int = strawberry.field(
        description="Its links in the network as you see it (to nodes shown to you, in or "
        "beyond this answer): what orders and cuts the drawing."
    )
    score: float | None = strawberry.field(
        description="Its score by `measure` (as `centrality` gives it), computed on the whole "
        "network; null when the measure does not score it."
    )
    community: int | None = strawberry.field(
        description="Its community's `number` (as `communities` numbers them: 0 for the "
        "largest), when `communities` was asked for; else null."
    )
    articulation_point: bool = strawberry.field(
        description="True when its removal splits its part of the network (as "
        "`articulationPoints` finds them): a single point of failure when it is an actor."
    )


@strawberry.type(description="A link of a network drawing between two of its nodes.")
class GraphLink:
    source: str = strawberry.field(description="Key of one end (the lower key).")
    target: str = strawberry.field(description="Key of the other end.")
    weight: float = strawberry.field(
        description="Tie strength: FULL, the relationships between the pair; CO_PARTNERSHIP, "
        "the shared programmes and activities (decayed by age with `halfLifeYears`)."
    )
    bridge: bool = strawberry.field(
        description="True when removing it splits its part of the network (as `bridges` "
        "finds them)."
    )


@strawberry.type(description="A network as drawable data: its nodes and the links between them.")
class NetworkGraph:
    projection: t.ProjectionEnum = strawberry.field(description="The graph drawn.")
    revision: int = strawberry.field(description="Graph revision drawn.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    measure: t.MeasureEnum = strawberry.field(description="The measure of each node's `score`.")
    weighted: bool = strawberry.field(
        description="Whether tie strengths were used for scores and communities."
    )
    total_nodes: int = strawberry.field(description="Nodes of the network shown to you.")
    total_links: int = strawberry.field(description="Links between them.")
    truncated: bool = strawberry.field(
        description="True when `nodes` holds fewer than `totalNodes` (cut at `maxNodes`)."
    )
    links_truncated: bool = strawberry.field(
        description="True when more links join the nodes of this answer than `links` holds "
        "(cut at `maxLinks`: each node's strongest link kept first, then the strongest)."
    )
    community_count: int | None = strawberry.field(
        description="Communities of the whole network (as `communities` counts them), when "
        "`communities` was asked for; else null."
    )
    nodes: list[GraphNode] = strawberry.field(
        description="The nodes, most links first (ties: key); at most `maxNodes`."
    )
    links: list[GraphLink] = strawberry.field(
        description="Links between those nodes, by their ends' keys; at most `maxLinks`."
    )


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """What one caller class is drawn (caller-independent given the hidden set)."""

    total_nodes: int
    total_links: int
    nodes: tuple[tuple[Hashable, int], ...]
    """(node, degree among shown nodes), most links first, ties by key."""
    links: tuple[tuple[Hashable, Hashable, float], ...]
    links_truncated: bool


def select(graph: nx.Graph, hidden: frozenset[str], max_nodes: int, max_links: int) -> Selection:
    """The nodes and links to draw of ``graph`` without ``hidden``.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "d")])
    >>> s = select(g, frozenset({"d"}), 2, 10)
    >>> s.total_nodes, s.total_links, s.nodes, s.links
    (3, 2, (('b', 2), ('a', 1)), (('a', 'b', 1.0),))
    """
    adjacency = graph._adj  # networkx's storage: a view per node costs more than the work
    degree: dict[Hashable, int] = {}
    for v, nbrs in adjacency.items():
        if str(v) in hidden:
            continue
        degree[v] = sum(1 for w in nbrs if w != v and str(w) not in hidden)
    ordered = sorted(degree.items(), key=lambda item: (-item[1], str(item[0])))
    kept = ordered[:max_nodes]
    chosen = {v for v, _ in kept}
    found: list[tuple[Hashable, Hashable, float]] = []
    for u, _ in kept:
        for w, data in adjacency[u].items():
            if w in chosen and str(u) < str(w):
                found.append((u, w, float(data.get("weight", 1.0))))
    cut = len(found) > max_links
    if cut:
        found = _strongest(found, max_links)
    found.sort(key=lambda link: (str(link[0]), str(link[1])))
    return Selection(
        total_nodes=len(degree),
        total_links=sum(degree.values()) // 2,
        nodes=tuple(kept),
        links=tuple(found),
        links_truncated=cut,
    )


def _strongest(
    links: list[tuple[Hashable, Hashable, float]], count: int
) -> list[tuple[Hashable, Hashable, float]]:
    """``count`` of ``links``: each node's strongest link first (so no node is drawn alone
    while it has a link in the drawing, as far as ``count`` allows), then the strongest of the
    rest; ties by the ends' keys.

    Examples
    --------
    >>> links = [("a", "b", 5.0), ("a", "c", 4.0), ("b", "c", 3.0), ("c", "d", 1.0)]
    >>> _strongest(links, 3)
    [('a', 'b', 5.0), ('a', 'c', 4.0), ('c', 'd', 1.0)]
    """
    ranked = sorted(links, key=lambda link: (-link[2], str(link[0]), str(link[1])))
    linked: set[Hashable] = set()
    backbone: list[tuple[Hashable, Hashable, float]] = []
    rest: list[tuple[Hashable, Hashable, float]] = []
    for link in ranked:  # strongest first: the first link met at a node is its strongest
        u, w, _ = link
        if u in linked and w in linked:
            rest.append(link)
        else:
            backbone.append(link)
            linked.update((u, w))
    return (backbone + rest)[:count]


async def _hidden(info: Info[Context, Any], graph: nx.Graph) -> frozenset[str]:
    """Keys of the network's nodes the caller may not see: none for privileged callers; else
    the non-state actors the policy hides (their current record decides, as everywhere)."""
    policy = info.context.policy
    if policy.privileged:
        return frozenset()
    attrs = graph._node
    candidates = [str(v) for v in graph if attrs[v].get("kind") in _NON_STATE]
    found = await info.context.node_loader.load_many(candidates)
    return frozenset(
        k for k, n in zip(candidates, found, strict=True) if n is None or not policy.shows(n)
    )


async def _coded(work: Awaitable[R], measure: str) -> R:
    """Await an analysis, turning the analytics' refusals into coded GraphQL errors."""
    try:
        return await work
    except AnalysisTooLarge as err:
        raise too_large(err) from None
    except nx.PowerIterationFailedConvergence:
        raise not_converged(measure) from None


# --------------------------------------------------------------------------- the field


@strawberry.type
class NetworkGraphQuery:
    @strawberry.field(
        description="The network as drawable data: the nodes you may see (each with its "
        "links, a centrality score, its community and whether it is an articulation point) "
        "and the links between them (with their weight and whether each is a bridge), for a "
        "dashboard's graph view in one round trip. Bounded: the `maxNodes` nodes with the "
        "most links, and at most `maxLinks` links among them (each node's strongest, then the "
        "strongest of the rest); `truncated` and `linksTruncated` say when the network was "
        "cut. Restricted actors you may not see are left out with their links before "
        "anything is ordered or counted. The undirected network only."
    )
    async def network_graph(
        self,
        info: Info[Context, Any],
        projection: Annotated[
            t.ProjectionEnum,
            strawberry.argument(description="The graph to draw (default CO_PARTNERSHIP)."),
        ] = t.ProjectionEnum.CO_PARTNERSHIP,
        filter: FilterArg = None,
        measure: Annotated[
            t.MeasureEnum,
            strawberry.argument(
                description="The measure of each node's `score` (default DEGREE), as "
                "`centrality` computes it, normalised; IN_DEGREE and OUT_DEGREE need a "
                "directed network and are refused."
            ),
        ] = t.MeasureEnum.DEGREE,
        weighted: WeightedArg = False,
        communities: Annotated[
            bool,
            strawberry.argument(
                description="Give each node its community (Louvain, as `communities` finds "
                "them with its defaults); costs as much as `communities`."
            ),
        ] = False,
        max_nodes: Annotated[
            int,
            strawberry.argument(
                description=f"Most nodes drawn, those with the most links first (default "
                f"{DEFAULT_NODES:,})."
            ),
        ] = DEFAULT_NODES,
        max_links: Annotated[
            int,
            strawberry.argument(
                description="Most links drawn: each node's strongest link first, then the "
                f"strongest of the rest (default {DEFAULT_LINKS:,})."
            ),
        ] = DEFAULT_LINKS,
        half_life_years: HalfLifeArg = None,
    ) -> NetworkGraph:
        m = t.MEASURES[measure]
        if m in analyses.DIRECTED_ONLY:
            raise bad_input(f"{m} needs a directed network; networkGraph is undirected", "measure")
        params, req = await centrality_request(
            info,
            measure,
            projection,
            filter,
            weighted=weighted,
            normalized=True,
            sample=None,
            allow_sampling=False,
            damping=None,
            directed=False,
            half_life_years=half_life_years,
            budget=svc.WORK_BUDGET,
        )
        service = svc.service_for(info.context.store)
        network = await _coded(service.network(params), str(m))
        hidden = await _hidden(info, network.graph)

        def draw(graph: nx.Graph) -> Selection:
            return select(graph, hidden, max_nodes, max_links)

        def cut_vertices(graph: nx.Graph) -> tuple[resilience.CutImpact, ...]:
            return analyses.cut_vertices(graph, ACTOR_KINDS)

        def bridges(graph: nx.Graph) -> list[resilience.BridgeImpact]:
            return resilience.bridge_impacts(graph, actor_kinds=ACTOR_KINDS)

        def partition(graph: nx.Graph) -> analyses.Partition:
            return analyses.partition(graph, weighted, _RESOLUTION, _SEED, ACTOR_KINDS)

        # The keys of the fields these come from (api/centrality/queries.py): one cache entry.
        revision, chosen = await _coded(
            service.analyse(params, ("graph_view", hidden, max_nodes, max_links), draw), str(m)
        )
        _, ranking = await ranking_for(info, params, req)  # coded errors of its own
        _, cuts = await _coded(service.analyse(params, "articulation_points", cut_vertices), "")
        _, found_bridges = await _coded(service.analyse(params, "bridges", bridges), "")
        community_of: dict[Hashable, int] = {}
        community_count: int | None = None
        if communities:
            key = ("communities", weighted, _RESOLUTION, _SEED)
            _, found = await _coded(service.analyse(params, key, partition), "communities")
            community_count = len(found.communities)
            for number, community in enumerate(found.communities):
                community_of.update((v, number) for v, _ in community.members)

        objects = await shown_nodes(info, (v for v, _ in chosen.nodes))
        scores = ranking.result.scores
        cut = {c.node for c in cuts}
        bridged = {frozenset(b.ends) for b in found_bridges}
        nodes = [
            GraphNode(
                node=objects[str(v)],
                degree=d,
                score=scores.get(v),
                community=community_of.get(v) if communities else None,
                articulation_point=v in cut,
            )
            for v, d in chosen.nodes
            if str(v) in objects  # a node deleted since the network was read: left out
        ]
        present = {str(v) for v, _ in chosen.nodes if str(v) in objects}
        links = [
            GraphLink(source=str(u), target=str(w), weight=wt, bridge=frozenset((u, w)) in bridged)
            for u, w, wt in chosen.links
            if str(u) in present and str(w) in present
        ]
        return NetworkGraph(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            measure=measure,
            weighted=weighted,
            total_nodes=chosen.total_nodes,
            total_links=chosen.total_links,
            truncated=len(chosen.nodes) < chosen.total_nodes,
            links_truncated=chosen.links_truncated,
            community_count=community_count,
            nodes=nodes,
            links=links,
        )
