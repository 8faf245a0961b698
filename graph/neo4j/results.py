"""Statements run inside a transaction, and their rows as model records.

Reads that can return many rows return them as one record holding a list of rows
(``RETURN collect([...]) AS rows``, see graph/cypher.py): the driver pays a large fixed cost
per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import neo4j
from neo4j import AsyncManagedTransaction, AsyncTransaction

from graph import cypher
from graph.model import Node, NodeKind, Relationship, RelType, WeightScope

Tx = AsyncManagedTransaction | AsyncTransaction
#: (epoch, revision): the epoch changes when the counter is recreated after a reset.
RevisionState = tuple[str | None, int]

_KINDS: Final = {k.value: k for k in NodeKind}
_TYPES: Final = {t.value: t for t in RelType}


def node(row: Sequence[Any]) -> Node:
    """A node from a ``[id, kind, props]`` row; the props dict is fresh from the decoder, so
    dropping the stored ``id`` in place is safe (and cheap on the snapshot's hot path)."""
    node_id, kind, props = row
    props.pop("id", None)
    return Node(node_id, _KINDS[kind], props)


def rel(row: Sequence[Any]) -> Relationship:
    """A relationship from an ``[id, type, start, end, props]`` row."""
    rel_id, rel_type, start, end, props = row
    props.pop("id", None)
    return Relationship(rel_id, _TYPES[rel_type], start, end, props)


def weights(rows: Iterable[Sequence[Any]]) -> dict[tuple[WeightScope, str], float]:
    return {(WeightScope(scope), key): float(weight) for scope, key, weight in rows}


async def rows(tx: Tx, query: str, **params: Any) -> list[Any]:
    """The ``rows`` list of a query that collects its rows into one record."""
    record = await (await tx.run(query, params)).single(strict=True)
    return list(record["rows"])


async def records(tx: Tx, query: str, **params: Any) -> list[neo4j.Record]:
    result = await tx.run(query, params)
    return [rec async for rec in result]


async def run(tx: Tx, query: str, **params: Any) -> None:
    await (await tx.run(query, params)).consume()


async def revision_state(tx: Tx) -> RevisionState:
    rec = await (await tx.run(cypher.REVISION)).single()
    return (None, 0) if rec is None else (rec["epoch"], int(rec["value"]))
