"""Shared fixtures: stores of both kinds over the same contract, and small fictional graphs.

The Neo4j half runs when ``NEO4J_URI`` points at a server (the README's test command starts
one); without it those tests skip with a reason, and ``PARTNERNET_REQUIRE_ALL=1`` (set by CI)
turns that skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore

# The behaviour suites send many requests from one address and walk the seed three lists deep
# (worst case a million objects), which the production limits refuse by design. They run with
# rate limiting off and a cost limit that admits them; tests/abuse builds its apps with the
# production defaults (``api.guard.Limits()``) and proves those.
os.environ.setdefault("PARTNERNET_RATE_LIMIT", "")
os.environ.setdefault("PARTNERNET_MAX_COST", "2000000")

StoreFactory = Callable[[], Awaitable[GraphStore]]
STORE_KINDS = ["embedded", "neo4j"]


def require_or_skip(reason: str) -> None:
    if os.environ.get("PARTNERNET_REQUIRE_ALL") == "1":
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


def neo4j_config():  # type: ignore[no-untyped-def]
    from graph.factory import Neo4jConfig

    uri = os.environ.get("NEO4J_URI")
    if not uri:
        require_or_skip("NEO4J_URI is unset: no Neo4j server for the Neo4j store tests")
    return Neo4jConfig(
        uri=uri,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=os.environ.get("NEO4J_PASSWORD", "partnernet-dev"),
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        batch_size=int(os.environ.get("NEO4J_BATCH_SIZE", "1000")),
    )


@pytest.fixture(scope="session", autouse=True)
def _close_http_clients() -> Iterator[None]:
    """Close the keep-alive clients the suites shared (tests.live.client_for)."""
    yield
    from tests.live import close_clients

    close_clients()


@pytest.fixture(params=STORE_KINDS)
async def store_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[StoreFactory]:
    """A function that opens a store over one fresh, empty database; calling it again opens a
    second handle on the same data (to test reopening: close the first handle before, since the
    embedded store allows one open handle per file)."""
    opened: list[GraphStore] = []
    if request.param == "embedded":
        path = tmp_path / "graph.db"

        def make_raw() -> GraphStore:
            return EmbeddedStore(path)
    else:
        cfg = neo4j_config()
        from graph.neo4j_store import Neo4jStore

        def make_raw() -> GraphStore:
            return Neo4jStore(cfg)

        first = Neo4jStore(cfg)
        await first.open()
        await first.reset()
        await first.close()

    async def make() -> GraphStore:
        store = make_raw()
        await store.open()
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> GraphStore:
    return await store_factory()


def warn_on_server_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every Neo4j server notification (deprecation, missing label, performance hint) a
    Python warning, which this suite turns into an error: the store's Cypher must trigger
    none. Applies to stores opened after the call."""
    import neo4j

    from graph import neo4j_store as module

    real = module.AsyncGraphDatabase.driver

    def noisy(*args: Any, **kwargs: Any) -> neo4j.AsyncDriver:
        return real(*args, warn_notification_severity="INFORMATION", **kwargs)

    monkeypatch.setattr(module.AsyncGraphDatabase, "driver", noisy)
