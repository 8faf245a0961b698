"""Errors of the network analyses, as coded GraphQL errors.

Clients branch on ``extensions.code`` (docs/API.md). Two codes are particular to analyses:

- ``ANALYSIS_TOO_LARGE``: the network is too large for the measure within the work budget;
  the message says what to do instead (sample betweenness, or narrow the network), and
  ``extensions`` carry ``measure``, ``cost`` and ``budget`` for clients that adapt by
  themselves.
- ``NOT_CONVERGED``: an iterative measure (eigenvector, PageRank) did not converge.

Arguments refused by value are ``BAD_USER_INPUT`` as everywhere else.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import GraphQLError

from analytics.centrality import AnalysisTooLarge

ANALYSIS_TOO_LARGE: Final = "ANALYSIS_TOO_LARGE"
NOT_CONVERGED: Final = "NOT_CONVERGED"


class AnalysisError(GraphQLError):
    """A deliberate, coded error of an analysis; its message is written for the client."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def too_large(err: AnalysisTooLarge, *, edges: int | None = None) -> AnalysisError:
    """The budget error, with advice in the API's terms rather than the library's.

    ``edges`` (the network's size, given for betweenness only) says that sampling is
    possible: a sample of ``k`` sources costs ``k * edges``.
    """
    if edges is not None:
        affordable = err.budget // max(edges, 1)
        advice = (
            f"pass `sample: {{k: {affordable}}}` (or fewer sources) for an estimate, "
            "or `allowSampling: true` to sample as many sources as the budget allows"
            if affordable >= 2
            else "no sample fits in the budget; narrow the network with `filter`"
        )
    else:
        advice = "narrow the network with `filter` (kinds, roles, region, theme, asOf)"
    return AnalysisError(
        f"{err.measure} would cost about {err.cost:,} units of work on this network, over "
        f"the budget of {err.budget:,}; {advice}.",
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
