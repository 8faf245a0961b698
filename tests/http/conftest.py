"""Fixtures for the HTTP layer: a tiny schema, live uvicorn servers, external tools.

Two servers:

- ``live_server`` serves the real application (``api.app.create_app``) on a
  fresh embedded store. Tests on it use only what every schema has
  (``__typename``, ``__type``).
- ``tiny_server`` always serves the tiny schema below, for behaviour that
  needs specific fields (a field error, a mutation with a visible effect,
  a context value, a coercible argument).

No ``__init__.py`` in this folder on purpose: with pytest's default import
mode it would turn ``tests/`` into an import root where ``http`` shadows the
standard library's ``http`` package.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import strawberry
from starlette.applications import Starlette

from api.app import create_app
from api.http import GRAPHIQL_DIR, DocumentCachingSchema, graphql_routes
from api.settings import Settings
from tests.live import serve

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PARTNERNET_CHROMIUM", "/usr/bin/chromium")


# --- the tiny application ----------------------------------------------------


@dataclass
class AppState:
    """Side effects of the tiny schema, so tests can see what ran."""

    mutations_executed: int = 0
    context_requests: list[str] = field(default_factory=list)


STATE = AppState()


@dataclass
class Context:
    request: Any
    response: Any
    request_id: str


async def get_context(request: Any, response: Any) -> Context:
    """Per-request context object, like the real app's: proves the getter is used."""
    request_id = request.headers.get("x-request-id", "none")
    STATE.context_requests.append(request_id)
    return Context(request=request, response=response, request_id=request_id)


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello, {name}!"

    @strawberry.field
    def answer(self, value: int) -> int:
        return value

    @strawberry.field
    def request_id(self, info: strawberry.Info[Context, None]) -> str:
        return info.context.request_id

    @strawberry.field
    def boom(self) -> str:
        """A field error: execution ran, so ``data`` must be present (null)."""
        msg = "kaboom"
        raise RuntimeError(msg)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def bump(self) -> int:
        STATE.mutations_executed += 1
        return STATE.mutations_executed


def build_schema(*, with_caches: bool = True) -> strawberry.Schema:
    schema_class = DocumentCachingSchema if with_caches else strawberry.Schema
    return schema_class(query=Query, mutation=Mutation)


def build_tiny_app() -> Starlette:
    return Starlette(routes=graphql_routes(build_schema(), context_getter=get_context))


# --- live server ---------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real partnernet app on a fresh embedded store, served for the whole session."""
    db = tmp_path_factory.mktemp("http") / "http.db"
    settings = dataclasses.replace(Settings.from_env(), store="embedded", db_path=db)
    with serve(create_app(settings)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def tiny_server() -> Iterator[str]:
    """The tiny schema's app, for tests that need its specific fields."""
    with serve(build_tiny_app()) as base_url:
        yield base_url


@pytest.fixture
def serve_app() -> Any:
    """``with serve_app(app) as base_url:`` runs another app, for tests that need their own."""
    return serve


@pytest.fixture(scope="session")
def graphql_url(live_server: str) -> str:
    return f"{live_server}/graphql"


@pytest.fixture
def app_state() -> AppState:
    return STATE


# --- external tools ------------------------------------------------------------


def _require_all() -> bool:
    return os.environ.get("PARTNERNET_REQUIRE_ALL", "") not in ("", "0")


def missing_tool(what: str, hint: str) -> None:
    """Skip because a tool is absent, or fail if PARTNERNET_REQUIRE_ALL is set (CI)."""
    if _require_all():
        pytest.fail(f"{what} is not available ({hint}) and PARTNERNET_REQUIRE_ALL is set")
    pytest.skip(
        f"{what} is not available ({hint}); set PARTNERNET_REQUIRE_ALL=1 to make this a failure"
    )


@pytest.fixture(scope="session")
def node() -> str:
    """Path to node, with the npm packages installed (a missing install is a failure)."""
    path = shutil.which("node")
    if path is None:
        missing_tool("node", "not on PATH")
    if not (REPO_ROOT / "node_modules" / "graphql-http" / "package.json").is_file():
        pytest.fail(
            "node is installed but the npm packages are not: run `npm ci` in the repository root"
        )
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def graphiql_assets() -> Path:
    """The generated GraphiQL bundles (skipped like node when node is absent)."""
    vendor = GRAPHIQL_DIR / "vendor"
    if not (vendor / "graphiql.min.js").is_file():
        if shutil.which("node") is None:
            missing_tool("node (needed to install GraphiQL's assets)", "not on PATH")
        pytest.fail(f"GraphiQL assets missing in {vendor}: run `npm ci` in the repository root")
    return vendor


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path to Debian's chromium (override with PARTNERNET_CHROMIUM)."""
    if not os.access(CHROMIUM, os.X_OK):
        missing_tool("chromium", f"{CHROMIUM} not found; apt-get install chromium")
    return CHROMIUM
