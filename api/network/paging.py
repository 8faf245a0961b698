"""Cursor pagination of node lists, shaped by what the caller may see.

The store sorts by real names and its cursors carry the sort key, so two things could leak a
restricted actor's identity to a caller without the privileged role: its position in a list
sorted by name (neighbours reveal the first letters) and a cursor (which would carry the real
name). So for such callers a name-sorted list over non-state kinds is read in two segments:
public actors by name, then restricted actors by key. A text search, which matches real
names, never finds restricted actors for them. Privileged callers, and lists without
non-state kinds, read one segment exactly as the store orders it.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from typing import Any

from api.context import Context
from api.errors import bad_input
from api.nodes import Connection, Edge, PageInfo, check_first, node_object
from graph.model import NON_STATE_KINDS, Node, NodeKind, Sensitivity
from graph.store import NodeFilter, SortOrder, encode_cursor


@dataclass(frozen=True, slots=True)
class Segment:
    flt: NodeFilter
    sort: SortOrder


def segments(ctx: Context, flt: NodeFilter, sort: SortOrder) -> list[Segment]:
    kinds = flt.kinds or frozenset(NodeKind)
    if ctx.policy.privileged or not kinds & NON_STATE_KINDS:
        return [Segment(flt, sort)]
    if flt.sensitivity is not None:
        # Counting restricted actors per country, theme or role would single them out.
        raise bad_input(
            "only analysts and above may filter by sensitivity: for other callers it would "
            "single restricted actors out",
            "filter",
            path="filter.sensitivity",
        )
    public = replace(flt, sensitivity=Sensitivity.PUBLIC)
    restricted = Segment(replace(flt, sensitivity=Sensitivity.RESTRICTED), SortOrder.ID)
    if flt.text is not None:
        # Only public actors may be found by name; a search that also asks for restricted
        # ones finds nothing rather than matching hidden names.
        return [Segment(public, sort)]
    if sort is SortOrder.ID:
        return [Segment(flt, sort)]
    return [Segment(public, sort), restricted]


def _cursor(arg: tuple[int, SortOrder, Node]) -> str:
    seg, sort, node = arg
    return base64.urlsafe_b64encode(json.dumps([seg, encode_cursor(sort, node)]).encode()).decode()


def _position(after: str, count: int) -> tuple[int, str]:
    try:
        seg, inner = json.loads(base64.urlsafe_b64decode(after.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise bad_input("is not a cursor of this list", "after") from None
    if not isinstance(seg, int) or not isinstance(inner, str) or not 0 <= seg < count:
        raise bad_input("is not a cursor of this list", "after")
    return seg, inner


async def find_page(
    ctx: Context, flt: NodeFilter, *, first: int, after: str | None, sort: SortOrder
) -> Connection[Any]:
    """One page of nodes matching ``flt``, as a connection of policy-viewed node objects."""
    check_first(first)
    segs = segments(ctx, flt, sort)
    start, inner = _position(after, len(segs)) if after is not None else (0, None)
    edges: list[Edge[Any]] = []
    total = 0
    has_next = False
    for i, seg in enumerate(segs):
        wanted = first - len(edges)
        if i < start or wanted <= 0:
            page = await ctx.store.find_nodes(seg.flt, first=1, sort=seg.sort)  # its size only
            has_next = has_next or (i > start and page.total_count > 0)
        else:
            page = await ctx.store.find_nodes(
                seg.flt, first=wanted, after=inner if i == start else None, sort=seg.sort
            )
            has_next = has_next or page.has_next_page
            edges += [
                Edge(
                    node=node_object(ctx.policy, n),
                    cursor_of=_cursor,
                    cursor_arg=(i, seg.sort, n),
                )
                for n in page.items
            ]
        total += page.total_count
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor() if edges else None,
            end_cursor=edges[-1].cursor() if edges else None,
        ),
        total_count=total,
    )
