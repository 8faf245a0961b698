"""Navigation: a node's relationship fields, loaded through the request's DataLoaders.

This is where the package's one recursion is broken: node types (:mod:`api.nodes.types`) have
navigation fields that page through :class:`Hop`, and a page is built of node objects
(:mod:`api.nodes.mapping`), which are instances of those node types. ``mapping`` imports
``types`` and ``types`` imports this module, so this module reaches ``mapping`` only when a
field is resolved (one import lookup per page, not per item), never at import time.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from api.context import Context
from api.core.paging import Key, page
from api.nodes.edges import RELATIONSHIPS
from api.nodes.enums import RoleEnum
from graph import model
from graph.model import RelType
from graph.store import Direction
from graph.store import Edge as StoreEdge

if TYPE_CHECKING:
    from api.nodes.types import Node


@dataclass(frozen=True, slots=True)
class Hop:
    """One step from a node along a relationship type and direction, paged as ``connection``
    (one of the four relationship connections of :mod:`api.nodes.edges`)."""

    rel_type: RelType
    direction: Direction
    connection: type

    async def page(
        self,
        info: Info[Context, Any],
        here: model.Node,
        first: int,
        after: str | None,
        as_of: dt.date | None,
        role: RoleEnum | None = None,
    ) -> Any:
        """A page of ``here``'s relationships, loaded through the request's neighbour loader
        (so sibling nodes asking the same step share one store call). Relationships to a node
        the caller may not see are left out before paging, so ``totalCount`` and cursors
        count only what is shown."""
        from api.nodes.mapping import EDGE_BUILDERS  # at call time: see the module docstring

        ctx = info.context
        day = as_of.isoformat() if as_of else None
        edges: Sequence[StoreEdge] = await ctx.neighbour_loader.load(
            (here.id, self.rel_type, self.direction, day)
        )
        edges = ctx.policy.shown(edges, lambda e: (e.node,))
        if role is not None:
            edges = [e for e in edges if e.rel.props.get("role", "PARTICIPANT") == role.value]
        build = EDGE_BUILDERS[self.connection]

        def start(key: Key) -> int:
            return bisect_right([(e.node.id, e.rel.id) for e in edges], key)

        return page(
            RELATIONSHIPS,
            len(edges),
            start,
            lambda i: build(ctx.policy, here, edges[i]),
            first=first,
            after=after,
            cls=self.connection,
        )


async def load_node(info: Info[Context, Any], key: str) -> Node | None:
    """The node with graph id ``key``, through the request's node loader; None when there is
    none or the caller may not see it."""
    from api.nodes.mapping import shown_object  # at call time: see the module docstring

    return shown_object(info.context.policy, await info.context.node_loader.load(key))
