"""Every setting, read from the environment in this one place.

Defaults are the documented local ones, so ``make neo4j-up`` followed by
``PARTNERNET_STORE=neo4j partnernet serve`` works with no other setting.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

from api.guard.limits import Limits
from api.jobs.manager import JobLimits

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
    limits: Limits
    staff_limits: Limits
    rate_storage: str
    cors_origins: tuple[str, ...]
    anonymous: bool | None
    jobs: JobLimits = dataclasses.field(default_factory=JobLimits)
    #: NumPy's huge-page advice for its arrays (analytics/pages.py says why it is off).
    numpy_huge_pages: bool = False

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
            privileged_keys=frozenset(_list(str(keys))),
            log_level=config("PARTNERNET_LOG_LEVEL", default="info"),
            lineage_warm_seconds=config("PARTNERNET_LINEAGE_WARM_SECONDS", cast=float, default=5.0),
            limits=(limits := _limits()),
            staff_limits=dataclasses.replace(
                (staff := staff_defaults(limits)),
                max_cost=config("PARTNERNET_STAFF_MAX_COST", cast=int, default=staff.max_cost),
                rate=config("PARTNERNET_STAFF_RATE_LIMIT", default=staff.rate),
            ),
            rate_storage=config("PARTNERNET_RATE_LIMIT_STORAGE", default="memory://"),
            cors_origins=_list(config("PARTNERNET_CORS_ORIGINS", default="")),
            anonymous=config("PARTNERNET_ANONYMOUS", cast=_optional_bool, default=None),
            jobs=_job_limits(),
            numpy_huge_pages=config("NUMPY_MADVISE_HUGEPAGE", cast=_optional_bool, default=None)
            is True,
        )


def _optional_bool(raw: str | None) -> bool | None:
    """Unset or empty: ``None`` (the code decides); otherwise a boolean, strictly spelled."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip().lower()
    if value not in ("true", "false", "1", "0", "on", "off"):
        raise ValueError(f"expected true or false, got {raw!r}")
    return value in ("true", "1", "on")


def _list(raw: str) -> tuple[str, ...]:
    """A comma-separated setting: items stripped of spaces, empty ones dropped (so
    ``"a, b"`` is ``("a", "b")``, not ``("a", " b")``)."""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


#: How much more analysts, editors and admins may spend than viewers, by default.
STAFF_FACTOR = 4


def staff_defaults(limits: Limits) -> Limits:
    """The staff limits implied by the viewers' ``limits``: ``STAFF_FACTOR`` times the cost
    per operation and the rate, the same shape limits and deadline."""
    amount, _, per = limits.rate.partition("/")
    rate = limits.rate
    if amount.strip().isdigit() and per:
        rate = f"{int(amount) * STAFF_FACTOR}/{per}"
    return dataclasses.replace(limits, max_cost=STAFF_FACTOR * limits.max_cost, rate=rate)


def _whole(raw: str | int) -> int:
    """A whole number, in digits or scientific notation (``200000000000`` or ``2e11``)."""
    value = float(str(raw).replace("_", ""))
    if value != int(value):
        raise ValueError(f"expected a whole number, got {raw!r}")
    return int(value)


def _job_limits() -> JobLimits:
    """Limits of analysis jobs (docs/API.md, "Analysis jobs"); unset ones keep the defaults,
    wrong ones stop the start with the variable named."""
    default = JobLimits()
    variables = {
        "running": "PARTNERNET_JOBS_RUNNING",
        "queued": "PARTNERNET_JOBS_QUEUED",
        "per_caller": "PARTNERNET_JOBS_PER_CALLER",
        "timeout_seconds": "PARTNERNET_JOB_TIMEOUT_SECONDS",
        "work_budget": "PARTNERNET_JOB_WORK_BUDGET",
        "results_bytes": "PARTNERNET_JOB_RESULTS_MB",
    }
    try:
        return JobLimits(
            running=config(variables["running"], cast=int, default=default.running),
            queued=config(variables["queued"], cast=int, default=default.queued),
            per_caller=config(variables["per_caller"], cast=int, default=default.per_caller),
            timeout_seconds=config(
                variables["timeout_seconds"], cast=float, default=default.timeout_seconds
            ),
            work_budget=config(variables["work_budget"], cast=_whole, default=default.work_budget),
            results_bytes=2**20
            * config(variables["results_bytes"], cast=int, default=default.results_bytes // 2**20),
        )
    except ValueError as err:
        field, _, problem = str(err).partition(": ")
        if field not in variables:
            raise
        raise ValueError(f"{variables[field]}: {problem}") from None


def _limits() -> Limits:
    """Request limits from the environment; unset ones keep ``Limits``' production defaults."""
    default = Limits()
    return Limits(
        max_body_bytes=config(
            "PARTNERNET_MAX_BODY_BYTES", cast=int, default=default.max_body_bytes
        ),
        max_upload_bytes=config(
            "PARTNERNET_MAX_UPLOAD_BYTES", cast=int, default=default.max_upload_bytes
        ),
        max_tokens=config("PARTNERNET_MAX_TOKENS", cast=int, default=default.max_tokens),
        max_depth=config("PARTNERNET_MAX_DEPTH", cast=int, default=default.max_depth),
        max_aliases=config("PARTNERNET_MAX_ALIASES", cast=int, default=default.max_aliases),
        max_directives=config(
            "PARTNERNET_MAX_DIRECTIVES", cast=int, default=default.max_directives
        ),
        max_cost=config("PARTNERNET_MAX_COST", cast=int, default=default.max_cost),
        deadline_seconds=config(
            "PARTNERNET_DEADLINE_SECONDS", cast=float, default=default.deadline_seconds
        ),
        rate=config("PARTNERNET_RATE_LIMIT", default=default.rate),
        introspection=config("PARTNERNET_INTROSPECTION", cast=bool, default=default.introspection),
        suggestions=config("PARTNERNET_FIELD_SUGGESTIONS", cast=bool, default=default.suggestions),
    )
