"""The read half of ``GraphStore`` over an in-memory index, shared by the two stores that keep
one: the embedded store (today's graph) and the past store (an earlier revision's).

Both answer lookups, filters and neighbours from a :class:`graph.memory.MemoryGraph`, and
snapshots through the same cache: derived after writes, stepped between dates, or built in a
worker thread from lists taken on the event loop (so a write published meanwhile cannot
change what the build reads).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Sequence

from graph.history import Versions
from graph.memory import MemoryGraph
from graph.model import Node, NodeKind, Relationship, RelType
from graph.snapshot import Delta, NodeTable, SnapshotCache, build_snapshot
from graph.store import Direction, Edge, GraphRecords, NodeFilter, Page, Snapshot, SortOrder


class MemoryReads:
    """Reads from ``self._mem``; a subclass says its revision, and its node versions
    (``_node_versions``)."""

    _mem: MemoryGraph
    _snapshots: SnapshotCache

    async def revision(self) -> int:
        raise NotImplementedError

    def _node_versions(self) -> Versions:
        raise NotImplementedError

    def _is_frozen(self) -> bool:
        """Whether ``_mem`` never changes (no copies needed to read it from a thread)."""
        return False

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        return [self._mem.nodes.get(i) for i in ids]

    async def get_relationships(self, ids: Sequence[str]) -> list[Relationship | None]:
        return [self._mem.rels.get(i) for i in ids]

    async def find_nodes(
        self,
        flt: NodeFilter,
        *,
        first: int,
        after: str | None = None,
        sort: SortOrder = SortOrder.NAME,
    ) -> Page:
        return self._mem.find(flt, first, after, sort)

    async def neighbours(
        self,
        ids: Sequence[str],
        *,
        types: Collection[RelType] | None = None,
        direction: Direction = Direction.BOTH,
        as_of: str | None = None,
    ) -> dict[str, list[Edge]]:
        return self._mem.neighbours(ids, types, direction, as_of)

    async def counts_by_kind(self) -> dict[NodeKind, int]:
        return self._mem.counts_by_kind()

    async def snapshot(self, as_of: str | None = None) -> Snapshot:
        """Cached; derived from an earlier revision's after writes, or stepped from another
        date's of this revision (series); else built in a worker thread."""
        revision = await self.revision()
        found = self._snapshots.find(revision, as_of)
        if found is not None:
            return found
        mem = self._mem
        nodes, rels = list(mem.nodes.values()), list(mem.rels.values())
        versions = dict(self._node_versions()) if as_of is not None else None
        if as_of is not None:
            frozen = self._is_frozen()
            stepped = await self._snapshots.dated(
                revision,
                as_of,
                lambda: (
                    mem.nodes if frozen else dict(mem.nodes),
                    mem.rels if frozen else dict(mem.rels),
                    versions,
                ),
            )
            if stepped is not None:
                return stepped
        return await self._snapshots.build(
            revision,
            as_of,
            lambda: asyncio.to_thread(build_snapshot, revision, nodes, rels, as_of, versions),
        )

    async def snapshot_of(self, records: GraphRecords, table: NodeTable | None = None) -> Snapshot:
        return await self._snapshots.of_records(records, table)

    def written(self, since: int, until: int) -> Delta | None:
        return self._snapshots.written(since, until)

    async def records(self, rel_types: frozenset[RelType]) -> GraphRecords:
        revision = await self.revision()  # (no suspension between it and the lists)
        rels = [r for r in self._mem.rels.values() if r.type in rel_types]
        return GraphRecords(revision, list(self._mem.nodes.values()), rels)

    async def export_records(self) -> AsyncIterator[Node | Relationship]:
        for node_id in sorted(self._mem.nodes):
            yield self._mem.nodes[node_id]
        for rel_id in sorted(self._mem.rels):
            yield self._mem.rels[rel_id]
