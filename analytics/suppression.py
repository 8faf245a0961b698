"""Small-count suppression with complementary suppression that survives subtraction.

Callers without the privileged role must not learn any count from 1 to k-1 of distinct
partners. Hiding those cells (primary suppression) is not enough: a row total minus the other
cells of the row gives a hidden cell back. So more cells are hidden (complementary
suppression) until every hidden cell lies on a *move*.

A move is a change of the hidden cells, +d on some and -d on others, that leaves every
published figure unchanged: every cell, every row, column and grand total, and every
coarser table (region instead of sub-region, kind instead of stakeholder type). If such a
change exists, the published figures are consistent with more than one value of each cell it
touches, so subtraction, in any combination, cannot pin them down. In a two-way table a move
is a rectangle: four hidden cells in two rows and two columns, + on one diagonal, - on the
other. The same construction works in three dimensions (eight cells) and along the levels of a
family: a move may take a sub-region's row into its countries, provided every cell it touches
is hidden.

Two more things make a move a real ambiguity, not just an algebraic one: hidden cells are
never 0 (zeros are published), so a move must be able to lower one of its sides without
taking any cell below 1, that is one side must hold only values >= 2. And the other figures of
a hidden cell (partnerships, programmes, activities, funding) are hidden too and summed in the
same totals, so for each of them one side of the move must be strictly positive (or the
figure is 0 in every cell of the move, which is no secret).

One set of decisions covers every table at once (the *lattice* of a query: its grouping and
everything that grouping sums to). Tables are protected coarsest first; a finer table never
changes a coarser table's decisions, it only hides more of its own cells so that the coarser
decisions stay safe next to it. Hence the same figure is hidden or shown the same way in every
query that shows it, and a second query with another grouping of the same lattice, or with
fewer rows, cannot undo a decision. Queries select rows and columns of these tables; they
never re-aggregate, so a filter cannot produce a new total either.

When no move can be found for a hidden cell, its whole table is withheld: it is not shown at
all, zeros included, because even which cells are non-zero can pin a hidden total (children
known to be at least 1 each bound it from below). Every finer table is withheld with it (a move
there would be one here too).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse

from analytics.coverage import GEO, STAKE, THEME, Coords, Levels, Table, Tree, down_set

#: Candidate factors kept per family, and product combinations tried, per hidden cell.
_FACTORS_PER_FAMILY: Final = 6
_LEAVES_PER_NODE: Final = 3
_MAX_TRIES: Final = 400
#: Linear programs solved per table before giving up and withholding it.
_MAX_LP_SOLVES: Final = 200

_INF: Final = float("inf")

Node = tuple[int, int]
"""A value of one family: (level, index)."""

Factor = tuple[tuple[Node, int], ...]
"""A one-family move: signed values whose sum is preserved at every level of the family."""

CellRef = tuple[Levels, Coords]
Move = tuple[tuple[CellRef, float], ...]
"""A change of hidden cells (cell, amount per unit step) that keeps every published figure."""


@dataclass
class Protection:
    """Suppression decisions for the tables of one lattice (one revision, window, basis, k).

    ``suppressed[levels]`` holds the hidden cells of each table processed so far; ``moves``
    the move that proves each hidden cell ambiguous (the tests re-check them independently).
    Thread-safe: queries for several groupings of the same lattice may extend it concurrently.
    """

    k: int
    trees: tuple[Tree, Tree, Tree]
    tables: dict[Levels, Table] = field(default_factory=dict)
    suppressed: dict[Levels, set[Coords]] = field(default_factory=dict)
    withheld: set[Levels] = field(default_factory=set)
    moves: dict[Levels, list[Move]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def is_suppressed(self, levels: Levels, coords: Coords) -> bool:
        """Whether the figures of a cell are hidden (every cell of a withheld table is)."""
        return levels in self.withheld or coords in self.suppressed[levels]

    def extend(self, tables: Mapping[Levels, Table], top: Levels) -> None:
        """Protect every table of ``top``'s lattice not protected yet (coarsest first)."""
        with self.lock:
            for levels, table in tables.items():
                self.tables.setdefault(levels, table)
            for levels in down_set(top):
                if levels not in self.suppressed:
                    _protect_table(self, levels)


