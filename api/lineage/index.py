"""The flow index lineage questions are answered from, read from the store.

Analytics do no I/O (docs/ARCHITECTURE.md): :class:`analytics.lineage.FlowIndex` compiles plain
records, and this module reads them from the store (every node, and the relationships credit
flows along, all at one revision), then compiles them in a worker thread so the event loop
keeps serving other requests. :mod:`api.lineage.cache` keeps the result per revision.
"""

from __future__ import annotations

import asyncio

from analytics import lineage as lin
from graph.store import GraphStore

__all__ = ["load_index"]


async def load_index(
    store: GraphStore, *, as_of: str | None = None, min_share: float = 0.0
) -> lin.FlowIndex:
    """The flow of the store's graph at its current revision, as of ``as_of`` (every
    relationship when None), following results links of at least ``min_share``."""
    lin.check_share(min_share)
    found = await store.records(lin.FLOW_TYPES)
    return await asyncio.to_thread(
        lin.FlowIndex, found.nodes, found.relationships, as_of=as_of, min_share=min_share
    )
