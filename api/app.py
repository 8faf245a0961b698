"""The Starlette application: GraphQL endpoint, GraphiQL, health and readiness.

The store is created in the lifespan, never at import, so importing the app is free and one
process can host several apps in tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from analytics.pages import advise_huge_pages
from api.access import Authentication, Authenticator, Caller
from api.centrality.service import service_for
from api.context import Context
from api.coverage.responses import coverage_responses
from api.dashboard import dashboard_routes
from api.guard import Guard, RequestBounds
from api.http import graphql_routes
from api.jobs import JobManager
from api.lineage.warm import keep_warm
from api.policy import Policy
from api.schema import AREAS, schema
from api.settings import Settings
from api.stores import store_from_settings
from graph.errors import GraphError, StoreInUse
from graph.store import GraphStore

log = logging.getLogger("partnernet")


def create_app(
    settings: Settings | None = None,
    store: GraphStore | None = None,
    prepare: Callable[[GraphStore], Awaitable[None]] | None = None,
) -> Starlette:
    """Build the app; ``store`` overrides the configured one (tests pass an opened store).

    ``prepare`` runs once on the store the app opened, before the first request: ``serve``
    seeds an empty store there, so a start loads the file once (opening it to look, closing
    it and opening it again doubled a 100,000-actor start).
    """
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        advise_huge_pages(settings.numpy_huge_pages)
        owned = store is None
        # Creates the Neo4j driver from the settings, owned by the store: closing the store
        # below closes it. Settings the driver refuses raise here and stop the start, like
        # StoreInUse: they never heal, so serving 503s would only hide them.
        active = store or store_from_settings(settings)
        if owned:
            try:
                await active.open()
            except StoreInUse:
                raise  # another process owns the file: serving 503s forever would hide it
            except GraphError as err:
                log.error("store not ready: %s", err)
            else:
                if prepare is not None:
                    await prepare(active)
        app.state.store = active
        # Analysis jobs live with the app: their children are killed when it stops.
        app.state.jobs = jobs = JobManager(settings.jobs)
        log.info("%s", authenticator.describe())
        warm = (
            asyncio.create_task(keep_warm(active, settings.lineage_warm_seconds))
            if settings.lineage_warm_seconds > 0
            else None
        )
        try:
            yield
        finally:
            if warm is not None:
                warm.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await warm
            await jobs.close()
            await service_for(active).close()
            if owned:
                await active.close()

    authenticator = Authenticator(settings)
    # Analysts and above get the staff limits (larger cost and rate); the shape limits are
    # the same for everyone.
    guards = {
        False: Guard(settings.limits, settings.rate_storage),
        True: Guard(settings.staff_limits, settings.rate_storage),
    }

    def caller_of(request: Request) -> Caller:
        """The caller the authentication middleware found (it refuses requests it cannot
        authenticate, so every request reaching a route has one)."""
        caller: Caller = request.scope["state"]["caller"]
        return caller

    def policy_for(request: Request) -> Policy:
        return Policy(role=caller_of(request).role, suppression_k=settings.suppression_k)

    async def get_context(request: Request, response: Any) -> Context:
        policy = policy_for(request)
        caller = caller_of(request)
        return Context(
            store=request.app.state.store,
            policy=policy,
            guard=guards[policy.privileged].admission(caller.identity, response),
            caller=caller.identity,
            caller_name=caller.name,
            jobs=getattr(request.app.state, "jobs", None),
        )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> JSONResponse:
        try:
            await request.app.state.store.ping()
        except GraphError as err:
            return JSONResponse({"status": "not ready", "reason": err.message}, status_code=503)
        return JSONResponse(
            {"status": "ready", "revision": await request.app.state.store.revision()}
        )

    app = Starlette(
        routes=[
            *graphql_routes(schema, context_getter=get_context, response_cache=coverage_responses),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *dashboard_routes(),
            *(route for area in AREAS for route in area.ROUTES),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(RequestBounds, limits=lambda: settings.limits),
            Middleware(Authentication, authenticator=authenticator),
            *_cors(settings.cors_origins),
            # Coverage matrices and exports are large, repetitive JSON/CSV: several-fold smaller.
            Middleware(GZipMiddleware, minimum_size=1024),
        ],
    )
    # One rule for every entry point: the GraphQL context and plain HTTP routes (exports).
    app.state.policy_for = policy_for
    return app


def _cors(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for dashboards served on ``origins`` (none: no CORS headers at all); they may send
    a key and read the rate headers."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=[
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Retry-After",
                "ETag",
            ],
            max_age=600,
        )
    ]
