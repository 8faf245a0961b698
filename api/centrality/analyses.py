"""What each root field computes on an analysed network: plain, cacheable results.

Each function takes the network (and, where needed, the coverage cells) and returns an
immutable value that the service caches and the resolvers page and map to GraphQL; nothing
here knows about callers, so one cached result serves everyone and the policy is applied
when nodes are shown. The numbers and rankings are the analytics' (computed and sorted once,
not per request); this module maps the API's parameters onto them and tags nodes with their
kind, by which the resolvers filter.

The analytics functions are looked up on their module at call time (``centrality.X``), so a
test can replace one with a slow or counting stand-in.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

import networkx as nx

from analytics import centrality, resilience, structure
from analytics.centrality import DEFAULT_WORK_BUDGET, CentralityResult
from api.centrality.params import BadParameter

#: PageRank's damping when none is given (networkx's default).
DEFAULT_DAMPING: Final = 0.85
#: Power iterations allowed to eigenvector centrality.
EIGENVECTOR_MAX_ITER: Final = 1000


class Measure(StrEnum):
    """The centrality measures served (docs/METRICS.md defines each)."""

    DEGREE = "DEGREE"
    IN_DEGREE = "IN_DEGREE"
    OUT_DEGREE = "OUT_DEGREE"
    BETWEENNESS = "BETWEENNESS"
    CLOSENESS = "CLOSENESS"
    HARMONIC = "HARMONIC"
    EIGENVECTOR = "EIGENVECTOR"
    PAGERANK = "PAGERANK"
    CONSTRAINT = "CONSTRAINT"
    EFFECTIVE_SIZE = "EFFECTIVE_SIZE"
    CORE_NUMBER = "CORE_NUMBER"


#: Measures on shortest paths, which read a weight as a distance ``1 / weight``.
PATH_MEASURES: Final = frozenset({Measure.BETWEENNESS, Measure.CLOSENESS, Measure.HARMONIC})
#: Measures with an optional normalisation.
NORMALISABLE: Final = frozenset(
    {
        Measure.DEGREE,
        Measure.IN_DEGREE,
        Measure.OUT_DEGREE,
        Measure.BETWEENNESS,
        Measure.HARMONIC,
    }
)
DIRECTED_ONLY: Final = frozenset({Measure.IN_DEGREE, Measure.OUT_DEGREE})

_DIRECTION: Final[dict[Measure, Literal["in", "out", "all"]]] = {
    Measure.DEGREE: "all",
    Measure.IN_DEGREE: "in",
    Measure.OUT_DEGREE: "out",
}

Ranked = tuple[tuple[Hashable, float, str], ...]
"""(node id, score, node kind), best first."""


@dataclass(frozen=True)
class MeasureRequest:
    """Everything a centrality result depends on besides the network: its cache key."""

    measure: Measure
    weighted: bool = False
    normalized: bool = True
    k: int | None = None
    seed: int = 0
    allow_sampling: bool = False
    damping: float = DEFAULT_DAMPING
    budget: int = DEFAULT_WORK_BUDGET

    @classmethod
    def of(
        cls,
        measure: Measure,
        *,
        weighted: bool = False,
        normalized: bool = True,
        k: int | None = None,
        seed: int = 0,
        allow_sampling: bool = False,
        damping: float | None = None,
        budget: int = DEFAULT_WORK_BUDGET,
    ) -> MeasureRequest:
        """Check the options against the measure; raises :class:`BadParameter`."""
        if k is not None:
            if measure is not Measure.BETWEENNESS:
                raise BadParameter("sample", "only BETWEENNESS has a sampled mode")
            if k < 2:
                raise BadParameter("sample", "k must be at least 2 sources")
        if damping is not None:
            if measure is not Measure.PAGERANK:
                raise BadParameter("damping", "applies to PAGERANK only")
            if not 0 < damping < 1:
                raise BadParameter("damping", "must be between 0 and 1 (exclusive)")
        return cls(
            measure,
            weighted and measure is not Measure.CORE_NUMBER,
            normalized or measure not in NORMALISABLE,
            k,
            seed if k is not None else 0,
            allow_sampling and measure is Measure.BETWEENNESS,
            DEFAULT_DAMPING if damping is None else damping,
            budget,
        )


@dataclass(frozen=True)
class Ranking:
    """A centrality result with its ranking computed once."""

    result: CentralityResult
    ranked: Ranked


def _kinds(graph: nx.Graph, nodes: list[tuple[Hashable, float]]) -> Ranked:
    if not nodes:
        return ()
    ids, scores = zip(*nodes, strict=True)
    attrs = graph._node  # networkx's storage: a view lookup per node costs 40 ms at 20k
    kinds = [str(attrs[v].get("kind", "")) for v in ids]
    return tuple(zip(ids, scores, kinds, strict=True))


def measure(graph: nx.Graph, req: MeasureRequest) -> Ranking:
    """Run one centrality measure; raises ``AnalysisTooLarge`` over the budget."""
    w = "weight" if req.weighted else None
    m = req.measure
    result: CentralityResult
    if m in (Measure.DEGREE, Measure.IN_DEGREE, Measure.OUT_DEGREE):
        result = centrality.degree_centrality(
            graph, direction=_DIRECTION[m], weight=w, normalized=req.normalized
        )
    elif m is Measure.BETWEENNESS:
        result = centrality.betweenness_centrality(
            graph,
            weight=w,
            normalized=req.normalized,
            k=req.k,
            seed=req.seed,
            budget=req.budget,
            allow_sampling=req.allow_sampling,
        )
    elif m is Measure.CLOSENESS:
        result = centrality.closeness_centrality(graph, weight=w, budget=req.budget)
    elif m is Measure.HARMONIC:
        result = centrality.harmonic_centrality(
            graph, weight=w, normalized=req.normalized, budget=req.budget
        )
    elif m is Measure.EIGENVECTOR:
        result = centrality.eigenvector_centrality(graph, weight=w, max_iter=EIGENVECTOR_MAX_ITER)
    elif m is Measure.PAGERANK:
        result = centrality.pagerank(graph, alpha=req.damping, weight=w)
    elif m is Measure.CONSTRAINT:
        result = centrality.constraint(graph, weight=w, budget=req.budget)
    elif m is Measure.EFFECTIVE_SIZE:
        result = centrality.effective_size(graph, weight=w, budget=req.budget)
    else:
        result = centrality.core_number(graph)
    return Ranking(result, _kinds(graph, result.ranked()))


# --------------------------------------------------------------------------- brokers


@dataclass(frozen=True)
class Broker:
    """A broker (:class:`analytics.centrality.Broker`) and its node's kind."""

    broker: centrality.Broker
    kind: str