def protect(
    trees: tuple[Tree, Tree, Tree], tables: Mapping[Levels, Table], top: Levels, k: int
) -> Protection:
    """Decide which cells of ``top``'s lattice to hide from unprivileged callers.

    ``tables`` must hold every table of ``down_set(top)``.

    >>> from analytics.coverage import stakeholder_tree, theme_tree, geography_tree
    >>> import numpy as np
    >>> trees = (geography_tree(), theme_tree([]), stakeholder_tree())
    >>> z = lambda n: np.zeros(n, dtype=np.int64)
    >>> def table(lv, partners):
    ...     n = len(partners)
    ...     return Table(lv, (n, 1, 1), np.array(partners), z(n), z(n), z(n), z(n) * 1.0, z(n))
    >>> regions = [30, 3, 12, 40, 9, 0]   # Africa .. Oceania, Unspecified
    >>> tables = {(0, 0, 0): table((0, 0, 0), [94]), (1, 0, 0): table((1, 0, 0), regions)}
    >>> p = protect(trees, tables, (1, 0, 0), k=5)
    >>> sorted(trees[0].keys[1][c[0]] for c in p.suppressed[(1, 0, 0)])
    ['Americas', 'Oceania']
    """
    state = Protection(k=k, trees=trees)
    state.extend(tables, top)
    return state


# --------------------------------------------------------------------------- one table


@dataclass
class _Work:
    state: Protection
    top: Levels
    hidden: set[Coords]
    lp: _LinearModel | None = None
    lp_solves: int = 0

    def status(self, levels: Levels, coords: Coords) -> float:
        """0 for a hidden cell, 1 (+ a little per unit) for one we may still hide, INF else."""
        table = self.state.tables[levels]
        if levels == self.top:
            value = int(table.partners[table.flat(coords)])
            if value == 0:
                return _INF
            return 0.0 if coords in self.hidden else 1.0 + value * 1e-6
        return 0.0 if coords in self.state.suppressed[levels] else _INF


def _withhold(state: Protection, top: Levels) -> None:
    state.suppressed[top] = set(state.tables[top].nonzero())
    state.withheld.add(top)
    state.moves[top] = []


def _protect_table(state: Protection, top: Levels) -> None:
    """Hide cells of ``top`` until every hidden cell of its lattice lies on a move.

    The coarser tables are decided already and stay as they are, so their hidden cells are
    covered first (they have the fewest options); a move found for one cell covers every cell
    it touches.
    """
    table = state.tables[top]
    k = state.k
    if any(levels in state.withheld for levels in down_set(top)):
        # A move here would also be one in the withheld table, which has none.
        _withhold(state, top)
        return
    hidden = {c for c in table.nonzero() if table.partners[table.flat(c)] < k}
    work = _Work(state, top, hidden)
    todo: list[tuple[int, int, Levels, Coords]] = []
    for levels in down_set(top):
        cells = hidden if levels == top else state.suppressed[levels]
        tab = state.tables[levels]
        for c in cells:
            todo.append((sum(levels), int(tab.partners[tab.flat(c)]), levels, c))
    todo.sort()
    covered: set[CellRef] = set()
    moves: list[Move] = []
    for _, _, levels, coords in todo:
        if (levels, coords) in covered:
            continue
        move = _best_move(work, levels, coords) or _lp_move(work, levels, coords)
        if move is None:
            _withhold(state, top)
            return
        moves.append(move)
        for (lv, c), _sign in move:
            covered.add((lv, c))
            if lv == top:
                hidden.add(c)
    state.suppressed[top] = hidden
    state.moves[top] = moves


# --------------------------------------------------------------------------- moves


