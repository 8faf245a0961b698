"""The Neo4j driver, and the store's sessions and transactions over it.

**Who closes the driver.** Whoever creates a driver closes it. :func:`create_driver` builds
one as the store expects it; :class:`Database` (and so ``Neo4jStore``) never creates one and
closes the one it is given only when it was handed ownership (``owns_driver=True``).
:func:`graph.factory.create_store`, which the app lifespan and the CLI reach through
``api.stores.store_from_settings``, creates the driver from the settings and hands it over
with ownership, since nobody else holds it: closing that store closes its driver. A caller
that builds its own driver (tests, several stores sharing one pool) keeps ownership and
closes the driver after the stores that use it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import neo4j
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncSession,
    AsyncTransaction,
    Query,
    unit_of_work,
)
from neo4j import exceptions as nx4j

from graph import cypher
from graph.errors import StoreUnavailable
from graph.neo4j.faults import Faults
from graph.neo4j.schema import ensure_schema

if TYPE_CHECKING:
    from graph.factory import Neo4jConfig

T = TypeVar("T")

#: How long a managed transaction keeps retrying transient failures (deadlocks, a leader
#: switch, a dropped pooled connection). Short, so a request during an outage fails in
#: seconds instead of hanging; the next request starts afresh.
RETRY_BUDGET = 3.0
#: Connecting is quick or hopeless; don't let a black-holed address hold a request for 30 s.
CONNECT_TIMEOUT = 5.0


def create_driver(cfg: Neo4jConfig, **options: Any) -> AsyncDriver:
    """A driver for ``cfg`` configured as the store expects (short connect timeout and retry
    budget); ``options`` add to or override the driver's settings (tests turn server
    notifications into warnings this way). Connects lazily: a server that is down is noticed
    by the first query. The caller owns the driver (see the module's docstring).

    Raises :class:`StoreUnavailable`, without the password, if the URI or the settings are
    invalid.
    """
    settings: dict[str, Any] = {
        "auth": neo4j.basic_auth(cfg.user, cfg.password),
        "connection_timeout": CONNECT_TIMEOUT,
        "connection_acquisition_timeout": max(cfg.timeout, CONNECT_TIMEOUT),
        "max_transaction_retry_time": RETRY_BUDGET,
        "user_agent": "partnernet",
    }
    try:
        return AsyncGraphDatabase.driver(cfg.uri, **{**settings, **options})
    except (ValueError, nx4j.ConfigurationError) as err:
        raise Faults.of(cfg).invalid_configuration(err) from None


class Database:
    """One Neo4j database through a driver: sessions that share a bookmark manager (so a read
    sees this process's earlier writes), managed transactions under a timeout, the schema
    ensured before first use, and every driver failure translated by ``faults``.

    If the server is down when the store opens, :meth:`open` raises but the store stays
    open: the schema is ensured by the first call that reaches the server.
    """

    def __init__(
        self, driver: AsyncDriver, *, name: str, timeout: float, faults: Faults, owns_driver: bool
    ) -> None:
        self._driver = driver
        self._owns_driver = owns_driver
        self._name = name
        self.timeout = timeout
        self.faults = faults
        self._bookmarks = AsyncGraphDatabase.bookmark_manager()
        self._open = False
        self._schema_ready = False
        self._schema_lock = asyncio.Lock()

    async def open(self) -> None:
        self._open = True
        await self.ready()

    async def close(self) -> None:
        """Stop serving; close the driver only if this database owns it."""
        self._open = False
        if self._owns_driver:
            await self._driver.close()

    def session(self, *, write: bool) -> AsyncSession:
        if not self._open:
            raise StoreUnavailable("the Neo4j store is not open", where=self.faults.where)
        return self._driver.session(
            database=self._name,
            default_access_mode=neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS,
            bookmark_manager=self._bookmarks,
        )

    async def ready(self) -> None:
        """Ensure constraints and indexes once; retried on every call until it succeeds, so
        a store opened while Neo4j was down heals when it comes back."""
        if self._schema_ready:
            return
        async with self._schema_lock:
            if self._schema_ready:
                return
            async with self.faults.guard(), self.session(write=True) as session:
                await ensure_schema(session, self.timeout)
            self._schema_ready = True

    async def read(
        self,
        work: Callable[[AsyncManagedTransaction], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        """Run ``work`` in a managed read transaction (routed to a reader, retried on
        transient failures) under a timeout."""
        await self.ready()
        async with self.faults.guard(), self.session(write=False) as s:
            return await s.execute_read(unit_of_work(timeout=timeout or self.timeout)(work))

    async def write(
        self,
        work: Callable[[AsyncManagedTransaction], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        """Run ``work`` in a managed write transaction under a timeout."""
        await self.ready()
        async with self.faults.guard(), self.session(write=True) as s:
            return await s.execute_write(unit_of_work(timeout=timeout or self.timeout)(work))

    async def run(self, statement: str, *, write: bool, timeout: float, **params: Any) -> None:
        """Run one statement in an auto-commit transaction."""
        await self.ready()
        async with self.faults.guard(), self.session(write=write) as session:
            await (await session.run(Query(statement, timeout=timeout), params)).consume()

    @contextlib.asynccontextmanager
    async def read_transaction(self, timeout: float) -> AsyncIterator[AsyncTransaction]:
        """An explicit read transaction, for reads that hand out rows as they page."""
        async with self.faults.guard(), self.session(write=False) as session:
            tx = await session.begin_transaction(timeout=timeout)
            try:
                yield tx
            finally:
                await tx.close()

    async def ping(self) -> None:
        """Ready means: reachable, credentials accepted, schema in place. A connection the
        server dropped while restarting fails once, so a second attempt decides."""
        await self.ready()
        for attempt in (1, 2):
            try:
                await self.run(cypher.PING, write=False, timeout=min(self.timeout, CONNECT_TIMEOUT))
                return
            except StoreUnavailable:
                if attempt == 2:
                    raise
