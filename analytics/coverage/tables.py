"""Coverage tables: every metric of every cell of the lattice tables a query needs, counted
with numpy from an :class:`~analytics.coverage.engagements.EngagementIndex` for one window
and geography basis, and the engagement index that summarises a cell.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np

from analytics.coverage.dimensions import GEO, STAKE, THEME, Coords, GeographyBasis, Levels
from analytics.coverage.engagements import EngagementIndex, Window
from analytics.coverage.trees import FloatArray, IntArray

__all__ = [
    "INDEX_WEIGHTS",
    "Table",
    "compute_tables",
    "engagement_index",
    "ordinal_date",
]

#: Engagement index weights: partners, partnerships, programmes, activities.
INDEX_WEIGHTS: Final = (1.0, 0.5, 0.5, 0.5)


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
    # value k of row i sits at starts[i] + k, and output j is value j - (outputs before i)
    shift = starts - (np.cumsum(counts) - counts)
    return pos, values[shift[pos] + np.arange(len(pos), dtype=np.int64)]


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


def ordinal_date(value: int) -> dt.date | None:
    """A stored day number as a date; 0 (no activity) as None."""
    return dt.date.fromordinal(int(value)) if value > 0 else None