def _best_move(work: _Work, levels: Levels, coords: Coords) -> Move | None:
    factors: list[list[tuple[float, Factor]]] = []
    for fam in (GEO, THEME, STAKE):
        if work.top[fam] == 0:
            factors.append([(0.0, (((0, 0), 1),))])
            continue
        cands = _factors(work, fam, levels, coords)
        if not cands:
            return None
        factors.append(cands)
    combos = heapq.nsmallest(
        _MAX_TRIES,
        itertools.product(*factors),
        key=lambda combo: sum(cost for cost, _ in combo),
    )
    best: tuple[tuple[int, float, int], Move] | None = None
    for combo in combos:
        got = _evaluate(work, tuple(f for _, f in combo))
        if got is not None and (best is None or got[0] < best[0]):
            best = got
            if got[0][0] == 0:
                break
    return None if best is None else best[1]


def _evaluate(work: _Work, factors: Sequence[Factor]) -> tuple[tuple[int, float, int], Move] | None:
    state = work.state
    move: list[tuple[CellRef, float]] = []
    new, new_sum = 0, 0.0
    low_plus = low_minus = False
    for (ng, sg), (nt, st), (ns, ss) in itertools.product(*factors):
        levels: Levels = (ng[0], nt[0], ns[0])
        coords: Coords = (ng[1], nt[1], ns[1])
        status = work.status(levels, coords)
        if status == _INF:
            return None
        table = state.tables[levels]
        value = int(table.partners[table.flat(coords)])
        if status > 0:
            new += 1
            new_sum += value
        sign = sg * st * ss
        if value < 2:
            low_plus, low_minus = low_plus or sign > 0, low_minus or sign < 0
        if low_plus and low_minus:
            return None
        move.append(((levels, coords), float(sign)))
    return (new, new_sum, len(move)), tuple(move)


def _factors(work: _Work, fam: int, levels: Levels, coords: Coords) -> list[tuple[float, Factor]]:
    """One-family moves through the cell's value in family ``fam``, cheapest first.

    A one-family move is either a *difference*: + a path from a leaf up to a value A, - a path
    from another leaf up to a sibling B of A (A's parent is unchanged); or a *chain*: + a path
    from a leaf up to the total. Leaves are values at the level of the table being protected.
    """
    tree = work.state.trees[fam]
    leaf_level = work.top[fam]
    level, idx = levels[fam], coords[fam]

    def cost(node: Node) -> float:
        lv = list(levels)
        cs = list(coords)
        lv[fam], cs[fam] = node
        return work.status((lv[0], lv[1], lv[2]), (cs[0], cs[1], cs[2]))

    def paths_down(node: Node) -> list[tuple[float, tuple[Node, ...]]]:
        """Cheapest leaf paths strictly below ``node`` (the node itself excluded)."""
        lv, i = node
        if lv == leaf_level:
            return [(0.0, ())]
        out: list[tuple[float, tuple[Node, ...]]] = []
        for leaf in tree.leaves(lv, i, leaf_level):
            path = [(leaf_level, leaf)]
            for up in range(leaf_level - 1, lv, -1):
                path.append((up, tree.ancestor(leaf_level, leaf, up)))
            total = sum(cost(n) for n in path)
            if total < _INF:
                out.append((total, tuple(path)))
        return heapq.nsmallest(_LEAVES_PER_NODE, out)

    here: Node = (level, idx)
    here_cost = cost(here)
    if here_cost == _INF:
        return []
    out: list[tuple[float, Factor]] = []
    for down_cost, down in paths_down(here):
        plus = [*down, here]
        plus_cost = down_cost + here_cost
        node = here
        while True:
            if node[0] == 0:
                out.append((plus_cost, tuple((n, 1) for n in plus)))
                break
            parent = (node[0] - 1, tree.ancestor(node[0], node[1], node[0] - 1))
            for sib in tree.children[parent[0]][parent[1]]:
                if sib == node[1]:
                    continue
                sib_node = (node[0], sib)
                sib_cost = cost(sib_node)
                if sib_cost == _INF:
                    continue
                for other_cost, other in paths_down(sib_node):
                    minus = [*other, sib_node]
                    out.append(
                        (
                            plus_cost + sib_cost + other_cost,
                            tuple((n, 1) for n in plus) + tuple((n, -1) for n in minus),
                        )
                    )
            pcost = cost(parent)
            if pcost == _INF:
                break
            plus = [*plus, parent]
            plus_cost += pcost
            node = parent
    return heapq.nsmallest(_FACTORS_PER_FAMILY, out, key=lambda cf: (cf[0], len(cf[1])))


