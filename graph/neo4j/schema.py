"""The constraints, indexes and tokens the Neo4j store's statements rely on."""

from __future__ import annotations

import logging

from neo4j import AsyncSession, Query

from graph import cypher

log = logging.getLogger("partnernet.neo4j")


async def ensure_schema(session: AsyncSession, timeout: float) -> None:
    """Create only what is missing (DDL runs in its own auto-commit transactions), then the
    tokens, then wait for new indexes to come online so first queries do not scan."""
    existing: set[str] = set()
    for show in (cypher.SHOW_CONSTRAINTS, cypher.SHOW_INDEXES):
        result = await session.run(Query(show, timeout=timeout))
        existing |= {rec["name"] async for rec in result}
    missing = [(n, s) for n, s in cypher.schema_statements() if n not in existing]
    for name, statement in missing:
        log.info("creating Neo4j schema object %s", name)
        await (await session.run(Query(statement, timeout=timeout))).consume()
    query = Query(cypher.CREATE_TOKENS, timeout=timeout)
    await (await session.run(query, cypher.tokens())).consume()
    if missing:
        query = Query(cypher.AWAIT_INDEXES, timeout=timeout + 5)
        await (await session.run(query, seconds=int(timeout))).consume()
