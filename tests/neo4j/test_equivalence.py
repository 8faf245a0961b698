"""The Neo4j store answers exactly like the embedded reference store, query for query.

Both stores receive the same batches (the seed data, a small synthetic network, names chosen
to trip case folding and string order, and a few ended relationships), then every read of
the protocol is compared over many filter combinations, directions, dates and cursors.
"""

from __future__ import annotations

import operator
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from graph.embedded import EmbeddedStore
from graph.exchange import record_to_json
from graph.model import FocusGroup, NodeKind, Region, RelType, Role, Sensitivity, WeightScope
from graph.neo4j import Neo4jStore
from graph.store import (
    Change,
    Direction,
    GraphStore,
    NodeFilter,
    NodeWrite,
    RelEnd,
    RelWrite,
    SortOrder,
)
from seeds.illustrative import AS_OF, seed_changes
from seeds.synthetic import generate
from tests.conftest import neo4j_config, neo4j_store_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

Pair = tuple[EmbeddedStore, Neo4jStore]

TRICKY_NAMES = [
    "ΣΊΣΥΦΟΣ Network",
    "σίσυφος network",
    "İstanbul Dialogue Circle",
    "istanbul dialogue circle",
    "Straße Youth Forum",
    "STRASSE Youth Forum",
    "ǅemal Foundation",
    "\U0001d400lpha Collective",
    "\uff21cme Civic Lab",
    "Émile Women's Group",
    "Emile Women's Group",
    "e\u0301mile Women's Group",
    "zz Network",
    "ZZ Network",
    "'}) DETACH DELETE n // `x` $y",
]


def tricky_changes() -> list[Change]:
    out: list[Change] = []
    for i, name in enumerate(TRICKY_NAMES):
        node_id = f"tricky-{i:02d}"
        out.append(NodeWrite("CivilSocietyOrganization", node_id, {"name": name}))
        out.append(RelWrite("BASED_IN", f"tricky-based-{i:02d}", node_id, "KEN", {}))
    return out


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pair(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Pair]:
    cfg = neo4j_config()
    embedded = EmbeddedStore(Path(tmp_path_factory.mktemp("equivalence")) / "graph.db")
    neo = neo4j_store_for(cfg)
    await embedded.open()
    await neo.open()
    await neo.reset()
    first = [*seed_changes(), *generate(300, seed=11), *tricky_changes()]
    partners = sorted(c.id for c in first if isinstance(c, RelWrite) and c.type == "PARTNERS_IN")
    # Ended on the seed's last day, which no partnership starts after.
    second: list[Change] = [RelEnd(rid, AS_OF.isoformat()) for rid in partners[::7]]
    try:
        for store in (embedded, neo):
            await store.apply(first)
            await store.apply(second)
            await store.set_need_weights({(WeightScope.REGION, "Africa"): 2.0})
        yield embedded, neo
    finally:
        await embedded.close()
        await neo.close()


async def test_revision_counts_and_export_are_identical(pair: Pair) -> None:
    embedded, neo = pair
    assert await neo.revision() == await embedded.revision() == 3
    assert await neo.counts_by_kind() == await embedded.counts_by_kind()
    assert await neo.need_weights() == await embedded.need_weights()
    lines = [[record_to_json(r) async for r in s.export_records()] for s in pair]
    assert lines[0] == lines[1]
    assert len(lines[0]) > 3000


async def test_lookups_keep_order_duplicates_and_misses(pair: Pair) -> None:
    ids = ["KEN", "nope", "tricky-03", "KEN", "ro-au"]
    assert await pair[1].get_nodes(ids) == await pair[0].get_nodes(ids)
    rel_ids = ["tricky-based-01", "missing", "tricky-based-01"]
    assert await pair[1].get_relationships(rel_ids) == await pair[0].get_relationships(rel_ids)


