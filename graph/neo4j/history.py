"""The Neo4j store's history (graph/history.py): change sets written in the transaction of the
write they record, and read back. The statements and the model are in graph/cypher.py
(*history*); docs/NEO4J.md, *History*, explains the choices.

**Where history starts.** Rewinding from today to revision *r* needs the change set of every
revision after *r*. A fresh or reset database has them all from revision 0; a database written
before history existed, or by a replica still running a version without it, lacks some. The
writer that records a change set, holding the revision lock, checks that the revision before
its own either has a change set or is where history starts, and otherwise (re)starts history
there (:class:`Head`); reads apply the same rule, so the first write made without history is
noticed before any write records history again. Like the embedded store (which records the
revision its history tables were created at), a database that no write with history has
touched yet starts its history at the revision it holds.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from graph import cypher
from graph.batching import batched
from graph.history import (
    Author,
    ChangeFilter,
    ChangePage,
    ChangeSet,
    Entity,
    NodeVersion,
    RecordChange,
    decode_value,
    encode_value,
    from_utc_text,
    utc_text,
)
from graph.model import Node
from graph.neo4j import results
from graph.neo4j.results import RevisionState, Tx

#: A revision bound above every revision (Neo4j integers are 64-bit).
_BEYOND = 2**63 - 1


@dataclass(frozen=True)
class Head:
    """The revision and the state of history at it, as one statement reads them (under the
    revision lock in a write)."""

    epoch: str | None
    revision: int
    #: The stored start of history; ``None`` until a write recorded a change set.
    history_from: int | None
    #: When the change set of ``revision`` was made; ``None`` if it has none.
    last_at: dt.datetime | None

    @property
    def state(self) -> RevisionState:
        return (self.epoch, self.revision)

    @property
    def start(self) -> int:
        """The first revision history can reproduce: the stored start while every revision
        since has its change set, else the current revision (nothing recorded history yet,
        or the last write did not)."""
        stored = self.history_from
        if stored is not None and (self.revision == stored or self.last_at is not None):
            return stored
        return self.revision

    def restart(self) -> int | None:
        """The start of history a write at ``revision + 1`` must store; ``None`` when the
        stored one stands."""
        return None if self.start == self.history_from else self.revision

    def next_at(self) -> dt.datetime:
        """Now, but not before the change set before: replicas' clocks differ, and revision
        order and time order must agree (``revision_at``, the time filters)."""
        now = dt.datetime.now(dt.UTC)
        return now if self.last_at is None or self.last_at <= now else self.last_at


async def head(tx: Tx) -> Head:
    rec = await (await tx.run(cypher.HISTORY_HEAD)).single(strict=True)
    last_at = rec["last_at"]
    return Head(
        rec["epoch"],
        int(rec["revision"]),
        None if rec["history_from"] is None else int(rec["history_from"]),
        None if last_at is None else from_utc_text(last_at),
    )


# --------------------------------------------------------------------------- writing

#: Records a ``RecordBatch`` holds at most. Per record, a batch of 100 costs a tenth of the
#: transaction memory one node per record would (a node and its index entries weigh about
#: 2 KB in a transaction's state, whatever it holds); a lookup by position reads at most 99
#: records around the one it wants, on the server. Stored data depends on it (a record's
#: batch is found from its position): changing it means rewriting every batch.
RECORDS_PER_BATCH = 100
#: ``RecordKey`` levels: a change set spreads its ids over ``level`` keys, bucket
#: ``level + crc32(id) % level`` (unique across levels, as in a heap's numbering).
KEY_LEVELS = tuple(1 << i for i in range(11))
#: Change sets of at most this many records (API writes, mostly) use the finest level: a
#: key per record either way, and a lookup reads one in ``KEY_LEVELS[-1]`` of them.
SMALL_CHANGE_SET = 16
#: Larger ones use the level that puts about this many ids in a key: few keys to write, and
#: a lookup reads at most one key of each of them.
IDS_PER_KEY = 64


def level(records: int) -> int:
    """The ``RecordKey`` level of a change set of ``records`` records. Stored data depends on
    these rules only through the buckets they chose: they may change, the levels may not."""
    if records <= SMALL_CHANGE_SET:
        return KEY_LEVELS[-1]
    wanted = -(-records // IDS_PER_KEY)
    return next((lv for lv in KEY_LEVELS if lv >= wanted), KEY_LEVELS[-1])


def bucket(record_id: str, at_level: int) -> int:
    """An id's bucket at a level: stable across processes, versions and replicas (``hash()``
    is salted per process), cheap, and spread evenly enough."""
    return at_level + zlib.crc32(record_id.encode("utf-8", "surrogatepass")) % at_level


def lookups(ids: Iterable[str]) -> list[dict[str, Any]]:
    """``$groups`` for ``cypher.RECORDS_OF``: every bucket the ids may be in (one a level),
    with the ids that may be there, so each key is read once however many ids it lists."""
    groups: dict[int, list[str]] = defaultdict(list)
    for record_id in dict.fromkeys(ids):
        for lv in KEY_LEVELS:
            groups[bucket(record_id, lv)].append(record_id)
    return [{"bucket": b, "ids": groups[b]} for b in sorted(groups)]


def _record_json(c: RecordChange) -> str:
    data = {
        "entity": c.entity.value,
        "kind": c.kind,
        "valid_from": c.valid_from,
        "before": encode_value(c.before),
        "after": encode_value(c.after),
    }
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()


def _batches(revision: int, changes: Sequence[RecordChange]) -> list[dict[str, Any]]:
    out = []
    for start in range(0, len(changes), RECORDS_PER_BATCH):
        part = changes[start : start + RECORDS_PER_BATCH]
        updated = [c.id for c in part if c.entity is Entity.NODE and c.before is not None]
        out.append(
            {
                "revision": revision,
                "seq": start + 1,
                "ids": [c.id for c in part],
                "records": [_record_json(c) for c in part],
                "updated": updated or None,
            }
        )
    return out


def _keys(revision: int, changes: Sequence[RecordChange]) -> list[dict[str, Any]]:
    at_level = level(len(changes))
    keys: dict[int, dict[str, Any]] = {}
    for seq, c in enumerate(changes, start=1):
        b = bucket(c.id, at_level)
        key = keys.get(b)
        if key is None:
            key = keys[b] = {"bucket": b, "revision": revision, "ids": [], "seqs": []}
        key["ids"].append(c.id)
        key["seqs"].append(seq)
    return [keys[b] for b in sorted(keys)]


async def commit(
    tx: Tx,
    at_head: Head,
    at: dt.datetime,
    author: Author,
    changes: Sequence[RecordChange],
    batch: int,
) -> RevisionState:
    """Bump the revision and record its change set, in the caller's write transaction (which
    holds the revision lock and read ``at_head`` under it), ``batch`` records a statement;
    returns the new state."""
    revision = at_head.revision + 1
    per_statement = max(1, batch // RECORDS_PER_BATCH)
    batches = list(batched(_batches(revision, changes), per_statement)) or [[]]
    keys = list(batched(_keys(revision, changes), per_statement)) or [[]]
    extra = max(len(batches), len(keys))
    for i in range(1, extra):
        more_batches = batches[i] if i < len(batches) else []
        more_keys = keys[i] if i < len(keys) else []
        await results.run(tx, cypher.CREATE_RECORDS, batches=more_batches, keys=more_keys)
    change_set = {
        "revision": revision,
        "at": utc_text(at),
        "author": author.name,
        "role": author.role,
        "via": author.via,
        "key_id": author.key_id,
        "size": len(changes),
        "kinds": sorted({c.kind for c in changes}),
    }
    await results.run(
        tx,
        cypher.COMMIT_CHANGE_SET,
        change_set=change_set,
        history_from=at_head.restart(),
        batches=batches[0],
        keys=keys[0],
    )
    return (at_head.epoch, revision)


# --------------------------------------------------------------------------- reading


def _change_set(row: Sequence[Any], changes: tuple[RecordChange, ...] = ()) -> ChangeSet:
    revision, at, name, role, via, key_id, size = row[:7]
    return ChangeSet(
        int(revision), from_utc_text(at), Author(name, role, via, key_id), int(size), changes
    )


def _record(record_id: str, text: str) -> RecordChange:
    data = orjson.loads(text)
    entity = Entity(data["entity"])
    return RecordChange(
        entity,
        record_id,
        data["kind"],
        decode_value(entity, record_id, data["before"]),
        decode_value(entity, record_id, data["after"]),
        data["valid_from"],
    )


def _unpack(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[int, RecordChange]]]:
    """Batch rows ``[revision, seq, ids, records]`` as each revision's (seq, change), by seq."""
    out: dict[int, list[tuple[int, RecordChange]]] = defaultdict(list)
    for revision, seq, ids, records in rows:
        out[int(revision)].extend(
            (int(seq) + i, _record(record_id, text))
            for i, (record_id, text) in enumerate(zip(ids, records, strict=True))
        )
    for listed in out.values():
        listed.sort(key=_first)
    return out