def brokers(graph: nx.Graph, weighted: bool, budget: int) -> tuple[Broker, ...]:
    """Actors spanning structural holes: lowest Burt constraint first (ties: larger effective
    size, then id). Isolates have no ego network and are left out."""
    found = centrality.brokers(graph, weight="weight" if weighted else None, budget=budget)
    attrs = graph.nodes
    return tuple(Broker(b, str(attrs[b.node].get("kind", ""))) for b in found)


# --------------------------------------------------------------------------- communities


@dataclass(frozen=True)
class Community:
    """One community: its members by strength of ties inside it, strongest first."""

    size: int
    actors: int
    members: tuple[tuple[Hashable, float], ...]


@dataclass(frozen=True)
class Partition:
    modularity: float
    resolution: float
    seed: int
    backend: str
    communities: tuple[Community, ...]


def partition(
    graph: nx.Graph, weighted: bool, resolution: float, seed: int, actor_kinds: Collection[str]
) -> Partition:
    """Louvain communities, each with its members ranked by the (weighted) ties they have
    inside it: the people to call to reach that circle."""
    w = "weight" if weighted else None
    found = structure.communities(graph, weight=w, resolution=resolution, seed=seed)
    ranked = structure.internal_strengths(graph, found.communities, weight=w)
    attrs = graph.nodes
    communities = tuple(
        Community(
            len(members),
            sum(1 for v, _ in members if attrs[v].get("kind") in actor_kinds),
            tuple(members),
        )
        for members in ranked
    )
    return Partition(found.modularity, found.resolution, found.seed, found.backend, communities)


# --------------------------------------------------------------------------- structure


def cut_vertices(graph: nx.Graph, actor_kinds: Collection[str]) -> tuple[resilience.CutImpact, ...]:
    """Articulation points, those cutting off most actors (then nodes) first."""
    return tuple(resilience.ranked_cut_vertices(graph, actor_kinds=actor_kinds))


def summary(graph: nx.Graph, budget: int) -> structure.NetworkSummary:
    return structure.summary(graph, budget=budget)
