"""Disclosure control: the one place that decides which figures a caller without the
privileged role may see (docs/COVERAGE.md, "Protecting small counts").

Every figure derived from engagements goes through here:

* **Partner counts** of coverage cells: small-count suppression with complementary
  suppression (:mod:`analytics.suppression`), decided over the *whole* lattice of a cube
  (country x theme x stakeholder type and everything it sums to) the first time any grouping
  is asked, so decisions never depend on which grouping came first.
* **The other figures of a cell** (partnerships, programmes, activities, funding, last
  activity, and the engagement index and gap score computed from them): shown only where the
  cell is shown *and* not *tainted*. For every hidden cell ``h`` we pick one point ``u`` under
  it (a country x theme x stakeholder type with partners, the largest under ``h``) and taint
  every cell of every table that contains ``u``. Then the published figures are consistent
  with a second world that has one more engagement at ``u`` (any amount ``d > 0`` of funding,
  one more partnership, programme or activity): it raises exactly the tainted cells, all
  unpublished, by ``d``, keeps every published figure, and keeps every relation an attacker can
  use, whether equations (a total is the sum of its parts along additive dimensions) or
  inequalities (every part <= its total <= the sum of its parts, which is all that holds along
  themes, focus groups, activities or ``TARGET`` geography). So no figure of a hidden cell can
  be pinned by subtraction or linear programming, whatever its value, 0 included; and the
  argument does not need the figure to be positive, which is where the old "same move as the
  partner counts" argument failed (a funding move has to lower one side, and zeros pin it).
* **Coverage answers of the network analyses**: ``singlePointsOfFailure`` never names a sole
  partner of a cell (a cell with one partner has a count below k) and ``whatIf`` never says
  which cells a removal empties, to unprivileged callers. Any answer about which cells lose
  their last engagement (their last partner, or the last programme or activity serving them)
  depends on hidden counts and, asked for well-chosen sets of actors or programmes, is a
  group-testing oracle on them; withholding it makes the answer a function of the network's
  structure alone, which provably leaks nothing about any count.
* **Trends** are built from the protected matrix of each date, so a change is shown only where
  both figures are shown, and the two dates' hidden figures are independently ambiguous: the
  difference of a hidden figure is not pinned either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from analytics.coverage import FAMILIES, GEO, STAKE, THEME, Coords, Levels, Table, Tree, down_set
from analytics.suppression import Protection

#: The finest table of every cube: country x theme x stakeholder type. Decisions are always
#: taken over its whole lattice.
FULL_LATTICE: Final[Levels] = (3, 1, 2)

CellRef = tuple[Levels, Coords]


@dataclass
class Disclosure:
    """What an unprivileged caller (threshold ``k``) may see of one cube."""

    protection: Protection
    #: Cells whose partner count may be shown but whose other figures may not.
    tainted: set[CellRef] = field(default_factory=set)

    @property
    def withheld(self) -> set[Levels]:
        return self.protection.withheld

    def hides_partners(self, levels: Levels, coords: Coords) -> bool:
        """Whether the cell is suppressed (every figure hidden)."""
        return self.protection.is_suppressed(levels, coords)

    def hides_details(self, levels: Levels, coords: Coords) -> bool:
        """Whether the figures other than the partner count are hidden."""
        return self.hides_partners(levels, coords) or (levels, coords) in self.tainted


def decide(
    trees: tuple[Tree, Tree, Tree],
    tables: Mapping[Levels, Table],
    protection: Protection,
) -> Disclosure:
    """Protect the whole lattice of ``FULL_LATTICE`` and taint what the hidden cells need.

    ``tables`` must hold every table of the full lattice.
    """
    protection.extend(tables, FULL_LATTICE)
    shown = [lv for lv in down_set(FULL_LATTICE) if lv not in protection.withheld]
    full = tables[FULL_LATTICE]
    partners = full.partners.reshape(full.shape)
    tainted: set[CellRef] = set()
    chosen: set[tuple[int, int, int]] = set()
    for levels in shown:
        for coords in sorted(protection.suppressed[levels]):
            chosen.add(_point_under(trees, partners, levels, coords))
    for point in sorted(chosen):
        for levels in shown:
            at = [trees[f].ancestor(FULL_LATTICE[f], point[f], levels[f]) for f in FAMILIES]
            tainted.add((levels, (at[0], at[1], at[2])))
    return Disclosure(protection, tainted)


def _point_under(
    trees: tuple[Tree, Tree, Tree],
    partners: np.ndarray,
    levels: Levels,
    coords: Coords,
) -> tuple[int, int, int]:
    """The finest cell under a cell with the most partners (ties: the first)."""
    leaves = []
    for f in (GEO, THEME, STAKE):
        if levels[f] == 0:
            leaves.append(np.arange(trees[f].size(FULL_LATTICE[f])))
        else:
            leaves.append(np.array(trees[f].leaves(levels[f], coords[f], FULL_LATTICE[f])))
    block = partners[np.ix_(*leaves)]
    g, t, s = np.unravel_index(int(np.argmax(block)), block.shape)
    return int(leaves[0][g]), int(leaves[1][t]), int(leaves[2][s])


# --------------------------------------------------------------------------- network analyses


def sole_partner_cells_shown(privileged: bool) -> bool:
    """Whether ``singlePointsOfFailure`` may name cells with one partner (and count them):
    only to privileged callers, since a sole partner is a count of 1, always below k.

    >>> sole_partner_cells_shown(privileged=False), sole_partner_cells_shown(privileged=True)
    (False, True)
    """
    return privileged


def lost_cells_shown(privileged: bool) -> bool:
    """Whether ``whatIf`` may say which cells a removal leaves without an engagement (and count
    covered cells): only to privileged callers. For anyone else the answer would depend on
    hidden counts and could be used as a group-testing oracle on them.

    >>> lost_cells_shown(privileged=False)
    False
    """
    return privileged
