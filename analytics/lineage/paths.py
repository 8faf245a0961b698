"""The best distinct paths through a flow: what justifies an attributed share.

Why a best-first search instead of listing paths: a high-level outcome has astronomically many
paths to the actors behind it, while a client asks for the few that matter most.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from analytics.lineage.flow import Link
from analytics.lineage.flow_index import FlowIndex

__all__ = ["Path", "PathSet", "best_paths"]


@dataclass(frozen=True, slots=True)
class Path:
    """A distinct path, listed in the direction credit flows: contributor first.

    ``share`` is the product of the factors of its links: the part of the last node's credit
    this path attributes to the first.
    """

    nodes: tuple[str, ...]
    links: tuple[Link, ...]
    share: float

    @property
    def relationship_ids(self) -> tuple[str, ...]:
        return tuple(r.id for link in self.links for r in link.rels)


@dataclass(frozen=True, slots=True)
class PathSet:
    """The best paths found, best first, and whether more exist than were returned."""

    paths: tuple[Path, ...]
    truncated: bool


def best_paths(
    flow: FlowIndex,
    start: str,
    forward: bool,
    depth: int,
    limit: int,
    *,
    allowed: Callable[[str, int], bool] = lambda node, length: True,
    goal: str | None = None,
) -> PathSet:
    """The ``limit`` paths of highest share leaving ``start``, in exact order of
    (share descending, node-id sequence from ``start``).

    Without ``goal``, a path is complete when it cannot be extended (or is ``depth`` long);
    with ``goal``, when it reaches it. Best-first search never builds a path worse than the
    ones it returns: extending a path multiplies its share by a factor <= 1, and a link's next
    sibling is pushed only when the link's path leaves the heap (siblings are sorted by factor,
    then id, which is the heap's own order), so the heap holds O(limit x depth) entries however
    many paths the graph has. Where products of different factors come out equal (a share of
    0, or rounding), sibling order and heap order could disagree, so that whole group of equal
    share is pushed at once and its last member (greatest id) pushes what follows.

    Examples
    --------
    Two activities produced an outcome, at shares 0.7 and 0.3; from the outcome upstream the
    better path comes first (paths are listed contributor first):

    >>> from graph.model import Node, NodeKind, Relationship, RelType
    >>> index = FlowIndex(
    ...     [Node("o", NodeKind.OUTCOME), Node("a", NodeKind.ACTIVITY),
    ...      Node("b", NodeKind.ACTIVITY)],
    ...     [Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.7}),
    ...      Relationship("r2", RelType.PRODUCED, "b", "o", {"share": 0.3})])
    >>> found = best_paths(index, "o", False, 3, 1)
    >>> [(p.nodes, p.share) for p in found.paths], found.truncated
    ([(('a', 'o'), 0.7)], True)
    """
    # entry: (-share, ids, links, parent_share, siblings, run ends, next sibling index or -1)
    Entry = tuple[
        float, tuple[str, ...], tuple[Link, ...], float, Sequence[Link], Sequence[int], int
    ]
    heap: list[Entry] = []
    found: list[Path] = []
    end: Literal[0, 1] = 1 if forward else 0

    def push_from(
        ids: tuple[str, ...],
        links: tuple[Link, ...],
        share: float,
        sibs: Sequence[Link],
        runs: Sequence[int],
        i: int,
    ) -> bool:
        """Push the next sibling from index ``i`` (or its group); False if there is none."""
        length = len(ids)
        n = len(sibs)
        while i < n and (sibs[i][end] in ids or not allowed(sibs[i][end], length)):
            i += 1
        if i == n:
            return False
        value = share * sibs[i].factor
        nxt_run = runs[i]
        if nxt_run == n or share * sibs[nxt_run].factor != value:
            link = sibs[i]
            heapq.heappush(
                heap,
                (-value, (*ids, link[end]), (*links, link), share, sibs, runs, i + 1),
            )
            return True
        group = []
        while i < n and share * sibs[i].factor == value:
            if sibs[i][end] not in ids and allowed(sibs[i][end], length):
                group.append(i)
            i += 1
        last = max(group, key=lambda j: sibs[j][end])
        for j in group:
            link = sibs[j]
            advance = i if j == last else -1
            heapq.heappush(
                heap, (-value, (*ids, link[end]), (*links, link), share, sibs, runs, advance)
            )
        return True

    push_from((start,), (), 1.0, *flow.best_steps(start, forward), 0)
    while heap:
        neg, ids, links, parent_share, sibs, runs, advance = heapq.heappop(heap)
        if advance >= 0:
            push_from(ids[:-1], links[:-1], parent_share, sibs, runs, advance)
        last = ids[-1]
        if goal is not None and last == goal:
            complete = True
        elif len(links) >= depth:
            complete = goal is None
            if not complete:
                continue
        else:
            pushed = push_from(ids, links, -neg, *flow.best_steps(last, forward), 0)
            complete = goal is None and not pushed
        if complete:
            if len(found) == limit:
                return PathSet(tuple(found), True)
            ordered_ids = ids if forward else ids[::-1]
            ordered_links = links if forward else links[::-1]
            found.append(Path(ordered_ids, ordered_links, -neg))
    return PathSet(tuple(found), False)
