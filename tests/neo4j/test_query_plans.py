"""Neo4j: a plan made while the database was small must not turn a search quadratic once it
has grown (plans are cached and kept for a while, so the first queries after a reset shape
what a loaded database runs)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import neo4j

from graph.model import RelType
from graph.neo4j.reads import _find_query
from seeds.illustrative import seed_changes
from seeds.synthetic import generate
from tests.conftest import neo4j_config, neo4j_store_for
from tests.neo4j.test_equivalence import _filters

#: Database hits per node and relationship a search may make: the costliest filters make
#: about 26 (themes, over several paths); the role filter's quadratic plan made about 270.
MAX_HITS_PER_RECORD = 100


def _db_hits(plan: dict[str, Any]) -> int:
    return int(plan.get("dbHits") or 0) + sum(_db_hits(c) for c in plan.get("children", []))


async def test_searches_planned_on_an_empty_database_stay_linear() -> None:
    """Every single filter of the equivalence test, planned on the empty database, then profiled on
    the seed and a synthetic network. Written as ``EXISTS { MATCH (n)-[r]->() WHERE r.role =
    $role }``, the role filter was planned on an empty database as a scan of the relationship
    index on ``role`` for every node, and kept: 4 s on 1,000 nodes (graph/cypher.py)."""
    cfg = neo4j_config()
    store = neo4j_store_for(cfg)
    await store.open()
    try:
        await store.reset()
        single = [
            f for f in _filters() if sum(getattr(f, x.name) is not None for x in fields(f)) <= 1
        ]
        searches = [(flt, *_find_query(flt)) for flt in single]
        async with (
            neo4j.AsyncGraphDatabase.driver(cfg.uri, auth=(cfg.user, cfg.password)) as driver,
            driver.session(database=cfg.database) as session,
        ):
            await (await session.run("CALL db.clearQueryCaches()")).consume()
            for _, query, params in searches:  # planned now, on nothing
                await (await session.run(f"PROFILE {query}", params)).consume()
            await store.apply([*seed_changes(), *generate(300, seed=11)])
            records = await store.records(frozenset(RelType))
            size = len(records.nodes) + len(records.relationships)
            for flt, query, params in searches:
                summary = await (await session.run(f"PROFILE {query}", params)).consume()
                assert summary.profile is not None
                assert _db_hits(summary.profile) <= MAX_HITS_PER_RECORD * size, flt
    finally:
        await store.reset()
        await store.close()
