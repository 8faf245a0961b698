"""The one paging helper (api/core/paging.py): cursors, page bounds and ``PageInfo``."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from api.core import paging
from api.core.paging import MAX_PAGE, Cursors, Key, check_first, edge_cursor
from api.errors import ApiError
from graph.errors import ValidationError
from graph.store import decode_cursor, decode_key, encode_key

ITEMS = ["a", "b", "c", "d", "e"]
CURSORS = Cursors("letter", 1)
WHERE = {x: i for i, x in enumerate(ITEMS)}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def letters(first: int, after: str | None = None) -> Any:
    return paging.shown_page(
        CURSORS,
        range(len(ITEMS)),
        lambda i: (ITEMS[i],),
        lambda key: WHERE.get(key[0]),
        lambda i: ITEMS[i],
        first=first,
        after=after,
    )


def walk(first: int) -> list[list[str]]:
    pages, after = [], None
    for _ in range(len(ITEMS) + 1):
        got = letters(first, after)
        pages.append([e.node for e in got.edges])
        assert got.total_count == len(ITEMS)
        assert got.page_info.has_previous_page is (after is not None)
        if not got.page_info.has_next_page:
            return pages
        after = got.page_info.end_cursor
    raise AssertionError(f"no last page: {pages}")


def refused(error: pytest.ExceptionInfo[ApiError], argument: str) -> None:
    assert error.value.extensions == {"code": "BAD_USER_INPUT", "argument": argument}


def test_cursors_round_trip_and_keep_their_format() -> None:
    pair = Cursors("r", 2)
    cursor = pair.encode(("node-1", "rel-1"))
    assert cursor == b64('["r", "node-1", "rel-1"]')  # the format clients already hold
    assert pair.decode(cursor) == ("node-1", "rel-1")
    named = Cursors("NAME", 1, lambda n: (f"key of {n}",))
    assert named.decode(named.encode(7)) == ("key of 7",)
    assert decode_key(encode_key(["x", "ü", '"'])) == ("x", "ü", '"')


@pytest.mark.parametrize(
    "after",
    [
        "not-a-cursor",
        b64("o:3"),  # base64, not JSON
        b64('["x"]'),  # another list's tag
        b64('["letter"]'),  # no key
        b64('["letter", "a", "b"]'),  # a key too long
        b64('["letter", 1]'),  # not strings
        b64('{"letter": "a"}'),
        b64("[" * 5_000),  # nested too deep for the JSON parser
        b64('["letter", "zz"]'),  # no such item
        "\ud800",
    ],
)
def test_a_foreign_or_damaged_cursor_is_refused(after: str) -> None:
    with pytest.raises(ApiError) as error:
        letters(2, after)
    refused(error, "after")
    assert error.value.message == "after: is not a cursor of this list"


def test_the_store_refuses_a_damaged_cursor_with_its_own_error() -> None:
    with pytest.raises(ValidationError) as error:
        decode_cursor(b64("[" * 5_000))
    assert error.value.field == "after"


def test_pages_walk_the_whole_list_once() -> None:
    assert walk(2) == [["a", "b"], ["c", "d"], ["e"]]
    assert walk(5) == [ITEMS]
    assert walk(MAX_PAGE) == [ITEMS]


def test_page_info_at_the_edges() -> None:
    whole = letters(5)
    assert (whole.page_info.has_next_page, whole.page_info.has_previous_page) == (False, False)
    assert whole.page_info.start_cursor == edge_cursor(whole.edges[0])
    assert whole.page_info.end_cursor == edge_cursor(whole.edges[-1])
    short = letters(4)
    assert short.page_info.has_next_page and not short.page_info.has_previous_page
    last = letters(1, short.page_info.end_cursor)
    assert [e.node for e in last.edges] == ["e"]
    assert last.page_info.has_previous_page and not last.page_info.has_next_page
    after_last = letters(3, last.page_info.end_cursor)
    assert after_last.edges == [] and after_last.total_count == len(ITEMS)
    assert after_last.page_info.has_previous_page and not after_last.page_info.has_next_page
    assert after_last.page_info.start_cursor is None and after_last.page_info.end_cursor is None


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE + 1])
def test_first_out_of_bounds_is_refused(first: int) -> None:
    with pytest.raises(ApiError) as error:
        letters(first)
    refused(error, "first")
    assert error.value.message == f"first: must be between 1 and {MAX_PAGE}, got {first}"
    with pytest.raises(ApiError) as named:
        check_first(first, "top")
    refused(named, "top")


def test_first_at_its_bounds() -> None:
    assert [e.node for e in letters(1).edges] == ["a"]
    assert check_first(MAX_PAGE) == MAX_PAGE


def test_hidden_items_leave_no_gap_and_their_cursors_are_refused() -> None:
    shown = [0, 2, 4]  # b and d hidden

    def visible(first: int, after: str | None = None) -> paging.Connection[str]:
        return paging.shown_page(
            CURSORS,
            shown,
            lambda i: (ITEMS[i],),
            lambda key: WHERE.get(key[0]),
            lambda i: ITEMS[i],
            first=first,
            after=after,
        )

    one = visible(2)
    assert [e.node for e in one.edges] == ["a", "c"] and one.total_count == 3
    two = visible(2, one.page_info.end_cursor)
    assert [e.node for e in two.edges] == ["e"] and not two.page_info.has_next_page
    with pytest.raises(ApiError) as error:  # exists, but hidden: as if it did not
        visible(2, CURSORS.encode(("b",)))
    refused(error, "after")


def test_cursors_are_computed_only_when_asked_for() -> None:
    asked: list[int] = []

    def key_of(position: int) -> Key:
        asked.append(position)
        return (str(position),)

    offsets = Cursors("o", 1, key_of)
    got = paging.page(
        offsets,
        50,
        lambda key: int(key[0]) + 1,
        lambda i: paging.Edge(node=i, cursors=offsets, position=i),
        first=MAX_PAGE,
        after=None,
    )
    assert len(got.edges) == 50 and sorted(asked) == [0, 49]  # start and end cursors only
    assert edge_cursor(got.edges[7]) == offsets.encode(7)
