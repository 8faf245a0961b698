"""The ``Date`` scalar, a calendar day written ``YYYY-MM-DD``, and the ``KnownAt`` scalar.

Why our own and not Strawberry's: Strawberry's ``Date`` parses with ``date.fromisoformat``,
which since Python 3.11 also takes ``20240630`` and week dates, and its errors for a literal
carry neither a location nor a code, so a client could not tell a bad date from a broken
query. This one reads exactly ``YYYY-MM-DD`` and refuses anything else as ``BAD_USER_INPUT``
with the literal's location (for a variable, graphql-core adds the variable's name).

The range (1900-01-01 to 2100-12-31) is not checked here but where the argument is known
(:mod:`api.input_checks`), so that the error names the argument at fault; this scalar only
decides whether a value is a date at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import methodcaller
from typing import Any

from graphql import GraphQLError, IntValueNode, StringValueNode, ValueNode, print_ast
from strawberry.types.scalar import ScalarDefinition

from api.errors import ErrorCode
from api.input_ranges import DATE_MAX, DATE_MIN, INT32_MAX, date_problem, parse_date


def _refuse(message: str, node: ValueNode | None = None) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": ErrorCode.BAD_USER_INPUT.value})


def _parse_value(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise _refuse(f"Date: expected a string YYYY-MM-DD, got {type(value).__name__}")
    try:
        return parse_date(value)
    except ValueError as err:
        raise _refuse(f"Date: {err}") from None


def _parse_literal(node: ValueNode, _variables: Any = None) -> dt.date:
    if not isinstance(node, StringValueNode):
        raise _refuse(f"Date: expected a string YYYY-MM-DD, got {print_ast(node)[:40]}", node)
    try:
        return parse_date(node.value)
    except ValueError as err:
        raise _refuse(f"Date: {err}", node) from None


DATE = ScalarDefinition(
    name="Date",
    description=f"A calendar day, YYYY-MM-DD, from {DATE_MIN} to {DATE_MAX}.",
    specified_by_url=None,
    serialize=methodcaller("isoformat"),
    parse_value=_parse_value,
    parse_literal=_parse_literal,
)


@dataclass(frozen=True, slots=True)
class KnownAt:
    """Recorded time (docs/HISTORY.md): a revision, or the instant whose revision is meant
    (the last write committed at or before it)."""

    revision: int | None = None
    at: dt.datetime | None = None


_KNOWN_AT_FORMAT = (
    "KnownAt: expected a revision (an Int from 0), a day YYYY-MM-DD (its end, UTC) or a "
    "date-time with its offset (2025-06-30T12:00:00Z)"
)


def known_at_of(value: Any) -> KnownAt:
    """A revision, a day (meaning the end of it, UTC: what the database said that day) or
    an ISO 8601 date-time with an offset; ``ValueError`` saying what is expected."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= INT32_MAX:
            raise ValueError(f"KnownAt: a revision is from 0 to {INT32_MAX}, got {value}")
        return KnownAt(revision=value)
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(_KNOWN_AT_FORMAT)
    if len(value) == 10:
        try:
            day = parse_date(value)
        except ValueError as err:
            raise ValueError(f"KnownAt: {err}") from None
        if (problem := date_problem(day)) is not None:
            raise ValueError(f"KnownAt: {problem}")
        end = dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
        return KnownAt(at=end)
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_KNOWN_AT_FORMAT) from None
    if at.tzinfo is None:
        raise ValueError("KnownAt: a date-time needs its offset (Z for UTC)")
    if (problem := date_problem(at.date())) is not None:
        raise ValueError(f"KnownAt: {problem}")
    return KnownAt(at=at.astimezone(dt.UTC))


def _known_at_value(value: Any) -> KnownAt:
    try:
        return known_at_of(value)
    except ValueError as err:
        raise _refuse(str(err)) from None


def _known_at_literal(node: ValueNode, _variables: Any = None) -> KnownAt:
    try:
        if isinstance(node, IntValueNode):
            return known_at_of(int(node.value))
        if isinstance(node, StringValueNode):
            return known_at_of(node.value)
    except ValueError as err:
        raise _refuse(str(err), node) from None
    raise _refuse(f"{_KNOWN_AT_FORMAT}, got {print_ast(node)[:40]}", node)


def _known_at_out(value: KnownAt) -> Any:
    return value.revision if value.revision is not None else value.at and value.at.isoformat()


KNOWN_AT = ScalarDefinition(
    name="KnownAt",
    description=(
        "Recorded time: the graph as the database held it at a revision (an Int, e.g. 42) or "
        "at an instant (a day `YYYY-MM-DD`, meaning its end in UTC, or a date-time with its "
        "offset, `2025-06-30T12:00:00Z`): reproduces a figure as it was published, corrections "
        "since left out. Sensitivity is the stricter of then and now."
    ),
    specified_by_url=None,
    serialize=_known_at_out,
    parse_value=_known_at_value,
    parse_literal=_known_at_literal,
)

#: For ``strawberry.Schema(scalar_overrides=...)``.
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.date: DATE}
