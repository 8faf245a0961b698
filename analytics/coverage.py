"""Coverage analytics: who is engaged where, on what, and with which kinds of stakeholder.

The unit of coverage is an *engagement*: an actor's ``PARTNERS_IN`` relationship to a
programme (a partnership) or its ``PARTICIPATED_IN`` relationship to an activity (a
participation). Each engagement is attributed to cells of three dimension families:

geography
    ``PARTNER`` basis (default): the country the actor is ``BASED_IN`` (a Member State is its
    own country). ``TARGET`` basis: the states the programme or activity ``TARGETS`` (a
    regional organisation stands for its member states; an activity's ``location`` counts; an
    activity without targets inherits its programme's). Either way the country rolls up to its
    UN M49 sub-region and region. Engagements without any geography go to "Unspecified".
theme
    The thematic areas the programme or activity ``ADDRESSES``; an activity inherits the
    themes of the programme it is ``PART_OF``. No theme: "Unspecified".
stakeholder
    The actor's kind, and below it a finer type: a CSO's focus groups (one type per group),
    a company's industry, an academic institution's type, another non-state actor's type.

Engagements and the structure around them are read once per graph revision into a columnar
:class:`EngagementIndex`; each query then filters by a :class:`Window` and counts with numpy,
which keeps the 100,000-actor graph well inside the latency budget.

Why the partner's geography is the default: coverage asks where society is engaged, and a
youth network based in Nairobi is Kenyan presence whatever the programme targets. Targets say
where programmes aim, which answers a different question ("where do we work?"), so it is offered
as ``TARGET`` rather than mixed in.

Classification relationships (``ADDRESSES``, ``TARGETS``, ``PART_OF``, ``BASED_IN``,
``MEMBER_OF``) are read over the whole history: they say what a programme is about, not when
it happened. Only engagements, and the validity of the nodes they join, are filtered by date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import networkx as nx
import numpy as np
import numpy.typing as npt

from graph.model import (
    AcademicType,
    FocusGroup,
    Industry,
    NodeKind,
    NonStateActorType,
    Region,
)
from graph.reference import member_states

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Key of the total (all values) of a dimension family, and of "no value".
TOTAL: Final = "*"
UNSPECIFIED: Final = "(none)"
TOTAL_LABEL: Final = "Total"
UNSPECIFIED_LABEL: Final = "Unspecified"

#: Days before ``asOf`` (inclusive of it) in which activities count for an as-of window.
ACTIVITY_LOOKBACK_DAYS: Final = 365

#: Engagement index weights: partners, partnerships, programmes, activities.
INDEX_WEIGHTS: Final = (1.0, 0.5, 0.5, 0.5)

_OPEN_START: Final = 0
_OPEN_END: Final = dt.date.max.toordinal() + 1


class Dimension(StrEnum):
    """What a coverage matrix can be grouped by: one level per family at most."""

    REGION = "REGION"
    SUBREGION = "SUBREGION"
    COUNTRY = "COUNTRY"
    THEME = "THEME"
    ACTOR_KIND = "ACTOR_KIND"
    STAKEHOLDER_TYPE = "STAKEHOLDER_TYPE"


class GeographyBasis(StrEnum):
    """Whose geography a cell's country is: the partner's seat, or the programme's target."""

    PARTNER = "PARTNER"
    TARGET = "TARGET"


GEO, THEME, STAKE = 0, 1, 2
FAMILIES: Final = (GEO, THEME, STAKE)
FAMILY_NAMES: Final = ("geography", "theme", "stakeholder")

#: (family, level) of each dimension; level 0 of every family is its total.
DIMENSION_LEVEL: Final[dict[Dimension, tuple[int, int]]] = {
    Dimension.REGION: (GEO, 1),
    Dimension.SUBREGION: (GEO, 2),
    Dimension.COUNTRY: (GEO, 3),
    Dimension.THEME: (THEME, 1),
    Dimension.ACTOR_KIND: (STAKE, 1),
    Dimension.STAKEHOLDER_TYPE: (STAKE, 2),
}
LEVEL_DIMENSION: Final = {v: k for k, v in DIMENSION_LEVEL.items()}

Levels = tuple[int, int, int]
"""A table of the coverage lattice: the level of each family (0 = summed over)."""

Coords = tuple[int, int, int]
"""A cell of one table: the index of its value at the table's level, per family."""

