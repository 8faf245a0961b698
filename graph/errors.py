"""One root exception for the package, so callers can catch every graph failure in one place.

Each error carries a ``where`` (a record, line or field) so a person reading it can find the
bad input without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def _format(message: str, where: str | None, field: str | None) -> str:
    prefix = f"{where}: " if where else ""
    suffix = f" (field {field!r})" if field else ""
    return f"{prefix}{message}{suffix}"


class GraphError(Exception):
    """Root of every error raised by :mod:`graph`."""

    code = "GRAPH_ERROR"

    def __init__(self, message: str, *, where: str | None = None, field: str | None = None):
        self.message = message
        self.where = where
        self.field = field
        super().__init__(_format(message, where, field))


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


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of an input file, printed as ``FILE:LINE: reason (field 'name')``.

    ``code`` is the code of the error the rule would raise on its own (``INVALID``,
    ``NOT_FOUND``, ``CONFLICT``, ``INTEGRITY``); ``line`` is the 1-based line it names, if any.
    """

    message: str
    where: str | None = None
    field: str | None = None
    code: str = "INVALID"
    line: int | None = None

    def __str__(self) -> str:
        return _format(self.message, self.where, self.field)


class InvalidFile(ValidationError):
    """An input file breaks rules in one or more places; nothing of it was written.

    ``problems`` lists them in line order, at most as many as the reader was asked to collect;
    ``left_off`` counts the problems found beyond that bound. ``message``, ``where`` and
    ``field`` are those of the first problem, so a caller that shows one error shows it; the
    string form is every problem on its own line, then a line saying how many were left off.
    """

    def __init__(self, problems: Sequence[Problem], *, left_off: int = 0) -> None:
        if not problems:
            raise ValueError("InvalidFile needs at least one problem")
        first = problems[0]
        super().__init__(first.message, where=first.where, field=first.field)
        self.problems = tuple(problems)
        self.left_off = left_off

    @property
    def total(self) -> int:
        """Every problem found, listed or left off."""
        return len(self.problems) + self.left_off

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.left_off:
            lines.append(
                f"... and {self.left_off} more problem{'s' if self.left_off != 1 else ''} "
                f"(only the first {len(self.problems)} are listed)"
            )
        return "\n".join(lines)
