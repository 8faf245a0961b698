"""One writer per embedded store file: an exclusive ``flock`` on ``<db>.lock`` beside it.

:class:`graph.embedded.EmbeddedStore` keeps the whole graph in memory and numbers each write
from the revision it read at open, so a second process writing the same file would go unseen
by the first and would make it reuse revision numbers (and a cached ``ETag`` would then match
changed data). Opening the store therefore takes this lock and keeps it until ``close``.

Why ``fcntl.flock`` on a descriptor, and not a lock library:

- The kernel drops the lock when the descriptor is closed, which includes the holder dying in
  any way (``SIGKILL``, OOM killer, power loss of a local disk): there is never a stale lock
  to clean up, and the lock file is never deleted (deleting it would let two processes lock
  two different inodes of one name).
- A ``flock`` belongs to an open file description, not to a process, so a second handle opened
  by the same process is refused too (POSIX ``fcntl``/``lockf`` record locks would let it in).
- A contender opens the file without truncating it and only reads it, so what the holder wrote
  there (pid, command, since when) survives to be shown in the error. ``filelock`` 3.x opened
  with ``O_TRUNC`` before trying the lock, so every refused contender wiped the holder's
  details; 4.x adds soft-lock fallbacks whose staleness is guessed, which is what this lock
  must never need. Forty lines of ``flock`` do exactly what is needed, with no dependency.

The holder's details are a convenience for the message, read best-effort; the lock itself is
the only truth. ``flock`` is POSIX (Linux, macOS, the BSDs), as is the project's tooling; on a
platform without it the embedded store refuses to open rather than run unguarded.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import stat
import sys
import time
from datetime import UTC, datetime
from errno import EACCES, EAGAIN, EWOULDBLOCK
from pathlib import Path
from typing import Any

from graph.errors import StoreInUse, StoreUnavailable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock
    fcntl = None  # type: ignore[assignment]

_CONTENDED = frozenset({EACCES, EAGAIN, EWOULDBLOCK})
_READ_TRIES = 10  # a holder writes its details right after locking: wait up to ~0.2 s for them
_MAX_COMMAND = 120


def lock_path(db_path: Path) -> Path:
    """The lock file of a database file: ``partnernet.db`` -> ``partnernet.db.lock``."""
    return db_path.with_name(db_path.name + ".lock")


def _command() -> list[str]:
    """This process's command line as a person typed it: ``partnernet serve``, ``pytest …``,
    ``python -m api.cli import x.jsonl`` (``sys.argv[0]`` alone would say ``cli.py``)."""
    argv = list(sys.argv)
    if argv and argv[0] and not argv[0].endswith(".py") and os.path.isfile(argv[0]):
        return argv  # a console script such as .venv/bin/partnernet
    return list(getattr(sys, "orig_argv", argv)) or argv


def _shown(argv: list[str]) -> str:
    """A command line on one short line, for a message."""
    if not argv:
        return "?"
    text = " ".join(shlex.join([os.path.basename(argv[0]), *argv[1:]]).split())
    return text if len(text) <= _MAX_COMMAND else text[: _MAX_COMMAND - 1] + "…"


class WriterLock:
    """The exclusive lock of one database file, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock without waiting, then write who holds it into the lock file.

        Raises :class:`StoreInUse` naming the holder when another handle has it, and
        :class:`StoreUnavailable` when the lock file cannot be opened or locked at all.
        """
        if self._fd is not None:
            return
        if fcntl is None:  # pragma: no cover - Windows
            raise StoreUnavailable(
                "the embedded store needs flock (Linux, macOS) to guard its file",
                where=str(self.db_path),
            )
        try:
            # O_NOFOLLOW: a symlink planted at the lock path must not make us truncate its target.
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(self.path, flags, 0o644)
        except OSError as err:
            raise StoreUnavailable(
                f"cannot open the lock file {self.path}: {err.strerror or err}",
                where=str(self.db_path),
            ) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise StoreUnavailable(
                    f"the lock file {self.path} is not a regular file", where=str(self.db_path)
                )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno in _CONTENDED:
                    refusal = self._refusal(_read_holder(fd))
                    raise StoreInUse(refusal, where=str(self.db_path)) from None
                raise StoreUnavailable(
                    f"cannot lock {self.path}: {err.strerror or err}", where=str(self.db_path)
                ) from None
            details = {
                "pid": os.getpid(),
                "argv": _command(),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
                "host": socket.gethostname(),
            }
            data = json.dumps(details, ensure_ascii=False).encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        except BaseException:
            os.close(fd)  # closing drops the lock if we had taken it
            raise
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (closing the descriptor does it) and clear the holder's details."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # while still locked, so no new holder's details are lost
        except OSError:
            pass
        finally:
            os.close(fd)

    def _refusal(self, holder: dict[str, Any] | None) -> str:
        advice = "or use another database file (PARTNERNET_DB)"
        if holder is None:
            return (
                f"in use by another process, which left no details in {self.path} "
                f"(`fuser -v {shlex.quote(str(self.path))}` names it). The embedded store has "
                f"one writer process at a time: stop that process first, {advice}."
            )
        pid = holder.get("pid")
        argv = holder.get("argv")
        command = _shown([str(a) for a in argv]) if isinstance(argv, list) else "?"
        since = f" since {holder['since']}" if isinstance(holder.get("since"), str) else ""
        host = holder.get("host")
        elsewhere = isinstance(host, str) and host != socket.gethostname()
        if pid == os.getpid() and not elsewhere:
            return (
                f"already open in this process (pid {pid}, `{command}`){since}: the embedded "
                "store allows one open handle per file; close the other handle first."
            )
        on_host = f" on host {host}" if elsewhere else ""
        return (
            f"in use by another process{since}. The embedded store has one writer process at "
            f"a time: stop `{command}` (pid {pid}{on_host}) first, {advice}."
        )


def _read_holder(fd: int) -> dict[str, Any] | None:
    """The details the holder wrote, or None if they cannot be read (best-effort)."""
    for attempt in range(_READ_TRIES):
        try:
            raw = os.pread(fd, 64 * 1024, 0)
        except OSError:
            return None
        if raw:
            try:
                found = json.loads(raw)
            except ValueError:
                found = None  # being written right now: read again
            if isinstance(found, dict):
                return found
        if attempt + 1 < _READ_TRIES:
            time.sleep(0.02)
    return None
