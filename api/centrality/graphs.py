"""From a store snapshot to the graphs the network questions run on (pure functions).

Two graphs per :class:`~api.centrality.params.NetworkParams`:

- the **analysed network** (:func:`analysed_graph`): the filtered snapshot, collapsed to one
  link per tied pair (``FULL``), or the actor-to-actor co-partnership projection; the
  default one can also be made from the store's records alone (:func:`default_network`);
- the **coverage scope** (:func:`coverage_graph`): the full-history snapshot with only the
  engagements in scope, from which :func:`analytics.coverage.build_index` attributes
  engagements to (region, theme) cells exactly as the coverage matrix does. It reads history
  because coverage windows do (activities in the year up to ``asOf``), and it keeps every
  programme, activity and thematic area because they are what cells are made of.

The graph work is :mod:`analytics.projection`'s (filters, collapse, the co-partnership
projection and its cost, the canonical order); this module maps the parameters onto it. Both
results are frozen, so the backends' converted views are cached on them for as long as the
service keeps them.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from analytics.centrality import DEFAULT_WORK_BUDGET
from analytics.coverage import Window
from analytics.projection import (
    co_partnership,
    engagements_in_scope,
    filter_snapshot,
    records_graph,
    simple_graph,
)
from api.centrality.params import NetworkParams, Projection
from graph.snapshot import add_places, node_table
from graph.store import GraphRecords


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
        (:func:`analytics.projection.co_partnership_cost`).
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
        return simple_graph(scoped, directed=params.directed)
    return co_partnership(  # already in canonical order, with its views seeded
        _scope(snapshot, params),
        as_of=params.as_of,
        half_life_years=params.half_life_years,
        roles=params.roles,
        relationship_types=params.engagement_types,
        actor_kinds=params.actor_kinds,
        budget=budget,
    )


def default_network(records: GraphRecords) -> nx.Graph:
    """The default network (``NetworkParams()``: every node, ties merged per pair, undirected)
    straight from the store's records: what :func:`analysed_graph` gives on the snapshot of
    their revision, without building the snapshot (analytics.projection.records_graph)."""
    node = node_table(records.nodes)
    add_places(node, records.relationships)
    attributes = {"revision": records.revision, "as_of": None}
    return records_graph(node, records.relationships, attributes)


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


def coverage_graph(history: nx.MultiDiGraph, params: NetworkParams) -> nx.MultiDiGraph:
    """The full-history snapshot reduced to the engagements in scope of ``params``.

    Region, country, theme and role filters apply as on the analysed network; ``kinds`` and
    ``relationship_types`` choose which actors' engagements, and which engagement types,
    count. Dates are left to the coverage window (:func:`coverage_window`).
    """
    scoped = _scope(history, params)
    if params.kinds is None and params.relationship_types is None:
        return scoped
    return engagements_in_scope(
        scoped, relationship_types=params.engagement_types, actor_kinds=params.actor_kinds
    )


def coverage_window(as_of: dt.date | None) -> Window:
    """Coverage's as-of window for a date; the whole history without one (as the analysed
    network without ``asOf`` reads every relationship ever recorded)."""
    if as_of is None:
        return Window.period(dt.date.min, dt.date.max)
    return Window.as_of(as_of)
