"""Projections: from the property-graph snapshot to the simple graphs measures run on.

A snapshot is an immutable ``networkx.MultiDiGraph`` whose nodes carry ``kind`` and
whose edges carry ``type``, ``since`` and ``until`` (ISO dates or ``None`` for open).
Centrality only makes sense on a question-shaped graph: "as of this date", "these
kinds of actor", "in this region", "actors tied by shared programmes". These functions
build such graphs; every result is frozen, so the analytics backends can cache their
conversion of it.

The co-partnership projection ties every pair of actors sharing an item, so an item with
thousands of partners makes millions of ties (the synthetic 20,000-actor network projects to
27 million ties, over a minute and 8 GB). Its cost is estimated before it is built
(:func:`co_partnership_cost`) and refused over a work budget, like the all-pairs measures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import chain, repeat
from operator import attrgetter
from typing import Any, Final

import networkx as nx
import numpy as np

from analytics._fast import FloatArray, IndexedGraph, IntArray, seed_views
from analytics.errors import AnalysisTooLarge
from analytics.pair_graph import pair_graph
from graph import model
from graph.model import as_date, interval_contains

__all__ = [
    "ACTOR_ITEMS",
    "ACTOR_KINDS",
    "ENGAGEMENT_TYPES",
    "PAIR_COST",
    "ActorItems",
    "canonical",
    "co_partnership",
    "co_partnership_cost",
    "collapse",
    "edge_valid",
    "engagements_in_scope",
    "filter_snapshot",
    "records_graph",
    "simple_graph",
]

ACTOR_KINDS = frozenset(kind.value for kind in model.ACTOR_KINDS)
"""Kinds that take part in programmes and activities."""

ENGAGEMENT_TYPES = ("PARTNERS_IN", "PARTICIPATED_IN")
"""Relationships from an actor to a programme or activity."""

_DAYS_PER_YEAR = 365.25
_START, _END = attrgetter("start"), attrgetter("end")

PAIR_COST: Final = 100
"""Work units charged per actor pair the co-partnership projection examines, so that the same
budget means the same wait as the measures (about 20 nanoseconds a unit,
:data:`analytics.centrality.DEFAULT_WORK_BUDGET`).

