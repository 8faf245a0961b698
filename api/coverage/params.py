"""Coverage parameters shared by the GraphQL fields and the export endpoints: turning what a
client sent into analytics inputs, and the cache key of a result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analytics.coverage import DIMENSION_LEVEL, Dimension, GeographyBasis, Window
from analytics.coverage_report import MatrixQuery
from api.policy import Policy


class BadParameter(ValueError):
    """A parameter with a value the API refuses; ``name`` is the parameter's client name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def window_for(as_of: dt.date | None, start: dt.date | None, end: dt.date | None) -> Window:
    """An as-of date, a period, or (neither given) as of today."""
    if as_of is not None and (start is not None or end is not None):
        raise BadParameter("asOf", "give either asOf or a period, not both")
    if (start is None) != (end is None):
        raise BadParameter("period", "a period needs both a start and an end")
    if start is not None and end is not None:
        if start > end:
            raise BadParameter("period", f"starts ({start}) after it ends ({end})")
        return Window.period(start, end)
    return Window.as_of(as_of or dt.date.today())


def group_by_of(values: Iterable[str], name: str = "groupBy") -> tuple[Dimension, ...]:
    dims = []
    for v in values:
        try:
            dims.append(Dimension(v.strip().upper()))
        except ValueError:
            raise BadParameter(
                name, f"unknown dimension {v!r}; expected some of {', '.join(Dimension)}"
            ) from None
    if not dims:
        raise BadParameter(name, "group by at least one dimension")
    if len(dims) > 3:
        raise BadParameter(name, "group by at most three dimensions")
    families = [DIMENSION_LEVEL[d][0] for d in dims]
    if len(set(families)) != len(families):
        raise BadParameter(name, "at most one dimension per family (geography, theme, stakeholder)")
    return tuple(dims)


def matrix_query(
    group_by: tuple[Dimension, ...],
    selection: Mapping[Dimension, Iterable[str]],
    target_index: float | None,
    *,
    breakdown: bool = False,
    selection_name: str = "select",
) -> MatrixQuery:
    for dim in selection:
        if dim not in group_by:
            raise BadParameter(
                selection_name,
                f"selecting {dim} values needs {dim} in groupBy: a selection only chooses "
                "rows and columns of the grouped matrix",
            )
    if target_index is not None and not target_index > 0:
        raise BadParameter("targetIndex", "must be > 0")
    return MatrixQuery.of(group_by, selection, target_index=target_index, breakdown=breakdown)


def caller_k(policy: Policy) -> int | None:
    """The caller's suppression threshold; None for privileged callers (nothing hidden)."""
    return None if policy.privileged else policy.suppression_k


@dataclass(frozen=True)
class MatrixRequest:
    """Everything a matrix depends on besides the revision: its cache key."""

    query: MatrixQuery
    window: Window
    basis: GeographyBasis
    k: int | None
