"""The per-request node loader: one store call per tick, shared cache, errors to everyone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from api.context import NodeLoader
from graph.errors import StoreUnavailable
from graph.model import Node, NodeKind


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    async def get_nodes(self, ids: Sequence[str]) -> list[Node | None]:
        self.calls.append(list(ids))
        if self.fail:
            raise StoreUnavailable("down")
        return [Node(i, NodeKind.PROGRAMME, {"name": i}) if i != "nope" else None for i in ids]


async def test_lookups_in_one_tick_share_one_store_call_and_the_cache() -> None:
    store = Store()
    loader = NodeLoader(store)  # type: ignore[arg-type]
    one, many, again = await asyncio.gather(
        loader.load("a"), loader.load_many(["b", "nope", "a"]), loader.load_many(["c"])
    )
    assert store.calls == [["a", "b", "nope", "c"]]
    assert one is not None and one.id == "a"
    assert [n.id if n else None for n in many] == ["b", None, "a"]
    assert again[0] is not None
    assert (await loader.load("b")) is many[0] and len(store.calls) == 1  # cached


async def test_a_store_failure_reaches_every_waiting_caller() -> None:
    loader = NodeLoader(Store(fail=True))  # type: ignore[arg-type]
    results = await asyncio.gather(loader.load("a"), loader.load("b"), return_exceptions=True)
    assert all(isinstance(r, StoreUnavailable) for r in results)


async def test_a_cancelled_first_caller_does_not_strand_the_others() -> None:
    store = Store()
    loader = NodeLoader(store)  # type: ignore[arg-type]
    first = asyncio.ensure_future(loader.load("a"))
    second = asyncio.ensure_future(loader.load("b"))
    await asyncio.sleep(0)  # first waits for siblings, second has queued behind it
    first.cancel()
    found = await asyncio.wait_for(second, timeout=5)
    assert found is not None and found.id == "b"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert store.calls == [["b"]]
