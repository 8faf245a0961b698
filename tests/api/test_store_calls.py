"""No N+1: nested pages cost a bounded number of store calls, whatever the page size."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.settings import Settings
from api.stores import store_from_settings
from graph.store import GraphStore
from tests.api.conftest import _client
from tests.live import serve


class CountingStore:
    """A store proxy that counts calls by method; the real store is opened and closed in the
    server's own event loop (see :func:`owning`)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


def owning(app: Any, store: CountingStore) -> Any:
    """Wrap an ASGI app so the store opens after its startup and closes before its shutdown
    completes, in the server's loop (drivers bind to the loop that opened them)."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                await store.inner.open()
            elif message["type"] == "lifespan.shutdown.complete":
                await store.inner.close()
            await send(message)

        await app(scope, receive, send_)

    return asgi


@pytest.fixture
def counted(seeded_settings: Settings, tmp_path: Path) -> Iterator[tuple[Any, CountingStore]]:
    settings = seeded_settings
    if settings.store == "embedded":
        # The session's read-only server may hold the seeded file, and an embedded file has one
        # open handle at a time: count calls on a copy of it instead.
        settings = dataclasses.replace(settings, db_path=tmp_path / "calls.db")
        with (
            contextlib.closing(sqlite3.connect(seeded_settings.db_path)) as source,
            contextlib.closing(sqlite3.connect(settings.db_path)) as copy,
        ):
            source.backup(copy)
    store = CountingStore(store_from_settings(settings))
    app = create_app(settings, store=store)
    with serve(owning(app, store)) as url:
        yield _client(url), store


QUERY = """
query Page($first: Int!) {
  actors(first: $first) {
    totalCount
    edges { node {
      key name
      ... on Actor { programmes(first: 10) { totalCount edges { role node { key name } } } }
      ... on Organization { basedIn { edges { node { key name region } } } }
    } }
  }
}
"""


def test_a_page_of_actors_with_programmes_and_countries_costs_bounded_store_calls(
    counted: tuple[Any, CountingStore],
) -> None:
    gql, store = counted
    costs = {}
    for first in (5, 100):
        store.calls.clear()
        body = gql(QUERY, {"first": first})
        assert "errors" not in body, body
        edges = body["data"]["actors"]["edges"]
        assert len(edges) == first
        costs[first] = sum(store.calls.values())
    assert any(e["node"]["programmes"]["edges"] for e in edges)
    assert any(e["node"].get("basedIn", {}).get("edges") for e in edges)
    assert costs[5] == costs[100], costs
    # the page (public then restricted segment) + one neighbour call per relationship type
    assert costs[100] <= 4, store.calls
