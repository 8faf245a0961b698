"""Cursor pagination of node lists, shaped by what the caller may see.

A restricted non-state actor is left out of every list for a caller without the privileged
role, by the store itself (:func:`listed`): ``totalCount``, order and cursors then hold only
what the caller is shown, and a text search cannot match a hidden name. Cursors carry the
sort key of a shown node only, so they never carry a hidden name either.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from api.context import Context
from api.core.paging import Connection, Cursors, Edge, check_first, connection
from api.errors import bad_input
from api.nodes import node_object
from graph.model import ACTOR_KINDS, NON_STATE_KINDS, NodeKind, Sensitivity
from graph.store import NodeFilter, SortOrder, encode_cursor


def listed(ctx: Context, flt: NodeFilter) -> NodeFilter:
    """The store filter of what this caller may list of ``flt``.

    For an unprivileged caller, a list over non-state kinds keeps only ``sensitivity:
    PUBLIC`` nodes, which is exactly :meth:`api.policy.Policy.shows`: such lists are over
    actor kinds only, and every stored actor carries its sensitivity (PUBLIC by default).
    """
    kinds = flt.kinds or frozenset(NodeKind)
    if ctx.policy.privileged or not kinds & NON_STATE_KINDS:
        return flt
    if flt.sensitivity is not None:
        # Counting restricted actors per country, theme or role would single them out.
        raise bad_input(
            "only analysts and above may filter by sensitivity: for other callers it would "
            "single restricted actors out",
            "filter",
            path="filter.sensitivity",
        )
    # Kinds without a sensitivity would never match PUBLIC: they must not be mixed in.
    assert kinds <= ACTOR_KINDS, f"a list mixing {sorted(kinds)} cannot be filtered"
    return replace(flt, sensitivity=Sensitivity.PUBLIC)


def _cursors(sort: SortOrder) -> Cursors:
    """Cursors of a node list in ``sort`` order: an edge's position is its node, and its key
    the store's cursor of that node (computed only when a cursor is asked for)."""
    return Cursors(sort.value, 1, lambda node: (encode_cursor(sort, node),))


_CURSORS = {sort: _cursors(sort) for sort in SortOrder}


async def find_page(
    ctx: Context, flt: NodeFilter, *, first: int, after: str | None, sort: SortOrder
) -> Connection[Any]:
    """One page of the nodes matching ``flt`` that the caller may see."""
    check_first(first)
    cursors = _CURSORS[sort]
    inner = cursors.decode(after)[0] if after is not None else None
    page = await ctx.store.find_nodes(listed(ctx, flt), first=first, after=inner, sort=sort)
    edges = [Edge(node=node_object(ctx.policy, n), cursors=cursors, position=n) for n in page.items]
    return connection(
        Connection, edges, total=page.total_count, has_next=page.has_next_page, after=after
    )
