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
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from analytics.coverage import FAMILIES, LEVEL_DIMENSION, Coords, Levels, down_set
from analytics.coverage_report import Cube, Matrix, MatrixQuery, Withheld, build_matrix

CellRef = tuple[Levels, Coords]


def flat(rows: list[list[object]]) -> list[object]:
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


Line = tuple[object, list[object]]


def subtraction(v: View) -> list[CellRef]:
    """Hidden cells alone in a line whose other members are all known."""
    return lone_unknowns(v.values, relations(v))  # type: ignore[arg-type]


def recovered(v: View) -> dict[CellRef, int]:
    """Hidden cells pinned to a single whole number by everything shown."""
    return pinned(v.values, relations(v))  # type: ignore[arg-type]


def lone_unknowns(values: dict[object, int | None], lines: list[Line]) -> list[object]:
    found = []
    for total, parts in lines:
        unknown = [c for c in [total, *parts] if values[c] is None]
        if len(unknown) == 1:
            found.append(unknown[0])
    return found


def bounds(
    values: dict[object, int | None], lines: list[Line]
) -> dict[object, tuple[float, float]]:
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
    out: dict[object, tuple[float, float]] = {}
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


def pinned(values: dict[object, int | None], lines: list[Line]) -> dict[object, int]:
    """Hidden cells (known to be whole numbers >= 1) that only one value fits."""
    out = {}
    for cell, (lo, hi) in bounds(values, lines).items():
        if math.floor(hi + 1e-7) == math.ceil(lo - 1e-7):
            out[cell] = math.ceil(lo - 1e-7)
    return out
