"""Per-request context: the store, the caller's policy, and request-scoped DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from api.policy import Policy
from graph.model import Node
from graph.store import GraphStore


@dataclass
class Context:
    store: GraphStore
    policy: Policy
    node_loader: DataLoader[str, Node | None] = field(init=False)

    def __post_init__(self) -> None:
        async def load(ids: Sequence[str]) -> list[Node | None]:
            return await self.store.get_nodes(list(ids))

        self.node_loader = DataLoader(load_fn=load)
