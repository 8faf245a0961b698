"""Root query fields of the lineage area: thin resolvers that decode arguments, get the cached
analytics result for the current revision, and wrap it for the caller's policy."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from analytics import lineage as lin
from api.context import Context
from api.lineage.cache import cached_result, index_for
from api.lineage.types import (
    Contributions,
    DepthArg,
    LevelCount,
    LineageDirection,
    LineageIssues,
    MinShareArg,
    OutcomeLineage,
    ProgrammeImpact,
    evidence_object,
    issue_counts,
)
from api.nodes import AsOfArg, ResultsLevelEnum, decode_global_id, node_object
from graph.errors import NotFound
from graph.model import Node, NodeKind

T = TypeVar("T")

#: Default depth of ``contributions``: actor, programme, activity, then five results levels.
CONTRIBUTIONS_DEPTH = 8
#: Default depth of ``programmeImpact``: programme, activity, then five results levels.
IMPACT_DEPTH = 7


def _day(as_of: dt.date | None) -> str | None:
    return None if as_of is None else as_of.isoformat()


async def _answer(
    ctx: Context,
    params: tuple[Any, ...],
    depth: int,
    min_share: float,
    as_of: dt.date | None,
    run: Callable[[lin.FlowIndex], T],
    size: Callable[[T], int],
) -> tuple[int, T]:
    """The revision and ``run(index)`` over the flow index of (asOf, minShare), cached per
    revision and ``params``; the work runs in a worker thread.

    A result holds its index alive, so it weighs that too: the results cache's budget then
    bounds the indexes kept alive through it (shared ones are counted more than once, which
    errs on the side of memory).
    """
    lin.check_depth(depth)
    lin.check_share(min_share)
    day = _day(as_of)

    async def compute() -> tuple[T, lin.FlowIndex]:
        index = await index_for(ctx.store, day, min_share)
        return await asyncio.to_thread(run, index), index

    revision, (result, _) = await cached_result(
        ctx.store,
        (*params, depth, min_share, day),
        compute,
        lambda found: size(found[0]) + found[1].weight,
    )
    return revision, result


async def _check_shown(ctx: Context, key: str, what: str) -> None:
    """Refuse a subject the caller may not see exactly as the analytics refuse one that does
    not exist (same error, same message), so the answer does not reveal that it exists, nor
    its kind."""
    found = await ctx.node_loader.load(key)
    if found is not None and not ctx.policy.shows(found):
        raise NotFound(f"no {what} with id {key!r}", field=what)


OutcomeArg = Annotated[strawberry.ID, strawberry.argument(description="The outcome (id or key).")]
ActorArg = Annotated[strawberry.ID, strawberry.argument(description="The actor (id or key).")]
ProgrammeArg = Annotated[
    strawberry.ID, strawberry.argument(description="The programme (id or key).")
]


@strawberry.type
class LineageQuery:
    @strawberry.field(
        description="What led to an outcome and what it led to: the lineage graph (nodes and "
        "links, each with its kind, properties and node) and its distinct paths, within "
        "`depth` relationships. Attribution rule: docs/LINEAGE.md."
    )
    async def outcome_lineage(
        self,
        info: Info[Context, Any],
        outcome: OutcomeArg,
        direction: Annotated[
            LineageDirection,
            strawberry.argument(description="Which way to go from the outcome (default UPSTREAM)."),
        ] = LineageDirection.UPSTREAM,
        depth: DepthArg = lin.DEFAULT_DEPTH,
        min_share: MinShareArg = 0.0,
        as_of: AsOfArg = None,
    ) -> OutcomeLineage:
        ctx = info.context
        key = decode_global_id(outcome)
        await _check_shown(ctx, key, "outcome")
        way = lin.LineageDirection(str(direction.value))
        revision, result = await _answer(
            ctx,
            ("lineage", key, way),
            depth,
            min_share,
            as_of,
            lambda index: lin.outcome_lineage(index, key, direction=way, depth=depth),
            lambda found: found.size,
        )
        return OutcomeLineage(
            result=result,
            policy=ctx.policy,
            outcome=node_object(ctx.policy, result.start),  # type: ignore[arg-type]
            direction=direction,
            depth=depth,
            min_share=min_share,
            as_of=as_of,
            revision=revision,
        )

    @strawberry.field(
        description="The outcomes an actor reached through its partnerships and participations, "
        "each with the share attributed to the actor and the paths that justify it. "
        "Attribution rule: docs/LINEAGE.md."
    )
    async def contributions(
        self,
        info: Info[Context, Any],
        actor: ActorArg,
        depth: DepthArg = CONTRIBUTIONS_DEPTH,
        min_share: MinShareArg = 0.0,
        as_of: AsOfArg = None,
    ) -> Contributions:
        ctx = info.context
        key = decode_global_id(actor)
        await _check_shown(ctx, key, "actor")
        revision, result = await _answer(
            ctx,
            ("contributions", key),
            depth,
            min_share,
            as_of,
            lambda index: lin.contributions(index, key, depth=depth),
            lambda found: len(found.hops),
        )
        return Contributions(
            result=result,
            policy=ctx.policy,
            actor=node_object(ctx.policy, result.subject),  # type: ignore[arg-type]
            depth=depth,
            min_share=min_share,
            as_of=as_of,
            revision=revision,
        )

    @strawberry.field(
        description="A programme's impact summary: outcomes reached by results level with the "
        "share attributed to the programme, its partners' parts of that credit, and the "
        "evidence coverage of the results links. Attribution rule: docs/LINEAGE.md."
    )
    async def programme_impact(
        self,
        info: Info[Context, Any],
        programme: ProgrammeArg,
        depth: DepthArg = IMPACT_DEPTH,
        min_share: MinShareArg = 0.0,
        as_of: AsOfArg = None,
    ) -> ProgrammeImpact:
        ctx = info.context
        key = decode_global_id(programme)
        await _check_shown(ctx, key, "programme")
        revision, result = await _answer(
            ctx,
            ("impact", key),
            depth,
            min_share,
            as_of,
            lambda index: lin.programme_impact(index, key, depth=depth),
            lambda found: len(found.contributions.hops),
        )
        return ProgrammeImpact(
            result=result,
            policy=ctx.policy,
            programme=node_object(ctx.policy, result.programme),  # type: ignore[arg-type]
            depth=depth,
            min_share=min_share,
            as_of=as_of,
            revision=revision,
            by_level=[
                LevelCount(level=ResultsLevelEnum(level), count=n)
                for level, n in result.by_level.items()
            ],
            evidence=evidence_object(result.evidence),
        )

    @strawberry.field(
        description="Gaps in the recorded lineage: outcomes with no producer, links without "
        "evidence, and partners with activity but no recorded outcome."
    )
    async def lineage_issues(
        self, info: Info[Context, Any], as_of: AsOfArg = None
    ) -> LineageIssues:
        ctx = info.context

        async def compute() -> tuple[list[lin.Issue], dict[str, Node]]:
            snapshot = await ctx.store.snapshot()
            # The frozen snapshot is safe to read from a worker thread; the event loop keeps
            # serving other requests meanwhile.
            found = await asyncio.to_thread(lin.lineage_issues, snapshot.graph, _day(as_of))
            attrs = snapshot.graph.nodes
            subjects = {
                i.subject: Node(i.subject, NodeKind(attrs[i.subject]["kind"]), attrs[i.subject])
                for i in found
            }
            return found, subjects

        revision, (found, subjects) = await cached_result(
            ctx.store, ("issues", _day(as_of)), compute, lambda r: 2 * len(r[0])
        )
        return LineageIssues(
            found=found,
            subjects=subjects,
            as_of=as_of,
            revision=revision,
            # Counted as listed: an issue about an actor hidden from the caller is neither.
            counts=issue_counts(ctx.policy.shown(found, lambda i: (subjects[i.subject],))),
        )
