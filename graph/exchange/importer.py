"""Importing a file: read and validate it whole, then apply it as one atomic batch, so a bad
line anywhere imports nothing; on any problem, list them all (see
:mod:`graph.exchange.problems`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from graph.errors import Conflict, GraphError, IntegrityError, NotFound, ValidationError
from graph.exchange.graphml import read_graphml_file
from graph.exchange.jsonl import read_jsonl_file
from graph.exchange.problems import (
    DEFAULT_MAX_PROBLEMS,
    ProblemLog,
    Progress,
    Read,
    collect_problems,
)
from graph.history import SYSTEM, Author
from graph.store import ApplyResult, GraphStore

Format = Literal["jsonl", "graphml"]
FORMATS: tuple[Format, ...] = ("jsonl", "graphml")

#: Problems of the store that reading the file again, collecting, can explain.
_RULE_ERRORS = (ValidationError, NotFound, Conflict, IntegrityError)


def format_for(path: Path | str) -> Format:
    """The format of a file by its extension: ``.graphml`` is GraphML, anything else JSONL."""
    return "graphml" if Path(path).suffix.lower() == ".graphml" else "jsonl"


_READERS: dict[Format, Callable[[Path, ProblemLog, Progress | None], Read]] = {
    "jsonl": read_jsonl_file,
    "graphml": read_graphml_file,
}


async def import_file(
    store: GraphStore,
    path: Path,
    *,
    fmt: Format | None = None,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    progress: Progress | None = None,
    write_progress: Progress | None = None,
    author: Author = SYSTEM,
) -> ApplyResult:
    """Import a file as one atomic batch; re-importing the same file changes nothing.

    ``fmt`` defaults to :func:`format_for` the path. ``progress`` counts lines (JSONL) or
    elements (GraphML) read, ``write_progress`` records written. A file with any problem writes
    nothing and raises :class:`InvalidFile` listing the first ``max_problems`` problems in line
    order and counting the rest. The write is one change set made by ``author``.
    """
    log = ProblemLog(str(path), max_problems)
    read = _READERS[fmt or format_for(path)](path, log, progress)
    refusal: GraphError | None = None
    if not log:
        try:
            return await store.apply(read.changes, progress=write_progress, author=author)
        except _RULE_ERRORS as err:
            refusal = err
    if read.complete:
        await collect_problems(store, read, log)
    if not log and refusal is not None:  # the graph moved between the two checks
        log.add(refusal)
    raise log.error()
