"""Engagements: who is engaged with what, where, on which theme, and when it counts.

The unit of coverage is an *engagement*: an actor's ``PARTNERS_IN`` relationship to a
programme (a partnership) or its ``PARTICIPATED_IN`` relationship to an activity (a
participation). :func:`build_index` reads the engagements of a full-history snapshot, and
what each is attributed to, once per graph revision into a columnar :class:`EngagementIndex`;
a :class:`Window` then says which of them count for a query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import networkx as nx
import numpy as np
import numpy.typing as npt

from analytics.coverage.dimensions import UNSPECIFIED
from analytics.coverage.trees import (
    FloatArray,
    IntArray,
    Tree,
    actor_types,
    geography_tree,
    stakeholder_tree,
    theme_tree,
)
from graph.model import NodeKind

__all__ = ["ACTIVITY_LOOKBACK_DAYS", "EngagementIndex", "Window", "build_index"]

#: Days before ``asOf`` (inclusive of it) in which activities count for an as-of window.
ACTIVITY_LOOKBACK_DAYS: Final = 365

_OPEN_START: Final = 0
_OPEN_END: Final = dt.date.max.toordinal() + 1


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True, slots=True)
class Window:
    """When an engagement counts.

    A partnership counts when it is valid on some day of ``[start, end]``; a participation when
    the activity took place on some day of ``[activity_start, end]``. For a period both ranges
    are the period. For an as-of date a partnership must be valid on that day, but activities
    are one-day events, so those held in the :data:`ACTIVITY_LOOKBACK_DAYS` up to it count.

    >>> Window.as_of(dt.date(2024, 6, 30)).activity_start
    datetime.date(2023, 7, 2)
    """

    start: dt.date
    end: dt.date
    activity_start: dt.date

    @classmethod
    def as_of(cls, day: dt.date) -> Window:
        return cls(day, day, day - dt.timedelta(days=ACTIVITY_LOOKBACK_DAYS - 1))

    @classmethod
    def period(cls, start: dt.date, end: dt.date) -> Window:
        if start > end:
            raise ValueError(f"period starts ({start}) after it ends ({end})")
        return cls(start, end, start)


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class EngagementIndex:
    """Every engagement of one graph revision, in columns, with what it is attributed to.

    Built once per revision by :func:`build_index`; queries only read it, from any thread.
    Engagements point at their *target* (the programme or activity engaged with); what a
    target is attributed to (themes, target countries) and an actor's stakeholder types are
    CSR arrays: the values of row ``i`` are ``values[ptr[i]:ptr[i + 1]]``.
    """

    revision: int
    trees: tuple[Tree, Tree, Tree]
    actor_ids: tuple[str, ...]
    actor_kind: IntArray
    actor_country: IntArray
    type_ptr: IntArray
    type_idx: IntArray
    e_actor: IntArray
    e_target: IntArray
    e_participation: npt.NDArray[np.bool_]
    e_start: IntArray
    e_end: IntArray
    e_programme: IntArray
    e_activity: IntArray
    e_amount: FloatArray
    e_date: IntArray
    theme_ptr: IntArray
    theme_idx: IntArray
    target_ptr: IntArray
    target_idx: IntArray
    n_programmes: int
    n_activities: int
    #: Ids of the targets (programmes, then activities): ``e_target`` and ``e_programme``
    #: index into it.
    target_ids: tuple[str, ...] = ()
    #: The engagements and actors as read, before windows and targets' dates clip them: what
    #: the next revision's index is derived from (analytics/coverage/delta.py).
    read: _Read | None = field(default=None, repr=False, compare=False)

    @property
    def engagements(self) -> int:
        return len(self.e_actor)


@dataclass(frozen=True)
class _Read:
    actors: _Actors
    since: IntArray
    until: IntArray
    amount: FloatArray
    #: The scope's kinds and parsed dates (not its graph, which the index must not keep alive).
    kinds: dict[str, str]
    days: _Days
    targets: _Targets
    #: Each actor's number (its row in the actor columns).
    actor_number: dict[str, int]


def _csr(rows: Sequence[Iterable[int]]) -> tuple[IntArray, IntArray]:
    lists = [sorted(r) for r in rows]
    lengths = np.fromiter((len(r) for r in lists), dtype=np.int64, count=len(lists))
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    flat = np.fromiter((v for r in lists for v in r), dtype=np.int64, count=int(ptr[-1]))
    return ptr, flat


class _Days:
    """ISO dates to day numbers, each distinct string parsed once."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def column(self, values: Sequence[str | None], default: int) -> IntArray:
        seen = self.seen
        for v in set(values):
            if v is not None and v not in seen:
                seen[v] = dt.date.fromisoformat(v).toordinal()
        return np.fromiter(
            (default if v is None else seen[v] for v in values), dtype=np.int64, count=len(values)
        )


