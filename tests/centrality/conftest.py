"""Fixtures of the centrality tests: live servers over the seed data on both stores, and the
seed snapshot in-process, so that API answers can be checked against the analytics called
directly on the same graph.

Servers are module-scoped: other test modules reset the shared Neo4j test database, so a
server must not outlive the module that relies on its data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from api.app import create_app
from graph.embedded import EmbeddedStore
from tests.api.conftest import PRIVILEGED_KEY, _client, _seed, _settings
from tests.conftest import STORE_KINDS
from tests.live import serve

Gql = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module", params=STORE_KINDS)
def centrality_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A live API over exactly the seed data (read-only: do not write)."""
    settings = _settings(request.param, tmp_path_factory.mktemp("centrality") / "api.db")
    _seed(settings)
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def gql(centrality_url: str) -> Gql:
    """POST a GraphQL document; ``key=STAFF`` makes the caller privileged."""
    return _client(centrality_url)


STAFF = PRIVILEGED_KEY


def data(body: dict[str, Any]) -> Any:
    """The data of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    return body["data"]


def error_code(body: dict[str, Any]) -> str:
    """The code of the only error of a response."""
    assert len(body.get("errors") or []) == 1, body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


class SeedGraphs:
    """Snapshots of the seed data, read once from an embedded store of our own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str | None, nx.MultiDiGraph] = {}

    def snapshot(self, as_of: str | None = None) -> nx.MultiDiGraph:
        if as_of not in self._cache:
            self._cache[as_of] = asyncio.run(self._read(as_of))
        return self._cache[as_of]

    async def _read(self, as_of: str | None) -> nx.MultiDiGraph:
        store = EmbeddedStore(self.path)
        await store.open()
        try:
            return (await store.snapshot(as_of)).graph
        finally:
            await store.close()

    def restricted_names(self) -> set[str]:
        """Names of every restricted actor: none may reach an unprivileged caller."""
        g = self.snapshot()
        return {g.nodes[k]["name"] for k in self.restricted_keys()}

    def restricted_keys(self) -> set[str]:
        """Keys of every restricted actor: left out of what unprivileged callers are shown."""
        g = self.snapshot()
        return {k for k, d in g.nodes(data=True) if d.get("sensitivity") == "RESTRICTED"}

    def shown(self, scores: Mapping[Hashable, float]) -> dict[Hashable, float]:
        """``scores`` of the nodes an unprivileged caller is shown: rankings are taken among
        those (scores themselves are computed on the whole network)."""
        hidden = self.restricted_keys()
        return {k: s for k, s in scores.items() if k not in hidden}


@pytest.fixture(scope="session")
def seed_graphs(tmp_path_factory: pytest.TempPathFactory) -> SeedGraphs:
    path = tmp_path_factory.mktemp("seed-graphs") / "seed.db"
    _seed(_settings("embedded", path))
    return SeedGraphs(path)