# --------------------------------------------------------------------------- stakeholder types

#: Actor kinds in display order (states and IGOs first, then society).
KIND_ORDER: Final = (
    NodeKind.MEMBER_STATE,
    NodeKind.REGIONAL_ORGANIZATION,
    NodeKind.CIVIL_SOCIETY_ORGANIZATION,
    NodeKind.COMPANY,
    NodeKind.ACADEMIC_INSTITUTION,
    NodeKind.OTHER_NON_STATE_ACTOR,
)
_KIND_PREFIX: Final = {
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: ("CSO", "CSO", "focus_groups", FocusGroup),
    NodeKind.COMPANY: ("COMPANY", "Company", "industry", Industry),
    NodeKind.ACADEMIC_INSTITUTION: ("ACADEMIC", "Academic", "academic_type", AcademicType),
    NodeKind.OTHER_NON_STATE_ACTOR: (
        "NSA",
        "Other non-state actor",
        "actor_type",
        NonStateActorType,
    ),
}
#: Kinds whose finer type may be missing (CSOs without focus groups, companies without industry).
_MAY_LACK_TYPE: Final = frozenset({NodeKind.CIVIL_SOCIETY_ORGANIZATION, NodeKind.COMPANY})
#: Defaults the model applies when a property is absent.
_TYPE_DEFAULT: Final = {
    NodeKind.ACADEMIC_INSTITUTION: AcademicType.UNIVERSITY.value,
    NodeKind.OTHER_NON_STATE_ACTOR: NonStateActorType.NETWORK.value,
}


def _humanise(value: str) -> str:
    return value.replace("_", " ").lower()


def stakeholder_types() -> list[tuple[str, str, NodeKind]]:
    """Every stakeholder type as ``(key, label, kind)`` in display order.

    >>> [k for k, _, _ in stakeholder_types()][:3]
    ['MEMBER_STATE', 'REGIONAL_ORGANIZATION', 'CSO_YOUTH']
    """
    out: list[tuple[str, str, NodeKind]] = []
    for kind in KIND_ORDER:
        if kind not in _KIND_PREFIX:
            out.append((kind.name, _humanise(kind.name).capitalize(), kind))
            continue
        prefix, label, _, enum = _KIND_PREFIX[kind]
        for value in enum:
            out.append((f"{prefix}_{value.value}", f"{label}: {_humanise(value.value)}", kind))
        if kind in _MAY_LACK_TYPE:
            out.append((f"{prefix}_UNSPECIFIED", f"{label}: unspecified", kind))
    return out


def actor_types(kind: NodeKind, props: Mapping[str, Any]) -> list[str]:
    """The stakeholder type keys of one actor (a CSO has one per focus group).

    >>> actor_types(NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"focus_groups": ["WOMEN", "YOUTH"]})
    ['CSO_WOMEN', 'CSO_YOUTH']
    >>> actor_types(NodeKind.COMPANY, {})
    ['COMPANY_UNSPECIFIED']
    """
    if kind not in _KIND_PREFIX:
        return [kind.name]
    prefix, _, prop, _ = _KIND_PREFIX[kind]
    raw = props.get(prop, _TYPE_DEFAULT.get(kind))
    values = sorted(raw) if isinstance(raw, list) else ([raw] if raw else [])
    return [f"{prefix}_{v}" for v in values] or [f"{prefix}_UNSPECIFIED"]


