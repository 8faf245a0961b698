"""Whole GraphQL results of coverage queries, cached for dashboards that poll them.

Computing a matrix is cached by the service, but executing the GraphQL document over it
(hundreds of cells, a dozen fields each) still costs more than the cached computation. A
dashboard polls the same document with the same variables all day, so this extension keeps the
finished result of any query whose root fields are all coverage fields, keyed by everything the
result depends on: the graph revision, the document and its variables, the caller's policy, and
today's date (the default ``asOf``). A write bumps the revision, so entries never go stale.

Register it in the schema: ``strawberry.Schema(..., extensions=[..., CoverageResponses])``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Hashable
from typing import Final

from graphql import ExecutionResult, FieldNode, OperationDefinitionNode, OperationType
from strawberry.extensions import SchemaExtension

from api.coverage.service import service_for

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


def _operation(document: object, name: str | None) -> OperationDefinitionNode | None:
    ops = [
        d
        for d in getattr(document, "definitions", ())
        if isinstance(d, OperationDefinitionNode)
        and (name is None or (d.name is not None and d.name.value == name))
    ]
    return ops[0] if len(ops) == 1 else None


class CoverageResponses(SchemaExtension):
    """Serve a repeated coverage query from the results of its first execution."""

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        op = _operation(ec.graphql_document, ec.operation_name)
        key: Hashable | None = None
        if (
            op is not None
            and op.operation is OperationType.QUERY
            and ec.query is not None
            and all(
                isinstance(s, FieldNode) and s.name.value in CACHEABLE
                for s in op.selection_set.selections
            )
        ):
            context = ec.context
            key = (
                "response",
                await context.store.revision(),
                dt.date.today(),
                context.policy,
                ec.query,
                ec.operation_name,
                json.dumps(ec.variables or {}, sort_keys=True, default=str),
            )
        service = service_for(ec.context.store) if key is not None else None
        if service is not None:
            hit = service.responses.get(key)
            if hit is not None:
                ec.result = hit
                yield
                return
        yield
        result = ec.result
        if service is not None and isinstance(result, ExecutionResult) and not result.errors:
            service.responses.put(key, result)


__all__: Final = ["CACHEABLE", "CoverageResponses"]
