"""Snapshot filters, collapsing and the co-partnership projection."""

from __future__ import annotations

import math
from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import _fast, centrality, projection
from analytics.pair_graph import filled


@pytest.fixture
def snapshot() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for iso, region in [("KEN", "Africa"), ("NGA", "Africa"), ("FRA", "Europe")]:
        g.add_node(iso, kind="MemberState", name=iso, region=region)
    g.add_node("AU", kind="RegionalOrganization")
    g.add_node("EU", kind="RegionalOrganization")
    g.add_node("cso1", kind="CivilSocietyOrganization", country="KEN")
    g.add_node("cso2", kind="CivilSocietyOrganization", country="NGA")
    g.add_node("co1", kind="Company", country="FRA")
    g.add_node("uni1", kind="AcademicInstitution")
    for p in ("p1", "p2", "p3"):
        g.add_node(p, kind="Programme")
    g.add_node("act1", kind="Activity")
    g.add_node("act2", kind="Activity")
    g.add_node("PCVE", kind="ThematicArea")
    g.add_node("CFT", kind="ThematicArea")
    g.add_node("out1", kind="Outcome")

    def rel(
        key: str,
        u: str,
        v: str,
        kind: str,
        since: str | None = "2019-01-01",
        until: str | None = None,
        **extra: object,
    ) -> None:
        g.add_edge(u, v, key=key, type=kind, since=since, until=until, **extra)

    rel("m1", "KEN", "AU", "MEMBER_OF")
    rel("m2", "NGA", "AU", "MEMBER_OF")
    rel("m3", "FRA", "EU", "MEMBER_OF")
    rel("b1", "cso1", "KEN", "BASED_IN")
    rel("t1", "p1", "KEN", "TARGETS")
    rel("t3", "p3", "FRA", "TARGETS")
    rel("t4", "act2", "FRA", "TARGETS")
    rel("a1", "p1", "PCVE", "ADDRESSES")
    rel("a2", "p2", "CFT", "ADDRESSES")
    rel("po1", "act1", "p1", "PART_OF")
    rel("po2", "act2", "p3", "PART_OF")
    rel("e1", "cso1", "p1", "PARTNERS_IN", role="IMPLEMENTING")
    rel("e2", "cso2", "p1", "PARTNERS_IN", "2020-01-01", "2021-12-31", role="FUNDING", amount=100.0)
    rel("e3", "cso2", "p1", "PARTNERS_IN", "2022-01-01", None, role="ADVISORY", amount=50.0)
    rel("e4", "co1", "p2", "PARTNERS_IN", "2021-01-01", role="ADVISORY")
    rel("e5", "uni1", "p2", "PARTNERS_IN", "2021-01-01", role="IMPLEMENTING")
    rel("e6", "cso1", "act1", "PARTICIPATED_IN", "2023-03-01", "2023-03-02", role="HOST")
    rel("e7", "cso2", "act1", "PARTICIPATED_IN", "2023-03-01", "2023-03-02", role="BENEFICIARY")
    rel("e8", "co1", "act2", "PARTICIPATED_IN", "2020-05-01", "2020-05-01", role="HOST")
    rel("o1", "act1", "out1", "PRODUCED", share=0.5)
    return nx.freeze(g)


def test_as_of_keeps_relationships_valid_that_day(snapshot: nx.MultiDiGraph) -> None:
    g = projection.filter_snapshot(snapshot, as_of="2021-06-30")
    keys = {k for _, _, k in g.edges(keys=True)}
    assert "e2" in keys and "e3" not in keys and "e6" not in keys
    assert set(g) == set(snapshot)  # nodes stay, as isolates if need be
    assert nx.is_frozen(g)


def test_region_filter_follows_states_members_and_targets(snapshot: nx.MultiDiGraph) -> None:
    g = projection.filter_snapshot(snapshot, regions={"Africa"})
    assert set(g) == {"KEN", "NGA", "AU", "cso1", "cso2", "p1", "p2", "act1", "PCVE", "CFT", "out1"}


