"""Structure measures equal networkx on random graphs; communities match its quality."""

from __future__ import annotations

import math

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import structure
from tests.analytics.analytics_strategies import TOL, graphs, planted

FAST = settings(max_examples=60, deadline=None)


def _plain(g: nx.Graph) -> nx.Graph:
    """Undirected, loop-free copy: what the undirected-only measures are defined on."""
    plain = nx.Graph(g.to_undirected(as_view=False)) if g.is_directed() else nx.Graph(g)
    plain.remove_edges_from(list(nx.selfloop_edges(plain)))
    return plain


@FAST
@given(data=st.data(), strong=st.booleans())
def test_components_equal_networkx(data: st.DataObject, strong: bool) -> None:
    g = data.draw(graphs())
    ours = structure.connected_components(g, strong=strong)
    if g.is_directed():
        finder = nx.strongly_connected_components if strong else nx.weakly_connected_components
        ref = finder(g)
    else:
        ref = nx.connected_components(g)
    assert {frozenset(c) for c in ours} == {frozenset(c) for c in ref}
    assert [len(c) for c in ours] == sorted((len(c) for c in ours), reverse=True)


@FAST
@given(data=st.data(), weighted=st.booleans(), resolution=st.sampled_from([0.5, 1.0, 2.0]))
def test_modularity_equals_networkx(data: st.DataObject, weighted: bool, resolution: float) -> None:
    g = data.draw(graphs(weighted=weighted, min_nodes=1))
    nodes = list(g)
    labels = data.draw(st.lists(st.integers(0, 3), min_size=len(nodes), max_size=len(nodes)))
    groups = [{v for v, c in zip(nodes, labels, strict=True) if c == k} for k in set(labels)]
    weight = "weight" if weighted else None
    ours = structure.modularity(g, groups, weight=weight, resolution=resolution)
    if g.number_of_edges() == 0:
        assert ours == 0.0
        return
    ref = nx.community.modularity(g, groups, weight=weight, resolution=resolution)
    assert math.isclose(ours, ref, rel_tol=TOL, abs_tol=TOL)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), weighted=st.booleans())
def test_communities_match_networkx_louvain(seed: int, weighted: bool) -> None:
    g = planted(seed)
    if weighted:
        for u, v, data in g.edges(data=True):
            data["weight"] = 1.0 + (int(u[1:]) * 7 + int(v[1:])) % 3
    weight = "weight" if weighted else None
    ours = structure.communities(g, weight=weight, seed=seed)
    members = [v for group in ours.communities for v in group]
    assert sorted(members, key=str) == sorted(g, key=str)
    assert len(members) == len(set(members))
    assert math.isclose(
        ours.modularity,
        nx.community.modularity(g, ours.communities, weight=weight),
        rel_tol=TOL,
        abs_tol=TOL,
    )
    ref = nx.community.louvain_communities(g, weight=weight, seed=seed)
    ref_q = nx.community.modularity(g, ref, weight=weight)
    assert ours.modularity >= 0.99 * ref_q
    again = structure.communities(g, weight=weight, seed=seed)
    assert again.communities == ours.communities


@FAST
@given(data=st.data())
def test_communities_partition_any_graph(data: st.DataObject) -> None:
    g = data.draw(graphs())
    result = structure.communities(g, seed=data.draw(st.integers(0, 100)))
    members = [v for group in result.communities for v in group]
    assert sorted(members, key=str) == sorted(g, key=str)
    assert set(result.membership()) == set(g)
    plain = nx.Graph()
    plain.add_nodes_from(g)
    for u, v, w in g.edges(data="weight", default=1.0):
        previous = plain[u][v]["weight"] if plain.has_edge(u, v) else 0.0
        plain.add_edge(u, v, weight=previous + w)
    if plain.number_of_edges():
        ref = nx.community.modularity(plain, result.communities, weight="weight")
        assert math.isclose(result.modularity, ref, rel_tol=TOL, abs_tol=TOL)


@FAST
@given(data=st.data())
def test_cut_points_and_bridges_equal_networkx(data: st.DataObject) -> None:
    g = data.draw(graphs())
    plain = _plain(g)
    assert set(structure.articulation_points(g)) == set(nx.articulation_points(plain))
    ours = {frozenset(pair) for pair in structure.bridges(g)}
    assert ours == {frozenset(pair) for pair in nx.bridges(plain)}


@FAST
@given(data=st.data())
def test_summary_equals_networkx(data: st.DataObject) -> None:
    g = data.draw(graphs())
    s = structure.summary(g)
    plain = _plain(g)
    assert s.nodes == g.number_of_nodes()
    assert s.relationships == s.links == g.number_of_edges()
    assert math.isclose(s.density, nx.density(g), rel_tol=TOL, abs_tol=TOL)
    components = list(nx.connected_components(plain))
    assert s.components == len(components)
    assert s.largest_component == max((len(c) for c in components), default=0)
    assert s.isolates == nx.number_of_isolates(plain)
    clustering = nx.average_clustering(plain) if len(plain) else 0.0
    assert math.isclose(s.average_clustering, clustering, rel_tol=TOL, abs_tol=TOL)
    if components:
        largest = plain.subgraph(max(components, key=len))
        assert s.diameter == nx.diameter(largest)
        assert s.diameter_bounds == (s.diameter, s.diameter)


def test_summary_bounds_diameter_over_budget() -> None:
    g = nx.path_graph([f"n{i}" for i in range(200)])
    s = structure.summary(g, budget=100)
    low, high = s.diameter_bounds
    assert low <= 199 <= high
    assert s.diameter in (None, 199)


def test_multigraph_bridge_is_one_link() -> None:
    g = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    assert structure.bridges(g) == [("a", "b"), ("b", "c")]
    assert structure.articulation_points(g) == ["b"]
