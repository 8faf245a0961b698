"""From request parameters to the analysed graphs: normalisation, checks and projections."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from analytics import resilience
from analytics.centrality import AnalysisTooLarge
from analytics.projection import ACTOR_KINDS, PAIR_COST, canonical, co_partnership_cost
from api.centrality.graphs import analysed_graph, coverage_graph, coverage_window
from api.centrality.params import BadParameter, NetworkParams, Projection
from tests.centrality.conftest import SeedGraphs

CO = Projection.CO_PARTNERSHIP


def test_equivalent_requests_are_one_cache_key() -> None:
    a = NetworkParams.of(roles=["FUNDING", "HOST", "FUNDING"], countries=["ken", "FRA"])
    b = NetworkParams.of(roles=["HOST", "FUNDING"], countries=["FRA", "KEN"])
    assert a == b
    assert hash(a) == hash(b)
    assert a != NetworkParams.of(roles=["HOST"], countries=["FRA", "KEN"])


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"countries": ["XYZ"]}, "filter"),
        ({"half_life_years": 2.0}, "halfLifeYears"),
        ({"projection": CO, "half_life_years": 0.0}, "halfLifeYears"),
        ({"projection": CO, "directed": True}, "directed"),
        ({"projection": CO, "kinds": ["Programme"]}, "filter"),
        ({"projection": CO, "relationship_types": ["ADDRESSES"]}, "filter"),
    ],
)
def test_nonsense_is_refused_naming_the_argument(kwargs: dict, argument: str) -> None:
    with pytest.raises(BadParameter) as err:
        NetworkParams.of(**kwargs)
    assert err.value.name == argument


def test_recency_weighting_reads_history_up_to_the_date() -> None:
    day = dt.date(2023, 1, 1)
    assert NetworkParams.of(as_of=day).snapshot_date == "2023-01-01"
    assert NetworkParams.of(CO, as_of=day).snapshot_date == "2023-01-01"
    assert NetworkParams.of(CO, as_of=day, half_life_years=2).snapshot_date is None


def test_full_projection_keeps_the_kinds_asked_for(seed_graphs: SeedGraphs) -> None:
    kinds = ("CivilSocietyOrganization", "Programme")
    g = analysed_graph(seed_graphs.snapshot(), NetworkParams.of(kinds=kinds))
    assert nx.is_frozen(g)
    assert not g.is_directed()
    assert {d["kind"] for _, d in g.nodes(data=True)} == set(kinds)
    assert all(d["weight"] == d["relationships"] >= 1 for _, _, d in g.edges(data=True))
    directed = analysed_graph(seed_graphs.snapshot(), NetworkParams.of(directed=True))
    assert directed.is_directed()


def test_co_partnership_kinds_choose_actors_and_keep_what_ties_them(
    seed_graphs: SeedGraphs,
) -> None:
    params = NetworkParams.of(CO, kinds=["CivilSocietyOrganization", "Programme"])
    g = analysed_graph(seed_graphs.snapshot(), params)
    assert {d["kind"] for _, d in g.nodes(data=True)} == {"CivilSocietyOrganization"}
    assert g.number_of_edges() > 0
    everyone = analysed_graph(seed_graphs.snapshot(), NetworkParams.of(CO))
    assert {d["kind"] for _, d in everyone.nodes(data=True)} <= ACTOR_KINDS
    assert g.number_of_nodes() < everyone.number_of_nodes()


def test_coverage_scope_keeps_classification_and_only_the_engagements_in_scope(
    seed_graphs: SeedGraphs,
) -> None:
    history = seed_graphs.snapshot()
    params = NetworkParams.of(
        kinds=["CivilSocietyOrganization"], relationship_types=["PARTNERS_IN"]
    )
    g = coverage_graph(history, params)
    engagements = [
        (u, d["type"])
        for u, _, d in g.edges(data=True)
        if d["type"] in ("PARTNERS_IN", "PARTICIPATED_IN")
    ]
    assert engagements
    assert {t for _, t in engagements} == {"PARTNERS_IN"}
    assert {g.nodes[u]["kind"] for u, _ in engagements} == {"CivilSocietyOrganization"}
    addresses = sum(1 for _, _, d in history.edges(data=True) if d["type"] == "ADDRESSES")
    assert sum(1 for _, _, d in g.edges(data=True) if d["type"] == "ADDRESSES") == addresses


def test_without_a_date_coverage_reads_all_time() -> None:
    window = coverage_window(None)
    assert (window.start, window.end) == (dt.date.min, dt.date.max)
    assert coverage_window(dt.date(2024, 6, 30)).activity_start == dt.date(2023, 7, 2)


def test_cut_vertices_survive_a_long_chain() -> None:
    # an explicit stack, not recursion: a 20,000-node path has 19,998 cut vertices
    path = nx.path_graph(20_000)
    assert len(resilience.cut_vertices(path, actor_kinds=None)) == 19_998


def test_canonical_order_does_not_depend_on_insertion_order() -> None:
    a = nx.Graph()
    a.add_edges_from([("c", "a"), ("b", "c"), ("a", "b")], weight=2.0)
    b = nx.Graph()
    b.add_edges_from([("a", "b"), ("c", "b"), ("a", "c")], weight=2.0)
    ca, cb = canonical(a), canonical(b)
    assert list(ca) == list(cb) == ["a", "b", "c"]
    assert [list(ca[v]) for v in ca] == [list(cb[v]) for v in cb]
    assert nx.is_frozen(ca)


def test_the_co_partnership_cost_bounds_the_ties_and_guards_the_projection(
    seed_graphs: SeedGraphs,
) -> None:
    history = seed_graphs.snapshot()
    params = NetworkParams.of(CO, roles=["SPEAKER", "FUNDING"])
    cost = co_partnership_cost(
        history,
        roles=params.roles,
        relationship_types=params.engagement_types,
        actor_kinds=params.actor_kinds,
    )
    ties = analysed_graph(history, params).number_of_edges()
    assert 0 < ties * PAIR_COST <= cost
    with pytest.raises(AnalysisTooLarge) as err:
        analysed_graph(history, params, budget=cost - 1)
    assert "narrow it" in str(err.value)
    assert analysed_graph(history, params, budget=cost).number_of_edges() == ties
