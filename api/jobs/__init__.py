"""Analysis jobs: long analyses run in child processes, queued, bounded, kept per revision.

``manager`` holds the machinery (:class:`JobManager`, one per app, made in its lifespan),
``worker`` the child process's side, ``transport`` how a network travels to it. Areas describe
what a job computes with a :class:`JobSpec` and present the :class:`Job` in their own schema
(centrality: ``api.centrality.jobs``).
"""

from __future__ import annotations

from api.jobs.manager import (
    Job,
    JobLimits,
    JobLost,
    JobManager,
    JobNotFound,
    JobRefused,
    JobSpec,
    JobState,
    preload,
)
from api.jobs.worker import JobFailure

__all__ = [
    "Job",
    "JobFailure",
    "JobLimits",
    "JobLost",
    "JobManager",
    "JobNotFound",
    "JobRefused",
    "JobSpec",
    "JobState",
    "preload",
]
