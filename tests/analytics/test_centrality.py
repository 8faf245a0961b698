"""Fast centrality paths equal networkx, the reference, on random graphs."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Hashable
from typing import Literal

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import centrality
from tests.analytics.analytics_strategies import assert_scores_close, graphs

FAST = settings(max_examples=60, deadline=None)


def _weights(weighted: bool) -> tuple[str | None, str | None]:
    """Our tie-strength attribute and networkx's distance attribute."""
    return ("weight", "distance") if weighted else (None, None)


@FAST
@given(data=st.data(), weighted=st.booleans(), normalized=st.booleans())
def test_exact_betweenness_equals_networkx(
    data: st.DataObject, weighted: bool, normalized: bool
) -> None:
    g = data.draw(graphs(weighted=weighted))
    ours_w, ref_w = _weights(weighted)
    ours = centrality.betweenness_centrality(g, weight=ours_w, normalized=normalized)
    ref = nx.betweenness_centrality(g, weight=ref_w, normalized=normalized)
    assert_scores_close(ours.scores, ref)
    assert not ours.sampled


@FAST
@given(
    data=st.data(),
    weighted=st.booleans(),
    normalized=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_sampled_betweenness_equals_networkx(
    data: st.DataObject, weighted: bool, normalized: bool, seed: int
) -> None:
    g = data.draw(graphs(weighted=weighted, min_nodes=3, max_nodes=14))
    k = data.draw(st.integers(2, g.number_of_nodes()))
    ours_w, ref_w = _weights(weighted)
    ours = centrality.betweenness_centrality(
        g, weight=ours_w, normalized=normalized, k=k, seed=seed
    )
    ref = nx.betweenness_centrality(g, k=k, seed=seed, weight=ref_w, normalized=normalized)
    assert_scores_close(ours.scores, ref)
    assert ours.sampled_sources == (None if k == g.number_of_nodes() else k)


@FAST
@given(data=st.data(), weighted=st.booleans())
def test_closeness_equals_networkx_wf_improved(data: st.DataObject, weighted: bool) -> None:
    g = data.draw(graphs(weighted=weighted))
    ours_w, ref_w = _weights(weighted)
    ours = centrality.closeness_centrality(g, weight=ours_w)
    ref = nx.closeness_centrality(g, distance=ref_w, wf_improved=True)
    assert_scores_close(ours.scores, ref)


@FAST
@given(data=st.data(), weighted=st.booleans(), normalized=st.booleans())
def test_harmonic_equals_networkx(data: st.DataObject, weighted: bool, normalized: bool) -> None:
    g = data.draw(graphs(weighted=weighted))
    ours_w, ref_w = _weights(weighted)
    ours = centrality.harmonic_centrality(g, weight=ours_w, normalized=normalized)
    ref = nx.harmonic_centrality(g, distance=ref_w)
    if normalized and len(g) > 1:
        ref = {v: s / (len(g) - 1) for v, s in ref.items()}
    assert_scores_close(ours.scores, ref)


@FAST
@given(data=st.data(), weighted=st.booleans())
def test_eigenvector_equals_networkx(data: st.DataObject, weighted: bool) -> None:
    g = data.draw(graphs(weighted=weighted, min_nodes=1))
    weight = "weight" if weighted else None
    try:
        ref = nx.eigenvector_centrality(g, weight=weight, max_iter=500, tol=1e-10)
    except nx.PowerIterationFailedConvergence:
        with pytest.raises(nx.PowerIterationFailedConvergence):
            centrality.eigenvector_centrality(g, weight=weight, max_iter=500, tol=1e-10)
        return
    ours = centrality.eigenvector_centrality(g, weight=weight, max_iter=500, tol=1e-10)
    assert_scores_close(ours.scores, ref)


@FAST
@given(
    data=st.data(),
    weighted=st.booleans(),
    alpha=st.sampled_from([0.5, 0.85, 0.95]),
    personalized=st.booleans(),
)
def test_pagerank_equals_networkx(
    data: st.DataObject, weighted: bool, alpha: float, personalized: bool
) -> None:
    g = data.draw(graphs(weighted=weighted, min_nodes=1))
    weight = "weight" if weighted else None
    nodes = list(g)
    personalization = None
    if personalized:
        chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, unique=True))
        personalization = {v: 1.0 + i for i, v in enumerate(chosen)}
    try:
        ref = nx.pagerank(g, alpha=alpha, weight=weight, personalization=personalization)
    except nx.PowerIterationFailedConvergence:
        with pytest.raises(nx.PowerIterationFailedConvergence):
            centrality.pagerank(g, alpha=alpha, weight=weight, personalization=personalization)
        return
    ours = centrality.pagerank(g, alpha=alpha, weight=weight, personalization=personalization)
    assert_scores_close(ours.scores, ref)
    assert math.isclose(sum(ours.scores.values()), 1.0)


