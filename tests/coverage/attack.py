"""An attacker of suppressed coverage tables, built only on what callers can see.

It gathers every figure an unprivileged caller can get for a lattice of groupings (each
grouping's matrix with its totals), writes down every relation between them that holds when
counts are additive (a total is the sum of its cells; a region the sum of its sub-regions; ...),
and then tries to recover each hidden cell:

- by subtraction: a line (row, column, or the children of one total) whose total is known and
  that holds a single hidden cell gives it away;
- by linear programming over all relations at once, knowing that hidden cells are at least 1
  (zeros are published) and whole numbers: the smallest and largest value each hidden cell can
  take; if only one whole number fits, the cell is recovered.

Tests build graphs whose counts are additive (every actor in one place, one type, one theme), so
the relations the attacker uses are exactly true.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from scipy import optimize

from analytics.coverage import FAMILIES, LEVEL_DIMENSION, Coords, Levels, down_set
from analytics.coverage_report import Cube, Matrix, MatrixQuery, Withheld, build_matrix

CellRef = tuple[Levels, Coords]

T = TypeVar("T")
#: A cell however the caller names it (a :data:`CellRef`, a live :data:`Ref`, header keys).
K = TypeVar("K", bound=Hashable)


def flat(rows: list[list[T]]) -> list[T]:
    return [c for row in rows for c in row]


@dataclass
class View:
    """Every cell of a lattice as a caller sees it: a value, or None when hidden."""

    cube: Cube
    top: Levels
    values: dict[CellRef, int | None] = field(default_factory=dict)
    #: Groupings refused to the caller: nothing of them is seen.
    withheld: set[Levels] = field(default_factory=set)
    truth: dict[CellRef, int] = field(default_factory=dict)

    def hidden(self) -> list[CellRef]:
        return sorted(c for c, v in self.values.items() if v is None)


def grouping(levels: Levels) -> tuple:
    return tuple(LEVEL_DIMENSION[(f, lv)] for f, lv in enumerate(levels) if lv)


def matrix(cube: Cube, levels: Levels, k: int | None) -> Matrix:
    dims = grouping(levels) or grouping((1, 0, 0))
    return build_matrix(cube, MatrixQuery(dims, all_unspecified=True), {}, k)


def view(cube: Cube, top: Levels, k: int) -> View:
    """Ask for every grouping of the lattice, as an unprivileged caller and as staff."""
    out = View(cube, top)
    for levels in down_set(top):
        if levels == (0, 0, 0):
            continue
        truth = matrix(cube, levels, None)
        try:
            seen = matrix(cube, levels, k)
        except Withheld:
            out.withheld.add(levels)
            continue
        for cells_s, cells_t in (
            (flat(seen.cells), flat(truth.cells)),
            (seen.row_totals, truth.row_totals),
            (seen.column_totals, truth.column_totals),
            ([seen.total], [truth.total]),
        ):
            for s, t in zip(cells_s, cells_t, strict=True):
                ref = (s.levels, s.coords)
                value = None if s.suppressed else s.partners
                assert out.values.get(ref, value) == value, f"{ref} shown two ways"
                out.values[ref] = value
                assert t.partners is not None
                out.truth[ref] = t.partners
    return out


def relations(v: View) -> list[tuple[CellRef, list[CellRef]]]:
    """(total, its parts) for every line of every table of the lattice."""
    trees = v.cube.index.trees
    out = []
    for levels in down_set(v.top):
        for fam in FAMILIES:
            if levels[fam] >= v.top[fam]:
                continue
            below = list(levels)
            below[fam] += 1
            child_levels: Levels = (below[0], below[1], below[2])
            tree = trees[fam]
            if levels in v.withheld or child_levels in v.withheld:
                continue
            for lv, coords in list(v.values):
                if lv != levels:
                    continue
                parts = []
                for child in tree.children[levels[fam]][coords[fam]]:
                    c = list(coords)
                    c[fam] = child
                    parts.append((child_levels, (c[0], c[1], c[2])))
                out.append(((levels, coords), parts))
    return out


#: (a total, its parts)
Line = tuple[K, list[K]]


def subtraction(v: View) -> list[CellRef]:
    """Hidden cells alone in a line whose other members are all known."""
    return lone_unknowns(v.values, relations(v))


def recovered(v: View) -> dict[CellRef, int]:
    """Hidden cells pinned to a single whole number by everything shown."""
    return pinned(v.values, relations(v))


def lone_unknowns(values: dict[K, int | None], lines: list[Line[K]]) -> list[K]:
    found = []
    for total, parts in lines:
        unknown = [c for c in [total, *parts] if values[c] is None]
        if len(unknown) == 1:
            found.append(unknown[0])
    return found


def bounds(values: dict[K, int | None], lines: list[Line[K]]) -> dict[K, tuple[float, float]]:
    """Smallest and largest value of each hidden cell consistent with everything shown."""
    hidden = sorted((c for c, v in values.items() if v is None), key=repr)
    col = {c: j for j, c in enumerate(hidden)}
    rows, rhs = [], []
    for total, parts in lines:
        row = np.zeros(len(hidden))
        known = 0.0
        for cell, sign in [(total, -1.0)] + [(p, 1.0) for p in parts]:
            value = values[cell]
            if value is None:
                row[col[cell]] += sign
            else:
                known += sign * value
        if row.any():
            rows.append(row)
            rhs.append(-known)
    out: dict[K, tuple[float, float]] = {}
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    for cell in hidden:
        j = col[cell]
        ends = []
        for sense in (1.0, -1.0):
            obj = np.zeros(len(hidden))
            obj[j] = sense
            res = optimize.linprog(
                obj, A_eq=a_eq, b_eq=b_eq, bounds=[(1.0, None)] * len(hidden), method="highs"
            )
            if res.status == 3:  # unbounded
                ends.append(-math.inf)
            else:
                assert res.status == 0, res.message  # the true values are a solution
                ends.append(res.fun)
        out[cell] = (ends[0], -ends[1])
    return out


def pinned(values: dict[K, int | None], lines: list[Line[K]]) -> dict[K, int]:
    """Hidden cells (known to be whole numbers >= 1) that only one value fits."""
    out = {}
    for cell, (lo, hi) in bounds(values, lines).items():
        if math.floor(hi + 1e-7) == math.ceil(lo - 1e-7):
            out[cell] = math.ceil(lo - 1e-7)
    return out


# --------------------------------------------------------------------------- every figure, live

#: The figures of a cell an attacker may try to recover, with the bound a hidden one is known
#: to respect (hidden partner counts are never 0: zeros are published) and whether it is whole.
FIGURES: dict[str, tuple[float, bool]] = {
    "partners": (1.0, True),
    "partnerships": (0.0, True),
    "programmes": (0.0, True),
    "activities": (0.0, True),
    "funding": (0.0, False),
}
FIGURE_FIELDS = " ".join(FIGURES)

LIVE_MATRIX = """
query($groupBy: [CoverageDimension!]!, $asOf: Date, $geography: CoverageGeography) {
  coverageMatrix(groupBy: $groupBy, asOf: $asOf, geography: $geography) {
    rows { values { dimension key } } columns { values { dimension key } }
    cells { ...f } rowTotals { ...f } columnTotals { ...f } total { ...f }
  }
}
fragment f on CoverageCell { suppressed FIGURES }
""".replace("FIGURES", FIGURE_FIELDS)

Name = tuple[str, str, str]
"""A cell by keys: (geography key, theme key, stakeholder key), ``*`` where summed over."""
Ref = tuple[Levels, Name]


def _levels_keys(values: list[dict]) -> tuple[list[int], list[str]]:
    from analytics.coverage import DIMENSION_LEVEL, Dimension

    lv, keys = [0, 0, 0], ["*", "*", "*"]
    for v in values:
        fam, level = DIMENSION_LEVEL[Dimension(v["dimension"])]
        lv[fam], keys[fam] = level, v["key"]
    return lv, keys


def _cells_of(m: dict) -> list[tuple[Ref, dict]]:
    out = []

    def add(values: list[dict], cell: dict) -> None:
        lv, keys = _levels_keys(values)
        out.append((((lv[0], lv[1], lv[2]), (keys[0], keys[1], keys[2])), cell))

    for r, row in enumerate(m["rows"]):
        add(row["values"], m["rowTotals"][r])
        for c, col in enumerate(m["columns"]):
            add(row["values"] + col["values"], m["cells"][r][c])
    for c, col in enumerate(m["columns"]):
        add(col["values"], m["columnTotals"][c])
    add([], m["total"])
    return out


@dataclass
class Published:
    """Every figure of every grouping of a lattice that a caller got, and the truth (staff)."""

    top: Levels
    seen: dict[str, dict[Ref, float | None]] = field(default_factory=dict)
    truth: dict[str, dict[Ref, float]] = field(default_factory=dict)
    tables: set[Levels] = field(default_factory=set)
    withheld: set[Levels] = field(default_factory=set)

    def hidden(self, figure: str) -> list[Ref]:
        return sorted(r for r, v in self.seen[figure].items() if v is None)


def fetch(
    call: object, staff: str, top: Levels, as_of: str, geography: str = "PARTNER"
) -> Published:
    """Ask the live API for every grouping of ``top``'s lattice, unprivileged and as staff."""
    gql = call  # a tests.api.conftest client
    out = Published(top, {f: {} for f in FIGURES}, {f: {} for f in FIGURES})
    for levels in down_set(top):
        if levels == (0, 0, 0):
            continue
        dims = [LEVEL_DIMENSION[(f, lv)] for f, lv in enumerate(levels) if lv]
        variables = {"groupBy": dims, "asOf": as_of, "geography": geography}
        body = gql(LIVE_MATRIX, variables)  # type: ignore[operator]
        if "errors" in body:
            code = body["errors"][0]["extensions"]["code"]
            assert code == "FORBIDDEN", body["errors"]
            out.withheld.add(levels)
            continue
        full = gql(LIVE_MATRIX, variables, key=staff)  # type: ignore[operator]
        assert "errors" not in full, full["errors"]
        out.tables.add(levels)
        truth = dict(_cells_of(full["data"]["coverageMatrix"]))
        for ref, cell in _cells_of(body["data"]["coverageMatrix"]):
            for f in FIGURES:
                value = None if cell["suppressed"] else cell[f]
                assert out.seen[f].get(ref, value) == value, f"{ref} {f} shown two ways"
                out.seen[f][ref] = value
                out.truth[f][ref] = truth[ref][f]
    return out


