"""GraphQL types of the coverage area, and their construction from analytics results.

Figures hidden from the caller (small counts, see docs/COVERAGE.md) are null with
``suppressed: true``; they are never 0, because 0 is a real, published figure.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from analytics import coverage_report as report
from analytics.coverage import TOTAL, UNSPECIFIED, Dimension, stakeholder_types
from api.context import Context
from api.core.geography import CoverageGeographyEnum
from api.nodes import Node, NodeKindEnum, shown_object
from graph.model import WeightScope

# --------------------------------------------------------------------------- enums


@strawberry.enum(
    name="CoverageDimension",
    description="What coverage can be grouped by: at most one level of geography, the theme, "
    "and at most one level of stakeholder.",
)
class CoverageDimensionEnum(Enum):
    REGION = strawberry.enum_value("REGION", description="UN M49 region of the geography.")
    SUBREGION = strawberry.enum_value("SUBREGION", description="UN M49 sub-region.")
    COUNTRY = strawberry.enum_value("COUNTRY", description="Member State (ISO 3166-1 alpha-3).")
    THEME = strawberry.enum_value("THEME", description="Thematic area addressed.")
    ACTOR_KIND = strawberry.enum_value(
        "ACTOR_KIND", description="Kind of partner: state, regional organisation, CSO, ..."
    )
    STAKEHOLDER_TYPE = strawberry.enum_value(
        "STAKEHOLDER_TYPE",
        description="Finer kind of partner: a CSO's focus group, a company's industry, an "
        "academic institution's or other non-state actor's type.",
    )


@strawberry.enum(name="CoverageTrendStatus", description="How a cell's coverage changed.")
class TrendStatusEnum(Enum):
    LOST = strawberry.enum_value("LOST", description="Engaged before, no engagement after.")
    NEW = strawberry.enum_value("NEW", description="No engagement before, engaged after.")
    KEPT = strawberry.enum_value("KEPT", description="Engaged at both dates.")
    NONE = strawberry.enum_value("NONE", description="Engaged at neither date.")


@strawberry.enum(name="WeightScope", description="What a need weight applies to.")
class WeightScopeEnum(Enum):
    COUNTRY = strawberry.enum_value("COUNTRY", description="A Member State; key is its ISO3.")
    REGION = strawberry.enum_value("REGION", description="An M49 region; key is its name.")
    SUBREGION = strawberry.enum_value(
        "SUBREGION", description="An M49 sub-region; key is its name."
    )
    THEME = strawberry.enum_value("THEME", description="A thematic area; key is its node key.")


def _stakeholder_enum() -> type[Enum]:
    members = {
        key: strawberry.enum_value(key, description=f"{label}.")
        for key, label, _ in stakeholder_types()
    }
    cls = Enum("StakeholderTypeEnum", members)  # type: ignore[misc]
    return strawberry.enum(
        cls,
        name="StakeholderType",
        description="Kinds of stakeholder, one level below the actor kind.",
    )


StakeholderTypeEnum: Any = _stakeholder_enum()

DIMENSIONS = {e: Dimension(str(e.value)) for e in CoverageDimensionEnum}

# --------------------------------------------------------------------------- inputs


@strawberry.input(description="A period: engagement on any day from start to end (inclusive).")
class CoveragePeriodInput:
    start: dt.date = strawberry.field(description="First day.")
    end: dt.date = strawberry.field(description="Last day.")


@strawberry.input(
    description="Which rows and columns to show. Each list selects values of a grouped "
    "dimension (it must be in groupBy): a selection never re-aggregates, so figures and totals "
    "are those of the whole matrix."
)
class CoverageSelectionInput:
    regions: list[str] | None = strawberry.field(
        default=None, description="M49 region names (with REGION)."
    )
    subregions: list[str] | None = strawberry.field(
        default=None, description="M49 sub-region names (with SUBREGION)."
    )
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO3 codes (with COUNTRY)."
    )
    themes: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Thematic area keys or global ids (with THEME)."
    )
    actor_kinds: list[NodeKindEnum] | None = strawberry.field(
        default=None, description="Actor kinds (with ACTOR_KIND)."
    )
    stakeholder_types: list[StakeholderTypeEnum] | None = strawberry.field(
        default=None, description="Stakeholder types (with STAKEHOLDER_TYPE)."
    )


@strawberry.input(description="One need weight.")
class NeedWeightInput:
    scope: WeightScopeEnum = strawberry.field(description="What the weight applies to.")
    key: str = strawberry.field(
        description="ISO3 code, region or sub-region name, or thematic area key."
    )
    weight: float = strawberry.field(description="Need or priority, >= 0; 1 is the default.")


@strawberry.input(description="Input of setNeedWeights.")
class SetNeedWeightsInput:
    weights: list[NeedWeightInput] = strawberry.field(description="Weights to set.")
    replace: bool = strawberry.field(
        default=False,
        description="Drop every weight not in `weights` first (default: keep them).",
    )


# --------------------------------------------------------------------------- outputs


@strawberry.type(description="A value of one dimension in a header.")
class CoverageValue:
    dimension: CoverageDimensionEnum | None = strawberry.field(
        description="The dimension; null for a total."
    )
    key: str = strawberry.field(
        description="ISO3, region or sub-region name, theme key, actor kind, stakeholder type; "
        f"'{TOTAL}' for all values, '{UNSPECIFIED}' for engagement without this dimension."
    )
    label: str = strawberry.field(description="Display name.")

    @strawberry.field(
        description="The Member State or thematic area behind the value, when it is one."
    )
    async def node(self, info: Info[Context, Any]) -> Node | None:
        if self.dimension not in (CoverageDimensionEnum.COUNTRY, CoverageDimensionEnum.THEME):
            return None
        if self.key in (TOTAL, UNSPECIFIED):
            return None
        found = await info.context.node_loader.load(self.key)
        return shown_object(info.context.policy, found)


@strawberry.type(description="A row or column of a coverage matrix.")
class CoverageHeader:
    key: str = strawberry.field(description="Keys of its values joined by '|'.")
    label: str = strawberry.field(description="Labels of its values joined by ' / '.")
    values: list[CoverageValue] = strawberry.field(description="One value per dimension.")


@strawberry.type(description="Distinct partners of one actor kind in a cell.")
class PartnerKindCount:
    kind: NodeKindEnum = strawberry.field(description="Actor kind.")
    partners: int | None = strawberry.field(description="Distinct partners; null if suppressed.")
    suppressed: bool = strawberry.field(description="True when the count is hidden from you.")


@strawberry.type(
    description="The figures of one cell (or total). Null figures are hidden from you because "
    "the cell holds a small count, or would give one away (see suppressed)."
)
class CoverageCell:
    suppressed: bool = strawberry.field(
        description="True when this cell's figures are hidden from you (small counts)."
    )
    partners: int | None = strawberry.field(
        description="Distinct actors engaged (partnering in a programme or taking part in an "
        "activity) in the window."
    )
    partners_by_kind: list[PartnerKindCount] | None = strawberry.field(
        description="Distinct partners per actor kind (each count suppressed on its own); null "
        "when that finer grouping would reveal small counts to you."
    )
    partnerships: int | None = strawberry.field(
        description="Partnerships (PARTNERS_IN) active in the window."
    )
    programmes: int | None = strawberry.field(
        description="Distinct programmes engaged with (directly or through an activity)."
    )
    activities: int | None = strawberry.field(description="Distinct activities held in the window.")
    funding: float | None = strawberry.field(
        description="Sum of partnership amounts (USD) active in the window."
    )
    last_activity: dt.date | None = strawberry.field(
        description="Start of the latest activity attended, up to the window's end."
    )
    engagement_index: float | None = strawberry.field(
        description="ln(1+partners) + 0.5 ln(1+partnerships) + 0.5 ln(1+programmes) + "
        "0.5 ln(1+activities)."
    )
    need: float = strawberry.field(
        description="Need weight: geography weight x theme weight (1 unless set)."
    )
    gap_score: float | None = strawberry.field(
        description="need x max(0, 1 - engagementIndex / benchmark); null for totals."
    )


@strawberry.type(description="The window the figures are for.")
class CoverageWindow:
    start: dt.date = strawberry.field(description="First day partnerships may be active.")
    end: dt.date = strawberry.field(description="Last day (the as-of date for an asOf query).")
    activities_from: dt.date = strawberry.field(
        description="First day activities count (365 days before asOf, or the period start)."
    )


@strawberry.type(
    description="Coverage grouped by up to three dimensions: rows are the first, columns the "
    "combinations of the others. Totals are the true totals of the whole matrix whatever is "
    "selected."
)
class CoverageMatrix:
    revision: int = strawberry.field(description="Graph revision the figures are for.")
    window: CoverageWindow = strawberry.field(description="Dates the figures are for.")
    geography: CoverageGeographyEnum = strawberry.field(description="Geography basis.")
    group_by: list[CoverageDimensionEnum] = strawberry.field(description="The grouping.")
    rows: list[CoverageHeader] = strawberry.field(description="Row headers.")
    columns: list[CoverageHeader] = strawberry.field(
        description="Column headers (one 'Total' column when grouped by one dimension)."
    )
    cells: list[list[CoverageCell]] = strawberry.field(description="cells[row][column].")
    row_totals: list[CoverageCell] = strawberry.field(description="Total of each row.")
    column_totals: list[CoverageCell] = strawberry.field(description="Total of each column.")
    total: CoverageCell = strawberry.field(description="Grand total.")
    benchmark: float | None = strawberry.field(
        description="Engagement index gaps are measured against: the target given, or the "
        "median index of the engaged cells you can see."
    )
    suppression_threshold: int | None = strawberry.field(
        description="k: counts from 1 to k-1 are hidden from you; null for privileged callers."
    )


@strawberry.type(description="A cell of a coverage matrix, ranked by gap.")
class CoverageRanking:
    rank: int = strawberry.field(description="1 for the most under-engaged cell.")
    header: CoverageHeader = strawberry.field(description="The cell's values.")
    cell: CoverageCell = strawberry.field(description="Its figures.")


@strawberry.type(description="A cell at two dates.")
class CoverageTrendCell:
    header: CoverageHeader = strawberry.field(description="The cell's values.")
    status: TrendStatusEnum = strawberry.field(description="How its coverage changed.")
    before: CoverageCell = strawberry.field(description="Figures at the first date.")
    after: CoverageCell = strawberry.field(description="Figures at the second date.")
    partners_change: int | None = strawberry.field(
        description="Change in distinct partners; null when either is hidden."
    )
    gap_change: float | None = strawberry.field(
        description="Change in gap score (positive: less engaged); null when either is hidden."
    )


@strawberry.type(description="A cell with engagement where some kinds of stakeholder take no part.")
class StakeholderGap:
    header: CoverageHeader = strawberry.field(description="The cell's values.")
    programmes: int | None = strawberry.field(
        description="Distinct programmes engaged with there; null if suppressed."
    )
    missing: list[CoverageValue] = strawberry.field(
        description="Stakeholder types with no partner there."
    )


@strawberry.type(description="A need weight.")
class NeedWeight:
    scope: WeightScopeEnum = strawberry.field(description="What it applies to.")
    key: str = strawberry.field(description="ISO3, region or sub-region name, or theme key.")
    weight: float = strawberry.field(description="The weight (1 is the default).")


# --------------------------------------------------------------------------- conversion


def value_of(v: report.Value) -> CoverageValue:
    dim = None if v.dimension is None else CoverageDimensionEnum(v.dimension.value)
    return CoverageValue(dimension=dim, key=v.key, label=v.label)


def header_of(h: report.Header) -> CoverageHeader:
    return CoverageHeader(key=h.key, label=h.label, values=[value_of(v) for v in h.values])


def cell_of(c: report.Cell) -> CoverageCell:
    kinds = None
    if c.partners_by_kind is not None:
        kinds = [
            PartnerKindCount(
                kind=NodeKindEnum(k.kind), partners=k.partners, suppressed=k.suppressed
            )
            for k in c.partners_by_kind
        ]
    return CoverageCell(
        suppressed=c.suppressed,
        partners=c.partners,
        partners_by_kind=kinds,
        partnerships=c.partnerships,
        programmes=c.programmes,
        activities=c.activities,
        funding=c.funding,
        last_activity=c.last_activity,
        engagement_index=c.engagement_index,
        need=c.need,
        gap_score=c.gap,
    )


def window_of(w: Any) -> CoverageWindow:
    return CoverageWindow(start=w.start, end=w.end, activities_from=w.activity_start)


def matrix_of(m: report.Matrix) -> CoverageMatrix:
    return CoverageMatrix(
        revision=m.revision,
        window=window_of(m.window),
        geography=CoverageGeographyEnum(m.basis.value),
        group_by=[CoverageDimensionEnum(d.value) for d in m.group_by],
        rows=[header_of(h) for h in m.rows],
        columns=[header_of(h) for h in m.columns],
        cells=[[cell_of(c) for c in row] for row in m.cells],
        row_totals=[cell_of(c) for c in m.row_totals],
        column_totals=[cell_of(c) for c in m.column_totals],
        total=cell_of(m.total),
        benchmark=m.benchmark,
        suppression_threshold=m.suppression_k,
    )


def weight_of(scope: WeightScope, key: str, weight: float) -> NeedWeight:
    return NeedWeight(scope=WeightScopeEnum(scope.value), key=key, weight=weight)
