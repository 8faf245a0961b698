"""``knownAt``: answer a request from the graph as the database held it at an earlier revision.

Every field that takes a date of valid time (an ``asOf`` argument, or a filter with ``asOf``
or ``activeAsOf``) takes ``knownAt`` too: :func:`add_known_at` adds the argument to each
when the schema is built, so a new dated field gets it without anyone remembering to.

It applies to the whole request, not to the field alone: before anything executes,
:func:`travel` reads the request's ``knownAt`` arguments (literal or variable), and if there is
one, the request's context reads a read-only :class:`graph.past.PastStore` of that revision
instead of the live store. So every part of the answer, nested nodes and their relationships
included, comes from one revision, and no resolver needs to know; one request asking for two
different ``knownAt`` is refused. Past stores are kept per (live store, live revision, past
revision): a dashboard reproducing last year's figures asks the same revision again and again,
and the analyses cached on a past store (keyed by its revision, like the live store's) stay
with it. The live revision is in the key because what a past store shows follows today's
sensitivity too (graph/history.py, ``strictest``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache
from graphql import (
    ArgumentNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor

from api.errors import ErrorCode
from api.scalars import KNOWN_AT, KnownAt, known_at_of
from graph.errors import ValidationError
from graph.past import PastStore
from graph.store import GraphStore

if TYPE_CHECKING:
    from strawberry.types import ExecutionContext

ARGUMENT = "knownAt"
#: Arguments and filter fields of valid time (``dates``: a series): a field with one of them
#: takes ``knownAt``.
_DATED = frozenset({"asOf", "activeAsOf", "dates"})
#: Past stores kept per live store: each holds a copy of the index of its revision.
KEEP = 4
DESCRIPTION = (
    "Recorded time: answer the whole request from the graph as the database held it at this "
    "revision or instant, to reproduce a published figure (docs/HISTORY.md); omitted: now. "
    "Every `knownAt` of one request must be the same."
)

_Key = tuple[int, int]
_kept: weakref.WeakKeyDictionary[GraphStore, LRUCache[_Key, PastStore]] = (
    weakref.WeakKeyDictionary()
)
_building: dict[tuple[int, _Key], asyncio.Task[PastStore]] = {}
#: One past store built at a time per live store: each copies the whole index (seconds and
#: hundreds of MB at 100,000 actors), and distinct revisions cannot share a build.
_gates: weakref.WeakKeyDictionary[GraphStore, asyncio.Lock] = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------- schema


def _dated(field: GraphQLField) -> bool:
    for name, arg in field.args.items():
        if name in _DATED:
            return True
        inner = arg.type.of_type if isinstance(arg.type, GraphQLNonNull) else arg.type
        if isinstance(inner, GraphQLInputObjectType) and _DATED & inner.fields.keys():
            return True
    return False


def _dropping(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """The resolver without the ``knownAt`` argument: the request already applied it."""

    def resolve_without(source: Any, info: Any, **args: Any) -> Any:
        args.pop(ARGUMENT, None)
        return resolve(source, info, **args)

    return resolve_without


def add_known_at(schema: GraphQLSchema) -> int:
    """Give every dated field a ``knownAt`` argument; returns how many fields got one."""
    scalar = GraphQLScalarType(
        KNOWN_AT.name,
        description=KNOWN_AT.description,
        serialize=KNOWN_AT.serialize,
        parse_value=KNOWN_AT.parse_value,
        parse_literal=KNOWN_AT.parse_literal,
    )
    schema.type_map[scalar.name] = scalar  # no Python field uses it: added with the arguments
    added = 0
    for gql_type in schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field in gql_type.fields.values():
            if ARGUMENT in field.args or not _dated(field):
                continue
            field.args[ARGUMENT] = GraphQLArgument(scalar, description=DESCRIPTION)
            if field.resolve is not None:
                field.resolve = _dropping(field.resolve)
            added += 1
    return added


# --------------------------------------------------------------------------- requests


def _arguments(context: ExecutionContext) -> Iterator[ArgumentNode]:
    found: list[ArgumentNode] = []

    class Collect(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            if node.name.value == ARGUMENT:
                found.append(node)

    if context.graphql_document is not None:
        visit(context.graphql_document, Collect())
    return iter(found)


def _value(node: ArgumentNode, variables: dict[str, Any]) -> KnownAt | None:
    value = node.value
    if isinstance(value, VariableNode):
        raw = variables.get(value.name.value)
        return None if raw is None else known_at_of(raw)
    if isinstance(value, IntValueNode):
        return known_at_of(int(value.value))
    if isinstance(value, StringValueNode):
        return known_at_of(value.value)
    return None  # null: now


def _refusal(message: str) -> list[GraphQLError]:
    return [
        GraphQLError(
            f"{ARGUMENT}: {message}",
            extensions={"code": ErrorCode.BAD_USER_INPUT.value, "argument": ARGUMENT},
        )
    ]


async def travel(context: ExecutionContext) -> list[GraphQLError] | None:
    """Point the request at the past its ``knownAt`` names, before it executes; errors to
    report instead (the validated document's values were already checked by the scalar)."""
    ctx = context.context
    variables = context.variables or {}
    try:
        wanted = {v for node in _arguments(context) if (v := _value(node, variables))}
    except ValueError as err:
        return _refusal(str(err))
    if not wanted:
        return None
    store = ctx.store
    try:
        revisions = {await revision_of(store, w) for w in wanted}
    except ValidationError as err:
        return _refusal(err.message)
    if len(revisions) > 1:
        listed = ", ".join(str(r) for r in sorted(revisions))
        return _refusal(
            f"one request reads one revision, and this one names several ({listed}); "
            "send one request per revision"
        )
    try:
        ctx.use_store(await store_at(store, revisions.pop()))
    except ValidationError as err:
        return _refusal(err.message)
    return None


async def revision_of(store: GraphStore, known_at: KnownAt) -> int:
    if known_at.revision is not None:
        return known_at.revision
    assert known_at.at is not None
    return await store.revision_at(known_at.at)


async def store_at(store: GraphStore, wanted: int) -> GraphStore:
    """The live store if ``wanted`` is its revision, else a past store of that revision
    (see the module); :class:`graph.history.HistoryUnavailable` for one it cannot rebuild."""
    current = await store.revision()
    if wanted == current:
        return store
    kept = _kept.setdefault(store, LRUCache(KEEP))
    key = (current, wanted)
    found = kept.get(key)
    if found is not None:
        return found
    flight = (id(store), key)
    task = _building.get(flight)
    if task is None:

        async def build() -> PastStore:
            try:
                async with _gates.setdefault(store, asyncio.Lock()):
                    past = PastStore(await store.known_at(wanted))
                kept[key] = past
                return past
            finally:
                _building.pop(flight, None)

        task = _building[flight] = asyncio.ensure_future(build())
    return await asyncio.shield(task)
