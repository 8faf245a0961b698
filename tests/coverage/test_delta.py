"""The engagement index after a write (analytics/coverage/delta.py) equals a full build.

Random writes on both stores (new partners and places, partnerships, endings, updates that
move an actor's dates, events with participants, programmes reaching more countries); after
each, the index derived from the previous one must equal ``build_index`` of the new snapshot,
column for column, and so must every coverage table computed from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from analytics.coverage import Dimension, GeographyBasis, Window, build_index
from analytics.coverage.delta import advance_index
from analytics.coverage.engagements import EngagementIndex
from analytics.coverage_report import Cube, MatrixQuery, build_matrix
from graph.store import GraphStore
from tests.factories import random_revisions


def assert_same_index(got: EngagementIndex, want: EngagementIndex) -> None:
    for f in dataclasses.fields(want):
        if f.name in ("trees", "read"):
            continue
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b), f.name
        else:
            assert a == b, f.name
    assert got.read is not None and want.read is not None
    for name in ("since", "until", "amount"):
        assert np.array_equal(getattr(got.read, name), getattr(want.read, name)), name
    assert got.read.actors.type_rows == want.read.actors.type_rows


def matrix(index: EngagementIndex) -> object:
    query = MatrixQuery((Dimension.REGION, Dimension.THEME))
    cube = Cube(index, WINDOW, GeographyBasis.PARTNER)
    return build_matrix(cube, query, {}, None)


WINDOW = Window.period(dt.date(2019, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize("seed", [6, 7, 8])
async def test_the_index_after_a_write_equals_a_full_build(store: GraphStore, seed: int) -> None:
    revisions = random_revisions(store, seed, 30)
    await anext(revisions)  # the small graph and a first write
    snap = await store.snapshot()
    index = build_index(snap.graph, snap.revision)
    derived = 0
    async for _ in revisions:
        after = await store.snapshot()
        found = advance_index(index, snap.graph, after.graph, after.revision)
        want = build_index(after.graph, after.revision)
        if found is not None:
            derived += 1
            assert_same_index(found, want)
            assert matrix(found) == matrix(want)
        snap, index = after, found if found is not None else want
    assert derived >= 20