def test_country_filter(snapshot: nx.MultiDiGraph) -> None:
    g = projection.filter_snapshot(snapshot, countries={"FRA"})
    assert {"FRA", "EU", "co1", "p3", "act2", "p2"} <= set(g)
    assert not {"KEN", "AU", "cso1", "uni1", "p1", "act1"} & set(g)


def test_thematic_filter_reaches_activities_through_programme(
    snapshot: nx.MultiDiGraph,
) -> None:
    g = projection.filter_snapshot(snapshot, thematic_areas={"PCVE"})
    assert {"p1", "act1", "PCVE"} <= set(g)
    assert not {"p2", "p3", "act2", "CFT"} & set(g)


def test_roles_kinds_and_types(snapshot: nx.MultiDiGraph) -> None:
    g = projection.filter_snapshot(
        snapshot, roles={"FUNDING"}, relationship_types={"PARTNERS_IN", "MEMBER_OF"}
    )
    types = {(k, d["type"]) for _, _, k, d in g.edges(keys=True, data=True)}
    assert types == {
        ("e2", "PARTNERS_IN"),
        ("m1", "MEMBER_OF"),
        ("m2", "MEMBER_OF"),
        ("m3", "MEMBER_OF"),
    }
    kinds = projection.filter_snapshot(snapshot, kinds={"Programme", "Company"})
    assert set(kinds) == {"p1", "p2", "p3", "co1"}
    assert {k for _, _, k in kinds.edges(keys=True)} == {"e4"}


def test_collapse_sums_weights_and_counts(snapshot: nx.MultiDiGraph) -> None:
    engaged = projection.filter_snapshot(snapshot, relationship_types={"PARTNERS_IN"})
    by_amount = projection.collapse(engaged, weight="amount")
    assert by_amount["cso2"]["p1"] == {"weight": 150.0, "relationships": 2}
    assert by_amount["cso1"]["p1"]["weight"] == 1.0  # missing amount counts 1
    counted = projection.collapse(engaged, directed=False)
    assert not counted.is_directed() and counted["p1"]["cso2"]["weight"] == 2.0
    assert nx.is_frozen(counted)


def test_co_partnership_weights_and_decay(snapshot: nx.MultiDiGraph) -> None:
    g = projection.co_partnership(snapshot)
    assert g["cso1"]["cso2"] == {"weight": 2.0, "shared": 2}
    assert g.graph[projection.ACTOR_ITEMS].shared_by("cso1", "cso2") == ("act1", "p1")
    assert g.graph[projection.ACTOR_ITEMS].shared_by("co1", "uni1") == ("p2",)
    # every actor is a node; the states and regional organisations engage in nothing here
    assert set(g) == {"cso1", "cso2", "co1", "uni1", "KEN", "NGA", "FRA", "AU", "EU"}
    assert {v for v in g if g.degree(v) == 0} == {"KEN", "NGA", "FRA", "AU", "EU"}
    assert g.nodes["cso1"]["country"] == "KEN"

    decayed = projection.co_partnership(snapshot, as_of="2025-03-02", half_life_years=1.0)
    # p1: both engagements still open -> 1; act1 ended 2023-03-02, two years earlier.
    age = (date(2025, 3, 2) - date(2023, 3, 2)).days / 365.25
    expected = 1.0 + math.exp(-math.log(2) * age)
    assert math.isclose(decayed["cso1"]["cso2"]["weight"], expected)

    funding = projection.co_partnership(snapshot, roles={"FUNDING", "IMPLEMENTING"})
    assert funding.graph[projection.ACTOR_ITEMS].shared_by("cso1", "cso2") == ("p1",)
    with pytest.raises(ValueError):
        projection.co_partnership(snapshot, half_life_years=0)


def test_projection_feeds_centrality(snapshot: nx.MultiDiGraph) -> None:
    g = projection.co_partnership(snapshot, half_life_years=2.0)
    ranked = centrality.degree_centrality(g, weight="weight").ranked()
    assert ranked[0][0] in {"cso1", "cso2"}


