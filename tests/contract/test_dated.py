"""Dated snapshots stepped from another date's (graph/dated.py) equal full builds.

Random write sequences (new actors with and without dates, updates valid from days of their
own, partnerships starting and ending, events of one day, second places) on both stores; then
random walks over dates, forwards and backwards, each snapshot stepped from the one before it
and compared with a full build: nodes, attributes, relationships and their order. Also the
stores themselves: after one dated snapshot is cached, another date of the same revision is
stepped, not built.
"""

from __future__ import annotations

import random

import pytest

from graph import snapshot as snapshots
from graph.dated import DateIndex, step
from graph.model import RelType
from graph.snapshot import build_snapshot
from graph.store import GraphStore
from tests.contract.test_snapshots import assert_same_graph, full_build
from tests.factories import random_revisions

DAYS = [
    f"{y}-{m:02d}-{d:02d}" for y in range(2018, 2027) for m, d in ((1, 1), (3, 1), (7, 1), (12, 31))
]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_a_stepped_snapshot_equals_a_full_build(store: GraphStore, seed: int) -> None:
    async for _ in random_revisions(store, seed, 30):
        pass
    records = await store.records(frozenset(RelType))
    versions = (await store.known_at(records.revision)).versions
    index = DateIndex(
        records.revision,
        {n.id: n for n in records.nodes},
        {r.id: r for r in records.relationships},
        versions,
    )
    rng = random.Random(seed)
    day = rng.choice(DAYS)
    snap = build_snapshot(records.revision, records.nodes, records.relationships, day, versions)
    for _ in range(25):
        day = rng.choice(DAYS)
        snap = step(snap, day, index)
        want = build_snapshot(records.revision, records.nodes, records.relationships, day, versions)
        assert snap.as_of == day
        assert_same_graph(snap.graph, want.graph)


async def test_the_stores_step_between_dates_of_one_revision(store: GraphStore) -> None:
    async for _ in random_revisions(store, 5, 20):
        pass
    await store.snapshot("2020-01-01")
    stepped = snapshots.STATS.stepped
    for day in ("2021-06-30", "2023-01-01", "2019-12-31"):
        got = await store.snapshot(day)
        assert_same_graph(got.graph, (await full_build(store, day)).graph)
    assert snapshots.STATS.stepped - stepped == 3
