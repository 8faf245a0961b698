"""Driver and socket failures as :mod:`graph.errors`: one line for a person, no driver
internals, never the password (the table in docs/NEO4J.md, *Faults*)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from neo4j import exceptions as nx4j

from graph.errors import Conflict, GraphError, StoreUnavailable
from graph.neo4j.redact import Redacted, one_line, public_uri, uri_password

if TYPE_CHECKING:
    from graph.factory import Neo4jConfig

log = logging.getLogger("partnernet.neo4j")

#: What the driver raises (sockets included); everything else is ours or a bug.
DRIVER_ERRORS = (nx4j.Neo4jError, nx4j.DriverError, OSError)
_STOPPED = ("TransactionTimedOut", "Terminated", "LockClientStopped")
_UNREACHABLE = (nx4j.ServiceUnavailable, nx4j.SessionExpired, nx4j.ConnectionPoolError, OSError)


@dataclass(frozen=True)
class Faults:
    """How one store names its failures: ``where`` is the URI without credentials, and the
    password (and one in the URI) is scrubbed from every reason."""

    where: str
    user: str
    database: str
    timeout: float
    secret: Redacted

    @classmethod
    def of(cls, cfg: Neo4jConfig) -> Faults:
        secret = Redacted(cfg.password, uri_password(cfg.uri))
        return cls(public_uri(cfg.uri), cfg.user, cfg.database, float(cfg.timeout), secret)

    def translate(self, err: Exception) -> GraphError:
        """The :class:`GraphError` for a driver failure; the original is logged at DEBUG."""
        log.debug("neo4j failure", exc_info=err)
        reason = one_line(err, self.secret)
        code = getattr(err, "code", None) or ""
        if isinstance(err, nx4j.AuthError):
            return self._unavailable(f"Neo4j refused the credentials of user {self.user!r}")
        if isinstance(err, nx4j.ConstraintError):
            return Conflict(f"Neo4j refused a duplicate: {reason}", where=self.where)
        if any(k in code for k in _STOPPED):
            return self._unavailable(
                f"Neo4j stopped the transaction: it exceeded its time limit of "
                f"{self.timeout:g} s per batch, or an administrator terminated it"
            )
        if "DatabaseNotFound" in code:
            return self._unavailable(f"Neo4j has no database {self.database!r}")
        if isinstance(err, _UNREACHABLE):
            return self._unavailable(f"Neo4j is unreachable: {reason}")
        if isinstance(err, nx4j.TransientError):
            return self._unavailable(f"Neo4j is busy, try again: {reason}")
        return GraphError(f"Neo4j failed: {reason}", where=self.where)

    def invalid_configuration(self, err: Exception) -> StoreUnavailable:
        return self._unavailable(f"invalid Neo4j configuration: {one_line(err, self.secret)}")

    @contextlib.asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """Translate driver failures raised inside; let graph errors through."""
        try:
            yield
        except GraphError:
            raise
        except DRIVER_ERRORS as err:
            raise self.translate(err) from None

    def _unavailable(self, message: str) -> StoreUnavailable:
        return StoreUnavailable(message, where=self.where)
