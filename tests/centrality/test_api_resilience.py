"""Single points of failure and what-if removals over GraphQL, on both stores, against the
analytics on the same seed snapshot and against the coverage matrix's own partner counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from analytics import coverage, resilience
from analytics.coverage import GeographyBasis
from analytics.projection import collapse, filter_snapshot
from api.centrality.graphs import coverage_window
from tests.centrality.conftest import STAFF, Gql, SeedGraphs, data, error_code

SPOF = """query($f: NetworkFilter, $g: CoverageGeography) {
  singlePointsOfFailure(filter: $f, geography: $g, top: 100) {
    total disconnecting solePartners cellsWithOnePartner
    entries { rank disconnects cutOffNodes cutOffActors node { key kind }
      solePartnerIn { region theme { key } } } } }"""

WHAT_IF = """query($remove: [ID!]!, $p: NetworkProjection, $f: NetworkFilter) {
  whatIf(remove: $remove, projection: $p, filter: $f, top: 100) {
    removed { key } notInNetwork { key } componentsChange connectedActorPairsChange
    strandedCount stranded { key } lostCells { region theme { key } }
    before { nodes actors components largestComponent actorsInLargestComponent
      connectedActorPairs coveredCells }
    after { nodes actors components largestComponent actorsInLargestComponent
      connectedActorPairs coveredCells } } }"""

REGION = {"Africa": "AFRICA", "Americas": "AMERICAS", "Asia": "ASIA", "Europe": "EUROPE"}
REGION |= {"Oceania": "OCEANIA"}


def _cells(seed_graphs: SeedGraphs, as_of: str | None, basis: GeographyBasis) -> dict:
    index = coverage.build_index(seed_graphs.snapshot(), 1)
    day = None if as_of is None else dt.date.fromisoformat(as_of)
    return resilience.cell_partners(index, coverage_window(day), basis)


def _reach(r: resilience.Reach, covered: int) -> dict[str, int]:
    return {
        "nodes": r.nodes,
        "actors": r.actors,
        "components": r.components,
        "largestComponent": r.largest_component,
        "actorsInLargestComponent": r.actors_in_largest,
        "connectedActorPairs": r.connected_actor_pairs,
        "coveredCells": covered,
    }


@pytest.mark.parametrize("as_of", [None, "2024-06-30"])
def test_single_points_of_failure_equal_the_analytics(
    gql: Gql, seed_graphs: SeedGraphs, as_of: str | None
) -> None:
    got = data(gql(SPOF, {"f": {"asOf": as_of}}, key=STAFF))["singlePointsOfFailure"]
    graph = collapse(filter_snapshot(seed_graphs.snapshot(as_of)), directed=False)
    cells = _cells(seed_graphs, as_of, GeographyBasis.PARTNER)
    expected = resilience.single_points_of_failure(graph, cells)
    assert got["total"] == len(expected)
    assert got["disconnecting"] == sum(1 for s in expected if s.cut)
    assert got["cellsWithOnePartner"] == sum(1 for p in cells.values() if len(p) == 1)
    assert [e["node"]["key"] for e in got["entries"]] == [str(s.node) for s in expected]
    for e, s in zip(got["entries"], expected, strict=True):
        assert e["disconnects"] is (s.cut is not None)
        assert (e["cutOffNodes"], e["cutOffActors"]) == (s.cut_off_nodes, s.cut_off_actors)
        assert [(c["region"], c["theme"]["key"]) for c in e["solePartnerIn"]] == [
            (REGION[r], t) for r, t in s.sole_cells
        ]
        assert e["node"]["kind"] != "PROGRAMME"


def test_the_organization_of_american_states_holds_its_members_in(gql: Gql) -> None:
    got = data(gql(SPOF))["singlePointsOfFailure"]
    first = got["entries"][0]
    assert first["node"]["key"] == "ro-oas"
    assert first["disconnects"] is True
    assert first["cutOffActors"] == 8


@pytest.mark.parametrize("geography", ["PARTNER", "TARGET"])
def test_sole_partners_are_the_coverage_cells_with_one_partner(
    gql: Gql, seed_graphs: SeedGraphs, geography: str
) -> None:
    """A cell with one partner here is a cell whose coverage matrix shows partners == 1."""
    day = "2024-06-30"
    matrix = data(
        gql(
            """query($day: Date, $g: CoverageGeography) {
              coverageMatrix(groupBy: [REGION, THEME], asOf: $day, geography: $g) {
                rows { key } columns { key } cells { partners } } }""",
            {"day": day, "g": geography},
            key=STAFF,
        )
    )["coverageMatrix"]
    single = {
        (row["key"], col["key"])
        for row, cells in zip(matrix["rows"], matrix["cells"], strict=True)
        for col, cell in zip(matrix["columns"], cells, strict=True)
        if cell["partners"] == 1
    }
    got = data(gql(SPOF, {"f": {"asOf": day}, "g": geography}, key=STAFF))["singlePointsOfFailure"]
    sole = {
        (region.capitalize(), c["theme"]["key"]): e["node"]["key"]
        for e in got["entries"]
        for c in e["solePartnerIn"]
        for region in [c["region"]]
    }
    assert set(sole) == {c for c in single if "(none)" not in c}
    assert got["cellsWithOnePartner"] == len(sole)
    cells = _cells(seed_graphs, day, GeographyBasis(geography))
    assert sole == {c: next(iter(p)) for c, p in cells.items() if len(p) == 1}


def test_removing_a_cut_vertex_splits_the_network(gql: Gql, seed_graphs: SeedGraphs) -> None:
    got = data(gql(WHAT_IF, {"remove": ["ro-oas"]}, key=STAFF))["whatIf"]
    graph = collapse(filter_snapshot(seed_graphs.snapshot()), directed=False)
    cells = _cells(seed_graphs, None, GeographyBasis.PARTNER)
    expected = resilience.what_if(graph, {"ro-oas"}, cells)
    assert got["removed"] == [{"key": "ro-oas"}] and got["notInNetwork"] == []
    assert got["componentsChange"] == 8 == expected.after.components - expected.before.components
    assert got["before"] == _reach(expected.before, expected.covered_before)
    assert got["after"] == _reach(expected.after, expected.covered_after)
    assert got["connectedActorPairsChange"] < 0
    assert got["strandedCount"] == 8
    assert [s["key"] for s in got["stranded"]] == [str(v) for v in expected.stranded]
    assert got["lostCells"] == []


def test_removing_a_sole_partner_loses_its_cell(gql: Gql) -> None:
    spof = data(gql(SPOF, key=STAFF))["singlePointsOfFailure"]
    sole = next(e for e in spof["entries"] if e["solePartnerIn"])
    got = data(gql(WHAT_IF, {"remove": [sole["node"]["key"]]}, key=STAFF))["whatIf"]
    assert got["lostCells"] == sole["solePartnerIn"]
    lost = len(sole["solePartnerIn"])
    assert got["after"]["coveredCells"] == got["before"]["coveredCells"] - lost


def test_what_if_takes_global_ids_and_reports_nodes_outside_the_network(gql: Gql) -> None:
    ids = data(gql('{ nodes(ids: ["cso-0004", "prog-cso"]) { id } }'))["nodes"]
    got = data(gql(WHAT_IF, {"remove": [n["id"] for n in ids], "p": "CO_PARTNERSHIP"}))["whatIf"]
    assert got["removed"] == [{"key": "cso-0004"}]
    assert got["notInNetwork"] == [{"key": "prog-cso"}]
    assert got["before"]["actors"] == got["before"]["nodes"]  # actors only


def test_what_if_filters_and_dates_change_the_network(gql: Gql) -> None:
    everything = data(gql(WHAT_IF, {"remove": ["ro-au"]}))["whatIf"]
    africa = data(gql(WHAT_IF, {"remove": ["ro-au"], "f": {"regions": ["AFRICA"]}}))["whatIf"]
    old = data(gql(WHAT_IF, {"remove": ["ro-au"], "f": {"asOf": "2019-01-01"}}))["whatIf"]
    assert africa["before"]["nodes"] < everything["before"]["nodes"]
    assert old["before"]["nodes"] < everything["before"]["nodes"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"remove": ["no-such-node"]}, "NOT_FOUND"),
        ({"remove": [f"x{i}" for i in range(101)]}, "BAD_USER_INPUT"),
    ],
)
def test_what_if_refuses_what_it_cannot_remove(
    gql: Gql, variables: dict[str, Any], code: str
) -> None:
    body = gql(WHAT_IF, variables)
    assert error_code(body) == code
    assert body["data"] is None


def test_coverage_answers_are_withheld_from_unprivileged_callers(gql: Gql) -> None:
    """A sole partner is a count of 1 and lost cells are an oracle on hidden counts
    (docs/METRICS.md): callers without the privileged role get structure only."""
    spof = data(gql(SPOF))["singlePointsOfFailure"]
    assert spof["cellsWithOnePartner"] is None and spof["solePartners"] is None
    assert all(e["solePartnerIn"] == [] and e["disconnects"] for e in spof["entries"])
    staff = data(gql(SPOF, key=STAFF))["singlePointsOfFailure"]
    sole = next(e for e in staff["entries"] if e["solePartnerIn"])
    got = data(gql(WHAT_IF, {"remove": [sole["node"]["key"]]}))["whatIf"]
    assert got["lostCells"] == []
    assert got["before"]["coveredCells"] is None and got["after"]["coveredCells"] is None
    # the rest of the answer is the staff answer
    full = data(gql(WHAT_IF, {"remove": [sole["node"]["key"]]}, key=STAFF))["whatIf"]
    assert got["componentsChange"] == full["componentsChange"]
    assert got["connectedActorPairsChange"] == full["connectedActorPairsChange"]
