"""Turn settings into a store, so the CLI and the app build it the same way."""

from __future__ import annotations

from api.settings import Settings
from graph.factory import Neo4jConfig, create_store
from graph.store import GraphStore


def store_from_settings(settings: Settings) -> GraphStore:
    return create_store(
        settings.store,
        db_path=settings.db_path,
        neo4j=Neo4jConfig(
            uri=settings.neo4j_uri,
            user=settings.neo4j_user,
            password=str(settings.neo4j_password),
            database=settings.neo4j_database,
            timeout=settings.neo4j_timeout,
            batch_size=settings.neo4j_batch_size,
        ),
    )
