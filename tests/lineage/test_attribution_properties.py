"""Properties of the attribution rule on random results chains.

Graphs are built straight into :class:`graph.memory.MemoryGraph` (the embedded store's index,
whose ``expand`` is the one the store serves), so hypothesis can try hundreds of shapes
quickly; ended links are allowed to over-allocate an outcome on purpose, to check that the
scaling keeps conservation.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import lineage as L
from graph.memory import MemoryGraph
from graph.model import ACTOR_KINDS, Node, NodeKind, Relationship, RelType, Role

ROLES = [r.value for r in Role]
EPS = 1e-9


@st.composite
def graphs(draw: st.DrawFn) -> MemoryGraph:
    mem = MemoryGraph()
    n_out = draw(st.integers(1, 6))
    n_act = draw(st.integers(0, 4))
    n_prog = draw(st.integers(0, 3))
    n_actor = draw(st.integers(1, 5))
    outs = [f"o{i}" for i in range(n_out)]
    acts = [f"a{i}" for i in range(n_act)]
    progs = [f"p{i}" for i in range(n_prog)]
    actors = [f"x{i}" for i in range(n_actor)]
    for o in outs:
        mem.put_node(Node(o, NodeKind.OUTCOME, {"name": o, "level": "OUTCOME"}))
    for a in acts:
        mem.put_node(Node(a, NodeKind.ACTIVITY, {"name": a}))
    for p in progs:
        mem.put_node(Node(p, NodeKind.PROGRAMME, {"name": p}))
    for x in actors:
        mem.put_node(Node(x, NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"name": x}))
    serial = itertools.count()

    def link(rel_type: RelType, start: str, end: str, **props: object) -> None:
        mem.put_relationship(Relationship(f"r{next(serial):03d}", rel_type, start, end, props))

    # Results links: outcome i may contribute to outcome j > i (acyclic by construction);
    # open shares into each outcome are scaled to sum to at most 1, ended ones may add more.
    for j, target in enumerate(outs):
        sources = draw(
            st.lists(st.sampled_from([*outs[:j], *acts, *progs]), max_size=4, unique=True)
            if j or acts or progs
            else st.just([])
        )
        if not sources:
            continue
        raw = draw(st.lists(st.floats(0.0, 1.0), min_size=len(sources), max_size=len(sources)))
        budget = draw(st.floats(0.0, 1.0))
        scale = budget / sum(raw) if sum(raw) > 0 else 0.0
        for src, w in zip(sources, raw, strict=True):
            rel_type = RelType.CONTRIBUTED_TO if src.startswith("o") else RelType.PRODUCED
            link(rel_type, src, target, share=min(1.0, w * scale))
            if draw(st.booleans()) and draw(st.booleans()):
                link(rel_type, src, target, share=draw(st.floats(0.0, 1.0)), until="2020-01-01")
    for a in acts:
        for p in draw(
            st.lists(st.sampled_from(progs), max_size=2, unique=True) if progs else st.just([])
        ):
            link(RelType.PART_OF, a, p)
    for x in actors:
        for p in draw(st.lists(st.sampled_from(progs), max_size=3) if progs else st.just([])):
            link(RelType.PARTNERS_IN, x, p, role=draw(st.sampled_from(ROLES)))
        for a in draw(st.lists(st.sampled_from(acts), max_size=3) if acts else st.just([])):
            link(RelType.PARTICIPATED_IN, x, a, role=draw(st.sampled_from(ROLES)))
    return mem


def index_of(mem: MemoryGraph) -> L.FlowIndex:
    return L.FlowIndex(mem.nodes.values(), mem.rels.values())


def contributions(mem: MemoryGraph, actor: str, depth: int) -> L.Contributions:
    return L.contributions(index_of(mem), actor, depth=depth)


def lineage(mem: MemoryGraph, outcome: str, depth: int) -> L.Lineage:
    return L.outcome_lineage(index_of(mem), outcome, depth=depth)


def feeds(index: L.FlowIndex) -> dict[str, list[L.Link]]:
    """Beneficiary to the links from its contributors, for every node that has some."""
    return {n: links for n in index.ids if (links := index.steps(n, forward=False))}


def reference_factors(
    mem: MemoryGraph, min_share: float
) -> dict[tuple[str, str, RelType], tuple[float, list[str]]]:
    """The documented rule (docs/LINEAGE.md), read literally, one relationship at a time:
    (contributor, beneficiary, type) to (factor, ids of the relationships followed)."""
    groups: dict[tuple[str, str, RelType], list[Relationship]] = {}
    for r in mem.rels.values():
        c, b = (r.end, r.start) if r.type is RelType.PART_OF else (r.start, r.end)
        groups.setdefault((c, b, r.type), []).append(r)
    values: dict[tuple[str, str, RelType], tuple[float, list[str]]] = {}
    totals: dict[str, float] = {}
    results: set[str] = set()
    runners: dict[str, int] = {}
    for (c, b, t), rels in groups.items():
        if t in (RelType.PRODUCED, RelType.CONTRIBUTED_TO):
            results.add(b)
            totals[b] = totals.get(b, 0.0) + sum(r.props["share"] for r in rels)
            kept = [r for r in rels if r.props["share"] >= min_share]
            if kept:
                values[c, b, t] = (sum(r.props["share"] for r in kept), [r.id for r in kept])
        elif t is RelType.PART_OF:
            runners[b] = runners.get(b, 0) + 1
        else:
            weight = max(L.ROLE_WEIGHTS[r.props.get("role", "PARTICIPANT")] for r in rels)
            totals[b] = totals.get(b, 0.0) + weight
            values[c, b, t] = (weight, [r.id for r in rels])
    for (c, b, t), rels in groups.items():
        if t is RelType.PART_OF:
            values[c, b, t] = (L.RUNNER_WEIGHT / runners[b], [r.id for r in rels])
    out = {}
    for (c, b, t), (value, ids) in values.items():
        total = totals.get(b, 0.0)
        denominator = max(1.0, total) if b in results else total + L.RUNNER_WEIGHT
        out[c, b, t] = (value / denominator if denominator > 0 else 0.0, sorted(ids))
    return out


def actors_of(mem: MemoryGraph) -> list[str]:
    return sorted(n for n, node in mem.nodes.items() if node.kind in ACTOR_KINDS)


def outcomes_of(mem: MemoryGraph) -> list[str]:
    return sorted(n for n, node in mem.nodes.items() if node.kind is NodeKind.OUTCOME)


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(1, 8))
def test_shares_are_in_unit_interval_and_conserved(mem: MemoryGraph, depth: int) -> None:
    per_outcome: dict[str, float] = {}
    for actor in actors_of(mem):
        for c in contributions(mem, actor, depth).outcomes:
            assert 0.0 <= c.share <= 1.0
            per_outcome[c.outcome.id] = per_outcome.get(c.outcome.id, 0.0) + c.share
    for total in per_outcome.values():
        assert total <= 1.0 + EPS


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(1, 8))
def test_both_directions_and_brute_force_agree(mem: MemoryGraph, depth: int) -> None:
    g = nx.DiGraph()
    for links in feeds(index_of(mem)).values():
        for link in links:
            g.add_edge(link.contributor, link.beneficiary, factor=link.factor)
    for outcome in outcomes_of(mem):
        lin = lineage(mem, outcome, depth)
        upstream = {n.node.id: n.share for n in lin.nodes}
        found = lin.paths(10_000)
        assert not found.truncated
        for actor in actors_of(mem):
            by_actor = {c.outcome.id: c.share for c in contributions(mem, actor, depth).outcomes}
            brute = 0.0
            reachable = actor in g and outcome in g and nx.has_path(g, actor, outcome)
            if reachable:
                for path in nx.all_simple_paths(g, actor, outcome, cutoff=depth):
                    brute += math.prod(g.edges[u, v]["factor"] for u, v in itertools.pairwise(path))
            from_paths = sum(p.share for p in found.paths if p.nodes[0] == actor)
            if actor in upstream:
                assert by_actor[outcome] == pytest.approx(min(1.0, upstream[actor]), abs=EPS)
                assert brute == pytest.approx(upstream[actor], abs=EPS)
                assert from_paths == pytest.approx(upstream[actor], abs=EPS)
            else:
                assert outcome not in by_actor
                assert brute == 0.0


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(1, 6), st.integers(1, 20))
def test_paths_are_distinct_ordered_bounded_and_truncate_honestly(
    mem: MemoryGraph, depth: int, limit: int
) -> None:
    for outcome in outcomes_of(mem):
        lin = lineage(mem, outcome, depth)
        every = lin.paths(10_000).paths
        some = lin.paths(limit)
        assert some.paths == every[:limit]
        assert some.truncated == (len(every) > limit)
        assert len(set(p.nodes for p in every)) == len(every)
        keys = [(-p.share, p.nodes[::-1]) for p in every]
        assert keys == sorted(keys)
        for p in every:
            assert p.nodes[-1] == outcome and 1 <= len(p.links) <= depth
            assert len(set(p.nodes)) == len(p.nodes)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_no_node_hands_out_more_than_its_credit(mem: MemoryGraph) -> None:
    for beneficiary, links in feeds(index_of(mem)).items():
        assert sum(link.factor for link in links) <= 1.0 + EPS
        if mem.nodes[beneficiary].kind is not NodeKind.OUTCOME:
            # Engaged nodes keep the runner's part unless programmes take it.
            runners = [x for x in links if x.type is RelType.PART_OF]
            assert (sum(x.factor for x in links) < 1.0) or runners


def test_role_weights_cover_every_role_and_credit_flows_along_the_lineage_types() -> None:
    assert set(L.ROLE_WEIGHTS) == set(Role)
    assert all(0 < w <= 1 for w in L.ROLE_WEIGHTS.values())
    lineage_types = {
        RelType.PRODUCED,
        RelType.CONTRIBUTED_TO,
        RelType.PART_OF,
        RelType.PARTICIPATED_IN,
        RelType.PARTNERS_IN,
    }
    assert lineage_types == L.FLOW_TYPES
    # A programme runs its activities: PART_OF is the one type whose end contributes.
    for t in L.FLOW_TYPES:
        ends = ("e", "s") if t is RelType.PART_OF else ("s", "e")
        assert L.flow_ends(Relationship("r", t, "s", "e")) == ends


def test_parallel_relationships_collapse_into_one_link() -> None:
    nodes = [
        Node("x", NodeKind.COMPANY),
        Node("p", NodeKind.PROGRAMME),
        Node("a", NodeKind.ACTIVITY),
        Node("o", NodeKind.OUTCOME),
    ]
    rels = [
        Relationship("r1", RelType.PARTNERS_IN, "x", "p", {"role": "BENEFICIARY"}),
        Relationship("r2", RelType.PARTNERS_IN, "x", "p", {"role": "FUNDING"}),
        Relationship("r3", RelType.PRODUCED, "a", "o", {"share": 0.5}),
        Relationship("r4", RelType.PRODUCED, "a", "o", {"share": 0.7, "until": "2020-01-01"}),
    ]
    flow = L.FlowIndex(nodes, rels)
    (partner,) = flow.steps("p", forward=False)
    assert [r.id for r in partner.rels] == ["r1", "r2"]
    assert partner.factor == 0.5  # strongest role (1) over 1 + UNOCT's 1
    (produced,) = flow.steps("o", forward=False)
    assert produced.factor == pytest.approx(1.0)  # 1.2 in view, scaled to 1
    (pruned,) = L.FlowIndex(nodes, rels, min_share=0.6).steps("o", forward=False)
    assert [r.id for r in pruned.rels] == ["r4"]
    assert pruned.factor == pytest.approx(0.7 / 1.2)
    assert L.FlowIndex(nodes, rels, min_share=0.8).steps("o", forward=False) == []


@settings(max_examples=150, deadline=None)
@given(graphs(), st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.9]))
def test_compiled_factors_follow_the_rule_read_literally(mem: MemoryGraph, cut: float) -> None:
    index = L.FlowIndex(mem.nodes.values(), mem.rels.values(), min_share=cut)
    got = {
        (x.contributor, x.beneficiary, x.type): (x.factor, [r.id for r in x.rels])
        for links in feeds(index).values()
        for x in links
    }
    want = reference_factors(mem, cut)
    assert got.keys() == want.keys()
    for key, (factor, ids) in want.items():
        assert got[key][0] == pytest.approx(factor, abs=EPS)
        assert got[key][1] == ids
    # Both adjacencies hold the same links.
    forward = {
        (x.contributor, x.beneficiary, x.type)
        for n in index.ids
        for x in index.steps(n, forward=True)
    }
    assert forward == got.keys()
