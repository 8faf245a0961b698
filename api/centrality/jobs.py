"""Centrality rankings as analysis jobs: what a job computes, and where its result is found.

A job of ``startAnalysis`` (``api.centrality.job_fields``) computes exactly what the
``centrality`` query would, with the job's work budget instead of the interactive one, in a
child process (:mod:`api.jobs`). Its result is kept under (revision, :func:`job_key`), which
leaves out what cannot change a finished ranking (the budget, and ``allowSampling``: an exact
ranking is what sampling estimates), so the ``centrality`` query asking the same thing at the
same revision is served the job's ranking (:func:`kept_ranking`) instead of being refused.

The analysed network is built in the server as for an interactive query (the same cache, within
the interactive budget: a co-partnership projection over it is refused with the same advice),
then sent to the child as arrays (:mod:`api.jobs.transport`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Final

import networkx as nx

from analytics.errors import AnalysisTooLarge
from api.centrality import analyses
from api.centrality.errors import ANALYSIS_TOO_LARGE, NOT_CONVERGED, not_converged, too_large
from api.centrality.params import NetworkParams
from api.centrality.service import AnalysisService
from api.jobs import JobFailure, JobManager, JobSpec, preload
from api.jobs.transport import GraphPayload
from api.jobs.worker import Report
from graph.errors import GraphError

#: Bytes a finished ranking holds per node: 225 measured (tracemalloc of a 23,845-node ranking
#: as it arrives from the child: the scores dict, the ranked tuples, their floats and id
#: strings; CPython 3.11), rounded up.
BYTES_PER_NODE: Final = 250
STORE_UNAVAILABLE: Final = "STORE_UNAVAILABLE"

# The forkserver imports this module (and so the analytics stack) once, not each job.
preload(__name__)


def job_key(params: NetworkParams, req: analyses.MeasureRequest) -> Hashable:
    """What a ranking depends on besides the revision: the network and the measure's options,
    without the budget and ``allow_sampling`` (which change whether it is computed, not what
    it is)."""
    return ("centrality", params, dataclasses.replace(req, budget=0, allow_sampling=False))


def kept_ranking(
    jobs: JobManager | None, revision: int, params: NetworkParams, req: analyses.MeasureRequest
) -> analyses.Ranking | None:
    """The ranking a job finished for these parameters at ``revision``, if kept."""
    if jobs is None:
        return None
    found: analyses.Ranking | None = jobs.result(revision, job_key(params, req))
    return found


@dataclass(frozen=True)
class Detail:
    """What a centrality job computes, for presenting it (``AnalysisJob``)."""

    params: NetworkParams
    request: analyses.MeasureRequest


def spec(service: AnalysisService, params: NetworkParams, req: analyses.MeasureRequest) -> JobSpec:
    """The job computing ``req`` on the network of ``params`` (``req.budget`` is the job's)."""

    async def prepare() -> tuple[int, GraphPayload]:
        network = await service.network(params)
        payload = await asyncio.to_thread(GraphPayload.of, network.graph)
        return network.revision, payload

    return JobSpec(
        key=job_key(params, req),
        prepare=prepare,
        work=functools.partial(run_measure, req),
        weigh=weigh,
        failure=failure,
        detail=Detail(params, req),
    )


def run_measure(
    req: analyses.MeasureRequest, payload: GraphPayload, report: Report
) -> analyses.Ranking | JobFailure:
    """The work of a job, in its child process: the measure on the network sent."""
    graph = payload.graph()
    try:
        return analyses.measure(graph, req)
    except AnalysisTooLarge as err:
        edges = graph.number_of_edges() if err.measure == "betweenness" else None
        return JobFailure(ANALYSIS_TOO_LARGE, too_large(err, edges=edges, job=True).message)
    except nx.PowerIterationFailedConvergence:
        return JobFailure(NOT_CONVERGED, not_converged(str(req.measure)).message)


def weigh(ranking: Any) -> int:
    """Bytes a ranking holds, roughly (the bound on kept results is in bytes)."""
    return BYTES_PER_NODE * max(1, len(ranking.ranked))


def failure(err: Exception) -> JobFailure | None:
    """An error met while building the network, for the client."""
    if isinstance(err, AnalysisTooLarge):
        return JobFailure(ANALYSIS_TOO_LARGE, too_large(err).message)
    if isinstance(err, GraphError):
        return JobFailure(
            STORE_UNAVAILABLE, "the graph store could not be read; start the analysis again later"
        )
    return None
