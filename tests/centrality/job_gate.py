"""A job's measure that waits for the test's word, inside the job's own process.

A job runs in a child process, so a test cannot hold it with a ``threading.Event`` as
``test_concurrency`` holds an interactive analysis. Instead ``gated_measure`` stands in for
``api.centrality.jobs.run_measure`` (the test patches it in the server, which pickles a reference
to this module's function for the child): in the child it connects to the test's Unix socket
(abstract namespace, named by the request's sample ``seed``), says its process id, and blocks
until the test says ``go``; then it computes the real measure. "The child is inside the work"
and "the child is gone" (the socket reaches end of file) are then events the test waits for,
not timings. Imports are light: the child imports this module when it unpickles its work.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any

from api.centrality import jobs

#: The real measure (captured at import: in the server, before the test patches it).
REAL = jobs.run_measure
WAIT = 60.0


def address(seed: int) -> str:
    return f"\0partnernet-test-job-gate-{os.getuid()}-{seed}"


def gated_measure(req: Any, payload: Any, report: Any) -> Any:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(address(req.seed))
        conn.sendall(f"{os.getpid()}\n".encode())
        word = conn.recv(16)
    if word != b"go":
        raise RuntimeError("the test never released the job")
    return REAL(req, payload, report)


class Gate:
    """The test's end: a job started with ``sample: {k: 1000000, seed: gate.seed}`` (exact
    betweenness: ``k`` at least the number of nodes) waits here."""

    def __init__(self) -> None:
        self.seed = secrets.randbelow(2**31 - 1)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(address(self.seed))
        self._listener.listen(4)
        self._listener.settimeout(WAIT)
        self._conn: socket.socket | None = None

    @property
    def sample(self) -> str:
        return f"sample: {{k: 1000000, seed: {self.seed}}}"

    def entered(self) -> int:
        """Wait until the job's process is inside the measure; its process id."""
        conn, _ = self._listener.accept()
        conn.settimeout(WAIT)
        self._conn = conn
        said = b""
        while not said.endswith(b"\n"):
            chunk = conn.recv(64)
            if not chunk:
                raise RuntimeError("the job's process hung up before saying its pid")
            said += chunk
        return int(said)

    def release(self) -> None:
        assert self._conn is not None, "no job entered"
        self._conn.sendall(b"go")

    def hung_up(self) -> bool:
        """Whether the job's end of the socket is closed: its process has ended (waits)."""
        assert self._conn is not None, "no job entered"
        return self._conn.recv(16) == b""

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._listener.close()
