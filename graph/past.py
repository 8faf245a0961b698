"""The graph as the database held it at an earlier revision, as a read-only store.

Reproducing a figure exactly as it was published (``knownAt``, docs/HISTORY.md) is the same
query run on the records of that revision. Rather than teach every read and analysis a second
clock, this store answers the read half of :class:`graph.store.GraphStore` from
:class:`graph.history.PastRecords` through the same in-memory index the embedded store uses
(:class:`graph.memory.MemoryGraph`, a fork of the store's own where it has one) and the same
snapshot builder, so any read or analysis
runs on the past unchanged. Its revision is the revision it reproduces, so caches keyed by
revision work as they are; what it shows follows today's sensitivity too
(:func:`graph.history.strictest`), so it belongs to the live revision it was made at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from graph.errors import ValidationError
from graph.history import ChangeFilter, ChangePage, PastRecords, RecordChange, Versions
from graph.keys import ApiKey
from graph.memory_reads import MemoryReads
from graph.model import WeightScope
from graph.snapshot import SnapshotCache
from graph.store import (
    ApplyResult,
    Change,
)


class ReadOnly(ValidationError):
    """A write reached a store of the past."""


def _read_only() -> NoReturn:
    raise ReadOnly("the graph as it was at an earlier revision cannot be changed")


class PastStore(MemoryReads):
    """A read-only ``GraphStore`` over the records of one earlier revision."""

    def __init__(self, past: PastRecords) -> None:
        self.past = past
        self._mem = past.graph
        self._snapshots = SnapshotCache(size=4)
        self.attached: dict[object, Any] = {}

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        self.attached.clear()

    async def ping(self) -> None:
        return None

    async def revision(self) -> int:
        return self.past.revision

    def _node_versions(self) -> Versions:
        return self.past.versions

    def _is_frozen(self) -> bool:
        return True

    async def need_weights(self) -> dict[tuple[WeightScope, str], float]:
        return dict(self.past.weights)

    # The past is read-only, and history is read from the live store.

    async def apply(self, changes: Sequence[Change], **_: object) -> ApplyResult:
        _read_only()

    async def set_need_weights(
        self, weights: Mapping[tuple[WeightScope, str], float], **_: object
    ) -> int:
        _read_only()

    async def history_start(self) -> int:
        _read_only()

    async def change_sets(self, flt: ChangeFilter, **_: object) -> ChangePage:
        _read_only()

    async def change_records(self, revision: int, **_: object) -> list[tuple[int, RecordChange]]:
        _read_only()

    async def revision_at(self, at: dt.datetime) -> int:
        _read_only()

    async def known_at(self, revision: int) -> PastRecords:
        _read_only()

    async def create_key(self, record: ApiKey) -> None:
        _read_only()

    async def get_key(self, key_id: str) -> ApiKey | None:
        _read_only()

    async def list_keys(self) -> list[ApiKey]:
        _read_only()

    async def revoke_key(self, key_id: str, at: dt.datetime) -> bool:
        _read_only()
