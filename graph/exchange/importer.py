"""Importing a file: read and validate it whole, then apply it as one atomic batch, so a bad
record anywhere imports nothing; on any problem, list them all (see
:mod:`graph.exchange.problems`). A dry run stops before the write and says what would change.

Two families of formats:

- partnernet's own exchange formats, APOC JSON Lines and GraphML, carry records whole
  (provenance included): a record replaces the stored one, and a round trip of an export
  reproduces the store exactly;
- the formats of the field, IATI activity XML, HXL-tagged 3W sheets and the CSV/XLSX
  templates, know only some fields of a record: their records are merged into the stored ones
  (:attr:`graph.store.NodeWrite.merge`), and every record the import creates or changes is
  stamped with where it came from (file, line or XPath, time), for staff to trace.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from graph.changes import Plan
from graph.errors import (
    Conflict,
    GraphError,
    IntegrityError,
    InvalidFile,
    NotFound,
    ValidationError,
)
from graph.exchange.graphml import read_graphml_file
from graph.exchange.jsonl import read_jsonl_file
from graph.exchange.mapping import ImportMapping
from graph.exchange.problems import (
    DEFAULT_MAX_PROBLEMS,
    ProblemLog,
    Progress,
    Read,
    collect_problems,
)
from graph.history import SYSTEM, Author
from graph.store import Change, GraphStore, NodeWrite, RelWrite

Format = Literal["jsonl", "graphml", "iati", "hxl", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("jsonl", "graphml", "iati", "hxl", "csv", "xlsx")
#: Formats whose records are stamped with their provenance (see the module docstring).
STAMPED: frozenset[Format] = frozenset({"iati", "hxl", "csv", "xlsx"})

#: Problems of the store that reading the file again, collecting, can explain.
_RULE_ERRORS = (ValidationError, NotFound, Conflict, IntegrityError)


def format_for(path: Path | str) -> Format:
    """The format of a file by its extension: ``.graphml``; ``.xml`` is IATI; a ``.csv`` or
    ``.xlsx`` that carries an HXL hashtag row is a 3W sheet, otherwise a template (so is a
    directory, of CSV sheets); anything else JSON Lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        return "csv"
    if suffix in (".csv", ".xlsx"):
        from graph.exchange.hxl import is_hxl

        return "hxl" if is_hxl(path) else "csv" if suffix == ".csv" else "xlsx"
    return "graphml" if suffix == ".graphml" else "iati" if suffix == ".xml" else "jsonl"


Reader = Callable[[Path, ProblemLog, Progress | None, ImportMapping], Read]


def _reader(fmt: Format) -> Reader:
    """The reader of a format. The field's formats are imported when first used: they load
    lxml and openpyxl, which a server that never imports does not need at start."""
    if fmt == "jsonl":
        return lambda path, log, progress, _: read_jsonl_file(path, log, progress)
    if fmt == "graphml":
        return lambda path, log, progress, _: read_graphml_file(path, log, progress)
    if fmt == "iati":
        from graph.exchange.iati import read_iati_file

        return read_iati_file
    if fmt == "hxl":
        from graph.exchange.hxl import read_hxl_file

        return read_hxl_file
    from graph.exchange.tabular import read_csv_file, read_xlsx_file

    return read_xlsx_file if fmt == "xlsx" else read_csv_file


@dataclasses.dataclass(frozen=True, slots=True)
class KindCounts:
    """What an import did (or would do) to the records of one node kind or relationship type."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of an import or a dry run. ``revision`` is the store's after the import (or
    now, for a dry run); ``problems`` is set only by a dry run of a file with problems (a real
    run raises :class:`InvalidFile` instead)."""

    path: str
    format: Format
    dry_run: bool
    revision: int
    nodes: dict[str, KindCounts]
    relationships: dict[str, KindCounts]
    notes: dict[str, int]
    problems: InvalidFile | None = None

    @property
    def nodes_written(self) -> int:
        return sum(c.created + c.updated for c in self.nodes.values())

    @property
    def relationships_written(self) -> int:
        return sum(c.created + c.updated for c in self.relationships.values())

    @property
    def changed(self) -> bool:
        return not self.dry_run and bool(self.nodes_written or self.relationships_written)