@FAST
@given(data=st.data(), weighted=st.booleans(), normalized=st.booleans())
def test_degree_equals_networkx(data: st.DataObject, weighted: bool, normalized: bool) -> None:
    g = data.draw(graphs(weighted=weighted))
    weight = "weight" if weighted else None
    directions: list[Literal["all", "in", "out"]] = (
        ["all", "in", "out"] if g.is_directed() else ["all"]
    )
    scale = 1 / (len(g) - 1) if normalized and len(g) > 1 else 1.0
    for direction in directions:
        ours = centrality.degree_centrality(
            g, direction=direction, weight=weight, normalized=normalized
        )
        view = {
            "all": g.degree,
            "in": getattr(g, "in_degree", None),
            "out": getattr(g, "out_degree", None),
        }[direction]
        assert view is not None
        ref = {v: d * scale for v, d in view(weight=weight)}
        if normalized and len(g) == 1:
            ref = {v: 1.0 for v in g}
        assert_scores_close(ours.scores, ref)
    if not weighted and normalized:
        assert_scores_close(centrality.degree_centrality(g).scores, nx.degree_centrality(g))


@FAST
@given(data=st.data(), weighted=st.booleans())
def test_constraint_equals_networkx(data: st.DataObject, weighted: bool) -> None:
    g = data.draw(graphs(weighted=weighted, loops=False))
    weight = "weight" if weighted else None
    ours = centrality.constraint(g, weight=weight)
    ref = {}
    if g.number_of_edges():
        ref = {v: s for v, s in nx.constraint(g, weight=weight).items() if not math.isnan(s)}
    assert_scores_close(ours.scores, ref)


@FAST
@given(data=st.data(), weighted=st.booleans())
def test_effective_size_equals_networkx_definition(data: st.DataObject, weighted: bool) -> None:
    """Reference: networkx's per-node formula (Burt's definition).

    networkx 3.6's all-nodes sparse shortcut disagrees with it on weighted graphs, and
    its per-node path calls a directed node with only incoming ties isolated; the
    shortcut is not used as reference and such nodes are checked for presence only.
    """
    g = data.draw(graphs(weighted=weighted, loops=False))
    weight = "weight" if weighted else None
    ours = centrality.effective_size(g, weight=weight).scores
    ref = {
        v: s
        for v, s in nx.effective_size(g, nodes=list(g), weight=weight).items()
        if not math.isnan(s)
    }
    only_incoming = {v for v in ours if v not in ref}
    assert all(g.is_directed() and g.out_degree(v) == 0 for v in only_incoming)
    assert_scores_close({v: ours[v] for v in ref}, ref)
    assert set(ours) == {v for v in g if g.degree(v) > 0}


@FAST
@given(data=st.data())
def test_core_number_equals_networkx(data: st.DataObject) -> None:
    g = data.draw(graphs())
    ours = centrality.core_number(g)
    loop_free = g.copy()
    loop_free.remove_edges_from(list(nx.selfloop_edges(loop_free)))
    assert_scores_close(ours.scores, {v: float(c) for v, c in nx.core_number(loop_free).items()})


def test_ranking_orders_by_score_then_id() -> None:
    g = nx.Graph([("b", "hub"), ("a", "hub"), ("c", "hub"), ("c", "d")])
    ranked = centrality.betweenness_centrality(g, normalized=False).ranked()
    assert [v for v, _ in ranked] == ["hub", "c", "a", "b", "d"]
    assert centrality.constraint(g).ranked(1)[0][0] == "hub"


