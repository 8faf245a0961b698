"""The vectorised co-partnership projection against the pair-by-pair definition.

The reference below is the projection as it was written before it was vectorised (one Python
step per pair of actors of every item, ties listing their items), kept as a plain function: the
fast one must give the same nodes with the same attributes, the same ties with the same
``shared`` and, summing in the same order, the same ``weight`` to the bit; what a tie runs
through, which ties no longer list, must be what :class:`analytics.projection.ActorItems` says
and what :func:`analytics.resilience.what_if` cuts.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, Iterable
from datetime import date, timedelta
from itertools import combinations
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import _fast, projection, resilience
from analytics.errors import AnalysisTooLarge
from graph.model import as_date

ACTORS = sorted(projection.ACTOR_KINDS)
OTHER_KINDS = ["Programme", "Activity", "Outcome"]
TYPES = ["PARTNERS_IN", "PARTICIPATED_IN", "PART_OF", "MEMBER_OF"]
ROLES = ["FUNDING", "IMPLEMENTING", "HOST", "SPEAKER"]
DAY0 = date(2016, 1, 1)


# --------------------------------------------------------------------------- reference


def _reference_decay(
    end_a: date | None, end_b: date | None, reference: date | None, half_life: float | None
) -> float:
    if half_life is None or reference is None:
        return 1.0
    ends = [end for end in (end_a, end_b) if end is not None]
    if not ends:
        return 1.0
    age_years = max(0.0, (reference - min(ends)).days / 365.25)
    return float(2.0 ** (-age_years / half_life))


def reference_co_partnership(
    graph: nx.MultiDiGraph,
    *,
    as_of: date | str | None = None,
    half_life_years: float | None = None,
    roles: Collection[str] | None = None,
    relationship_types: Iterable[str] = projection.ENGAGEMENT_TYPES,
    actor_kinds: Collection[str] = projection.ACTOR_KINDS,
) -> nx.Graph:
    """Pair by pair, from the definition; ties carry ``items``, their shared items' ids."""
    when = as_date(as_of)
    types = set(relationship_types)
    items: dict[Hashable, dict[Hashable, date | None]] = {}
    newest: date | None = None
    kinds = graph.nodes
    for actor, item, data in graph.edges(data=True):
        if data.get("type") not in types or kinds[actor].get("kind") not in actor_kinds:
            continue
        if roles is not None and data.get("role") not in roles:
            continue
        since = as_date(data.get("since"))
        if when is not None and since is not None and since > when:
            continue
        for bound in (since, as_date(data.get("until"))):
            if bound is not None and (newest is None or bound > newest):
                newest = bound
        until = as_date(data.get("until"))
        actors = items.setdefault(item, {})
        if actor not in actors:
            actors[actor] = until
        else:
            previous = actors[actor]
            actors[actor] = None if previous is None or until is None else max(previous, until)
    reference = when or newest
    result = nx.Graph()
    wanted = set(actor_kinds)
    result.add_nodes_from(
        (v, d)
        for v, d in graph.nodes(data=True)
        if d.get("kind") in wanted and projection.edge_valid(d, when)
    )
    for actors in items.values():
        for actor in actors:
            if actor not in result:
                result.add_node(actor, **graph.nodes[actor])
    for item, actors in items.items():
        for a, b in combinations(sorted(actors, key=str), 2):
            contribution = _reference_decay(actors[a], actors[b], reference, half_life_years)
            if result.has_edge(a, b):
                data = result[a][b]
                data["weight"] += contribution
                data["shared"] += 1
                data["items"].append(item)
            else:
                result.add_edge(a, b, weight=contribution, shared=1, items=[item])
    for _, _, data in result.edges(data=True):
        data["items"] = tuple(sorted(data["items"], key=str))
    return nx.freeze(result)


# --------------------------------------------------------------------------- strategies

