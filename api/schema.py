"""The GraphQL schema: the core fields every area relies on, composed with the areas.

Each area under ``api/`` (network, centrality, coverage, lineage) exports ``QUERIES`` and
``MUTATIONS`` lists of Strawberry types; the root ``Query`` and ``Mutation`` merge them, so
an area adds fields without editing this file.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from typing import Annotated, Any

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info

from api import centrality, coverage, history, imports, keys, lineage, network
from api.context import Context
from api.core.paging import MAX_PAGE
from api.errors import CodedErrorsSchema, bad_input, not_found
from api.http import CACHE_MAXSIZE, DocumentCachingSchema
from api.nodes import NODE_TYPES, Node, NodeKindEnum, decode_global_id, shown_object


@strawberry.type(description="Service health and the graph revision being served.")
class Health:
    status: str = strawberry.field(description="'ok' when the store answers.")
    version: str = strawberry.field(description="partnernet version.")
    revision: int = strawberry.field(description="Revision of the graph; bumps on every write.")


@strawberry.type(description="How many nodes of one kind the graph holds.")
class KindCount:
    kind: NodeKindEnum = strawberry.field(description="Node kind.")
    count: int = strawberry.field(description="Number of nodes of that kind.")


@strawberry.type
class CoreQuery:
    @strawberry.field(description="Liveness of the API and its store, with the graph revision.")
    async def health(self, info: Info[Context, Any]) -> Health:
        store = info.context.store
        await store.ping()
        return Health(status="ok", version=version("partnernet"), revision=await store.revision())

    @strawberry.field(description="Number of nodes per kind.")
    async def counts_by_kind(self, info: Info[Context, Any]) -> list[KindCount]:
        counts = await info.context.store.counts_by_kind()
        return [KindCount(kind=NodeKindEnum(k.value), count=v) for k, v in counts.items()]

    @strawberry.field(
        description="Look up any node by its global id (or its own key). Missing, or a "
        "restricted actor you may not see: null and an error with code NOT_FOUND."
    )
    async def node(
        self,
        info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id or key.")],
    ) -> Node | None:
        found = await info.context.node_loader.load(decode_global_id(id))
        shown = shown_object(info.context.policy, found)
        if shown is None:  # missing, or hidden from the caller: the same answer
            raise not_found("node", id)
        return shown

    @strawberry.field(
        description=f"Look up to {MAX_PAGE} nodes at once, in the order asked. A missing one "
        "is null, with a NOT_FOUND error whose path gives its position."
    )
    async def nodes(
        self,
        info: Info[Context, Any],
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global ids or keys.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise bad_input(f"at most {MAX_PAGE} ids, got {len(ids)}", "ids")
        found = await info.context.node_loader.load_many([decode_global_id(i) for i in ids])
        shown = [shown_object(info.context.policy, n) for n in found]
        # graphql-core turns a returned (not raised) error into null plus an error at that
        # item's path, so one missing (or hidden) id does not null the whole list.
        items: list[Any] = [
            not_found("node", gid) if n is None else n for gid, n in zip(ids, shown, strict=True)
        ]
        return items


AREAS = (network, centrality, coverage, lineage, keys, history, imports)


def _compose(name: str, description: str, parts: tuple[type, ...]) -> type:
    """One root type from the areas' types; a field name two areas both define is a startup
    error, not a silent override."""
    seen: dict[str, type] = {}
    for part in parts:
        for field in part.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if field.python_name in seen:
                raise ValueError(
                    f"{name}.{field.python_name} is defined by both {seen[field.python_name]} "
                    f"and {part}"
                )
            seen[field.python_name] = part
    return strawberry.type(type(name, parts, {}), name=name, description=description)


Query = _compose(
    "Query",
    "Read the partnership graph: nodes and their relationships, centrality, coverage and "
    "outcome lineage.",
    (CoreQuery, *(q for area in AREAS for q in area.QUERIES)),
)
_mutations = tuple(m for area in AREAS for m in area.MUTATIONS)
Mutation = (
    _compose(
        "Mutation",
        "Change the partnership graph (staff only); start and cancel analysis jobs (analysts "
        "and above).",
        _mutations,
    )
    if _mutations
    else None
)


def _attribute_resolvers(gql_schema: GraphQLSchema) -> int:
    """Resolve plain attribute fields with one ``getattr``.

    Strawberry resolves a field without resolver through two Python calls
    (``_get_basic_result`` -> ``StrawberryField.get_result`` -> ``getattr``); on a response
    of thousands of objects that is a tenth of the execution time (bench/api_overhead.py).
    Only those exact default resolvers are replaced, by the same ``getattr`` on the field's
    Python name, so fields with resolvers, permissions or extensions are untouched; if a
    Strawberry upgrade renames that function nothing is replaced and only speed changes.
    Returns how many fields were switched.
    """
    switched = 0
    for gql_type in gql_schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for gql_field in gql_type.fields.values():
            resolve = gql_field.resolve
            definition = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if getattr(resolve, "__name__", "") != "_get_basic_result" or definition is None:
                continue
            gql_field.resolve = _getter(definition.python_name)
            switched += 1
    return switched


def _getter(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    resolve._is_default = True  # type: ignore[attr-defined]  # still a default resolver
    return resolve


class ApiSchema(CodedErrorsSchema, DocumentCachingSchema):
    """The schema class of the API: coded, masked errors and the parse/validation caches.

    Both are built into the class rather than added as extensions because an extension's
    hooks cost every request, errors or not, cache hit or not (bench/api_overhead.py). The
    cache of whole coverage responses lives in the HTTP view (api/app.py), not here.
    """


def build_schema(*, cached: bool = True) -> strawberry.Schema:
    """The schema; ``cached=False`` leaves out the parse and validation caches, which only
    a benchmark measuring what they save should want.

    Every input is checked at this edge: dates are read strictly by our ``Date`` scalar, and
    every argument and input field against its documented range (api/input_checks.py) before
    any resolver sees it.
    """
    from api.core.known_at import add_known_at
    from api.input_checks import check_inputs
    from api.scalars import SCALAR_OVERRIDES

    built = ApiSchema(
        query=Query,
        mutation=Mutation,
        types=NODE_TYPES,
        document_cache_size=CACHE_MAXSIZE if cached else None,
        scalar_overrides=SCALAR_OVERRIDES,
    )
    _attribute_resolvers(built._schema)
    add_known_at(built._schema)
    check_inputs(built._schema)
    return built


schema = build_schema()
