"""Dated snapshots stepped from another date's (graph/dated.py) equal full builds.

Random write sequences (new actors with and without dates, updates valid from days of their
own, partnerships starting and ending, events of one day, second places) on both stores; then
random walks over dates, forwards and backwards, each snapshot stepped from the one before it
and compared with a full build: nodes, attributes, relationships and their order. Also the
stores themselves: after one dated snapshot is cached, another date of the same revision is
stepped, not built; and a larger network where many neighbours come and go on one day, out
of id order (rows put back in order by merging, not sorting), with the changes each step
records for the analysed network (graph.snapshot.changes) equal to those found by identity.
"""

from __future__ import annotations

import random

import pytest

from analytics.advance import touched_nodes
from graph import snapshot as snapshots
from graph.dated import DateIndex, step
from graph.model import Node, NodeKind, Relationship, RelType
from graph.reference import member_states
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


BUSY_DAYS = ["2020-01-01", "2021-01-01", "2021-07-01", "2022-01-01"]
WALK = ["2019-06-30", "2020-01-01", "2020-03-31", "2021-01-01", "2020-12-31", "2022-01-01"]
WALK += ["2019-12-31", "2021-06-30", "2022-06-30", "2021-07-01"]


def busy_records(seed: int, actors: int = 150) -> tuple[dict[str, Node], dict[str, Relationship]]:
    """Three states, eight programmes and ``actors`` actors (some of each with dates of their
    own), each actor based in a state (some moving) and partnering in a few programmes, ids
    random so that neighbours arrive out of id order, most dates on a few busy days: on
    each, many rows gain and lose many neighbours at once."""
    rng = random.Random(seed)
    nodes: dict[str, Node] = {}
    rels: dict[str, Relationship] = {}

    def dates() -> dict[str, str]:
        since, until = sorted(rng.sample(BUSY_DAYS, 2))
        both = {"since": since, "until": until}
        return rng.choice([{}, {}, {"since": since}, {"until": until}, both])

    def rel(rel_type: RelType, start: str, end: str) -> None:
        rel_id = f"r{rng.randrange(10**6):06d}"
        if rel_id not in rels:
            rels[rel_id] = Relationship(rel_id, rel_type, start, end, dates())

    states = ["FRA", "JOR", "KEN"]
    for iso3 in states:
        ref = member_states()[iso3]
        props = {"name": ref.name, "region": ref.region, "subregion": ref.subregion}
        nodes[iso3] = Node(iso3, NodeKind.MEMBER_STATE, props)
    programmes = [f"prog-{rng.randrange(10**6):06d}" for _ in range(8)]
    for p in programmes:
        nodes[p] = Node(
            p, NodeKind.PROGRAMME, {"name": p, **(dates() if rng.random() < 0.3 else {})}
        )
    for _ in range(actors):
        a = f"cso-{rng.randrange(10**6):06d}"
        props = {"name": a, **(dates() if rng.random() < 0.2 else {})}
        nodes[a] = Node(a, NodeKind.CIVIL_SOCIETY_ORGANIZATION, props)
        for state in rng.sample(states, rng.choice([1, 1, 2])):
            rel(RelType.BASED_IN, a, state)
        for p in rng.sample(programmes, rng.randrange(1, 5)):
            for _ in range(rng.choice([1, 1, 2])):  # some pairs hold two partnerships
                rel(RelType.PARTNERS_IN, a, p)
    return nodes, rels


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_neighbours_come_and_go_at_once(seed: int) -> None:
    nodes, rels = busy_records(seed)
    index = DateIndex(1, nodes, rels, None)
    snap = build_snapshot(1, nodes.values(), rels.values(), WALK[0])
    for day in WALK[1:]:
        got = step(snap, day, index)
        assert_same_graph(got.graph, build_snapshot(1, nodes.values(), rels.values(), day).graph)
        known = snapshots.changes(snap.graph, got.graph)
        assert known is not None
        assert set(known.nodes) == touched_nodes(snap.graph, got.graph)
        assert snapshots.changes(got.graph, got.graph) is None  # only from its own base
        snap = got