@given(
    scores=st.dictionaries(
        st.text("abc", min_size=1, max_size=3),
        st.sampled_from([0.0, -0.0, 1.0, 1.5, -2.0, math.inf, 1e-300]),
        max_size=12,
    ),
    descending=st.booleans(),
    top=st.one_of(st.none(), st.integers(0, 14)),
)
def test_ranking_is_the_tuple_sort_it_replaces(
    scores: dict[Hashable, float], descending: bool, top: int | None
) -> None:
    """By score (ties many: few distinct values), then id; stable in both directions."""
    result = centrality.CentralityResult("demo", scores, "none", "numpy", descending=descending)
    sign = -1.0 if descending else 1.0
    want = sorted(scores.items(), key=lambda item: (sign * item[1], str(item[0])))
    assert result.ranked(top) == (want if top is None else want[:top])


def test_multigraph_is_collapsed_summing_weights() -> None:
    multi = nx.MultiDiGraph()
    multi.add_edge("a", "b", weight=1.0)
    multi.add_edge("a", "b", weight=3.0)
    multi.add_edge("b", "c", weight=2.0)
    simple = nx.DiGraph([("a", "b", {"weight": 4.0}), ("b", "c", {"weight": 2.0})])
    for fn in (centrality.pagerank, centrality.degree_centrality):
        assert fn(multi, weight="weight").scores == fn(simple, weight="weight").scores


def test_non_positive_weights_are_rejected() -> None:
    g = nx.Graph([("a", "b", {"weight": 0.0})])
    with pytest.raises(ValueError, match="positive"):
        centrality.closeness_centrality(g, weight="weight")


def test_budget_guard_raises_with_advice() -> None:
    g = nx.path_graph([f"n{i}" for i in range(50)])
    cost = centrality.estimate_betweenness_cost(g)
    assert cost == 50 * 49
    with pytest.raises(centrality.AnalysisTooLarge, match="allow_sampling") as info:
        centrality.betweenness_centrality(g, budget=1000)
    assert info.value.cost == cost
    assert info.value.budget == 1000
    with pytest.raises(centrality.AnalysisTooLarge, match="raise the budget"):
        centrality.betweenness_centrality(g, budget=10)
    with pytest.raises(centrality.AnalysisTooLarge):
        centrality.closeness_centrality(g, budget=1000)


def test_budget_guard_samples_when_allowed() -> None:
    g = nx.barabasi_albert_graph(60, 2, seed=3)
    g = nx.relabel_nodes(g, {v: f"n{v}" for v in g})
    budget = 20 * g.number_of_edges()
    result = centrality.betweenness_centrality(g, budget=budget, allow_sampling=True, seed=7)
    assert result.sampled and result.sampled_sources == 20
    assert "sampled k=20" in result.normalization
    ref = nx.betweenness_centrality(g, k=20, seed=7)
    assert_scores_close(result.scores, ref)


def test_sampling_needs_two_sources() -> None:
    with pytest.raises(ValueError, match="k >= 2"):
        centrality.betweenness_centrality(nx.path_graph(5), k=1)


def test_empty_graph_gives_empty_results() -> None:
    g = nx.Graph()
    for fn in (
        centrality.betweenness_centrality,
        centrality.closeness_centrality,
        centrality.harmonic_centrality,
        centrality.eigenvector_centrality,
        centrality.pagerank,
        centrality.degree_centrality,
        centrality.core_number,
    ):
        assert fn(g).scores == {}


def test_the_compiled_kernels_load_on_first_use() -> None:
    """numba (about 110 MB resident) is imported by the first measure that runs a kernel, not
    by starting the app: run in a fresh interpreter, since this one has loaded it already."""
    code = (
        "import sys, networkx as nx, api.app\n"
        "from analytics import centrality\n"
        "assert 'numba' not in sys.modules, 'numba imported at start'\n"
        "centrality.pagerank(nx.path_graph(4))\n"
        "assert 'numba' not in sys.modules, 'numba imported by PageRank'\n"
        "core = centrality.core_number(nx.path_graph(4)).scores\n"
        "assert 'numba' in sys.modules and core == {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}, core\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
