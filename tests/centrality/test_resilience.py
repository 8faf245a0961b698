"""analytics/resilience.py against brute force on random graphs, and its cells against the
coverage tables on the seed data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import coverage, projection, resilience, structure
from analytics.coverage import GEO, THEME, UNSPECIFIED, GeographyBasis, Window
from tests.centrality import reference
from tests.centrality.conftest import SeedGraphs

FAST = settings(max_examples=80, deadline=None)
KINDS = ("CivilSocietyOrganization", "Programme", "MemberState", "ThematicArea")
ACTORS = frozenset({"CivilSocietyOrganization", "MemberState"})


@st.composite
def kinded_graphs(draw: st.DrawFn, max_nodes: int = 12) -> nx.Graph:
    """A small graph, directed or not, with loops and isolates, nodes of random kinds."""
    n = draw(st.integers(0, max_nodes))
    graph: nx.Graph = nx.DiGraph() if draw(st.booleans()) else nx.Graph()
    for i in draw(st.permutations(range(n))):
        graph.add_node(f"n{i}", kind=draw(st.sampled_from(KINDS)))
    if n:
        pairs = draw(
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n)
        )
        graph.add_edges_from((f"n{u}", f"n{v}") for u, v in pairs)
    return graph


def _plain(g: nx.Graph) -> nx.Graph:
    plain = nx.Graph(g.to_undirected()) if g.is_directed() else nx.Graph(g)
    plain.remove_edges_from(list(nx.selfloop_edges(plain)))
    return plain


def _is_actor(g: nx.Graph, v: Hashable) -> bool:
    return g.nodes[v].get("kind") in ACTORS


def _pieces(g: nx.Graph, component: set[Hashable], gone: set[Hashable]) -> list[tuple[int, int]]:
    rest = g.subgraph(component - gone)
    return [(len(c), sum(_is_actor(g, v) for v in c)) for c in nx.connected_components(rest)]


@FAST
@given(g=kinded_graphs(max_nodes=30))
def test_cut_vertices_are_networkx_articulation_points_with_true_impact(g: nx.Graph) -> None:
    plain = _plain(g)
    found = resilience.cut_vertices(g, actor_kinds=ACTORS)
    assert set(found) == set(nx.articulation_points(plain))
    for v, impact in found.items():
        pieces = _pieces(plain, nx.node_connected_component(plain, v), {v})
        biggest = max(pieces)
        assert impact.pieces == len(pieces)
        assert impact.cut_off_nodes == sum(p[0] for p in pieces) - biggest[0]
        assert impact.cut_off_actors == sum(p[1] for p in pieces) - biggest[1]


@FAST
@given(g=kinded_graphs())
def test_structural_spof_are_the_actors_whose_removal_adds_components(g: nx.Graph) -> None:
    plain = _plain(g)
    before = nx.number_connected_components(plain)
    expected = set()
    for v in plain:
        without = plain.copy()
        without.remove_node(v)
        if _is_actor(g, v) and nx.number_connected_components(without) > before:
            expected.add(v)
    found = resilience.single_points_of_failure(g, actor_kinds=ACTORS)
    assert {s.node for s in found} == expected
    assert all(s.cut is not None and not s.sole_cells for s in found)


@FAST
@given(g=kinded_graphs(max_nodes=30))
def test_bridges_are_networkx_bridges_with_the_smaller_side(g: nx.Graph) -> None:
    plain = _plain(g)
    found = resilience.bridge_impacts(g, actor_kinds=ACTORS)
    assert {frozenset(b.ends) for b in found} == {frozenset(e) for e in nx.bridges(plain)}
    for b in found:
        u, v = b.ends
        cut = plain.copy()
        cut.remove_edge(u, v)
        sides = [
            (len(c), sum(_is_actor(g, x) for x in c))
            for c in (nx.node_connected_component(cut, u), nx.node_connected_component(cut, v))
        ]
        assert (b.cut_off_nodes, b.cut_off_actors) == min(sides)
    assert [b.cut_off_nodes for b in found] == sorted(
        (b.cut_off_nodes for b in found), reverse=True
    )


@FAST
@given(g=kinded_graphs(max_nodes=30))
def test_one_decomposition_serves_structure_and_resilience(g: nx.Graph) -> None:
    """The articulation points and bridges the structure queries list are exactly those whose
    impact resilience weighs (both read the blocks of analytics/blocks.py)."""
    cut = resilience.ranked_cut_vertices(g, actor_kinds=ACTORS)
    assert sorted((c.node for c in cut), key=str) == structure.articulation_points(g)
    ends = sorted((b.ends for b in resilience.bridge_impacts(g, actor_kinds=ACTORS)), key=str)
    assert ends == sorted(structure.bridges(g), key=str)
    keys = [(-c.cut_off_actors, -c.cut_off_nodes, str(c.node)) for c in cut]
    assert keys == sorted(keys)


def _largest(g: nx.Graph, comps: list[set[Hashable]]) -> set[Hashable]:
    return min(comps, key=lambda c: (-len(c), -sum(_is_actor(g, v) for v in c), min(map(str, c))))


@FAST
@given(data=st.data())
def test_what_if_equals_removing_the_nodes(data: st.DataObject) -> None:
    g = data.draw(kinded_graphs())
    nodes = sorted(g, key=str)
    remove = set(data.draw(st.lists(st.sampled_from(nodes), max_size=3))) if nodes else set()
    remove.add("not-in-graph")
    remove |= set(data.draw(st.lists(st.sampled_from(["p1", "p2"]), max_size=1)))
    actors = [v for v in nodes if _is_actor(g, v)] + ["not-in-graph", "elsewhere"]
    engagements = {
        ("Asia", f"t{i}"): set(
            data.draw(
                st.lists(
                    st.tuples(st.sampled_from(actors), st.sampled_from(["p1", "p2", "p3"])),
                    min_size=1,
                    max_size=3,
                )
            )
        )
        for i in range(4)
    }
    cells = resilience.CellEngagements.of(
        (cell, actor, item) for cell, rows in engagements.items() for actor, item in rows
    )
    result = resilience.what_if(g, remove, cells, actor_kinds=ACTORS)

    plain = _plain(g)
    after = plain.copy()
    after.remove_nodes_from(remove)
    comps = [set(c) for c in nx.connected_components(after)]
    assert result.after.components == len(comps)
    assert result.before.components == nx.number_connected_components(plain)
    assert result.after.connected_actor_pairs == sum(
        (a := sum(_is_actor(g, v) for v in c)) * (a - 1) // 2 for c in comps
    )
    assert result.removed == tuple(sorted((v for v in remove if v in g), key=str))
    assert result.removed_activities == ()
    # a cell is lost when every engagement in it is by a removed actor or through a removed item
    assert set(result.lost_cells) == {
        c for c, rows in engagements.items() if all(a in remove or i in remove for a, i in rows)
    }
    assert result.covered_before == len(engagements)
    assert result.covered_after == len(engagements) - len(result.lost_cells)
    assert cells.partners() == {c: {a for a, _ in rows} for c, rows in engagements.items()}
    before_comps = [set(c) for c in nx.connected_components(plain)]
    big_before = _largest(g, before_comps) if before_comps else set()
    big_after = _largest(g, comps) if comps else set()
    assert set(result.stranded) == (big_before - remove) - big_after


@FAST
@given(data=st.data())
def test_what_if_on_the_co_partnership_removes_what_runs_through_the_removed(
    data: st.DataObject,
) -> None:
    """Ending programmes cuts the ties that ran only through them and their activities, and
    loses the cells only they served; checked against the projection and the cells rebuilt
    from the snapshot without them."""
    actors = [f"a{i}" for i in range(6)]
    programmes = ["p0", "p1", "p2"]
    activities = [f"act{i}" for i in range(4)]
    snapshot = nx.MultiDiGraph()
    snapshot.add_nodes_from(actors, kind="CivilSocietyOrganization")
    snapshot.add_nodes_from(programmes, kind="Programme")
    snapshot.add_nodes_from(activities, kind="Activity")
    parent = {a: data.draw(st.sampled_from([*programmes, None])) for a in activities}
    for activity, programme in parent.items():
        if programme is not None:
            snapshot.add_edge(activity, programme, type="PART_OF")
    links = data.draw(
        st.lists(st.tuples(st.sampled_from(actors), st.sampled_from(programmes + activities)))
    )
    for actor, item in links:
        kind = "PARTNERS_IN" if item in programmes else "PARTICIPATED_IN"
        snapshot.add_edge(actor, item, type=kind, role="IMPLEMENTING")
    cell_of = {link: ("Africa", f"t{data.draw(st.integers(0, 2))}") for link in set(links)}
    remove = set(data.draw(st.lists(st.sampled_from(actors + programmes + activities))))

    gone = remove | {a for a, p in parent.items() if p in remove}
    graph = projection.co_partnership(snapshot)
    result = resilience.what_if(
        graph,
        remove,
        resilience.CellEngagements.of((c, a, i) for (a, i), c in cell_of.items()),
        actor_kinds=None,
        activities=resilience.programme_activities(snapshot),
    )

    kept = nx.MultiDiGraph(snapshot)
    kept.remove_nodes_from(gone)
    after = projection.co_partnership(kept)
    assert result.after.components == nx.number_connected_components(after)
    assert result.after.nodes == after.number_of_nodes() == len(set(actors) - remove)
    assert result.after.connected_actor_pairs == sum(
        len(c) * (len(c) - 1) // 2 for c in nx.connected_components(after)
    )
    covered = {c for c in cell_of.values()}
    still = {c for (a, i), c in cell_of.items() if a not in gone and i not in gone}
    assert set(result.lost_cells) == covered - still
    engaged: dict[str, set[str]] = {}
    for actor, item in links:
        engaged.setdefault(item, set()).add(actor)
    tying = {i for i, members in engaged.items() if len(members) > 1}  # some tie runs through
    held = set(graph) | tying
    assert set(result.removed) == {
        v for v in remove if v in held or any(parent[a] == v and a in held for a in activities)
    }
    assert set(result.removed_activities) == (gone - remove) & held


def test_ending_a_programme_loses_the_cells_only_it_served() -> None:
    """A programme with many partners is the only engagement of a theme in Asia: ending it
    loses the cell although every partner stays, and its activity goes with it."""
    g = nx.MultiDiGraph()
    for state in ("JPN", "IND", "FRA"):
        g.add_node(state, kind="MemberState", country=state)
    g.add_node("t-new", kind="ThematicArea", name="New")
    g.add_node("t-old", kind="ThematicArea", name="Old")
    g.add_node("prog", kind="Programme")
    g.add_node("other", kind="Programme")
    g.add_node("event", kind="Activity", since="2024-05-01", until="2024-05-01")
    g.add_edge("prog", "t-new", type="ADDRESSES")
    g.add_edge("other", "t-old", type="ADDRESSES")
    g.add_edge("event", "prog", type="PART_OF")
    for state in ("JPN", "IND"):
        g.add_edge(state, "prog", type="PARTNERS_IN", role="FUNDING")
        g.add_edge(state, "other", type="PARTNERS_IN", role="FUNDING")
    g.add_edge("FRA", "event", type="PARTICIPATED_IN", role="SPEAKER")
    index = coverage.build_index(g)
    cells = resilience.cell_engagements(index, Window.period(dt.date.min, dt.date.max))
    assert cells.partners() == {
        ("Asia", "t-new"): {"IND", "JPN"},
        ("Asia", "t-old"): {"IND", "JPN"},
        ("Europe", "t-new"): {"FRA"},
    }
    activities = resilience.programme_activities(g)
    graph = nx.Graph(g.to_undirected())
    ended = resilience.what_if(graph, ["prog"], cells, actor_kinds=ACTORS, activities=activities)
    assert ended.lost_cells == (("Asia", "t-new"), ("Europe", "t-new"))
    assert (ended.covered_before, ended.covered_after) == (3, 1)
    assert (ended.removed, ended.removed_activities) == (("prog",), ("event",))
    assert ended.after.nodes == ended.before.nodes - 2
    # the actors all stay: no cell loses all its partners, which is what used to be asked
    assert resilience.what_if(graph, ["JPN"], cells, actor_kinds=ACTORS).lost_cells == ()
    assert resilience.what_if(graph, ["JPN", "IND"], cells, actor_kinds=ACTORS).lost_cells == (
        ("Asia", "t-new"),
        ("Asia", "t-old"),
    )
    assert resilience.what_if(graph, ["event"], cells, actor_kinds=ACTORS).lost_cells == (
        ("Europe", "t-new"),
    )


@pytest.mark.parametrize("kind", [None, "CivilSocietyOrganization", "Company"])
def test_what_if_loses_the_cells_the_snapshot_says_a_programme_alone_served(
    seed_graphs: SeedGraphs, kind: str | None
) -> None:
    """Every programme of the seed, against cells rebuilt from the snapshot by hand."""
    history = seed_graphs.snapshot()
    kinds = reference.ACTORS if kind is None else {kind}
    expected = reference.cell_engagements(history, kinds=kinds)
    scoped = history
    if kind is not None:  # the engagements of other actors do not count
        scoped = nx.MultiDiGraph(history)
        scoped.remove_edges_from(
            [
                (u, v, k)
                for u, v, k, d in history.edges(keys=True, data=True)
                if d["type"] in reference.ENGAGEMENTS and history.nodes[u]["kind"] != kind
            ]
        )
    index = coverage.build_index(scoped, 1)
    cells = resilience.cell_engagements(index, Window.period(dt.date.min, dt.date.max))
    assert cells.covered() == len(expected)
    activities = resilience.programme_activities(history)
    graph = nx.Graph()
    programmes = sorted(v for v, k in history.nodes(data="kind") if k == "Programme")
    losing = 0
    for programme in programmes:
        lost = reference.lost_cells(expected, history, [programme])
        result = resilience.what_if(graph, [programme], cells, activities=activities)
        assert set(result.lost_cells) == lost, programme
        assert result.covered_after == len(expected) - len(lost)
        losing += bool(lost)
    if kind is not None:
        assert losing, "no programme is the only engagement of a cell: the check is vacuous"


def test_reach_counts_pairs_of_actors_joined_by_a_path() -> None:
    g = nx.Graph()
    g.add_nodes_from(["a", "b", "c"], kind="MemberState")
    g.add_node("p", kind="Programme")
    g.add_edges_from([("a", "p"), ("p", "b")])
    r = resilience.reach(g, actor_kinds=ACTORS)
    assert (r.nodes, r.actors, r.components, r.connected_actor_pairs) == (4, 3, 2, 1)
    assert (r.largest_component, r.actors_in_largest) == (3, 2)
    assert resilience.reach(g, removed={"p"}, actor_kinds=ACTORS).connected_actor_pairs == 0


def test_sole_partners_of_cells_are_single_points_even_outside_the_graph() -> None:
    g = nx.Graph([("a", "b")])
    cells = {("Africa", "t1"): {"x"}, ("Africa", "t2"): {"a", "b"}, ("Asia", "t1"): {"x"}}
    found = resilience.single_points_of_failure(g, cells, actor_kinds=None)
    assert [(s.node, s.sole_cells, s.cut) for s in found] == [
        ("x", (("Africa", "t1"), ("Asia", "t1")), None)
    ]


# --------------------------------------------------------------------------- cells = coverage


@pytest.mark.parametrize("basis", list(GeographyBasis))
@pytest.mark.parametrize(
    "window",
    [
        Window.as_of(dt.date(2024, 6, 30)),
        Window.as_of(dt.date(2021, 1, 1)),
        Window.period(dt.date.min, dt.date.max),
    ],
    ids=["2024", "2021", "all-time"],
)
def test_cell_partners_are_the_coverage_matrix_partners(
    seed_graphs: SeedGraphs, basis: GeographyBasis, window: Window
) -> None:
    index = coverage.build_index(seed_graphs.snapshot(), 1)
    cells = resilience.cell_partners(index, window, basis)
    table = coverage.compute_tables(index, window, basis, [(1, 1, 0)])[(1, 1, 0)]
    regions = index.trees[GEO].keys[1]
    themes = index.trees[THEME].keys[1]
    expected = {
        (regions[g], themes[t]): int(table.partners[table.flat((g, t, 0))])
        for g in range(len(regions))
        for t in range(len(themes))
        if regions[g] != UNSPECIFIED and themes[t] != UNSPECIFIED
    }
    assert {c: len(p) for c, p in cells.items()} == {c: n for c, n in expected.items() if n}
    assert cells  # the comparison is not vacuous
