"""Live API servers for the lineage API tests, one per store kind, over real HTTP.

Module-scoped rather than session-scoped: other test modules reset the shared Neo4j test
database, so a server must not outlive the module that relies on its data.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.lineage import cache as lineage_cache
from api.lineage.index import load_index
from api.settings import Settings
from api.stores import store_from_settings
from graph.store import GraphStore
from tests.conftest import STORE_KINDS, neo4j_config
from tests.lineage.graphs import chain
from tests.live import client_for, serve

STAFF_KEY = "test-lineage-staff-key"
Loader = Callable[[GraphStore], Awaitable[Any]]


@dataclass(frozen=True)
class Api:
    """POST GraphQL documents to one live server; ``key`` makes the caller privileged."""

    url: str
    kind: str

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        resp = client_for(self.url).post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert resp.headers["content-type"].startswith("application/"), resp.text
        body: dict[str, Any] = resp.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The ``data`` of a response that must have no errors."""
        body = self(query, variables, **kw)
        assert "errors" not in body, body["errors"]
        return body["data"]


def _settings(kind: str, db: Path) -> Settings:
    env = dict(os.environ)
    if kind == "neo4j":
        cfg = neo4j_config()
        os.environ.update(NEO4J_URI=cfg.uri, NEO4J_USER=cfg.user, NEO4J_PASSWORD=cfg.password)
    os.environ.update(
        PARTNERNET_STORE=kind, PARTNERNET_DB=str(db), PARTNERNET_PRIVILEGED_KEYS=STAFF_KEY
    )
    try:
        return Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(env)


@contextmanager
def live_api(kind: str, db: Path, load: Loader) -> Iterator[Api]:
    """A server of ``kind`` whose store holds exactly what ``load`` writes.

    Neo4j is one database for the whole session, whose read-only API server
    (``tests/api/conftest.py``) expects the seed data: it is restored afterwards.
    """
    settings = _settings(kind, db)

    async def prepare(work: Loader) -> None:
        store = store_from_settings(settings)
        await store.open()
        try:
            if kind == "neo4j":
                await store.reset()  # type: ignore[attr-defined]
            await work(store)
        finally:
            await store.close()

    asyncio.run(prepare(load))
    try:
        with serve(create_app(settings)) as url:
            yield Api(url, kind)
    finally:
        if kind == "neo4j" and load is not load_seed:
            asyncio.run(prepare(load_seed))


async def load_seed(store: GraphStore) -> None:
    from api.cli import seed_store

    await seed_store(store, quiet=True)


async def load_chain(store: GraphStore) -> None:
    await store.apply(chain())


@pytest.fixture(scope="module", params=STORE_KINDS)
def seed_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A server over exactly the seed data, for each store kind."""
    with live_api(request.param, tmp_path_factory.mktemp("seed") / "g.db", load_seed) as api:
        yield api


@pytest.fixture(scope="module", params=STORE_KINDS)
def chain_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """A server over the small results chain of :mod:`tests.lineage.graphs`."""
    with live_api(request.param, tmp_path_factory.mktemp("chain") / "g.db", load_chain) as api:
        yield api


#: (revision read, asOf, minShare) of each flow index compiled from every record.
Compiled = tuple[int, str | None, float]


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch, store: GraphStore) -> list[Compiled]:
    """Every flow index the API compiles in full for the test's ``store`` (not derived from an
    earlier one). Other stores are left out: a live server of another module on the shared
    Neo4j database may still be warming its own indexes after this test's writes."""
    seen: list[Compiled] = []
    real = load_index

    async def counting(on: GraphStore, **kwargs: Any) -> Any:
        revision = await on.revision()
        built = await real(on, **kwargs)
        if on is store:
            seen.append((revision, kwargs["as_of"], kwargs["min_share"]))
        return built

    monkeypatch.setattr(lineage_cache, "load_index", counting)
    return seen
