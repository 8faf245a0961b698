"""GraphQL of analysis jobs: ``startAnalysis``, ``cancelAnalysis``, ``analysisJob``,
``analysisJobs``.

A job computes a ``centrality`` ranking over the interactive work budget, in a child process
(:mod:`api.jobs`, :mod:`api.centrality.jobs`). Who may do what:

- **start**: analysts and above (``Policy.privileged``); anyone else gets a ``FORBIDDEN`` user
  error and nothing starts. Over the limits (the caller's jobs, the server's queue): a
  ``TOO_MANY_JOBS`` user error whose message says which limit.
- **see and cancel**: a caller sees its own jobs only (owned by its key, ``Context.caller``),
  admins every job. Another caller's job is ``NOT_FOUND`` with the message a missing id gets,
  so ids cannot be probed; an id of an earlier run of the server is ``JOB_LOST``.
- **the result** is a ``CentralityRanking`` presented as the ``centrality`` query presents it
  (``present_ranking``), through the reader's policy: restricted actors are left out for callers
  who may not see them, with no gap in the ranks.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.centrality import jobs as centrality_jobs
from api.centrality import service as svc
from api.centrality import types as t
from api.centrality.errors import JOB_LOST, JOB_RESULT_DROPPED, AnalysisError
from api.centrality.queries import (
    DEFAULT_TOP,
    RankKindsArg,
    TopArg,
    centrality_request,
    present_ranking,
)
from api.context import Context
from api.core.paging import DEFAULT_PAGE, Connection, Cursors, Edge, page
from api.core.user_errors import UserError, UserErrorCode
from api.errors import ApiError, ErrorCode
from api.jobs import Job, JobLost, JobManager, JobNotFound, JobRefused, JobState
from graph.keys import Role

# --------------------------------------------------------------------------- types


@strawberry.enum(name="AnalysisJobState", description="Where an analysis job is in its life.")
class JobStateEnum(Enum):
    QUEUED = strawberry.enum_value(
        "QUEUED", description="Waiting for a slot (PARTNERNET_JOBS_RUNNING run at once)."
    )
    RUNNING = strawberry.enum_value(
        "RUNNING", description="Building the network, then computing in a process of its own."
    )
    DONE = strawberry.enum_value("DONE", description="Finished: `result` holds the ranking.")
    FAILED = strawberry.enum_value("FAILED", description="Stopped by an error: see `error`.")
    CANCELLED = strawberry.enum_value(
        "CANCELLED", description="Cancelled (cancelAnalysis, or the server stopping)."
    )


@strawberry.enum(name="AnalysisJobErrorCode", description="Why an analysis job failed.")
class JobErrorCodeEnum(Enum):
    ANALYSIS_TOO_LARGE = strawberry.enum_value(
        "ANALYSIS_TOO_LARGE",
        description="Over the job work budget (PARTNERNET_JOB_WORK_BUDGET), or a co-partnership "
        "projection over the interactive one; the message says how to narrow it.",
    )
    NOT_CONVERGED = strawberry.enum_value(
        "NOT_CONVERGED", description="Eigenvector or PageRank iteration did not converge."
    )
    TIMED_OUT = strawberry.enum_value(
        "TIMED_OUT",
        description="Ran past the wall-clock limit (PARTNERNET_JOB_TIMEOUT_SECONDS) and was "
        "stopped.",
    )
    WORKER_DIED = strawberry.enum_value(
        "WORKER_DIED",
        description="The process computing it ended without an answer (e.g. killed by the "
        "system for lack of memory).",
    )
    STORE_UNAVAILABLE = strawberry.enum_value(
        "STORE_UNAVAILABLE", description="The graph store could not be read."
    )
    INTERNAL_SERVER_ERROR = strawberry.enum_value(
        "INTERNAL_SERVER_ERROR", description="Anything unexpected; the server log has it."
    )


@strawberry.type(name="AnalysisJobError", description="Why an analysis job failed.")
class JobError:
    code: JobErrorCodeEnum = strawberry.field(description="What went wrong, for programs.")
    message: str = strawberry.field(description="What went wrong and what to do, for people.")


@strawberry.type(
    description="A long analysis run in the background: a centrality ranking over the "
    "interactive work budget. Jobs live in the server's memory: a restart loses them "
    "(asking for one then is a JOB_LOST error)."
)
class AnalysisJob:
    job: strawberry.Private[Job]
    id: strawberry.ID = strawberry.field(
        description="The job's id; it names the server run that holds the job."
    )
    state: JobStateEnum = strawberry.field(description="Where the job is.")
    measure: t.MeasureEnum = strawberry.field(description="The measure computed.")
    projection: t.ProjectionEnum = strawberry.field(description="The graph it runs on.")
    progress: float | None = strawberry.field(
        description="Fraction done, from 0 to 1, when known: 0 while queued, 1 when done. While "
        "running, null unless the computation reports it (the compiled backends report "
        "nothing, so no figure is made up)."
    )
    revision: int | None = strawberry.field(
        description="Graph revision analysed, fixed when the job starts running (a queued job "
        "analyses the revision current when its turn comes); null while queued."
    )
    current_revision: int = strawberry.field(
        description="The graph's revision now (when this answer was made)."
    )
    stale: bool = strawberry.field(
        description="True when the graph was written since the revision analysed: the result "
        "(kept, for that revision) no longer describes the current graph and is never served "
        "for the current revision; start the job again for it."
    )
    created_at: dt.datetime = strawberry.field(description="When it was started (UTC).")
    started_at: dt.datetime | None = strawberry.field(
        description="When it left the queue (UTC); null while queued."
    )
    finished_at: dt.datetime | None = strawberry.field(
        description="When it was done, failed or cancelled (UTC)."
    )
    deadline: dt.datetime | None = strawberry.field(
        description="When a running job is stopped if not done (PARTNERNET_JOB_TIMEOUT_SECONDS "
        "after it started)."
    )
    error: JobError | None = strawberry.field(description="Why it failed; null otherwise.")

    @strawberry.field(
        description="The ranking, once DONE (null before, and after a failure or "
        "cancellation), for the revision analysed (`revision`), shown as `centrality` shows "
        "it. If it was dropped to keep memory bounded (PARTNERNET_JOB_RESULTS_MB): null and a "
        "JOB_RESULT_DROPPED error."
    )
    async def result(
        self,
        info: Info[Context, Any],
        top: TopArg = DEFAULT_TOP,
        rank_kinds: RankKindsArg = None,
    ) -> t.CentralityRanking | None:
        job = self.job
        if job.state is not JobState.DONE or job.revision is None:
            return None
        ranking = _manager(info).result(job.revision, job.key)
        if ranking is None:
            raise AnalysisError(
                "the result of this analysis job was dropped to make room for newer ones "
                "(PARTNERNET_JOB_RESULTS_MB bounds what is kept); start it again",
                JOB_RESULT_DROPPED,
            )
        detail: centrality_jobs.Detail = job.detail
        return await present_ranking(
            info,
            detail.params,
            detail.request,
            job.revision,
            ranking,
            top=top,
            rank_kinds=rank_kinds,
        )


def _job(job: Job, current: int) -> AnalysisJob:
    detail: centrality_jobs.Detail = job.detail
    failure = job.failure
    return AnalysisJob(
        job=job,
        id=strawberry.ID(job.id),
        state=JobStateEnum[job.state.value],
        measure=t.MeasureEnum[detail.request.measure.value],
        projection=t.ProjectionEnum[detail.params.projection.value],
        progress=job.progress,
        revision=job.revision,
        current_revision=current,
        stale=job.revision is not None and job.revision != current,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        deadline=job.deadline if job.state is JobState.RUNNING else None,
        error=None
        if failure is None
        else JobError(code=JobErrorCodeEnum[failure.code], message=failure.message),
    )


@strawberry.type(description="A page of analysis jobs.")
class AnalysisJobConnection(Connection[AnalysisJob]):
    pass


@strawberry.input(
    description="What to compute: the arguments of `centrality` that choose the ranking "
    "(which entries to show is chosen when reading the result)."
)
class StartAnalysisInput:
    measure: t.MeasureEnum = strawberry.field(description="The measure.")
    projection: t.ProjectionEnum = strawberry.field(
        default=t.ProjectionEnum.FULL, description="The graph to analyse (default FULL)."
    )
    filter: t.NetworkFilter | None = strawberry.field(
        default=None, description="Which part of the network, and as of when."
    )
    weighted: bool = strawberry.field(
        default=False, description="Use tie strengths, as in `centrality`."
    )
    normalized: bool = strawberry.field(
        default=True, description="Normalise as in `centrality` (default true)."
    )
    sample: t.CentralitySampleInput | None = strawberry.field(
        default=None, description="BETWEENNESS only: estimate from `k` sources."
    )
    damping: float | None = strawberry.field(
        default=None, description="PAGERANK only: probability of following a tie."
    )
    directed: bool = strawberry.field(
        default=False, description="FULL only: keep relationship directions."
    )
    half_life_years: float | None = strawberry.field(
        default=None, description="CO_PARTNERSHIP only: recency weighting, as in `centrality`."
    )


@strawberry.type(description="The job started (or the caller's same job, already under way).")
class StartAnalysisPayload:
    job: AnalysisJob | None = strawberry.field(description="The job; null on errors.")
    user_errors: list[UserError] = strawberry.field(description="Why no job was started.")


@strawberry.input(description="The job to cancel.")
class CancelAnalysisInput:
    id: strawberry.ID = strawberry.field(description="The job's id.")


@strawberry.type(description="The job after cancelling.")
class CancelAnalysisPayload:
    job: AnalysisJob | None = strawberry.field(
        description="The job: CANCELLED, or as it was if it had already finished; null on errors."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was cancelled.")


# --------------------------------------------------------------------------- helpers


def _manager(info: Info[Context, Any]) -> JobManager:
    jobs = info.context.jobs
    if jobs is None:  # an app always has one (its lifespan makes it)
        raise RuntimeError("no job manager in the context")
    return jobs


def _sees_all(info: Info[Context, Any]) -> bool:
    role = info.context.policy.role
    return role is not None and role.allows(Role.ADMIN)


def _find(info: Info[Context, Any], job_id: str) -> Job:
    """The job, if the caller may see it; coded errors otherwise."""
    try:
        return _manager(info).find(job_id, owner=info.context.caller, sees_all=_sees_all(info))
    except JobLost as err:
        raise AnalysisError(str(err), JOB_LOST) from None
    except JobNotFound as err:
        raise ApiError(str(err), ErrorCode.NOT_FOUND) from None


def _input_error(err: ApiError) -> UserError:
    """An argument refused by value, as a user error at its input field."""
    argument = (err.extensions or {}).get("argument")
    return UserError(
        field=["input", argument] if argument else None,
        message=err.message,
        code=UserErrorCode.INVALID,
    )


# --------------------------------------------------------------------------- fields


@strawberry.type
class JobQuery:
    @strawberry.field(
        description="One analysis job: your own (admins: any). Another caller's job or an "
        "unknown id is NOT_FOUND; an id of an earlier run of the server is JOB_LOST."
    )
    async def analysis_job(
        self,
        info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description="The job's id.")],
    ) -> AnalysisJob | None:
        job = _find(info, str(id))
        return _job(job, await info.context.store.revision())

    @strawberry.field(
        description="Your analysis jobs (admins: everyone's), newest first: those queued or "
        "running, and the most recent finished ones the server keeps."
    )
    async def analysis_jobs(
        self,
        info: Info[Context, Any],
        first: Annotated[
            int, strawberry.argument(description="Page size, 1 to 100 (default 20).")
        ] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor: the page after this job.")
        ] = None,
    ) -> AnalysisJobConnection:
        listed = _manager(info).listed(owner=info.context.caller, sees_all=_sees_all(info))
        current = await info.context.store.revision()
        cursors = Cursors("analysis-jobs", 1)
        ids = [j.id for j in listed]

        def start(key: tuple[str, ...]) -> int | None:
            try:
                return ids.index(key[0]) + 1
            except ValueError:
                return None

        def edge(i: int) -> Edge[AnalysisJob]:
            return Edge(node=_job(listed[i], current), cursors=cursors, position=(ids[i],))

        found: AnalysisJobConnection = page(
            cursors,
            len(listed),
            start,
            edge,
            first=first,
            after=after,
            cls=AnalysisJobConnection,
        )
        return found


@strawberry.type
class JobMutation:
    @strawberry.mutation(
        description="Start a centrality analysis as a job (analysts and above): for work over "
        "the interactive budget, e.g. exact BETWEENNESS or CLOSENESS of a large network. "
        "Returns at once; follow it with `analysisJob(id:)`. Once it is done, `centrality` with "
        "the same arguments at the same revision is answered from its result. Starting what "
        "you already have queued, running or done at this revision returns that job."
    )
    async def start_analysis(
        self,
        info: Info[Context, Any],
        input: Annotated[StartAnalysisInput, strawberry.argument(description="What to compute.")],
    ) -> StartAnalysisPayload:
        manager = _manager(info)
        if not info.context.policy.privileged:
            error = UserError(
                field=None,
                message="only analysts and above may start analysis jobs: send an analyst's key",
                code=UserErrorCode.FORBIDDEN,
            )
            return StartAnalysisPayload(job=None, user_errors=[error])
        try:
            params, req = await centrality_request(
                info,
                input.measure,
                input.projection,
                input.filter,
                weighted=input.weighted,
                normalized=input.normalized,
                sample=input.sample,
                allow_sampling=False,
                damping=input.damping,
                directed=input.directed,
                half_life_years=input.half_life_years,
                budget=manager.limits.work_budget,
            )
        except ApiError as err:
            if (err.extensions or {}).get("code") != ErrorCode.BAD_USER_INPUT.value:
                raise
            return StartAnalysisPayload(job=None, user_errors=[_input_error(err)])
        store = info.context.store
        revision = await store.revision()
        spec = centrality_jobs.spec(svc.service_for(store), params, req)
        try:
            job = manager.submit(info.context.caller, spec, revision)
        except JobRefused as err:
            error = UserError(field=None, message=str(err), code=UserErrorCode.TOO_MANY_JOBS)
            return StartAnalysisPayload(job=None, user_errors=[error])
        return StartAnalysisPayload(job=_job(job, revision), user_errors=[])

    @strawberry.mutation(
        description="Cancel an analysis job: a queued one leaves the queue, a running one's "
        "process is killed (the work stops; nothing is kept). Returns once it is stopped. A "
        "finished job is returned as it is."
    )
    async def cancel_analysis(
        self,
        info: Info[Context, Any],
        input: Annotated[CancelAnalysisInput, strawberry.argument(description="The job.")],
    ) -> CancelAnalysisPayload:
        try:
            job = _find(info, str(input.id))
        except AnalysisError as err:
            error = UserError(
                field=["input", "id"], message=err.message, code=UserErrorCode.JOB_LOST
            )
            return CancelAnalysisPayload(job=None, user_errors=[error])
        except ApiError as err:
            error = UserError(
                field=["input", "id"], message=err.message, code=UserErrorCode.NOT_FOUND
            )
            return CancelAnalysisPayload(job=None, user_errors=[error])
        await _manager(info).cancel(job)
        return CancelAnalysisPayload(
            job=_job(job, await info.context.store.revision()), user_errors=[]
        )
