"""Every setting, read from the environment in this one place.

Defaults are the documented local ones, so ``make neo4j-up`` followed by
``PARTNERNET_STORE=neo4j partnernet serve`` works with no other setting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

config = Config(environ=os.environ)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "partnernet"


@dataclass(frozen=True)
class Settings:
    store: str
    db_path: Path
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: Secret
    neo4j_database: str
    neo4j_timeout: float
    neo4j_batch_size: int
    host: str
    port: int
    suppression_k: int
    privileged_keys: frozenset[str]
    log_level: str
    lineage_warm_seconds: float

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = config("PARTNERNET_DATA_DIR", cast=Path, default=default_data_dir())
        store = config("PARTNERNET_STORE", default="embedded").lower()
        if store not in ("embedded", "neo4j"):
            raise ValueError(f"PARTNERNET_STORE must be 'embedded' or 'neo4j', not {store!r}")
        keys = Secret(config("PARTNERNET_PRIVILEGED_KEYS", default=""))
        return cls(
            store=store,
            db_path=config("PARTNERNET_DB", cast=Path, default=data_dir / "partnernet.db"),
            neo4j_uri=config("NEO4J_URI", default="bolt://127.0.0.1:7687"),
            neo4j_user=config("NEO4J_USER", default="neo4j"),
            neo4j_password=Secret(config("NEO4J_PASSWORD", default="partnernet-dev")),
            neo4j_database=config("NEO4J_DATABASE", default="neo4j"),
            neo4j_timeout=config("NEO4J_TIMEOUT", cast=float, default=30.0),
            neo4j_batch_size=config("NEO4J_BATCH_SIZE", cast=int, default=5000),
            host=config("PARTNERNET_HOST", default="127.0.0.1"),
            port=config("PARTNERNET_PORT", cast=int, default=8000),
            suppression_k=config("PARTNERNET_SUPPRESSION_K", cast=int, default=5),
            privileged_keys=frozenset(k for k in str(keys).split(",") if k.strip()),
            log_level=config("PARTNERNET_LOG_LEVEL", default="info"),
            lineage_warm_seconds=config("PARTNERNET_LINEAGE_WARM_SECONDS", cast=float, default=5.0),
        )
