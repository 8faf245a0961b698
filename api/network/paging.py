"""Cursor pagination of node lists, shaped by what the caller may see.

A restricted non-state actor is left out of every list for a caller without the privileged
role, by the store itself (:func:`listed`): ``totalCount``, order and cursors then hold only
what the caller is shown, and a text search cannot match a hidden name. Cursors carry the
sort key of a shown node only, so they never carry a hidden name either.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any

from api.context import Context
from api.errors import bad_input
from api.nodes import Connection, Edge, PageInfo, check_first, node_object
from graph.model import ACTOR_KINDS, NON_STATE_KINDS, Node, NodeKind, Sensitivity
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


def _cursor(arg: tuple[SortOrder, Node]) -> str:
    sort, node = arg
    return base64.urlsafe_b64encode(
        json.dumps([sort.value, encode_cursor(sort, node)]).encode()
    ).decode()


def _position(after: str, sort: SortOrder) -> str:
    """The store cursor inside ``after``; a cursor of another order or list is refused."""
    try:
        tag, inner = json.loads(base64.urlsafe_b64decode(after.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise bad_input("is not a cursor of this list", "after") from None
    if tag != sort.value or not isinstance(inner, str):
        raise bad_input("is not a cursor of this list", "after")
    return inner


async def find_page(
    ctx: Context, flt: NodeFilter, *, first: int, after: str | None, sort: SortOrder
) -> Connection[Any]:
    """One page of the nodes matching ``flt`` that the caller may see."""
    check_first(first)
    inner = _position(after, sort) if after is not None else None
    page = await ctx.store.find_nodes(listed(ctx, flt), first=first, after=inner, sort=sort)
    edges = [
        Edge(node=node_object(ctx.policy, n), cursor_of=_cursor, cursor_arg=(sort, n))
        for n in page.items
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor() if edges else None,
            end_cursor=edges[-1].cursor() if edges else None,
        ),
        total_count=page.total_count,
    )
