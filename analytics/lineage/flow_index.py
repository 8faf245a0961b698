"""The flow of credit over a whole graph, compiled to arrays once per revision.

Why: an outcome high in the results chain has most of the graph in its lineage (on the
synthetic 100,000-node graph, 93,000 nodes and 375,000 links within depth 10). Expanding that
from the store and rebuilding the flow in Python objects took seconds per request on the
embedded store and tens of seconds on Neo4j, where the links alone are more than a round trip
can carry in 200 ms. Compiled once per (revision, asOf, minShare), spreading credit from any
node is a few vectorised gathers per hop, so a lineage costs what it touches, in C; Python
objects (:class:`analytics.lineage.flow.Link`) are made only for the nodes a path search or a
page reads.

The factors follow :func:`analytics.lineage.flow.factors` over every relationship valid at
``as_of``: a node's factors need all of its contributors, and the whole graph has them all.

After a write, :meth:`FlowIndex.advanced` derives the next revision's index from this one and
the records written, without reading every record again (``tests/lineage/test_flow_delta.py``
holds it equal to a full build).
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from analytics.counting import stable_order
from analytics.lineage.flow import FLOW_TYPES, Link, LinkKind, factors, kind_of, role_weight
from graph.model import Node, Relationship

__all__ = ["FlowIndex", "Spread", "bulk"]

T = TypeVar("T")
Scalar = TypeVar("Scalar", bound=np.generic)
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_TYPES = sorted(FLOW_TYPES)
_TYPE_CODE = {t: i for i, t in enumerate(_TYPES)}
_KIND_OF_CODE = np.array([kind_of(t) for t in _TYPES], np.int8)
_ID = attrgetter("id")


@dataclass(frozen=True, slots=True)
class Spread:
    """What credit reached from one node within a depth: node positions (ascending), the
    fewest links to each, the credit summed over every path of at most ``depth`` links, and
    the positions of the links those paths used (ascending)."""

    reached: IntArray
    hops: IntArray
    credit: FloatArray
    links: IntArray


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Why: a process holding the embedded store tracks millions of objects, and the collections
    that a burst of allocations triggers cost several times the work itself (about 4x on the
    100,000-node benchmark). Everything built here is acyclic, so reference counting frees it
    and nothing is left for the collector; it is re-enabled as soon as the build is done.

    Examples
    --------
    >>> with bulk():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ranges(ptr: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The concatenated ranges ``ptr[r]:ptr[r + 1]`` of ``rows``, and each range's length."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64), counts
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(total, dtype=np.int64), counts


def _pointers(rows: IntArray, n: int) -> IntArray:
    """CSR row pointers of ``rows`` (which must be sorted) over ``n`` rows."""
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr


@dataclass(frozen=True, slots=True)
class _Columns:
    """The flow relationships valid at the index's date, in id order, as columns: what a full
    build reads from the records, kept so that a write can be applied to it
    (:meth:`FlowIndex.advanced`)."""

    rels: list[Relationship]
    code: npt.NDArray[np.int8]
    start: IntArray
    end: IntArray
    share: FloatArray
    weight: FloatArray

    @classmethod
    def of(cls, rels: list[Relationship], position: Mapping[str, int]) -> _Columns:
        """Columns of ``rels`` (flow relationships in id order)."""
        count = len(rels)
        code = np.fromiter((_TYPE_CODE[r.type] for r in rels), np.int8, count)
        kind = _KIND_OF_CODE[code]
        weight = np.zeros(count)
        engaged = np.flatnonzero(kind == LinkKind.ENGAGEMENT)
        weight[engaged] = [role_weight(rels[i]) for i in engaged.tolist()]
        return cls(
            rels,
            code,
            np.fromiter((position[r.start] for r in rels), np.int64, count),
            np.fromiter((position[r.end] for r in rels), np.int64, count),
            np.fromiter((float(r.props.get("share", 0.0)) for r in rels), np.float64, count),
            weight,
        )

    def replaced(
        self,
        written: Collection[str],
        valid: list[Relationship],
        position: Mapping[str, int],
        shift: IntArray | None,
    ) -> tuple[_Columns, list[int], list[int]]:
        """These columns without the rows of the ``written`` relationship ids and with the
        rows of ``valid`` (those of them that count), node positions moved by ``shift`` (old
        position to new; None: unchanged); with the rows dropped, and where the new rows went
        in (before which row of those left, as for ``np.insert``). Rows are found by
        bisection and moved by list and array splicing: a write costs a few copies of the
        columns, not a pass in Python."""
        rows = sorted(p for p in (_row(self.rels, i) for i in written) if p is not None)
        added = _Columns.of(sorted(valid, key=attrgetter("id")), position)
        # Where each new row goes among the rows left: its place among all, less the rows
        # dropped before it.
        at = [
            p - bisect_left(rows, p)
            for p in (bisect_left(self.rels, r.id, key=_ID) for r in added.rels)
        ]
        start, end = np.delete(self.start, rows), np.delete(self.end, rows)
        if shift is not None:
            start, end = shift[start], shift[end]
        columns = _Columns(
            _spliced(self.rels, rows, at, added.rels),
            np.insert(np.delete(self.code, rows), at, added.code),
            np.insert(start, at, added.start),
            np.insert(end, at, added.end),
            np.insert(np.delete(self.share, rows), at, added.share),
            np.insert(np.delete(self.weight, rows), at, added.weight),
        )
        return columns, rows, at

    def beneficiary(self) -> IntArray:
        """Each row's beneficiary: the end of a relationship, the start of a runner's."""
        return np.where(_KIND_OF_CODE[self.code] == LinkKind.RUNNER, self.start, self.end)


@dataclass(frozen=True, slots=True)
class _Links:
    """The live links of some rows, in (beneficiary, contributor, type) order, and for each of
    those rows the link it is followed along (-1: none)."""

    beneficiary: IntArray
    contributor: IntArray
    type_code: npt.NDArray[np.int8]
    factor: FloatArray
    row_link: IntArray


def _links(c: _Columns, rows: IntArray | None, n: int, min_share: float) -> _Links:
    """The links of the rows ``rows`` (ascending; None: all) of ``c``, which must hold every
    row of each beneficiary they name (a link's factor depends on its beneficiary's others)."""

    def pick(column: npt.NDArray[Scalar]) -> npt.NDArray[Scalar]:
        return column if rows is None else column[rows]

    code, start, end, share = pick(c.code), pick(c.start), pick(c.end), pick(c.share)
    count = len(code)
    kind = _KIND_OF_CODE[code]
    runner = kind == LinkKind.RUNNER
    contributor = np.where(runner, end, start)
    beneficiary = np.where(runner, start, end)
    kept = (kind != LinkKind.RESULTS) | (share >= min_share)
    # Group relationships into links: by beneficiary, contributor, type, then id (rows are in
    # id order; stable sorts by type, then contributor, then beneficiary).
    order = np.argsort(code, kind="stable")  # int8: numpy's radix sort
    order = order[stable_order(contributor[order], n)[0]]
    order = order[stable_order(beneficiary[order], n)[0]]
    key = (beneficiary[order] * n + contributor[order]) * len(_TYPES) + code[order]
    first = np.ones(count, bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    shares = share[order]
    all_shares = np.add.reduceat(shares, starts) if count else np.zeros(0)
    kept_o = kept[order]
    kept_shares = np.add.reduceat(shares * kept_o, starts) if count else np.zeros(0)
    kept_count = np.add.reduceat(kept_o.astype(np.int64), starts) if count else starts
    weights = np.maximum.reduceat(pick(c.weight)[order], starts) if count else np.zeros(0)
    link_b = beneficiary[order][starts]
    factor = factors(link_b, kind[order][starts], all_shares, kept_shares, weights, n)
    # Links with nothing kept are not followed; their relationships are not on any lineage.
    live = kept_count > 0
    followed = kept_o & live[group]
    row_link = np.full(count, -1, np.int64)
    row_link[order[followed]] = (np.cumsum(live) - 1)[group[followed]]
    return _Links(
        link_b[live],
        contributor[order][starts][live],
        code[order][starts][live],
        factor[live],
        row_link,
    )


def _mapped(links: IntArray, to: IntArray) -> IntArray:
    """``to[links]``, and -1 where a link is -1."""
    out = np.full(len(links), -1, np.int64)
    has = links >= 0
    out[has] = to[links[has]]
    return out


#: Up to this many rows dropped and added, a splice edits one copy of the list in place (a
#: memmove each); beyond, it copies slices (a pass over the list, whatever the changes).
_IN_PLACE = 64


def _spliced(items: list[T], drop: list[int], at: list[int], added: list[T]) -> list[T]:
    """``items`` without the positions ``drop`` (ascending), then with ``added[i]`` inserted
    before position ``at[i]`` (ascending) of what is left: what ``np.insert(np.delete(...))``
    does to an array.

    >>> _spliced(list("abcde"), [1, 3], [0, 3], list("XY"))
    ['X', 'a', 'c', 'e', 'Y']
    """
    if len(drop) + len(added) <= _IN_PLACE:
        out = list(items)
        for row in reversed(drop):
            del out[row]
        for offset, (row, item) in enumerate(zip(at, added, strict=True)):
            out.insert(row + offset, item)
        return out
    kept: list[T] = []
    previous = 0
    for row in drop:
        kept += items[previous:row]
        previous = row + 1
    kept += items[previous:]
    out, previous = [], 0
    for row, item in zip(at, added, strict=True):
        out += kept[previous:row]
        out.append(item)
        previous = row
    return out + kept[previous:]


def _row(rels: list[Relationship], rel_id: str) -> int | None:
    """The position of relationship ``rel_id`` in ``rels`` (in id order), if there."""
    p = bisect_left(rels, rel_id, key=_ID)
    return p if p < len(rels) and rels[p].id == rel_id else None


class FlowIndex:
    """Every node and link of the flow at one revision, numbered, with both adjacencies.

    Nodes are numbered in id order and relationships ranked in id order, so sorting positions
    sorts ids, and both stores, which return the same records, build the same index. A link
    collapses the relationships of one type from one contributor to one beneficiary.

    Parameters
    ----------
    nodes, rels : iterables
        Every node, and at least every relationship of
        :data:`analytics.lineage.flow.FLOW_TYPES` (others are ignored), in any order.
    as_of : str or None
        Only relationships valid on that day count (all when None); nodes always count.
    min_share : float
        PRODUCED and CONTRIBUTED_TO relationships whose share is below this are not
        followed, but still count when the shares into an outcome are scaled to sum to 1.

    Examples
    --------
    An activity produced 0.4 of an outcome; a CSO took part in it as a speaker (weight 1/2,
    next to the runner's 1, so a third of the activity's credit):

    >>> from graph.model import NodeKind, RelType
    >>> index = FlowIndex(
    ...     [Node("o", NodeKind.OUTCOME), Node("a", NodeKind.ACTIVITY),
    ...      Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION)],
    ...     [Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.4}),
    ...      Relationship("r2", RelType.PARTICIPATED_IN, "c", "a", {"role": "SPEAKER"})])
    >>> [(link.contributor, round(link.factor, 3)) for link in index.steps("o", forward=False)]
    [('a', 0.4)]
    >>> spread = index.spread("o", 2, forward=False)
    >>> reached, credit = spread.reached.tolist(), spread.credit.tolist()
    >>> [(index.ids[p], round(c, 3)) for p, c in zip(reached, credit)]
    [('a', 0.4), ('c', 0.133), ('o', 1.0)]
    """

    def __init__(
        self,
        nodes: Iterable[Node],
        rels: Iterable[Relationship],
        *,
        as_of: str | None = None,
        min_share: float = 0.0,
    ) -> None:
        self.as_of = as_of
        self.min_share = min_share
        self._best: dict[tuple[int, bool], tuple[list[Link], list[int]]] = {}
        with bulk():
            self.nodes: Mapping[str, Node] = {n.id: n for n in nodes}
            self.ids: list[str] = sorted(self.nodes)
            self.position: Mapping[str, int] = {node_id: i for i, node_id in enumerate(self.ids)}
            valid = sorted(
                (r for r in rels if r.type in FLOW_TYPES and r.valid_at(as_of)),
                key=attrgetter("id"),
            )
            self._columns = _Columns.of(valid, self.position)
            self._finish(_links(self._columns, None, len(self.ids), min_share))

    def advanced(self, nodes: Sequence[Node], rels: Sequence[Relationship]) -> FlowIndex:
        """This index after writes that stored ``nodes`` and ``rels`` (the newest version of
        each): equal to a full build over the records after them.

        Why: a full build reads every record in Python (0.2 s at 20,000 actors, over a second
        at 100,000) and a write touches a handful. Here the relationship columns, kept in id
        order, lose and gain the written rows (positions moved past the created nodes), the
        links of the beneficiaries those rows point at are made again (a factor depends on
        its beneficiary's links only), and the others are kept. Nothing is ever removed from
        a store (an ending is a new version), so a write only adds or replaces. A write of
        neither (need weights) changes nothing: this very index serves the next revision.
        """
        if not nodes and not rels:
            return self
        new = object.__new__(FlowIndex)
        new.as_of, new.min_share, new._best = self.as_of, self.min_share, {}
        with bulk():
            stored = dict(self.nodes)
            stored.update((n.id, n) for n in nodes)
            new.nodes = stored
            fresh = sorted({n.id for n in nodes if n.id not in self.nodes})
            if fresh:
                # Each old position moves up by the created ids that sort before its id.
                at = [bisect_left(self.ids, node_id) for node_id in fresh]
                before = np.cumsum(np.bincount(at, minlength=len(self.ids) + 1)[:-1])
                shift = np.arange(len(self.ids), dtype=np.int64) + before
                new.ids = _spliced(self.ids, [], at, fresh)
                new.position = {node_id: i for i, node_id in enumerate(new.ids)}
            else:
                new.ids, new.position, shift = self.ids, self.position, None
            written = {r.id: r for r in rels if r.type in FLOW_TYPES}
            valid = [r for r in written.values() if r.valid_at(self.as_of)]
            new._columns, gone, at = self._columns.replaced(
                written.keys(), valid, new.position, shift
            )
            new._finish(self._patched_links(new, gone, at, shift))
        return new

    def _patched_links(
        self, new: FlowIndex, gone: list[int], at: list[int], shift: IntArray | None
    ) -> _Links:
        """The links of ``new`` from this index's: those of the beneficiaries the write
        touched (a row dropped or added) made again from all of their rows, the rest kept,
        renumbered around them."""
        n, c = len(new.ids), new._columns
        row_b = c.beneficiary()
        dropped_b = self._columns.beneficiary()[gone]
        touched = np.zeros(n, bool)
        touched[dropped_b if shift is None else shift[dropped_b]] = True
        touched[row_b[np.asarray(at, np.int64) + np.arange(len(at))]] = True
        rows = np.flatnonzero(touched[row_b])
        made = _links(c, rows, n, new.min_share)
        link_b = self.beneficiary if shift is None else shift[self.beneficiary]
        link_c = self.contributor if shift is None else shift[self.contributor]
        keep = ~touched[link_b]
        kept_b = link_b[keep]
        into = np.searchsorted(kept_b, made.beneficiary)  # blocks stay in beneficiary order
        left = np.arange(len(kept_b))
        moved = np.full(len(keep), -1, np.int64)  # old link to new; -1: made again
        moved[keep] = left + np.searchsorted(into, left, side="right")
        row_link = np.insert(_mapped(np.delete(self._row_link, gone), moved), at, -1)
        row_link[rows] = _mapped(made.row_link, into + np.arange(len(into)))
        return _Links(
            np.insert(kept_b, into, made.beneficiary),
            np.insert(link_c[keep], into, made.contributor),
            np.insert(self.type_code[keep], into, made.type_code),
            np.insert(self.factor[keep], into, made.factor),
            row_link,
        )

    def _finish(self, links: _Links) -> None:
        """The adjacencies and the relationships followed, from the links (vectorised)."""
        c, n = self._columns, len(self.ids)
        self.beneficiary: IntArray = links.beneficiary
        self.contributor: IntArray = links.contributor
        self.type_code = links.type_code
        self.factor: FloatArray = links.factor
        self._row_link = links.row_link
        self.up_ptr = _pointers(self.beneficiary, n)
        self.down_order, self.down_ptr = stable_order(self.contributor, n)
        # The relationships links follow, ranked by id, with each one's link; and per link
        # its relationships' ranks in id order.
        followed = np.flatnonzero(links.row_link >= 0)
        self.rels: list[Relationship] = (
            c.rels if len(followed) == len(c.rels) else list(map(c.rels.__getitem__, followed))
        )
        self.rel_link: IntArray = links.row_link[followed]
        self.link_rels, self.link_rel_ptr = stable_order(self.rel_link, len(self.factor))

    # ------------------------------------------------------------------ reading

    @property
    def weight(self) -> int:
        """Roughly how much it holds: nodes plus relationships."""
        return len(self.ids) + len(self.rels)

    def link(self, i: int) -> Link:
        """Link ``i`` as an object."""
        ids = self.ids
        ranks = self.link_rels[self.link_rel_ptr[i] : self.link_rel_ptr[i + 1]].tolist()
        return Link(
            ids[int(self.contributor[i])],
            ids[int(self.beneficiary[i])],
            _TYPES[int(self.type_code[i])],
            tuple(self.rels[r] for r in ranks),
            float(self.factor[i]),
        )

    def steps(self, node_id: str, forward: bool) -> list[Link]:
        """Links from ``node_id`` to its beneficiaries (``forward``) or contributors."""
        p = self.position.get(node_id)
        if p is None:
            return []
        if forward:
            rows = self.down_order[self.down_ptr[p] : self.down_ptr[p + 1]]
        else:
            rows = np.arange(self.up_ptr[p], self.up_ptr[p + 1])
        return [self.link(i) for i in rows.tolist()]

    def best_steps(self, node_id: str, forward: bool) -> tuple[list[Link], list[int]]:
        """:meth:`steps` ordered best first (highest factor, then the other end's id), and for
        each position the end of its run of equal factors; kept for the index's lifetime."""
        key = (self.position.get(node_id, -1), forward)
        found = self._best.get(key)
        if found is None:
            links = sorted(self.steps(node_id, forward), key=itemgetter(1 if forward else 0))
            links.sort(key=itemgetter(4), reverse=True)
            run_end = [0] * len(links)
            end = len(links)
            for i in range(len(links) - 1, -1, -1):
                if i + 1 < len(links) and links[i].factor != links[i + 1].factor:
                    end = i + 1
                run_end[i] = end
            found = (links, run_end)
            self._best[key] = found
        return found

    def spread(self, start: str, depth: int, *, forward: bool) -> Spread:
        """Credit from ``start`` over every path of at most ``depth`` links, towards
        contributors (upstream) or, with ``forward``, towards beneficiaries.

        Credit is summed one layer per path length, so a node reached by paths of several
        lengths counts each path once and no longer path counts at all; the flow is acyclic,
        so these are exactly the simple paths.
        """
        n = len(self.ids)
        ptr, order, other = (
            (self.down_ptr, self.down_order, self.beneficiary)
            if forward
            else (self.up_ptr, None, self.contributor)
        )
        first = self.position[start]
        hops = np.full(n, -1, np.int64)
        hops[first] = 0
        credit = np.zeros(n)
        credit[first] = 1.0
        used = np.zeros(len(self.factor), bool)
        layer = np.array([first], np.int64)
        values = np.ones(1)
        for hop in range(1, depth + 1):
            positions, counts = _ranges(ptr, layer)
            if not len(positions):
                break
            links = positions if order is None else order[positions]
            used[links] = True
            targets = other[links]
            summed = np.bincount(
                targets, weights=np.repeat(values, counts) * self.factor[links], minlength=n
            )
            mask = np.zeros(n, bool)
            mask[targets] = True
            layer = np.flatnonzero(mask)
            values = summed[layer].astype(np.float64, copy=False)
            credit[layer] += values
            fresh = layer[hops[layer] < 0]
            hops[fresh] = hop
        reached = np.flatnonzero(hops >= 0)
        return Spread(reached, hops[reached], credit[reached], np.flatnonzero(used))

    def rels_of(self, links: IntArray) -> IntArray:
        """Ranks (ascending) of the relationships of the given links."""
        positions, _ = _ranges(self.link_rel_ptr, links)
        return np.sort(self.link_rels[positions])

    def link_of(self, rank: int) -> Link:
        """The link relationship ``rank`` belongs to."""
        return self.link(int(self.rel_link[rank]))
