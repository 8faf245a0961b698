"""The GraphQL schema (foundation subset): health, counts by kind, and node lookup with
neighbours. Kept small here; the full Relay-style API composes onto this ``Query``."""

from __future__ import annotations

import base64
import binascii
from importlib.metadata import version
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.tools import merge_types
from strawberry.types import Info

from api import centrality, coverage, lineage, network
from api.context import Context
from api.http import caching_extensions
from graph.model import Node, NodeKind, RelType
from graph.store import Direction

def to_global_id(node: Node) -> str:
    return base64.urlsafe_b64encode(f"{node.kind.value}:{node.id}".encode()).decode()


def from_global_id(gid: str) -> str:
    """Accept an opaque global id; fall back to the raw id for convenience in GraphiQL."""
    try:
        kind, _, raw = base64.urlsafe_b64decode(gid.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return gid
    return raw if kind in NodeKind._value2member_map_ and raw else gid


@strawberry.type(description="Service health and the graph revision being served.")
class Health:
    status: str = strawberry.field(description="'ok' when the store answers.")
    version: str = strawberry.field(description="partnernet version.")
    revision: int = strawberry.field(description="Revision of the graph; bumps on every write.")


@strawberry.type(description="How many nodes of one kind the graph holds.")
class KindCount:
    kind: str = strawberry.field(description="Node kind.")
    count: int = strawberry.field(description="Number of nodes of that kind.")


@strawberry.type(description="A relationship seen from one end, with its own properties.")
class Neighbour:
    type: str = strawberry.field(description="Relationship type, e.g. PARTNERS_IN.")
    direction: str = strawberry.field(description="OUT if the relationship starts here.")
    properties: JSON = strawberry.field(description="Relationship properties.")
    node: Entity = strawberry.field(description="The node at the other end.")


@strawberry.type(description="Any node of the partnership graph.")
class Entity:
    raw: strawberry.Private[Node]

    @strawberry.field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(self.raw))

    @strawberry.field(description="The node's own id in the graph (ISO3 for Member States).")
    def key(self) -> str:
        return self.raw.id

    @strawberry.field(description="Node kind.")
    def kind(self) -> str:
        return self.raw.kind.value

    @strawberry.field(description="Display name (redacted for restricted actors).")
    def name(self) -> str:
        return self.raw.name

    @strawberry.field(description="All properties visible to the caller.")
    def properties(self) -> JSON:
        return JSON(dict(self.raw.props))

    @strawberry.field(description="Relationships of this node and the nodes at their other end.")
    async def neighbours(
        self, info: Info[Context, Any], type: str | None = None
    ) -> list[Neighbour]:
        ctx = info.context
        types = [RelType(type)] if type else None
        edges = (await ctx.store.neighbours([self.raw.id], types=types))[self.raw.id]
        return [
            Neighbour(
                type=e.rel.type.value,
                direction=Direction.OUT.value if e.rel.start == self.raw.id else Direction.IN.value,
                properties=JSON(dict(e.rel.props)),
                node=Entity(raw=ctx.policy.view(e.node)),
            )
            for e in edges
        ]


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
        return [KindCount(kind=k.value, count=v) for k, v in counts.items()]

    @strawberry.field(description="Look up any node by its global id (or its own id).")
    async def node(self, info: Info[Context, Any], id: strawberry.ID) -> Entity | None:
        found = await info.context.node_loader.load(from_global_id(id))
        if found is None:
            raise GraphQLError(f"no node with id {id!r}", extensions={"code": "NOT_FOUND"})
        return Entity(raw=info.context.policy.view(found))


AREAS = (network, centrality, coverage, lineage)
Query = merge_types("Query", (CoreQuery, *(q for area in AREAS for q in area.QUERIES)))
_mutations = tuple(m for area in AREAS for m in area.MUTATIONS)
Mutation = merge_types("Mutation", _mutations) if _mutations else None

schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[*caching_extensions()])
