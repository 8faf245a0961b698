"""The coverage lattice: the dimension families, their levels, and the tables they make.

Coverage counts engagements in cells of three *families*: geography (region, sub-region,
country), theme, and stakeholder (actor kind, stakeholder type). Each family is a levelled
tree whose level 0 is its total (:mod:`analytics.coverage.trees`); a *table* of the lattice
picks one level per family (``Levels``), and a *cell* of a table one value per family
(``Coords``). "Unspecified" is a value like any other at every level, so sums along a family
stay complete.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = [
    "DIMENSION_LEVEL",
    "FAMILIES",
    "FAMILY_NAMES",
    "GEO",
    "LEVEL_DIMENSION",
    "STAKE",
    "THEME",
    "TOTAL",
    "TOTAL_LABEL",
    "UNSPECIFIED",
    "UNSPECIFIED_LABEL",
    "Coords",
    "Dimension",
    "GeographyBasis",
    "Levels",
    "down_set",
]

#: Key of the total (all values) of a dimension family, and of "no value".
TOTAL: Final = "*"
UNSPECIFIED: Final = "(none)"
TOTAL_LABEL: Final = "Total"
UNSPECIFIED_LABEL: Final = "Unspecified"


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