def _first(item: tuple[int, Any]) -> int:
    return item[0]


async def change_sets(
    tx: Tx, flt: ChangeFilter, first: int, after: int | None, newest_first: bool
) -> ChangePage:
    query = cypher.change_sets(
        node=flt.node is not None,
        kinds=flt.kinds is not None,
        author=flt.author is not None,
        key_id=flt.key_id is not None,
        from_revision=flt.from_revision is not None,
        to_revision=flt.to_revision is not None,
        since=flt.since is not None,
        until=flt.until is not None,
        newest_first=newest_first,
    )
    if after is None:
        after = _BEYOND if newest_first else -1
    first = max(first, 0)
    found = await results.rows(
        tx,
        query,
        node=flt.node,
        groups=lookups([flt.node]) if flt.node is not None else None,
        per_batch=RECORDS_PER_BATCH,
        kinds=sorted(flt.kinds) if flt.kinds is not None else None,
        author=flt.author,
        key_id=flt.key_id,
        from_revision=flt.from_revision,
        to_revision=flt.to_revision,
        since=utc_text(flt.since) if flt.since is not None else None,
        until=utc_text(flt.until) if flt.until is not None else None,
        after=after,
        limit=first + 1,
    )
    found.sort(key=_first, reverse=newest_first)
    items = []
    for row in found[:first]:
        node_records = sorted(row[7], key=_first)
        changes = tuple(_record(str(flt.node), text) for _, text in node_records)
        items.append(_change_set(row, changes))
    return ChangePage(items, len(found) > first)