def _parent_key(fam: int, level: int, key: str) -> str:
    from analytics.coverage import geography_tree, stakeholder_tree

    if level == 1:
        return "*"
    tree = geography_tree() if fam == 0 else stakeholder_tree()
    return tree.keys[level - 1][int(tree.parent[level][tree.index[level][key]])]


def lattice_lines(p: Published) -> list[tuple[Ref, list[Ref]]]:
    """(total, parts) between every pair of fetched tables one level apart in one family."""
    refs = list(p.seen["partners"])
    by_parent: dict[tuple[Levels, int, Ref], list[Ref]] = {}
    for levels, name in refs:
        for fam in FAMILIES:
            if levels[fam] == 0:
                continue
            up = list(levels)
            up[fam] -= 1
            parent_levels: Levels = (up[0], up[1], up[2])
            if parent_levels not in p.tables and parent_levels != (0, 0, 0):
                continue
            pname = list(name)
            pname[fam] = _parent_key(fam, levels[fam], name[fam])
            parent: Ref = (parent_levels, (pname[0], pname[1], pname[2]))
            if parent in p.seen["partners"]:
                by_parent.setdefault((levels, fam, parent), []).append((levels, name))
    return [(parent, parts) for (_, _, parent), parts in sorted(by_parent.items())]


