"""A live server over the seeded store, one per store kind, for the API tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from tests.conftest import neo4j_config
from tests.live import serve


@pytest.fixture(scope="session", params=["embedded", "neo4j"])
def api_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a live API whose store holds exactly the seed data."""
    env = dict(os.environ)
    db = tmp_path_factory.mktemp("api") / "api.db"
    if request.param == "neo4j":
        cfg = neo4j_config()
        env.update(NEO4J_URI=cfg.uri, NEO4J_USER=cfg.user, NEO4J_PASSWORD=cfg.password)
    os.environ.update(
        PARTNERNET_STORE=request.param,
        PARTNERNET_DB=str(db),
        PARTNERNET_PRIVILEGED_KEYS="test-analyst-key",
    )
    try:
        settings = Settings.from_env()
    finally:
        os.environ.clear()
        os.environ.update(env)
    _seed(settings, request.param)
    with serve(create_app(settings)) as url:
        yield url


def _seed(settings: Settings, kind: str) -> None:
    import asyncio

    from api.cli import seed_store
    from api.stores import store_from_settings

    async def run() -> None:
        store = store_from_settings(settings)
        await store.open()
        try:
            if kind == "neo4j":
                await store.reset()  # type: ignore[attr-defined]
            await seed_store(store, quiet=True)
        finally:
            await store.close()

    asyncio.run(run())


@pytest.fixture
def gql(api_url: str):  # type: ignore[no-untyped-def]
    """POST a GraphQL document; returns the decoded JSON body."""

    def call(query: str, variables: dict | None = None, key: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        resp = httpx.post(
            f"{api_url}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
            timeout=30,
        )
        assert resp.headers["content-type"].startswith("application/"), resp.text
        return resp.json()

    return call
