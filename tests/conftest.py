"""Shared fixtures: stores of both kinds over the same contract, and small fictional graphs.

The Neo4j half runs when ``NEO4J_URI`` points at a server (the README's test command starts
one); without it those tests skip with a reason, and ``PARTNERNET_REQUIRE_ALL=1`` (set by CI)
turns that skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from api.cli import quiet_openmp
from graph.embedded import EmbeddedStore
from graph.store import GraphStore

if TYPE_CHECKING:
    from graph.factory import Neo4jConfig
    from graph.neo4j import Neo4jStore

# The behaviour suites send many requests from one address and walk the seed three lists deep
# (worst case a million objects), which the production limits refuse by design. They run with
# rate limiting off and a cost limit that admits them; tests/abuse builds its apps with the
# production defaults (``api.guard.Limits()``) and proves those.
os.environ.setdefault("PARTNERNET_RATE_LIMIT", "")
os.environ.setdefault("PARTNERNET_MAX_COST", "2000000")
# The test process starts here: quiet OpenMP before anything imports NetworKit, as the CLI does
# for the server (idle threads spinning slow the suite down two to three times).
quiet_openmp()

StoreFactory = Callable[[], Awaitable[GraphStore]]
STORE_KINDS = ["embedded", "neo4j"]


def require_or_skip(reason: str) -> NoReturn:
    if os.environ.get("PARTNERNET_REQUIRE_ALL") == "1":
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


def neo4j_config() -> Neo4jConfig:
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
    closers: list[Callable[[], Awaitable[None]]] = []
    if request.param == "embedded":
        path = tmp_path / "graph.db"

        def make_raw() -> GraphStore:
            return EmbeddedStore(path)
    else:
        cfg = neo4j_config()
        from graph.neo4j import Neo4jStore, create_driver

        # One driver for every handle, as a process sharing its pool would: the handles
        # borrow it, and it is closed here after them.
        driver = create_driver(cfg)
        closers.append(driver.close)

        def make_raw() -> GraphStore:
            return Neo4jStore(driver, cfg)

        first = Neo4jStore(driver, cfg)
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
    for close in closers:
        await close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> GraphStore:
    return await store_factory()


#: Driver settings that make every Neo4j server notification (deprecation, missing label,
#: performance hint) a Python warning, which this suite turns into an error: the store's
#: Cypher must trigger none.
NOTIFICATIONS_AS_WARNINGS: dict[str, Any] = {"warn_notification_severity": "INFORMATION"}


def neo4j_store_for(cfg: Neo4jConfig, **driver_options: Any) -> Neo4jStore:
    """An unopened Neo4j store for ``cfg`` over a driver of its own, built here with
    ``driver_options`` (e.g. :data:`NOTIFICATIONS_AS_WARNINGS`); the store owns the driver,
    so closing the store closes it."""
    from graph.neo4j import Neo4jStore, create_driver

    return Neo4jStore(create_driver(cfg, **driver_options), cfg, owns_driver=True)
