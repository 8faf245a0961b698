"""Single points of failure and what-if removals over GraphQL, on both stores, against the
analytics on the same seed snapshot and against the coverage matrix's own partner counts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable
from typing import Any

import networkx as nx
import pytest

from analytics import coverage, resilience
from analytics.coverage import GeographyBasis
from analytics.projection import collapse, filter_snapshot
from api.centrality.graphs import coverage_window
from tests.centrality import reference
from tests.centrality.conftest import STAFF, Gql, SeedGraphs, data, error_code

SPOF = """query($f: NetworkFilter, $g: CoverageGeography) {
  singlePointsOfFailure(filter: $f, geography: $g, top: 100) {
    total disconnecting solePartners cellsWithOnePartner
    entries { rank disconnects cutOffNodes cutOffActors node { key kind }
      solePartnerIn { region theme { key } } } } }"""

WHAT_IF = """query($remove: [ID!]!, $p: NetworkProjection, $f: NetworkFilter) {
  whatIf(remove: $remove, projection: $p, filter: $f, top: 100) {
    removed { key } notInNetwork { key } activitiesRemoved componentsChange
    connectedActorPairsChange
    strandedCount stranded { key } lostCells { region theme { key } }
    before { nodes actors components largestComponent actorsInLargestComponent
      connectedActorPairs coveredCells }
    after { nodes actors components largestComponent actorsInLargestComponent
      connectedActorPairs coveredCells } } }"""

REGION = {"Africa": "AFRICA", "Americas": "AMERICAS", "Asia": "ASIA", "Europe": "EUROPE"}
REGION |= {"Oceania": "OCEANIA"}


def _engagements(
    seed_graphs: SeedGraphs, as_of: str | None, basis: GeographyBasis
) -> resilience.CellEngagements:
    index = coverage.build_index(seed_graphs.snapshot(), 1)
    day = None if as_of is None else dt.date.fromisoformat(as_of)
    return resilience.cell_engagements(index, coverage_window(day), basis)


def _cells(seed_graphs: SeedGraphs, as_of: str | None, basis: GeographyBasis) -> dict:
    return _engagements(seed_graphs, as_of, basis).partners()


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


def _brute_force_cuts(seed_graphs: SeedGraphs) -> list[tuple[int, int, str]]:
    """(actors cut off, nodes cut off, key) of every actor whose removal splits its component
    of the FULL graph, by removing each in turn (networkx only), most consequential first."""
    history = seed_graphs.snapshot()
    plain = nx.Graph(history.to_undirected())
    plain.remove_edges_from(list(nx.selfloop_edges(plain)))

    def actors(nodes: set[str]) -> int:
        return sum(1 for v in nodes if history.nodes[v]["kind"] in reference.ACTORS)

    found = []
    for v in sorted(plain):
        if history.nodes[v]["kind"] not in reference.ACTORS:
            continue
        rest = plain.subgraph(nx.node_connected_component(plain, v) - {v})
        pieces = [(len(c), actors(c)) for c in nx.connected_components(rest)]
        if len(pieces) > 1:
            biggest = max(pieces)
            out = (sum(p[1] for p in pieces) - biggest[1], sum(p[0] for p in pieces) - biggest[0])
            found.append((*out, v))
    return sorted(found, key=lambda c: (-c[0], -c[1], c[2]))


def test_the_first_single_point_of_failure_cuts_off_most_actors(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    """docs/METRICS.md: on the seed data a regional organisation holds in those of its
    members that have no other tie; whichever actor that is, it comes first."""
    got = data(gql(SPOF))["singlePointsOfFailure"]
    first = got["entries"][0]
    actors_out, nodes_out, key = _brute_force_cuts(seed_graphs)[0]
    assert first["node"]["key"] == key
    assert first["disconnects"] is True
    assert (first["cutOffActors"], first["cutOffNodes"]) == (actors_out, nodes_out)


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
    cut = _brute_force_cuts(seed_graphs)[0][2]
    got = data(gql(WHAT_IF, {"remove": [cut]}, key=STAFF))["whatIf"]
    graph = collapse(filter_snapshot(seed_graphs.snapshot()), directed=False)
    cells = _engagements(seed_graphs, None, GeographyBasis.PARTNER)
    expected = resilience.what_if(graph, {cut}, cells)
    assert got["removed"] == [{"key": cut}] and got["notInNetwork"] == []
    assert got["activitiesRemoved"] == 0
    assert got["componentsChange"] == expected.after.components - expected.before.components > 0
    assert got["before"] == _reach(expected.before, expected.covered_before)
    assert got["after"] == _reach(expected.after, expected.covered_after)
    assert got["connectedActorPairsChange"] < 0
    assert got["strandedCount"] == len(expected.stranded)
    assert [s["key"] for s in got["stranded"]] == [str(v) for v in expected.stranded]
    assert {(c["region"], c["theme"]["key"]) for c in got["lostCells"]} == {
        (REGION[r], t) for r, t in expected.lost_cells
    }


def test_removing_a_sole_partner_loses_its_cell(gql: Gql) -> None:
    spof = data(gql(SPOF, key=STAFF))["singlePointsOfFailure"]
    sole = next(e for e in spof["entries"] if e["solePartnerIn"])
    got = data(gql(WHAT_IF, {"remove": [sole["node"]["key"]]}, key=STAFF))["whatIf"]
    assert got["lostCells"] == sole["solePartnerIn"]
    lost = len(sole["solePartnerIn"])
    assert got["after"]["coveredCells"] == got["before"]["coveredCells"] - lost


def test_what_if_takes_global_ids_and_reports_nodes_outside_the_network(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    history = seed_graphs.snapshot()
    actor = min(
        (v for v, k in history.nodes(data="kind") if k == "CivilSocietyOrganization"),
        key=lambda v: (v in seed_graphs.restricted_keys(), v),
    )
    theme = min(v for v, k in history.nodes(data="kind") if k == "ThematicArea")
    ids = data(gql("query($k: [ID!]!) { nodes(ids: $k) { id } }", {"k": [actor, theme]}))
    remove = [n["id"] for n in ids["nodes"]]
    got = data(gql(WHAT_IF, {"remove": remove, "p": "CO_PARTNERSHIP"}))["whatIf"]
    assert got["removed"] == [{"key": actor}]
    assert got["notInNetwork"] == [{"key": theme}]  # no tie runs through a thematic area
    assert got["before"]["actors"] == got["before"]["nodes"]  # actors only


def _kind_enum(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper()


def test_ending_a_programme_loses_the_cells_only_it_served(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    """The cells and the programme are found in whatever seed is loaded, from the snapshot by
    hand (tests/centrality/reference.py): a kind of actor for which some programme is the
    only engagement of a (region, theme) cell."""
    history = seed_graphs.snapshot()
    programmes = sorted(v for v, k in history.nodes(data="kind") if k == "Programme")
    cases = []
    for kind in sorted(reference.ACTORS):
        cells = reference.cell_engagements(history, kinds={kind})
        losing = [(p, reference.lost_cells(cells, history, [p])) for p in programmes]
        cases = [(kind, cells, p, lost) for p, lost in losing if lost]
        if cases:
            break
    assert cases, "no programme is the only engagement of a cell for any kind of actor"
    kind, cells, _, _ = cases[0]
    keeping = [p for p in programmes if not reference.lost_cells(cells, history, [p])][:1]
    activities = reference.activities_of(history)
    flt = {"kinds": [_kind_enum(kind), "PROGRAMME", "ACTIVITY"]}
    for programme in [c[2] for c in cases[:3]] + keeping:
        lost = reference.lost_cells(cells, history, [programme])
        got = data(gql(WHAT_IF, {"remove": [programme], "f": flt}, key=STAFF))["whatIf"]
        assert {(c["region"], c["theme"]["key"]) for c in got["lostCells"]} == {
            (REGION[r], t) for r, t in lost
        }, programme
        assert got["before"]["coveredCells"] == len(cells)
        assert got["after"]["coveredCells"] == len(cells) - len(lost)
        assert got["removed"] == [{"key": programme}]
        own = activities.get(programme, set())
        assert got["activitiesRemoved"] == len(own)
        assert got["after"]["nodes"] == got["before"]["nodes"] - 1 - len(own)
        # every lost cell keeps its partners: the old rule (all partners removed) lost none
        assert all({a for a, _ in cells[c]} for c in lost)


def test_ending_a_programme_cuts_the_co_partnership_ties_through_it(
    gql: Gql, seed_graphs: SeedGraphs
) -> None:
    history = seed_graphs.snapshot()
    activities = reference.activities_of(history)
    before = reference.co_partnership(history)
    programme = max(
        sorted(v for v, k in history.nodes(data="kind") if k == "Programme"),
        key=lambda p: len(activities.get(p, ())),
    )
    after = reference.co_partnership(
        history, without={programme} | activities.get(programme, set())
    )
    got = data(gql(WHAT_IF, {"remove": [programme], "p": "CO_PARTNERSHIP"}, key=STAFF))["whatIf"]

    def pairs(g: nx.Graph) -> int:
        return sum(len(c) * (len(c) - 1) // 2 for c in nx.connected_components(g))

    assert got["before"]["nodes"] == got["after"]["nodes"] == before.number_of_nodes()
    assert got["before"]["components"] == nx.number_connected_components(before)
    assert got["after"]["components"] == nx.number_connected_components(after)
    assert got["connectedActorPairsChange"] == pairs(after) - pairs(before)
    assert got["removed"] == [{"key": programme}]
    engaged: dict[Hashable, set[Hashable]] = {}
    for u, v, kind in history.edges(data="type"):
        if kind in reference.ENGAGEMENTS:
            engaged.setdefault(v, set()).add(u)
    tying = {a for a in activities.get(programme, ()) if len(engaged.get(a, ())) > 1}
    assert got["activitiesRemoved"] == len(tying)


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