_DAY0 = date(2020, 1, 1)
days = st.one_of(st.none(), st.integers(0, 2000).map(lambda d: _DAY0 + timedelta(days=d)))


@settings(max_examples=150, deadline=None)
@given(since=days, until=days, when=days)
def test_edge_validity_interval(since: date | None, until: date | None, when: date | None) -> None:
    data = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    expected = when is None or (
        (since is None or since <= when) and (until is None or when <= until)
    )
    assert projection.edge_valid(data, when) is expected
    assert projection.edge_valid(data, when.isoformat() if when else None) is expected


@settings(max_examples=60, deadline=None)
@given(
    links=st.lists(
        st.tuples(
            st.integers(0, 6),
            st.integers(0, 4),
            st.sampled_from(["PARTNERS_IN", "PARTICIPATED_IN"]),
        ),
        max_size=25,
    ),
    half_life=st.one_of(st.none(), st.floats(0.5, 10)),
)
def test_co_partnership_counts_shared_items(
    links: list[tuple[int, int, str]], half_life: float | None
) -> None:
    g = nx.MultiDiGraph()
    for actor, item, kind in links:
        g.add_node(f"a{actor}", kind="CivilSocietyOrganization")
        g.add_node(f"i{item}", kind="Programme" if kind == "PARTNERS_IN" else "Activity")
        g.add_edge(
            f"a{actor}",
            f"i{item}",
            type=kind,
            role="IMPLEMENTING",
            since="2020-01-01",
            until="2021-01-01" if actor % 2 else None,
        )
    result = projection.co_partnership(g, half_life_years=half_life, as_of="2020-06-01")
    engaged: dict[str, set[str]] = {}
    for actor, item, _ in links:
        engaged.setdefault(f"a{actor}", set()).add(f"i{item}")
    assert set(result) == set(engaged)
    for a in engaged:
        for b in engaged:
            common = engaged[a] & engaged[b]
            if a >= b or not common:
                assert a >= b or not result.has_edge(a, b)
                continue
            tie = result[a][b]
            assert tie["shared"] == len(common)
            assert set(result.graph[projection.ACTOR_ITEMS].shared_by(a, b)) == common
            assert math.isclose(tie["weight"], len(common))  # all still active on as_of


@settings(max_examples=80, deadline=None)
@given(
    edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40),
    isolated=st.integers(0, 3),
    directed=st.booleans(),
    multi_input=st.booleans(),
)
def test_simple_graph_is_collapse_then_canonical_with_its_views(
    edges: list[tuple[int, int]], isolated: int, directed: bool, multi_input: bool
) -> None:
    """The vectorised path against the two plain steps it replaces: same nodes, edges, order
    and attributes, and views equal to what converting the result would give."""
    g: nx.Graph = nx.MultiDiGraph() if multi_input else nx.DiGraph()
    g.add_nodes_from((f"n{i}", {"kind": "Company"}) for i in range(8 + isolated))
    g.add_edges_from((f"n{u}", f"n{v}") for u, v in edges)
    fast = projection.simple_graph(g, directed=directed)
    plain = projection.canonical(projection.collapse(g, directed=directed))
    assert not filled(fast)  # until something reads its adjacency
    assert (fast.is_directed(), fast.is_multigraph()) == (plain.is_directed(), False)
    assert nx.is_frozen(fast)
    assert list(fast.nodes(data=True)) == list(plain.nodes(data=True))
    assert list(fast.edges(data=True)) == list(plain.edges(data=True))
    for view in ("adj", "pred") if directed else ("adj",):  # each neighbourhood's order
        assert {v: list(getattr(fast, view)[v].items()) for v in fast} == {
            v: list(getattr(plain, view)[v].items()) for v in plain
        }
    for weight in ("weight", None):
        seeded, converted = _fast.indexed(fast, weight), _fast._convert(plain, weight)
        assert (seeded.nodes, seeded.directed) == (converted.nodes, converted.directed)
        for a, b in ((seeded.src, converted.src), (seeded.dst, converted.dst)):
            assert a.tolist() == b.tolist()
        assert seeded.weight.tolist() == converted.weight.tolist()


