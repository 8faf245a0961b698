"""Relay-style pagination shared by every list: the page size bounds, ``PageInfo`` and the
generic ``Connection`` / ``Edge``, whose cursors are computed only when asked for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from api.errors import bad_input

MAX_PAGE = 100
DEFAULT_PAGE = 20


def check_first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"must be between 1 and {MAX_PAGE}, got {first}", "first")
    return first


N = TypeVar("N")


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


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[N]):
    node: N = strawberry.field(description="The item.")
    cursor_of: strawberry.Private[Callable[[Any], str]]
    cursor_arg: strawberry.Private[Any]

    @strawberry.field(description="Opaque position of this item; pass it as `after`.")
    def cursor(self) -> str:
        return self.cursor_of(self.cursor_arg)


@strawberry.type(description="A page of a list, with cursors to walk it and its total size.")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(
        description="Number of items in the whole list (all pages), with the same filters."
    )