@dataclass(frozen=True)
class _Scope:
    """What the whole graph gives every part of the index: the trees and the kinds."""

    nodes: Any
    kind_of: dict[str, str]
    trees: tuple[Tree, Tree, Tree]
    days: _Days

    @property
    def country_at(self) -> dict[str, int]:
        return self.trees[0].index[3]

    @property
    def none_country(self) -> int:
        return self.country_at[UNSPECIFIED]


def _scope(graph: nx.MultiDiGraph) -> _Scope:
    nodes = graph.nodes
    kind_of: dict[str, str] = dict(nodes(data="kind"))
    themes = theme_tree(
        (n, str(nodes[n].get("name", n))) for n, k in kind_of.items() if k == "ThematicArea"
    )
    return _Scope(nodes, kind_of, (geography_tree(), themes, stakeholder_tree()), _Days())


@dataclass(frozen=True)
class _Targets:
    """Programmes then activities: what each is attributed to, and its dates."""

    ids: list[str]
    number: dict[str, int]
    n_programmes: int
    theme_ptr: IntArray
    theme_idx: IntArray
    target_ptr: IntArray
    target_idx: IntArray
    since: IntArray
    until: IntArray
    date: IntArray
    programme: IntArray


def _targets(graph: nx.MultiDiGraph, scope: _Scope) -> _Targets:
    """Read from the programmes', activities' and Member States' own relationships only
    (themes, targets, parents, memberships): a few thousand, whatever the engagements."""
    kind_of, nodes, succ = scope.kind_of, scope.nodes, graph.succ
    country_at, none_country = scope.country_at, scope.none_country
    theme_at = scope.trees[1].index[1]
    none_theme = theme_at[UNSPECIFIED]
    programme_ids = [n for n, k in kind_of.items() if k == "Programme"]
    activity_ids = [n for n, k in kind_of.items() if k == "Activity"]
    addresses: dict[str, set[int]] = {}
    targets: dict[str, set[str]] = {}
    part_of: dict[str, str] = {}
    for u in (*programme_ids, *activity_ids):
        for v, keyed in succ[u].items():
            for d in keyed.values():
                t = d["type"]
                if t == "ADDRESSES":
                    addresses.setdefault(u, set()).add(theme_at[v])
                elif t == "TARGETS":
                    targets.setdefault(u, set()).add(v)
                elif t == "PART_OF" and (u not in part_of or v < part_of[u]):
                    part_of[u] = v
    members: dict[str, set[str]] = {}
    for u in (n for n, k in kind_of.items() if k == "MemberState"):
        for v, keyed in succ[u].items():
            if any(d["type"] == "MEMBER_OF" for d in keyed.values()):
                members.setdefault(v, set()).add(u)

    def countries(node_id: str) -> set[int]:
        out: set[int] = set()
        for t in targets.get(node_id, ()):
            if kind_of[t] == "MemberState":
                out.add(country_at[t])
            else:
                out.update(country_at[m] for m in members.get(t, ()))
        return out

    number = {n: i for i, n in enumerate([*programme_ids, *activity_ids])}
    t_themes: list[set[int]] = []
    t_countries: list[set[int]] = []
    t_programme: list[int] = []
    for p in programme_ids:
        t_themes.append(addresses.get(p, set()))
        t_countries.append(countries(p))
        t_programme.append(number[p])
    for a in activity_ids:
        prog = part_of.get(a)
        here = countries(a)
        location = nodes[a].get("location")
        if location:
            here.add(country_at[location])
        prog_no = number[prog] if prog else -1
        t_themes.append(addresses.get(a, set()) | (t_themes[prog_no] if prog else set()))
        t_countries.append(here or (t_countries[prog_no] if prog else set()))
        t_programme.append(prog_no)
    theme_ptr, theme_idx = _csr([t or (none_theme,) for t in t_themes])
    target_ptr, target_idx = _csr([c or (none_country,) for c in t_countries])
    ids = [*programme_ids, *activity_ids]
    days = scope.days
    return _Targets(
        ids,
        number,
        len(programme_ids),
        theme_ptr,
        theme_idx,
        target_ptr,
        target_idx,
        days.column([nodes[t].get("since") for t in ids], _OPEN_START),
        days.column([nodes[t].get("until") for t in ids], _OPEN_END),
        days.column([nodes[t].get("since") for t in ids], -1),
        np.asarray(t_programme, dtype=np.int64),
    )


@dataclass(frozen=True)
class _Actors:
    """Per actor (in order of first engagement): kind, home, stakeholder types, dates."""

    ids: list[str]
    kind: IntArray
    country: IntArray
    type_rows: list[list[int]]
    since: IntArray
    until: IntArray


