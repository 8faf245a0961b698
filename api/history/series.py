"""Metrics as time series: one measure or grouping at several dates, in one round trip.

A dashboard charting a partner's rank over eight quarters used to send eight queries and
align them itself. ``centralitySeries``, ``networkSummarySeries`` and ``coverageSeries`` take
the dates (a list, or a regular step between two days) and answer every point with the same
code, caches and policy as the one-date query of the same name, plus what a chart needs on
top: each entry's rank at the point before, and the movers between the first and the last
point (who gained or lost most). Every point is cached per (revision, parameters, date) like
any one-date query, so a dashboard extending its series by a quarter pays for one point.

Why it is cheaper than N queries: coverage reads one engagement index for every date (a date
is only a window over it); networks at successive dates are derived one from the other where
the store can (graph/snapshot.py, dated snapshots), and the measures then run on them.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import gc
from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum
from itertools import compress
from operator import itemgetter
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from analytics import coverage_report as report
from api.centrality import analyses
from api.centrality import service as svc
from api.centrality import types as t
from api.centrality.queries import (
    DirectedArg,
    FilterArg,
    HalfLifeArg,
    ProjectionArg,
    RankKindsArg,
    TopArg,
    WeightedArg,
    centrality_request,
    kind_values,
    network_params,
    ranking_for,
    shown_nodes,
    summary_for,
)
from api.context import Context
from api.core.paging import check_first
from api.coverage import types as ct
from api.coverage.queries import GeographyArg, GroupByArg, _request, matrix_for
from api.coverage.types import CoverageGeographyEnum
from api.errors import bad_input
from api.nodes import Node
from graph.bulk import paused_gc

#: Points one series may hold: two years of months, six of quarters.
MAX_POINTS = 24
DEFAULT_TOP = 10
DEFAULT_MOVERS = 5


@strawberry.enum(description="A regular step between the dates of a series.")
class SeriesStepEnum(Enum):
    MONTH = strawberry.enum_value("MONTH", description="Every month.")
    QUARTER = strawberry.enum_value("QUARTER", description="Every three months.")
    YEAR = strawberry.enum_value("YEAR", description="Every twelve months.")


_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


@strawberry.input(
    description=f"The dates of a series: `dates`, or `from`, `to` and `every` (at most "
    f"{MAX_POINTS} points)."
)
class SeriesDatesInput:
    dates: list[dt.date] | None = strawberry.field(
        default=None, description="These days (sorted, duplicates dropped)."
    )
    start: dt.date | None = strawberry.field(
        default=None, name="from", description="The first day of a regular series."
    )
    end: dt.date | None = strawberry.field(
        default=None, name="to", description="No point after this day."
    )
    every: SeriesStepEnum | None = strawberry.field(
        default=None,
        description="The step: MONTH, QUARTER or YEAR from `from` (the same day of the month, "
        "or the month's last day when it is shorter: 31 Jan, 29 Feb, 31 Mar).",
    )


DatesArg = Annotated[SeriesDatesInput, strawberry.argument(description="The dates of the series.")]
MoversArg = Annotated[
    int,
    strawberry.argument(
        description=f"How many gainers and losers between the first and the last point "
        f"(default {DEFAULT_MOVERS})."
    ),
]


def _add_months(day: dt.date, months: int, anchor: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def dates_of(inp: SeriesDatesInput) -> list[dt.date]:
    """The days of a series, ascending; BAD_USER_INPUT naming what is wrong."""
    regular = (inp.start, inp.end, inp.every)
    if inp.dates is not None:
        if any(v is not None for v in regular):
            raise bad_input("give either `dates` or `from`, `to` and `every`", "dates")
        days = sorted(set(inp.dates))
    else:
        if inp.start is None or inp.end is None or inp.every is None:
            raise bad_input("give `dates`, or all of `from`, `to` and `every`", "dates")
        if inp.start > inp.end:
            raise bad_input(f"`from` ({inp.start}) is after `to` ({inp.end})", "dates")
        days = []
        day, step = inp.start, _MONTHS[inp.every.name]
        while day <= inp.end and len(days) <= MAX_POINTS:
            days.append(day)
            day = _add_months(inp.start, step * len(days), inp.start.day)
    if not days:
        raise bad_input("a series needs at least one date", "dates")
    if len(days) > MAX_POINTS:
        raise bad_input(f"at most {MAX_POINTS} points; ask for a longer step", "dates")
    return days


# --------------------------------------------------------------------------- centrality


@strawberry.type(description="One node's place at one point of a series.")
class SeriesEntry:
    rank: int = strawberry.field(description="1 for the most central (ties broken by key).")
    score: float = strawberry.field(description="The score, normalised as the measure says.")
    previous_rank: int | None = strawberry.field(
        description="Its rank at the point before; null at the first point or if it was not "
        "ranked then."
    )
    node: Node = strawberry.field(description="The node.")


@strawberry.type(description="A ranking at one date of a series.")
class CentralityPoint:
    as_of: dt.date = strawberry.field(description="The date.")
    ranked_nodes: int = strawberry.field(description="Nodes ranked at this date.")
    entries: list[SeriesEntry] = strawberry.field(description="The top entries, best first.")


@strawberry.type(description="How far a node moved between the first and the last point.")
class RankMove:
    node: Node = strawberry.field(description="The node.")
    first_rank: int = strawberry.field(description="Its rank at the first point.")
    last_rank: int = strawberry.field(description="Its rank at the last point.")
    rank_change: int = strawberry.field(
        description="Places gained (first rank minus last rank): positive is up."
    )
    first_score: float = strawberry.field(description="Its score at the first point.")
    last_score: float = strawberry.field(description="Its score at the last point.")


@strawberry.type(description="One measure at several dates, with who moved most.")
class CentralitySeries:
    measure: t.MeasureEnum = strawberry.field(description="The measure.")
    projection: t.ProjectionEnum = strawberry.field(description="The graph it ran on.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    points: list[CentralityPoint] = strawberry.field(description="One per date, oldest first.")
    gainers: list[RankMove] = strawberry.field(
        description="Nodes ranked at the first and the last point that rose most."
    )
    losers: list[RankMove] = strawberry.field(description="Those that fell most.")


@dataclass(frozen=True)
class _Ranks:
    """The ranking at one date as the caller sees it: nodes in rank order, with scores."""

    ids: list[str]
    scores: list[float]

    def positions(self) -> dict[str, int]:
        return dict(zip(self.ids, range(1, len(self.ids) + 1), strict=True))

    def top(self, count: int) -> list[tuple[str, float]]:
        return list(zip(self.ids[:count], self.scores[:count], strict=True))


async def _shown_ranks(
    info: Info[Context, Any], ranking: analyses.Ranking, wanted: frozenset[str] | None
) -> _Ranks:
    """Every eligible node the caller may see, in rank order: ranks without gaps where a
    hidden actor stands, as ``centrality`` gives them."""
    ranked = ranking.ranked
    eligible = ranked if wanted is None else [e for e in ranked if e[2] in wanted]
    ids = list(map(str, map(itemgetter(0), eligible)))  # two lists, not a tuple per node
    scores = list(map(itemgetter(1), eligible))
    policy = info.context.policy
    if policy.privileged:
        return _Ranks(ids, scores)
    stored = await info.context.node_loader.load_many(ids)
    shown = [bool(n and policy.shows(n)) for n in stored]
    return _Ranks(list(compress(ids, shown)), list(compress(scores, shown)))


def _moves(
    first: _Ranks, last: _Ranks, count: int
) -> tuple[list[tuple[str, int, int, float, float]], list[tuple[str, int, int, float, float]]]:
    a, b = first.positions(), last.positions()
    score_a = dict(zip(first.ids, first.scores, strict=True))
    score_b = dict(zip(last.ids, last.scores, strict=True))
    both = [(v, a[v], b[v], score_a[v], score_b[v]) for v in a.keys() & b.keys()]
    gained = sorted((m for m in both if m[1] > m[2]), key=lambda m: (m[2] - m[1], m[0]))
    lost = sorted((m for m in both if m[1] < m[2]), key=lambda m: (m[1] - m[2], m[0]))
    return gained[:count], lost[:count]


# --------------------------------------------------------------------------- coverage


@strawberry.type(description="A coverage matrix at one date of a series.")
class CoveragePoint:
    as_of: dt.date = strawberry.field(description="The date.")
    matrix: ct.CoverageMatrix = strawberry.field(description="The matrix at that date.")


@strawberry.type(description="How a cell's gap score moved between the first and last point.")
class GapMove:
    row: ct.CoverageHeader = strawberry.field(description="The cell's row.")
    column: ct.CoverageHeader = strawberry.field(description="The cell's column.")
    first_gap: float = strawberry.field(description="Gap score at the first point.")
    last_gap: float = strawberry.field(description="Gap score at the last point.")
    gap_change: float = strawberry.field(description="Last minus first: positive is worse.")


@strawberry.type(description="One coverage grouping at several dates, with the cells that moved.")
class CoverageSeries:
    revision: int = strawberry.field(description="Graph revision analysed.")
    points: list[CoveragePoint] = strawberry.field(description="One per date, oldest first.")
    worsened: list[GapMove] = strawberry.field(
        description="Cells whose gap grew most (suppressed cells never take part)."
    )
    improved: list[GapMove] = strawberry.field(description="Cells whose gap shrank most.")


def _gaps(m: report.Matrix) -> dict[tuple[str, str], tuple[report.Header, report.Header, float]]:
    return {
        (r.key, c.key): (r, c, cell.gap)
        for r, row in zip(m.rows, m.cells, strict=True)
        for c, cell in zip(m.columns, row, strict=True)
        if cell.gap is not None and not cell.suppressed
    }


def _gap_moves(first: report.Matrix, last: report.Matrix, count: int) -> tuple[list[GapMove], ...]:
    a, b = _gaps(first), _gaps(last)
    moves = [
        GapMove(
            row=ct.header_of(a[k][0]),
            column=ct.header_of(a[k][1]),
            first_gap=a[k][2],
            last_gap=b[k][2],
            gap_change=b[k][2] - a[k][2],
        )
        for k in sorted(a.keys() & b.keys())
    ]
    worse = sorted((m for m in moves if m.gap_change > 0), key=lambda m: -m.gap_change)
    better = sorted((m for m in moves if m.gap_change < 0), key=lambda m: m.gap_change)
    return worse[:count], better[:count]


# --------------------------------------------------------------------------- queries


def _dated(flt: t.NetworkFilter | None, day: dt.date) -> t.NetworkFilter:
    if flt is not None and flt.as_of is not None:
        raise bad_input("a series sets the date of each point: leave out `asOf`", "filter")
    return dataclasses.replace(flt or t.NetworkFilter(), as_of=day)


@strawberry.type
class SeriesQuery:
    @strawberry.field(
        description="A centrality measure at several dates in one round trip: each point's "
        "top entries with their previous rank, and the nodes that rose and fell most between "
        "the first and the last point (docs/HISTORY.md)."
    )
    async def centrality_series(
        self,
        info: Info[Context, Any],
        measure: Annotated[t.MeasureEnum, strawberry.argument(description="What to measure.")],
        dates: DatesArg,
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        top: TopArg = DEFAULT_TOP,
        movers: MoversArg = DEFAULT_MOVERS,
        weighted: WeightedArg = False,
        normalized: Annotated[
            bool, strawberry.argument(description="Normalise scores as `centrality` does.")
        ] = True,
        damping: Annotated[
            float | None, strawberry.argument(description="PAGERANK only (default 0.85).")
        ] = None,
        directed: DirectedArg = False,
        half_life_years: HalfLifeArg = None,
        rank_kinds: RankKindsArg = None,
    ) -> CentralitySeries:
        check_first(top, "top")
        count = movers
        days = dates_of(dates)
        wanted = kind_values(rank_kinds)
        points: list[tuple[dt.date, _Ranks]] = []
        revision = 0
        # Every point leaves long-lived snapshots, networks and rankings behind and none of
        # them garbage: with the collector running, their allocations set off collections
        # walking them again and again, and full ones walking every snapshot held (a fifth of
        # a cold series at 20k actors). Paused, then one collection of the young generations
        # together walks each new object once (left alone, it would walk them in each).
        with paused_gc():
            for day in days:
                params, req = await centrality_request(
                    info,
                    measure,
                    projection,
                    _dated(filter, day),
                    weighted=weighted,
                    normalized=normalized,
                    sample=None,
                    allow_sampling=False,
                    damping=damping,
                    directed=directed,
                    half_life_years=half_life_years,
                    budget=svc.WORK_BUDGET,
                )
                revision, ranking = await ranking_for(info, params, req)
                points.append((day, await _shown_ranks(info, ranking, wanted)))
            gc.collect(1)  # before the collector is back, which would start with the youngest
        gained, lost = _moves(points[0][1], points[-1][1], count)
        ids: list[Hashable] = [v for _, r in points for v in r.ids[:top]]
        ids += [m[0] for m in (*gained, *lost)]
        nodes = await shown_nodes(info, ids)
        previous: dict[str, int] = {}
        out: list[CentralityPoint] = []
        for day, ranks in points:
            entries = [
                SeriesEntry(rank=i, score=score, previous_rank=previous.get(v), node=nodes[v])
                for i, (v, score) in enumerate(ranks.top(top), start=1)
            ]
            out.append(CentralityPoint(as_of=day, ranked_nodes=len(ranks.ids), entries=entries))
            previous = ranks.positions()

        def move(m: tuple[str, int, int, float, float]) -> RankMove:
            v, first_rank, last_rank, first_score, last_score = m
            return RankMove(
                node=nodes[v],
                first_rank=first_rank,
                last_rank=last_rank,
                rank_change=first_rank - last_rank,
                first_score=first_score,
                last_score=last_score,
            )

        return CentralitySeries(
            measure=measure,
            projection=projection,
            revision=revision,
            points=out,
            gainers=[move(m) for m in gained],
            losers=[move(m) for m in lost],
        )

    @strawberry.field(
        description="Headline figures of the network at several dates in one round trip."
    )
    async def network_summary_series(
        self,
        info: Info[Context, Any],
        dates: DatesArg,
        projection: ProjectionArg = t.ProjectionEnum.FULL,
        filter: FilterArg = None,
        directed: DirectedArg = False,
        half_life_years: HalfLifeArg = None,
    ) -> list[t.NetworkSummary]:
        out = []
        for day in dates_of(dates):
            params = await network_params(
                info,
                projection,
                _dated(filter, day),
                directed=directed,
                half_life_years=half_life_years,
            )
            out.append(await summary_for(info, projection, params))
        return out

    @strawberry.field(
        description="A coverage grouping at several dates in one round trip, with the cells "
        "whose gap score grew and shrank most between the first and the last point."
    )
    async def coverage_series(
        self,
        info: Info[Context, Any],
        group_by: GroupByArg,
        dates: DatesArg,
        geography: GeographyArg = CoverageGeographyEnum.PARTNER,
        movers: MoversArg = DEFAULT_MOVERS,
    ) -> CoverageSeries:
        count = movers
        matrices: list[tuple[dt.date, report.Matrix]] = []
        for day in dates_of(dates):
            req = _request(info, group_by, day, None, geography, None, None)
            matrices.append((day, await matrix_for(info, req)))
        worse, better = _gap_moves(matrices[0][1], matrices[-1][1], count)
        return CoverageSeries(
            revision=matrices[-1][1].revision,
            points=[CoveragePoint(as_of=d, matrix=ct.matrix_of(m)) for d, m in matrices],
            worsened=list(worse),
            improved=list(better),
        )
