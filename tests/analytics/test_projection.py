"""Snapshot filters, collapsing and the co-partnership projection."""

from __future__ import annotations

import math
from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import centrality, projection


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
    assert g["cso1"]["cso2"]["shared"] == 2
    assert g["cso1"]["cso2"]["items"] == ("act1", "p1")
    assert g["cso1"]["cso2"]["weight"] == 2.0
    assert g["co1"]["uni1"]["items"] == ("p2",)
    assert set(g) == {"cso1", "cso2", "co1", "uni1"}
    assert g.nodes["cso1"]["country"] == "KEN"

    decayed = projection.co_partnership(snapshot, as_of="2025-03-02", half_life_years=1.0)
    # p1: both engagements still open -> 1; act1 ended 2023-03-02, two years earlier.
    age = (date(2025, 3, 2) - date(2023, 3, 2)).days / 365.25
    expected = 1.0 + math.exp(-math.log(2) * age)
    assert math.isclose(decayed["cso1"]["cso2"]["weight"], expected)

    funding = projection.co_partnership(snapshot, roles={"FUNDING", "IMPLEMENTING"})
    assert funding["cso1"]["cso2"]["items"] == ("p1",)
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
            assert set(tie["items"]) == common
            assert math.isclose(tie["weight"], len(common))  # all still active on as_of
