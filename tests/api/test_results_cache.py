"""The one results cache (api/core/cache.py): single flight, its cancellation policy, keys that
hold the revision, the memory bound, and failures that are not kept.

Computations here block on events the test sets, so "while it runs" is a fact the test
controls, not a timing.
"""

from __future__ import annotations

import asyncio
import doctest
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from api.core import cache as core_cache
from api.core.cache import PerStore, ResultCache


class Computation:
    """A computation the test drives: counts its starts, blocks until released, and records
    whether it was cancelled."""

    def __init__(self, result: Any = "done") -> None:
        self.result = result
        self.started = 0
        self.cancelled = 0
        self.release = asyncio.Event()

    async def __call__(self) -> Any:
        self.started += 1
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


async def settle() -> None:
    """Let every task that can make progress do so."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_callers_share_one_computation() -> None:
    cache, compute = ResultCache(entries=4), Computation()
    waiters = [asyncio.create_task(cache.get((1, "q"), compute)) for _ in range(10)]
    await settle()
    compute.release.set()
    assert await asyncio.gather(*waiters) == ["done"] * 10
    assert compute.started == 1
    assert (cache.stats.computed, cache.stats.shared) == (1, 9)
    assert await cache.get((1, "q"), compute) == "done"  # kept: no new computation
    assert compute.started == 1


async def test_a_cancelled_waiter_leaves_the_others_their_computation() -> None:
    cache, compute = ResultCache(entries=4), Computation()
    first = asyncio.create_task(cache.get((1, "q"), compute))
    second = asyncio.create_task(cache.get((1, "q"), compute))
    await settle()
    first.cancel()  # its client hung up, or its deadline passed
    await settle()
    assert compute.cancelled == 0
    compute.release.set()
    assert await second == "done"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert compute.started == 1 and list(cache) == [(1, "q")]


async def test_the_computation_is_cancelled_when_its_last_waiter_leaves() -> None:
    cache, compute = ResultCache(entries=4), Computation()
    waiters = [asyncio.create_task(cache.get((1, "q"), compute)) for _ in range(3)]
    await settle()
    for waiter in waiters:
        waiter.cancel()
    await settle()
    assert compute.cancelled == 1 and len(cache) == 0  # nothing runs on, nothing half-made kept
    compute.release.set()
    assert await cache.get((1, "q"), compute) == "done"  # the next request starts afresh
    assert compute.started == 2


async def test_a_nested_computation_is_cancelled_with_its_only_waiter() -> None:
    outer_cache, inner_cache, inner = ResultCache(entries=4), ResultCache(entries=4), Computation()

    async def outer() -> Any:
        return await inner_cache.get((1, "inner"), inner)

    waiter = asyncio.create_task(outer_cache.get((1, "outer"), outer))
    await settle()
    waiter.cancel()
    await settle()
    assert inner.cancelled == 1


async def test_a_deadline_cancels_only_its_own_request() -> None:
    cache, compute = ResultCache(entries=4), Computation()
    patient = asyncio.create_task(cache.get((1, "q"), compute))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await cache.get((1, "q"), compute)
    compute.release.set()
    assert await patient == "done"
    assert compute.started == 1


async def test_a_new_revision_is_computed_afresh() -> None:
    cache, calls = ResultCache(entries=4), []
    revision = 1

    async def compute() -> int:
        calls.append(revision)
        return revision * 10

    assert await cache.get((revision, "q"), compute) == 10
    assert await cache.get((revision, "q"), compute) == 10
    revision = 2  # a write
    assert await cache.get((revision, "q"), compute) == 20
    assert calls == [1, 2]


async def test_an_exception_reaches_every_waiter_and_is_not_kept() -> None:
    cache, failing = ResultCache(entries=4), Computation(ValueError("boom"))
    waiters = [asyncio.create_task(cache.get((1, "q"), failing)) for _ in range(2)]
    await settle()
    failing.release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)
    assert len(cache) == 0
    fine = Computation("fine")
    fine.release.set()
    assert await cache.get((1, "q"), fine) == "fine"


async def test_results_past_the_entry_bound_leave_least_recent_first() -> None:
    cache, calls = ResultCache(entries=2), []

    def computing(name: str) -> Any:
        async def compute() -> str:
            calls.append(name)
            return name

        return compute

    for name in ("a", "b", "a", "c", "b"):  # "a" used after "b", so "b" leaves for "c"
        await cache.get(name, computing(name))
    assert calls == ["a", "b", "c", "b"]
    assert len(cache) == 2


async def test_results_past_the_weight_budget_leave_least_recent_first() -> None:
    cache, calls = ResultCache(entries=10, budget=100), []

    def computing(name: str) -> Any:
        async def compute() -> str:
            calls.append(name)
            return name

        return compute

    def weigh(result: str) -> int:
        return 60

    await cache.get("a", computing("a"), weigh)
    await cache.get("b", computing("b"), weigh)  # 120 > 100: evicts a
    await cache.get("b", computing("b"), weigh)
    await cache.get("a", computing("a"), weigh)
    assert calls == ["a", "b", "a"]
    assert list(cache) == ["a"]
    # A result heavier than the whole budget is still answered, and kept alone until the next.
    huge = ResultCache(entries=10, budget=10)
    assert await huge.get("x", computing("x"), weigh) == "x"
    assert list(huge) == ["x"]
    await huge.get("y", computing("y"), lambda _: 1)
    assert list(huge) == ["y"]


def answer(value: str) -> Callable[[], Awaitable[str]]:
    async def compute() -> str:
        return value

    return compute


async def test_peeking_leaves_the_eviction_order_alone() -> None:
    """The oldest result is peeked (to derive the next from it); the next then pushes out the
    oldest, not the other result kept."""
    cache = ResultCache(entries=2)
    for key in ("old", "other"):
        await cache.get(key, answer(key))
    assert cache.peek("old") == "old"
    assert cache.peek("missing") is None
    await cache.get("new", answer("new"))
    assert set(cache) == {"new", "other"}


class Store:
    """Stands in for a store: only its ``attached`` matters."""

    def __init__(self) -> None:
        self.attached: dict[object, Any] = {}


def test_one_object_per_store_kept_in_the_store() -> None:
    made = PerStore(lambda store: ResultCache(entries=1))
    first, second = Store(), Store()
    assert made(first) is made(first)  # type: ignore[arg-type]
    assert made(first) is not made(second)  # type: ignore[arg-type]
    assert list(first.attached.values()) == [made(first)]  # type: ignore[arg-type]


def test_the_docstring_example_runs() -> None:
    result = doctest.testmod(core_cache)
    assert result.attempted and not result.failed


class Refused(Exception):
    """Stands for a refusal (an analysis over its work budget): certain for its key."""


async def test_a_refusal_is_kept_and_raised_again_without_computing() -> None:
    cache = ResultCache(entries=4, keep_errors=(Refused,))
    compute = Computation(Refused("over budget"))
    compute.release.set()
    for _ in range(3):
        with pytest.raises(Refused, match="over budget"):
            await cache.get((1, "q"), compute)
    assert compute.started == 1
    assert len(cache) == 1
    other = Computation(ValueError("transient"))  # not a kept type: computed each time
    other.release.set()
    for _ in range(2):
        with pytest.raises(ValueError):
            await cache.get((1, "other"), other)
    assert other.started == 2


async def test_peek_returns_a_kept_result_only() -> None:
    cache = ResultCache(entries=4, keep_errors=(Refused,))
    assert cache.peek((1, "q")) is None
    done, refused = Computation(7), Computation(Refused("over budget"))
    done.release.set()
    refused.release.set()
    await cache.get((1, "q"), done)
    with pytest.raises(Refused):
        await cache.get((1, "r"), refused)
    assert (cache.peek((1, "q")), cache.peek((1, "r"))) == (7, None)
    assert (done.started, refused.started) == (1, 1)  # peeking computes nothing