def _actors(ids: list[str], scope: _Scope) -> _Actors:
    nodes = scope.nodes
    stake, country_at, none_country = scope.trees[2], scope.country_at, scope.none_country
    kind_at, type_at = stake.index[1], stake.index[2]
    kinds, homes, type_rows = [], [], []
    for a in ids:
        d = nodes[a]
        kind = NodeKind(d["kind"])
        kinds.append(kind_at[kind.value])
        homes.append(country_at.get(d.get("country") or UNSPECIFIED, none_country))
        type_rows.append([type_at[t] for t in actor_types(kind, d)])
    return _Actors(
        ids,
        np.asarray(kinds, dtype=np.int64),
        np.asarray(homes, dtype=np.int64),
        type_rows,
        scope.days.column([nodes[a].get("since") for a in ids], _OPEN_START),
        scope.days.column([nodes[a].get("until") for a in ids], _OPEN_END),
    )


@dataclass
class _Rows:
    """Engagements as read, in the snapshot's order (by actor, then target, then id)."""

    actor: list[str]
    target: list[str]
    since: list[str | None]
    until: list[str | None]
    amount: list[float]
    participation: list[bool]

    @classmethod
    def read(cls, graph: nx.MultiDiGraph, actors: Iterable[str] | None = None) -> _Rows:
        """Of every node (``None``), or of the given ones."""
        rows = cls([], [], [], [], [], [])
        succ = graph.succ
        found = graph.adjacency() if actors is None else ((u, succ[u]) for u in actors)
        for u, nbrs in found:
            for v, keyed in nbrs.items():
                for d in keyed.values():
                    t = d["type"]
                    if t == "PARTNERS_IN" or t == "PARTICIPATED_IN":
                        rows.actor.append(u)
                        rows.target.append(v)
                        rows.since.append(d.get("since"))
                        rows.until.append(d.get("until"))
                        rows.amount.append(d.get("amount") or 0.0)
                        rows.participation.append(t == "PARTICIPATED_IN")
        return rows


def build_index(graph: nx.MultiDiGraph, revision: int = 0) -> EngagementIndex:
    """Read the engagements of a full-history snapshot graph into an :class:`EngagementIndex`.

    ``graph`` is a :class:`graph.store.Snapshot` graph taken without ``as_of``, so history is
    complete and windows can be applied later without another snapshot. The graph is walked
    once; everything per engagement is then computed column-wise, which keeps a graph of a
    million relationships to seconds. After a write, :func:`analytics.coverage.delta.
    advance_index` derives the next revision's index from this one instead.
    """
    scope = _scope(graph)
    rows = _Rows.read(graph)
    actors = _actors(list(dict.fromkeys(rows.actor)), scope)
    targets = _targets(graph, scope)
    number = {a: i for i, a in enumerate(actors.ids)}
    count = len(rows.actor)
    return assemble(
        revision,
        scope,
        targets,
        actors,
        np.fromiter((number[u] for u in rows.actor), dtype=np.int64, count=count),
        np.fromiter((targets.number[v] for v in rows.target), dtype=np.int64, count=count),
        scope.days.column(rows.since, _OPEN_START),
        scope.days.column(rows.until, _OPEN_END),
        np.asarray(rows.amount, dtype=np.float64),
        np.array(rows.participation, dtype=np.bool_),
        number,
    )


def assemble(
    revision: int,
    scope: _Scope,
    targets: _Targets,
    actors: _Actors,
    actor: IntArray,
    target: IntArray,
    since: IntArray,
    until: IntArray,
    amount: FloatArray,
    part: npt.NDArray[np.bool_],
    number: dict[str, int],
) -> EngagementIndex:
    """The index from its parts: every derived column computed here, column-wise, from the
    engagements as read (which the index keeps, so the next revision can be derived);
    ``number`` is each actor's row."""
    t_since, t_until, t_date = targets.since, targets.until, targets.date
    start = np.maximum(np.maximum(since, t_since[target]), actors.since[actor])
    end = np.minimum(np.minimum(until, t_until[target]), actors.until[actor])
    programme = targets.programme[target]
    activity = np.where(part, target - targets.n_programmes, -1)
    # an activity's day is its start, else (undated platforms) when the actor joined it
    date = np.where(part, np.where(t_date[target] >= 0, t_date[target], since), -1)
    date[part & (date == _OPEN_START)] = -1
    type_ptr, type_idx = _csr(actors.type_rows)
    return EngagementIndex(
        revision=revision,
        trees=scope.trees,
        actor_ids=tuple(actors.ids),
        actor_kind=actors.kind,
        actor_country=actors.country,
        type_ptr=type_ptr,
        type_idx=type_idx,
        e_actor=actor,
        e_target=target,
        e_participation=part,
        e_start=start,
        e_end=end,
        e_programme=np.where(part & (programme < 0), -1, programme),
        e_activity=activity,
        e_amount=np.where(part, 0.0, amount),
        e_date=date,
        theme_ptr=targets.theme_ptr,
        theme_idx=targets.theme_idx,
        target_ptr=targets.target_ptr,
        target_idx=targets.target_idx,
        n_programmes=targets.n_programmes,
        n_activities=len(targets.ids) - targets.n_programmes,
        target_ids=tuple(targets.ids),
        read=_Read(actors, since, until, amount, scope.kind_of, scope.days, targets, number),
    )
