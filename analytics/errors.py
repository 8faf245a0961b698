"""One root exception for the analytics package, so callers can catch every refusal in one place.

Analytics refuse a question for three reasons: its subject is not in the graph
(:class:`NotFound`), an argument is out of its range (:class:`InvalidArgument`), or the answer
would cost more work than allowed (:class:`AnalysisTooLarge`). Each error carries the
``field`` (the argument) at fault where there is one. These are plain values with messages
written for people; the API decides which client error code each one becomes
(:mod:`api.errors`), so analytics know nothing of GraphQL or of the stores.

Examples
--------
>>> err = InvalidArgument("must be between 1 and 20, got 25", field="depth")
>>> str(err), err.field, isinstance(err, AnalyticsError)
("must be between 1 and 20, got 25 (field 'depth')", 'depth', True)
"""

from __future__ import annotations

__all__ = ["AnalysisTooLarge", "AnalyticsError", "InvalidArgument", "NotFound"]


class AnalyticsError(Exception):
    """Root of every error raised by :mod:`analytics`."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(f"{message} (field {field!r})" if field else message)


class NotFound(AnalyticsError):
    """The subject of a question (an outcome, actor or programme) is not in the graph."""


class InvalidArgument(AnalyticsError):
    """An argument is out of its range, or names something of the wrong kind."""


class AnalysisTooLarge(AnalyticsError):
    """A measure would exceed its work budget; the message says what to do instead.

    Examples
    --------
    >>> err = AnalysisTooLarge("closeness", 5_000, 1_000, "filter the graph")
    >>> err.measure, err.cost, err.budget
    ('closeness', 5000, 1000)
    >>> str(err)
    'closeness would cost about 5,000 units of work (budget 1,000); filter the graph'
    """

    def __init__(self, measure: str, cost: int, budget: int, advice: str) -> None:
        self.measure = measure
        self.cost = cost
        self.budget = budget
        super().__init__(
            f"{measure} would cost about {cost:,} units of work (budget {budget:,}); {advice}"
        )
