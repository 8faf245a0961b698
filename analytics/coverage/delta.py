"""The engagement index after a write, from the one before it.

A write touches a handful of nodes; rebuilding the index walks every engagement (1.5 s at
100,000 actors). After a write the store's snapshot is derived from the previous one, sharing
what did not change (graph/snapshot.py), so the touched nodes are found by identity
(:func:`analytics.advance.touched_nodes`). :func:`advance_index` then re-reads only the touched
actors' engagements, keeps every other actor's rows and attributes from the previous index,
keeps the programmes and activities too unless one of them was written (what each is
attributed to can change with any of them: then they are all read again, a few thousand), and
computes every derived column again, column-wise, exactly as
:func:`analytics.coverage.build_index` does, from the engagements as read, which the index
keeps for this.

Left to a full build: a thematic area written (the theme tree is built from their names), a
Member State's memberships changed (what a target in a regional organisation covers), a
snapshot that lost a node or was built in full (everything looks touched), and writes touching
more than a few percent of the nodes. ``tests/coverage/test_delta.py`` holds every derived
index equal, column for column, to a full build after random write sequences.
"""

from __future__ import annotations

from typing import cast

import networkx as nx
import numpy as np

from analytics.advance import MAX_TOUCHED_SHARE, MIN_TOUCHED_LIMIT, touched_nodes
from analytics.counting import stable_order
from analytics.coverage.engagements import (
    _OPEN_END,
    _OPEN_START,
    EngagementIndex,
    _Actors,
    _actors,
    _Rows,
    _Scope,
    _targets,
    assemble,
)

__all__ = ["advance_index"]

_TARGET_KINDS = frozenset({"Programme", "Activity", "MemberState"})


def advance_index(
    previous: EngagementIndex, old: nx.MultiDiGraph, new: nx.MultiDiGraph, revision: int
) -> EngagementIndex | None:
    """``build_index(new, revision)``, given ``previous = build_index(old)``; ``None`` when
    a full build is needed (see the module).

    >>> from analytics.coverage import build_index
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("KEN", kind="MemberState")
    >>> g.add_node("p", kind="Programme")
    >>> g.add_node("c", kind="CivilSocietyOrganization", country="KEN")
    >>> _ = g.add_edge("c", "p", key="r", type="PARTNERS_IN", since="2020-01-01")
    >>> index = build_index(g, revision=1)
    >>> after = advance_index(index, g, g, revision=2)  # nothing touched: the same rows
    >>> after.revision, after.actor_ids, after.e_target.tolist()
    (2, ('c',), [0])
    """
    read = previous.read
    if read is None or not new._node.keys() >= old._node.keys():
        return None  # (a snapshot after a write never loses a node: this is a safeguard)
    touched = cast("set[str]", touched_nodes(old, new))  # snapshot ids are strings
    if len(touched) > max(MAX_TOUCHED_SHARE * len(new), MIN_TOUCHED_LIMIT):
        return None
    if touched <= old._node.keys():  # no node created: the kinds, in the same order
        kinds = dict(read.kinds)
        kinds.update((u, new._node[u]["kind"]) for u in touched)
    else:  # in the graph's order, which numbers the targets
        kinds = dict(new.nodes(data="kind"))
    for u in touched:
        if kinds[u] == "ThematicArea" and new._node[u] is not old._node.get(u):
            return None
        if kinds[u] == "MemberState" and _memberships(old, u) != _memberships(new, u):
            return None
    # The trees stand (no thematic area was written); the parsed dates are a cache.
    scope = _Scope(new.nodes, kinds, previous.trees, read.days)
    # Programmes and activities are read from their attributes and their own outgoing
    # relationships (and Member States' memberships, checked above): an engagement written
    # to a programme touches its incoming ones only, which leaves them as they were.
    same = all(
        kinds[u] not in _TARGET_KINDS
        or (new._node[u] is old._node.get(u) and new._succ[u] is old._succ.get(u))
        for u in touched
    )
    targets = read.targets if same else _targets(new, scope)
    number = read.actor_number
    rows = _Rows.read(new, sorted(touched))
    fresh = sorted(set(rows.actor))
    kept = [a for a in previous.actor_ids if a not in touched]
    old_to_new = np.full(len(previous.actor_ids) + 1, -1, dtype=np.int64)
    if len(kept) + len(fresh) == len(number) and all(a in number for a in fresh):
        # The same actors: their numbers stand, the touched ones' rows are read again.
        ids, position = list(previous.actor_ids), number
        actors = _replaced_actors(read.actors, _actors(fresh, scope), position)
        old_to_new[: len(ids)] = np.arange(len(ids))
        old_to_new[[number[a] for a in fresh]] = -1
    else:
        ids = sorted([*kept, *fresh])  # snapshots list nodes by id: first-engagement order
        position = {a: i for i, a in enumerate(ids)}
        actors = _merge_actors(read.actors, number, kept, _actors(fresh, scope), ids, position)
        for a in kept:
            old_to_new[number[a]] = position[a]
    target_to_new = np.fromiter(
        (targets.number[t] for t in previous.target_ids), np.int64, len(previous.target_ids)
    )
    stay = old_to_new[previous.e_actor] >= 0
    count = len(rows.actor)
    actor = np.concatenate(
        [
            old_to_new[previous.e_actor[stay]],
            np.fromiter((position[u] for u in rows.actor), np.int64, count),
        ]
    )
    order, _ = stable_order(actor, len(ids))  # each actor's rows stay in their order
    target = np.concatenate(
        [
            target_to_new[previous.e_target[stay]],
            np.fromiter((targets.number[v] for v in rows.target), np.int64, count),
        ]
    )
    since = np.concatenate([read.since[stay], scope.days.column(rows.since, _OPEN_START)])
    until = np.concatenate([read.until[stay], scope.days.column(rows.until, _OPEN_END)])
    amount = np.concatenate([read.amount[stay], np.asarray(rows.amount, dtype=np.float64)])
    part = np.concatenate(
        [previous.e_participation[stay], np.array(rows.participation, dtype=np.bool_)]
    )
    return assemble(
        revision,
        scope,
        targets,
        actors,
        actor[order],
        target[order],
        since[order],
        until[order],
        amount[order],
        part[order],
        position,
    )


