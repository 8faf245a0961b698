"""The range table and the schema checks, in-process: what a range says and refuses, and that
a numeric input without a documented range stops the schema from being built."""

from __future__ import annotations

import math
from typing import Annotated

import pytest
import strawberry
from graphql import graphql_sync

from api import input_ranges as ranges
from api.input_checks import check_inputs
from api.scalars import SCALAR_OVERRIDES


def test_every_number_refuses_nan_and_infinities() -> None:
    for rng in ranges.NUMBERS.values():
        for odd in (math.nan, math.inf, -math.inf):
            assert rng.problem(odd) == "must be a finite number"


@pytest.mark.parametrize(
    ("rng", "value", "problem", "phrase"),
    [
        (ranges.Number(1, 100), 0, "must be between 1 and 100, got 0", "1 to 100"),
        (
            ranges.Number(0, 100, above=True),
            0,
            "must be above 0 and at most 100, got 0",
            "above 0, up to 100",
        ),
        (
            ranges.Number(0, 1, exclusive=True),
            1,
            "must be between 0 and 1 (exclusive), got 1",
            "between 0 and 1, both excluded",
        ),
        (
            ranges.Number(high=1e12),
            2e12,
            "must be at most 1,000,000,000,000, got 2,000,000,000,000",
            "at most 1,000,000,000,000",
        ),
    ],
)
def test_a_range_says_what_it_refuses(
    rng: ranges.Number, value: float, problem: str, phrase: str
) -> None:
    assert rng.problem(value) == problem
    assert rng.phrase == phrase
    assert rng.problem(rng.high if rng.high is not None and not rng.exclusive else 0.5) is None


def test_dates_are_read_strictly() -> None:
    assert str(ranges.parse_date("2024-06-30")) == "2024-06-30"
    for odd in (
        "20240630",
        "2024-W26-7",
        "2024-06-30T00:00",
        " 2024-06-30",
        "\uff12\uff10\uff12\uff14-06-30",
    ):
        with pytest.raises(ValueError, match="is not a date"):
            ranges.parse_date(odd)


def test_strings_must_be_unicode_text() -> None:
    assert ranges.text_problem("name", "Ünïcödé 😀") is None
    assert (
        ranges.text_problem("name", "\ud800") == "must be Unicode text (it holds a lone surrogate)"
    )


def _schema(query: type) -> strawberry.Schema:
    built = strawberry.Schema(query=query, scalar_overrides=SCALAR_OVERRIDES)
    check_inputs(built._schema)
    return built


@strawberry.type
class UnrangedQuery:
    @strawberry.field(description="A field with an unknown number.")
    def probe(self, bogus_count: int = 1) -> int:
        return bogus_count


@strawberry.input(description="Nested.")
class Window:
    as_of: str | None = strawberry.field(default=None, description="Some text.")


@strawberry.type
class PageQuery:
    @strawberry.field(description="A page.")
    def page(
        self,
        first: Annotated[int, strawberry.argument(description="Page size.")] = 20,
        window: Window | None = None,
    ) -> int:
        return first


def test_a_number_without_a_documented_range_stops_the_build() -> None:
    with pytest.raises(LookupError, match=r"'bogusCount'.*api/input_ranges\.py"):
        _schema(UnrangedQuery)


def test_checks_name_the_input_at_fault_and_document_the_range() -> None:
    gql = _schema(PageQuery)._schema
    assert gql.query_type is not None
    page = gql.query_type.fields["page"]
    assert page.args["first"].description == "Page size. Range: 1 to 100."
    assert page.args["window"].type.fields["asOf"].description == (
        "Some text. At most 1,000 characters."
    )
    too_long = "x" * (ranges.TEXT_DEFAULT + 1)
    result = graphql_sync(gql, f'{{ page(first: 5, window: {{asOf: "{too_long}"}}) }}')
    assert result.errors is not None
    [error] = result.errors
    assert error.message.startswith("window.asOf: must be at most 1,000 characters")
    assert error.extensions == {"code": "BAD_USER_INPUT", "argument": "window"}
    assert graphql_sync(gql, "{ page(first: 5) }").data == {"page": 5}
    [refused] = graphql_sync(gql, "{ page(first: 101) }").errors or []
    assert refused.message == "first: must be between 1 and 100, got 101"
