"""The child process of an analysis job: receive the work, do it, send the outcome back.

It runs in a process of its own (:mod:`api.jobs.manager` says why), started by multiprocessing's
``forkserver``, so it shares nothing with the server but what it is sent. One duplex connection
joins them:

- server -> child, once: ``(work, payload)``; ``work`` is a picklable callable (a module-level
  function or a ``functools.partial`` of one), called as ``work(payload, report)``;
- child -> server: any number of ``("progress", fraction)`` (``report(fraction)``, at most a few
  a second), then one of ``("done", result)``, ``("failed", JobFailure)`` (a refusal the work
  returned, e.g. over the job's work budget) or ``("error", traceback text)`` (a bug).

The server stops a job by killing its process (SIGKILL): the compiled backends cannot be
interrupted from inside, and a killed process leaves nothing behind. The child also stops on
its own, so that no analysis outlives its server or its time limit even if the server could not
kill it (killed itself, say): a watchdog thread exits the process when the connection closes
(the server is gone) or when the deadline passes.

This module imports nothing heavy: what ``work`` needs is imported when it is unpickled (and the
forkserver has usually imported it already, see ``api.jobs.manager.PRELOAD``).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Final

#: Scheduling priority of a job, below the server's: interactive requests come first.
NICE: Final = 10
#: Exit status of a child that stopped itself at its deadline.
EXIT_DEADLINE: Final = 86
#: Exit status of a child whose server went away.
EXIT_ORPHANED: Final = 87
#: Least time between two progress messages.
PROGRESS_INTERVAL: Final = 0.25

Report = Callable[[float], None]


@dataclass(frozen=True)
class JobFailure:
    """Why a job failed, for the client: ``code`` (an ``AnalysisJobErrorCode`` value) and a
    message written for people. Work returns one for a refusal it foresaw (a measure over the
    job's work budget); the manager makes the others (time limit, a worker that died)."""

    code: str
    message: str


def main(conn: Connection, deadline_seconds: float) -> None:
    """The child's entry point (``multiprocessing.Process(target=main)``)."""
    with contextlib.suppress(OSError):  # not allowed here: run at the server's priority
        os.nice(NICE)
    work, payload = conn.recv()
    guard = threading.Thread(
        target=_watch, args=(conn, deadline_seconds), name="job-watchdog", daemon=True
    )
    guard.start()
    try:
        outcome: tuple[str, Any] = ("done", work(payload, _reporter(conn)))
    except BaseException:  # every failure is reported to the server, none is raised here
        outcome = ("error", traceback.format_exc())
    else:
        if isinstance(outcome[1], JobFailure):
            outcome = ("failed", outcome[1])
    del payload  # free the network before the result is pickled
    conn.send(outcome)
    conn.close()


def _reporter(conn: Connection) -> Report:
    lock = threading.Lock()
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        with lock:
            if now - last[0] < PROGRESS_INTERVAL:
                return
            last[0] = now
            conn.send(("progress", min(1.0, max(0.0, float(fraction)))))

    return report


def _watch(conn: Connection, deadline_seconds: float) -> None:
    """Exit when the server closes the connection (it never sends again after the work, so
    the connection becomes readable only at end of file) or at the deadline."""
    try:
        readable = conn.poll(deadline_seconds)
    except OSError:
        readable = True
    os._exit(EXIT_ORPHANED if readable else EXIT_DEADLINE)
