"""The API over Neo4j when Neo4j is not there: started while it is down, and while it is
stopped and started under a running API. Uses a private server (see conftest), never the
shared one."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.datastructures import Secret

from api.app import create_app
from api.cli import seed_store
from api.settings import Settings
from tests.conftest import neo4j_store_for
from tests.live import serve
from tests.neo4j.conftest import PrivateServer

pytestmark = pytest.mark.slow

QUERY = "{ health { status revision } countsByKind { kind count } }"


def gql(url: str) -> tuple[float, dict[str, Any], str]:
    started = time.monotonic()
    resp = httpx.post(f"{url}/graphql", json={"query": QUERY}, timeout=60)
    assert resp.status_code < 500, resp.text
    return time.monotonic() - started, resp.json(), resp.text


def assert_clean_failure(url: str, password: str) -> None:
    """The request fails fast with a GraphQL error: no data, no traceback, no secret."""
    elapsed, body, text = gql(url)
    assert body.get("data") is None, body
    assert body["errors"], body
    error = body["errors"][0]
    assert (
        error.get("extensions", {}).get("code") == "STORE_UNAVAILABLE"
        or "Neo4j is unreachable" in error["message"]
    ), body
    assert "Traceback" not in text and password not in text
    assert elapsed < 20
    ready = httpx.get(f"{url}/readyz", timeout=30)
    assert ready.status_code == 503
    reason = ready.json()["reason"]
    assert "Neo4j is unreachable" in reason and "\n" not in reason and password not in reason
    assert httpx.get(f"{url}/healthz").json() == {"status": "alive"}


def wait_until_ready(url: str, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        if httpx.get(f"{url}/readyz", timeout=30).status_code == 200:
            return
        assert time.monotonic() < deadline, "the API did not become ready by itself"
        time.sleep(0.5)


def counts(url: str) -> dict[str, int]:
    _, body, _ = gql(url)
    assert "errors" not in body, body
    assert body["data"]["health"]["status"] == "ok"
    return {c["kind"]: c["count"] for c in body["data"]["countsByKind"]}


def test_api_rides_out_neo4j_being_down_and_restarted(
    fault_server: PrivateServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(
        Settings.from_env(),
        store="neo4j",
        neo4j_uri=fault_server.uri,
        neo4j_user="neo4j",
        neo4j_password=Secret(fault_server.password),
        neo4j_database="neo4j",
        neo4j_timeout=10.0,
    )
    caplog.set_level(logging.ERROR, logger="partnernet")
    with serve(create_app(settings)) as url:
        # 1. started while Neo4j is down: one clear log line, not ready, clean errors
        (line,) = [r for r in caplog.records if r.name == "partnernet"]
        message = line.getMessage()
        assert message.startswith("store not ready: ") and "Neo4j is unreachable" in message
        assert "\n" not in message and line.exc_info is None
        assert fault_server.password not in message
        assert_clean_failure(url, fault_server.password)

        # 2. Neo4j comes up: the API notices by itself, schema ensured lazily
        fault_server.up(fresh=True)
        wait_until_ready(url)
        assert sum(counts(url).values()) == 0
        asyncio.run(_seed(fault_server))
        seeded = counts(url)
        assert sum(seeded.values()) > 600

        # 3. stopped under a running API: requests fail cleanly, readiness drops
        fault_server.down()
        assert_clean_failure(url, fault_server.password)

        # 4. started again: recovers without a restart, data intact
        fault_server.up()
        wait_until_ready(url)
        assert counts(url) == seeded
        _, body, _ = gql(url)
        assert body["data"]["health"]["revision"] == 1


async def _seed(server: PrivateServer) -> None:
    store = neo4j_store_for(server.config())
    await store.open()
    try:
        await seed_store(store, quiet=True)
    finally:
        await store.close()
