"""The documented range of every input the API accepts: the one table, and the checks.

Why one table keyed by input name: an argument or input field means the same thing wherever it
appears (``first`` is a page size on every list, ``asOf`` a day on every field), so its range
is declared once, here, and both edges read it: the GraphQL schema (:mod:`api.input_checks`
checks every argument and input field against it and writes the range into its description)
and the HTTP exports (:mod:`api.coverage.exports`). A value outside its range would otherwise
reach code that was never meant for it: a day in year 1 overflows date arithmetic, a float
literal ``1e400`` is infinity, a megabyte of text is a megabyte of work.

Checks return a problem (``None`` when the value is fine) rather than raising, so each edge
raises its own kind of error (a coded GraphQL error, an HTTP 400) naming the input at fault.

In mutation inputs these are outer bounds: the model's narrower rules (a name of at most 300
characters, an amount of at least 0, a share from 0 to 1, an IATI code) are checked after them
and reported as ``userErrors`` (docs/API.md).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sized
from dataclasses import dataclass
from typing import Final

from analytics.lineage import MAX_DEPTH
from api.core.paging import MAX_PAGE

DATE_MIN: Final = dt.date(1900, 1, 1)
DATE_MAX: Final = dt.date(2100, 12, 31)
_DATE_FORMAT: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def number_text(value: float) -> str:
    """``100``, ``1,000,000``, ``0.5``: how bounds and values read in messages and docs."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return f"{int(value):,}" if abs(value) >= 1_000 else str(int(value))
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class Number:
    """A range of Int or Float values; ``None`` leaves that side open (finite values only).

    ``above``: the low bound itself is excluded; ``exclusive``: both bounds are.
    """

    low: float | None = None
    high: float | None = None
    above: bool = False
    exclusive: bool = False

    def problem(self, value: float) -> str | None:
        if not math.isfinite(value):
            return "must be a finite number"
        low_ok = self.low is None or (
            value > self.low if self.above or self.exclusive else value >= self.low
        )
        high_ok = self.high is None or (value < self.high if self.exclusive else value <= self.high)
        if low_ok and high_ok:
            return None
        return f"must be {self._bounds()}, got {number_text(value)}"

    def _bounds(self) -> str:
        low = None if self.low is None else number_text(self.low)
        high = None if self.high is None else number_text(self.high)
        if self.exclusive:
            return f"between {low} and {high} (exclusive)"
        if low is not None and high is not None:
            return f"above {low} and at most {high}" if self.above else f"between {low} and {high}"
        if high is not None:
            return f"at most {high}"
        return f"above {low}" if self.above else f"at least {low}"

    @property
    def phrase(self) -> str | None:
        """The range in words for a description; None when only finiteness is asked."""
        if self.low is None and self.high is None:
            return None
        low = None if self.low is None else number_text(self.low)
        high = None if self.high is None else number_text(self.high)
        if self.exclusive:
            return f"between {low} and {high}, both excluded"
        if low is not None and high is not None:
            return f"above {low}, up to {high}" if self.above else f"{low} to {high}"
        return self._bounds()


INT32_MAX: Final = 2**31 - 1

#: Every Int and Float argument or input field, by name. A numeric input missing here stops
#: the schema from being built (api/input_checks.py), so none goes unchecked.
NUMBERS: Final[dict[str, Number]] = {
    # queries
    "first": Number(1, MAX_PAGE),
    "top": Number(1, MAX_PAGE),
    "membersPerCommunity": Number(1, MAX_PAGE),
    "depth": Number(1, MAX_DEPTH),
    "minShare": Number(0, 1),
    "k": Number(2, 1_000_000),
    "seed": Number(0, INT32_MAX),
    "resolution": Number(0, 100, above=True),
    "damping": Number(0, 1, exclusive=True),
    "halfLifeYears": Number(0, 1000, above=True),
    "targetIndex": Number(0, 1_000_000, above=True),
    "fromRevision": Number(0, INT32_MAX),
    "movers": Number(0, 96),
    "toRevision": Number(0, INT32_MAX),
    "maxNodes": Number(1, 5_000),  # networkGraph: a drawing's nodes
    "maxLinks": Number(1, 20_000),  # and its links
    # mutation inputs: outer bounds, the model's rules follow as userErrors
    "amount": Number(high=1e12),
    "weight": Number(high=1_000_000),
    "share": Number(),
    "iatiOrgType": Number(),
}

#: Characters allowed in a string or ID by name; any other: ``TEXT_DEFAULT``. Cursors carry a
#: name of up to 300 characters, JSON-escaped and base64-encoded twice.
TEXT: Final[dict[str, int]] = {
    "text": 200,
    "after": 8_000,
    "description": 10_000,
    "source": 4_000,
}
TEXT_DEFAULT: Final = 1_000

#: Items allowed in a list by name; any other: ``ITEMS_DEFAULT``.
ITEMS: Final[dict[str, int]] = {
    "countries": 200,  # every Member State fits
    "weights": 1_000,
    "dates": 24,  # the points of a series (api/history/series.py, MAX_POINTS)
}
ITEMS_DEFAULT: Final = MAX_PAGE


def number_problem(name: str, value: float) -> str | None:
    return NUMBERS[name].problem(value)


def text_limit(name: str) -> int:
    return TEXT.get(name, TEXT_DEFAULT)


def text_problem(name: str, value: str) -> str | None:
    limit = text_limit(name)
    if len(value) > limit:
        return f"must be at most {number_text(limit)} characters, got {number_text(len(value))}"
    if not value.isascii():
        # JSON can carry a lone surrogate ("\ud800"), which no store can encode as UTF-8.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must be Unicode text (it holds a lone surrogate)"
    return None


def items_limit(name: str) -> int:
    return ITEMS.get(name, ITEMS_DEFAULT)


def items_problem(name: str, values: Sized) -> str | None:
    limit = items_limit(name)
    if len(values) > limit:
        return f"must have at most {number_text(limit)} items, got {number_text(len(values))}"
    return None


def date_problem(value: dt.date) -> str | None:
    if DATE_MIN <= value <= DATE_MAX:
        return None
    return f"must be between {DATE_MIN} and {DATE_MAX}, got {value}"


def parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` exactly; raises ValueError otherwise.

    Why not ``date.fromisoformat`` alone: since Python 3.11 it also takes ``20240630`` and
    week dates (``2024-W26-7``), which no client means and the docs do not promise.
    """
    if not _DATE_FORMAT.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
