"""From a store snapshot to the graphs the network questions run on (pure functions).

Two graphs per :class:`~api.centrality.params.NetworkParams`:

- the **analysed network** (:func:`analysed_graph`): the filtered snapshot, collapsed to one
  link per tied pair (``FULL``), or the actor-to-actor co-partnership projection;
- the **coverage scope** (:func:`coverage_graph`): the full-history snapshot with only the
  engagements in scope, from which :func:`analytics.coverage.build_index` attributes
  engagements to (region, theme) cells exactly as the coverage matrix does. It reads history
  because coverage windows do (activities in the year up to ``asOf``), and it keeps every
  programme, activity and thematic area because they are what cells are made of.

Both results are frozen, so the backends' converted views (analytics/_fast.py) are cached on
them for as long as the service keeps them.

The co-partnership projection ties every pair of actors sharing an item, so an item with
thousands of partners makes millions of ties (the synthetic 10,000-actor network projects to
24 million, eight minutes and many gigabytes). Its cost is estimated before it is built and
refused over the work budget, like the all-pairs measures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Final

import networkx as nx

from analytics.centrality import DEFAULT_WORK_BUDGET, AnalysisTooLarge
from analytics.coverage import Window
from analytics.projection import co_partnership, collapse, filter_snapshot
from api.centrality.params import NetworkParams, Projection

#: Work units charged per actor pair the co-partnership projection examines: a pair costs
#: about 20 microseconds, against about 20 nanoseconds per unit of the measures' budget
#: (analytics.centrality.DEFAULT_WORK_BUDGET), so the same budget means the same wait.
PAIR_COST: Final = 1000


def analysed_graph(
    snapshot: nx.MultiDiGraph, params: NetworkParams, budget: int | None = DEFAULT_WORK_BUDGET
) -> nx.Graph:
    """The network ``params`` describe, from the snapshot read for them.

    ``snapshot`` must be the store's snapshot for ``params.snapshot_date``. ``FULL`` gives a
    frozen ``Graph`` (``DiGraph`` when ``directed``) whose edge ``weight`` is the number of
    relationships between the pair; ``CO_PARTNERSHIP`` a frozen ``Graph`` of actors whose
    ``weight`` is the number of shared programmes and activities, decayed by age when
    ``half_life_years`` is set.

    Raises
    ------
    AnalysisTooLarge
        If the co-partnership projection would cost more than ``budget``
        (:func:`co_partnership_cost`).
    """
    if params.projection is Projection.FULL:
        scoped = (
            snapshot
            if params.unfiltered
            else filter_snapshot(
                snapshot,
                kinds=params.kinds,
                relationship_types=params.relationship_types,
                roles=params.roles,
                regions=params.regions,
                countries=params.countries,
                thematic_areas=params.themes,
            )
        )
        return canonical(collapse(scoped, directed=params.directed))
    scoped = _scope(snapshot, params)
    cost = co_partnership_cost(scoped, params)
    if budget is not None and cost > budget:
        raise AnalysisTooLarge(
            "the co-partnership projection",
            cost,
            budget,
            "narrow it with roles, relationship types, kinds, regions or themes",
        )
    return canonical(
        co_partnership(
            scoped,
            as_of=params.as_of,
            half_life_years=params.half_life_years,
            roles=params.roles,
            relationship_types=params.engagement_types,
            actor_kinds=params.actor_kinds,
        )
    )


def _scope(snapshot: nx.MultiDiGraph, params: NetworkParams) -> nx.MultiDiGraph:
    """The snapshot under the filters that keep programmes and activities (everything but
    kinds and relationship types); the snapshot itself when there are none."""
    if (params.roles, params.regions, params.countries, params.themes) == (None,) * 4:
        return snapshot
    return filter_snapshot(
        snapshot,
        roles=params.roles,
        regions=params.regions,
        countries=params.countries,
        thematic_areas=params.themes,
    )


def co_partnership_cost(scoped: nx.MultiDiGraph, params: NetworkParams) -> int:
    """Work units of projecting ``scoped``: :data:`PAIR_COST` per pair of engagements of one
    item, an upper bound on the ties the projection examines (one pass over the edges)."""
    kinds = scoped.nodes
    actors = set(params.actor_kinds)
    types = set(params.engagement_types)
    roles = None if params.roles is None else set(params.roles)
    engaged: Counter[object] = Counter()
    for u, v, d in scoped.edges(data=True):
        if (
            d.get("type") in types
            and kinds[u].get("kind") in actors
            and (roles is None or d.get("role") in roles)
        ):
            engaged[v] += 1
    return PAIR_COST * sum(k * (k - 1) // 2 for k in engaged.values())


def canonical(graph: nx.Graph) -> nx.Graph:
    """The same simple graph with nodes and edges in id order, frozen.

    Seeded methods depend on node order: sampled betweenness draws sources from
    ``list(G)`` and Louvain visits nodes in a seeded permutation of it. The stores list
    nodes in different orders (insertion order, or Neo4j's paging order), so without this
    the same question could get a different estimate or partition from each store.
    """
    ordered = graph.__class__()
    ordered.graph.update(graph.graph)
    ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: str(item[0])))
    if graph.is_directed():
        edges = sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))
    else:  # an undirected edge may come out either way round: order it first
        ends = ((*sorted((u, v), key=str), d) for u, v, d in graph.edges(data=True))
        edges = sorted(ends, key=lambda e: (str(e[0]), str(e[1])))
    ordered.add_edges_from(edges)
    return nx.freeze(ordered)


def coverage_graph(history: nx.MultiDiGraph, params: NetworkParams) -> nx.MultiDiGraph:
    """The full-history snapshot reduced to the engagements in scope of ``params``.

    Region, country, theme and role filters apply as on the analysed network; ``kinds`` and
    ``relationship_types`` choose which actors' engagements, and which engagement types,
    count. Dates are left to the coverage window (:func:`coverage_window`).
    """
    scoped = _scope(history, params)
    if params.kinds is None and params.relationship_types is None:
        return scoped
    actors = set(params.actor_kinds)
    engagements = set(params.engagement_types)
    kinds = scoped.nodes
    kept = nx.MultiDiGraph()
    kept.graph.update(scoped.graph)
    kept.add_nodes_from(scoped.nodes(data=True))
    kept.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in scoped.edges(keys=True, data=True)
        if d.get("type") not in ("PARTNERS_IN", "PARTICIPATED_IN")
        or (d.get("type") in engagements and kinds[u].get("kind") in actors)
    )
    return nx.freeze(kept)


def coverage_window(as_of: dt.date | None) -> Window:
    """Coverage's as-of window for a date; the whole history without one (as the analysed
    network without ``asOf`` reads every relationship ever recorded)."""
    if as_of is None:
        return Window.period(dt.date.min, dt.date.max)
    return Window.as_of(as_of)
