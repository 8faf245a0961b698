"""A long analysis runs off the event loop, and identical concurrent requests share it.

The measure is replaced by one that blocks until the test releases it, so "while it runs" is
a fact the test controls, not a timing: nothing here asserts how long anything takes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from analytics import centrality
from api.centrality import service as svc
from tests.centrality.conftest import Gql, data

WAIT = 60  # seconds before a stuck test gives up (a failure, never a measurement)


class Gate:
    """Stands in for a measure: records calls, signals entry, blocks until released."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.calls = 0
        self.entered = threading.Event()
        self.released = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.entered.set()
        if not self.released.wait(WAIT):
            raise RuntimeError("the test never released the analysis")
        return self.real(*args, **kwargs)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate(centrality.closeness_centrality)
    monkeypatch.setattr(centrality, "closeness_centrality", gate)
    try:
        yield gate
    finally:
        gate.released.set()


def _in_background(gql: Gql, query: str) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: out.setdefault("body", gql(query)), daemon=True)
    thread.start()
    return thread, out


def _query(day: str) -> str:
    # a date of its own per test, so no earlier request has cached this result
    return f"""{{ centrality(measure: CLOSENESS, top: 3, filter: {{asOf: "{day}"}}) {{
        revision entries {{ score node {{ key }} }} }} }}"""


def test_the_server_answers_while_an_analysis_runs(gql: Gql, gate: Gate) -> None:
    thread, out = _in_background(gql, _query("2020-02-02"))
    assert gate.entered.wait(WAIT), "the analysis never started"

    health = gql("{ health { status } }")

    assert data(health)["health"]["status"] == "ok"
    assert "body" not in out and thread.is_alive()  # answered while the analysis was running
    gate.released.set()
    thread.join(WAIT)
    assert data(out["body"])["centrality"]["entries"]


def test_identical_concurrent_requests_compute_once(gql: Gql, gate: Gate) -> None:
    query = _query("2020-03-03")
    shared = svc.STATS.shared
    first, first_out = _in_background(gql, query)
    assert gate.entered.wait(WAIT), "the analysis never started"
    second, second_out = _in_background(gql, query)
    deadline = time.monotonic() + WAIT
    while svc.STATS.shared == shared:  # until the second request has joined the first
        assert time.monotonic() < deadline, "the second request never joined"
        time.sleep(0.01)

    gate.released.set()
    first.join(WAIT)
    second.join(WAIT)

    assert gate.calls == 1
    assert data(first_out["body"]) == data(second_out["body"])


def test_a_failed_analysis_is_not_cached(gql: Gql, monkeypatch: pytest.MonkeyPatch) -> None:
    real = centrality.closeness_centrality
    monkeypatch.setattr(centrality, "closeness_centrality", _boom)
    query = _query("2020-04-04")
    failed = gql(query)
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    monkeypatch.setattr(centrality, "closeness_centrality", real)
    assert data(gql(query))["centrality"]["entries"]


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("injected failure")
