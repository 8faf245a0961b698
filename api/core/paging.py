"""Relay-style pagination, the one way every list pages: the page size bounds, the cursors,
``PageInfo`` and the generic ``Connection`` / ``Edge``.

A cursor is :func:`graph.store.encode_key` of the list's tag, then the item's key, so a cursor
of one list (or order) is refused by another. ``Cursors`` writes and reads those of a list;
an edge keeps its ``position`` and computes its cursor only when asked for. Lists held in
memory page with :func:`page` (or :func:`window`); the node lists paged by the store build
their connection with :func:`connection`, which is also where every ``PageInfo`` is made.
Lists that leave out what the caller may not see filter with ``Policy.shown`` *before*
paging, so ``totalCount`` and cursors count only what is shown.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from api.errors import ApiError, bad_input
from graph.store import decode_key, encode_key

MAX_PAGE = 100
DEFAULT_PAGE = 20

N = TypeVar("N")
C = TypeVar("C")
Key = tuple[str, ...]


def check_first(first: int, name: str = "first") -> int:
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"must be between 1 and {MAX_PAGE}, got {first}", name)
    return first


def bad_cursor() -> ApiError:
    return bad_input("is not a cursor of this list", "after")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="True when this page was asked for with `after` (items precede it)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` to get the next page."
    )


@dataclass(frozen=True, slots=True)
class Cursors:
    """The cursors of one list: ``tag`` names the list (and its order), then come the ``size``
    strings of an item's key, which ``key_of`` makes from the edge's position (by default the
    position is the key)."""

    tag: str
    size: int
    key_of: Callable[[Any], Key] | None = None

    def encode(self, position: Any) -> str:
        key = position if self.key_of is None else self.key_of(position)
        return encode_key((self.tag, *key))

    def decode(self, after: str) -> Key:
        """The key inside ``after``; BAD_USER_INPUT if it is no cursor of this list."""
        raw = decode_key(after)
        if raw is None or len(raw) != self.size + 1 or raw[0] != self.tag:
            raise bad_cursor()
        return raw[1:]


def edge_cursor(root: Any) -> str:
    """The cursor of an edge: every edge type keeps private ``cursors`` and ``position``."""
    return str(root.cursors.encode(root.position))


def cursor_field() -> Any:
    """The ``cursor`` field of an edge type (computed only when asked for)."""
    return strawberry.field(
        resolver=edge_cursor, description="Opaque position of this item; pass it as `after`."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[N]):
    node: N = strawberry.field(description="The item.")
    cursors: strawberry.Private[Cursors]
    position: strawberry.Private[Any]
    cursor: str = cursor_field()


@strawberry.type(description="A page of a list, with cursors to walk it and its total size.")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(
        description="Number of items in the whole list (all pages), with the same filters."
    )


def connection(
    cls: Callable[..., C], edges: list[Any], *, total: int, has_next: bool, after: str | None
) -> C:
    """The connection ``cls`` of a page of ``edges`` out of ``total`` items."""
    return cls(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edge_cursor(edges[0]) if edges else None,
            end_cursor=edge_cursor(edges[-1]) if edges else None,
        ),
        total_count=total,
    )


def window(
    cursors: Cursors,
    count: int,
    start: Callable[[Key], int | None],
    *,
    first: int,
    after: str | None,
) -> range:
    """Indices of the page of at most ``first`` of ``count`` items ``after`` the cursor;
    ``start(key)`` is the index following the item of ``key``, None if the list has no
    such item (the cursor is then refused)."""
    check_first(first)
    begin = 0
    if after is not None:
        found = start(cursors.decode(after))
        if found is None:
            raise bad_cursor()
        begin = found
    return range(begin, min(count, begin + first))


def page(
    cursors: Cursors,
    count: int,
    start: Callable[[Key], int | None],
    edge: Callable[[int], Any],
    *,
    first: int,
    after: str | None,
    cls: Callable[..., Any] = Connection,
) -> Any:
    """The connection ``cls`` of the page of a list of ``count`` items held in memory; only
    the page's edges are built (``edge(index)``). ``start``: as in :func:`window`."""
    indices = window(cursors, count, start, first=first, after=after)
    edges = [edge(i) for i in indices]
    return connection(cls, edges, total=count, has_next=indices.stop < count, after=after)


def shown_page(
    cursors: Cursors,
    shown: Sequence[int],
    key_at: Callable[[int], Key],
    position: Callable[[Key], int | None],
    build: Callable[[int], N],
    *,
    first: int,
    after: str | None,
) -> Connection[N]:
    """The page of the items at positions ``shown`` (ascending, from ``Policy.shown``) of a
    list whose ``key_at`` / ``position`` (exact: None for no such key) / ``build`` take
    positions in the whole list: the page, its count and its cursors see only the shown
    items, and a cursor naming a hidden item is refused like one naming no item."""

    def start(key: Key) -> int | None:
        full = position(key)
        j = len(shown) if full is None else bisect_left(shown, full)
        return j + 1 if j < len(shown) and shown[j] == full else None

    def edge(j: int) -> Edge[N]:
        return Edge(node=build(shown[j]), cursors=cursors, position=key_at(shown[j]))

    return page(cursors, len(shown), start, edge, first=first, after=after)