async def import_file(
    store: GraphStore,
    path: Path,
    *,
    fmt: Format | None = None,
    mapping: ImportMapping | None = None,
    dry_run: bool = False,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    progress: Progress | None = None,
    write_progress: Progress | None = None,
    author: Author = SYSTEM,
    source: str | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import a file as one atomic batch; re-importing the same file changes nothing.

    ``fmt`` defaults to :func:`format_for` the path. ``progress`` counts lines, elements or
    rows read, ``write_progress`` records written. A file with any problem writes nothing and
    raises :class:`InvalidFile` listing the first ``max_problems`` problems in file order and
    counting the rest; a dry run returns them in the report instead, and never writes. The
    write is one change set made by ``author``. ``source`` names the file in problems and
    provenance (default: its path; an upload passes the name the client gave, so that no
    server path is ever shown).
    """
    fmt = fmt or format_for(path)
    label = source or str(path)
    log = ProblemLog(label, max_problems)
    # Parsing is plain CPU work: in a thread, a server goes on answering queries meanwhile.
    read = await asyncio.to_thread(_reader(fmt), path, log, progress, mapping or ImportMapping())
    changes: Sequence[Change] = read.changes
    if fmt in STAMPED:
        changes = _stamped(changes, Path(label).name, now or dt.datetime.now(dt.UTC))
        read = dataclasses.replace(read, changes=list(changes))
    plan: Plan | None = None
    if log or dry_run:
        if read.complete:
            plan = await collect_problems(store, read, log)
        if dry_run:
            return _report(label, fmt, True, await store.revision(), read, plan, log)
        raise log.error()
    refusal: GraphError | None = None
    try:
        result = await store.apply(changes, progress=write_progress, author=author)
        return _report(label, fmt, False, result.revision, read, result.plan, log)
    except _RULE_ERRORS as err:
        refusal = err
    await collect_problems(store, read, log)
    if not log:  # the graph moved between the two checks
        log.add(refusal)
    raise log.error()


def _stamped(changes: Sequence[Change], source: str, at: dt.datetime) -> list[Change]:
    when = at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    out: list[Change] = []
    for c in changes:
        if isinstance(c, NodeWrite | RelWrite):
            stamp = {"imported_from": source, "imported_where": c.where, "imported_at": when}
            c = dataclasses.replace(c, stamp={k: v for k, v in stamp.items() if v is not None})
        out.append(c)
    return out


def _kind_of(c: Change) -> tuple[bool, str]:
    """(is a node, its kind or type); an ended relationship's type is not in the change."""
    if isinstance(c, NodeWrite):
        return True, c.kind
    return False, c.type if isinstance(c, RelWrite) else "ended"


def _report(
    path: str,
    fmt: Format,
    dry_run: bool,
    revision: int,
    read: Read,
    plan: Plan | None,
    log: ProblemLog,
) -> ImportReport:
    """Counts per kind: every distinct record of the file is created, updated, unchanged or
    rejected (had a problem, or was left unplanned because reading stopped)."""
    kinds: dict[str, tuple[bool, str]] = {}
    for c in read.changes:
        kinds.setdefault(c.id, _kind_of(c))
    for node_id, refused in read.refused.items():
        kinds.setdefault(node_id, (True, refused.value if refused is not None else "unknown"))
    written: dict[str, bool] = {}  # id -> created?
    planned: frozenset[str] = frozenset()
    if plan is not None:
        planned = plan.planned
        written.update({n.id: n.id in plan.created_nodes for n in plan.nodes})
        written.update({r.id: r.id not in plan.before_rels for r in plan.relationships})
    tally: dict[tuple[bool, str], Counter[str]] = {}
    for record_id, kind in kinds.items():
        if record_id in written:
            outcome = "created" if written[record_id] else "updated"
        elif record_id in planned:
            outcome = "unchanged"
        else:
            outcome = "rejected"
        tally.setdefault(kind, Counter())[outcome] += 1
    counts = {kind: KindCounts(**tally[kind]) for kind in sorted(tally)}
    return ImportReport(
        path=path,
        format=fmt,
        dry_run=dry_run,
        revision=revision,
        nodes={kind: c for (is_node, kind), c in counts.items() if is_node},
        relationships={kind: c for (is_node, kind), c in counts.items() if not is_node},
        notes=dict(read.notes.most_common()),
        problems=log.error() if log else None,
    )


_OUTCOMES = ("created", "updated", "unchanged", "rejected")


def report_lines(report: ImportReport) -> list[str]:
    """The report as a table a person reads: one row per kind, then the notes and a summary."""
    rows = [*report.nodes.items(), *report.relationships.items()]
    width = max([len("kind"), *(len(kind) for kind, _ in rows)])
    lines = ["  ".join([f"{'kind':<{width}}", *(f"{o:>9}" for o in _OUTCOMES)])]
    for kind, counts in rows:
        cells = (f"{getattr(counts, o):>9}" for o in _OUTCOMES)
        lines.append("  ".join([f"{kind:<{width}}", *cells]))
    lines.extend(f"note: {message} ({count}x)" for message, count in report.notes.items())
    changed = f"{report.nodes_written} nodes and {report.relationships_written} relationships"
    if report.dry_run:
        lines.append(f"dry run of {report.path}: would change {changed}; nothing was written")
    else:
        lines.append(f"imported {report.path}: {changed} changed (revision {report.revision})")
    return lines


def report_json(report: ImportReport) -> dict[str, Any]:
    """The report as JSON for the upload endpoint (api/http/imports.py)."""
    problems = report.problems
    return {
        "path": report.path,
        "format": report.format,
        "dryRun": report.dry_run,
        "revision": report.revision,
        "nodes": {k: dataclasses.asdict(c) for k, c in report.nodes.items()},
        "relationships": {k: dataclasses.asdict(c) for k, c in report.relationships.items()},
        "notes": report.notes,
        "problems": None if problems is None else problems_json(problems),
    }


def problems_json(err: InvalidFile) -> dict[str, Any]:
    return {
        "total": err.total,
        "listed": [
            {"message": p.message, "where": p.where, "field": p.field, "code": p.code}
            for p in err.problems
        ],
    }
