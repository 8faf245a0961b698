"""Fixtures of the coverage tests: small fictional graphs as snapshots, and live servers over
the seed data on both stores (reusing the API tests' settings and seeding helpers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import networkx as nx
import pytest

from api.app import create_app
from graph.model import Node, NodeKind, Relationship, RelType
from graph.reference import member_states
from graph.snapshot import build_snapshot
from tests.api.conftest import PRIVILEGED_KEY, _client, _seed, _settings
from tests.live import client_for, serve

Gql = Callable[..., dict]


# --------------------------------------------------------------------------- small graphs


class GraphBuilder:
    """Nodes and relationships for a snapshot, without a store: analytics only read the
    snapshot graph, and property tests build hundreds of graphs."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.rels: list[Relationship] = []

    def node(self, kind: str, node_id: str, **props: Any) -> GraphBuilder:
        self.nodes[node_id] = Node(node_id, NodeKind(kind), {"name": node_id, **props})
        return self

    def state(self, iso3: str) -> GraphBuilder:
        ref = member_states()[iso3]
        return self.node(
            "MemberState",
            iso3,
            name=ref.name,
            m49=ref.m49,
            region=ref.region,
            subregion=ref.subregion,
        )

    def rel(self, rel_type: str, start: str, end: str, **props: Any) -> GraphBuilder:
        rel_id = f"r{len(self.rels)}"
        self.rels.append(Relationship(rel_id, RelType(rel_type), start, end, props))
        return self

    def graph(self, as_of: str | None = None) -> nx.MultiDiGraph:
        return build_snapshot(1, self.nodes.values(), self.rels, as_of).graph

    def states(self, codes: Iterable[str]) -> GraphBuilder:
        for c in codes:
            self.state(c)
        return self


@pytest.fixture
def builder() -> GraphBuilder:
    return GraphBuilder()


# --------------------------------------------------------------------------- live servers


@pytest.fixture(scope="session", params=["embedded", "neo4j"])
def coverage_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A live API over exactly the seed data (read-only: do not write)."""
    settings = _settings(request.param, tmp_path_factory.mktemp("coverage") / "api.db")
    _seed(settings)
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def writable_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A live API over freshly seeded data that this module may write to."""
    settings = _settings(request.param, tmp_path_factory.mktemp("coverage-w") / "api.db")
    _seed(settings)
    try:
        with serve(create_app(settings)) as url:
            yield url
    finally:
        if settings.store == "neo4j":
            _seed(settings)


@pytest.fixture
def gql(coverage_url: str) -> Gql:
    return _client(coverage_url)


@pytest.fixture
def gql_writable(writable_url: str) -> Gql:
    return _client(writable_url)


@pytest.fixture
def staff() -> str:
    return PRIVILEGED_KEY


def get(url: str, path: str, params: dict[str, str], **headers: str) -> httpx.Response:
    return client_for(url).get(path, params=params, headers=headers)
