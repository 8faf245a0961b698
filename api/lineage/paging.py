"""Cursor pages over an already computed, immutable lineage result.

Why cursors carry an item's key and not its offset: a key names the same item whatever page
size the client uses, and a cursor from one result is refused by another rather than silently
pointing at a different item. Results are cached per revision, so positions are stable while
a client walks the pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import TypeVar

from api.errors import bad_input
from api.nodes import Connection, Edge, PageInfo, check_first

T = TypeVar("T")
Key = tuple[str, ...]


def encode(tag: str, key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps([tag, *key]).encode()).decode()


def _cursor(arg: tuple[str, Key]) -> str:
    return encode(*arg)


def decode(after: str, tag: str) -> Key:
    try:
        raw = json.loads(base64.urlsafe_b64decode(after.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise bad_input("is not a cursor of this list", "after") from None
    if not isinstance(raw, list) or not raw or raw[0] != tag:
        raise bad_input("is not a cursor of this list", "after")
    if not all(isinstance(k, str) for k in raw[1:]):
        raise bad_input("is not a cursor of this list", "after")
    return tuple(raw[1:])


def bounds(
    tag: str,
    count: int,
    position: Callable[[Key], int | None],
    *,
    first: int,
    after: str | None,
) -> range:
    """Indices of the page ``after`` the cursor, at most ``first`` of ``count`` items."""
    check_first(first)
    start = 0
    if after is not None:
        found = position(decode(after, tag))
        if found is None:
            raise bad_input("is not a cursor of this list", "after")
        start = found + 1
    return range(start, min(count, start + first))


def connection(
    tag: str,
    count: int,
    window: range,
    key_at: Callable[[int], Key],
    items: list[T],
    after: str | None,
) -> Connection[T]:
    """The connection for ``items`` built for the indices in ``window``."""
    edges = [
        Edge(node=item, cursor_of=_cursor, cursor_arg=(tag, key_at(i)))
        for i, item in zip(window, items, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=window.stop < count,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor() if edges else None,
            end_cursor=edges[-1].cursor() if edges else None,
        ),
        total_count=count,
    )


def page(
    tag: str,
    count: int,
    key_at: Callable[[int], Key],
    position: Callable[[Key], int | None],
    build: Callable[[int], T],
    *,
    first: int,
    after: str | None,
) -> Connection[T]:
    """Items ``after`` the cursor, at most ``first``, of a list of ``count`` items; only the
    page's items are built."""
    window = bounds(tag, count, position, first=first, after=after)
    return connection(tag, count, window, key_at, [build(i) for i in window], after)
