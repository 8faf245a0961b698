"""Error codes the API promises to clients, and the one place that turns exceptions into them.

Clients branch on ``extensions.code``, never on message text, so the codes here are part of the
API contract (docs/API.md lists them). Anything that is not a deliberate, coded error is an
internal failure: its message could carry internals (SQL, Cypher, file paths), so it is
replaced by a fixed text before it leaves the process; the server log keeps the original and
its traceback (:class:`CodedErrorsSchema` maps errors only after Strawberry has logged them).

Only internal failures are logged with a traceback. A request that met an unavailable store
logs one warning line (an outage would otherwise fill the log with identical tracebacks), and
errors made for the client (syntax, validation, NOT_FOUND, BAD_USER_INPUT) are not logged: they
are the caller's to read, not the operator's.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError, ObjectFieldNode, ValueNode

from analytics import errors as analytics_errors
from graph.errors import GraphError, NotFound, StoreUnavailable

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext


class ErrorCode(StrEnum):
    """Values of ``extensions.code`` on top-level errors and of ``UserError.code``."""

    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    FORBIDDEN = "FORBIDDEN"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    RATE_LIMITED = "RATE_LIMITED"
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


INTERNAL_MESSAGE = "Unexpected error; it has been logged."
UNAVAILABLE_MESSAGE = "The graph store is unavailable; try again later."


class ApiError(GraphQLError):
    """A deliberate error with a code; its message is written for the client."""

    def __init__(self, message: str, code: ErrorCode, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})


def not_found(what: str, key: str) -> ApiError:
    return ApiError(f"no {what} with id {key!r}", ErrorCode.NOT_FOUND)


def bad_input(message: str, argument: str, *, path: str | None = None) -> ApiError:
    """An argument the schema accepts by type but not by value (``first: 500``, a bad cursor).

    ``path`` names the input field at fault inside the argument (``filter.asOf``): the message
    starts with it, while ``extensions.argument`` stays the argument itself.
    """
    return ApiError(f"{path or argument}: {message}", ErrorCode.BAD_USER_INPUT, argument=argument)


def client_error(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it: coded errors as they are, graph errors mapped to a
    code, anything else masked."""
    original = error.original_error  # None once mapped, so mapping twice changes nothing
    if original is None or isinstance(original, GraphQLError):
        if error.message.startswith(TOKEN_LIMIT_PREFIX) and "code" not in (error.extensions or {}):
            return _replace(error, error.message, ErrorCode.QUERY_TOO_COMPLEX, measure="tokens")
        if _refused_value(error):
            return _replace(error, error.message, ErrorCode.BAD_USER_INPUT)
        return error  # syntax/validation errors and our own ApiErrors
    if isinstance(original, StoreUnavailable):
        return _replace(error, UNAVAILABLE_MESSAGE, ErrorCode.STORE_UNAVAILABLE)
    if isinstance(original, NotFound | analytics_errors.NotFound):
        return _replace(error, original.message, ErrorCode.NOT_FOUND)
    if isinstance(original, GraphError | analytics_errors.InvalidArgument):
        # A store or an analysis refusing arguments (e.g. a cursor it cannot decode, a depth
        # out of range): the message names the argument and was written for people, so it
        # may be shown.
        extensions = {"argument": original.field} if original.field else {}
        return _replace(error, str(original), ErrorCode.BAD_USER_INPUT, **extensions)
    # Strawberry has already logged it with its traceback (Schema.process_errors).
    return _replace(error, INTERNAL_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR)


#: How graphql-core's parser words the token limit (``max_lexical_tokens``); the parser stops
#: there, so the document was never parsed in full.
TOKEN_LIMIT_PREFIX = "Syntax Error: Document contains more than"


#: What an error about a literal value blames: the value, or a field of an input object.
_VALUE_NODES = (ValueNode, ObjectFieldNode)


def _refused_value(error: GraphQLError) -> bool:
    """Whether graphql-core refused a value sent by the client while coercing it.

    Two shapes, neither with a code of its own: a variable's value (``Variable '$x' has
    invalid value``), refused before execution with the coercion error as its original; and a
    literal (``first: 1e100``, an unknown enum value or input field), blamed on the value's
    nodes, by validation or, for a literal built around variables, at the field. Other
    validation errors blame fields, operations or variable definitions, and a syntax error no
    node at all, so they keep graphql-core's messages uncoded.
    """
    if "code" in (error.extensions or {}):
        return False
    if error.path is None and isinstance(error.original_error, GraphQLError):
        return True
    nodes = error.nodes or ()
    return bool(nodes) and all(isinstance(node, _VALUE_NODES) for node in nodes)


def _replace(error: GraphQLError, message: str, code: ErrorCode, **extensions: Any) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={"code": code.value, **extensions},
    )


log = logging.getLogger("partnernet")


class CodedErrorsSchema(strawberry.Schema):
    """A Strawberry schema whose errors reach clients as :func:`client_error` makes them.

    Why ``process_errors`` and not a schema extension: an extension's hooks cost every request
    several microseconds even when nothing failed, while Strawberry calls ``process_errors``
    only when there are errors, with the very list it then returns (``result.errors``, or the
    pre-execution errors). Strawberry's own ``process_errors`` logs each error with its
    original exception's traceback, so it runs first; the list's items are then replaced in
    place. An error already mapped has no ``original_error`` and stays as it is, so a list that
    passes through twice comes out the same.
    """

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        internal = [e for e in errors if _is_internal(e)]
        if internal:
            super().process_errors(internal, execution_context)
        outage = next(
            (e.original_error for e in errors if isinstance(e.original_error, StoreUnavailable)),
            None,
        )
        if outage is not None:
            log.warning("request failed, the store is unavailable: %s", outage)
        errors[:] = [client_error(e) for e in errors]


#: Errors raised for the client to read (besides coded GraphQL errors): a graph refusal, or
#: an analysis refusing its subject or an argument. Any other analytics error that reaches
#: here (a budget no resolver caught) is an internal failure.
_CLIENT_ERRORS = GraphError | analytics_errors.NotFound | analytics_errors.InvalidArgument


def _is_internal(error: GraphQLError) -> bool:
    """Whether ``error`` is an unexpected failure (not one written for the client)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | _CLIENT_ERRORS)
