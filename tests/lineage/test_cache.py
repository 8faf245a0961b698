"""The lineage result cache: keyed by revision, shared by concurrent callers, bounded."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.lineage.cache import ResultCache


class FakeStore:
    def __init__(self) -> None:
        self.rev = 1

    async def revision(self) -> int:
        return self.rev


async def test_results_are_reused_until_the_revision_changes() -> None:
    cache, store, calls = ResultCache(), FakeStore(), []

    async def compute() -> int:
        calls.append(store.rev)
        return store.rev * 10

    assert await cache.get(store, "q", compute) == (1, 10)
    assert await cache.get(store, "q", compute) == (1, 10)
    store.rev = 2
    assert await cache.get(store, "q", compute) == (2, 20)
    assert calls == [1, 2]


async def test_concurrent_callers_share_one_computation() -> None:
    cache, store, calls = ResultCache(), FakeStore(), []
    gate = asyncio.Event()

    async def compute() -> str:
        calls.append(1)
        await gate.wait()
        return "done"

    tasks = [asyncio.create_task(cache.get(store, "q", compute)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    assert [await t for t in tasks] == [(1, "done")] * 3
    assert calls == [1]


async def test_errors_are_not_cached() -> None:
    cache, store = ResultCache(), FakeStore()
    outcomes: list[Any] = [ValueError("boom"), "fine"]

    async def compute() -> Any:
        result = outcomes.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    with pytest.raises(ValueError):
        await cache.get(store, "q", compute)
    assert await cache.get(store, "q", compute) == (1, "fine")


async def test_least_recent_results_leave_past_the_budget() -> None:
    cache, store, calls = ResultCache(size=10, budget=100), FakeStore(), []

    def computing(name: str) -> Any:
        async def compute() -> str:
            calls.append(name)
            return name

        return compute

    def weigh(result: str) -> int:
        return 60

    await cache.get(store, "a", computing("a"), weigh)
    await cache.get(store, "b", computing("b"), weigh)  # evicts a
    await cache.get(store, "b", computing("b"), weigh)
    await cache.get(store, "a", computing("a"), weigh)
    assert calls == ["a", "b", "a"]
    huge = ResultCache(size=10, budget=10)
    assert await huge.get(store, "x", computing("x"), weigh) == (1, "x")
