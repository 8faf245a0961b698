"""The request guard: limits set before parsing, cost and rate checked before execution.

One :class:`Guard` per app holds the limits, the validation rules they imply and the rate
limiter (the ``limits`` library: in memory by default, or Redis/Memcached/MongoDB through a
storage URI, so replicas share one budget). Each request gets an :class:`Admission` from it,
carried in the GraphQL context as ``guard``, which the schema consults at its parse and
validation steps (api/http/document_cache.py). What it decided is reported back to the client:
the cost in the response's ``extensions``, what is left of the rate in ``RateLimit-*`` headers,
``429`` with ``Retry-After`` when the budget is spent.
"""

from __future__ import annotations

import functools
import math
import time
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    get_operation_ast,
    specified_rules,
)
from graphql.execution.values import get_variable_values
from graphql.validation import NoSchemaIntrospectionCustomRule
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from api.errors import ErrorCode

from .cost import operation_cost
from .shape import shape_rule

if TYPE_CHECKING:
    from graphql import ASTValidationRule
    from starlette.responses import Response
    from strawberry.types import ExecutionContext

    from .limits import Limits


#: Points a refused request (unparsable, invalid, too costly) spends of its caller's rate.
REFUSAL_COST = 100


@functools.cache
def validation_rules(limits: Limits) -> tuple[type[ASTValidationRule], ...]:
    """The rules a request is validated with under ``limits`` (one tuple per ``Limits``, so it
    keys the validation cache cheaply). graphql-core's ``specified_rules`` include its
    ``MaxIntrospectionDepthRule``, which bounds introspection's nesting."""
    rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, shape_rule(limits))
    if not limits.introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    return rules


class Guard:
    """The app's limits and rate limiter; ``admission`` makes each request's guard."""

    def __init__(self, limits: Limits, rate_storage: str = "memory://") -> None:
        self.limits = limits
        self.rules = validation_rules(limits)
        self.parse_options = {
            "max_lexical_tokens": limits.max_tokens,
            "max_comments": limits.max_tokens,
            "max_source_length": limits.max_body_bytes,
        }
        self.rate = limits.rate_item()
        #: Costs of variable-free operations by (query text, operation name); bounded in
        #: entries of small keys' worth (the texts are the parse cache's own strings).
        self._prices: LRUCache[tuple[str | None, str | None], int] = LRUCache(maxsize=4096)
        self._limiter = (
            None
            if self.rate is None
            else SlidingWindowCounterRateLimiter(storage_from_string(f"async+{rate_storage}"))
        )

    def price(self, context: ExecutionContext) -> int | None:
        """The cost of the request's validated operation, or ``None`` when there is no single
        operation or its variables do not coerce (execution then reports that, running
        nothing). Operations without variables are priced once per document text: a dashboard
        repeating a query pays a dictionary lookup, not a walk."""
        document = context.graphql_document
        assert document is not None
        key = None if context.variables else (context.query, context.operation_name)
        if key is not None and (known := self._prices.get(key)) is not None:
            return known
        operation = get_operation_ast(document, context.operation_name)
        if operation is None:
            return None
        gql_schema = context.schema._schema
        variables = get_variable_values(
            gql_schema, operation.variable_definitions or (), context.variables or {}
        )
        if isinstance(variables, list):
            return None
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        cost = operation_cost(gql_schema, operation, fragments, variables)
        if key is not None:
            self._prices[key] = cost
        return cost

    def admission(self, identity: str, response: Response) -> Admission:
        """The guard of one request by ``identity`` (``key:NAME`` or ``addr:IP``) whose
        headers and status go on ``response``."""
        return Admission(self, identity, response)

    async def charge(self, identity: str, cost: int) -> tuple[bool, int, float]:
        """Spend ``cost`` points of ``identity``'s rate: (allowed, remaining, reset time)."""
        assert self._limiter is not None and self.rate is not None
        allowed = await self._limiter.hit(self.rate, identity, cost=max(cost, 1))
        remaining, reset = await self.window(identity)
        return allowed, remaining, reset

    async def window(self, identity: str) -> tuple[int, float]:
        """What is left of ``identity``'s rate, and when the window resets (epoch seconds)."""
        assert self._limiter is not None and self.rate is not None
        stats = await self._limiter.get_window_stats(self.rate, identity)
        return max(stats.remaining, 0), stats.reset_time


