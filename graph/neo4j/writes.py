"""What the Neo4j store writes, as transaction functions safe to re-run.

The driver may run a managed transaction function again after a transient failure; these
start from nothing each time (the failed attempt was rolled back), take the writers' lock,
re-read under it what they depend on, ``CREATE`` only ids confirmed absent under that lock
and ``SET`` whole property maps on the rest, so a second run writes exactly once (the
uniqueness constraints refuse any duplicate anyway). docs/NEO4J.md, *Transactions*.

Every write that bumps the revision records its change set in the same transaction, with the
revision it takes (graph/neo4j/history.py): both commit, or neither.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graph import cypher, keys
from graph.batching import batched
from graph.changes import Plan, plan_changes
from graph.history import Author, record_changes, weight_changes
from graph.integrity import CONTRIBUTION_TYPES, check_results_chain, successor_closure
from graph.keys import ApiKey
from graph.model import Node, NodeKind, Relationship, RelType, WeightScope
from graph.neo4j import history, reads, results
from graph.neo4j.results import RevisionState, Tx
from graph.store import ApplyResult, Change

log = logging.getLogger("partnernet.neo4j")

Progress = Callable[[int], None]


class Lookups:
    """The planner's view of the stored graph inside one transaction; remembers which ids it
    found, so the writer knows what to CREATE and what to update."""

    def __init__(self, tx: Tx, batch: int) -> None:
        self._tx, self._batch = tx, batch
        self.nodes: set[str] = set()
        self.rels: set[str] = set()

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        found = await reads.nodes(self._tx, ids, self._batch)
        self.nodes.update(n.id for n in found if n is not None)
        return found

    async def get_rels(self, ids: Sequence[str]) -> list[Relationship | None]:
        found = await reads.relationships(self._tx, ids, self._batch)
        self.rels.update(r.id for r in found if r is not None)
        return found

    async def plan(self, changes: Sequence[Change]) -> Plan:
        return await plan_changes(changes, self.get_nodes, self.get_rels)


@dataclass(frozen=True)
class Planned:
    """A batch planned in a read transaction, at the revision it read first."""

    state: RevisionState
    plan: Plan
    lookups: Lookups


async def plan(tx: Tx, changes: Sequence[Change], batch: int) -> Planned:
    """Read the revision, then plan: validate the batch against the model and the stored
    graph and drop records identical to what is stored."""
    state = await results.revision_state(tx)
    lookups = Lookups(tx, batch)
    return Planned(state, await lookups.plan(changes), lookups)


def _is_stale(planned: RevisionState, now: RevisionState) -> bool:
    """Whether a writer committed since planning. No counter at planning time means an empty
    graph, which is still true while the counter reads 0 (every write makes it >= 1)."""
    if planned[0] is None:
        return now[1] != 0
    return planned != now


@dataclass(frozen=True)
class Written:
    """What a write transaction did: its result, and for snapshots (graph/snapshot.py) the
    plan it wrote (``None`` if it wrote nothing) and the epoch of the revision it took."""

    result: ApplyResult
    plan: Plan | None
    epoch: str | None


async def write(
    tx: Tx,
    changes: Sequence[Change],
    planned: Planned,
    batch: int,
    progress: Progress | None,
    author: Author,
) -> Written:
    """Under the lock: plan again if another writer committed since ``planned``, check the
    results chain on what is stored now, write, and bump the revision with the change set
    of the plan written (its ``before`` records were read at the revision it builds on)."""
    await results.run(tx, cypher.LOCK_REVISION)
    at_head = await history.head(tx)
    state = at_head.state
    current, existing = planned.plan, planned.lookups
    if _is_stale(planned.state, state):
        log.info("graph moved to revision %s while planning; planning again", state[1])
        existing = Lookups(tx, batch)
        current = await existing.plan(changes)
        if not current:
            return Written(ApplyResult(state[1], 0, 0, current), None, state[0])
    await _check_results_chain(tx, current.relationships, batch)
    await _write_plan(tx, current, existing, batch, progress)
    at = at_head.next_at()
    records = record_changes(
        current.nodes,
        current.relationships,
        current.before_nodes,
        current.before_rels,
        current.valid_from,
        at.date().isoformat(),
    )
    _, revision = await history.commit(tx, at_head, at, author, records, batch)
    return Written(
        ApplyResult(revision, len(current.nodes), len(current.relationships), current),
        current,
        state[0],
    )


async def _write_plan(
    tx: Tx, plan: Plan, existing: Lookups, batch: int, progress: Progress | None
) -> None:
    """Nodes before relationships (which may end at them), in UNWIND batches per kind or
    type and per create/update."""
    total, done = len(plan.nodes) + len(plan.relationships), 0
    node_groups: dict[tuple[NodeKind, bool], list[Node]] = defaultdict(list)
    for node in plan.nodes:
        node_groups[(node.kind, node.id in existing.nodes)].append(node)
    rel_groups: dict[tuple[RelType, bool], list[Relationship]] = defaultdict(list)
    for rel in plan.relationships:
        rel_groups[(rel.type, rel.id in existing.rels)].append(rel)
    for (kind, stored), nodes in node_groups.items():
        query = cypher.update_nodes(kind) if stored else cypher.create_nodes(kind)
        for chunk in batched(nodes, batch):
            rows = [{"id": n.id, "props": {**n.props, "id": n.id}} for n in chunk]
            await results.run(tx, query, rows=rows)
            done = _report(progress, done, len(chunk), total)
    for (rel_type, stored), rels in rel_groups.items():
        query = (
            cypher.update_relationships(rel_type)
            if stored
            else cypher.create_relationships(rel_type)
        )
        for part in batched(rels, batch):
            rows = [
                {"id": r.id, "start": r.start, "end": r.end, "props": {**r.props, "id": r.id}}
                for r in part
            ]
            await results.run(tx, query, rows=rows)
            done = _report(progress, done, len(part), total)


def _report(progress: Progress | None, done: int, step: int, total: int) -> int:
    done += step
    log.debug("neo4j write: %d/%d records", done, total)
    if progress is not None:
        progress(step)
    return done


async def _check_results_chain(tx: Tx, planned: Sequence[Relationship], batch: int) -> None:
    """Fetch, under the writer lock, exactly what the shared rule needs: stored links into
    the outcomes the batch touches, and the CONTRIBUTED_TO successors reachable from them;
    then let :func:`check_results_chain` decide."""
    contrib = [r for r in planned if r.type in CONTRIBUTION_TYPES]
    if not contrib:
        return
    incoming: dict[str, list[Relationship]] = defaultdict(list)
    for chunk in batched(sorted({r.end for r in contrib}), batch):
        for row in await results.rows(tx, cypher.INCOMING_CONTRIBUTIONS, ids=chunk):
            rel = results.rel(row)
            incoming[rel.end].append(rel)

    async def stored_successors(outcomes: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for chunk in batched(outcomes, batch):
            for outcome, ends in await results.rows(tx, cypher.CONTRIBUTES_TO, ids=chunk):
                found[outcome] = list(ends)
        return found

    successors = await successor_closure(contrib, stored_successors)
    check_results_chain(planned, lambda o: incoming.get(o, ()), lambda o: successors.get(o, ()))


async def set_need_weights(
    tx: Tx,
    weights: Mapping[tuple[WeightScope, str], float],
    replace: bool,
    batch: int,
    author: Author,
) -> tuple[RevisionState, bool]:
    """Under the lock: merge (or replace) the stored weights; bump the revision, with its
    change set, only if they change. Returns the revision state after, and whether they
    changed."""
    await results.run(tx, cypher.LOCK_REVISION)
    at_head = await history.head(tx)
    current = results.weights(await results.rows(tx, cypher.NEED_WEIGHTS))
    merged = dict(weights) if replace else {**current, **weights}
    if merged == current:
        return at_head.state, False
    await results.run(tx, cypher.DELETE_NEED_WEIGHTS)
    rows = [
        {"scope": scope.value, "key": key, "weight": w}
        for (scope, key), w in sorted(merged.items())
    ]
    for chunk in batched(rows, batch):
        await results.run(tx, cypher.CREATE_NEED_WEIGHTS, rows=chunk)
    changes = weight_changes(current, merged)
    return await history.commit(tx, at_head, at_head.next_at(), author, changes, batch), True


# --------------------------------------------------------------------------- API keys
#
# Key writes lock their own node, never the revision node, and never bump the revision: keys
# are not graph data and must not invalidate analytics caches.


async def create_key(tx: Tx, record: ApiKey) -> None:
    """Under the key writers' lock: refuse a taken id or an active key's name, then
    ``CREATE`` (the ``api_key_id`` constraint refuses a duplicate id anyway)."""
    await results.run(tx, cypher.LOCK_API_KEYS)
    rec = await (await tx.run(cypher.API_KEY_CLASHES, id=record.id, name=record.name)).single(
        strict=True
    )
    if rec["id_taken"] is not None:
        raise keys.id_taken(record.id)
    if rec["name_taken"]:
        raise keys.name_taken(record.name)
    await results.run(tx, cypher.CREATE_API_KEY, props=keys.to_row(record))


async def revoke_key(tx: Tx, key_id: str, when: str) -> bool:
    await results.run(tx, cypher.LOCK_API_KEYS)
    return bool(await results.records(tx, cypher.REVOKE_API_KEY, id=key_id, at=when))