days = st.integers(0, 9 * 365).map(lambda d: DAY0 + timedelta(days=d))
ends = st.one_of(st.none(), st.sampled_from([DAY0 + timedelta(days=400 * k) for k in range(8)]))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@st.composite
def snapshots(draw: st.DrawFn) -> nx.MultiDiGraph:
    """Actors of every kind (some existing for a while only), programmes, activities and
    nodes of other kinds engaging too, engagements of every type and role with open or dated
    ends, several relationships of one actor to one item, items absent from the nodes."""
    g = nx.MultiDiGraph()
    n = draw(st.integers(0, 12))
    for i in draw(st.permutations(range(n))):  # "n10" sorts before "n2": order by id, not number
        start, end = draw(st.one_of(st.none(), days)), draw(st.one_of(st.none(), days))
        g.add_node(
            f"n{i}",
            kind=draw(st.sampled_from(ACTORS + OTHER_KINDS[:1])),
            since=_iso(start),
            until=_iso(end),
            name=f"node {i}",
        )
    items = [f"p{i}" for i in range(draw(st.integers(1, 6)))]
    for item in items[:-1]:  # the last item is no node of the snapshot
        g.add_node(item, kind=draw(st.sampled_from(OTHER_KINDS)))
    if n:
        links = st.tuples(
            st.integers(0, n - 1),
            st.sampled_from(items),
            st.sampled_from(TYPES[:2] * 3 + TYPES[2:]),
            st.one_of(st.none(), st.sampled_from(ROLES)),
            st.one_of(st.none(), days),
            ends,
        )
        for actor, item, kind, role, since, until in draw(st.lists(links, max_size=40)):
            data: dict[str, Any] = {"type": kind, "since": _iso(since), "until": _iso(until)}
            if role is not None:
                data["role"] = role
            g.add_edge(f"n{actor}", item, **data)
    return nx.freeze(g)


questions = st.fixed_dictionaries(
    {},
    optional={
        "as_of": st.one_of(st.none(), days, days.map(date.isoformat)),
        "half_life_years": st.one_of(st.none(), st.floats(0.1, 10), st.sampled_from([1, 2])),
        "roles": st.one_of(st.none(), st.sets(st.sampled_from(ROLES))),
        "relationship_types": st.lists(st.sampled_from(TYPES), unique=True),
        "actor_kinds": st.sets(st.sampled_from(ACTORS + OTHER_KINDS)),
    },
)


# --------------------------------------------------------------------------- checks


def _assert_same(fast: nx.Graph, ref: nx.Graph, every: int = 1) -> None:
    """Same nodes and ties, attributes and order (the reference put in canonical order), the
    weight to the bit; and what each tie (every ``every``-th) runs through."""
    expected = projection.canonical(ref)
    assert nx.is_frozen(fast) and not fast.is_directed() and not fast.is_multigraph()
    assert list(fast.nodes(data=True)) == list(expected.nodes(data=True))
    plain = [
        (u, v, {"weight": d["weight"], "shared": d["shared"]})
        for u, v, d in expected.edges(data=True)
    ]
    assert list(fast.edges(data=True)) == plain
    engaged = fast.graph[projection.ACTOR_ITEMS]
    assert engaged.actors == tuple(fast)
    for u, v, items in list(ref.edges(data="items"))[::every]:
        assert engaged.shared_by(u, v) == items
    nodes = list(fast)
    for u, v in zip(nodes, reversed(nodes), strict=True):
        if u != v and not fast.has_edge(u, v):
            assert engaged.shared_by(u, v) == ()


def _assert_canonical_with_views(fast: nx.Graph) -> None:
    """canonical() of it is the same graph, down to each node's neighbour order; the views it
    came with are what converting it would give (or nothing where converting refuses)."""
    again = projection.canonical(fast)
    assert list(again.nodes(data=True)) == list(fast.nodes(data=True))
    assert list(again.edges(data=True)) == list(fast.edges(data=True))
    assert [list(again[v]) for v in again] == [list(fast[v]) for v in fast]
    assert again.graph == fast.graph
    for weight in ("weight", None):
        try:
            converted = _fast._convert(again, weight)
        except ValueError:
            with pytest.raises(ValueError):
                _fast.indexed(fast, weight)
            continue
        seeded = _fast.indexed(fast, weight)
        assert (seeded.nodes, seeded.directed) == (converted.nodes, converted.directed)
        assert seeded.src.dtype == converted.src.dtype == seeded.dst.dtype
        assert seeded.src.tolist() == converted.src.tolist()
        assert seeded.dst.tolist() == converted.dst.tolist()
        assert seeded.weight.tolist() == converted.weight.tolist()


@settings(max_examples=300, deadline=None)
@given(g=snapshots(), question=questions)
def test_the_projection_is_the_pair_by_pair_definition(
    g: nx.MultiDiGraph, question: dict[str, Any]
) -> None:
    fast = projection.co_partnership(g, **question)
    _assert_same(fast, reference_co_partnership(g, **question))
    _assert_canonical_with_views(fast)
    assert all(set(d) == {"weight", "shared"} for _, _, d in fast.edges(data=True))


