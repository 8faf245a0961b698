"""How much our GraphQL layer costs on top of graphql-core, and what the caches save.

Prints two ratios, each measured in this one run (absolute times vary by machine; ratios of
two measurements taken side by side do not):

1. **Schema overhead**: one document selecting 5 fields of 5,000 nodes (50 aliased
   ``nodes(ids:)`` lookups of 100) executed through our Strawberry schema
   (``schema.execute``: context, DataLoader, policy view, node objects, Strawberry's
   execution wrapper, with the parse/validation caches warm) vs the same document, parsed
   once, executed by plain graphql-core over a hand-written schema of the same shape
   resolving the same records. Target: at most 1.15.
2. **Caches**: one small query repeated through our schema with the parser and validation
   caches vs through an identical schema without them. Target: at most 0.10.

Run: ``.venv/bin/python bench/api_overhead.py``. The store is an in-memory stub, so only
the API layer is measured.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graphql
import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
)

from api.context import Context
from api.nodes import to_global_id
from api.policy import Policy
from api.schema import build_schema, schema
from graph.model import Node, NodeKind

OBJECTS, BATCH = 5_000, 100
FIELDS = "id key kind name illustrative"
#: What a client typically sends for one object: variables and a fragment.
SMALL_QUERY = """
query Country($id: ID!) {
  node(id: $id) { ...NodeFields ... on MemberState { region subregion m49 } }
}
fragment NodeFields on Node { id key kind name }
"""


class StubStore:
    """Just enough of the store protocol for these queries, from a dict."""

    def __init__(self, nodes: dict[str, Node]) -> None:
        self.nodes = nodes

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        return [self.nodes.get(i) for i in ids]


def records() -> dict[str, Node]:
    nodes = {
        f"cso-{i:05d}": Node(
            f"cso-{i:05d}",
            NodeKind.CIVIL_SOCIETY_ORGANIZATION,
            {
                "name": f"Organisation {i}",
                "focus_groups": ["YOUTH"],
                "sensitivity": "PUBLIC",
                "iati_org_type": 22,
                "illustrative": True,
            },
        )
        for i in range(OBJECTS)
    }
    nodes["KEN"] = Node(
        "KEN",
        NodeKind.MEMBER_STATE,
        {"name": "Kenya", "m49": "404", "region": "Africa", "subregion": "Sub-Saharan Africa"},
    )
    return nodes


def big_document(ids: list[str]) -> str:
    parts = []
    for b in range(0, len(ids), BATCH):
        quoted = ", ".join(f'"{i}"' for i in ids[b : b + BATCH])
        parts.append(f"b{b // BATCH}: nodes(ids: [{quoted}]) {{ {FIELDS} }}")
    return "{ " + " ".join(parts) + " }"


def plain_schema(nodes: dict[str, Node]) -> GraphQLSchema:
    """The same shape in plain graphql-core: an interface, one implementation, sync
    resolvers straight off the stored records."""
    kind = GraphQLEnumType("NodeKind", {k.name: k for k in NodeKind})
    fields = {
        "id": GraphQLField(
            GraphQLNonNull(GraphQLID), resolve=lambda n, _: to_global_id(n.kind, n.id)
        ),
        "key": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda n, _: n.id),
        "kind": GraphQLField(GraphQLNonNull(kind)),
        "name": GraphQLField(GraphQLNonNull(GraphQLString)),
        "illustrative": GraphQLField(
            GraphQLNonNull(GraphQLBoolean), resolve=lambda n, _: n.props.get("illustrative", False)
        ),
    }
    iface = GraphQLInterfaceType("Node", fields, resolve_type=lambda *_: "CivilSocietyOrganization")
    cso = GraphQLObjectType("CivilSocietyOrganization", fields, interfaces=[iface])
    query = GraphQLObjectType(
        "Query",
        {
            "nodes": GraphQLField(
                GraphQLNonNull(GraphQLList(iface)),
                args={
                    "ids": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLID))))
                },
                resolve=lambda _, __, ids: [nodes.get(i) for i in ids],
            )
        },
    )
    return GraphQLSchema(query, types=[cso])


Run = Callable[[], Awaitable[Any]]


async def best_of(runs: dict[str, Run], rounds: int, *, pause_gc: bool) -> dict[str, float]:
    """Least CPU time of ``rounds`` runs of each, measured inside the running event loop as
    a server would be.

    CPU time of this thread, not wall time: the machine is shared, and time spent
    descheduled is not ours. The runs are interleaved round by round so that what noise
    remains (caches, frequency) hits both sides alike. ``pause_gc`` pauses the cyclic
    garbage collector while measuring, as ``timeit`` does, so that one side does not pay for
    collecting the garbage of the other's large responses.
    """
    for run in runs.values():
        await run()  # warm-up: caches, lazy imports
    best = dict.fromkeys(runs, float("inf"))
    gc.collect()
    if pause_gc:
        gc.disable()
    try:
        for _ in range(rounds):
            for name, run in runs.items():
                start = time.thread_time()
                await run()
                best[name] = min(best[name], time.thread_time() - start)
    finally:
        gc.enable()
    return best


async def measure() -> None:
    nodes = records()
    store = StubStore(nodes)
    ids = [k for k in nodes if k.startswith("cso-")]
    text = big_document(ids)

    async def ours(doc: str, on: strawberry.Schema = schema, variables: Any = None) -> Any:
        ctx = Context(store=store, policy=Policy())  # type: ignore[arg-type]
        result = await on.execute(doc, variable_values=variables, context_value=ctx)
        assert not result.errors, result.errors
        return result.data

    plain = plain_schema(nodes)
    document = graphql.parse(text)

    async def core() -> Any:
        result = graphql.execute(plain, document)
        assert isinstance(result, graphql.ExecutionResult) and not result.errors
        return result.data

    assert await ours(text) == await core()  # the same answer, field for field
    big = await best_of({"ours": lambda: ours(text), "core": core}, rounds=15, pause_gc=True)

    uncached = build_schema(cached=False)
    variables = {"id": "KEN"}
    small = await best_of(
        {
            "cached": lambda: ours(SMALL_QUERY, schema, variables),
            "uncached": lambda: ours(SMALL_QUERY, uncached, variables),
        },
        rounds=1000,
        pause_gc=False,  # collecting parse/validation garbage is part of not caching
    )
    print(
        f"{OBJECTS} objects x 5 fields: our schema {big['ours'] * 1e3:.1f} ms, "
        f"plain graphql-core (pre-parsed) {big['core'] * 1e3:.1f} ms"
    )
    print(f"  schema overhead ratio: {big['ours'] / big['core']:.3f} (target <= 1.15)")
    print(
        f"small query repeated: cached {small['cached'] * 1e6:.0f} us, "
        f"uncached {small['uncached'] * 1e6:.0f} us"
    )
    print(f"  cached/uncached ratio: {small['cached'] / small['uncached']:.3f} (target <= 0.10)")


if __name__ == "__main__":
    asyncio.run(measure())