def _filters() -> list[NodeFilter]:
    """Every filter alone, then random combinations (fixed seed)."""
    rng = random.Random(20_240_601)
    choices: dict[str, list[object]] = {
        "kinds": [
            frozenset({NodeKind.CIVIL_SOCIETY_ORGANIZATION}),
            frozenset({NodeKind.PROGRAMME, NodeKind.ACTIVITY}),
            frozenset({NodeKind.MEMBER_STATE, NodeKind.REGIONAL_ORGANIZATION}),
            frozenset({NodeKind.COMPANY, NodeKind.ACADEMIC_INSTITUTION, NodeKind.OUTCOME}),
            frozenset(),
        ],
        "region": list(Region),
        "subregion": ["Sub-Saharan Africa", "Western Asia", "Western Europe", "Polynesia"],
        "country": ["KEN", "FRA", "DJI", "NGA", "IDN", "USA"],
        "theme": ["theme-pcve", "theme-cft", "theme-cyber", "theme-vot", "no-such-theme"],
        "focus_group": list(FocusGroup),
        "role": list(Role),
        "sensitivity": list(Sensitivity),
        "active_as_of": ["2016-03-01", "2019-06-30", "2022-05-10", "2026-01-01"],
        "text": ["youth", "NETWORK", "straße", "σίσυφος", "İ", "e\u0301", "UN", "zz", "$y"],
    }
    out = [NodeFilter()]
    for name, values in choices.items():
        out += [NodeFilter(**{name: v}) for v in values]  # type: ignore[arg-type]
    for _ in range(60):
        picked = {n: rng.choice(v) for n, v in choices.items() if rng.random() < 0.3}
        out.append(NodeFilter(**picked))  # type: ignore[arg-type]
    return out


@pytest.mark.parametrize("sort", list(SortOrder))
async def test_find_nodes_matches_for_every_filter(pair: Pair, sort: SortOrder) -> None:
    for flt in _filters():
        pages = []
        for store in pair:
            first = await store.find_nodes(flt, first=25, sort=sort)
            after = first.end_cursor
            second = (
                await store.find_nodes(flt, first=40, after=after, sort=sort) if after else None
            )
            pages.append((first, second))
        assert pages[1] == pages[0], flt


async def test_full_pagination_by_name_is_python_order(pair: Pair) -> None:
    flt = NodeFilter(kinds=frozenset({NodeKind.CIVIL_SOCIETY_ORGANIZATION}), country="KEN")
    walks: list[list[str]] = []
    for store in pair:
        seen: list[str] = []
        after = None
        while True:
            page = await store.find_nodes(flt, first=7, after=after)
            seen += [n.id for n in page.items]
            if not page.has_next_page:
                break
            after = page.end_cursor
        walks.append(seen)
    assert walks[0] == walks[1]
    assert {f"tricky-{i:02d}" for i in range(len(TRICKY_NAMES))} <= set(walks[1])


async def _sample_ids(store: GraphStore) -> list[str]:
    ids = sorted([r.id async for r in store.export_records() if not hasattr(r, "start")])
    hubs = ["KEN", "ro-au", "theme-pcve", "syn-prog-000000", "tricky-00", "nope"]
    return hubs + random.Random(3).sample(ids, 60)


async def test_neighbours_match(pair: Pair) -> None:
    ids = await _sample_ids(pair[0])
    type_sets = [None, [RelType.PARTNERS_IN], [RelType.BASED_IN, RelType.MEMBER_OF], []]
    for direction in Direction:
        for types in type_sets:
            for as_of in (None, "2020-01-01", "2026-06-01"):
                got = [
                    await s.neighbours(ids, types=types, direction=direction, as_of=as_of)
                    for s in pair
                ]
                assert got[1] == got[0], (direction, types, as_of)


async def test_records_match(pair: Pair) -> None:
    for types in (frozenset(RelType), frozenset({RelType.PART_OF}), frozenset()):
        got = [await s.records(types) for s in pair]
        key = operator.attrgetter("id")
        assert got[1].revision == got[0].revision
        assert sorted(got[1].nodes, key=key) == sorted(got[0].nodes, key=key)
        assert sorted(got[1].relationships, key=key) == sorted(got[0].relationships, key=key)


@pytest.mark.parametrize("as_of", [None, "2021-06-30"])
async def test_snapshots_match(pair: Pair, as_of: str | None) -> None:
    graphs = [(await s.snapshot(as_of)).graph for s in pair]
    assert graphs[1].graph == graphs[0].graph
    assert dict(graphs[1].nodes(data=True)) == dict(graphs[0].nodes(data=True))
    edges = [sorted(g.edges(keys=True, data=True), key=lambda e: e[2]) for g in graphs]
    assert edges[1] == edges[0]
    assert (await pair[1].snapshot(as_of)) is (await pair[1].snapshot(as_of))