@settings(max_examples=100, deadline=None)
@given(g=snapshots(), roles=st.one_of(st.none(), st.sets(st.sampled_from(ROLES))))
def test_the_cost_bounds_the_pairs_and_guards_the_projection(
    g: nx.MultiDiGraph, roles: set[str] | None
) -> None:
    cost = projection.co_partnership_cost(g, roles=roles)
    ties = reference_co_partnership(g, roles=roles).number_of_edges()
    assert ties * projection.PAIR_COST <= cost and cost % projection.PAIR_COST == 0
    assert projection.co_partnership(g, roles=roles, budget=cost).number_of_edges() == ties
    if cost:
        with pytest.raises(AnalysisTooLarge):
            projection.co_partnership(g, roles=roles, budget=cost - 1)


@pytest.mark.parametrize("half_life", [None, 0.5, 3.0])
@pytest.mark.parametrize("as_of", [None, "2021-06-30"])
def test_large_items_and_many_shared_items_sum_to_the_bit(
    half_life: float | None, as_of: str | None
) -> None:
    """Items of up to 80 actors, pairs sharing 20 items and more (long sums, where the order of
    addition shows), 20 distinct end days."""
    rng = random.Random(7)
    g = nx.MultiDiGraph()
    actors = [f"actor-{i}" for i in rng.sample(range(1000), 300)]
    for a in actors:
        g.add_node(a, kind=rng.choice(ACTORS))
    closing = [None, *(DAY0 + timedelta(days=137 * k) for k in range(19))]
    for i in range(60):
        item = f"item-{rng.randrange(10_000)}-{i}"
        for a in rng.sample(actors[: 30 + 3 * i], rng.randint(0, min(80, 30 + 3 * i))):
            for _ in range(rng.choice([1, 1, 1, 2])):
                until = rng.choice(closing)
                g.add_edge(
                    a,
                    item,
                    type=rng.choice(projection.ENGAGEMENT_TYPES),
                    role=rng.choice(ROLES),
                    since=(DAY0 + timedelta(days=rng.randrange(2000))).isoformat(),
                    until=_iso(until),
                )
    g = nx.freeze(g)
    fast = projection.co_partnership(g, as_of=as_of, half_life_years=half_life)
    ref = reference_co_partnership(g, as_of=as_of, half_life_years=half_life)
    assert max(d for _, _, d in ref.edges(data="shared")) >= 20
    _assert_same(fast, ref, every=97)
    _assert_canonical_with_views(fast)


# --------------------------------------------------------------------------- what if


def _expected_what_if(
    ref: nx.Graph, remove: set[str], activities: dict[str, list[str]]
) -> tuple[int, int, int, tuple[str, ...], tuple[str, ...]]:
    """From the ties' ``items``: remove the nodes, cut the ties whose every item is removed;
    components, connected pairs, nodes left, and which removals and activities the graph held."""
    gone = remove | {a for p in remove for a in activities.get(p, ())}
    outside = {v for v in gone if v not in ref}
    after = nx.Graph(ref)
    after.remove_nodes_from(gone)
    through: set[str] = set()
    for u, v, items in ref.edges(data="items"):
        through |= outside & set(items)
        if set(items) <= outside and after.has_edge(u, v):
            after.remove_edge(u, v)
    held = {v for v in gone if v in ref} | through
    pairs = sum(len(c) * (len(c) - 1) // 2 for c in nx.connected_components(after))
    removed = tuple(
        sorted(
            (v for v in remove if v in held or any(a in held for a in activities.get(v, ()))),
            key=str,
        )
    )
    went = tuple(sorted((v for v in gone - remove if v in held), key=str))
    return nx.number_connected_components(after), pairs, after.number_of_nodes(), removed, went


@settings(max_examples=200, deadline=None)
@given(g=snapshots(), question=questions, data=st.data())
def test_what_if_cuts_the_ties_that_ran_only_through_the_removed(
    g: nx.MultiDiGraph, question: dict[str, Any], data: st.DataObject
) -> None:
    fast = projection.co_partnership(g, **question)
    ref = reference_co_partnership(g, **question)
    items = sorted({v for _, v in g.edges()} | {"elsewhere"}, key=str)
    programmes = [v for v in items if v in g and g.nodes[v].get("kind") == "Programme"]
    activities = {
        p: data.draw(st.lists(st.sampled_from(items), unique=True, max_size=3)) for p in programmes
    }
    remove = set(data.draw(st.lists(st.sampled_from(sorted({*items, *g}, key=str)), max_size=4)))
    for graph in (fast, projection.canonical(fast)):  # the API's copy keeps what ties share
        got = resilience.what_if(graph, remove, actor_kinds=None, activities=activities)
        components, pairs, nodes, removed, went = _expected_what_if(ref, remove, activities)
        assert (got.after.components, got.after.connected_actor_pairs) == (components, pairs)
        assert got.after.nodes == nodes
        assert (got.removed, got.removed_activities) == (removed, went)
        assert got.before == resilience.reach(ref, actor_kinds=None)
