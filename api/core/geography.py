"""Whose geography a coverage cell's place is: shared by the coverage area and by the
network analyses that count coverage cells (single points of failure, what-if), so that both
take the same argument and neither area imports the other."""

from __future__ import annotations

from enum import Enum

import strawberry

from analytics.coverage import GeographyBasis


@strawberry.enum(name="CoverageGeography", description="Whose geography a cell's place is.")
class CoverageGeographyEnum(Enum):
    PARTNER = strawberry.enum_value(
        "PARTNER",
        description="Where the partner is based (a Member State is its own place). Default: "
        "coverage is about where society is engaged.",
    )
    TARGET = strawberry.enum_value(
        "TARGET",
        description="Where the programme or activity works: the states it targets (a regional "
        "organisation stands for its members), an activity's location.",
    )


BASES = {e: GeographyBasis(str(e.value)) for e in CoverageGeographyEnum}