# --------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class Tree:
    """One dimension family as a levelled tree whose level 0 is the single total node.

    ``keys[level]`` are the values at a level in display order, ``labels`` their names, and
    ``parent[level][i]`` the index at ``level - 1`` of value ``i``. "Unspecified" is a value
    like any other at every level, so sums along a family stay complete.
    """

    keys: tuple[tuple[str, ...], ...]
    labels: tuple[tuple[str, ...], ...]
    parent: tuple[IntArray, ...]
    index: tuple[dict[str, int], ...] = field(init=False, repr=False, compare=False)
    children: tuple[tuple[tuple[int, ...], ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "index", tuple({k: i for i, k in enumerate(ks)} for ks in self.keys)
        )
        kids: list[tuple[tuple[int, ...], ...]] = []
        for level in range(len(self.keys)):
            if level + 1 < len(self.keys):
                lists: list[list[int]] = [[] for _ in self.keys[level]]
                for child, par in enumerate(self.parent[level + 1].tolist()):
                    lists[par].append(child)
                kids.append(tuple(tuple(c) for c in lists))
            else:
                kids.append(tuple(() for _ in self.keys[level]))
        object.__setattr__(self, "children", tuple(kids))

    @property
    def depth(self) -> int:
        return len(self.keys) - 1

    def size(self, level: int) -> int:
        return len(self.keys[level])

    def project(self, level: int, to_level: int) -> IntArray:
        """Index map from values at ``level`` to their ancestor at ``to_level`` (<= level)."""
        out = np.arange(self.size(level), dtype=np.int64)
        for lv in range(level, to_level, -1):
            out = self.parent[lv][out]
        return out

    def ancestor(self, level: int, idx: int, to_level: int) -> int:
        for lv in range(level, to_level, -1):
            idx = int(self.parent[lv][idx])
        return idx

    def leaves(self, level: int, idx: int, leaf_level: int) -> list[int]:
        """Descendants of a value at ``leaf_level``."""
        frontier = [idx]
        for lv in range(level, leaf_level):
            frontier = [c for i in frontier for c in self.children[lv][i]]
        return frontier


def _tree(levels: Sequence[Sequence[tuple[str, str, str | None]]]) -> Tree:
    """Build a tree from levels of ``(key, label, parent key)`` below the total."""
    keys: list[tuple[str, ...]] = [(TOTAL,)]
    labels: list[tuple[str, ...]] = [(TOTAL_LABEL,)]
    parents: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    for level in levels:
        above = {k: i for i, k in enumerate(keys[-1])}
        keys.append(tuple(k for k, _, _ in level))
        labels.append(tuple(lbl for _, lbl, _ in level))
        parents.append(np.array([above[p or TOTAL] for _, _, p in level], dtype=np.int64))
    return Tree(tuple(keys), tuple(labels), tuple(parents))


def geography_tree() -> Tree:
    """M49 regions, sub-regions and the 193 Member States (by ISO3), each with Unspecified."""
    states = sorted(member_states().values(), key=lambda r: r.iso3)
    regions = [(r.value, r.value, None) for r in Region]
    subs = sorted(
        {(s.region, s.subregion) for s in states},
        key=lambda rs: (list(Region).index(Region(rs[0])), rs[1]),
    )
    subregions = [(sub, sub, reg) for reg, sub in subs]
    countries = [(s.iso3, s.name, s.subregion) for s in states]
    return _tree(
        [
            [*regions, (UNSPECIFIED, UNSPECIFIED_LABEL, None)],
            [*subregions, (UNSPECIFIED, UNSPECIFIED_LABEL, UNSPECIFIED)],
            [*countries, (UNSPECIFIED, UNSPECIFIED_LABEL, UNSPECIFIED)],
        ]
    )


def theme_tree(themes: Iterable[tuple[str, str]]) -> Tree:
    """Thematic areas (by id) and Unspecified."""
    rows = [(tid, name, None) for tid, name in sorted(themes)]
    return _tree([[*rows, (UNSPECIFIED, UNSPECIFIED_LABEL, None)]])


def stakeholder_tree() -> Tree:
    """Actor kinds, and below them the stakeholder types."""
    kinds = [(k.value, _KIND_LABEL[k], None) for k in KIND_ORDER]
    types = [(key, label, kind.value) for key, label, kind in stakeholder_types()]
    return _tree([kinds, types])


_KIND_LABEL: Final = {
    NodeKind.MEMBER_STATE: "Member State",
    NodeKind.REGIONAL_ORGANIZATION: "Regional organisation",
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: "Civil society organisation",
    NodeKind.COMPANY: "Company",
    NodeKind.ACADEMIC_INSTITUTION: "Academic institution",
    NodeKind.OTHER_NON_STATE_ACTOR: "Other non-state actor",
}

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


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """Every metric of every cell of one lattice table, dense, in C order of ``shape``.

    A table sums each family over everything below its level: ``levels == (1, 1, 0)`` is
    region x theme over all stakeholders. Distinct counts are distinct within the cell, so a
    partner engaged on two themes counts once in each theme and once in the theme total.
    """

    levels: Levels
    shape: tuple[int, int, int]
    partners: IntArray
    partnerships: IntArray
    programmes: IntArray
    activities: IntArray
    funding: FloatArray
    last_activity: IntArray

    def flat(self, coords: Coords) -> int:
        g, t, s = coords
        return (g * self.shape[1] + t) * self.shape[2] + s

    def coords(self, flat: int) -> Coords:
        rest, s = divmod(flat, self.shape[2])
        g, t = divmod(rest, self.shape[1])
        return (g, t, s)

    def nonzero(self) -> list[Coords]:
        return [self.coords(int(i)) for i in np.flatnonzero(self.partners)]


def engagement_index(partners: int, partnerships: int, programmes: int, activities: int) -> float:
    """The engagement index of a cell: a weighted sum of log-damped counts.

    ``ln(1+partners) + 0.5 ln(1+partnerships) + 0.5 ln(1+programmes) + 0.5 ln(1+activities)``.
    Logs make the tenth partner count less than the first, so a few hub cells do not dwarf
    the rest; breadth (distinct partners) weighs double because whole-of-society coverage is
    about how many different actors are engaged. Funding is left out: amounts are sparse and
    would rank donor capitals above the places programmes serve.

    >>> engagement_index(0, 0, 0, 0)
    0.0
    >>> round(engagement_index(4, 4, 1, 2), 3)
    3.31
    """
    w = INDEX_WEIGHTS
    return (
        w[0] * math.log1p(partners)
        + w[1] * math.log1p(partnerships)
        + w[2] * math.log1p(programmes)
        + w[3] * math.log1p(activities)
    )


def _expand(ptr: IntArray, values: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """For each row id in ``rows`` (indexing a CSR), one output per value: (position, value)."""
    starts = ptr[rows]
    counts = ptr[rows + 1] - starts
    pos = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    offsets = np.arange(len(pos), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return pos, values[starts[pos] + offsets]


def _cells_of(
    index: EngagementIndex, e: IntArray, basis: GeographyBasis, top: Levels
) -> tuple[IntArray, IntArray]:
    """Engagements exploded to one row per cell of the ``top`` table they count in: returns
    (engagement, flat cell) per row. A row is unique: an engagement reaches a cell once."""
    shape = _shape(index, top)
    theme = np.zeros(len(e), dtype=np.int64)
    if top[THEME]:
        pos, theme = _expand(index.theme_ptr, index.theme_idx, index.e_target[e])
        e = e[pos]
    if top[GEO] and basis is GeographyBasis.TARGET:
        pos, geo = _expand(index.target_ptr, index.target_idx, index.e_target[e])
        e, theme = e[pos], theme[pos]
        geo = index.trees[GEO].project(3, top[GEO])[geo]
    elif top[GEO]:
        geo = index.trees[GEO].project(3, top[GEO])[index.actor_country[index.e_actor[e]]]
    else:
        geo = np.zeros(len(e), dtype=np.int64)
    actors = index.e_actor[e]
    if top[STAKE] == 2:
        pos, stake = _expand(index.type_ptr, index.type_idx, actors)
        e, theme, geo = e[pos], theme[pos], geo[pos]
    elif top[STAKE] == 1:
        stake = index.actor_kind[actors]
    else:
        stake = np.zeros(len(e), dtype=np.int64)
    return e, (geo * shape[1] + theme) * shape[2] + stake


#: Largest key space deduplicated with a bitmap (bytes of memory) rather than by sorting.
_BITMAP_LIMIT: Final = 1 << 26


def _distinct(cells: IntArray, items: IntArray, n_items: int) -> tuple[IntArray, IntArray]:
    """Distinct (cell, item) pairs. A bitmap over the key space when it is small enough
    (linear time, no sort), else a sort."""
    n = max(n_items, 1)
    keys = cells * n + items
    if not len(keys):
        return keys, keys
    space = int(keys.max()) + 1
    if space <= _BITMAP_LIMIT:
        seen = np.zeros(space, dtype=np.bool_)
        seen[keys] = True
        keys = np.flatnonzero(seen)
    else:
        keys = np.unique(np.sort(keys))
    return keys // n, keys % n


def _shape(index: EngagementIndex, levels: Levels) -> tuple[int, int, int]:
    return (
        index.trees[GEO].size(levels[GEO]),
        index.trees[THEME].size(levels[THEME]),
        index.trees[STAKE].size(levels[STAKE]),
    )


def _projection(index: EngagementIndex, top: Levels, levels: Levels) -> IntArray:
    """Flat cell of ``top`` -> flat cell of the coarser table ``levels``."""
    src, dst = _shape(index, top), _shape(index, levels)
    g, t, s = np.unravel_index(np.arange(src[0] * src[1] * src[2]), src)
    g = index.trees[GEO].project(top[GEO], levels[GEO])[g]
    t = index.trees[THEME].project(top[THEME], levels[THEME])[t]
    s = index.trees[STAKE].project(top[STAKE], levels[STAKE])[s]
    return np.asarray((g * dst[1] + t) * dst[2] + s, dtype=np.int64)


def compute_tables(
    index: EngagementIndex,
    window: Window,
    basis: GeographyBasis,
    tables: Iterable[Levels],
) -> dict[Levels, Table]:
    """Every metric of the requested tables for one window and geography basis.

    Engagements are attributed once, to the finest table asked for (the *top*); each metric's
    distinct (cell, item) pairs are found there, then projected onto each coarser table and
    made distinct again, which is much less work than attributing the raw rows again.
    """
    wanted = sorted(set(tables))
    top: Levels = (
        max(t[GEO] for t in wanted),
        max(t[THEME] for t in wanted),
        max(t[STAKE] for t in wanted),
    )
    wp0, wp1 = window.start.toordinal(), window.end.toordinal()
    part = index.e_participation
    lo = np.where(part, window.activity_start.toordinal(), wp0)
    active = np.flatnonzero((index.e_start <= wp1) & (index.e_end >= lo))
    e, cells = _cells_of(index, active, basis, top)
    is_part = part[e]
    prog, act = index.e_programme[e], index.e_activity[e]
    pairs = {
        "partners": _distinct(cells, index.e_actor[e], len(index.actor_ids)),
        "programmes": _distinct(cells[prog >= 0], prog[prog >= 0], index.n_programmes),
        "activities": _distinct(cells[act >= 0], act[act >= 0], index.n_activities),
        # an engagement reaches a top cell once, so these pairs are distinct already
        "partnerships": (cells[~is_part], e[~is_part]),
    }
    sizes = {"partners": len(index.actor_ids), "programmes": index.n_programmes}
    sizes |= {"activities": index.n_activities, "partnerships": index.engagements}
    dated = np.flatnonzero(part & (index.e_date >= 0) & (index.e_date <= wp1))
    h_e, h_cells = _cells_of(index, dated, basis, top)
    top_size = int(np.prod(_shape(index, top)))
    last_top = np.zeros(top_size, dtype=np.int64)
    np.maximum.at(last_top, h_cells, index.e_date[h_e])
    out: dict[Levels, Table] = {}
    for levels in wanted:
        shape = _shape(index, levels)
        size = shape[0] * shape[1] * shape[2]
        proj = None if levels == top else _projection(index, top, levels)
        counts: dict[str, IntArray] = {}
        funding = np.zeros(size, dtype=np.float64)
        for name, (c, items) in pairs.items():
            if proj is not None:
                c, items = _distinct(proj[c], items, sizes[name])
            counts[name] = np.bincount(c, minlength=size).astype(np.int64)
            if name == "partnerships":
                funding = np.bincount(c, weights=index.e_amount[items], minlength=size).astype(
                    np.float64
                )
        last = last_top if proj is None else np.zeros(size, dtype=np.int64)
        if proj is not None:
            np.maximum.at(last, proj, last_top)
        out[levels] = Table(
            levels=levels,
            shape=shape,
            partners=counts["partners"],
            partnerships=counts["partnerships"],
            programmes=counts["programmes"],
            activities=counts["activities"],
            funding=funding,
            last_activity=last,
        )
    return out


def down_set(top: Levels) -> list[Levels]:
    """Every table summing ``top`` over some families or coarser levels, coarsest first.

    >>> down_set((1, 1, 0))
    [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0)]
    """
    return sorted(
        (
            (g, t, s)
            for g in range(top[0] + 1)
            for t in range(top[1] + 1)
            for s in range(top[2] + 1)
        ),
        key=lambda lv: (sum(lv), lv),
    )


def ordinal_date(value: int) -> dt.date | None:
    """A stored day number as a date; 0 (no activity) as None."""
    return dt.date.fromordinal(int(value)) if value > 0 else None
