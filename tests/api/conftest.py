"""Live servers over seeded stores, one per store kind, for the API tests.

``api_url`` serves the seed data and is shared by the whole session, so tests using it must
not write. ``mutable_api_url`` is a server of its own per test module for tests that write;
on Neo4j (one database for everything) it restores the seed data when the module is done.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from api.app import create_app
from api.settings import Settings
from tests.conftest import neo4j_config
from tests.live import client_for, serve

PRIVILEGED_KEY = "test-analyst-key"
Gql = Callable[..., dict]


def _settings(kind: str, db: os.PathLike[str] | str) -> Settings:
    env = dict(os.environ)
    if kind == "neo4j":
        cfg = neo4j_config()
        env.update(NEO4J_URI=cfg.uri, NEO4J_USER=cfg.user, NEO4J_PASSWORD=cfg.password)
    os.environ.update(
        PARTNERNET_STORE=kind, PARTNERNET_DB=str(db), PARTNERNET_PRIVILEGED_KEYS=PRIVILEGED_KEY
    )
    try:
        return Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(env)


@pytest.fixture(scope="session", params=["embedded", "neo4j"])
def seeded_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings of a store that holds exactly the seed data (do not write to it)."""
    settings = _settings(request.param, tmp_path_factory.mktemp("api") / "api.db")
    _seed(settings)
    return settings


@pytest.fixture(scope="session")
def api_url(seeded_settings: Settings) -> Iterator[str]:
    """Base URL of a live API whose store holds exactly the seed data."""
    with serve(create_app(seeded_settings)) as url:
        yield url


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def mutable_api_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a live API over a freshly seeded store that tests may write to."""
    settings = _settings(request.param, tmp_path_factory.mktemp("mutable") / "api.db")
    _seed(settings)
    try:
        with serve(create_app(settings)) as url:
            yield url
    finally:
        if settings.store == "neo4j":
            _seed(settings)  # the session's read-only server shares this database


def _seed(settings: Settings) -> None:
    import asyncio

    from api.cli import seed_store
    from api.stores import store_from_settings

    async def run() -> None:
        store = store_from_settings(settings)
        await store.open()
        try:
            if settings.store == "neo4j":
                await store.reset()  # type: ignore[attr-defined]
            await seed_store(store, quiet=True)
        finally:
            await store.close()

    asyncio.run(run())


def _client(url: str) -> Gql:
    def call(query: str, variables: dict | None = None, key: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        resp = client_for(url).post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert resp.headers["content-type"].startswith("application/"), resp.text
        return resp.json()

    return call


@pytest.fixture
def gql(api_url: str) -> Gql:
    """POST a GraphQL document to the read-only seeded API; returns the decoded JSON body."""
    return _client(api_url)


@pytest.fixture
def gql_mutable(mutable_api_url: str) -> Gql:
    """POST a GraphQL document to this module's writable API."""
    return _client(mutable_api_url)
