"""The flow index after a write, derived from the one before it (``FlowIndex.advanced``), is
the index a full compile gives, array for array, after random write sequences on both stores;
and the API derives it whenever this process made the writes."""

from __future__ import annotations

import random

import numpy as np
import pytest

from analytics import lineage as L
from analytics.lineage import flow_index
from api.lineage import cache
from api.lineage.index import load_index
from graph.store import Change, GraphStore, RelWrite
from tests.factories import node, random_revisions, small_graph
from tests.lineage.conftest import Compiled

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


@pytest.mark.parametrize(("seed", "every"), [(1, 1), (2, 1), (3, 1), (4, 3), (5, 3)])
async def test_derived_indexes_equal_full_compiles(
    store: GraphStore, seed: int, every: int, compiles: list[Compiled]
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
        if revision not in {r for r, _, _ in compiles}:
            derived_at.append(revision)
    assert len({r for r, _, _ in compiles}) == 1  # the first revision: later ones were derived
    assert len(derived_at) >= 20 // every


def partnerships(prefix: str, actors: list[str], count: int) -> list[Change]:
    """``count`` partnerships of ``actors`` in the two programmes, ids ``r-<prefix>NNN``."""
    return [
        RelWrite(
            "PARTNERS_IN",
            f"r-{prefix}{i:03d}",
            actors[i % len(actors)],
            ("prog-a", "prog-b")[i % 2],
            {"role": "IMPLEMENTING", "since": "2021-01-01"},
        )
        for i in range(count)
    ]


def circles(ids: list[str]) -> list[Change]:
    return [node("CivilSocietyOrganization", a, f"Fictional Circle {a}") for a in ids]


async def test_a_large_write_is_derived_exactly(
    store: GraphStore, compiles: list[Compiled]
) -> None:
    """Past ``_IN_PLACE`` changes the splices copy slices instead of editing in place: a write
    of a hundred partnerships and a dozen new actors, ids sorting among the existing ones."""
    first = [f"cso-b{i:02d}" for i in range(40)]
    await store.apply([*small_graph(), *circles(first), *partnerships("b", first, 300)])
    await cache.index_for(store, None, 0.0)
    more = [f"cso-{c}{i}" for c in "0aMz" for i in range(3)]
    batch = circles(more)
    for c in "0aMz":
        batch += partnerships(c, [*more, "cso-1", "cso-b07"], 25)
    await store.apply(batch)
    derived = await cache.index_for(store, None, 0.0)
    assert_same(derived, await load_index(store))
    assert len(compiles) == 1  # derived, not compiled


def test_splices_agree_with_numpy_in_place_or_by_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    for in_place in (0, 10_000):
        monkeypatch.setattr(flow_index, "_IN_PLACE", in_place)
        for _ in range(200):
            items = list(range(rng.randrange(0, 30)))
            drop = sorted(rng.sample(items, rng.randrange(0, len(items) + 1)))
            left = len(items) - len(drop)
            at = sorted(rng.randrange(0, left + 1) for _ in range(rng.randrange(0, 6)))
            added = [100 + i for i in range(len(at))]
            want = np.insert(np.delete(np.array(items, np.int64), drop), at, added).tolist()
            assert flow_index._spliced(items, drop, at, added) == want