# --------------------------------------------------------------------------- general moves


@dataclass
class _LinearModel:
    """Every relation between the cells a move may touch: for each cell of a coarser table,
    the sum of its children one level down in one family minus itself is 0."""

    cells: list[CellRef]
    column: dict[CellRef, int]
    matrix: Any
    values: npt.NDArray[np.float64]


def _linear_model(work: _Work) -> _LinearModel:
    state, top = work.state, work.top
    cells: list[CellRef] = []
    for levels in down_set(top):
        table = state.tables[levels]
        chosen = table.nonzero() if levels == top else sorted(state.suppressed[levels])
        cells.extend((levels, c) for c in chosen)
    column = {cell: j for j, cell in enumerate(cells)}
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    n_rows = 0
    for levels in down_set(top):
        table = state.tables[levels]
        for fam in (GEO, THEME, STAKE):
            if levels[fam] >= top[fam]:
                continue
            child_levels = list(levels)
            child_levels[fam] += 1
            below: Levels = (child_levels[0], child_levels[1], child_levels[2])
            tree = state.trees[fam]
            for parent in table.nonzero():
                entries: list[tuple[int, float]] = []
                j = column.get((levels, parent))
                if j is not None:
                    entries.append((j, -1.0))
                for child in tree.children[levels[fam]][parent[fam]]:
                    cc = list(parent)
                    cc[fam] = child
                    j = column.get((below, (cc[0], cc[1], cc[2])))
                    if j is not None:
                        entries.append((j, 1.0))
                if entries:
                    for j, v in entries:
                        rows.append(n_rows)
                        cols.append(j)
                        data.append(v)
                    n_rows += 1
    matrix = sparse.csr_array((data, (rows, cols)), shape=(n_rows, len(cells)))
    values = np.array(
        [float(state.tables[lv].partners[state.tables[lv].flat(c)]) for lv, c in cells],
        dtype=np.float64,
    )
    return _LinearModel(cells, column, matrix, values)


def _lp_move(work: _Work, levels: Levels, coords: Coords) -> Move | None:
    """The cheapest move through a cell found by linear programming, for the cells no
    product of one-family moves can cover (it finds any cycle, not just boxes).

    Variables are the change of each cell a move may touch, split into increase and decrease;
    the relations must hold; the cell changes by exactly one unit; no cell may fall below 1;
    hiding a new cell costs 1 (plus a little per unit, preferring small cells), touching an
    already hidden one almost nothing.
    """
    if work.lp_solves >= _MAX_LP_SOLVES:
        return None
    if work.lp is None:
        work.lp = _linear_model(work)
    model = work.lp
    target = model.column.get((levels, coords))
    if target is None:
        return None
    n = len(model.cells)
    cost = np.array(
        [
            1e-3 if work.status(lv, c) == 0 else 1.0 + model.values[j] * 1e-6
            for j, (lv, c) in enumerate(model.cells)
        ]
    )
    objective = np.concatenate([cost, cost])
    a_eq = sparse.hstack([model.matrix, -model.matrix]).tocsr()
    b_eq = np.zeros(model.matrix.shape[0])
    for direction in (1.0, -1.0):
        if direction < 0 and model.values[target] < 2:
            break
        upper_down = np.maximum(model.values - 1.0, 0.0)
        lower = np.zeros(2 * n)
        upper = np.concatenate([np.full(n, np.inf), upper_down])
        if direction > 0:
            lower[target] = upper[target] = 1.0
            upper[n + target] = 0.0
        else:
            upper[target] = 0.0
            lower[n + target] = upper[n + target] = 1.0
        work.lp_solves += 1
        result = optimize.linprog(
            objective,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=np.column_stack([lower, upper]),
            method="highs",
        )
        if result.status != 0:
            continue
        change = result.x[:n] - result.x[n:]
        support = np.flatnonzero(np.abs(change) > 1e-9)
        return tuple((model.cells[j], float(change[j])) for j in support)
    return None
