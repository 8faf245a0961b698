"""Per-request context: the store, the caller's policy, and request-scoped DataLoaders.

Loaders are per request so that their caches never outlive a revision or leak one caller's
view into another's. They batch every lookup made in one tick of the event loop into one store
call, which is what keeps nested queries free of N+1 round trips.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from strawberry.dataloader import DataLoader

from api.core.known_at import travel
from api.policy import Policy
from graph.history import Author
from graph.model import Node, RelType
from graph.store import Direction, Edge, GraphStore

if TYPE_CHECKING:
    from graphql import GraphQLError
    from strawberry.types import ExecutionContext

    from api.guard import Admission
    from api.jobs import JobManager


class NodeLoader:
    """Per-request batching node lookup, with the ``load``/``load_many`` interface of
    Strawberry's DataLoader.

    Why not a DataLoader: that creates one future per key and a task per batch, which is most
    of the cost of ``nodes(ids: [100 ids])`` or of a single ``node(id:)``. Here the first
    caller in a tick of the event loop yields once, so that sibling resolvers can queue their
    keys, then fetches every queued key in one ``store.get_nodes``; the others wait on one
    future each.
    """

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._cache: dict[str, Node | None] = {}
        self._queue: list[tuple[list[str], asyncio.Future[None]]] | None = None
        self._handoffs: set[asyncio.Task[None]] = set()

    async def load(self, key: str) -> Node | None:
        return (await self.load_many([key]))[0]

    async def load_many(self, keys: Sequence[str]) -> list[Node | None]:
        cache = self._cache
        missing = [k for k in keys if k not in cache]
        if not missing:
            return [cache[k] for k in keys]
        if self._queue is not None:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._queue.append((missing, done))
            await done
        else:
            queue: list[tuple[list[str], asyncio.Future[None]]] = []
            self._queue = queue
            try:
                await asyncio.sleep(0)  # let sibling resolvers queue their keys
            except BaseException:
                self._queue = None
                if queue:  # cancelled: the others still get their nodes
                    task = asyncio.get_running_loop().create_task(self._fetch([], queue))
                    self._handoffs.add(task)  # the loop holds tasks weakly
                    task.add_done_callback(self._handoffs.discard)
                raise
            self._queue = None
            await self._fetch(missing, queue)
        return [cache[k] for k in keys]

    def prime(self, node: Node) -> None:
        self._cache.setdefault(node.id, node)

    async def _fetch(
        self, mine: list[str], queue: list[tuple[list[str], asyncio.Future[None]]]
    ) -> None:
        wanted = list(dict.fromkeys([*mine, *(k for keys, _ in queue for k in keys)]))
        try:
            found = await self._store.get_nodes(wanted)
        except BaseException as err:
            for _, done in queue:
                if done.done():  # its caller was cancelled meanwhile
                    continue
                if isinstance(err, Exception):
                    done.set_exception(err)
                else:
                    done.cancel()
            if mine:  # a hand-off has nobody to raise to: its waiters got the error
                raise
            return
        self._cache.update(zip(wanted, found, strict=True))
        for _, done in queue:
            if not done.done():
                done.set_result(None)


#: What a neighbour lookup asks for: (node id, relationship type, direction, as-of date).
NeighbourKey = tuple[str, RelType, Direction, str | None]


@dataclass
class Context:
    store: GraphStore
    policy: Policy
    #: The request's guard (limits, cost, rate); the schema consults it before executing.
    guard: Admission | None = None
    #: Who is calling (``key:ID``, ``static:N``, ``addr:IP``): the owner of the analysis jobs
    #: it starts, and of the change sets its writes record.
    caller: str = "anonymous"
    #: The caller's key name, recorded as the author of its writes (graph/history.py).
    caller_name: str = "anonymous"
    #: The app's analysis jobs (made in its lifespan; None where there is no app).
    jobs: JobManager | None = None
    node_loader: NodeLoader = field(init=False)
    neighbour_loader: DataLoader[NeighbourKey, list[Edge]] = field(init=False)

    def author(self, via: str) -> Author:
        """Who a write of this request is recorded as made by."""
        role = self.policy.role.value if self.policy.role is not None else "viewer"
        return Author(self.caller_name, role, via, self.caller)

    def __post_init__(self) -> None:
        self.node_loader = NodeLoader(self.store)
        self.neighbour_loader = DataLoader(load_fn=self._load_neighbours)

    def use_store(self, store: GraphStore) -> None:
        """Answer this request from ``store`` (the past, for ``knownAt``: api/history); only
        before anything has executed, since the loaders start again empty."""
        self.store = store
        self.__post_init__()

    async def before_execution(self, execution: ExecutionContext) -> list[GraphQLError] | None:
        """Called once the operation is validated and admitted, before it executes: errors
        to report instead, or ``None``."""
        return await travel(execution)

    async def _load_neighbours(self, keys: Sequence[NeighbourKey]) -> list[list[Edge]]:
        """One store call per distinct (type, direction, as-of) in the batch, however many
        nodes ask: a page of 100 actors asking for their programmes costs one call."""
        groups: dict[tuple[RelType, Direction, str | None], list[str]] = defaultdict(list)
        for node_id, rel_type, direction, as_of in keys:
            groups[rel_type, direction, as_of].append(node_id)
        found: dict[NeighbourKey, list[Edge]] = {}
        for (rel_type, direction, as_of), ids in groups.items():
            edges = await self.store.neighbours(
                ids, types=[rel_type], direction=direction, as_of=as_of
            )
            for node_id in ids:
                found[node_id, rel_type, direction, as_of] = edges.get(node_id, [])
        return [found[key] for key in keys]
