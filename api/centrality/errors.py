"""Errors of the network analyses, as coded GraphQL errors.

Clients branch on ``extensions.code`` (docs/API.md). Two codes are particular to analyses:

- ``ANALYSIS_TOO_LARGE``: the network is too large for the measure within the work budget;
  the message says what to do instead (sample betweenness, or narrow the network), and
  ``extensions`` carry ``measure``, ``cost`` and ``budget`` for clients that adapt by
  themselves.
- ``NOT_CONVERGED``: an iterative measure (eigenvector, PageRank) did not converge.

Analysis jobs (``api.centrality.job_fields``) add ``JOB_LOST`` (a job id of an earlier run of
the server: jobs live in memory) and ``JOB_RESULT_DROPPED`` (a finished job's result was
dropped to keep memory bounded); refusals of ``startAnalysis`` are ``userErrors``.

Arguments refused by value are ``BAD_USER_INPUT`` as everywhere else.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import GraphQLError

from analytics.centrality import AnalysisTooLarge

ANALYSIS_TOO_LARGE: Final = "ANALYSIS_TOO_LARGE"
NOT_CONVERGED: Final = "NOT_CONVERGED"
JOB_LOST: Final = "JOB_LOST"
JOB_RESULT_DROPPED: Final = "JOB_RESULT_DROPPED"


class AnalysisError(GraphQLError):
    """A deliberate, coded error of an analysis; its message is written for the client."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


class MeasureTooLarge(AnalysisTooLarge):
    """A measure over the interactive budget on a network that could be built: what an
    analysis job can run (unlike a projection over the budget, which a job builds the same
    way). Raised by the ``centrality`` query in place of the analytics' error."""

    @classmethod
    def of(cls, err: AnalysisTooLarge) -> MeasureTooLarge:
        return cls(err.measure, err.cost, err.budget, "")


def too_large(
    err: AnalysisTooLarge, *, edges: int | None = None, job: bool = False
) -> AnalysisError:
    """The budget error, with advice in the API's terms rather than the library's.

    ``edges`` (the network's size, given for betweenness only) says that sampling is
    possible: a sample of ``k`` sources costs ``k * edges``. A measure a job can run
    (:class:`MeasureTooLarge`) names ``startAnalysis``; ``job`` words the refusal of a job,
    which has a budget of its own.
    """
    if edges is not None:
        affordable = err.budget // max(edges, 1)
        allow = "" if job else ", or `allowSampling: true` to sample as many sources as fit"
        advice = (
            f"pass `sample: {{k: {affordable}}}` (or fewer sources) for an estimate{allow}"
            if affordable >= 2
            else "no sample fits in the budget; narrow the network with `filter`"
        )
    else:
        advice = "narrow the network with `filter` (kinds, roles, region, theme, asOf)"
    if isinstance(err, MeasureTooLarge) and not job:
        advice += (
            "; or compute it exactly in the background with the `startAnalysis` mutation "
            "(analysts and above): once that job is done, this query is answered from its "
            "result at the same revision"
        )
    budget = "the job work budget (PARTNERNET_JOB_WORK_BUDGET)" if job else "the budget"
    return AnalysisError(
        f"{err.measure} would cost about {err.cost:,} units of work on this network, over "
        f"{budget} of {err.budget:,}; {advice}.",
        ANALYSIS_TOO_LARGE,
        measure=err.measure,
        cost=err.cost,
        budget=err.budget,
    )


def not_converged(measure: str) -> AnalysisError:
    return AnalysisError(
        f"{measure} did not converge within its iteration limit on this network; try "
        "PAGERANK or DEGREE, or narrow the network",
        NOT_CONVERGED,
        measure=measure,
    )
