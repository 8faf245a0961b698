"""Turn settings into a store, so the CLI and the app build it the same way."""

from __future__ import annotations

from api.settings import Settings
from graph.factory import Neo4jConfig, create_store
from graph.store import GraphStore


def store_from_settings(settings: Settings) -> GraphStore:
    """An unopened store. For Neo4j this creates the driver (so only in the app lifespan or a
    CLI command, never at import) and hands it to the store, which owns it: ``close()`` on
    the store closes the driver. Invalid Neo4j settings raise ``StoreUnavailable`` here."""
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