@dataclass
class Attack:
    figure: str
    hidden: int
    #: Hidden figures the attacker pins to one value, and those among them that are not 0.
    pinned: dict[object, float]
    by_subtraction: list[object]

    @property
    def pinned_nonzero(self) -> dict[object, float]:
        return {c: v for c, v in self.pinned.items() if abs(v) > 1e-6}


def lp_attack(
    figure: str,
    values: dict[object, float | None],
    truth: dict[object, float],
    lines: list[tuple[object, list[object]]],
    extra: list[tuple[dict[object, float], float]] = (),  # type: ignore[assignment]
    cap: float | None = None,
) -> Attack:
    """Smallest and largest value of every hidden ``figure`` given everything published.

    The attacker's best case: a line whose true figures add up exactly (partners along the
    partner's seat, say) is an equation; any other line (themes overlap, so do activities
    across places) gives what always holds for distinct counts and sums: every part <= the
    total <= the sum of the parts. ``extra`` adds equations (sum of coefficient x cell = value).
    """
    lower, whole = FIGURES[figure]
    hidden = sorted((c for c, v in values.items() if v is None), key=repr)
    if not hidden:
        return Attack(figure, 0, {}, [])
    col = {c: j for j, c in enumerate(hidden)}
    eq_rows: list[np.ndarray] = []
    eq_rhs: list[float] = []
    ub_rows: list[np.ndarray] = []
    ub_rhs: list[float] = []
    lone = []

    def row_of(terms: list[tuple[object, float]]) -> tuple[np.ndarray, float]:
        row = np.zeros(len(hidden))
        known = 0.0
        for cell, sign in terms:
            v = values[cell]
            if v is None:
                row[col[cell]] += sign
            else:
                known += sign * v
        return row, -known

    for total, parts in lines:
        exact = abs(sum(truth[q] for q in parts) - truth[total]) < 1e-6
        unknown = [c for c in [total, *parts] if values[c] is None]
        if exact:
            if len(unknown) == 1:
                lone.append(unknown[0])
            row, rhs = row_of([(total, -1.0)] + [(q, 1.0) for q in parts])
            if row.any():
                eq_rows.append(row)
                eq_rhs.append(rhs)
            continue
        # total <= sum(parts), each part <= total (where true: the attacker knows what holds)
        if truth[total] <= sum(truth[q] for q in parts) + 1e-6:
            row, rhs = row_of([(total, 1.0)] + [(q, -1.0) for q in parts])
            if row.any():
                ub_rows.append(row)
                ub_rhs.append(rhs)
        for q in parts:
            if truth[q] > truth[total] + 1e-6:
                continue
            row, rhs = row_of([(q, 1.0), (total, -1.0)])
            if row.any():
                ub_rows.append(row)
                ub_rhs.append(rhs)
    for coeffs, value in extra:
        row, rhs = row_of(list(coeffs.items()))
        if row.any():
            eq_rows.append(row)
            eq_rhs.append(rhs + value)
    a_eq = np.array(eq_rows) if eq_rows else None
    b_eq = np.array(eq_rhs) if eq_rows else None
    a_ub = np.array(ub_rows) if ub_rows else None
    b_ub = np.array(ub_rhs) if ub_rows else None
    if cap is not None and any(truth[c] > cap + 1e-6 for c in hidden):
        cap = None
    bounds = [(lower, cap)] * len(hidden)

    def solve(obj: np.ndarray, box: list[tuple[float, float | None]] = bounds) -> np.ndarray | None:
        res = optimize.linprog(
            obj, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=box, method="highs"
        )
        if res.status == 3:
            return None
        assert res.status == 0, res.message  # the true figures are a solution
        return np.asarray(res.x)

    ceiling = 100.0 * (sum(abs(v) for v in truth.values()) + 1.0)
    # Screening: values seen in a few extreme solutions; a figure seen at two values is free.
    rng = np.random.default_rng(0)
    seen_lo = np.full(len(hidden), np.inf)
    seen_hi = np.full(len(hidden), -np.inf)
    for obj in [np.ones(len(hidden)), -np.ones(len(hidden))] + [
        rng.normal(size=len(hidden)) for _ in range(4)
    ]:
        # a ceiling far above any true figure keeps these bounded; reaching it means "free"
        # (relative to the data: an absolute 1e12 against funding in millions is numerically
        # hard for HiGHS, which then reports "unknown")
        x = solve(obj, [(lower, cap if cap is not None else ceiling)] * len(hidden))
        if x is not None:
            seen_lo = np.minimum(seen_lo, x)
            seen_hi = np.maximum(seen_hi, x)
    gap = 1.0 if whole else 0.5

    def free(lo: float, hi: float) -> bool:
        if math.isinf(hi) or math.isinf(lo):
            return True
        if whole:
            return math.floor(hi + 1e-7) > math.ceil(lo - 1e-7)
        return hi - lo >= gap

    pinned: dict[object, float] = {}
    for cell in hidden:
        j = col[cell]
        if free(seen_lo[j], seen_hi[j]):
            continue
        ends = []
        for sense in (1.0, -1.0):
            obj = np.zeros(len(hidden))
            obj[j] = sense
            x = solve(obj)
            ends.append(sense * math.inf if x is None else x[j])
        lo, hi = ends[0], ends[1]
        if not free(lo, hi):
            pinned[cell] = truth[cell]
    return Attack(figure, len(hidden), pinned, sorted(set(lone), key=repr))


def attack_published(p: Published, figures: tuple[str, ...] = tuple(FIGURES)) -> dict[str, Attack]:
    """Subtraction and linear programming on every figure of every fetched table."""
    lines = lattice_lines(p)
    out = {}
    for f in figures:
        cap = p.seen[f][((0, 0, 0), ("*", "*", "*"))]  # no cell exceeds the grand total
        out[f] = lp_attack(f, p.seen[f], p.truth[f], lines, cap=cap)  # type: ignore[arg-type]
    return out
