"""The embedded store has one writer: opening its file takes an exclusive lock that names its
holder, dies with its holder, and revision numbers never repeat.

Real processes and real files throughout: a ``partnernet serve`` subprocess, ``partnernet
import`` and ``seed`` subprocesses against it, and a child killed with ``SIGKILL``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from graph.changes import Plan
from graph.embedded import EmbeddedStore
from graph.errors import GraphError, StoreInUse
from graph.model import WeightScope
from graph.writer_lock import lock_path
from tests.factories import node, small_graph

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")

HOLD = """
import asyncio, sys, time
from graph.embedded import EmbeddedStore

async def hold():
    await EmbeddedStore(sys.argv[1]).open()
    print("holding", flush=True)
    time.sleep(600)

asyncio.run(hold())
"""


def partnernet() -> list[str]:
    """The installed console script, as a user runs it (``python -m api.cli`` without it)."""
    script = Path(sys.executable).with_name("partnernet")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def env_for(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PARTNERNET_DB": str(db),
        "PARTNERNET_STORE": "embedded",
        "PARTNERNET_LOG_LEVEL": "warning",
    }


def stored_revision(db: Path) -> int:
    """The revision in the file, read with plain SQLite (no lock needed to read)."""
    with closing(sqlite3.connect(db)) as conn:
        (value,) = conn.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
    return int(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def process(args: list[str], db: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process; killed (SIGKILL) and reaped on the way out if still running."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env_for(db), stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what}: the child exited ({proc.returncode}):\n{log.read_text()}")
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what}: not within 120 s:\n{log.read_text()}")


# --------------------------------------------------------------------------- in process


async def test_a_second_handle_in_this_process_is_refused_naming_the_holder(
    tmp_path: Path,
) -> None:
    db = tmp_path / "one.db"
    first = EmbeddedStore(db)
    await first.open()
    await first.apply(small_graph())
    details = json.loads(lock_path(db).read_text())
    assert details["pid"] == os.getpid() and details["argv"] and details["since"]

    second = EmbeddedStore(db)
    with pytest.raises(StoreInUse) as refused:
        await second.open()
    assert isinstance(refused.value, GraphError)
    message = str(refused.value)
    assert message.startswith(f"{db}: already open in this process (pid {os.getpid()}, `")
    assert os.path.basename(details["argv"][0]) in message and "close the other" in message
    with pytest.raises(GraphError):
        await second.ping()  # refused means not open, not half open

    await first.close()
    assert lock_path(db).exists() and lock_path(db).read_text() == ""
    await second.open()  # free once closed
    try:
        assert await second.revision() == 1
    finally:
        await second.close()
    await second.close()  # closing twice is harmless


async def test_a_held_lock_is_freed_when_the_holder_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    log = tmp_path / "holder.log"
    with process([sys.executable, "-c", HOLD, str(db)], db, log) as holder:
        wait_for(lambda: "holding" in log.read_text(), holder, log, "the holder")
        with pytest.raises(StoreInUse) as refused:
            await EmbeddedStore(db).open()
        message = str(refused.value)
        assert f"(pid {holder.pid})" in message and "python" in message, message
        assert "in use by another process since" in message

        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=30) == -signal.SIGKILL

    store = EmbeddedStore(db)  # no stale lock to clean up: the kernel dropped it
    await store.open()
    try:
        assert json.loads(lock_path(db).read_text())["pid"] == os.getpid()
    finally:
        await store.close()


# --------------------------------------------------------------------------- across processes


def test_import_and_seed_are_refused_while_serve_holds_the_file(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve_cmd = [*partnernet(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    intruder = tmp_path / "intruder.jsonl"
    intruder.write_text(
        '{"type":"node","id":"prog-intruder","labels":["Programme"],'
        '"properties":{"name":"Intruder Programme"}}\n'
    )
    query = "{ health { revision } countsByKind { kind count } }"

    def state() -> dict[str, object]:
        body = httpx.post(f"{url}/graphql", json={"query": query}, timeout=30).json()
        assert "errors" not in body, body
        data: dict[str, object] = body["data"]
        return data

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    log = tmp_path / "serve.log"
    with process(serve_cmd, db, log) as server:
        wait_for(ready, server, log, "partnernet serve")
        before = state()
        revision = before["health"]["revision"]  # type: ignore[index]
        assert revision >= 1  # serve seeded the empty file first

        for args in (["import", str(intruder)], ["seed"], ["export", str(tmp_path / "x.jsonl")]):
            proc = subprocess.run(
                [*partnernet(), *args],
                env=env_for(db),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
            line = lines[-1]
            assert line.startswith(f"partnernet {args[0]}: error: {db}: in use by another"), line
            assert f"stop `{os.path.basename(serve_cmd[0])}" in line, line
            assert f"serve --host 127.0.0.1 --port {port}` (pid {server.pid}) first" in line, line
            assert "another database file" in line, line

        assert state() == before  # the server's data and revision are untouched
        assert stored_revision(db) == revision

        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)

    # The kernel freed the lock with the process: the same import now goes through, and its
    # revision follows the server's last one instead of repeating it.
    done = subprocess.run(
        [*partnernet(), "import", str(intruder)],
        env=env_for(db),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"1 nodes and 0 relationships changed (revision {revision + 1})" in done.stdout
    assert stored_revision(db) == revision + 1


# --------------------------------------------------------------------------- revisions


async def test_a_write_behind_the_lock_is_refused_rather_than_reusing_its_revision(
    tmp_path: Path,
) -> None:
    """A writer that ignores the lock (the sqlite3 shell, an older build) moves the file on:
    the store refuses to write instead of storing a revision number already taken."""
    db = tmp_path / "behind.db"
    store = EmbeddedStore(db)
    await store.open()
    try:
        assert (await store.apply(small_graph())).revision == 1
        with closing(sqlite3.connect(db, isolation_level=None)) as rogue:
            rogue.execute("UPDATE meta SET value='2' WHERE key='revision'")

        with pytest.raises(StoreInUse) as refused:
            await store.apply([node("Programme", "prog-z", "Zeta Programme")])
        assert "holds revision 2, this process expected 1" in str(refused.value)
        with pytest.raises(StoreInUse):
            await store.set_need_weights({(WeightScope.REGION, "Africa"): 2.0})
        assert await store.revision() == 1  # memory untouched
        assert stored_revision(db) == 2  # nothing written over the other writer's revision
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT count(*) FROM nodes WHERE id='prog-z'").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM need_weights").fetchone() == (0,)
    finally:
        await store.close()

    reopened = EmbeddedStore(db)
    await reopened.open()
    try:
        assert await reopened.revision() == 2
        result = await reopened.apply([node("Programme", "prog-z", "Zeta Programme")])
        assert result.revision == 3
    finally:
        await reopened.close()


class HeldCommit(EmbeddedStore):
    """A real embedded store whose commits wait, inside the worker thread, until released."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.committing = threading.Event()
        self.release = threading.Event()

    def _commit(self, db: sqlite3.Connection, plan: Plan) -> None:
        self.committing.set()
        self.release.wait(timeout=30)
        super()._commit(db, plan)


async def test_a_write_cancelled_while_committing_lands_whole(tmp_path: Path) -> None:
    """Cancelling a write mid-commit (a client hanging up) must not leave memory a revision
    behind the file, or the next write would reuse (or be refused for) that number."""
    db = tmp_path / "cancelled.db"
    store = HeldCommit(db)
    await store.open()
    try:
        writing = asyncio.create_task(store.apply(small_graph()))
        assert await asyncio.to_thread(store.committing.wait, 30)
        writing.cancel()
        await asyncio.sleep(0.05)  # the cancellation is delivered while the commit is held
        store.release.set()
        with pytest.raises(asyncio.CancelledError):
            await writing
        assert stored_revision(db) == 1 and await store.revision() == 1
        assert (await store.get_nodes(["prog-a"]))[0] is not None
        after = await store.apply([node("Programme", "prog-z", "Zeta Programme")])
        assert after.revision == 2 and stored_revision(db) == 2
    finally:
        store.release.set()
        await store.close()
