"""Centrality, summary, communities, brokers, articulation points and bridges over GraphQL, on
both stores, checked against the analytics called directly on the same seed snapshot."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from itertools import pairwise
from typing import Any

import networkx as nx
import pytest

from analytics import centrality, resilience, structure
from analytics.projection import canonical, co_partnership, collapse, filter_snapshot
from api.centrality import service as svc
from tests.centrality import reference
from tests.centrality.conftest import STAFF, Gql, SeedGraphs, data, error_code

TOL = 1e-9
ENTRY = "rank score node { key kind }"


def assert_ranking(
    entries: list[dict[str, Any]],
    expected: Mapping[Hashable, float],
    top: int,
    *,
    descending: bool = True,
) -> None:
    """The entries are the top of ``expected``: scores equal to 1e-9, in order, ranks 1..n,
    and nothing clearly better left out (ties at the cut may fall either way)."""
    assert [e["rank"] for e in entries] == list(range(1, len(entries) + 1))
    assert len(entries) == min(top, len(expected))
    sign = 1 if descending else -1
    for e in entries:
        assert math.isclose(e["score"], expected[e["node"]["key"]], rel_tol=TOL, abs_tol=TOL)
    scores = [sign * e["score"] for e in entries]
    assert all(a >= b - TOL for a, b in pairwise(scores))
    shown = {e["node"]["key"] for e in entries}
    better = {k for k, s in expected.items() if sign * s > scores[-1] + TOL}
    assert better <= shown


def full(g: nx.MultiDiGraph, **filters: Any) -> nx.Graph:
    return collapse(filter_snapshot(g, **filters), directed=False)


def co(g: nx.MultiDiGraph, roles: list[str] | None = None, **filters: Any) -> nx.Graph:
    return co_partnership(filter_snapshot(g, roles=roles, **filters), roles=roles)


# --------------------------------------------------------------------------- measures


def test_betweenness_ranking_equals_the_analytics(gql: Gql, seed_graphs: SeedGraphs) -> None:
    got = data(gql(f"{{ centrality(measure: BETWEENNESS, top: 15) {{ entries {{ {ENTRY} }} }} }}"))
    expected = centrality.betweenness_centrality(full(seed_graphs.snapshot()))
    assert_ranking(got["centrality"]["entries"], seed_graphs.shown(expected.scores), 15)


@pytest.mark.parametrize(
    ("measure", "run"),
    [
        ("DEGREE", lambda g: centrality.degree_centrality(g, weight="weight")),
        ("CLOSENESS", lambda g: centrality.closeness_centrality(g, weight="weight")),
        (
            "HARMONIC",
            lambda g: centrality.harmonic_centrality(g, weight="weight", normalized=True),
        ),
        ("EIGENVECTOR", lambda g: centrality.eigenvector_centrality(g, weight="weight")),
        ("EFFECTIVE_SIZE", lambda g: centrality.effective_size(g, weight="weight")),
    ],
)
def test_weighted_co_partnership_measures_equal_the_analytics(
    gql: Gql, seed_graphs: SeedGraphs, measure: str, run: Any
) -> None:
    query = f"""{{ centrality(measure: {measure}, projection: CO_PARTNERSHIP, weighted: true,
        top: 10, filter: {{roles: [SPEAKER, IMPLEMENTING]}}) {{
        weighted weights normalization entries {{ {ENTRY} }} }} }}"""
    got = data(gql(query))["centrality"]
    expected = run(co(seed_graphs.snapshot(), ["IMPLEMENTING", "SPEAKER"]))
    assert_ranking(got["entries"], seed_graphs.shown(expected.scores), 10)
    assert got["weighted"] is True
    assert got["normalization"] == expected.normalization
    assert got["weights"].startswith("weight = number of shared programmes and activities")
    if measure in ("CLOSENESS", "HARMONIC"):
        assert got["weights"].endswith("distance = 1 / weight")


def test_pagerank_damping_region_and_date(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = """{ centrality(measure: PAGERANK, projection: CO_PARTNERSHIP, damping: 0.7,
        top: 10, weighted: true, filter: {regions: [AFRICA], asOf: "2024-06-30"}) {
        asOf entries { rank score node { key kind } } } }"""
    got = data(gql(query))["centrality"]
    day = seed_graphs.snapshot("2024-06-30")
    graph = co_partnership(filter_snapshot(day, regions=["Africa"]), as_of="2024-06-30")
    expected = centrality.pagerank(graph, alpha=0.7)
    assert_ranking(got["entries"], seed_graphs.shown(expected.scores), 10)
    assert got["asOf"] == "2024-06-30"
    assert all(graph.nodes[e["node"]["key"]]["region"] == "Africa" for e in got["entries"])


def test_constraint_ranks_brokers_first(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = f"""{{ centrality(measure: CONSTRAINT, projection: CO_PARTNERSHIP, top: 8,
        filter: {{roles: [SPEAKER]}}) {{ ascending entries {{ {ENTRY} }} }} }}"""
    got = data(gql(query))["centrality"]
    expected = centrality.constraint(co(seed_graphs.snapshot(), ["SPEAKER"]))
    assert got["ascending"] is True
    assert_ranking(got["entries"], seed_graphs.shown(expected.scores), 8, descending=False)


def test_in_degree_ranks_programmes_by_partners_attracted(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    query = f"""{{ centrality(measure: IN_DEGREE, rankKinds: [PROGRAMME], top: 5) {{
        scoredNodes rankedNodes entries {{ {ENTRY} }} }} }}"""
    got = data(gql(query))["centrality"]
    graph = collapse(filter_snapshot(seed_graphs.snapshot()), directed=True)
    expected = centrality.degree_centrality(graph, direction="in")
    programmes = {k: s for k, s in expected.scores.items() if graph.nodes[k]["kind"] == "Programme"}
    assert_ranking(got["entries"], programmes, 5)
    assert got["rankedNodes"] == len(programmes) < got["scoredNodes"] == graph.number_of_nodes()
    assert {e["node"]["kind"] for e in got["entries"]} == {"PROGRAMME"}


def test_filters_change_the_network(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = """query($f: NetworkFilter) { networkSummary(filter: $f) { nodes links components } }"""
    everything = data(gql(query))["networkSummary"]
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"regions": ["ASIA"]}, {"regions": ["Asia"]}),
        ({"countries": ["ken", "FRA"]}, {"countries": ["FRA", "KEN"]}),
        ({"kinds": ["COMPANY", "PROGRAMME"]}, {"kinds": ["Company", "Programme"]}),
        ({"relationshipTypes": ["PARTNERS_IN"]}, {"relationship_types": ["PARTNERS_IN"]}),
        ({"themes": ["theme-cft"]}, {"thematic_areas": ["theme-cft"]}),
        ({"roles": ["FUNDING"]}, {"roles": ["FUNDING"]}),
    ]
    for flt, kwargs in cases:
        got = data(gql(query, {"f": flt}))["networkSummary"]
        expected = structure.summary(full(seed_graphs.snapshot(), **kwargs))
        assert (got["nodes"], got["links"], got["components"]) == (
            expected.nodes,
            expected.links,
            expected.components,
        ), flt
        assert got != everything, flt


def test_as_of_gives_the_network_as_it_stood(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = """query($day: Date) { networkSummary(filter: {asOf: $day}) {
        asOf nodes relationships links density components largestComponent isolates
        averageClustering diameter diameterLowerBound diameterUpperBound } }"""
    for day in (None, "2019-01-01", "2024-06-30"):
        got = data(gql(query, {"day": day}))["networkSummary"]
        snap = seed_graphs.snapshot(day)
        s = structure.summary(collapse(snap, directed=False))
        assert got["asOf"] == day
        assert got["relationships"] == snap.number_of_edges()
        assert (got["nodes"], got["links"], got["components"], got["isolates"]) == (
            s.nodes,
            s.links,
            s.components,
            s.isolates,
        )
        assert math.isclose(got["averageClustering"], s.average_clustering, abs_tol=TOL)
        assert got["diameter"] == s.diameter == got["diameterUpperBound"]
    old = data(gql(query, {"day": "2019-01-01"}))["networkSummary"]
    assert old["nodes"] < data(gql(query))["networkSummary"]["nodes"]


def test_recency_weighting_decays_old_ties(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = """{ centrality(measure: DEGREE, projection: CO_PARTNERSHIP, weighted: true,
        halfLifeYears: 1.5, top: 10, filter: {asOf: "2022-12-31", roles: [SPEAKER, FUNDING]}) {
        weights entries { rank score node { key kind } } } }"""
    got = data(gql(query))["centrality"]
    roles = ["FUNDING", "SPEAKER"]
    graph = co_partnership(
        filter_snapshot(seed_graphs.snapshot(), roles=roles),
        roles=roles,
        as_of="2022-12-31",
        half_life_years=1.5,
    )
    expected = centrality.degree_centrality(graph, weight="weight")
    assert_ranking(got["entries"], seed_graphs.shown(expected.scores), 10)
    assert "2^(-age/1.5)" in got["weights"]


# --------------------------------------------------------------------------- isolates


@pytest.mark.parametrize(
    ("flt", "day", "roles"),
    [({"roles": ["FUNDING"]}, None, {"FUNDING"}), ({"asOf": "2019-01-01"}, "2019-01-01", None)],
    ids=["roles", "as-of"],
)
def test_co_partnership_keeps_actors_without_engagement_as_isolates(
    gql: Gql, seed_graphs: SeedGraphs, flt: dict[str, Any], day: str | None, roles: set[str] | None
) -> None:
    """Every actor in scope is a node, engaged or not (docs/METRICS.md, "Actors of
    CO_PARTNERSHIP"): checked against a projection written by hand from the snapshot."""
    ref = reference.co_partnership(seed_graphs.snapshot(day), roles=roles)
    isolates = set(nx.isolates(ref))
    assert isolates and ref.number_of_edges(), "the check needs isolates and ties"
    query = """query($f: NetworkFilter) {
      networkSummary(projection: CO_PARTNERSHIP, filter: $f) {
        nodes links components isolates largestComponent density }
      degree: centrality(measure: DEGREE, projection: CO_PARTNERSHIP, filter: $f, top: 100) {
        scoredNodes normalization entries { rank score node { key kind } } }
      betweenness: centrality(measure: BETWEENNESS, projection: CO_PARTNERSHIP, filter: $f,
        top: 100) { scoredNodes entries { rank score node { key kind } } } }"""
    got = data(gql(query, {"f": flt}, key=STAFF))
    summary = got["networkSummary"]
    assert summary["nodes"] == ref.number_of_nodes() > ref.number_of_nodes() - len(isolates)
    assert summary["isolates"] == len(isolates)
    assert summary["components"] == nx.number_connected_components(ref)
    assert summary["links"] == ref.number_of_edges()
    assert summary["largestComponent"] == max(len(c) for c in nx.connected_components(ref))
    assert math.isclose(summary["density"], nx.density(ref), rel_tol=TOL)
    # n - 1 (and (n-1)(n-2)) normalisations count the isolates, as networkx does on `ref`
    assert got["degree"]["scoredNodes"] == got["betweenness"]["scoredNodes"] == len(ref)
    assert_ranking(got["degree"]["entries"], nx.degree_centrality(ref), 100)
    assert_ranking(got["betweenness"]["entries"], nx.betweenness_centrality(ref), 100)

    # one isolate by itself: the network holds it, and taking it out removes one component
    shown = sorted(isolates - seed_graphs.restricted_keys())
    what_if = """query($r: [ID!]!, $f: NetworkFilter) {
      whatIf(remove: $r, projection: CO_PARTNERSHIP, filter: $f) {
        removed { key } notInNetwork { key } componentsChange
        before { nodes components } after { nodes components } } }"""
    w = data(gql(what_if, {"r": shown[:1], "f": flt}))["whatIf"]
    assert w["removed"] == [{"key": shown[0]}] and w["notInNetwork"] == []
    assert w["before"] == {"nodes": len(ref), "components": summary["components"]}
    assert w["componentsChange"] == -1


# --------------------------------------------------------------------------- structure


def test_communities_partition_the_projection(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = """{ communities(filter: {roles: [SPEAKER]}, seed: 3, top: 100,
        membersPerCommunity: 100) { modularity count seed backend
        communities { number size actors members { internalStrength node { key } } } } }"""
    got = data(gql(query, key=STAFF))["communities"]
    graph = canonical(co(seed_graphs.snapshot(), ["SPEAKER"]))
    expected = structure.communities(graph, weight=None, seed=3)
    groups = [{m["node"]["key"] for m in c["members"]} for c in got["communities"]]
    assert got["count"] == len(expected.communities)
    assert len(groups) == min(100, len(expected.communities))  # `top`: the largest first
    # same seed, same partition
    assert groups == [set(c) for c in expected.communities[: len(groups)]]
    # actors with no SPEAKER engagement are nodes too, each a community of its own
    isolates = set(nx.isolates(graph))
    assert isolates and {frozenset({v}) for v in isolates} <= {
        frozenset(c) for c in expected.communities
    }
    assert math.isclose(got["modularity"], expected.modularity)
    assert math.isclose(
        got["modularity"], structure.modularity(graph, expected.communities, weight=None)
    )
    assert [c["number"] for c in got["communities"]] == list(range(len(groups)))
    for c, members in zip(got["communities"], groups, strict=True):
        inside = graph.subgraph(members)
        strengths = [m["internalStrength"] for m in c["members"]]
        assert strengths == sorted(strengths, reverse=True)
        assert strengths == sorted((float(d) for _, d in inside.degree()), reverse=True)
    # A viewer gets the same communities and sizes; members only those it may see, in order.
    viewer = data(gql(query))["communities"]
    hidden = seed_graphs.restricted_keys()
    assert [(c["size"], c["actors"]) for c in viewer["communities"]] == [
        (c["size"], c["actors"]) for c in got["communities"]
    ]
    assert any(hidden & group for group in groups), "the check must be able to see a hidden member"
    for mine, staffs in zip(viewer["communities"], got["communities"], strict=True):
        assert mine["members"] == [m for m in staffs["members"] if m["node"]["key"] not in hidden]


def test_brokers_rank_low_constraint_first(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = """{ brokers(filter: {roles: [SPEAKER]}, top: 5) { rankedNodes
        entries { rank constraint effectiveSize efficiency degree node { key } } } }"""
    got = data(gql(query))["brokers"]
    graph = co(seed_graphs.snapshot(), ["SPEAKER"])
    low = centrality.constraint(graph).scores
    size = centrality.effective_size(graph).scores
    assert got["rankedNodes"] == len(low)  # a figure: counts hidden actors too
    values = [e["constraint"] for e in got["entries"]]
    assert values == sorted(values)
    assert math.isclose(values[0], min(seed_graphs.shown(low).values()))
    assert [e["rank"] for e in got["entries"]] == [1, 2, 3, 4, 5]
    for e in got["entries"]:
        key = e["node"]["key"]
        assert math.isclose(e["constraint"], low[key]) and math.isclose(
            e["effectiveSize"], size[key]
        )
        assert e["degree"] == graph.degree(key)
        assert math.isclose(e["efficiency"], size[key] / graph.degree(key))


def test_articulation_points_and_bridges_equal_the_analytics(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    query = """{ articulationPoints(top: 100) { total entries { rank pieces cutOffNodes
        cutOffActors node { key } } }
      bridges(top: 100) { total entries { rank cutOffNodes ends { key } } } }"""
    got = data(gql(query))
    graph = full(seed_graphs.snapshot())
    hidden = seed_graphs.restricted_keys()
    points = got["articulationPoints"]
    assert points["total"] == len(structure.articulation_points(graph))
    assert {e["node"]["key"] for e in points["entries"]} == set(
        structure.articulation_points(graph)
    ) - hidden
    impacts = resilience.cut_vertices(graph)
    for e in points["entries"]:
        impact = impacts[e["node"]["key"]]
        assert (e["pieces"], e["cutOffNodes"], e["cutOffActors"]) == (
            impact.pieces,
            impact.cut_off_nodes,
            impact.cut_off_actors,
        )
    actors_cut = [e["cutOffActors"] for e in points["entries"]]
    assert actors_cut == sorted(actors_cut, reverse=True)
    bridges = got["bridges"]
    assert bridges["total"] == len(structure.bridges(graph))
    pairs = {tuple(n["key"] for n in e["ends"]) for e in bridges["entries"]}
    assert pairs == {b for b in structure.bridges(graph) if not hidden & set(b)}


# --------------------------------------------------------------------------- budget and errors


def test_over_budget_betweenness_says_how_to_sample(
    gql: Gql, seed_graphs: SeedGraphs, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = full(seed_graphs.snapshot())
    budget = 20 * graph.number_of_edges()
    monkeypatch.setattr(svc, "WORK_BUDGET", budget)

    body = gql("{ centrality(measure: BETWEENNESS) { sampled } }")
    assert error_code(body) == "ANALYSIS_TOO_LARGE"
    error = body["errors"][0]
    assert "sample: {k: 20}" in error["message"] and "allowSampling" in error["message"]
    assert error["extensions"]["budget"] == budget
    assert body["data"] is None

    body = gql("{ centrality(measure: CLOSENESS) { sampled } }")
    assert error_code(body) == "ANALYSIS_TOO_LARGE"
    assert "filter" in body["errors"][0]["message"]

    query = f"""{{ centrality(measure: BETWEENNESS, allowSampling: true, top: 5) {{
        sampled sampledSources normalization entries {{ {ENTRY} }} }} }}"""
    got = data(gql(query))["centrality"]
    assert got["sampled"] is True
    assert got["sampledSources"] == 20
    assert "sampled k=20" in got["normalization"]
    expected = centrality.betweenness_centrality(canonical(graph), k=20, seed=0)
    assert_ranking(got["entries"], seed_graphs.shown(expected.scores), 5)


def test_sampled_betweenness_equals_the_analytics(gql: Gql, seed_graphs: SeedGraphs) -> None:
    query = f"""{{ centrality(measure: BETWEENNESS, sample: {{k: 40, seed: 7}}, top: 10) {{
        sampled sampledSources backend entries {{ {ENTRY} }} }} }}"""
    got = data(gql(query))["centrality"]
    graph = canonical(full(seed_graphs.snapshot()))
    expected = centrality.betweenness_centrality(graph, k=40, seed=7)
    assert (got["sampled"], got["sampledSources"], got["backend"]) == (True, 40, "numpy")
    assert_ranking(got["entries"], seed_graphs.shown(expected.scores), 10)


def test_the_summary_bounds_the_diameter_within_the_budget(
    gql: Gql, seed_graphs: SeedGraphs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(svc, "WORK_BUDGET", 100)
    got = data(gql("{ networkSummary { diameter diameterLowerBound diameterUpperBound } }"))
    s = got["networkSummary"]
    expected = structure.summary(full(seed_graphs.snapshot()), budget=100)
    assert (s["diameterLowerBound"], s["diameterUpperBound"]) == expected.diameter_bounds
    assert s["diameter"] == expected.diameter
    assert s["diameterLowerBound"] <= 7 <= s["diameterUpperBound"]


def test_an_oversized_co_partnership_projection_is_refused_before_it_is_built(
    gql: Gql, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(svc, "WORK_BUDGET", 1000)
    query = """{ centrality(measure: DEGREE, projection: CO_PARTNERSHIP,
            filter: {roles: [ADVISORY, HOST]}) { revision } }"""
    body = gql(query)
    assert error_code(body) == "ANALYSIS_TOO_LARGE"
    message = body["errors"][0]["message"]
    assert "co-partnership projection" in message and "`filter`" in message
    assert "sample" not in message
    computed = svc.STATS.computed
    assert gql(query) == body  # the refusal is kept for the revision: not worked out again
    assert svc.STATS.computed == computed
    monkeypatch.setattr(svc, "WORK_BUDGET", 10**12)  # a budget is part of what was refused
    assert "errors" not in gql(query)


def test_a_measure_that_does_not_converge_says_so(
    gql: Gql, monkeypatch: pytest.MonkeyPatch
) -> None:
    def diverge(*args: Any, **kwargs: Any) -> Any:
        raise nx.PowerIterationFailedConvergence(1000)

    monkeypatch.setattr(centrality, "eigenvector_centrality", diverge)
    body = gql('{ centrality(measure: EIGENVECTOR, filter: {countries: ["NPL"]}) { revision } }')
    assert error_code(body) == "NOT_CONVERGED"
    assert body["errors"][0]["extensions"]["measure"] == "EIGENVECTOR"


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ("centrality(measure: DEGREE, top: 0) { revision }", "top"),
        ("centrality(measure: DEGREE, top: 101) { revision }", "top"),
        ("centrality(measure: PAGERANK, sample: {k: 5}) { revision }", "sample"),
        ("centrality(measure: BETWEENNESS, sample: {k: 1}) { revision }", "sample"),
        ("centrality(measure: DEGREE, damping: 0.5) { revision }", "damping"),
        ("centrality(measure: PAGERANK, damping: 1.5) { revision }", "damping"),
        ("centrality(measure: IN_DEGREE, projection: CO_PARTNERSHIP) { revision }", "measure"),
        ('centrality(measure: DEGREE, filter: {countries: ["XYZ"]}) { revision }', "filter"),
        ('centrality(measure: DEGREE, filter: {themes: ["ro-au"]}) { revision }', "filter"),
        ("centrality(measure: DEGREE, halfLifeYears: 2) { revision }", "halfLifeYears"),
        (
            "centrality(measure: DEGREE, projection: CO_PARTNERSHIP, directed: true) { revision }",
            "directed",
        ),
        (
            "communities(filter: {kinds: [PROGRAMME]}) { count }",
            "filter",
        ),
        ("communities(resolution: 0) { count }", "resolution"),
        ("communities(membersPerCommunity: 0) { count }", "membersPerCommunity"),
    ],
)
def test_bad_arguments_are_bad_user_input(gql: Gql, query: str, argument: str) -> None:
    body = gql(f"{{ {query} }}")
    assert error_code(body) == "BAD_USER_INPUT", body
    assert body["errors"][0]["extensions"]["argument"] == argument


def test_an_identical_request_is_served_from_the_cache(gql: Gql) -> None:
    query = """{ centrality(measure: HARMONIC, top: 3, filter: {regions: [OCEANIA]}) {
        revision entries { score node { key } } } }"""
    first = data(gql(query))
    computed = svc.STATS.computed
    assert data(gql(query)) == first
    assert svc.STATS.computed == computed


# --------------------------------------------------------------------------- do no harm

EVERYTHING = """{
  a: centrality(measure: BETWEENNESS, top: 100, rankKinds: [CIVIL_SOCIETY_ORGANIZATION]) {
    entries { node { key name description source } } }
  b: centrality(measure: DEGREE, projection: CO_PARTNERSHIP, top: 100) {
    entries { node { key name } } }
  c: communities(top: 100, membersPerCommunity: 100, filter: {roles: [SPEAKER, CO_DESIGN]}) {
    communities { number members { node { key name } } } }
  d: brokers(top: 100, filter: {roles: [SPEAKER]}) { entries { node { key name } } }
  e: articulationPoints(top: 100) { entries { node { key name } } }
  f: bridges(top: 100) { entries { ends { key name } } }
  g: singlePointsOfFailure(top: 100) { entries { node { key name }
      solePartnerIn { region theme { name } } } }
  h: whatIf(remove: ["ro-au", "cso-0001"], top: 100) { removed { key name }
      notInNetwork { name } stranded { name } lostCells { theme { name } } }
}"""


def test_restricted_names_never_reach_unprivileged_callers(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    names = seed_graphs.restricted_names()
    assert names
    public = gql(EVERYTHING)
    assert "errors" not in public, public["errors"]
    text = str(public)
    assert not [n for n in names if n in text]
    keys = seed_graphs.restricted_keys()
    assert not [k for k in keys if repr(k) in text]
    staff = str(data(gql(EVERYTHING, key=STAFF)))
    assert [n for n in names if n in staff], "the check must be able to see a leak"
    assert [k for k in keys if repr(k) in staff]


def test_rankings_are_taken_among_the_nodes_a_viewer_may_see(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    query = """{ centrality(measure: DEGREE, projection: CO_PARTNERSHIP, top: 40,
        rankKinds: [CIVIL_SOCIETY_ORGANIZATION]) { rankedNodes entries { rank score node { key } } }
      brokers(top: 40) { rankedNodes entries { rank node { key } } } }"""
    staff, viewer = data(gql(query, key=STAFF)), data(gql(query))
    hidden = seed_graphs.restricted_keys()
    for field in ("centrality", "brokers"):
        everyone = [e["node"]["key"] for e in staff[field]["entries"]]
        shown = [e["node"]["key"] for e in viewer[field]["entries"]]
        assert hidden & set(everyone), "the check must be able to see a hidden actor"
        visible = [k for k in everyone if k not in hidden]
        # the same order without the hidden actors, topped up to `top`, ranked with no gap
        assert shown[: len(visible)] == visible and len(shown) == 40
        assert not hidden & set(shown)
        assert [e["rank"] for e in viewer[field]["entries"]] == list(range(1, 41))
        assert viewer[field]["rankedNodes"] == staff[field]["rankedNodes"]  # a figure


def test_what_if_refuses_a_hidden_actor_as_it_refuses_a_missing_one(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    def error(key: str, caller: str | None = None) -> dict[str, Any]:
        body = gql(f'{{ whatIf(remove: ["{key}"]) {{ componentsChange }} }}', key=caller)
        [found] = body["errors"]
        return {"message": found["message"].replace(key, "KEY"), **found["extensions"]}

    hidden = min(seed_graphs.restricted_keys())
    expected = {"message": "no node with id 'KEY'", "code": "NOT_FOUND"}
    assert error(hidden) == error("cso-9999") == expected
    assert "errors" not in gql(
        f'{{ whatIf(remove: ["{hidden}"]) {{ componentsChange }} }}', key=STAFF
    )
