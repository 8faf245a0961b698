"""Whole GraphQL results of coverage queries, cached for dashboards that poll them.

Computing a matrix is cached by the service, but executing the GraphQL document over it
(hundreds of cells, a dozen fields each) still costs more than the cached computation. A
dashboard polls the same document with the same variables all day, so this cache keeps the
finished result of any query whose root fields are all coverage fields, keyed by everything the
result depends on: the graph revision, the document and its variables, the caller's policy, and
today's date (the default ``asOf``). A write bumps the revision, so entries never go stale.

It wraps execution in the HTTP view (``graphql_routes(..., response_cache=coverage_responses)``
in api/app.py), not the schema: as a schema extension it cost every request its hooks, and a
hit here skips parsing, validation and execution altogether. Only error-free results are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, Final

from graphql import DocumentNode, FieldNode, GraphQLError, OperationDefinitionNode, OperationType
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.context import Context
from api.coverage.service import service_for
from api.http import parse_document

#: Root fields whose results depend only on the revision, their arguments and the caller.
CACHEABLE: Final = frozenset(
    {
        "coverageMatrix",
        "underEngagedCells",
        "coverageTrend",
        "stakeholderGaps",
        "unengagedMemberStates",
        "needWeights",
        "__typename",
    }
)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (name is None or (d.name is not None and d.name.value == name))
    ]
    return ops[0] if len(ops) == 1 else None


def is_cacheable(
    query: object, operation_name: str | None, parse_options: Mapping[str, Any] | None = None
) -> bool:
    """Whether the operation is a query selecting only coverage fields at its root.

    The document comes from the schema's parse cache, parsed with the request's limits
    (``parse_options``, its guard's), so a repeat costs no parse and a token flood is never
    parsed. A text that does not parse is not cacheable; the schema then reports the error.
    """
    if not isinstance(query, str):
        return False
    try:
        document = parse_document(query, **(parse_options or {}))
    except GraphQLError:
        return False
    op = _operation(document, operation_name)
    return (
        op is not None
        and op.operation is OperationType.QUERY
        and all(
            isinstance(s, FieldNode) and s.name.value in CACHEABLE
            for s in op.selection_set.selections
        )
    )


async def coverage_responses(
    context: Context,
    request: GraphQLRequestData,
    execute: Callable[[], Awaitable[ExecutionResult]],
) -> ExecutionResult:
    """The view's response cache (``api.http.ResponseCache``): a repeated coverage query is
    answered with the result of its first execution, and charged what that cost (the caller's
    rate counts it like any request); anything else is executed as usual."""
    options = context.guard.parse_options if context.guard is not None else None
    if not is_cacheable(request.query, request.operation_name, options):
        return await execute()
    key: Hashable = (
        "response",
        await context.store.revision(),
        dt.date.today(),
        context.policy,
        request.query,
        request.operation_name,
        json.dumps(request.variables or {}, sort_keys=True, default=str),
    )
    responses = service_for(context.store).responses
    guard = context.guard
    hit = responses.get(key)
    if hit is not None:
        result, cost = hit
        refused = await guard.replay(cost) if guard is not None and cost is not None else None
        return ExecutionResult(data=None, errors=refused) if refused else result
    result = await execute()
    if not result.errors:
        responses[key] = (result, guard.cost if guard is not None else None)
    return result


__all__: Final = ["CACHEABLE", "coverage_responses", "is_cacheable"]
