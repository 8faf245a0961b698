"""One root exception for the package, so callers can catch every graph failure in one place.

Each error carries a ``where`` (a record, line or field) so a person reading it can find the
bad input without a traceback.
"""

from __future__ import annotations


class GraphError(Exception):
    """Root of every error raised by :mod:`graph`."""

    code = "GRAPH_ERROR"

    def __init__(self, message: str, *, where: str | None = None, field: str | None = None):
        self.message = message
        self.where = where
        self.field = field
        prefix = f"{where}: " if where else ""
        suffix = f" (field {field!r})" if field else ""
        super().__init__(f"{prefix}{message}{suffix}")


class ValidationError(GraphError):
    """A record breaks a model rule (bad enum, unknown country, since after until, …)."""

    code = "INVALID"


class NotFound(GraphError):
    """A referenced node or relationship does not exist."""

    code = "NOT_FOUND"


class Conflict(GraphError):
    """A write contradicts what is stored (same id, different kind or endpoints)."""

    code = "CONFLICT"


class IntegrityError(GraphError):
    """A write would break a graph-wide rule (a results-chain cycle, shares above 1)."""

    code = "INTEGRITY"


class StoreUnavailable(GraphError):
    """The database cannot be reached; the request may succeed later."""

    code = "STORE_UNAVAILABLE"


class StoreInUse(StoreUnavailable):
    """The embedded store's file belongs to another writer: another process (or another open
    handle in this one) holds its lock, or wrote to the file behind this handle's back. The
    message names the holder and says what to do; it may succeed once the holder has stopped."""

    code = "STORE_IN_USE"
