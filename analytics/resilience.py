"""Resilience: which actors the partnership network cannot afford to lose, and what if it did.

Two kinds of single point of failure, because a network can fail in two ways:

* **Structural**: an actor whose removal splits the network, so that partners who could
  reach each other through chains of partnerships no longer can. These are the
  articulation points among actors. Each comes with what it holds together: how many
  nodes and actors end up outside the largest remaining piece of its component.
* **Coverage**: an actor that is the only partner engaged in some (region, thematic area)
  cell, so that its departure leaves the cell with no partner at all. Cells follow the
  coverage attribution of :mod:`analytics.coverage` (an :class:`EngagementIndex`, a
  :class:`Window` and a geography basis), so a cell with one partner here is a cell with
  ``partners == 1`` in the coverage matrix grouped by region and theme. Cells whose region
  or theme is Unspecified are not cells of any place or theme and are left out.

:func:`what_if` removes a set of nodes and reports the change in components, reach (pairs
of actors still joined by some path) and covered cells. Removing a node removes the engagement
that runs through it: an actor's partnerships and participations, a programme's partnerships
and its activities (with their participations), an activity's participations. Cells are read
at the level of engagements (:class:`CellEngagements`), so a cell is lost when it had an
engagement before and has none after, whichever of those removals took the last one.

Connectivity is undirected and ignores self-loops and parallel edges: a partnership ties
both ends whichever way it points. Every function is linear in the size of the graph (one
block decomposition, or one scipy components pass), so they run on the 1M-relationship graph.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from analytics._fast import IndexedGraph, IntArray, indexed
from analytics.blocks import blocks
from analytics.coverage import (
    GEO,
    THEME,
    UNSPECIFIED,
    EngagementIndex,
    GeographyBasis,
    Window,
)
from analytics.projection import ACTOR_ITEMS, ACTOR_KINDS, ActorItems

__all__ = [
    "BridgeImpact",
    "Cell",
    "CellEngagements",
    "CutImpact",
    "Reach",
    "SinglePoint",
    "WhatIf",
    "bridge_impacts",
    "cell_engagements",
    "cell_partners",
    "cut_vertices",
    "programme_activities",
    "ranked_cut_vertices",
    "reach",
    "single_points_of_failure",
    "what_if",
]

Cell = tuple[str, str]
"""A coverage cell: (M49 region name, thematic area id)."""

#: Level of a region in the coverage geography tree.
_REGION_LEVEL: Final = 1

#: No tie cut (node index pairs).
_NO_TIES: Final[IntArray] = np.zeros((0, 2), dtype=np.int64)


# --------------------------------------------------------------------------- helpers


def _actor_mask(
    graph: nx.Graph, nodes: tuple[Hashable, ...], kinds: Collection[str] | None
) -> list[int]:
    """1 for nodes counted as actors (``kinds=None``: every node), else 0."""
    if kinds is None:
        return [1] * len(nodes)
    attrs = graph.nodes
    return [1 if attrs[v].get("kind") in kinds else 0 for v in nodes]


# --------------------------------------------------------------------------- cut vertices


@dataclass(frozen=True)
class CutImpact:
    """What removing one node does to its component.

    Attributes
    ----------
    node : hashable
        The node.
    pieces : int
        Components its component falls into without it (at least 2: it is a cut vertex).
    cut_off_nodes, cut_off_actors : int
        Nodes and actors outside the largest of those pieces (by nodes, then actors):
        those who lose their connection to the bulk of their network.
    """

    node: Hashable
    pieces: int
    cut_off_nodes: int
    cut_off_actors: int


def cut_vertices(
    graph: nx.Graph, *, actor_kinds: Collection[str] | None = ACTOR_KINDS
) -> dict[Hashable, CutImpact]:
    """Every articulation point, with the pieces its removal leaves.

    The graph's blocks (:mod:`analytics.blocks`) give them all and the size of every piece,
    so the impact of all cut vertices costs one linear pass instead of one components
    computation per candidate.

    Parameters
    ----------
    graph : networkx.Graph
        Any graph; directions, self-loops and parallel edges are ignored.
    actor_kinds : collection of str, optional
        Node ``kind`` values counted as actors in ``cut_off_actors``; ``None`` counts every
        node (e.g. on a co-partnership projection without kinds).

    Returns
    -------
    dict
        Node id to :class:`CutImpact`, for exactly the nodes of
        ``networkx.articulation_points`` (of the undirected graph).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "hub"), ("b", "hub"), ("hub", "c"), ("c", "d")])
    >>> impact = cut_vertices(g, actor_kinds=None)
    >>> sorted(impact), impact["hub"].pieces, impact["hub"].cut_off_nodes
    (['c', 'hub'], 3, 2)
    """
    found = blocks(graph)
    nodes = found.nodes
    actor = np.asarray(_actor_mask(graph, nodes, actor_kinds), dtype=np.int64)
    cut, pieces, nodes_out, actors_out = found.cut_off(actor)
    return {
        nodes[v]: CutImpact(nodes[v], p, n_out, a_out)
        for v, p, n_out, a_out in zip(
            cut.tolist(), pieces.tolist(), nodes_out.tolist(), actors_out.tolist(), strict=True
        )
    }


def ranked_cut_vertices(
    graph: nx.Graph, *, actor_kinds: Collection[str] | None = ACTOR_KINDS
) -> list[CutImpact]:
    """:func:`cut_vertices`, those cutting off most actors first, then most nodes, then by id.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "hub"), ("b", "hub"), ("hub", "c"), ("c", "d")])
    >>> [(c.node, c.cut_off_actors) for c in ranked_cut_vertices(g, actor_kinds=None)]
    [('hub', 2), ('c', 1)]
    """
    found = cut_vertices(graph, actor_kinds=actor_kinds).values()
    return sorted(found, key=lambda c: (-c.cut_off_actors, -c.cut_off_nodes, str(c.node)))


@dataclass(frozen=True)
class BridgeImpact:
    """A link whose removal splits its component in two.

    Attributes
    ----------
    ends : tuple
        The two nodes, sorted by id.
    cut_off_nodes, cut_off_actors : int
        Size of the smaller side (by nodes, then actors) and the actors on it.
    """

    ends: tuple[Hashable, Hashable]
    cut_off_nodes: int
    cut_off_actors: int


def bridge_impacts(
    graph: nx.Graph, *, actor_kinds: Collection[str] | None = ACTOR_KINDS
) -> list[BridgeImpact]:
    """Every bridge, with the size of the side it cuts off.

    Returns
    -------
    list of BridgeImpact
        Exactly the links of ``networkx.bridges`` (undirected, parallel edges merged),
        largest cut-off side first, then by end ids.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")])
    >>> [(b.ends, b.cut_off_nodes) for b in bridge_impacts(g, actor_kinds=None)]
    [(('c', 'd'), 2), (('d', 'e'), 1)]
    """
    found = blocks(graph)
    nodes = found.nodes
    actor = np.asarray(_actor_mask(graph, nodes, actor_kinds), dtype=np.int64)
    ends, nodes_off, actors_off = found.bridge_sides(actor)
    out: list[BridgeImpact] = []
    for (u, v), n_off, a_off in zip(
        ends.tolist(), nodes_off.tolist(), actors_off.tolist(), strict=True
    ):
        a, b = sorted((nodes[u], nodes[v]), key=str)
        out.append(BridgeImpact((a, b), n_off, a_off))
    out.sort(key=lambda x: (-x.cut_off_nodes, -x.cut_off_actors, str(x.ends[0]), str(x.ends[1])))
    return out


# --------------------------------------------------------------------------- reach


@dataclass(frozen=True)
class Reach:
    """How connected a network is.

    Attributes
    ----------
    nodes, actors : int
        Nodes, and actors among them.
    components : int
        Connected components (isolated nodes included).
    largest_component, actors_in_largest : int
        Nodes of the largest component (ties: more actors, then smallest id) and its actors.
    connected_actor_pairs : int
        Unordered pairs of actors joined by some path: ``sum a_c (a_c - 1) / 2`` over
        components with ``a_c`` actors. Reach in one number: it falls by the number of
        partnerships of ideas, referrals and joint work that can no longer happen.
    """

    nodes: int
    actors: int
    components: int
    largest_component: int
    actors_in_largest: int
    connected_actor_pairs: int


def _without_ties(view: IndexedGraph, ties: IntArray) -> Any:
    """The loop-free adjacency of ``view`` without the undirected ``ties`` (rows of two node
    indices of ``view``)."""
    matrix = view.csr("one", loops=False)
    if not ties.size:
        return matrix
    n = max(view.n, 1)
    cut = np.concatenate([ties[:, 0] * n + ties[:, 1], ties[:, 1] * n + ties[:, 0]])
    src, dst, val = view.arcs("one", loops=False)
    keep = ~np.isin(src * n + dst, cut)
    kept = sp.csr_array((val[keep], (src[keep], dst[keep])), shape=(view.n, view.n))
    kept.sum_duplicates()
    return kept


def _components(
    graph: nx.Graph,
    removed: Collection[Hashable],
    actor_kinds: Collection[str] | None,
    cut_ties: IntArray = _NO_TIES,
) -> tuple[tuple[Hashable, ...], np.ndarray, IntArray, IntArray, Reach]:
    """Components of the graph without ``removed`` nodes and ``cut_ties`` (node index pairs of
    ``indexed(graph)``): node order, labels (-1 for removed nodes), sizes, actor counts, and
    the reach."""
    view = indexed(graph).undirected()
    nodes = view.nodes
    index = view.index()
    keep = np.ones(view.n, dtype=np.bool_)
    for v in removed:
        if v in index:
            keep[index[v]] = False
    actor = np.asarray(_actor_mask(graph, nodes, actor_kinds), dtype=np.int64)
    kept = np.flatnonzero(keep)
    matrix = _without_ties(view, cut_ties)[kept][:, kept]
    count, sub_labels = (
        csgraph.connected_components(matrix, directed=False) if kept.size else (0, kept)
    )
    labels = np.full(view.n, -1, dtype=np.int64)
    labels[kept] = sub_labels
    sizes = np.bincount(sub_labels, minlength=count).astype(np.int64)
    actors = np.bincount(sub_labels, weights=actor[kept], minlength=count).astype(np.int64)
    largest = _largest_label(nodes, kept, sub_labels, sizes, actors)
    reach = Reach(
        nodes=int(kept.size),
        actors=int(actor[kept].sum()),
        components=int(count),
        largest_component=int(sizes[largest]) if count else 0,
        actors_in_largest=int(actors[largest]) if count else 0,
        connected_actor_pairs=int((actors * (actors - 1) // 2).sum()),
    )
    return nodes, labels, sizes, actors, reach


def _largest_label(
    nodes: tuple[Hashable, ...], kept: IntArray, labels: IntArray, sizes: IntArray, actors: IntArray
) -> int:
    """The largest component: most nodes, then most actors, then the smallest member id."""
    if not sizes.size:
        return -1
    smallest: dict[int, str] = {}
    for i, label in zip(kept.tolist(), labels.tolist(), strict=True):
        name = str(nodes[i])
        if label not in smallest or name < smallest[label]:
            smallest[label] = name
    return min(range(sizes.size), key=lambda c: (-int(sizes[c]), -int(actors[c]), smallest[c]))


def reach(
    graph: nx.Graph,
    *,
    removed: Collection[Hashable] = (),
    actor_kinds: Collection[str] | None = ACTOR_KINDS,
) -> Reach:
    """Components and reach of the graph, optionally without some nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> r = reach(g, actor_kinds=None)
    >>> r.components, r.largest_component, r.connected_actor_pairs
    (2, 3, 4)
    >>> reach(g, removed={"b"}, actor_kinds=None).connected_actor_pairs
    1
    """
    return _components(graph, removed, actor_kinds)[4]


# --------------------------------------------------------------------------- coverage cells


def _explode(ptr: IntArray, values: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """For each position in ``rows`` (rows of a CSR), one output per value of its row."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    pos = np.repeat(np.arange(rows.size, dtype=np.int64), counts)
    offsets = np.arange(pos.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return pos, values[starts[pos] + offsets]


@dataclass(frozen=True, eq=False)
class CellEngagements:
    """The engagements attributed to each (region, thematic area) cell, in columns.

    Row ``i`` says that actor ``actor_ids[actor[i]]`` is engaged in cell ``cells[cell[i]]``
    through the programme or activity ``item_ids[item[i]]`` (a partnership in a programme or
    a participation in an activity). Rows are distinct; a cell is *covered* when it has a
    row. This is what a removal acts on: removing an actor or an item removes its rows, and a
    cell is lost when it had rows and has none left (:meth:`lost`).

    Examples
    --------
    >>> cells = CellEngagements.of([(("Asia", "t"), "a", "p"), (("Asia", "t"), "b", "p"),
    ...                             (("Asia", "u"), "b", "q")])
    >>> cells.partners()[("Asia", "t")] == {"a", "b"}
    True
    >>> cells.lost({"p"}), cells.lost({"a"})  # a programme's end empties a cell; "b" stays
    ((('Asia', 't'),), ())
    """

    cells: tuple[Cell, ...]
    cell: IntArray
    actor: IntArray
    item: IntArray
    actor_ids: tuple[str, ...]
    item_ids: tuple[str, ...]

    @classmethod
    def of(cls, rows: Iterable[tuple[Cell, str, str]]) -> CellEngagements:
        """From ``(cell, actor, item)`` triples (hand-built networks, tests)."""
        triples = sorted(set(rows))
        cells = tuple(sorted({c for c, _, _ in triples}))
        actor_ids = tuple(sorted({a for _, a, _ in triples}))
        item_ids = tuple(sorted({i for _, _, i in triples}))
        at = ({c: n for n, c in enumerate(cells)}, {a: n for n, a in enumerate(actor_ids)})
        items = {i: n for n, i in enumerate(item_ids)}

        def column(values: Iterable[int]) -> IntArray:
            return np.fromiter(values, dtype=np.int64, count=len(triples))

        return cls(
            cells,
            column(at[0][c] for c, _, _ in triples),
            column(at[1][a] for _, a, _ in triples),
            column(items[i] for _, _, i in triples),
            actor_ids,
            item_ids,
        )

    @cached_property
    def _actor_no(self) -> dict[Hashable, int]:
        return {a: n for n, a in enumerate(self.actor_ids)}

    @cached_property
    def _item_no(self) -> dict[Hashable, int]:
        return {i: n for n, i in enumerate(self.item_ids)}

    def partners(self) -> dict[Cell, frozenset[str]]:
        """The distinct actors engaged in each covered cell, by cell (sorted)."""
        found: dict[int, set[str]] = {}
        if self.cell.size:
            cells, actors = np.unique(np.stack([self.cell, self.actor]), axis=1)
            for c, a in zip(cells.tolist(), actors.tolist(), strict=True):
                found.setdefault(c, set()).add(self.actor_ids[a])
        return {self.cells[c]: frozenset(found[c]) for c in sorted(found)}

    def covered(self) -> int:
        """Cells with at least one engagement."""
        return int(np.unique(self.cell).size)

    def lost(self, remove: Collection[Hashable]) -> tuple[Cell, ...]:
        """Cells whose every engagement is by an actor or through an item in ``remove``."""
        actors = [self._actor_no[v] for v in remove if v in self._actor_no]
        items = [self._item_no[v] for v in remove if v in self._item_no]
        if not actors and not items:
            return ()
        gone = np.isin(self.actor, actors) | np.isin(self.item, items)
        left = np.setdiff1d(np.unique(self.cell), np.unique(self.cell[~gone]))
        return tuple(self.cells[c] for c in left.tolist())


def cell_engagements(
    index: EngagementIndex,
    window: Window,
    basis: GeographyBasis = GeographyBasis.PARTNER,
) -> CellEngagements:
    """The engagements attributed to each (region, thematic area) cell.

    Attribution and window are those of the coverage matrix (docs/COVERAGE.md): a
    partnership counts when valid on some day of the window, a participation when the
    activity was held in it (an as-of window looks back a year for activities); the region
    is the partner's (``PARTNER``) or the targeted states' (``TARGET``); themes are those the
    programme or activity addresses, activities inheriting their programme's. Cells with an
    Unspecified region or theme are left out.

    Returns
    -------
    CellEngagements
        One row per distinct (cell, actor, programme or activity); the partners of a cell
        are the distinct actors of its rows, exactly the coverage matrix's ``partners``.
    """
    wp0, wp1 = window.start.toordinal(), window.end.toordinal()
    part = index.e_participation
    lo = np.where(part, window.activity_start.toordinal(), wp0)
    e = np.flatnonzero((index.e_start <= wp1) & (index.e_end >= lo))
    pos, theme = _explode(index.theme_ptr, index.theme_idx, index.e_target[e])
    e = e[pos]
    geo_tree = index.trees[GEO]
    to_region = geo_tree.project(3, _REGION_LEVEL)
    if basis is GeographyBasis.TARGET:
        pos, country = _explode(index.target_ptr, index.target_idx, index.e_target[e])
        e, theme = e[pos], theme[pos]
        region = to_region[country]
    else:
        region = to_region[index.actor_country[index.e_actor[e]]]
    region_keys = geo_tree.keys[_REGION_LEVEL]
    theme_keys = index.trees[THEME].keys[1]
    known = (region != geo_tree.index[_REGION_LEVEL][UNSPECIFIED]) & (
        theme != index.trees[THEME].index[1][UNSPECIFIED]
    )
    rows = np.stack([region, theme, index.e_actor[e], index.e_target[e]])[:, known]
    rows = np.unique(rows, axis=1) if rows.shape[1] else rows
    pairs, cell = (
        np.unique(rows[:2], axis=1, return_inverse=True)
        if rows.shape[1]
        else (rows[:2], np.zeros(0, dtype=np.int64))
    )
    named = [(region_keys[r], theme_keys[t]) for r, t in pairs.T.tolist()]
    order = sorted(range(len(named)), key=named.__getitem__)
    renumber = np.empty(len(named), dtype=np.int64)
    renumber[order] = np.arange(len(named), dtype=np.int64)
    return CellEngagements(
        cells=tuple(named[i] for i in order),
        cell=renumber[np.asarray(cell, dtype=np.int64).reshape(-1)],
        actor=rows[2].astype(np.int64),
        item=rows[3].astype(np.int64),
        actor_ids=index.actor_ids,
        item_ids=index.target_ids,
    )


def cell_partners(
    index: EngagementIndex,
    window: Window,
    basis: GeographyBasis = GeographyBasis.PARTNER,
) -> dict[Cell, frozenset[str]]:
    """The distinct partners engaged in each (region, thematic area) cell.

    The partners of :func:`cell_engagements` (same attribution, window and basis): a cell
    has one partner here exactly when the coverage matrix shows ``partners == 1``.

    Returns
    -------
    dict
        Cell to the ids of its partners; cells with no partner are absent.
    """
    return cell_engagements(index, window, basis).partners()


def programme_activities(graph: nx.MultiDiGraph) -> dict[Hashable, tuple[Hashable, ...]]:
    """Each programme's activities (``PART_OF`` relationships of a snapshot), sorted by id.

    Removing a programme in :func:`what_if` removes these with it. Read it from the
    full-history snapshot: like coverage's classification, ``PART_OF`` says what an activity
    belongs to, not when.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("act-2", "prog", type="PART_OF")
    >>> _ = g.add_edge("act-1", "prog", type="PART_OF")
    >>> programme_activities(g)
    {'prog': ('act-1', 'act-2')}
    """
    found: dict[Hashable, set[Hashable]] = {}
    for activity, programme, kind in graph.edges(data="type"):
        if kind == "PART_OF":
            found.setdefault(programme, set()).add(activity)
    return {p: tuple(sorted(found[p], key=str)) for p in sorted(found, key=str)}


# --------------------------------------------------------------------------- single points


@dataclass(frozen=True)
class SinglePoint:
    """An actor the network cannot afford to lose, and why.

    Attributes
    ----------
    node : hashable
        The actor.
    cut : CutImpact or None
        Set when it is a cut vertex of the network (a structural single point of failure).
    sole_cells : tuple of Cell
        Cells in which it is the only partner, sorted.
    """

    node: Hashable
    cut: CutImpact | None
    sole_cells: tuple[Cell, ...]

    @property
    def cut_off_actors(self) -> int:
        return self.cut.cut_off_actors if self.cut else 0

    @property
    def cut_off_nodes(self) -> int:
        return self.cut.cut_off_nodes if self.cut else 0


def single_points_of_failure(
    graph: nx.Graph,
    cells: Mapping[Cell, Collection[Hashable]] | None = None,
    *,
    actor_kinds: Collection[str] | None = ACTOR_KINDS,
) -> list[SinglePoint]:
    """Actors whose removal disconnects part of the network or empties a coverage cell.

    Parameters
    ----------
    graph : networkx.Graph
        The network (any projection); only nodes whose ``kind`` is in ``actor_kinds``
        (every node if ``None``) can be single points of failure.
    cells : mapping, optional
        Partners per cell, from :func:`cell_partners`; a cell with exactly one partner makes
        that partner a single point of failure (whether or not it is in ``graph``).
    actor_kinds : collection of str, optional
        Kinds counted as actors.

    Returns
    -------
    list of SinglePoint
        Most actors cut off first, then most sole cells, then most nodes cut off, then id.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> spof = single_points_of_failure(g, {("Africa", "theme-x"): {"a"}}, actor_kinds=None)
    >>> [(s.node, s.cut_off_actors, s.sole_cells) for s in spof]
    [('b', 1, ()), ('a', 0, (('Africa', 'theme-x'),))]
    """
    cuts = cut_vertices(graph, actor_kinds=actor_kinds)
    if actor_kinds is not None:
        attrs = graph.nodes
        cuts = {v: c for v, c in cuts.items() if attrs[v].get("kind") in actor_kinds}
    sole: dict[Hashable, list[Cell]] = {}
    for cell, partners in (cells or {}).items():
        if len(partners) == 1:
            sole.setdefault(next(iter(partners)), []).append(cell)
    found = [
        SinglePoint(v, cuts.get(v), tuple(sorted(sole.get(v, ())))) for v in set(cuts) | set(sole)
    ]
    found.sort(key=lambda s: (-s.cut_off_actors, -len(s.sole_cells), -s.cut_off_nodes, str(s.node)))
    return found


# --------------------------------------------------------------------------- what if


@dataclass(frozen=True)
class WhatIf:
    """The network before and after removing some nodes.

    Attributes
    ----------
    removed : tuple
        Nodes asked for that the network holds (as nodes or, on a co-partnership
        projection, as a programme or activity some tie runs through, itself or through one
        of its activities), sorted by id.
    removed_activities : tuple
        Activities the network holds that went with a removed programme and were not asked
        for themselves, sorted by id.
    before, after : Reach
        Components and reach with and without them.
    stranded : tuple
        Remaining nodes that were in the largest component and no longer are, sorted by id.
    covered_before, covered_after : int
        Cells with at least one engagement, with and without them.
    lost_cells : tuple of Cell
        Cells that had an engagement and have none left, sorted.
    """

    removed: tuple[Hashable, ...]
    removed_activities: tuple[Hashable, ...]
    before: Reach
    after: Reach
    stranded: tuple[Hashable, ...]
    covered_before: int
    covered_after: int
    lost_cells: tuple[Cell, ...]


def _largest_members(
    nodes: tuple[Hashable, ...], labels: IntArray, sizes: IntArray, actors: IntArray
) -> set[int]:
    kept = np.flatnonzero(labels >= 0)
    largest = _largest_label(nodes, kept, labels[kept], sizes, actors)
    return set() if largest < 0 else set(np.flatnonzero(labels == largest).tolist())


def _ties_through(graph: nx.Graph, gone: Collection[Hashable]) -> tuple[IntArray, set[Hashable]]:
    """Ties whose every shared item is in ``gone``, as node index pairs of ``indexed(graph)``,
    and the items of ``gone`` some tie runs through.

    Only a co-partnership projection has such ties, and they do not list their items: these
    are read from the engagement it was built from (its :class:`ActorItems`), restricted to
    the actors of the removed items. A tie goes when its two actors share a removed item and
    no other: two sparse products over those actors only, so the work follows the ties among
    them, not the size of the projection (ties do not list their items: at 20,000 actors
    that would be 27 million tuples).
    """
    engaged = graph.graph.get(ACTOR_ITEMS)
    if not isinstance(engaged, ActorItems):
        return _NO_TIES, set()
    item_no = {v: i for i, v in enumerate(engaged.items)}
    removed = np.zeros(len(engaged.items), dtype=np.bool_)
    removed[[item_no[v] for v in gone if v in item_no]] = True
    hit = removed[engaged.item]
    if not hit.any():
        return _NO_TIES, set()
    partners = np.bincount(engaged.item[hit], minlength=removed.size)
    used = {engaged.items[i] for i in np.flatnonzero(partners > 1).tolist()}
    touched = np.unique(engaged.actor[hit])
    rows = np.isin(engaged.actor, touched)
    actor = np.searchsorted(touched, engaged.actor[rows])
    item = engaged.item[rows]
    through = removed[item]

    def incidence(which: np.ndarray) -> Any:
        ones = np.ones(int(which.sum()), dtype=np.int64)
        return sp.csr_array((ones, (actor[which], item[which])), shape=(touched.size, removed.size))

    ended, kept = incidence(through), incidence(~through)
    pairs = sp.triu(ended @ ended.T, k=1, format="coo")
    a, b = pairs.row.astype(np.int64), pairs.col.astype(np.int64)
    only = (kept @ kept.T)[a, b] == 0 if a.size else np.zeros(0, dtype=np.bool_)
    index = indexed(graph).index()
    position = np.array([index.get(engaged.actors[i], -1) for i in touched.tolist()], np.int64)
    cut = np.stack([position[a[only]], position[b[only]]], axis=1)
    return cut[(cut >= 0).all(axis=1)], used


def what_if(
    graph: nx.Graph,
    remove: Iterable[Hashable],
    cells: CellEngagements | None = None,
    *,
    actor_kinds: Collection[str] | None = ACTOR_KINDS,
    activities: Mapping[Hashable, Collection[Hashable]] | None = None,
) -> WhatIf:
    """What the network loses without some nodes: components, reach, covered cells.

    Removing a node removes the engagement that runs through it. An actor takes its
    partnerships and participations with it; a programme its partnerships and, with
    ``activities``, its activities and their participations (a programme that ends ends its
    events); an activity its participations. Other nodes (thematic areas, outcomes) leave
    the network's structure but no engagement. On the graph, the removed nodes go (a
    programme's activities too) and so do the ties that ran only through removed
    programmes or activities (a co-partnership tie whose every shared item is removed). In
    the cells, every engagement by a removed actor or with a removed programme or activity
    goes, and a cell is lost when it had an engagement and has none left: a programme's end
    empties the cells only it served, however many partners it had.

    Parameters
    ----------
    graph : networkx.Graph
        The network (a collapsed snapshot, or a co-partnership projection: what its ties
        run through is read from its :class:`~analytics.projection.ActorItems`).
    remove : iterable
        Ids to take out, of any kind. Ids the graph does not hold still remove their
        engagement from the cells.
    cells : CellEngagements, optional
        Engagements per cell, from :func:`cell_engagements`.
    actor_kinds : collection of str, optional
        Kinds counted as actors (``None``: every node).
    activities : mapping, optional
        Each programme's activities (:func:`programme_activities`), removed with it.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> cells = CellEngagements.of([(("Asia", "t"), "b", "p"), (("Asia", "u"), "a", "p"),
    ...                             (("Asia", "u"), "b", "q")])
    >>> w = what_if(g, ["b"], cells, actor_kinds=None)
    >>> w.after.components - w.before.components, w.stranded, w.lost_cells
    (1, ('c',), (('Asia', 't'),))
    >>> what_if(g, ["p"], cells, actor_kinds=None).lost_cells  # "b" still works in "u"
    (('Asia', 't'),)

    On a co-partnership projection a programme is not a node: its end cuts the ties that ran
    only through it and its activities.

    >>> from analytics.projection import co_partnership
    >>> snap = nx.MultiDiGraph()
    >>> for actor, item in [("a", "p"), ("b", "p"), ("a", "act-1"), ("b", "act-1"),
    ...                     ("b", "q"), ("c", "q")]:
    ...     snap.add_node(actor, kind="Company")
    ...     _ = snap.add_edge(actor, item, type="PARTNERS_IN")
    >>> co = co_partnership(snap)
    >>> w = what_if(co, ["p"], actor_kinds=None, activities={"p": ["act-1"]})
    >>> w.removed, w.removed_activities, w.after.connected_actor_pairs
    (('p',), ('act-1',), 1)
    """
    asked = set(remove)
    gone = set(asked)
    for v in asked:
        gone.update((activities or {}).get(v, ()))
    outside = {v for v in gone if v not in graph}
    cut, through = _ties_through(graph, outside) if outside else (_NO_TIES, set())
    nodes, labels_before, sizes_b, actors_b, before = _components(graph, (), actor_kinds)
    _, labels_after, sizes_a, actors_a, after = _components(graph, gone, actor_kinds, cut)
    big_before = _largest_members(nodes, labels_before, sizes_b, actors_b)
    big_after = _largest_members(nodes, labels_after, sizes_a, actors_a)
    stranded = sorted((nodes[i] for i in big_before - big_after if labels_after[i] >= 0), key=str)
    held = {v for v in gone if v in graph} | through

    def holds(v: Hashable) -> bool:
        return v in held or any(a in held for a in (activities or {}).get(v, ()))

    lost = cells.lost(gone) if cells is not None else ()
    covered = cells.covered() if cells is not None else 0
    return WhatIf(
        removed=tuple(sorted((v for v in asked if holds(v)), key=str)),
        removed_activities=tuple(sorted((v for v in gone - asked if v in held), key=str)),
        before=before,
        after=after,
        stranded=tuple(stranded),
        covered_before=covered,
        covered_after=covered - len(lost),
        lost_cells=lost,
    )
