"""Build the configured store; the only place that knows which implementations exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graph.store import GraphStore


@dataclass(frozen=True)
class Neo4jConfig:
    uri: str
    user: str
    password: str = field(repr=False)
    database: str
    timeout: float = 30.0
    batch_size: int = 5000


def create_store(kind: str, *, db_path: Path, neo4j: Neo4jConfig | None = None) -> GraphStore:
    """An unopened store; call ``await store.open()`` before use, and ``close()`` after.

    The Neo4j store gets a driver created here from ``neo4j`` and owns it, so its ``close``
    closes the driver (the rule: graph/neo4j/driver.py). Raises
    :class:`graph.errors.StoreUnavailable` if the Neo4j URI or settings are invalid.
    """
    if kind == "embedded":
        from graph.embedded import EmbeddedStore

        return EmbeddedStore(db_path)
    if kind == "neo4j":
        if neo4j is None:
            raise ValueError("the neo4j store needs a Neo4jConfig")
        from graph.neo4j import Neo4jStore, create_driver

        return Neo4jStore(create_driver(neo4j), neo4j, owns_driver=True)
    raise ValueError(f"unknown store {kind!r}; expected 'embedded' or 'neo4j'")
