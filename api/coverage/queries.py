"""Root query fields of the coverage area.

Resolvers are thin: decode the arguments, ask the cached service, map to GraphQL types. Every
figure goes through the caller's threshold (``Policy.suppression_k``, or nothing hidden for
privileged callers) inside the analytics, and every node through ``shown_object`` (a node the
caller may not see is left out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from analytics import coverage_report as report
from analytics.coverage import Dimension, EngagementIndex
from api.context import Context
from api.core.geography import BASES, CoverageGeographyEnum
from api.core.paging import DEFAULT_PAGE, Connection, Cursors, Edge, Key, page
from api.coverage import types as t
from api.coverage.params import (
    BadParameter,
    MatrixRequest,
    caller_k,
    group_by_of,
    matrix_query,
    window_for,
)
from api.coverage.service import service_for
from api.errors import ApiError, ErrorCode, bad_input
from api.nodes import AfterArg, FirstArg, MemberState, decode_global_id, shown_object
from graph.model import WeightScope

N = TypeVar("N")

GroupByArg = Annotated[
    list[t.CoverageDimensionEnum],
    strawberry.argument(
        description="Dimensions to group by: the first gives the rows, the others the columns. "
        "At most one per family (geography, theme, stakeholder)."
    ),
]
AsOfArg = Annotated[
    dt.date | None,
    strawberry.argument(
        description="Partnerships active on this day, activities in the 365 days up to it. "
        "Default: today. Not with `period`."
    ),
]
PeriodArg = Annotated[
    t.CoveragePeriodInput | None,
    strawberry.argument(description="Engagement on any day of this period. Not with `asOf`."),
]
GeographyArg = Annotated[
    CoverageGeographyEnum,
    strawberry.argument(description="Whose geography: the partner's (default) or the target's."),
]
SelectArg = Annotated[
    t.CoverageSelectionInput | None,
    strawberry.argument(description="Rows and columns to show (never changes figures)."),
]
TargetArg = Annotated[
    float | None,
    strawberry.argument(
        description="Benchmark engagement index for gap scores; default: the median index of "
        "the engaged cells you can see."
    ),
]


def _selection(select: t.CoverageSelectionInput | None) -> dict[Dimension, list[str]]:
    if select is None:
        return {}
    chosen: dict[Dimension, list[str] | None] = {
        Dimension.REGION: select.regions,
        Dimension.SUBREGION: select.subregions,
        Dimension.COUNTRY: select.countries,
        Dimension.THEME: None
        if select.themes is None
        else [decode_global_id(str(i)) for i in select.themes],
        Dimension.ACTOR_KIND: None
        if select.actor_kinds is None
        else [str(k.value) for k in select.actor_kinds],
        Dimension.STAKEHOLDER_TYPE: None
        if select.stakeholder_types is None
        else [str(s.value) for s in select.stakeholder_types],
    }
    return {d: v for d, v in chosen.items() if v is not None}


def _request(
    info: Info[Context, Any],
    group_by: Sequence[t.CoverageDimensionEnum],
    as_of: dt.date | None,
    period: t.CoveragePeriodInput | None,
    geography: CoverageGeographyEnum,
    select: t.CoverageSelectionInput | None,
    target_index: float | None,
    breakdown: bool = False,
) -> MatrixRequest:
    try:
        dims = group_by_of([str(d.value) for d in group_by])
        window = window_for(as_of, period.start if period else None, period.end if period else None)
        query = matrix_query(dims, _selection(select), target_index, breakdown=breakdown)
    except BadParameter as err:
        raise bad_input(str(err), err.name) from None
    return MatrixRequest(query, window, BASES[geography], caller_k(info.context.policy))


async def matrix_for(info: Info[Context, Any], req: MatrixRequest) -> report.Matrix:
    service = service_for(info.context.store)

    def compute(index: EngagementIndex, weights: dict[tuple[WeightScope, str], float]) -> Any:
        cube = service.cube(index, req.window, req.basis)
        return report.build_matrix(cube, req.query, weights, req.k)

    try:
        return await service.result(("matrix", req), compute)
    except report.Withheld as err:
        raise ApiError(str(err), ErrorCode.FORBIDDEN) from None
    except ValueError as err:
        raise bad_input(str(err), "select") from None


def _wants(info: Info[Context, Any], name: str) -> bool:
    """Whether the query selects field ``name`` anywhere below this one."""
    stack: list[Any] = list(info.selected_fields)
    while stack:
        item = stack.pop()
        if getattr(item, "name", None) == name:
            return True
        stack.extend(getattr(item, "selections", ()) or ())
    return False


#: Coverage lists page by offset: their results are cached per revision, so an offset names
#: the same item while a client walks the pages.
_OFFSETS = Cursors("o", 1)


def _following(key: Key) -> int | None:
    digits = key[0]
    return int(digits) + 1 if digits.isascii() and digits.isdigit() and len(digits) < 19 else None


def _page(items: Sequence[Any], first: int, after: str | None, make: Callable[[Any], N]) -> Any:
    def edge(i: int) -> Edge[N]:
        return Edge(node=make(items[i]), cursors=_OFFSETS, position=(str(i),))

    return page(_OFFSETS, len(items), _following, edge, first=first, after=after)


def _withheld(what: str) -> ApiError:
    return ApiError(
        f"{what} would reveal small counts at this level of detail; ask with a privileged key "
        "or group more coarsely",
        ErrorCode.FORBIDDEN,
    )


@strawberry.type
class CoverageQuery:
    @strawberry.field(
        description="Coverage matrix for a grouping, in one round trip: rows, columns, every "
        "cell's figures, row and column totals, the grand total."
    )
    async def coverage_matrix(
        self,
        info: Info[Context, Any],
        group_by: GroupByArg,
        as_of: AsOfArg = None,
        period: PeriodArg = None,
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        select: SelectArg = None,
        target_index: TargetArg = None,
    ) -> t.CoverageMatrix:
        req = _request(
            info,
            group_by,
            as_of,
            period,
            geography,
            select,
            target_index,
            breakdown=_wants(info, "partnersByKind"),
        )
        return t.matrix_of(await matrix_for(info, req))

    @strawberry.field(
        description="The most under-engaged cells of a grouping: largest gap score first "
        "(then largest need). Cells hidden from you and Unspecified values are left out."
    )
    async def under_engaged_cells(
        self,
        info: Info[Context, Any],
        group_by: GroupByArg,
        as_of: AsOfArg = None,
        period: PeriodArg = None,
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        select: SelectArg = None,
        target_index: TargetArg = None,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
    ) -> Connection[t.CoverageRanking]:
        req = _request(info, group_by, as_of, period, geography, select, target_index)
        matrix = await matrix_for(info, req)
        service = service_for(info.context.store)
        index = await service.index()
        ranked = report.rank_gaps(service.cube(index, req.window, req.basis), matrix)
        ranks = list(enumerate(ranked, start=1))
        return _page(
            ranks,
            first,
            after,
            lambda rc: t.CoverageRanking(
                rank=rc[0], header=t.header_of(rc[1].header), cell=t.cell_of(rc[1].cell)
            ),
        )

    @strawberry.field(
        description="Compare two dates cell by cell: lost coverage, newly covered cells, and "
        "the change in gap score."
    )
    async def coverage_trend(
        self,
        info: Info[Context, Any],
        group_by: GroupByArg,
        from_: Annotated[
            dt.date, strawberry.argument(name="from", description="The earlier as-of date.")
        ],
        to: Annotated[dt.date, strawberry.argument(description="The later as-of date.")],
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        select: SelectArg = None,
        target_index: TargetArg = None,
        status: Annotated[
            list[t.TrendStatusEnum] | None,
            strawberry.argument(description="Only cells with one of these statuses."),
        ] = None,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
    ) -> Connection[t.CoverageTrendCell]:
        if from_ > to:
            raise bad_input(f"{from_} is after `to` ({to})", "from")
        before = _request(info, group_by, from_, None, geography, select, target_index)
        later = _request(info, group_by, to, None, geography, select, target_index)
        # Same rows and columns at both dates.
        before = MatrixRequest(
            _all_unspecified(before.query), before.window, before.basis, before.k
        )
        later = MatrixRequest(_all_unspecified(later.query), later.window, later.basis, later.k)
        cells = report.trend(await matrix_for(info, before), await matrix_for(info, later))
        if status is not None:
            wanted = {report.TrendStatus(str(s.value)) for s in status}
            cells = [c for c in cells if c.status in wanted]
        return _page(
            cells,
            first,
            after,
            lambda c: t.CoverageTrendCell(
                header=t.header_of(c.header),
                status=t.TrendStatusEnum(c.status.value),
                before=t.cell_of(c.before),
                after=t.cell_of(c.after),
                partners_change=c.partners_change,
                gap_change=c.gap_change,
            ),
        )

    @strawberry.field(
        description="Cells of a geography and/or theme grouping with programmes under way but "
        "no partner of some stakeholder types (e.g. a region without youth or women's CSOs)."
    )
    async def stakeholder_gaps(
        self,
        info: Info[Context, Any],
        group_by: Annotated[
            list[t.CoverageDimensionEnum],
            strawberry.argument(description="A geography dimension and/or THEME."),
        ],
        types: Annotated[
            list[t.StakeholderTypeEnum] | None,
            strawberry.argument(description="Stakeholder types to look for (default: all)."),
        ] = None,
        as_of: AsOfArg = None,
        period: PeriodArg = None,
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
    ) -> Connection[t.StakeholderGap]:
        req = _request(info, group_by, as_of, period, geography, None, None)
        wanted = None if types is None else tuple(sorted(str(x.value) for x in types))
        service = service_for(info.context.store)

        def compute(index: EngagementIndex, weights: Any) -> Any:
            cube = service.cube(index, req.window, req.basis)
            return report.stakeholder_gaps(cube, req.query.group_by, wanted, req.k)

        try:
            gaps, withheld = await service.result(("stakeholder_gaps", req, wanted), compute)
        except ValueError as err:
            raise bad_input(str(err), "groupBy") from None
        if withheld:
            raise _withheld("Stakeholder gaps")
        return _page(
            gaps,
            first,
            after,
            lambda g: t.StakeholderGap(
                header=t.header_of(g.header),
                programmes=g.programmes,
                missing=[t.value_of(v) for v in g.missing],
            ),
        )

    @strawberry.field(
        description="Member States with no engagement at all: no partner based there, not a "
        "partner itself, and no programme or activity targeting or held there."
    )
    async def unengaged_member_states(
        self,
        info: Info[Context, Any],
        as_of: AsOfArg = None,
        period: PeriodArg = None,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
    ) -> Connection[MemberState]:
        try:
            window = window_for(
                as_of, period.start if period else None, period.end if period else None
            )
        except BadParameter as err:
            raise bad_input(str(err), err.name) from None
        k = caller_k(info.context.policy)
        service = service_for(info.context.store)

        def compute(index: EngagementIndex, weights: Any) -> Any:
            cubes = [service.cube(index, window, b) for b in BASES.values()]
            return report.unengaged_states(cubes, k)

        codes, withheld = await service.result(("unengaged", window, k), compute)
        if withheld:
            raise _withheld("The list of unengaged Member States")
        nodes = await info.context.node_loader.load_many(codes)
        shown = (shown_object(info.context.policy, n) for n in nodes)
        states = [s for s in shown if s is not None]
        return _page(states, first, after, lambda s: s)

    @strawberry.field(
        description="Need or priority weights set so far; anything not listed weighs 1."
    )
    async def need_weights(self, info: Info[Context, Any]) -> list[t.NeedWeight]:
        weights = await info.context.store.need_weights()
        return [t.weight_of(s, k, w) for (s, k), w in sorted(weights.items())]


def _all_unspecified(query: report.MatrixQuery) -> report.MatrixQuery:
    return report.MatrixQuery(
        query.group_by, query.selection, query.target_index, query.breakdown, True
    )