async def change_records(
    tx: Tx, revision: int, first: int, after: int
) -> list[tuple[int, RecordChange]]:
    after = max(after, 0)  # positions start at 1: an earlier one means the first
    last = after + max(first, 0)
    found = await results.rows(tx, cypher.RECORD_PAGE, revision=revision, after=after, last=last)
    return [(int(seq), _record(record_id, text)) for seq, record_id, text in sorted(found)]


async def revision_at(tx: Tx, at: dt.datetime) -> int | None:
    rec = await (await tx.run(cypher.REVISION_AT, at=utc_text(at))).single(strict=True)
    return None if rec["revision"] is None else int(rec["revision"])


async def committed_at(tx: Tx, revision: int) -> dt.datetime | None:
    rec = await (await tx.run(cypher.COMMITTED_AT, revision=revision)).single()
    return None if rec is None else from_utc_text(rec["at"])


async def later(tx: Tx, revision: int, batch: int) -> list[ChangeSet]:
    """Every change set after ``revision``, each with all its records: read about ``batch``
    records at a time, runs of consecutive small change sets together, a large one a few
    record batches at a time."""
    rows = await results.rows(tx, cypher.CHANGE_SETS_AFTER, revision=revision)
    heads = sorted((_change_set(row) for row in rows), key=lambda cs: cs.revision)
    windows: list[tuple[int, int, int]] = []  # (after revision, up to revision, records)
    low, high, pending = revision, revision, 0
    for cs in heads:
        if pending and pending + cs.size > batch:
            windows.append((low, high, pending))
            low, pending = high, 0
        high, pending = cs.revision, pending + cs.size
    if pending:
        windows.append((low, high, pending))
    found: dict[int, list[tuple[int, RecordChange]]] = defaultdict(list)
    step = max(batch, RECORDS_PER_BATCH)
    for low, high, size in windows:
        if size <= batch:
            rows = await results.rows(tx, cypher.BATCHES_BETWEEN, low=low, high=high)
            for rev, listed in _unpack(rows).items():
                found[rev].extend(listed)
            continue
        for after in range(0, size, step):  # one change set larger than a batch
            rows = await results.rows(
                tx, cypher.BATCH_PAGE, revision=high, after=after, last=after + step
            )
            found[high].extend(_unpack(rows)[high])
    return [
        ChangeSet(
            cs.revision,
            cs.at,
            cs.author,
            cs.size,
            tuple(c for _, c in sorted(found[cs.revision], key=_first)),
        )
        for cs in heads
    ]


async def node_versions(tx: Tx, batch: int) -> dict[str, list[NodeVersion]]:
    """Versions of every node with more than one known value (graph.history.Versions),
    oldest revision first, as the embedded store keeps them (graph/sqlite_history.py,
    ``load_versions``): the records of every node some change set updated, and for a node
    that existed before history began the value before its first recorded change."""
    updated = await results.rows(tx, cypher.UPDATED_NODES)
    found: dict[str, list[tuple[int, RecordChange]]] = defaultdict(list)
    for chunk in batched(sorted(updated), batch):
        for node_id, revision, _, text in await results.rows(
            tx, cypher.RECORDS_OF, groups=lookups(chunk), per_batch=RECORDS_PER_BATCH
        ):
            change = _record(node_id, text)
            if change.entity is Entity.NODE:
                found[node_id].append((int(revision), change))
    out: dict[str, list[NodeVersion]] = {}
    for node_id, listed in found.items():
        versions: list[NodeVersion] = []
        for revision, change in sorted(listed, key=_first):
            if not versions and isinstance(change.before, Node):  # it existed before history
                versions.append(NodeVersion("", revision - 1, change.before))
            assert isinstance(change.after, Node)
            versions.append(NodeVersion(change.valid_from or "", revision, change.after))
        if len(versions) > 1:
            out[node_id] = versions
    return out
