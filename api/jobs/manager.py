"""Analysis jobs: work over the interactive budget, run to the end in a child process.

An interactive request must answer within its deadline, so analyses it asks for are bounded by a
work budget (docs/METRICS.md) and refused over it. A job is how such work is done anyway: it is
queued, run in a process of its own, and its result kept per (revision, parameters), where the
interactive queries find it as they find a cached result. This module is the machinery, and
knows nothing of what is computed: an area hands it a :class:`JobSpec` (how to build the
payload, the picklable work, how to weigh the result) and presents the :class:`Job` itself.

**Lifecycle.** ``QUEUED`` (waiting for a slot) -> ``RUNNING`` (building the network in the
server, then computing in the child) -> ``DONE`` | ``FAILED`` | ``CANCELLED``. A queued job holds
no network: it is built when the job starts, from the revision current then, which becomes the
job's ``revision``. A write after that makes the job *stale* (the area compares its revision
with the store's: a derived fact, not a state, since it can happen after the job is done); a
stale job runs on and keeps its result, which is served for its own revision only.

**Why a child process.** The compiled backends (rustworkx, NetworKit) run without returning to
Python, so a thread cannot be stopped: cancelling would only drop the result while the work went
on for up to hours. A process can be killed, which stops the work and frees its memory at once.
Processes come from multiprocessing's ``forkserver``: a clean single-threaded process started
once, at the first job (never a fork of this threaded server), which imports what the work
needs (``PRELOAD``) and forks each job from there, so a job starts in about 5 ms instead of
importing the analytics stack anew (``spawn``: 1.1 to 1.2 s before the child reads its work, at
every job; the forkserver pays that once). The analysed network is sent as arrays
(:mod:`api.jobs.transport`: 0.1 s for the 163,000 links of the 20,000-actor synthetic network,
and 0.3 s for the child to rebuild it) and the result pickled back (6 ms). The child runs at a
lower priority (``worker.NICE``): interactive requests come first. If the server dies, the
child notices the closed connection and exits.

**Limits** (:class:`JobLimits`, from the settings): jobs running at once in the server, jobs
waiting in its queue, jobs one caller may have queued or running, a wall-clock limit on each
running job (the process is killed there; the child also stops itself at that deadline in
case the server could not kill it), the work budget a job may spend, and the memory finished
results may hold (least recently used out first). Finished job records are kept up to
``FINISHED_KEPT``.

**Restarts.** Jobs live in this process's memory only. A job's id carries the id of the run of
the manager that made it (``aj-<run>-<token>``), so an id from an earlier run (a restart, or
another replica) is told apart from an unknown one (:class:`JobLost`) and the client is told to
start it again. At shutdown every running child is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import functools
import logging
import math
import multiprocessing
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing.connection import wait
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any, Final

from cachetools import LRUCache

from api.jobs import worker
from api.jobs.worker import JobFailure

log = logging.getLogger("partnernet")

#: How job processes are started: never ``fork`` (this server runs threads).
START_METHOD: Final = "forkserver"
#: Modules the forkserver imports once, so that each job starts without importing them; an area
#: adds the module of its work (:func:`preload`). ``__main__`` too: each child would otherwise run
#: the server's main script again (``partnernet``, which imports the whole API).
PRELOAD: list[str] = ["__main__", "api.jobs.worker"]
#: Finished job records kept (their results are bounded separately, by memory).
FINISHED_KEPT: Final = 256
#: Seconds the child's own deadline trails the server's, which normally stops it first.
DEADLINE_GRACE: Final = 5.0
#: Seconds a child that has answered gets to exit before it is killed.
EXIT_WAIT: Final = 2.0
#: Seconds shutdown waits for killed jobs to be reaped.
SHUTDOWN_WAIT: Final = 30.0

# Failure codes of the machinery (areas add their own, e.g. ANALYSIS_TOO_LARGE).
TIMED_OUT: Final = "TIMED_OUT"
WORKER_DIED: Final = "WORKER_DIED"
INTERNAL: Final = "INTERNAL_SERVER_ERROR"
INTERNAL_MESSAGE: Final = "The analysis failed unexpectedly; it has been logged."

_ID: Final = re.compile(r"aj-([0-9a-f]{8})-([0-9a-f]{16})")


def preload(module: str) -> None:
    """Have the forkserver import ``module`` (the one holding an area's work) before it forks
    the first job. Effective for a forkserver not yet started (it starts with the first job)."""
    if module not in PRELOAD:
        PRELOAD.append(module)


class JobState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


FINISHED: Final = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True)
class JobLimits:
    """The bounds of jobs (settings ``PARTNERNET_JOB*``; README's table)."""

    #: Jobs running at once in the whole server; 0 turns jobs off.
    running: int = 1
    #: Jobs waiting for a slot, whole server.
    queued: int = 4
    #: Jobs one caller may have queued or running.
    per_caller: int = 2
    #: Wall-clock seconds a job may run (from leaving the queue).
    timeout_seconds: float = 7200.0
    #: Work budget of a job's measure (units of docs/METRICS.md, "Work budget").
    work_budget: int = 200_000_000_000
    #: Bytes of finished results kept (estimated), least recently used out first.
    results_bytes: int = 256 * 2**20

    def __post_init__(self) -> None:
        """Each problem is ``"field: what is wrong"`` (the settings name the variable)."""
        for name in ("running", "queued"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: must be 0 or more, got {getattr(self, name)}")
        if self.per_caller < 1:
            raise ValueError(f"per_caller: must be at least 1, got {self.per_caller}")
        if not (math.isfinite(self.timeout_seconds) and self.timeout_seconds > 0):
            raise ValueError(f"timeout_seconds: must be above 0, got {self.timeout_seconds}")
        if self.work_budget < 1:
            raise ValueError(f"work_budget: must be at least 1, got {self.work_budget}")
        if self.results_bytes < 2**20:
            raise ValueError(f"results_bytes: must be at least 1 MiB, got {self.results_bytes}")


class JobRefused(Exception):
    """A job refused by the limits; the message says which and what to do."""

    code: Final = "TOO_MANY_JOBS"


class JobLost(Exception):
    """An id made by another run of the server: its jobs are gone."""

    code: Final = "JOB_LOST"


class JobNotFound(Exception):
    """No job with this id in this run, or one the caller may not see (the same answer)."""


@dataclass
class JobSpec:
    """What a job computes, from the area that starts it.

    ``prepare()`` runs in the server when the job leaves the queue and returns the revision
    analysed and the payload sent to the child (build it off the event loop). ``work(payload,
    report)`` runs in the child: a picklable callable, returning the result or a
    :class:`JobFailure`. ``failure(err)`` turns an error of ``prepare`` into a failure for the
    client (None: an internal error, logged). ``weigh(result)``: bytes it holds, roughly.
    ``key`` names what is computed, revision aside: a finished result is kept under
    ``(revision, key)``. ``detail`` is the area's, for presenting the job.
    """

    key: Hashable
    prepare: Callable[[], Awaitable[tuple[int, Any]]]
    work: Callable[[Any, worker.Report], Any]
    weigh: Callable[[Any], int]
    failure: Callable[[Exception], JobFailure | None]
    detail: Any = None


class _Stop(enum.Enum):
    CANCELLED = "cancelled"
    TIMED_OUT = "timed out"
    SHUTDOWN = "server stopping"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(eq=False)
class Job:
    """One job, as its owner (and admins) see it. Mutated on the event loop only, but for
    ``progress`` (written by the thread watching the child) and the private process fields
    (under ``_lock``)."""

    id: str
    owner: str
    key: Hashable
    detail: Any
    state: JobState = JobState.QUEUED
    created_at: dt.datetime = field(default_factory=_now)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: The revision analysed: set when the job starts (a queued job analyses what is current
    #: when its turn comes).
    revision: int | None = None
    #: Fraction done when the work reports one; 0 while queued, 1 when done, else None.
    progress: float | None = 0.0
    failure: JobFailure | None = None
    #: When a running job will be stopped.
    deadline: dt.datetime | None = None
    #: Seconds spent in each step (``prepare``, ``start``, ``send``, ``compute``, ``receive``).
    timings: dict[str, float] = field(default_factory=dict)
    #: The child's process id while it runs (tests and logs).
    pid: int | None = None
    _spec: JobSpec | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _process: BaseProcess | None = field(default=None, repr=False)
    _stop: _Stop | None = field(default=None, repr=False)
    _prepare: asyncio.Future[Any] | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


# What the thread watching a child returns: ("done", result), ("failed", JobFailure),
# ("error", traceback text), ("died", exit code or None) or ("stopped", None).
Outcome = tuple[str, Any]


class JobManager:
    """The jobs of one server (one app): queue, slots, children, finished results."""

    def __init__(self, limits: JobLimits, *, run: str | None = None) -> None:
        self.limits = limits
        #: This run's id, in every job id it makes.
        self.run = run or secrets.token_hex(4)
        self._jobs: dict[str, Job] = {}
        self._queue: deque[Job] = deque()
        self._running: dict[Job, asyncio.Task[None]] = {}
        self._results: LRUCache[tuple[int, Hashable], tuple[Any, ...]] = LRUCache(
            maxsize=limits.results_bytes, getsizeof=lambda kept: kept[1]
        )
        self._threads = ThreadPoolExecutor(
            max(1, limits.running), thread_name_prefix="partnernet-job"
        )
        self._closed = False

    # ------------------------------------------------------------------ asking

    def submit(self, owner: str, spec: JobSpec, revision: int) -> Job:
        """Queue ``spec`` for ``owner``, ``revision`` being current; raises
        :class:`JobRefused` over the limits.

        Asking again for what the caller already has queued or running, or done at
        ``revision``, returns that job; a result already kept for (``revision``, key) makes a
        job that is done at once. Neither counts against the limits."""
        if self._closed:
            raise JobRefused("the server is stopping; start the analysis again once it is back")
        for job in self._jobs.values():
            if job.owner != owner or job.key != spec.key:
                continue
            if not job.finished:
                return job
            done_now = job.state is JobState.DONE and job.revision == revision
            if done_now and self.result(revision, spec.key) is not None:
                return job
        job = Job(self._new_id(), owner, spec.key, spec.detail, _spec=spec)
        if self.result(revision, spec.key) is not None:
            job.revision = revision
            job.started_at = job.created_at
            self._settle(job, ("done", None))
            self._jobs[job.id] = job
            self._forget_finished()
            return job
        self._admit(owner)
        self._jobs[job.id] = job
        self._queue.append(job)
        self._pump()
        return job

    def _admit(self, owner: str) -> None:
        limits = self.limits
        if limits.running == 0:
            raise JobRefused(
                "this server runs no analysis jobs (PARTNERNET_JOBS_RUNNING is 0); narrow the "
                "analysis to fit the interactive budget, or ask the operators"
            )
        mine = sum(1 for j in self._jobs.values() if j.owner == owner and not j.finished)
        if mine >= limits.per_caller:
            raise JobRefused(
                f"you have {mine} analysis jobs queued or running, the most one caller may "
                f"have ({limits.per_caller}, PARTNERNET_JOBS_PER_CALLER); wait for one to "
                "finish or cancel one (cancelAnalysis)"
            )
        if len(self._running) >= limits.running and len(self._queue) >= limits.queued:
            raise JobRefused(
                f"the server's analysis job queue is full ({len(self._running)} running, "
                f"{len(self._queue)} waiting, at most {limits.running} and {limits.queued}: "
                "PARTNERNET_JOBS_RUNNING, PARTNERNET_JOBS_QUEUED); try again when one has "
                "finished"
            )

    def _new_id(self) -> str:
        return f"aj-{self.run}-{secrets.token_hex(8)}"

    def find(self, job_id: str, *, owner: str, sees_all: bool = False) -> Job:
        """The job of ``job_id`` if ``owner`` may see it (its own; every job with
        ``sees_all``). Raises :class:`JobLost` for an id of another run, else
        :class:`JobNotFound` (missing and not yours are the same answer)."""
        match = _ID.fullmatch(job_id.strip())
        if match is not None and match.group(1) != self.run:
            raise JobLost(
                f"analysis job {job_id!r} belongs to an earlier run of the server (it has "
                "restarted since, or this is another replica): jobs live in memory only and "
                "that one is gone. Start it again with startAnalysis."
            )
        job = self._jobs.get(job_id.strip()) if match is not None else None
        if job is None or not (sees_all or job.owner == owner):
            raise JobNotFound(f"no analysis job with id {job_id!r}")
        return job

    def listed(self, *, owner: str, sees_all: bool = False) -> list[Job]:
        """The jobs ``owner`` may see, newest first."""
        jobs = (j for j in self._jobs.values() if sees_all or j.owner == owner)
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def result(self, revision: int, key: Hashable) -> Any | None:
        """The finished result of (``revision``, ``key``), if still kept."""
        kept = self._results.get((revision, key))
        return None if kept is None else kept[0]

    async def cancel(self, job: Job) -> Job:
        """Stop ``job``: a queued one leaves the queue, a running one's process is killed (and
        reaped before this returns). A finished job is left as it is."""
        if job.state is JobState.QUEUED:
            self._queue.remove(job)
            job.state = JobState.CANCELLED
            job.progress = None
            job.finished_at = _now()
            job._spec = None
            self._forget_finished()
        elif job.state is JobState.RUNNING:
            self._stop(job, _Stop.CANCELLED)
            task = self._running.get(job)
            if task is not None:
                # shielded: a request that leaves does not cancel the job's own task
                await asyncio.shield(task)
        return job

    @property
    def stats(self) -> dict[str, int]:
        return {
            "running": len(self._running),
            "queued": len(self._queue),
            "kept": len(self._jobs),
            "results": len(self._results),
        }

    async def close(self) -> None:
        """Stop everything (the app's shutdown): queued jobs are cancelled, running children
        killed and reaped."""
        self._closed = True
        while self._queue:
            job = self._queue.popleft()
            job.state, job.progress, job.finished_at = JobState.CANCELLED, None, _now()
        for job in list(self._running):
            self._stop(job, _Stop.SHUTDOWN)
        tasks = list(self._running.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT)
            if pending:
                log.error("%d analysis jobs did not stop within %s s", len(pending), SHUTDOWN_WAIT)
        self._threads.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ running

    def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue and len(self._running) < self.limits.running and not self._closed:
            job = self._queue.popleft()
            task = loop.create_task(self._run(job), name=f"analysis job {job.id}")
            self._running[job] = task
            task.add_done_callback(functools.partial(self._ran, job))

    def _ran(self, job: Job, task: asyncio.Task[None]) -> None:
        self._running.pop(job, None)
        error = None if task.cancelled() else task.exception()
        if not job.finished:  # a bug in settling it, or its task cancelled from outside
            if error is not None:
                log.error("analysis job %s failed", job.id, exc_info=error)
            job.state, job.progress, job.finished_at = JobState.FAILED, None, _now()
            job.failure = JobFailure(INTERNAL, INTERNAL_MESSAGE)
            job._spec = None
        self._forget_finished()
        if not self._closed:
            self._pump()

    def _forget_finished(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished]
        for job in finished[: max(0, len(finished) - FINISHED_KEPT)]:
            del self._jobs[job.id]

    async def _run(self, job: Job) -> None:
        job.state = JobState.RUNNING
        job.started_at = _now()
        job.progress = None
        job.deadline = job.started_at + dt.timedelta(seconds=self.limits.timeout_seconds)
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.limits.timeout_seconds, self._stop, job, _Stop.TIMED_OUT)
        try:
            outcome = await self._execute(job)
        except Exception:
            log.exception("analysis job %s failed", job.id)
            outcome = ("failed", JobFailure(INTERNAL, INTERNAL_MESSAGE))
        finally:
            timer.cancel()
        self._settle(job, outcome)

    async def _execute(self, job: Job) -> Outcome:
        spec = job._spec
        assert spec is not None
        started = time.perf_counter()
        job._prepare = asyncio.ensure_future(spec.prepare())
        try:
            revision, payload = await job._prepare
        except asyncio.CancelledError:
            if job._stop is None:  # not ours: this task itself is being cancelled
                raise
            return ("stopped", None)
        except Exception as err:
            failure = spec.failure(err)
            if failure is None:
                log.error("analysis job %s could not start", job.id, exc_info=err)
                failure = JobFailure(INTERNAL, INTERNAL_MESSAGE)
            return ("failed", failure)
        finally:
            job._prepare = None
        job.timings["prepare"] = time.perf_counter() - started
        job.revision = revision
        if self.result(revision, job.key) is not None:  # someone else's job made it meanwhile
            return ("done", None)
        if job._stop is not None:
            return ("stopped", None)
        loop = asyncio.get_running_loop()
        box = [payload]  # handed over, so that nothing here keeps it once it is sent
        del payload
        return await loop.run_in_executor(self._threads, self._in_child, job, spec, box)

    def _in_child(self, job: Job, spec: JobSpec, box: list[Any]) -> Outcome:
        """Run the work in a child process and wait for its outcome (a worker thread)."""
        payload = box.pop()
        if job._stop is not None:
            return ("stopped", None)
        ctx = _context()
        ours, theirs = ctx.Pipe(duplex=True)
        remaining = (job.deadline - _now()).total_seconds() if job.deadline else math.inf
        process = ctx.Process(
            target=worker.main,
            args=(theirs, max(0.0, remaining) + DEADLINE_GRACE),
            name=f"partnernet {job.id}",
            daemon=True,
        )
        clock = time.perf_counter()
        try:
            process.start()
        except BaseException:
            ours.close()
            theirs.close()
            raise
        with job._lock:
            job._process = process
            job.pid = process.pid
            if job._stop is not None:  # stopped while it started
                process.kill()
        theirs.close()  # the child has its own copy: at its end, ours reads end of file
        job.timings["start"] = time.perf_counter() - clock
        try:
            clock = time.perf_counter()
            ours.send((spec.work, payload))  # returns once the child has read it all
            del payload
            job.timings["send"] = time.perf_counter() - clock
            clock = time.perf_counter()
            while True:
                ready = wait([ours, process.sentinel])
                if ours not in ready and not ours.poll():
                    break  # the process ended without a word
                arrived = time.perf_counter()
                message = ours.recv()
                if message[0] == "progress":
                    job.progress = message[1]
                    continue
                job.timings["compute"] = arrived - clock
                job.timings["receive"] = time.perf_counter() - arrived
                return (str(message[0]), message[1])
        except (EOFError, OSError):
            pass  # the child went away (killed): its exit code says how
        finally:
            with job._lock:
                job._process = None  # nobody kills it from now on: the pid may be reused
            if "compute" in job.timings:  # it answered: let it exit by itself, briefly
                process.join(EXIT_WAIT)
            if process.exitcode is None:
                process.kill()
            process.join()
            exitcode = process.exitcode
            ours.close()
            with contextlib.suppress(ValueError):
                process.close()
        return ("died", exitcode)

    def _stop(self, job: Job, reason: _Stop) -> None:
        """Stop a running job: kill its child, or cancel its preparation."""
        with job._lock:
            if job._stop is None:
                job._stop = reason
            if job._process is not None:
                job._process.kill()
        if job._prepare is not None:
            job._prepare.cancel()

    def _settle(self, job: Job, outcome: Outcome) -> None:
        kind, value = outcome
        spec = job._spec
        if kind == "done":
            if value is not None and spec is not None and job.revision is not None:
                weight = max(1, min(spec.weigh(value), self.limits.results_bytes))
                self._results[(job.revision, job.key)] = (value, weight)
            job.state, job.progress = JobState.DONE, 1.0
        else:
            job.state, job.progress = JobState.FAILED, None
            if kind == "failed":
                job.failure = value
            elif kind == "error":
                log.error("analysis job %s failed in its worker:\n%s", job.id, value)
                job.failure = JobFailure(INTERNAL, INTERNAL_MESSAGE)
            elif job._stop in (_Stop.CANCELLED, _Stop.SHUTDOWN):
                job.state = JobState.CANCELLED
            elif job._stop is _Stop.TIMED_OUT or value == worker.EXIT_DEADLINE:
                job.failure = JobFailure(
                    TIMED_OUT,
                    f"the analysis ran longer than the limit of {self.limits.timeout_seconds:g} "
                    "seconds (PARTNERNET_JOB_TIMEOUT_SECONDS) and was stopped; narrow the "
                    "network with `filter`, or ask the operators for a longer limit",
                )
            else:
                job.failure = JobFailure(WORKER_DIED, _died(value))
        job.finished_at = _now()
        job._spec = None  # its closures hold the service and the parameters: let them go
        if job.timings:
            log.info(
                "analysis job %s %s in %.2f s (%s)",
                job.id,
                job.state.value.lower(),
                (job.finished_at - (job.started_at or job.created_at)).total_seconds(),
                ", ".join(f"{k} {v:.3f} s" for k, v in job.timings.items()),
            )


def _died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"was killed by signal {-exitcode}"
        if exitcode == -9:
            how += " (SIGKILL: often the system running out of memory)"
    else:
        how = f"exited with status {exitcode}"
    return f"the process computing the analysis {how} before it finished; try again"


_preloaded: tuple[str, ...] | None = None


def _context() -> ForkServerContext | SpawnContext:
    """The multiprocessing context of job processes, its forkserver told what to preload."""
    global _preloaded
    ctx = multiprocessing.get_context(START_METHOD)
    assert isinstance(ctx, ForkServerContext | SpawnContext)
    if isinstance(ctx, ForkServerContext) and _preloaded != tuple(PRELOAD):
        ctx.set_forkserver_preload(list(PRELOAD))
        _preloaded = tuple(PRELOAD)
    return ctx
