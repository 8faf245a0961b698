"""Coverage reports: matrices with needs and gaps, rankings, trends and stakeholder gaps.

Everything here reads the tables of one :class:`Cube` (one index, window and geography basis)
and, for callers without the privileged role, the cube's :class:`~analytics.suppression.Protection`
for their threshold ``k``. A report never aggregates anything itself: every figure it shows,
totals included, is a cell of a cube table, so the same figure is hidden or shown the same way
wherever it appears, and filters only choose which rows and columns to show.

Need and gap
------------
A cell's *need* is the product of its geography weight and its theme weight. The geography
weight is the most specific weight set for the cell's place: a country's own weight, else its
sub-region's, else its region's, else 1 (a region's cell never borrows its countries'
weights). The theme weight is the theme's weight, else 1. Cells summed over a family, and
"Unspecified" values, weigh 1 in that family.

The *gap* of a cell is ``need x max(0, 1 - index / benchmark)``: the share of the benchmark
engagement the cell lacks, scaled by how much it matters. 0 means at or above the benchmark;
``need`` means no engagement at all. The benchmark is a target engagement index, or by default
the median engagement index of the engaged cells of the whole table (unfiltered) that the caller
can see; cells that are hidden from the caller do not enter it, so it reveals nothing about them.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from typing import Final

from analytics.coverage import (
    DIMENSION_LEVEL,
    GEO,
    LEVEL_DIMENSION,
    STAKE,
    THEME,
    TOTAL,
    UNSPECIFIED,
    Coords,
    Dimension,
    EngagementIndex,
    GeographyBasis,
    Levels,
    Table,
    Window,
    compute_tables,
    down_set,
    engagement_index,
    ordinal_date,
)
from analytics.disclosure import FULL_LATTICE, Disclosure, decide
from analytics.suppression import Protection
from graph.model import WeightScope

#: Most cells one matrix may hold after selection; beyond it, select rows or columns.
MAX_CELLS: Final = 25_000

NeedWeights = Mapping[tuple[WeightScope, str], float]
"""Need/priority weights by (scope, key), as the stores keep them: the scope is ``COUNTRY``
(key: ISO3), ``SUBREGION`` or ``REGION`` (key: the M49 name) or ``THEME`` (key: the thematic
area's id); anything absent weighs 1."""

#: The weight scope of each geography level.
_GEO_SCOPES: Final = {3: WeightScope.COUNTRY, 2: WeightScope.SUBREGION, 1: WeightScope.REGION}
_THEME_SCOPE: Final = WeightScope.THEME


class Withheld(Exception):
    """The grouping cannot be shown to this caller without revealing small counts."""


# --------------------------------------------------------------------------- cube


class Cube:
    """The tables of one index, window and geography basis, computed as queries need them,
    and the suppression decisions for each threshold ``k``.

    Thread-safe: requests for the same cube may run in worker threads at once.
    """

    def __init__(self, index: EngagementIndex, window: Window, basis: GeographyBasis) -> None:
        self.index = index
        self.window = window
        self.basis = basis
        self._tables: dict[Levels, Table] = {}
        self._protection: dict[int, Protection] = {}
        self._disclosure: dict[int, Disclosure] = {}
        self._lock = threading.Lock()

    @property
    def revision(self) -> int:
        return self.index.revision

    def tables(self, top: Levels) -> dict[Levels, Table]:
        """Every table of ``top``'s lattice."""
        wanted = down_set(top)
        with self._lock:
            missing = [lv for lv in wanted if lv not in self._tables]
            if missing:
                self._tables.update(compute_tables(self.index, self.window, self.basis, missing))
            return {lv: self._tables[lv] for lv in wanted}

    def protection(self, k: int, top: Levels) -> Protection:
        """Suppression decisions covering ``top``'s lattice for threshold ``k``."""
        tables = self.tables(top)
        with self._lock:
            state = self._protection.get(k)
            if state is None:
                state = self._protection[k] = Protection(k=k, trees=self.index.trees)
        state.extend(tables, top)
        return state

    def disclosure(self, k: int) -> Disclosure:
        """What a caller with threshold ``k`` may see: decided once over the whole lattice
        (analytics/disclosure.py), whatever grouping is asked first."""
        with self._lock:
            found = self._disclosure.get(k)
        if found is not None:
            return found
        tables = self.tables(FULL_LATTICE)
        state = self.protection(k, FULL_LATTICE)
        made = decide(self.index.trees, tables, state)
        with self._lock:
            return self._disclosure.setdefault(k, made)


# --------------------------------------------------------------------------- query


class Benchmark(StrEnum):
    MEDIAN = "MEDIAN"
    TARGET = "TARGET"


@dataclass(frozen=True)
class MatrixQuery:
    """What to show: the grouping (first dimension the rows, the others the columns), which
    values of grouped dimensions to select, and the benchmark for gaps.

    >>> query = MatrixQuery.of([Dimension.REGION, Dimension.THEME])
    >>> query.levels, MatrixQuery.of([Dimension.REGION], breakdown=True).top
    ((1, 1, 0), (1, 0, 1))
    """

    group_by: tuple[Dimension, ...]
    selection: tuple[tuple[Dimension, frozenset[str]], ...] = ()
    target_index: float | None = None
    breakdown: bool = False
    #: Show the Unspecified value of every grouped dimension even where nothing is engaged
    #: (so that two matrices of the same grouping have the same rows and columns).
    all_unspecified: bool = False

    @classmethod
    def of(
        cls,
        group_by: Sequence[Dimension],
        selection: Mapping[Dimension, Iterable[str]] | None = None,
        **options: object,
    ) -> MatrixQuery:
        chosen = tuple(sorted((d, frozenset(v)) for d, v in (selection or {}).items()))
        return cls(tuple(group_by), chosen, **options)  # type: ignore[arg-type]

    @property
    def selected(self) -> dict[Dimension, frozenset[str]]:
        return dict(self.selection)

    def __post_init__(self) -> None:
        if not self.group_by:
            raise ValueError("group by at least one dimension")
        families = [DIMENSION_LEVEL[d][0] for d in self.group_by]
        if len(set(families)) != len(families):
            raise ValueError(
                "group by at most one dimension of each family (geography, theme, stakeholder)"
            )
        for dim, _ in self.selection:
            if dim not in self.group_by:
                raise ValueError(
                    f"a selection of {dim} needs {dim} in groupBy: selections choose rows and "
                    "columns, they never re-aggregate"
                )
        if self.target_index is not None and not self.target_index > 0:
            raise ValueError("the target engagement index must be > 0")

    @property
    def levels(self) -> Levels:
        lv = [0, 0, 0]
        for d in self.group_by:
            fam, level = DIMENSION_LEVEL[d]
            lv[fam] = level
        return (lv[0], lv[1], lv[2])

    @property
    def top(self) -> Levels:
        """The lattice to compute: the grouping, plus actor kinds for the breakdown."""
        g, t, s = self.levels
        return (g, t, max(s, 1)) if self.breakdown else (g, t, s)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Value:
    """One coordinate of a header: a value of one dimension (TOTAL for "all")."""

    dimension: Dimension | None
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Header:
    values: tuple[Value, ...]

    @property
    def key(self) -> str:
        return "|".join(v.key for v in self.values) or TOTAL

    @property
    def label(self) -> str:
        return " / ".join(v.label for v in self.values) or "Total"


@dataclass(frozen=True, slots=True)
class KindCount:
    kind: str
    partners: int | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class Cell:
    """Every figure of one cell, or ``None`` where hidden from the caller."""

    levels: Levels
    coords: Coords
    suppressed: bool
    partners: int | None
    partnerships: int | None
    programmes: int | None
    activities: int | None
    funding: float | None
    last_activity: dt.date | None
    engagement_index: float | None
    need: float
    gap: float | None
    partners_by_kind: tuple[KindCount, ...] | None = None

    @property
    def engaged(self) -> bool:
        """Whether anyone is engaged here; public even when the counts are hidden."""
        return self.suppressed or bool(self.partners)


@dataclass(frozen=True)
class Matrix:
    revision: int
    window: Window
    basis: GeographyBasis
    group_by: tuple[Dimension, ...]
    rows: list[Header]
    columns: list[Header]
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell
    benchmark: float | None
    suppression_k: int | None


# --------------------------------------------------------------------------- building


def _need(weights: NeedWeights, cube: Cube, levels: Levels, coords: Coords) -> float:
    geo_tree, theme_tree, _ = cube.index.trees
    geo = 1.0
    lv, i = levels[GEO], coords[GEO]
    while lv > 0:
        key = geo_tree.keys[lv][i]
        if key == UNSPECIFIED:
            break
        w = weights.get((_GEO_SCOPES[lv], key))
        if w is not None:
            geo = w
            break
        i = int(geo_tree.parent[lv][i])
        lv -= 1
    theme = 1.0
    if levels[THEME]:
        theme = weights.get((_THEME_SCOPE, theme_tree.keys[1][coords[THEME]]), 1.0)
    return geo * theme


class _Builder:
    def __init__(
        self,
        cube: Cube,
        query: MatrixQuery,
        weights: NeedWeights,
        k: int | None,
    ) -> None:
        self.cube = cube
        self.query = query
        self.weights = weights
        self.tables = cube.tables(query.top)
        self.disclosure = cube.disclosure(k) if k is not None else None
        self.protection = self.disclosure.protection if self.disclosure is not None else None
        self.k = k

    def hidden(self, levels: Levels, coords: Coords) -> bool:
        return self.disclosure is not None and self.disclosure.hides_partners(levels, coords)

    def details_hidden(self, levels: Levels, coords: Coords) -> bool:
        """Whether the figures besides the partner count are hidden (analytics/disclosure.py)."""
        return self.disclosure is not None and self.disclosure.hides_details(levels, coords)

    def cell(self, levels: Levels, coords: Coords, benchmark: float | None) -> Cell:
        table = self.tables[levels]
        need = _need(self.weights, self.cube, levels, coords)
        breakdown = self.breakdown(levels, coords) if self.query.breakdown else None
        hidden = self.hidden(levels, coords)
        if hidden or self.details_hidden(levels, coords):
            # The partner count where it is published; every other figure withheld.
            return Cell(
                levels,
                coords,
                suppressed=hidden,
                partners=None if hidden else int(table.partners[table.flat(coords)]),
                partnerships=None,
                programmes=None,
                activities=None,
                funding=None,
                last_activity=None,
                engagement_index=None,
                need=need,
                gap=None,
                partners_by_kind=breakdown,
            )
        i = table.flat(coords)
        counts = (
            int(table.partners[i]),
            int(table.partnerships[i]),
            int(table.programmes[i]),
            int(table.activities[i]),
        )
        index = engagement_index(*counts)
        gap = None
        if benchmark:
            gap = need * max(0.0, 1.0 - index / benchmark)
        return Cell(
            levels,
            coords,
            False,
            *counts,
            float(table.funding[i]),
            ordinal_date(int(table.last_activity[i])),
            index,
            need,
            gap,
            breakdown,
        )

    def breakdown(self, levels: Levels, coords: Coords) -> tuple[KindCount, ...] | None:
        """Distinct partners per actor kind: the cells of the same table grouped by kind too
        (for a cell already grouped by kind or type, that cell itself). None when that table
        is withheld from the caller."""
        stake = self.cube.index.trees[STAKE]
        if levels[STAKE]:
            kind = stake.ancestor(levels[STAKE], coords[STAKE], 1)
            cells = [(kind, levels, coords)]
        else:
            at: Levels = (levels[GEO], levels[THEME], 1)
            if self.protection is not None and at in self.protection.withheld:
                return None
            cells = [(s, at, (coords[GEO], coords[THEME], s)) for s in range(stake.size(1))]
        out = []
        for kind, lv, c in cells:
            hidden = self.hidden(lv, c)
            table = self.tables[lv]
            value = None if hidden else int(table.partners[table.flat(c)])
            out.append(KindCount(stake.keys[1][kind], value, hidden))
        return tuple(out)

    def benchmark(self) -> float | None:
        if self.query.target_index is not None:
            return self.query.target_index
        levels = self.query.levels
        table = self.tables[levels]
        values = [
            engagement_index(
                int(table.partners[i]),
                int(table.partnerships[i]),
                int(table.programmes[i]),
                int(table.activities[i]),
            )
            for c in table.nonzero()
            if not self.details_hidden(levels, c)
            for i in [table.flat(c)]
        ]
        return statistics.median(values) if values else None


def _axis(
    cube: Cube,
    dims: Sequence[Dimension],
    selection: Mapping[Dimension, frozenset[str]],
    nonempty: Mapping[Dimension, set[int]] | None,
) -> list[list[tuple[Dimension, int]]]:
    """Values per dimension of an axis: selected, in display order; Unspecified only if used."""
    per_dim: list[list[tuple[Dimension, int]]] = []
    for dim in dims:
        fam, level = DIMENSION_LEVEL[dim]
        tree = cube.index.trees[fam]
        keys = tree.keys[level]
        chosen = selection.get(dim)
        if chosen is not None:
            unknown = sorted(chosen - set(keys))
            if unknown:
                raise ValueError(f"unknown {dim.lower()} value(s): {', '.join(unknown)}")
        values = [
            (dim, i)
            for i, key in enumerate(keys)
            if (chosen is None or key in chosen)
            and (key != UNSPECIFIED or nonempty is None or i in nonempty[dim])
        ]
        per_dim.append(values)
    return per_dim


def build_matrix(
    cube: Cube,
    query: MatrixQuery,
    weights: NeedWeights,
    k: int | None,
) -> Matrix:
    """The coverage matrix of ``query`` as a caller with threshold ``k`` (None: privileged)
    may see it.

    Examples
    --------
    One CSO based in Kenya partners in a programme; Africa's need weighs 2:

    >>> import datetime as dt
    >>> import networkx as nx
    >>> from analytics.coverage import build_index
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("cso", kind="CivilSocietyOrganization", country="KEN")
    >>> g.add_node("prog", kind="Programme")
    >>> _ = g.add_edge("cso", "prog", type="PARTNERS_IN", since="2020-01-01")
    >>> cube = Cube(build_index(g), Window.as_of(dt.date(2024, 6, 30)), GeographyBasis.PARTNER)
    >>> m = build_matrix(cube, MatrixQuery.of([Dimension.REGION]), {("REGION", "Africa"): 2}, None)
    >>> [(h.key, r[0].partners, r[0].need) for h, r in zip(m.rows, m.cells) if r[0].partners]
    [('Africa', 1, 2.0)]
    """
    b = _Builder(cube, query, weights, k)
    levels = query.levels
    if b.protection is not None and levels in b.protection.withheld:
        raise Withheld(
            f"grouping by {', '.join(query.group_by)} would reveal small counts; group more "
            "coarsely or ask with a privileged key"
        )
    group_by = query.group_by
    row_dims, col_dims = group_by[:1], group_by[1:]
    # Unspecified values are shown when anything is engaged there (which is public).
    table = b.tables[levels]
    nonempty: dict[Dimension, set[int]] = {d: set() for d in group_by}
    for c in table.nonzero():
        for d in group_by:
            nonempty[d].add(c[DIMENSION_LEVEL[d][0]])
    shown = None if query.all_unspecified else nonempty
    selected = query.selected
    row_values = [list(v) for v in product(*_axis(cube, row_dims, selected, shown))]
    col_values = [list(v) for v in product(*_axis(cube, col_dims, selected, shown))]
    if len(row_values) * len(col_values) > MAX_CELLS:
        raise ValueError(
            f"{len(row_values)} rows x {len(col_values)} columns is more than {MAX_CELLS} "
            "cells; select fewer rows or columns"
        )
    benchmark = b.benchmark()

    def header(values: Sequence[tuple[Dimension, int]]) -> Header:
        out = []
        for dim, i in values:
            fam, level = DIMENSION_LEVEL[dim]
            tree = cube.index.trees[fam]
            out.append(Value(dim, tree.keys[level][i], tree.labels[level][i]))
        return Header(tuple(out))

    def coords_of(*axes: Sequence[tuple[Dimension, int]]) -> tuple[Levels, Coords]:
        lv, cs = [0, 0, 0], [0, 0, 0]
        for values in axes:
            for dim, i in values:
                fam, level = DIMENSION_LEVEL[dim]
                lv[fam], cs[fam] = level, i
        return (lv[0], lv[1], lv[2]), (cs[0], cs[1], cs[2])

    cells = [[b.cell(*coords_of(r, c), benchmark) for c in col_values] for r in row_values]
    row_totals = [b.cell(*coords_of(r), None) for r in row_values]
    column_totals = [b.cell(*coords_of(c), None) for c in col_values]
    total = b.cell((0, 0, 0), (0, 0, 0), None)
    return Matrix(
        revision=cube.revision,
        window=cube.window,
        basis=cube.basis,
        group_by=group_by,
        rows=[header(r) for r in row_values],
        columns=[header(c) for c in col_values],
        cells=cells,
        row_totals=row_totals,
        column_totals=column_totals,
        total=total,
        benchmark=benchmark,
        suppression_k=k,
    )


def header_of(cube: Cube, levels: Levels, coords: Coords) -> Header:
    """The header naming a cell: one value per grouped family, in family order."""
    values = []
    for fam in (GEO, THEME, STAKE):
        if levels[fam]:
            tree = cube.index.trees[fam]
            values.append(
                Value(
                    LEVEL_DIMENSION[(fam, levels[fam])],
                    tree.keys[levels[fam]][coords[fam]],
                    tree.labels[levels[fam]][coords[fam]],
                )
            )
    return Header(tuple(values))


def is_unspecified(cube: Cube, levels: Levels, coords: Coords) -> bool:
    return any(
        levels[f] and cube.index.trees[f].keys[levels[f]][coords[f]] == UNSPECIFIED
        for f in (GEO, THEME, STAKE)
    )


# --------------------------------------------------------------------------- rankings


@dataclass(frozen=True, slots=True)
class RankedCell:
    header: Header
    cell: Cell


def rank_gaps(cube: Cube, matrix: Matrix) -> list[RankedCell]:
    """Cells of the matrix from the most under-engaged down: largest gap, then largest need,
    then key. Hidden cells and Unspecified values are left out (a hidden cell's place in the
    ranking would bound its counts)."""
    out = []
    for row, cells in zip(matrix.rows, matrix.cells, strict=True):
        for col, cell in zip(matrix.columns, cells, strict=True):
            if cell.gap is None or is_unspecified(cube, cell.levels, cell.coords):
                continue
            values = tuple(v for v in (*row.values, *col.values) if v.key != TOTAL)
            out.append(RankedCell(Header(values), cell))
    out.sort(key=lambda rc: (-(rc.cell.gap or 0.0), -rc.cell.need, rc.header.key))
    return out


# --------------------------------------------------------------------------- trend


class TrendStatus(StrEnum):
    LOST = "LOST"
    NEW = "NEW"
    KEPT = "KEPT"
    NONE = "NONE"


@dataclass(frozen=True, slots=True)
class TrendCell:
    header: Header
    before: Cell
    after: Cell
    status: TrendStatus

    @property
    def gap_change(self) -> float | None:
        if self.before.gap is None or self.after.gap is None:
            return None
        return self.after.gap - self.before.gap

    @property
    def partners_change(self) -> int | None:
        if self.before.partners is None or self.after.partners is None:
            return None
        return self.after.partners - self.before.partners


def trend(before: Matrix, after: Matrix) -> list[TrendCell]:
    """Cell by cell: lost coverage (engaged before, not after), newly covered, kept, none.

    Whether a cell is engaged at all is public (zeros are shown), so the status is shown even
    where counts are hidden; changes are shown only where both figures are.
    """
    out = []
    for row, b_cells, a_cells in zip(before.rows, before.cells, after.cells, strict=True):
        for col, b, a in zip(before.columns, b_cells, a_cells, strict=True):
            if b.engaged and not a.engaged:
                status = TrendStatus.LOST
            elif a.engaged and not b.engaged:
                status = TrendStatus.NEW
            elif a.engaged:
                status = TrendStatus.KEPT
            else:
                status = TrendStatus.NONE
            values = tuple(v for v in (*row.values, *col.values) if v.key != TOTAL)
            if status is TrendStatus.NONE and any(v.key == UNSPECIFIED for v in values):
                continue  # "nothing without a theme, then or now" is noise
            out.append(TrendCell(Header(values), b, a, status))
    return out


# --------------------------------------------------------------------------- stakeholder gaps


@dataclass(frozen=True, slots=True)
class StakeholderGap:
    """A cell where programmes are under way but some kinds of stakeholder take no part."""

    header: Header
    programmes: int | None
    missing: tuple[Value, ...]


def stakeholder_gaps(
    cube: Cube,
    group_by: tuple[Dimension, ...],
    types: Iterable[str] | None,
    k: int | None,
) -> tuple[list[StakeholderGap], bool]:
    """For each cell of ``group_by`` (geography and/or theme) with engagement, the stakeholder
    types (default: all) with no partner there. Returns the gaps and whether the finer table
    is withheld from the caller (then no gaps can be listed)."""
    base = MatrixQuery(group_by)
    if any(DIMENSION_LEVEL[d][0] == STAKE for d in group_by):
        raise ValueError("group stakeholder gaps by geography and/or theme only")
    g, t, _ = base.levels
    fine: Levels = (g, t, 2)
    tables = cube.tables(fine)
    disclosure = cube.disclosure(k) if k is not None else None
    if disclosure is not None and fine in disclosure.withheld:
        return [], True
    stake = cube.index.trees[STAKE]
    wanted = list(range(stake.size(2)))
    if types is not None:
        chosen = set(types)
        unknown = sorted(chosen - set(stake.keys[2]))
        if unknown:
            raise ValueError(f"unknown stakeholder type(s): {', '.join(unknown)}")
        wanted = [i for i in wanted if stake.keys[2][i] in chosen]
    coarse = tables[base.levels]
    detail = tables[fine]
    out = []
    for c in coarse.nonzero():
        i = coarse.flat(c)
        if not coarse.programmes[i] or is_unspecified(cube, base.levels, c):
            continue
        missing = tuple(
            Value(Dimension.STAKEHOLDER_TYPE, stake.keys[2][s], stake.labels[2][s])
            for s in wanted
            if not detail.partners[detail.flat((c[0], c[1], s))]
        )
        if missing:
            hidden = disclosure is not None and disclosure.hides_details(base.levels, c)
            out.append(
                StakeholderGap(
                    header_of(cube, base.levels, c),
                    None if hidden else int(coarse.programmes[i]),
                    missing,
                )
            )
    return out, False


def unengaged_states(cubes: Sequence[Cube], k: int | None) -> tuple[list[str], bool]:
    """ISO3 codes of Member States with no engagement on any basis given (partner seat and
    programme target): no partner based there, the state itself not engaged, nothing targeted
    or held there. Returns the codes and whether a caller's view is withheld."""
    levels: Levels = (3, 0, 0)
    geo = cubes[0].index.trees[GEO]
    zero = None
    for cube in cubes:
        table = cube.tables(levels)[levels]
        if k is not None and levels in cube.disclosure(k).withheld:
            return [], True
        here = {c for c in range(geo.size(3)) if not table.partners[table.flat((c, 0, 0))]}
        zero = here if zero is None else zero & here
    return sorted(geo.keys[3][c] for c in (zero or set()) if geo.keys[3][c] != UNSPECIFIED), False


# --------------------------------------------------------------------------- dimensions


def dimension_values(cube: Cube, dim: Dimension) -> list[Value]:
    fam, level = DIMENSION_LEVEL[dim]
    tree = cube.index.trees[fam]
    return [Value(dim, k, lbl) for k, lbl in zip(tree.keys[level], tree.labels[level], strict=True)]
