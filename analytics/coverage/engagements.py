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
from dataclasses import dataclass
from typing import Final

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

    @property
    def engagements(self) -> int:
        return len(self.e_actor)


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


def build_index(graph: nx.MultiDiGraph, revision: int = 0) -> EngagementIndex:
    """Read the engagements of a full-history snapshot graph into an :class:`EngagementIndex`.

    ``graph`` is a :class:`graph.store.Snapshot` graph taken without ``as_of``, so history is
    complete and windows can be applied later without another snapshot. The graph is walked
    once; everything per engagement is then computed column-wise, which keeps a graph of a
    million relationships to seconds.
    """
    nodes = graph.nodes
    kind_of: dict[str, str] = dict(nodes(data="kind"))
    geo = geography_tree()
    themes = theme_tree(
        (n, str(d.get("name", n))) for n, d in nodes(data=True) if d["kind"] == "ThematicArea"
    )
    stake = stakeholder_tree()
    country_at = geo.index[3]
    theme_at = themes.index[1]
    kind_at = stake.index[1]
    type_at = stake.index[2]
    none_country = country_at[UNSPECIFIED]
    none_theme = theme_at[UNSPECIFIED]
    days = _Days()

    # one walk over the relationships
    addresses: dict[str, set[int]] = {}
    targets: dict[str, set[str]] = {}
    members: dict[str, set[str]] = {}
    part_of: dict[str, str] = {}
    e_u: list[str] = []
    e_v: list[str] = []
    e_since: list[str | None] = []
    e_until: list[str | None] = []
    e_amount: list[float] = []
    e_part: list[bool] = []
    for u, nbrs in graph.adjacency():
        for v, keyed in nbrs.items():
            for d in keyed.values():
                t = d["type"]
                if t == "PARTNERS_IN" or t == "PARTICIPATED_IN":
                    e_u.append(u)
                    e_v.append(v)
                    e_since.append(d.get("since"))
                    e_until.append(d.get("until"))
                    e_amount.append(d.get("amount") or 0.0)
                    e_part.append(t == "PARTICIPATED_IN")
                elif t == "ADDRESSES":
                    addresses.setdefault(u, set()).add(theme_at[v])
                elif t == "TARGETS":
                    targets.setdefault(u, set()).add(v)
                elif t == "MEMBER_OF":
                    members.setdefault(v, set()).add(u)
                elif t == "PART_OF" and (u not in part_of or v < part_of[u]):
                    part_of[u] = v

    def countries(node_id: str) -> set[int]:
        out: set[int] = set()
        for t in targets.get(node_id, ()):
            if kind_of[t] == "MemberState":
                out.add(country_at[t])
            else:
                out.update(country_at[m] for m in members.get(t, ()))
        return out

    # targets: programmes first, then activities
    programme_ids = [n for n, k in kind_of.items() if k == "Programme"]
    activity_ids = [n for n, k in kind_of.items() if k == "Activity"]
    target_no = {n: i for i, n in enumerate([*programme_ids, *activity_ids])}
    n_prog = len(programme_ids)
    t_themes: list[set[int]] = []
    t_countries: list[set[int]] = []
    t_programme: list[int] = []
    for p in programme_ids:
        t_themes.append(addresses.get(p, set()))
        t_countries.append(countries(p))
        t_programme.append(target_no[p])
    for a in activity_ids:
        prog = part_of.get(a)
        here = countries(a)
        location = nodes[a].get("location")
        if location:
            here.add(country_at[location])
        prog_no = target_no[prog] if prog else -1
        t_themes.append(addresses.get(a, set()) | (t_themes[prog_no] if prog else set()))
        t_countries.append(here or (t_countries[prog_no] if prog else set()))
        t_programme.append(prog_no)
    theme_ptr, theme_idx = _csr([t or (none_theme,) for t in t_themes])
    target_ptr, target_idx = _csr([c or (none_country,) for c in t_countries])
    target_ids = [*programme_ids, *activity_ids]
    t_since = days.column([nodes[t].get("since") for t in target_ids], _OPEN_START)
    t_until = days.column([nodes[t].get("until") for t in target_ids], _OPEN_END)
    t_date = days.column([nodes[t].get("since") for t in target_ids], -1)

    # actors, in order of first engagement
    actor_ids = list(dict.fromkeys(e_u))
    actor_no = {a: i for i, a in enumerate(actor_ids)}
    kinds = []
    homes = []
    type_rows = []
    for a in actor_ids:
        d = nodes[a]
        kind = NodeKind(d["kind"])
        kinds.append(kind_at[kind.value])
        homes.append(country_at.get(d.get("country") or UNSPECIFIED, none_country))
        type_rows.append([type_at[t] for t in actor_types(kind, d)])
    a_since = days.column([nodes[a].get("since") for a in actor_ids], _OPEN_START)
    a_until = days.column([nodes[a].get("until") for a in actor_ids], _OPEN_END)
    type_ptr, type_idx = _csr(type_rows)

    # engagements, column-wise
    count = len(e_u)
    actor = np.fromiter((actor_no[u] for u in e_u), dtype=np.int64, count=count)
    target = np.fromiter((target_no[v] for v in e_v), dtype=np.int64, count=count)
    part = np.array(e_part, dtype=np.bool_)
    since = days.column(e_since, _OPEN_START)
    start = np.maximum(np.maximum(since, t_since[target]), a_since[actor])
    end = np.minimum(np.minimum(days.column(e_until, _OPEN_END), t_until[target]), a_until[actor])
    programme = np.asarray(t_programme, dtype=np.int64)[target]
    activity = np.where(part, target - n_prog, -1)
    # an activity's day is its start, else (undated platforms) when the actor joined it
    date = np.where(part, np.where(t_date[target] >= 0, t_date[target], since), -1)
    date[part & (date == _OPEN_START)] = -1
    return EngagementIndex(
        revision=revision,
        trees=(geo, themes, stake),
        actor_ids=tuple(actor_ids),
        actor_kind=np.asarray(kinds, dtype=np.int64),
        actor_country=np.asarray(homes, dtype=np.int64),
        type_ptr=type_ptr,
        type_idx=type_idx,
        e_actor=actor,
        e_target=target,
        e_participation=part,
        e_start=start,
        e_end=end,
        e_programme=np.where(part & (programme < 0), -1, programme),
        e_activity=activity,
        e_amount=np.where(part, 0.0, np.asarray(e_amount, dtype=np.float64)),
        e_date=date,
        theme_ptr=theme_ptr,
        theme_idx=theme_idx,
        target_ptr=target_ptr,
        target_idx=target_idx,
        n_programmes=n_prog,
        n_activities=len(activity_ids),
        target_ids=tuple(target_ids),
    )