class Admission:
    """One request's guard (the ``RequestGuard`` protocol of api/http)."""

    __slots__ = (
        "_guard",
        "_identity",
        "_response",
        "cost",
        "parse_options",
        "remaining",
        "suggestions",
    )

    def __init__(self, guard: Guard, identity: str, response: Response) -> None:
        self._guard = guard
        self.suggestions = guard.limits.suggestions
        #: What the parser is told (token and length limits); code outside the schema that
        #: parses the request (the coverage response cache) passes the same.
        self.parse_options: dict[str, Any] = guard.parse_options
        self._identity = identity
        self._response = response
        #: Points of the admitted (or refused) operation; ``None`` until it was priced.
        self.cost: int | None = None
        #: Rate points left after this request; ``None`` without rate limiting.
        self.remaining: int | None = None

    def prepare(self, context: ExecutionContext) -> None:
        context.parse_options = self.parse_options  # type: ignore[assignment]
        context.validation_rules = self._guard.rules

    async def admit(self, context: ExecutionContext) -> list[GraphQLError] | None:
        cost = self._guard.price(context)
        if cost is None:
            return None  # a missing operation or bad variables: Strawberry reports them
        self.cost = cost
        limits = self._guard.limits
        if cost > limits.max_cost:
            too_costly = GraphQLError(
                f"This operation would cost {cost:,} points; the limit is "
                f"{limits.max_cost:,}. Ask for fewer items (`first`, `top`), fewer nested "
                "lists or fewer analyses per request (docs/SECURITY.md, 'Cost model').",
                get_operation_ast(context.graphql_document, context.operation_name),  # type: ignore[arg-type]
                extensions={
                    "code": ErrorCode.QUERY_TOO_COSTLY.value,
                    "cost": cost,
                    "limit": limits.max_cost,
                },
            )
            return await self.refuse() or [too_costly]
        return await self._spend(cost)

    async def refuse(self) -> list[GraphQLError] | None:
        """Charge a refused request ``REFUSAL_COST`` points: refusing is cheap but not free, and
        a caller sending nothing but refusals must run out of budget like any other. Returns
        the rate error once the budget is spent (it replaces the refusal), else ``None``."""
        return await self._spend(REFUSAL_COST)

    async def replay(self, cost: int) -> list[GraphQLError] | None:
        """Charge and report a repeat answered from a response cache at what its first
        execution was priced: a cache makes an answer cheaper to serve, not free to ask for,
        so it is no way around the rate."""
        self.cost = cost
        return await self._spend(cost)

    async def gate(self) -> list[GraphQLError] | None:
        """The rate error when the caller's budget is already spent, checked before parsing:
        a caller sending a stream of distinct documents past its budget costs a counter
        lookup each, not a parse."""
        rate = self._guard.rate
        if rate is None:
            return None
        remaining, reset = await self._guard.window(self._identity)
        return None if remaining > 0 else self._answer(False, 0, remaining, reset)

    async def _spend(self, cost: int) -> list[GraphQLError] | None:
        if self._guard.rate is None:
            return None
        allowed, remaining, reset = await self._guard.charge(self._identity, cost)
        return self._answer(allowed, cost, remaining, reset)

    def _answer(
        self, allowed: bool, cost: int, remaining: int, reset: float
    ) -> list[GraphQLError] | None:
        """Set the rate headers (and the 429) for what the rate limiter said."""
        rate = self._guard.rate
        assert rate is not None
        self.remaining = remaining
        headers = self._response.headers
        wait = max(1, math.ceil(reset - time.time()))
        headers["RateLimit-Limit"] = str(rate.amount)
        headers["RateLimit-Remaining"] = str(self.remaining)
        headers["RateLimit-Reset"] = str(wait)
        if allowed:
            return None
        self._response.status_code = 429
        headers["Retry-After"] = str(wait)
        spent = (
            f"this request costs {cost:,} points and {remaining:,} of {rate.amount:,} are left"
            if cost
            else f"the {rate.amount:,} points"
        )
        return [
            GraphQLError(
                f"Rate limit reached: {spent} of this window are spent; retry in {wait} s."
                if not cost
                else f"Rate limit reached: {spent} in this window; retry in {wait} s.",
                extensions={
                    "code": ErrorCode.RATE_LIMITED.value,
                    "cost": cost,
                    "remaining": self.remaining,
                    "retryAfter": wait,
                },
            )
        ]

    def report(self) -> dict[str, Any] | None:
        """What goes in the response's ``extensions.cost``, or ``None`` if nothing was priced."""
        if self.cost is None:
            return None
        report: dict[str, Any] = {"requested": self.cost, "limit": self._guard.limits.max_cost}
        if self.remaining is not None:
            report["rateRemaining"] = self.remaining
        return report