# --------------------------------------------------------------------------- isolates


def _reference_co_partnership(
    snapshot: nx.MultiDiGraph, actors: set[str], roles: set[str] | None = None
) -> nx.Graph:
    """Written from the definition, without the projection's code: the given actors, tied
    when engaged (with a listed role) in the same programme or activity."""
    ref = nx.Graph()
    ref.add_nodes_from(actors)
    engaged: dict[str, set[str]] = {}
    for u, v, d in snapshot.edges(data=True):
        if d["type"] in ("PARTNERS_IN", "PARTICIPATED_IN") and (
            roles is None or d["role"] in roles
        ):
            engaged.setdefault(v, set()).add(u)
    for members in engaged.values():
        ref.add_edges_from((a, b) for a in members for b in members if a < b)
    return ref


def test_actors_without_engagement_in_scope_are_isolates(snapshot: nx.MultiDiGraph) -> None:
    roles = {"FUNDING"}
    g = projection.co_partnership(snapshot, roles=roles)
    actors = {v for v, k in snapshot.nodes(data="kind") if k in projection.ACTOR_KINDS}
    ref = _reference_co_partnership(snapshot, actors, roles)
    assert set(g) == set(ref) == actors
    assert g.number_of_edges() == ref.number_of_edges() == 0  # only cso2 funds: no tie
    assert set(nx.isolates(g)) == actors
    # n - 1 normalisation counts the isolates: equal to networkx on the reference graph
    everyone = projection.co_partnership(snapshot)
    full_ref = _reference_co_partnership(snapshot, actors)
    assert {frozenset(e) for e in everyone.edges()} == {frozenset(e) for e in full_ref.edges()}
    expected = nx.degree_centrality(full_ref)
    scores = centrality.degree_centrality(everyone).scores
    assert scores.keys() == expected.keys() == actors
    assert all(math.isclose(scores[v], expected[v]) for v in expected)
    assert math.isclose(scores["cso1"], 1 / (len(actors) - 1))  # one partner, cso2
    assert set(nx.isolates(everyone)) == {"KEN", "NGA", "FRA", "AU", "EU"}  # counted in n
    assert nx.number_connected_components(everyone) == nx.number_connected_components(full_ref)


def test_the_actor_kinds_and_the_snapshot_choose_the_actors(snapshot: nx.MultiDiGraph) -> None:
    africa = projection.filter_snapshot(snapshot, regions={"Africa"})
    g = projection.co_partnership(africa, actor_kinds={"MemberState", "CivilSocietyOrganization"})
    assert set(g) == {"KEN", "NGA", "cso1", "cso2"}  # uni1 has no seat, co1 is in France
    assert set(nx.isolates(g)) == {"KEN", "NGA"}


def test_as_of_keeps_the_actors_that_exist_that_day() -> None:
    g = nx.MultiDiGraph()
    g.add_node("old", kind="CivilSocietyOrganization", since="2000-01-01", until="2010-12-31")
    g.add_node("new", kind="CivilSocietyOrganization", since="2030-01-01", until=None)
    g.add_node("now", kind="Company", since="2001-01-01", until=None)
    g.add_node("gone", kind="Company", since="2001-01-01", until="2015-01-01")
    g.add_node("p", kind="Programme")
    g.add_edge("gone", "p", type="PARTNERS_IN", role="FUNDING", since="2012-01-01")
    g.add_edge("now", "p", type="PARTNERS_IN", role="FUNDING", since="2012-01-01")
    # history read up to as_of (recency weighting): valid that day, or engaged by then
    decayed = projection.co_partnership(g, as_of="2020-01-01", half_life_years=2.0)
    assert set(decayed) == {"now", "gone"}
    assert decayed.has_edge("now", "gone")
    assert set(projection.co_partnership(g, as_of="2005-01-01")) == {"old", "now", "gone"}
    assert set(projection.co_partnership(g)) == {"old", "new", "now", "gone"}
