"""The ``Date`` scalar: a calendar day written ``YYYY-MM-DD``.

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
from operator import methodcaller
from typing import Any

from graphql import GraphQLError, StringValueNode, ValueNode, print_ast
from strawberry.types.scalar import ScalarDefinition

from api.errors import ErrorCode
from api.input_ranges import DATE_MAX, DATE_MIN, parse_date


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

#: For ``strawberry.Schema(scalar_overrides=...)``.
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.date: DATE}