A pair costs about 0.1 to 0.2 microseconds of numpy (made, sorted, merged) and, when it is a
new tie (three pairs in four on the synthetic networks), 1.3 to 2.5 microseconds of networkx
storing it, slower the more ties there are. Measured, CPU time of :func:`co_partnership` per
pair on ``partnernet seed --synthetic``: 1.0 microseconds at 2,000 actors (0.55 million
pairs, 0.54 s), 2.0 at 14,000 (18 million, 37 s), 2.1 at 20,000 (35 million, 73 s). The
constant is the figure where the default budget draws the line (about 14,500 actors): smaller
projections are overestimated, at most twice.
"""


def edge_valid(data: dict[str, Any], as_of: date | str | None) -> bool:
    """Whether a relationship holds on ``as_of``: ``since <= as_of <= until``.

    Open ends (``None``) always hold, and ``as_of=None`` means "any time". Snapshot props
    hold ISO dates, so this is the model's rule (:func:`graph.model.interval_contains`), with
    ``as_of`` given as a date or as its ISO string.

    Examples
    --------
    >>> edge_valid({"since": "2020-01-01", "until": None}, "2024-06-30")
    True
    >>> edge_valid({"since": "2020-01-01", "until": "2021-12-31"}, date(2024, 6, 30))
    False
    """
    when = as_date(as_of)
    return interval_contains(data, None if when is None else when.isoformat())


def _freeze(graph: nx.Graph) -> nx.Graph:
    return nx.freeze(graph)


def _geography(
    graph: nx.MultiDiGraph,
    edges: list[tuple[Hashable, Hashable, Hashable, dict[str, Any]]],
    regions: Collection[str] | None,
    countries: Collection[str] | None,
) -> set[Hashable]:
    """Nodes outside the requested regions/countries (to be dropped)."""
    nodes = graph.nodes

    def state_in_scope(state: Hashable) -> bool:
        if state not in nodes or nodes[state].get("kind") != "MemberState":
            return False
        return (regions is None or nodes[state].get("region") in regions) and (
            countries is None or state in countries
        )

    reach: dict[Hashable, set[Hashable]] = {}
    parent: dict[Hashable, set[Hashable]] = {}
    for u, v, _, data in edges:
        kind = data.get("type")
        if kind == "MEMBER_OF":
            reach.setdefault(v, set()).add(u)
        elif kind == "TARGETS":
            reach.setdefault(u, set()).add(v)
        elif kind == "PART_OF":
            parent.setdefault(u, set()).add(v)
    dropped: set[Hashable] = set()
    for node, attrs in nodes(data=True):
        kind = attrs.get("kind")
        if kind == "MemberState":
            keep = state_in_scope(node)
        elif kind == "RegionalOrganization":
            keep = any(state_in_scope(s) for s in reach.get(node, ()))
        elif kind in ACTOR_KINDS:
            keep = state_in_scope(attrs.get("country"))
        elif kind in {"Programme", "Activity"}:
            scope = set(reach.get(node, ()))
            if kind == "Activity" and not scope:
                for programme in parent.get(node, ()):
                    scope |= reach.get(programme, set())
            keep = not scope or any(state_in_scope(s) for s in scope)
        else:
            keep = True
        if not keep:
            dropped.add(node)
    return dropped


def _thematic(
    graph: nx.MultiDiGraph,
    edges: list[tuple[Hashable, Hashable, Hashable, dict[str, Any]]],
    areas: Collection[Hashable],
) -> set[Hashable]:
    """Programmes, activities and thematic areas outside the requested areas."""
    addresses: dict[Hashable, set[Hashable]] = {}
    parent: dict[Hashable, set[Hashable]] = {}
    for u, v, _, data in edges:
        if data.get("type") == "ADDRESSES":
            addresses.setdefault(u, set()).add(v)
        elif data.get("type") == "PART_OF":
            parent.setdefault(u, set()).add(v)
    wanted = set(areas)
    dropped: set[Hashable] = set()
    for node, kind in graph.nodes(data="kind"):
        if kind == "ThematicArea":
            keep = node in wanted
        elif kind == "Programme":
            keep = bool(addresses.get(node, set()) & wanted)
        elif kind == "Activity":
            own = set(addresses.get(node, set()))
            for programme in parent.get(node, ()):
                own |= addresses.get(programme, set())
            keep = bool(own & wanted)
        else:
            keep = True
        if not keep:
            dropped.add(node)
    return dropped


def filter_snapshot(
    graph: nx.MultiDiGraph,
    *,
    kinds: Collection[str] | None = None,
    relationship_types: Collection[str] | None = None,
    roles: Collection[str] | None = None,
    regions: Collection[str] | None = None,
    countries: Collection[str] | None = None,
    thematic_areas: Collection[Hashable] | None = None,
    as_of: date | str | None = None,
) -> nx.MultiDiGraph:
    """The part of a snapshot that a question is about.

    Every filter left as ``None`` keeps everything; filters combine with AND.

    * ``as_of`` keeps relationships valid on that date (``since <= as_of <= until``,
      open ends always valid); it also decides memberships and targets used below.
    * ``kinds`` keeps nodes of those kinds; ``relationship_types`` edges of those types.
    * ``roles`` keeps role-bearing relationships (``PARTNERS_IN``, ``PARTICIPATED_IN``)
      whose ``role`` is listed; relationships without a role are unaffected.
    * ``regions`` (M49 region names) and ``countries`` (ISO3) keep Member States in
      scope, actors whose ``country`` is in scope (actors without one are dropped),
      regional organisations with a member in scope, and programmes or activities
      that target a state in scope; an activity without targets inherits its
      programme's, and programmes or activities with no targets at all (global ones)
      are kept. Outcomes and thematic areas are unaffected.
    * ``thematic_areas`` keeps those thematic areas, programmes addressing one of
      them and activities addressing one (themselves or through their programme).

    Nodes that lose all their relationships stay, as isolates: an actor with no
    partnership in scope is a finding, not noise.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A snapshot.

    Returns
    -------
    networkx.MultiDiGraph
        A new, frozen graph with the kept nodes (all attributes) and the kept edges
        (keys and attributes) between them.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("cso", kind="CivilSocietyOrganization")
    >>> g.add_node("prog", kind="Programme")
    >>> _ = g.add_edge("cso", "prog", key="r1", type="PARTNERS_IN", role="FUNDING",
    ...                since="2020-01-01", until="2021-12-31")
    >>> _ = g.add_edge("cso", "prog", key="r2", type="PARTNERS_IN", role="ADVISORY",
    ...                since="2022-01-01", until=None)
    >>> sorted(k for _, _, k in filter_snapshot(g, as_of="2023-01-01").edges(keys=True))
    ['r2']
    """
    edges = [
        (u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if edge_valid(d, as_of)
    ]
    dropped: set[Hashable] = set()
    if kinds is not None:
        wanted_kinds = set(kinds)
        dropped |= {v for v, kind in graph.nodes(data="kind") if kind not in wanted_kinds}
    if regions is not None or countries is not None:
        dropped |= _geography(graph, edges, regions, countries)
    if thematic_areas is not None:
        dropped |= _thematic(graph, edges, thematic_areas)
    wanted_types = None if relationship_types is None else set(relationship_types)
    wanted_roles = None if roles is None else set(roles)
    result = nx.MultiDiGraph()
    result.graph.update(graph.graph)
    result.add_nodes_from((v, d) for v, d in graph.nodes(data=True) if v not in dropped)
    result.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in edges
        if u not in dropped
        and v not in dropped
        and (wanted_types is None or d.get("type") in wanted_types)
        and (wanted_roles is None or "role" not in d or d["role"] in wanted_roles)
    )
    return _freeze(result)


def engagements_in_scope(
    graph: nx.MultiDiGraph,
    *,
    relationship_types: Iterable[str] = ENGAGEMENT_TYPES,
    actor_kinds: Collection[str] = ACTOR_KINDS,
) -> nx.MultiDiGraph:
    """A snapshot keeping only the engagements of some types by some kinds of actor.

    Every node stays, and so does every relationship that is not an engagement
    (``PARTNERS_IN``, ``PARTICIPATED_IN``): what a programme or activity is about, where it
    is and what it belongs to are not engagements. Coverage cells are made of those, so this
    narrows whose engagement counts without changing what the cells are.

    Returns
    -------
    networkx.MultiDiGraph
        A new, frozen graph (keys and attributes kept).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("cso", kind="CivilSocietyOrganization"); g.add_node("co", kind="Company")
    >>> _ = g.add_edge("cso", "act", key="e1", type="PARTICIPATED_IN")
    >>> _ = g.add_edge("co", "act", key="e2", type="PARTICIPATED_IN")
    >>> _ = g.add_edge("act", "prog", key="r1", type="PART_OF")
    >>> kept = engagements_in_scope(g, actor_kinds={"CivilSocietyOrganization"})
    >>> sorted(k for _, _, k in kept.edges(keys=True)), kept.number_of_nodes()
    (['e1', 'r1'], 4)
    """
    actors = set(actor_kinds)
    engagements = set(relationship_types)
    kinds = graph.nodes
    kept = nx.MultiDiGraph()
    kept.graph.update(graph.graph)
    kept.add_nodes_from(graph.nodes(data=True))
    kept.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if d.get("type") not in ENGAGEMENT_TYPES
        or (d.get("type") in engagements and kinds[u].get("kind") in actors)
    )
    return _freeze(kept)


def collapse(graph: nx.Graph, *, directed: bool = True, weight: str | None = None) -> nx.Graph:
    """A simple graph with one edge per tied pair, for measures that need one.

    Parameters
    ----------
    graph : networkx.Graph
        Usually a (filtered) snapshot: a multigraph.
    directed : bool
        Keep directions (``DiGraph``) or merge ``u -> v`` with ``v -> u`` (``Graph``).
    weight : str, optional
        Edge attribute to sum over the merged relationships (missing counts 1, e.g.
        ``"amount"``); ``None`` counts relationships.

    Returns
    -------
    networkx.DiGraph or networkx.Graph
        Frozen; node attributes copied; each edge has ``weight`` (the sum) and
        ``relationships`` (how many were merged). Path measures on it read ``weight``
        as a tie strength and use ``distance = 1 / weight``.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("a", "p"), ("a", "p"), ("p", "a")])
    >>> sorted(collapse(g, directed=False).edges(data=True))
    [('a', 'p', {'weight': 3.0, 'relationships': 3})]
    """
    result: nx.Graph = nx.DiGraph() if directed and graph.is_directed() else nx.Graph()
    result.add_nodes_from(graph.nodes(data=True))
    for u, v, value in graph.edges(data=weight, default=1.0):
        amount = 1.0 if weight is None else float(value)
        if result.has_edge(u, v):
            data = result[u][v]
            data["weight"] += amount
            data["relationships"] += 1
        else:
            result.add_edge(u, v, weight=amount, relationships=1)
    return _freeze(result)


def simple_graph(graph: nx.Graph, *, directed: bool = True) -> nx.Graph:
    """``canonical(collapse(graph, directed=directed))``, built in one vectorised pass.

    The same graph, node for node, edge for edge and in the same order, with the same
    ``weight`` (relationships merged, summed in the same order) and ``relationships``; but
    the pairs are merged and ordered by numpy on integer codes instead of one dict lookup and
    one sort comparison per relationship in Python (at 100,000 actors: 10 s down to about
    2 s). The backends' views of the result (``weight`` and unweighted) come with it, so the
    first measure skips converting it too, and its adjacency is filled when first read
    (analytics/pair_graph.py).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph([("b", "a"), ("a", "b"), ("a", "b"), ("a", "c")])
    >>> list(simple_graph(g, directed=False).edges(data="relationships"))
    [('a', 'b', 3), ('a', 'c', 1)]
    """
    directed = directed and graph.is_directed()
    ordered = sorted(graph.nodes(data=True), key=lambda item: str(item[0]))
    nodes = [v for v, _ in ordered]
    index = {v: i for i, v in enumerate(nodes)}
    # One entry per adjacent (u, v) and its number of relationships: the adjacency holds
    # them already, so no per-relationship work is left for Python. The storage is read
    # directly, through C functions only (no view or generator frame per item: half the time).
    rows = graph._adj
    degree = np.fromiter(map(len, rows.values()), np.int64, len(nodes))
    total = int(degree.sum())
    code = index.__getitem__
    src = np.repeat(np.fromiter(map(code, rows), np.int64, len(nodes)), degree)
    dst = np.fromiter(map(code, chain.from_iterable(rows.values())), np.int64, total)
    if graph.is_multigraph():
        keyed = chain.from_iterable(map(dict.values, rows.values()))
        count = np.fromiter(map(len, keyed), np.int64, total)
    else:
        count = np.ones(total, np.int64)
    if not graph.is_directed():  # each pair is listed from both ends (a loop once)
        once = src <= dst
        src, dst, count = src[once], dst[once], count[once]
    elif not directed:
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    n = max(len(nodes), 1)
    pairs, inverse = np.unique(src * n + dst, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=count, minlength=pairs.size).astype(np.int64)
    # Node attributes are the snapshot's own dicts: both graphs are frozen and nothing writes
    # to their attributes, so what is equal is shared rather than copied.
    return pair_graph(
        dict(ordered),
        directed=directed,
        src=pairs // n,
        dst=pairs % n,
        relationships=merged,
        attributes=graph.graph,
        index=index,
    )


def records_graph(
    nodes: Mapping[str, dict[str, Any]],
    relationships: Sequence[model.Relationship],
    attributes: Mapping[str, Any],
) -> nx.Graph:
    """``simple_graph(snapshot, directed=False)`` for the snapshot of these records, made
    from the records without the snapshot.

    The default network is every node with its ties merged per pair; building the snapshot
    first (a dict per relationship in Python) costs several times what the peers spend on
    the whole answer (bench/peers.py). Here a relationship costs two id lookups at C speed
    and the merge is numpy's, as in :func:`simple_graph`.

    Parameters
    ----------
    nodes : mapping
        The snapshot's node attributes by id, in id order (``graph.snapshot.node_table``).
    relationships : sequence of Relationship
        Every relationship; those with an end not in ``nodes`` are left out, as the
        snapshot leaves them out.
    attributes : mapping
        The graph attributes (the snapshot's ``revision`` and ``as_of``).

    Examples
    --------
    >>> from graph.model import Relationship, RelType
    >>> ties = [Relationship(f"r{i}", RelType.PARTNERS_IN, u, v, {})
    ...         for i, (u, v) in enumerate([("b", "a"), ("a", "b"), ("a", "c"), ("a", "x")])]
    >>> g = records_graph({"a": {}, "b": {}, "c": {}}, ties, {})
    >>> list(g.edges(data="relationships"))
    [('a', 'b', 2), ('a', 'c', 1)]
    """
    index = {v: i for i, v in enumerate(nodes)}
    m = len(relationships)
    code = index.get
    start = np.fromiter(map(code, map(_START, relationships), repeat(-1)), np.int64, m)
    end = np.fromiter(map(code, map(_END, relationships), repeat(-1)), np.int64, m)
    kept = (start >= 0) & (end >= 0)
    if not kept.all():
        start, end = start[kept], end[kept]
    n = max(len(nodes), 1)
    pairs, counts = np.unique(
        np.minimum(start, end) * n + np.maximum(start, end), return_counts=True
    )
    return pair_graph(
        dict(nodes),
        directed=False,
        src=pairs // n,
        dst=pairs % n,
        relationships=counts.astype(np.int64),
        attributes=attributes,
        index=index,
    )


def canonical(graph: nx.Graph) -> nx.Graph:
    """The same simple graph with nodes and edges in id order, frozen.

    Seeded methods depend on node order: sampled betweenness draws sources from
    ``list(G)`` and Louvain visits nodes in a seeded permutation of it. The stores list
    nodes in different orders (insertion order, or Neo4j's paging order), so without this
    the same question could get a different estimate or partition from each store.

    Examples
    --------
    >>> import networkx as nx
    >>> g = canonical(nx.Graph([("b", "a"), ("c", "a")]))
    >>> list(g), list(g.edges()), nx.is_frozen(g)
    (['a', 'b', 'c'], [('a', 'b'), ('a', 'c')], True)
    """
    ordered = graph.__class__()
    ordered.graph.update(graph.graph)
    ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: str(item[0])))
    if graph.is_directed():
        edges = sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))
    else:  # an undirected edge may come out either way round: order it first
        ends = ((*sorted((u, v), key=str), d) for u, v, d in graph.edges(data=True))
        edges = sorted(ends, key=lambda e: (str(e[0]), str(e[1])))
    ordered.add_edges_from(edges)
    return nx.freeze(ordered)


ACTOR_ITEMS: Final = "actor_items"
"""Key, in a co-partnership projection's ``graph`` attributes, of its :class:`ActorItems`."""

_OPEN: Final = date.max.toordinal() + 1
"""End day of an engagement that has not ended: later than any real end, so that the earlier
of two ends is a plain minimum."""


@dataclass(frozen=True, eq=False)
class ActorItems:
    """The engagement a co-partnership projection was built from: which programmes and
    activities each of its actors is engaged in, as the projection counted them.

    Ties do not list the items they run through: at 20,000 actors that is 27 million tuples.
    What a tie runs through is read from this instead, which costs memory per engagement,
    not per tie (:func:`analytics.resilience.what_if` cuts the ties of an ended programme
    with it). Row ``k`` says that ``actors[actor[k]]`` is engaged in ``items[item[k]]``; rows
    are distinct, sorted by item then actor. ``actors`` are the projection's nodes, in order.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for actor, item in [("a", "p"), ("b", "p"), ("a", "q"), ("b", "q"), ("a", "r")]:
    ...     g.add_node(actor, kind="Company")
    ...     _ = g.add_edge(actor, item, type="PARTNERS_IN")
    >>> co_partnership(g).graph[ACTOR_ITEMS].shared_by("a", "b")
    ('p', 'q')
    """

    actors: tuple[Hashable, ...]
    items: tuple[Hashable, ...]
    actor: IntArray
    item: IntArray

    @cached_property
    def _index(self) -> dict[Hashable, int]:
        return {v: i for i, v in enumerate(self.actors)}

    def shared_by(self, a: Hashable, b: Hashable) -> tuple[Hashable, ...]:
        """The items two actors are both engaged in, sorted by id: what their tie runs
        through (the ``items`` ties used to carry)."""
        index = self._index
        if a not in index or b not in index:
            return ()
        both = np.intersect1d(self.item[self.actor == index[a]], self.item[self.actor == index[b]])
        return tuple(sorted((self.items[i] for i in both.tolist()), key=str))


def _engagements(
    graph: nx.MultiDiGraph,
    as_of: date | None,
    roles: Collection[str] | None,
    relationship_types: Iterable[str],
    actor_kinds: Collection[str],
) -> tuple[list[Hashable], list[Hashable], IntArray, IntArray, date | None]:
    """The engagements counted, one per relationship: actors, items, item codes (items are
    numbered as first met, the order weights are summed in), end days (:data:`_OPEN` when
    open) and the newest date among them.

    The one per-relationship pass in Python: everything after it is on arrays.
    """
    types = set(relationship_types)
    kinds = graph.nodes
    actors: list[Hashable] = []
    codes: list[int] = []
    ends: list[int] = []
    item_no: dict[Hashable, int] = {}
    newest: date | None = None
    for actor, item, data in graph.edges(data=True):
        if data.get("type") not in types or kinds[actor].get("kind") not in actor_kinds:
            continue
        if roles is not None and data.get("role") not in roles:
            continue
        since = as_date(data.get("since"))
        if as_of is not None and since is not None and since > as_of:
            continue
        until = as_date(data.get("until"))
        for bound in (since, until):
            if bound is not None and (newest is None or bound > newest):
                newest = bound
        actors.append(actor)
        codes.append(item_no.setdefault(item, len(item_no)))
        ends.append(_OPEN if until is None else until.toordinal())
    return (
        actors,
        list(item_no),
        np.array(codes, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        newest,
    )


def co_partnership_cost(
    graph: nx.MultiDiGraph,
    *,
    roles: Collection[str] | None = None,
    relationship_types: Iterable[str] = ENGAGEMENT_TYPES,
    actor_kinds: Collection[str] = ACTOR_KINDS,
) -> int:
    """Work units of :func:`co_partnership` with the same arguments: :data:`PAIR_COST` per
    pair of engagements of one item, an upper bound on the ties the projection examines,
    found in one pass over the edges (dates are not read).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for actor in ("a", "b", "c"):
    ...     _ = g.add_node(actor, kind="Company")
    ...     _ = g.add_edge(actor, "p", type="PARTNERS_IN", role="FUNDING")
    >>> co_partnership_cost(g) == 3 * PAIR_COST
    True
    """
    kinds = graph.nodes
    actors = set(actor_kinds)
    types = set(relationship_types)
    wanted = None if roles is None else set(roles)
    engaged: Counter[Hashable] = Counter()
    for u, v, d in graph.edges(data=True):
        if (
            d.get("type") in types
            and kinds[u].get("kind") in actors
            and (wanted is None or d.get("role") in wanted)
        ):
            engaged[v] += 1
    return PAIR_COST * sum(k * (k - 1) // 2 for k in engaged.values())


def _pairs(sizes: IntArray) -> tuple[IntArray, IntArray]:
    """Every pair ``p < q`` of rows within each group of consecutive rows (groups of
    ``sizes``): how many pairs each row ``p`` starts, and each pair's ``q``, pairs ordered by
    ``p`` then ``q``. Groups of ``k`` rows make ``k (k - 1) / 2`` pairs."""
    total = int(sizes.sum())
    rank = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    count = np.repeat(sizes, sizes) - 1 - rank  # the rows after p in its group
    begin = np.cumsum(count) - count  # where p's pairs begin
    # q runs up from p + 1, one per pair: an arange shifted by a per-row offset
    later = np.repeat(np.arange(1, total + 1, dtype=np.int64) - begin, count)
    later += np.arange(later.size, dtype=np.int64)
    return count, later


def _ties(
    actor: IntArray, sizes: IntArray, value: FloatArray | None, level: IntArray, n: int
) -> tuple[IntArray, IntArray, IntArray, FloatArray]:
    """Merge the pairs of actors of every item into ties: ends, shared items and weight.

    ``actor`` lists each item's actors (groups of ``sizes``, items in weight order, actors
    ascending); ``value[l]`` is what a shared item adds when the earlier of its two ends has
    ``level`` ``l``, or ``None`` to count items. Ties come sorted by ``(src, dst)`` with
    ``src < dst``, the canonical order. A tie's contributions are added in item order (the
    sort is stable), so the weight is the sum the definition spells out, to the bit.
    """
    count, later = _pairs(sizes)
    key = np.repeat(actor * n, count)
    key += actor[later]
    if value is not None:
        joint = np.repeat(level, count)
        np.minimum(joint, level[later], out=joint)
    del later
    if value is None:
        key.sort(kind="stable")
    else:
        # Each item's pairs come out sorted already: the sort merges one run per item.
        order = np.argsort(key, kind="stable")
        key = key[order]
        contribution = value[joint[order]]
        del joint, order
    new = np.empty(key.size, dtype=np.bool_)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    first = np.flatnonzero(new)
    shared = np.diff(first, append=key.size)
    if value is None:
        weight = shared.astype(np.float64)
    else:
        tie = np.cumsum(new) - 1  # bincount adds in array order: item order within a tie
        weight = np.asarray(
            np.bincount(tie, weights=contribution, minlength=first.size), np.float64
        )
    src, dst = np.divmod(key[first], max(n, 1))
    return src, dst, shared, weight


def _edge_rows(
    nodes: tuple[Hashable, ...], src: IntArray, dst: IntArray, weight: FloatArray, shared: IntArray
) -> Iterator[tuple[Hashable, Hashable, dict[str, Any]]]:
    """``(u, v, attributes)`` for ``add_edges_from``, converted to Python a slice at a time:
    converting all at once would hold four lists of Python numbers as long as the ties (about
    3 GB at 27 million ties) while networkx builds."""
    step = 1 << 16
    for lo in range(0, src.size, step):
        hi = lo + step
        ties = zip(weight[lo:hi].tolist(), shared[lo:hi].tolist(), strict=True)
        yield from zip(
            map(nodes.__getitem__, src[lo:hi].tolist()),
            map(nodes.__getitem__, dst[lo:hi].tolist()),
            ({"weight": w, "shared": k} for w, k in ties),
            strict=True,
        )


def co_partnership(
    graph: nx.MultiDiGraph,
    *,
    as_of: date | str | None = None,
    half_life_years: float | None = None,
    roles: Collection[str] | None = None,
    relationship_types: Iterable[str] = ENGAGEMENT_TYPES,
    actor_kinds: Collection[str] = ACTOR_KINDS,
    budget: int | None = None,
) -> nx.Graph:
    """Actor-to-actor network: two actors are tied when they share programmes or activities.

    This is the network in which brokerage and communities among partners are visible:
    the snapshot itself is bipartite (actors point at programmes), so actor centrality
    has to be read on this projection.

    Weight formula. For each programme or activity ``i`` that actors ``a`` and ``b``
    are both engaged in (through ``relationship_types``, with a listed role), the tie
    gains ``2 ** (-age_i / half_life) = exp(-ln 2 * age_i / half_life)``, where
    ``age_i`` is the time in years (365.25 days) from the end of their joint engagement
    (the earlier of the two engagements' latest ``until``; open engagements have not
    ended) to the reference date, floored at 0. The reference date is ``as_of`` or, if
    that is not given, the newest ``since``/``until`` date among the engagements, so the
    result never depends on the clock. With ``half_life_years=None`` every shared item
    counts 1 and the weight is the number of shared items. Several relationships of one
    actor to one item (two roles, say) count once.

    The pairs are made and merged by numpy on integer codes, not one by one in Python, and
    the result comes in canonical order, so that :func:`canonical` of it is the same graph
    and need not be taken; the backends' views of it (``weight`` and unweighted) come with
    it. At 2,000 actors (551,000 pairs) that is 0.5 s instead of 3 s; what is left is
    networkx storing the ties.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A snapshot, possibly filtered by :func:`filter_snapshot`.
    as_of : date or str, optional
        The network as known on this date: engagements begun by then count, those
        already ended decayed by their age; also the reference date for ages. (To
        keep only engagements valid on the day, filter the snapshot first with
        :func:`filter_snapshot`.)
    half_life_years : float, optional
        Years after which a shared item counts half; ``None`` disables decay.
    roles : collection of str, optional
        Only engagements with these roles (e.g. ``{"IMPLEMENTING", "CO_DESIGN"}``).
    relationship_types : iterable of str
        Engagement relationships, by default ``PARTNERS_IN`` and ``PARTICIPATED_IN``.
    actor_kinds : collection of str
        Kinds of node counted as actors.
    budget : int, optional
        Largest acceptable :func:`co_partnership_cost`; ``None`` disables it.

    Returns
    -------
    networkx.Graph
        Frozen, undirected, in canonical order (nodes by id, each tie ``(u, v)`` with
        ``u < v``, ties by ``(u, v)``). Nodes (with their attributes), tied or not: every
        node of ``graph`` whose ``kind`` is in ``actor_kinds`` and that exists on ``as_of``
        (its own ``since``/``until`` hold that day; every one without ``as_of``), and every
        actor with an engagement counted above. An actor with no engagement in scope is an
        isolate, not left out: it counts in ``n``, components and isolates. Edges:
        ``weight`` (the decayed sum) and ``shared`` (number of shared items). Path measures
        read ``weight`` as strength and use ``distance = 1 / weight``. Which items a tie
        shares is in the graph attribute :data:`ACTOR_ITEMS` (an :class:`ActorItems`).

    Raises
    ------
    AnalysisTooLarge
        If the projection would cost more than ``budget`` (:func:`co_partnership_cost`).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for actor in ("b", "a"):
    ...     g.add_node(actor, kind="Company")
    >>> g.add_node("p", kind="Programme")
    >>> _ = g.add_edge("a", "p", type="PARTNERS_IN", role="FUNDING",
    ...                since="2018-01-01", until="2020-01-01")
    >>> _ = g.add_edge("b", "p", type="PARTNERS_IN", role="IMPLEMENTING",
    ...                since="2018-01-01", until="2024-01-01")
    >>> co = co_partnership(g, half_life_years=2.0)  # reference 2024-01-01
    >>> list(co.edges(data=True))  # joint work ended 4 years earlier
    [('a', 'b', {'weight': 0.25, 'shared': 1})]
    >>> co.graph[ACTOR_ITEMS].shared_by("a", "b")
    ('p',)
    >>> co_partnership(g, as_of="2019-06-30", half_life_years=2.0)["a"]["b"]["weight"]
    1.0
    >>> g.add_node("c", kind="Company")  # engaged in nothing: an isolate
    >>> list(co_partnership(g)), co_partnership(g).degree("c")
    (['a', 'b', 'c'], 0)
    """
    if half_life_years is not None and half_life_years <= 0:
        raise ValueError("half_life_years must be positive")
    types = tuple(relationship_types)
    if budget is not None:
        cost = co_partnership_cost(
            graph, roles=roles, relationship_types=types, actor_kinds=actor_kinds
        )
        if cost > budget:
            raise AnalysisTooLarge(
                "the co-partnership projection",
                cost,
                budget,
                "narrow it with roles, relationship types, kinds, regions or themes",
            )
    when = as_date(as_of)
    engaged, items, item, end, newest = _engagements(graph, when, roles, types, actor_kinds)
    reference = when or newest
    wanted = set(actor_kinds)
    present = dict.fromkeys(
        v for v, d in graph.nodes(data=True) if d.get("kind") in wanted and edge_valid(d, when)
    )
    present.update(dict.fromkeys(engaged))
    nodes = tuple(sorted(present, key=str))  # as canonical() orders them
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    actor = np.fromiter((index[v] for v in engaged), dtype=np.int64, count=len(engaged))

    # One row per (item, actor), items in weight order and actors ascending; the latest end.
    order = np.lexsort((actor, item))
    item, actor, end = item[order], actor[order], end[order]
    first = np.flatnonzero(np.diff(item, prepend=-1) | np.diff(actor, prepend=-1))
    item, actor = item[first], actor[first]
    end = np.maximum.reduceat(end, first) if first.size else end
    sizes = np.bincount(item, minlength=len(items)).astype(np.int64)

    days, level = np.unique(end, return_inverse=True)
    value = None
    if half_life_years is not None and reference is not None:
        value = np.array(
            [
                _decay(
                    None if day == _OPEN else date.fromordinal(day),
                    None,
                    reference,
                    half_life_years,
                )
                for day in days.tolist()
            ],
            dtype=np.float64,
        )
    src, dst, shared, weight = _ties(actor, sizes, value, level.reshape(-1).astype(np.int32), n)

    result = nx.Graph()
    result.graph[ACTOR_ITEMS] = ActorItems(nodes, tuple(items), actor, item)
    attrs = graph.nodes
    result.add_nodes_from((v, attrs[v]) for v in nodes)
    result.add_edges_from(_edge_rows(nodes, src, dst, weight, shared))
    frozen = nx.freeze(result)
    views: dict[str | None, IndexedGraph] = {
        None: IndexedGraph(nodes, False, src, dst, np.ones(src.size))
    }
    if bool(np.all(np.isfinite(weight) & (weight > 0))):  # else indexed() refuses it, as it should
        views["weight"] = IndexedGraph(nodes, False, src, dst, weight)
    seed_views(frozen, views)
    return frozen


def _decay(
    end_a: date | None, end_b: date | None, reference: date | None, half_life: float | None
) -> float:
    """What one shared item adds to a tie: the weight rule of :func:`co_partnership`, the one
    place it is written. The projection evaluates it once per distinct end day."""
    if half_life is None or reference is None:
        return 1.0
    ends = [end for end in (end_a, end_b) if end is not None]
    if not ends:
        return 1.0
    age_years = max(0.0, (reference - min(ends)).days / _DAYS_PER_YEAR)
    return float(2.0 ** (-age_years / half_life))
