"""Root query fields of the centrality area: thin resolvers.

Each decodes its arguments into :class:`NetworkParams` (the analysed network) plus the
options of its analysis, asks the store's :class:`AnalysisService` for the cached result
(computed once, off the event loop), and maps it to GraphQL, building every node through
the caller's policy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Annotated, Any, Final, TypeVar

import networkx as nx
import strawberry
from strawberry.types import Info

from analytics import disclosure, resilience
from analytics.centrality import AnalysisTooLarge
from analytics.projection import ACTOR_KINDS
from api.centrality import analyses, jobs
from api.centrality import service as svc
from api.centrality import types as t
from api.centrality.errors import MeasureTooLarge, not_converged, too_large
from api.centrality.params import BadParameter, NetworkParams, Projection
from api.context import Context
from api.core.geography import BASES, CoverageGeographyEnum
from api.core.paging import MAX_PAGE, check_first
from api.errors import bad_input, not_found
from api.nodes import Node, NodeKindEnum, decode_global_id, shown_object
from graph.model import Node as StoredNode
from graph.model import NodeKind

R = TypeVar("R")

DEFAULT_TOP: Final = 20
#: Largest number of ids ``whatIf`` removes at once.
MAX_REMOVE: Final = MAX_PAGE

ProjectionArg = Annotated[
    t.ProjectionEnum,
    strawberry.argument(description="The graph to analyse (default FULL)."),
]
FilterArg = Annotated[
    t.NetworkFilter | None,
    strawberry.argument(description="Which part of the network, and as of when."),
]
TopArg = Annotated[
    int,
    strawberry.argument(description=f"How many entries, 1 to {MAX_PAGE} (default {DEFAULT_TOP})."),
]
WeightedArg = Annotated[
    bool,
    strawberry.argument(
        description="Use tie strengths (FULL: relationships between the pair; CO_PARTNERSHIP: "
        "shared items). Path measures read a strength as distance = 1 / weight."
    ),
]
DirectedArg = Annotated[
    bool,
    strawberry.argument(
        description="FULL only: keep relationship directions (actor -> programme, state -> "
        "regional organisation). IN_DEGREE and OUT_DEGREE imply it."
    ),
]
HalfLifeArg = Annotated[
    float | None,
    strawberry.argument(
        description="CO_PARTNERSHIP only: years after which a shared programme or activity "
        "counts half, from when the joint engagement ended; ended engagements up to `asOf` "
        "then count too."
    ),
]
RankKindsArg = Annotated[
    list[NodeKindEnum] | None,
    strawberry.argument(
        description="Rank only nodes of these kinds; scores are still computed on the whole "
        "network."
    ),
]
GeographyArg = Annotated[
    CoverageGeographyEnum,
    strawberry.argument(
        description="Region of a coverage cell: the partner's (default) or the target's, as "
        "in coverageMatrix."
    ),
]


# --------------------------------------------------------------------------- helpers


async def network_params(
    info: Info[Context, Any],
    projection: t.ProjectionEnum,
    flt: t.NetworkFilter | None,
    *,
    directed: bool = False,
    half_life_years: float | None = None,
) -> NetworkParams:
    """The analysed network of a request; themes must name thematic areas."""
    f = flt or t.NetworkFilter()
    themes = None
    if f.themes is not None:
        themes = [decode_global_id(str(i)) for i in f.themes]
        found = await info.context.node_loader.load_many(themes)
        for key, node in zip(themes, found, strict=True):
            if node is None or node.kind is not NodeKind.THEMATIC_AREA:
                raise bad_input(f"{key!r} is not a thematic area", "filter")
    try:
        return NetworkParams.of(
            t.PROJECTIONS[projection],
            kinds=None if f.kinds is None else [str(k.value) for k in f.kinds],
            relationship_types=None
            if f.relationship_types is None
            else [str(r.value) for r in f.relationship_types],
            roles=None if f.roles is None else [str(r.value) for r in f.roles],
            regions=None if f.regions is None else [str(r.value) for r in f.regions],
            countries=f.countries,
            themes=themes,
            as_of=f.as_of,
            directed=directed,
            half_life_years=half_life_years,
        )
    except BadParameter as err:
        raise bad_input(str(err), err.name) from None


async def _guarded(
    work: Awaitable[R],
    *,
    sampling: Callable[[], Awaitable[int]] | None = None,
    measure: str = "the analysis",
) -> R:
    """Await an analysis, turning analytics' refusals into coded GraphQL errors.

    ``sampling`` (betweenness only) gives the network's number of links, which the error
    needs to suggest a sample size; it is asked only when the budget was exceeded, so a
    cached result never pays for rebuilding an evicted network.
    """
    try:
        return await work
    except AnalysisTooLarge as err:
        edges = await sampling() if sampling is not None and err.measure == "betweenness" else None
        raise too_large(err, edges=edges) from None
    except nx.PowerIterationFailedConvergence:
        raise not_converged(measure) from None


async def shown_nodes(info: Info[Context, Any], ids: Iterable[Hashable]) -> dict[Hashable, Node]:
    """GraphQL objects for those node ids the caller may see, by id (one store call); a
    hidden or missing node has no entry."""
    keys = list(dict.fromkeys(str(i) for i in ids))
    found = await info.context.node_loader.load_many(keys)
    policy = info.context.policy
    shown = ((k, shown_object(policy, n)) for k, n in zip(keys, found, strict=True))
    return {k: o for k, o in shown if o is not None}


async def _first_shown(
    info: Info[Context, Any],
    items: Sequence[R],
    ids: Callable[[R], Iterable[Hashable]],
    count: int,
) -> tuple[list[R], dict[Hashable, Node]]:
    """The first ``count`` of ``items`` whose nodes (``ids(item)``) the caller may all see,
    in order, with those nodes' objects.

    Why: a ranking is taken among what the caller is shown (:meth:`Policy.shown`), so ranks
    and positions have no gap where a hidden actor stands (the gap would say where it ranks).
    Nodes are loaded a batch at a time, only as far as needed: one store call when nothing is
    left out. An item whose node is no longer stored is skipped too.
    """
    policy = info.context.policy
    stored: dict[str, StoredNode] = {}
    chosen: list[R] = []
    start = 0
    while len(chosen) < count and start < len(items):
        batch = items[start : start + count - len(chosen)]
        start += len(batch)
        keys = list(dict.fromkeys(str(v) for item in batch for v in ids(item)))
        found = await info.context.node_loader.load_many(keys)
        stored.update((k, n) for k, n in zip(keys, found, strict=True) if n is not None)
        present = [i for i in batch if all(str(v) in stored for v in ids(i))]
        chosen += policy.shown(present, lambda i: (stored[str(v)] for v in ids(i)))
    return chosen, await shown_nodes(info, (v for item in chosen for v in ids(item)))


def _cells(
    cells: Sequence[resilience.Cell], nodes: dict[Hashable, Node]
) -> list[t.RegionThemeCell]:
    return [
        t.RegionThemeCell(region=t.RegionEnum(region), theme=nodes[theme])  # type: ignore[arg-type]
        for region, theme in cells
        if theme in nodes
    ]


def kind_values(kinds: list[NodeKindEnum] | None) -> frozenset[str] | None:
    return None if kinds is None else frozenset(str(k.value) for k in kinds)


def _weights(params: NetworkParams, weighted: bool, path: bool) -> str:
    """How ties were weighted, in words (docs/METRICS.md, "Weights and distances")."""
    if not weighted:
        return "unweighted: every tie counts 1" + ("; path lengths in hops" if path else "")
    if params.projection is Projection.FULL:
        what = "weight = number of relationships between the pair"
    elif params.half_life_years is None:
        what = "weight = number of shared programmes and activities"
    else:
        what = (
            "weight = shared programmes and activities, each 2^(-age/"
            f"{params.half_life_years:g}) by years since the joint engagement ended"
        )
    return what + ("; distance = 1 / weight" if path else "")


async def centrality_request(
    info: Info[Context, Any],
    measure: t.MeasureEnum,
    projection: t.ProjectionEnum,
    flt: t.NetworkFilter | None,
    *,
    weighted: bool,
    normalized: bool,
    sample: t.CentralitySampleInput | None,
    allow_sampling: bool,
    damping: float | None,
    directed: bool,
    half_life_years: float | None,
    budget: int,
) -> tuple[NetworkParams, analyses.MeasureRequest]:
    """The network and the measure's options of a ranking (the ``centrality`` query, or a job
    of ``startAnalysis``); arguments refused by value are ``BAD_USER_INPUT`` naming them."""
    m = t.MEASURES[measure]
    if m in analyses.DIRECTED_ONLY:
        if projection is t.ProjectionEnum.CO_PARTNERSHIP:
            raise bad_input(f"{m} needs the directed FULL projection", "measure")
        directed = True
    params = await network_params(
        info, projection, flt, directed=directed, half_life_years=half_life_years
    )
    try:
        req = analyses.MeasureRequest.of(
            m,
            weighted=weighted,
            normalized=normalized,
            k=sample.k if sample else None,
            seed=sample.seed if sample else 0,
            allow_sampling=allow_sampling,
            damping=damping,
            budget=budget,
        )
    except BadParameter as err:
        raise bad_input(str(err), err.name) from None
    return params, req


async def ranking_for(
    info: Info[Context, Any], params: NetworkParams, req: analyses.MeasureRequest
) -> tuple[int, analyses.Ranking]:
    """The revision and ranking of a measure on a network: a finished job's result for this
    revision and these parameters, else the cached or computed analysis."""
    service = svc.service_for(info.context.store)
    revision = await info.context.store.revision()
    kept = jobs.kept_ranking(info.context.jobs, revision, params, req)
    if kept is not None:
        return revision, kept

    def compute(graph: nx.Graph) -> analyses.Ranking:
        try:
            return analyses.measure(graph, req)
        except AnalysisTooLarge as err:  # the measure, not the network: a job can run it
            raise MeasureTooLarge.of(err) from None

    async def links() -> int:
        return int((await service.network(params)).graph.number_of_edges())

    return await _guarded(
        service.analyse(params, req, compute), sampling=links, measure=str(req.measure)
    )


async def summary_for(
    info: Info[Context, Any], projection: t.ProjectionEnum, params: NetworkParams
) -> t.NetworkSummary:
    """The headline figures of a network (``networkSummary``, and each point of a series)."""
    budget = svc.WORK_BUDGET

    def compute(graph: nx.Graph) -> tuple[Any, int]:
        relationships = sum(r for _, _, r in graph.edges(data="relationships", default=1))
        return analyses.summary(graph, budget), relationships

    service = svc.service_for(info.context.store)
    revision, (s, relationships) = await _guarded(
        service.analyse(params, ("summary", budget), compute)
    )
    return t.NetworkSummary(
        projection=projection,
        revision=revision,
        as_of=params.as_of,
        nodes=s.nodes,
        relationships=relationships,
        links=s.links,
        density=s.density,
        components=s.components,
        largest_component=s.largest_component,
        isolates=s.isolates,
        average_clustering=s.average_clustering,
        diameter=s.diameter,
        diameter_lower_bound=s.diameter_bounds[0],
        diameter_upper_bound=s.diameter_bounds[1],
    )


async def present_ranking(
    info: Info[Context, Any],
    params: NetworkParams,
    req: analyses.MeasureRequest,
    revision: int,
    ranking: analyses.Ranking,
    *,
    top: int,
    rank_kinds: list[NodeKindEnum] | None,
) -> t.CentralityRanking:
    """A ranking as the caller may see it (the ``centrality`` query, and a job's result):
    the first ``top`` of the nodes of ``rank_kinds`` the caller's policy shows."""
    check_first(top, "top")
    wanted = kind_values(rank_kinds)
    eligible = [e for e in ranking.ranked if wanted is None or e[2] in wanted]
    chosen, nodes = await _first_shown(info, eligible, lambda e: (e[0],), top)
    result = ranking.result
    return t.CentralityRanking(
        measure=t.MeasureEnum[req.measure.value],
        projection=t.ProjectionEnum[params.projection.value],
        revision=revision,
        as_of=params.as_of,
        normalization=result.normalization,
        weights=_weights(params, req.weighted, req.measure in analyses.PATH_MEASURES),
        backend=result.backend,
        weighted=req.weighted,
        sampled=result.sampled,
        sampled_sources=result.sampled_sources,
        ascending=not result.descending,
        scored_nodes=len(result.scores),
        ranked_nodes=len(eligible),
        entries=[
            t.CentralityEntry(rank=i, score=score, node=nodes[str(v)])
            for i, (v, score, _) in enumerate(chosen, start=1)
        ],
    )


# --------------------------------------------------------------------------- queries


@strawberry.type
class CentralityQuery:
    @strawberry.field(
        description="Nodes ranked by a centrality measure, with scores, how they were "
        "normalised and computed, and each node: a dashboard's table in one round trip. "
        "Over the work budget: an ANALYSIS_TOO_LARGE error, or (betweenness with "
        "`allowSampling`) an estimate that says so. A finished analysis job (`startAnalysis`) "
        "with the same parameters at the current revision answers it instead, exactly."
    )
    async def centrality(
        self,
        info: Info[Context, Any],
        measure: Annotated[t.MeasureEnum, strawberry.argument(description="The measure.")],
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        top: TopArg = DEFAULT_TOP,
        weighted: WeightedArg = False,
        normalized: Annotated[
            bool,
            strawberry.argument(
                description="Normalise DEGREE, IN_DEGREE, OUT_DEGREE, BETWEENNESS and "
                "HARMONIC as documented (default true); other measures have one scale."
            ),
        ] = True,
        sample: Annotated[
            t.CentralitySampleInput | None,
            strawberry.argument(description="BETWEENNESS only: estimate from `k` sources."),
        ] = None,
        allow_sampling: Annotated[
            bool,
            strawberry.argument(
                description="BETWEENNESS only: when exact betweenness is over the work "
                "budget, sample as many sources as it allows instead of failing."
            ),
        ] = False,
        damping: Annotated[
            float | None,
            strawberry.argument(
                description="PAGERANK only: probability of following a tie (default 0.85)."
            ),
        ] = None,
        directed: DirectedArg = False,
        half_life_years: HalfLifeArg = None,
        rank_kinds: RankKindsArg = None,
    ) -> t.CentralityRanking:
        check_first(top, "top")
        params, req = await centrality_request(
            info,
            measure,
            projection,
            filter,
            weighted=weighted,
            normalized=normalized,
            sample=sample,
            allow_sampling=allow_sampling,
            damping=damping,
            directed=directed,
            half_life_years=half_life_years,
            budget=svc.WORK_BUDGET,
        )
        revision, ranking = await ranking_for(info, params, req)
        return await present_ranking(
            info, params, req, revision, ranking, top=top, rank_kinds=rank_kinds
        )

    @strawberry.field(
        description="Headline figures: nodes, relationships, density, components, average "
        "clustering and the diameter (bounded instead when the network is too large)."
    )
    async def network_summary(
        self,
        info: Info[Context, Any],
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        directed: DirectedArg = False,
        half_life_years: HalfLifeArg = None,
    ) -> t.NetworkSummary:
        params = await network_params(
            info, projection, filter, directed=directed, half_life_years=half_life_years
        )
        return await summary_for(info, projection, params)

    @strawberry.field(
        description="Communities (Louvain, seeded): groups that mostly work together, with "
        "the partition's modularity and each community's size and most strongly tied members."
    )
    async def communities(
        self,
        info: Info[Context, Any],
        projection: Annotated[
            t.ProjectionEnum,
            strawberry.argument(description="The graph to partition (default CO_PARTNERSHIP)."),
        ] = t.ProjectionEnum.CO_PARTNERSHIP,
        filter: FilterArg = None,
        weighted: WeightedArg = False,
        resolution: Annotated[
            float,
            strawberry.argument(
                description="Modularity resolution: above 1 finds more, smaller communities."
            ),
        ] = 1.0,
        seed: Annotated[
            int, strawberry.argument(description="Seed of the node order: same seed, same result.")
        ] = 0,
        top: Annotated[
            int,
            strawberry.argument(
                description=f"How many communities, largest first, 1 to {MAX_PAGE} (default "
                f"{DEFAULT_TOP})."
            ),
        ] = DEFAULT_TOP,
        members_per_community: Annotated[
            int,
            strawberry.argument(
                description=f"Members listed per community, 1 to {MAX_PAGE} (default 5)."
            ),
        ] = 5,
        half_life_years: HalfLifeArg = None,
    ) -> t.CommunityPartition:
        check_first(top, "top")
        check_first(members_per_community, "membersPerCommunity")
        if not resolution > 0:
            raise bad_input("must be > 0", "resolution")
        params = await network_params(info, projection, filter, half_life_years=half_life_years)

        def compute(graph: nx.Graph) -> analyses.Partition:
            return analyses.partition(graph, weighted, resolution, seed, ACTOR_KINDS)

        service = svc.service_for(info.context.store)
        revision, found = await _guarded(
            service.analyse(params, ("communities", weighted, resolution, seed), compute)
        )
        shown = found.communities[:top]
        # One batch of node lookups for all communities at once (the loader batches a tick).
        members = await asyncio.gather(
            *(
                _first_shown(info, c.members, lambda m: (m[0],), members_per_community)
                for c in shown
            )
        )
        return t.CommunityPartition(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            modularity=found.modularity,
            resolution=found.resolution,
            seed=found.seed,
            backend=found.backend,
            count=len(found.communities),
            singletons=sum(1 for c in found.communities if c.size == 1),
            communities=[
                t.Community(
                    number=i,
                    size=c.size,
                    actors=c.actors,
                    members=[
                        t.CommunityMember(node=nodes[str(v)], internal_strength=s)
                        for v, s in chosen
                    ],
                )
                for i, (c, (chosen, nodes)) in enumerate(zip(shown, members, strict=True))
            ],
        )

    @strawberry.field(
        description="Brokers: nodes whose partners are not partners of each other (lowest "
        "Burt constraint first), with effective size and efficiency."
    )
    async def brokers(
        self,
        info: Info[Context, Any],
        projection: Annotated[
            t.ProjectionEnum,
            strawberry.argument(description="The graph to analyse (default CO_PARTNERSHIP)."),
        ] = t.ProjectionEnum.CO_PARTNERSHIP,
        filter: FilterArg = None,
        weighted: WeightedArg = False,
        top: TopArg = DEFAULT_TOP,
        half_life_years: HalfLifeArg = None,
        rank_kinds: RankKindsArg = None,
    ) -> t.BrokerRanking:
        check_first(top, "top")
        params = await network_params(info, projection, filter, half_life_years=half_life_years)
        budget = svc.WORK_BUDGET

        def compute(graph: nx.Graph) -> tuple[analyses.Broker, ...]:
            return analyses.brokers(graph, weighted, budget)

        service = svc.service_for(info.context.store)
        revision, found = await _guarded(
            service.analyse(params, ("brokers", weighted, budget), compute)
        )
        wanted = kind_values(rank_kinds)
        eligible = [b.broker for b in found if wanted is None or b.kind in wanted]
        chosen, nodes = await _first_shown(info, eligible, lambda b: (b.node,), top)
        return t.BrokerRanking(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            weighted=weighted,
            ranked_nodes=len(eligible),
            entries=[
                t.BrokerEntry(
                    rank=i,
                    node=nodes[str(b.node)],
                    constraint=b.constraint,
                    effective_size=b.effective_size,
                    efficiency=b.efficiency,
                    degree=b.degree,
                )
                for i, b in enumerate(chosen, start=1)
            ],
        )

    @strawberry.field(
        description="Articulation points: nodes of any kind whose removal splits their part "
        "of the network, those cutting off most actors first."
    )
    async def articulation_points(
        self,
        info: Info[Context, Any],
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        top: TopArg = DEFAULT_TOP,
        half_life_years: HalfLifeArg = None,
    ) -> t.ArticulationPoints:
        check_first(top, "top")
        params = await network_params(info, projection, filter, half_life_years=half_life_years)

        def compute(graph: nx.Graph) -> tuple[resilience.CutImpact, ...]:
            return analyses.cut_vertices(graph, ACTOR_KINDS)

        service = svc.service_for(info.context.store)
        revision, found = await _guarded(service.analyse(params, "articulation_points", compute))
        chosen, nodes = await _first_shown(info, found, lambda c: (c.node,), top)
        return t.ArticulationPoints(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            total=len(found),
            entries=[
                t.CutVertex(
                    rank=i,
                    node=nodes[str(c.node)],
                    pieces=c.pieces,
                    cut_off_nodes=c.cut_off_nodes,
                    cut_off_actors=c.cut_off_actors,
                )
                for i, c in enumerate(chosen, start=1)
            ],
        )

    @strawberry.field(
        description="Bridges: links whose removal splits their part of the network in two, "
        "largest cut first."
    )
    async def bridges(
        self,
        info: Info[Context, Any],
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        top: TopArg = DEFAULT_TOP,
        half_life_years: HalfLifeArg = None,
    ) -> t.Bridges:
        check_first(top, "top")
        params = await network_params(info, projection, filter, half_life_years=half_life_years)

        def compute(graph: nx.Graph) -> list[resilience.BridgeImpact]:
            return resilience.bridge_impacts(graph, actor_kinds=ACTOR_KINDS)

        service = svc.service_for(info.context.store)
        revision, found = await _guarded(service.analyse(params, "bridges", compute))
        chosen, nodes = await _first_shown(info, found, lambda b: b.ends, top)
        return t.Bridges(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            total=len(found),
            entries=[
                t.Bridge(
                    rank=i,
                    ends=[nodes[str(v)] for v in b.ends],
                    cut_off_nodes=b.cut_off_nodes,
                    cut_off_actors=b.cut_off_actors,
                )
                for i, b in enumerate(chosen, start=1)
            ],
        )

    @strawberry.field(
        description="Single points of failure: actors whose removal disconnects part of the "
        "network (articulation points among actors), or who are the only partner of a "
        "(region, thematic area) cell, as coverageMatrix counts partners. Sole partners of "
        "cells are shown to privileged callers only: a cell with one partner is a count below "
        "the suppression threshold, so for anyone else the list holds structural single points "
        "of failure only and `solePartnerIn` is empty."
    )
    async def single_points_of_failure(
        self,
        info: Info[Context, Any],
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        top: TopArg = DEFAULT_TOP,
        half_life_years: HalfLifeArg = None,
    ) -> t.SinglePointsOfFailure:
        check_first(top, "top")
        params = await network_params(info, projection, filter, half_life_years=half_life_years)
        basis = BASES[geography]
        service = svc.service_for(info.context.store)
        # Sole partners are counts of 1: privileged callers only (analytics/disclosure.py).
        shows_cells = disclosure.sole_partner_cells_shown(info.context.policy.privileged)
        cells: dict[resilience.Cell, frozenset[str]] = {}
        if shows_cells:
            _, cells = await _guarded(service.cells(params, basis))

        def compute(graph: nx.Graph) -> list[resilience.SinglePoint]:
            return resilience.single_points_of_failure(graph, cells, actor_kinds=ACTOR_KINDS)

        revision, found = await _guarded(
            service.analyse(params, ("spof", basis if shows_cells else None), compute)
        )
        chosen, nodes = await _first_shown(info, found, lambda s: (s.node,), top)
        nodes.update(await shown_nodes(info, (c[1] for s in chosen for c in s.sole_cells)))
        return t.SinglePointsOfFailure(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            total=len(found),
            disconnecting=sum(1 for s in found if s.cut is not None),
            sole_partners=sum(1 for s in found if s.sole_cells) if shows_cells else None,
            cells_with_one_partner=sum(1 for p in cells.values() if len(p) == 1)
            if shows_cells
            else None,
            entries=[
                t.SinglePointOfFailure(
                    rank=i,
                    node=nodes[str(s.node)],
                    disconnects=s.cut is not None,
                    cut_off_nodes=s.cut_off_nodes,
                    cut_off_actors=s.cut_off_actors,
                    sole_partner_in=_cells(s.sole_cells, nodes),
                )
                for i, s in enumerate(chosen, start=1)
            ],
        )

    @strawberry.field(
        description="What the network would lose without some nodes (an actor withdrawing, a "
        "programme ending): change in components, in reach (connected actor pairs), and "
        "(region, theme) cells left with no engagement. Removing a node removes the engagement "
        "that runs through it: an actor's partnerships and participations; a programme's "
        "partnerships and its activities with their participations; an activity's "
        "participations. The nodes go from the graph (a programme's activities with it) and, "
        "on CO_PARTNERSHIP, so do the ties that ran only through removed programmes and "
        "activities; a cell is lost when it had an engagement (as coverageMatrix counts them) "
        "and has none left. Cells are shown to privileged callers only: which cells a removal "
        "empties depends on their partner counts, so for anyone else `lostCells` is empty and "
        "`coveredCells` null."
    )
    async def what_if(
        self,
        info: Info[Context, Any],
        remove: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Nodes to remove (ids or keys, at most {MAX_REMOVE}), of any "
                "kind; a programme takes its activities with it."
            ),
        ],
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        top: Annotated[
            int,
            strawberry.argument(
                description=f"Stranded nodes listed, 1 to {MAX_PAGE} (default {DEFAULT_TOP})."
            ),
        ] = DEFAULT_TOP,
        half_life_years: HalfLifeArg = None,
    ) -> t.WhatIf:
        check_first(top, "top")
        if len(remove) > MAX_REMOVE:
            raise bad_input(f"at most {MAX_REMOVE} ids, got {len(remove)}", "remove")
        keys = sorted({decode_global_id(str(i)) for i in remove})
        stored: list[StoredNode | None] = await info.context.node_loader.load_many(keys)
        for key, node in zip(keys, stored, strict=True):
            if shown_object(info.context.policy, node) is None:  # missing or hidden: alike
                raise not_found("node", key)
        params = await network_params(info, projection, filter, half_life_years=half_life_years)
        basis = BASES[geography]
        service = svc.service_for(info.context.store)
        removed = frozenset(keys)
        # Lost cells would be a group-testing oracle on hidden counts (analytics/disclosure.py).
        shows_cells = disclosure.lost_cells_shown(info.context.policy.privileged)
        cells: resilience.CellEngagements | None = None
        if shows_cells:
            _, cells = await _guarded(service.engagements(params, basis))
        activities = await _guarded(service.activities())

        def compute(graph: nx.Graph) -> resilience.WhatIf:
            return resilience.what_if(
                graph, removed, cells, actor_kinds=ACTOR_KINDS, activities=activities
            )

        revision, w = await _guarded(
            service.analyse(params, ("what_if", basis if shows_cells else None, removed), compute)
        )
        stranded, nodes = await _first_shown(info, w.stranded, lambda v: (v,), top)
        nodes.update(await shown_nodes(info, [*keys, *(theme for _, theme in w.lost_cells)]))
        present = set(w.removed)
        return t.WhatIf(
            projection=projection,
            revision=revision,
            as_of=params.as_of,
            removed=[nodes[k] for k in keys if k in present],
            not_in_network=[nodes[k] for k in keys if k not in present],
            activities_removed=len(w.removed_activities),
            before=_reach(w.before, w.covered_before if shows_cells else None),
            after=_reach(w.after, w.covered_after if shows_cells else None),
            components_change=w.after.components - w.before.components,
            connected_actor_pairs_change=w.after.connected_actor_pairs
            - w.before.connected_actor_pairs,
            stranded_count=len(w.stranded),
            stranded=[nodes[str(v)] for v in stranded],
            lost_cells=_cells(w.lost_cells, nodes),
        )


def _reach(r: resilience.Reach, covered: int | None) -> t.NetworkReach:
    return t.NetworkReach(
        nodes=r.nodes,
        actors=r.actors,
        components=r.components,
        largest_component=r.largest_component,
        actors_in_largest_component=r.actors_in_largest,
        connected_actor_pairs=r.connected_actor_pairs,
        covered_cells=covered,
    )
