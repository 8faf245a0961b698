"""The flow index after a write, derived from the one before it (``FlowIndex.advanced``), is
the index a full compile gives, array for array, after random write sequences on both stores;
and the API derives it whenever this process made the writes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from analytics import lineage as L
from api.lineage import cache
from api.lineage.index import load_index
from graph.store import GraphStore
from tests.factories import random_revisions

#: (asOf, minShare) pairs, as many as the API keeps indexes for: every relationship with a
#: share threshold the random results links fall on both sides of, and one date.
PARAMS = [(None, 0.1), ("2022-01-01", 0.0)]
ARRAYS = (
    "beneficiary",
    "contributor",
    "type_code",
    "factor",
    "up_ptr",
    "down_order",
    "down_ptr",
    "rel_link",
    "link_rels",
    "link_rel_ptr",
)


def assert_same(derived: L.FlowIndex, built: L.FlowIndex) -> None:
    assert derived.ids == built.ids
    assert dict(derived.position) == dict(built.position)
    assert dict(derived.nodes) == dict(built.nodes)
    assert derived.rels == built.rels
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(derived, name), getattr(built, name), name)


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The revisions the API compiled an index for from every record."""
    seen: list[int] = []
    real = load_index

    async def counting(store: GraphStore, **kwargs: Any) -> L.FlowIndex:
        seen.append(await store.revision())
        return await real(store, **kwargs)

    monkeypatch.setattr(cache, "load_index", counting)
    return seen


@pytest.mark.parametrize(("seed", "every"), [(1, 1), (2, 1), (3, 1), (4, 3), (5, 3)])
async def test_derived_indexes_equal_full_compiles(
    store: GraphStore, seed: int, every: int, compiles: list[int]
) -> None:
    """After every write, or after bursts of ``every`` writes (derived from their merged
    deltas)."""
    derived_at: list[int] = []
    async for step in random_revisions(store, seed, 30):
        if step % every:
            continue
        revision = await store.revision()
        for as_of, min_share in PARAMS:
            derived = await cache.index_for(store, as_of, min_share)
            built = await load_index(store, as_of=as_of, min_share=min_share)
            assert_same(derived, built)
        if revision not in compiles:
            derived_at.append(revision)
    assert len(set(compiles)) == 1  # the first revision only: every later one was derived
    assert len(derived_at) >= 20 // every
