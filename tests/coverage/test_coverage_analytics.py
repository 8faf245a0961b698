"""Coverage analytics on a small fictional graph: how engagement is attributed to cells,
windows, metrics, needs and gaps, rankings, trends, stakeholder gaps and unengaged states."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.coverage import (
    Dimension,
    GeographyBasis,
    Window,
    actor_types,
    build_index,
    engagement_index,
)
from analytics.coverage_report import (
    Cube,
    Matrix,
    MatrixQuery,
    TrendStatus,
    build_matrix,
    rank_gaps,
    stakeholder_gaps,
    trend,
    unengaged_states,
)
from graph.model import NodeKind, WeightScope
from tests.coverage.conftest import GraphBuilder

D = Dimension
AS_OF = Window.as_of(dt.date(2024, 6, 30))


def world(b: GraphBuilder) -> GraphBuilder:
    """Four states, two themes, two programmes, one activity, five partners (all invented)."""
    b.states(["KEN", "UGA", "FRA", "JOR", "PER"])
    b.node("ThematicArea", "t1", code="T1").node("ThematicArea", "t2", code="T2")
    b.node("RegionalOrganization", "ro-x", sensitivity="PUBLIC")
    b.rel("MEMBER_OF", "KEN", "ro-x").rel("MEMBER_OF", "UGA", "ro-x")
    b.node("Programme", "p1", since="2019-01-01")
    b.node("Programme", "p2", since="2019-01-01")
    b.rel("ADDRESSES", "p1", "t1").rel("TARGETS", "p1", "KEN")
    b.rel("ADDRESSES", "p2", "t1").rel("ADDRESSES", "p2", "t2").rel("TARGETS", "p2", "ro-x")
    b.node("Activity", "a1", since="2024-03-01", until="2024-03-02", location="UGA")
    b.rel("PART_OF", "a1", "p1").rel("ADDRESSES", "a1", "t2")
    b.node("CivilSocietyOrganization", "c1", focus_groups=["YOUTH"])
    b.node("CivilSocietyOrganization", "c2", focus_groups=["WOMEN", "YOUTH"])
    b.node("Company", "co1", industry="TECH_PLATFORM")
    b.node("AcademicInstitution", "u1", academic_type="THINK_TANK")
    b.rel("BASED_IN", "c1", "KEN").rel("BASED_IN", "c2", "FRA").rel("BASED_IN", "co1", "JOR")
    b.rel("PARTNERS_IN", "c1", "p1", role="IMPLEMENTING", since="2020-01-01")
    b.rel("PARTNERS_IN", "c2", "p2", role="CO_DESIGN", since="2021-01-01", until="2022-12-31")
    b.rel("PARTNERS_IN", "co1", "p2", role="FUNDING", since="2019-06-01", amount=100_000)
    b.rel("PARTNERS_IN", "FRA", "p1", role="FUNDING", since="2019-01-01", amount=50_000)
    b.rel("PARTICIPATED_IN", "c1", "a1", role="PARTICIPANT", since="2024-03-01")
    b.rel("PARTICIPATED_IN", "u1", "a1", role="SPEAKER", since="2024-03-01")
    return b


def cube(
    b: GraphBuilder, window: Window = AS_OF, basis: GeographyBasis = GeographyBasis.PARTNER
) -> Cube:
    return Cube(build_index(world(b).graph()), window, basis)


def by_row(m: Matrix, figure: str = "partners") -> dict[str, object]:
    return {h.key: getattr(row[0], figure) for h, row in zip(m.rows, m.cells, strict=True)}


def test_partner_geography_counts_where_each_partner_is_based(builder: GraphBuilder) -> None:
    m = build_matrix(cube(builder), MatrixQuery((D.COUNTRY,)), {}, None)
    partners = {k: v for k, v in by_row(m).items() if v}
    # c2's partnership ended in 2022; u1 has no seat; FRA partners itself
    assert partners == {"KEN": 1, "FRA": 1, "JOR": 1, "(none)": 1}
    assert by_row(m, "funding")["JOR"] == 100_000
    assert by_row(m, "funding")["FRA"] == 50_000
    ken = m.cells[[h.key for h in m.rows].index("KEN")][0]
    assert (ken.partnerships, ken.programmes, ken.activities) == (1, 1, 1)
    assert ken.last_activity == dt.date(2024, 3, 1)
    assert m.total.partners == 4


def test_target_geography_counts_where_programmes_and_activities_work(
    builder: GraphBuilder,
) -> None:
    m = build_matrix(
        cube(builder, basis=GeographyBasis.TARGET), MatrixQuery((D.COUNTRY,)), {}, None
    )
    partners = {k: v for k, v in by_row(m).items() if v}
    # p1 targets KEN (c1, FRA); p2 targets ro-x = KEN + UGA (co1); a1 is held in UGA (c1, u1)
    assert partners == {"KEN": 3, "UGA": 3}
    assert m.total.partners == 4


def test_activities_inherit_their_programme_themes(builder: GraphBuilder) -> None:
    m = build_matrix(cube(builder), MatrixQuery((D.THEME,)), {}, None)
    # t1: c1 (p1 and a1), FRA (p1), co1 (p2), u1 (a1 inherits p1's t1); t2: co1, c1, u1
    assert by_row(m) == {"t1": 4, "t2": 3}
    assert m.total.partners == 4  # distinct: a partner on both themes counts once in the total


def test_a_period_counts_everything_active_in_it(builder: GraphBuilder) -> None:
    period = Window.period(dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    m = build_matrix(cube(builder, period), MatrixQuery((D.STAKEHOLDER_TYPE,)), {}, None)
    partners = {k: v for k, v in by_row(m).items() if v}
    # c2 (women and youth) partnered then; a1 (2024) is outside the period
    assert partners == {
        "MEMBER_STATE": 1,
        "CSO_YOUTH": 2,
        "CSO_WOMEN": 1,
        "COMPANY_TECH_PLATFORM": 1,
    }


def test_as_of_activities_count_for_a_year(builder: GraphBuilder) -> None:
    later = Window.as_of(dt.date(2025, 3, 1))  # a1 (2024-03-01..02) ends within 365 days
    much_later = Window.as_of(dt.date(2025, 3, 2))
    q = MatrixQuery((D.ACTOR_KIND,))
    kinds = by_row(build_matrix(cube(builder, later), q, {}, None))
    assert kinds["AcademicInstitution"] == 1
    gone = build_matrix(cube(GraphBuilder(), much_later), q, {}, None)
    assert by_row(gone)["AcademicInstitution"] == 0
    assert by_row(gone, "last_activity")["CivilSocietyOrganization"] == dt.date(2024, 3, 1)


def test_stakeholder_types_follow_the_model() -> None:
    assert actor_types(NodeKind.MEMBER_STATE, {}) == ["MEMBER_STATE"]
    assert actor_types(NodeKind.ACADEMIC_INSTITUTION, {}) == ["ACADEMIC_UNIVERSITY"]
    assert actor_types(NodeKind.OTHER_NON_STATE_ACTOR, {"actor_type": "FOUNDATION"}) == [
        "NSA_FOUNDATION"
    ]
    assert actor_types(NodeKind.CIVIL_SOCIETY_ORGANIZATION, {}) == ["CSO_UNSPECIFIED"]


def test_engagement_index_is_the_documented_formula() -> None:
    import math

    assert engagement_index(3, 2, 1, 4) == pytest.approx(
        math.log(4) + 0.5 * math.log(3) + 0.5 * math.log(2) + 0.5 * math.log(5)
    )


def test_two_way_matrix_has_true_totals_and_selection_only_picks(builder: GraphBuilder) -> None:
    c = cube(builder)
    full = build_matrix(c, MatrixQuery((D.REGION, D.THEME)), {}, None)
    assert [h.key for h in full.rows] == [
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Oceania",
        "(none)",
    ]
    assert [h.key for h in full.columns] == ["t1", "t2"]
    africa = full.cells[0]
    assert [x.partners for x in africa] == [1, 1]
    assert full.row_totals[0].partners == 1
    picked = build_matrix(
        c, MatrixQuery.of((D.REGION, D.THEME), {D.REGION: ["Asia"], D.THEME: ["t2"]}), {}, None
    )
    assert [h.key for h in picked.rows] == ["Asia"] and [h.key for h in picked.columns] == ["t2"]
    assert picked.cells[0][0] == full.cells[2][1]
    assert picked.column_totals[0] == full.column_totals[1]
    assert picked.total == full.total


def test_selection_must_name_grouped_values(builder: GraphBuilder) -> None:
    with pytest.raises(ValueError, match="unknown region"):
        build_matrix(cube(builder), MatrixQuery.of((D.REGION,), {D.REGION: ["Atlantis"]}), {}, None)
    with pytest.raises(ValueError, match="needs THEME in groupBy"):
        MatrixQuery.of((D.REGION,), {D.THEME: ["t1"]})
    with pytest.raises(ValueError, match="one dimension of each family"):
        MatrixQuery((D.REGION, D.COUNTRY))


def test_need_uses_the_most_specific_weight_and_scales_the_gap(builder: GraphBuilder) -> None:
    c = cube(builder)
    weights = {
        (WeightScope.REGION, "Africa"): 2.0,
        (WeightScope.COUNTRY, "UGA"): 3.0,
        (WeightScope.THEME, "t2"): 0.5,
    }
    m = build_matrix(c, MatrixQuery((D.COUNTRY, D.THEME)), weights, None)
    rows = {h.key: cells for h, cells in zip(m.rows, m.cells, strict=True)}
    assert rows["KEN"][0].need == 2.0 and rows["KEN"][1].need == 1.0
    assert rows["UGA"][0].need == 3.0 and rows["UGA"][1].need == 1.5
    assert rows["FRA"][0].need == 1.0
    # UGA has no engagement on the partner basis: its gap is its whole need
    assert rows["UGA"][0].gap == 3.0
    indices = [x.engagement_index for r in m.cells for x in r if x.partners]
    engaged = sorted(i for i in indices if i is not None)
    assert len(engaged) == len(indices)  # every engaged cell has an index
    assert m.benchmark == pytest.approx(
        engaged[len(engaged) // 2]
        if len(engaged) % 2
        else (engaged[len(engaged) // 2 - 1] + engaged[len(engaged) // 2]) / 2
    )
    target = build_matrix(c, MatrixQuery((D.COUNTRY, D.THEME), target_index=10.0), weights, None)
    ken = target.cells[[h.key for h in target.rows].index("KEN")][0]
    assert ken.engagement_index is not None
    assert ken.gap == pytest.approx(2.0 * (1 - ken.engagement_index / 10.0))


def test_ranking_puts_the_neediest_unengaged_cells_first(builder: GraphBuilder) -> None:
    c = cube(builder)
    weights = {(WeightScope.COUNTRY, "PER"): 5.0}
    ranked = rank_gaps(c, build_matrix(c, MatrixQuery((D.COUNTRY,)), weights, None))
    assert ranked[0].header.key == "PER" and ranked[0].cell.gap == 5.0
    assert all(r.header.key != "(none)" for r in ranked)
    gaps = [r.cell.gap or 0.0 for r in ranked]
    assert gaps == sorted(gaps, reverse=True)


def test_trend_finds_lost_and_new_coverage(builder: GraphBuilder) -> None:
    index = build_index(world(builder).graph())
    q = MatrixQuery((D.COUNTRY,), all_unspecified=True)
    before = build_matrix(
        Cube(index, Window.as_of(dt.date(2022, 6, 30)), GeographyBasis.PARTNER), q, {}, None
    )
    after = build_matrix(Cube(index, AS_OF, GeographyBasis.PARTNER), q, {}, None)
    status = {c.header.key: c.status for c in trend(before, after)}
    assert status["FRA"] is TrendStatus.KEPT  # c2 ended but FRA itself still partners
    assert status["(none)"] is TrendStatus.NEW  # u1 took part in a1 in 2024
    assert status["UGA"] is TrendStatus.NONE
    c2_only = world(GraphBuilder())
    c2_only.rels = [r for r in c2_only.rels if not (r.start == "FRA" and r.type == "PARTNERS_IN")]
    index2 = build_index(c2_only.graph())
    b2 = build_matrix(
        Cube(index2, Window.as_of(dt.date(2022, 6, 30)), GeographyBasis.PARTNER), q, {}, None
    )
    a2 = build_matrix(Cube(index2, AS_OF, GeographyBasis.PARTNER), q, {}, None)
    fra = next(c for c in trend(b2, a2) if c.header.key == "FRA")
    assert fra.status is TrendStatus.LOST and fra.partners_change == -1
    assert fra.gap_change is not None and fra.gap_change > 0


def test_stakeholder_gaps_name_the_missing_kinds(builder: GraphBuilder) -> None:
    gaps, withheld = stakeholder_gaps(cube(builder), (D.REGION,), ["CSO_YOUTH", "CSO_WOMEN"], None)
    assert not withheld
    missing = {g.header.key: [v.key for v in g.missing] for g in gaps}
    # Africa has youth (c1) but no women's CSO; Europe (FRA alone now) has neither
    assert missing == {
        "Africa": ["CSO_WOMEN"],
        "Asia": ["CSO_YOUTH", "CSO_WOMEN"],
        "Europe": ["CSO_YOUTH", "CSO_WOMEN"],
    }
    with pytest.raises(ValueError, match="unknown stakeholder"):
        stakeholder_gaps(cube(GraphBuilder()), (D.REGION,), ["CSO_ELVES"], None)


def test_unengaged_states_have_nothing_on_either_basis(builder: GraphBuilder) -> None:
    index = build_index(world(builder).graph())
    cubes = [Cube(index, AS_OF, b) for b in GeographyBasis]
    codes, withheld = unengaged_states(cubes, None)
    assert not withheld
    assert {"KEN", "UGA", "FRA", "JOR"}.isdisjoint(codes)  # UGA: targeted and hosts a1
    assert "PER" in codes and len(codes) == 193 - 4
