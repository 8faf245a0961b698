"""Fixtures for the Neo4j-only tests.

Most tests use the shared test server (``NEO4J_URI``, reset before each use). The fault tests
stop and start a server, so they get a private one on its own port and data directory,
started and stopped through ``tools/neo4j-test-server/up.sh`` and ``down.sh``; the shared
server is never touched by them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from graph.factory import Neo4jConfig
from graph.neo4j import Neo4jStore
from tests.conftest import neo4j_config, neo4j_store_for, require_or_skip

REPO = Path(__file__).resolve().parents[2]
SERVER_DIR = REPO / "tools" / "neo4j-test-server"
FAULT_PORT = int(os.environ.get("PARTNERNET_FAULT_NEO4J_PORT", "7689"))
FAULT_PASSWORD = "faults-secret-pw-42"


@pytest.fixture
def cfg() -> Neo4jConfig:
    """The shared server's configuration (skips, or fails under CI, without one)."""
    return neo4j_config()


@pytest.fixture
async def neo4j_store(cfg: Neo4jConfig) -> AsyncIterator[Neo4jStore]:
    """An open store over the shared server's database, emptied first."""
    store = neo4j_store_for(cfg)
    await store.open()
    await store.reset()
    try:
        yield store
    finally:
        await store.close()


@dataclass
class PrivateServer:
    """A private Neo4j test server that a test may stop and start at will."""

    home: Path
    port: int
    password: str

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def config(self, **changes: object) -> Neo4jConfig:
        base = Neo4jConfig(
            uri=self.uri, user="neo4j", password=self.password, database="neo4j", timeout=10
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    def _script(self, name: str, **env: str) -> None:
        full = {
            **os.environ,
            "NEO4J_TEST_HOME": str(self.home),
            "NEO4J_TEST_PORT": str(self.port),
            "NEO4J_TEST_PASSWORD": self.password,
            **env,
        }
        proc = subprocess.run(
            ["bash", str(SERVER_DIR / name)],
            env=full,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{name} failed ({proc.returncode}): {proc.stderr[-2000:]}")

    def up(self, fresh: bool = False) -> None:
        self._script("up.sh", NEO4J_TEST_FRESH="1" if fresh else "0")

    def down(self) -> None:
        self._script("down.sh")


@pytest.fixture(scope="module")
def fault_server() -> Iterator[PrivateServer]:
    """A private server, stopped at first (the tests start it when they need it)."""
    if shutil.which("java") is None:
        require_or_skip("java is not installed: cannot run a private Neo4j test server")
    jar = SERVER_DIR / "target" / "neo4j-test-server.jar"
    if not jar.is_file() and shutil.which("mvn") is None:
        require_or_skip("Maven is not installed and the Neo4j test server is not built")
    if not (SERVER_DIR / "up.sh").is_file():
        require_or_skip("tools/neo4j-test-server/up.sh is missing")
    server = PrivateServer(REPO / ".neo4j" / "faults", FAULT_PORT, FAULT_PASSWORD)
    server.down()
    try:
        yield server
    finally:
        server.down()