def _memberships(graph: nx.MultiDiGraph, state: str) -> set[str]:
    succ = graph._succ.get(state, {})
    return {v for v, keyed in succ.items() if any(d["type"] == "MEMBER_OF" for d in keyed.values())}


def _replaced_actors(before: _Actors, fresh: _Actors, position: dict[str, int]) -> _Actors:
    """The previous index's actors with the touched ones' attributes as read now."""
    at = np.fromiter((position[a] for a in fresh.ids), np.int64, len(fresh.ids))
    columns = []
    for theirs, mine in (
        (before.kind, fresh.kind),
        (before.country, fresh.country),
        (before.since, fresh.since),
        (before.until, fresh.until),
    ):
        column = theirs.copy()
        column[at] = mine
        columns.append(column)
    type_rows = list(before.type_rows)
    for a, row in zip(fresh.ids, fresh.type_rows, strict=True):
        type_rows[position[a]] = row
    kind, country, since, until = columns
    return _Actors(list(before.ids), kind, country, type_rows, since, until)


def _merge_actors(
    before: _Actors,
    number: dict[str, int],
    kept: list[str],
    fresh: _Actors,
    ids: list[str],
    position: dict[str, int],
) -> _Actors:
    """Kept actors' attributes from the previous index, the touched ones' as read now."""
    n = len(ids)
    kind = np.empty(n, dtype=np.int64)
    country = np.empty(n, dtype=np.int64)
    since = np.empty(n, dtype=np.int64)
    until = np.empty(n, dtype=np.int64)
    type_rows: list[list[int]] = [[] for _ in range(n)]
    src = np.fromiter((number[a] for a in kept), np.int64, len(kept))
    dst = np.fromiter((position[a] for a in kept), np.int64, len(kept))
    for mine, theirs in ((kind, before.kind), (country, before.country)):
        mine[dst] = theirs[src]
    since[dst], until[dst] = before.since[src], before.until[src]
    for a in kept:
        type_rows[position[a]] = before.type_rows[number[a]]
    at = np.fromiter((position[a] for a in fresh.ids), np.int64, len(fresh.ids))
    kind[at], country[at] = fresh.kind, fresh.country
    since[at], until[at] = fresh.since, fresh.until
    for a, row in zip(fresh.ids, fresh.type_rows, strict=True):
        type_rows[position[a]] = row
    return _Actors(ids, kind, country, type_rows, since, until)
