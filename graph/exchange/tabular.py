"""CSV and Excel templates, for staff who keep partners in spreadsheets: one sheet (or one
``<sheet>.csv`` file) per kind of record, row 1 the column names, one record a row.

Design choices:

- A row is an upsert (``merge``): an empty cell means "not given", so a sheet of ids and the
  one column to change updates that column and nothing else. The flip side, documented in the
  README: a cell cannot erase a stored value.
- Ids are deterministic, so importing a sheet twice changes nothing and a corrected cell
  changes only its record: nodes carry their id in the sheet (an actor may take one derived
  from its external identifier instead); a relationship row without an id gets
  :func:`graph.model.relationship_id` of its type, ends and identity (the role, for
  partnerships), never its dates, so a corrected date updates the same relationship.
- Every cell of a row is checked here by the model of the row's kind, before the store sees it:
  the store names only the first problem of a merged record, a sheet wants them all.
- Problems name the file, the row (as ``FILE:ROW``, the line the problem log sorts by), the
  sheet and the column (the field): ``book.xlsx:7 (sheet actors): ... (field 'sensitivity')``
  or ``sheets/actors.csv:7: ...``. Row 1 is the header. (The log reads the row back only from
  ``SOURCE:ROW``, so a directory's problems keep file and row order instead of being sorted.)
- A sheet the template does not know is left out with a note (a workbook may carry the staff's
  own sheets); a column it does not know is a problem (a typo would otherwise lose data).
- The export is the template filled in, and reads back to the same records: what a cell cannot
  carry exactly (text with white space around it, list items holding the separator, text Excel
  cannot hold) is refused, naming the record and field. Provenance (``imported_*``) is exported
  for staff to see, and ignored when read: the import stamps its own.
- Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) is written
  as text: an xlsx cell typed as a string, a CSV cell behind a ``'``, which the reader removes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pydantic

# openpyxl ships no py.typed; this module is imported only where workbooks are read or written.
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from graph.errors import Problem, ValidationError
from graph.exchange.mapping import ImportMapping
from graph.exchange.problems import ProblemLog, Progress, Read
from graph.exchange.tabular_columns import (
    FIELDS,
    IDENTITY,
    PROVENANCE,
    SHEET_NAMES,
    SHEET_OF,
    SHEETS,
    CellError,
    CellType,
    Column,
    Sheet,
    exportable,
    from_cell,
    header_key,
    is_empty,
    text_of,
    to_cell,
)
from graph.exchange.workbook import WORKBOOK_ERRORS, open_workbook
from graph.model import (
    ID_PATTERN,
    NODE_PROPS,
    NON_STATE_KINDS,
    REL_RULES,
    Node,
    NodeKind,
    Relationship,
    RelType,
    relationship_id,
    with_article,
)
from graph.store import GraphStore, NodeWrite, RelWrite

TabularFormat = Literal["xlsx", "csv"]
README = "README"
#: What a CSV cell starts with that a spreadsheet runs as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PROVENANCE_NOTE = (
    "provenance cells (imported_from, imported_where, imported_at) are left out: "
    "the import stamps its own"
)

_NODE_KINDS = frozenset(k.value for k in NodeKind)
_RECORDS: dict[str, str] = {str(r).casefold(): str(r) for r in [*NodeKind, *RelType]}

Where = Callable[[int], str]
Rows = Iterator[Sequence[Any]]


# --------------------------------------------------------------------------- reading


@dataclass
class _Header:
    """The columns of a sheet's row 1, by position (None: not read)."""

    columns: list[Column | None]
    #: Positions of the provenance columns, which are not read.
    provenance: list[int]
    #: Positions without a column name whose values were reported already.
    reported: set[int]

    def named(self, i: int) -> bool:
        return i < len(self.columns) and (self.columns[i] is not None or i in self.reported)


class _Reader:
    """Turns the rows of template sheets into changes, checking every cell."""

    def __init__(self, log: ProblemLog, progress: Progress | None, mapping: ImportMapping):
        self.log = log
        self.progress = progress
        self.mapping = mapping
        self.read = Read()
        self.node_rows: dict[str, str] = {}  # id -> where of the row that gave it
        self.rel_rows: dict[str, str] = {}

    def problem(self, message: str, where: str, fld: str | None = None) -> None:
        # The log finds the row in ``where`` as it does for the store's problems, so the two
        # kinds sort alike (a CSV directory's rows, ``DIR/SHEET.csv:ROW``, keep file order).
        self.log.add(ValidationError(message, where=where, field=fld))

    def sheet(self, sheet: Sheet, rows: Rows, where: Where) -> None:
        first = next(rows, None)
        if first is None:
            return
        header = self._header(sheet, first, where(1))
        if header is None:
            return
        for line, row in enumerate(rows, start=2):
            if self.progress:
                self.progress(1)
            self._row(sheet, header, row, line, where(line))

    def _header(self, sheet: Sheet, row: Sequence[Any], where: str) -> _Header | None:
        header = _Header([], [], set())
        seen: set[str] = set()
        for i, cell in enumerate(row):
            name = "" if is_empty(cell) else header_key(text_of(cell))
            col = sheet.by_name.get(name)
            header.columns.append(None)
            if not name:
                continue
            if name in seen:
                self.problem(f"column {name!r} is given twice", where, name)
            elif name in PROVENANCE:
                header.provenance.append(i)
            elif col is None:
                known = ", ".join(c.name for c in sheet.columns)
                self.problem(f"unknown column {name!r}; this sheet has: {known}", where, name)
            else:
                header.columns[i] = col
            header.reported.add(i)  # a named column's problems are the header's
            seen.add(name)
        missing = [n for n in sheet.required_headers() if n not in seen]
        if sheet.nodes and not {"id", "external_id"} & seen:
            missing.insert(0, "id")
        for name in missing:
            self.problem(f"the sheet needs a column {name!r}; none of it was read", where, name)
        return None if missing else header

    def _row(
        self, sheet: Sheet, header: _Header, row: Sequence[Any], line: int, where: str
    ) -> None:
        cells: dict[str, Any] = {}
        for i, value in enumerate(row):
            if is_empty(value):
                continue
            col = header.columns[i] if i < len(header.columns) else None
            if col is not None:
                cells[col.name] = value
            elif not header.named(i):
                self._unnamed(header, i, where)
        if any(i < len(row) and not is_empty(row[i]) for i in header.provenance):
            self.read.notes[_PROVENANCE_NOTE] += 1
        if not cells:
            return  # a blank row
        problems: list[ValidationError] = []
        if sheet.nodes:
            change: NodeWrite | RelWrite | None = self._node(sheet, cells, where, problems)
        else:
            change = self._rel(sheet, cells, where, problems)
        for err in problems:
            self.log.add(err)
        if change is not None and not problems:
            self.read.changes.append(change)

    def _unnamed(self, header: _Header, i: int, where: str) -> None:
        """A value under no column name: reported once per column, at its first row."""
        header.reported.add(i)
        header.columns.extend([None] * (i + 1 - len(header.columns)))
        self.problem(
            f"a value in column {get_column_letter(i + 1)}, which has no name in row 1: "
            "name the column or empty it",
            where,
        )

    # -- what a row is

    def _selected(self, sheet: Sheet, cells: dict[str, Any], where: str) -> str:
        """The kind or type of a row; raises :class:`ValidationError` if it has none."""
        name = sheet.selector
        if name is None:
            return sheet.records[0]
        what = "kind" if sheet.nodes else "type"
        if name not in cells:
            raise ValidationError(
                f"needs a {what}: one of {', '.join(sheet.records)}", where=where, field=name
            )
        value = text_of(cells[name])
        found = _RECORDS.get(value.casefold())
        if found is not None and found in sheet.records:
            return found
        if found is not None:
            home = SHEET_OF[found].name
            raise ValidationError(
                f"{found} rows go on sheet {home}, not {sheet.name}", where=where, field=name
            )
        raise ValidationError(
            f"{value!r} is not a {what} of this sheet; expected one of {', '.join(sheet.records)}",
            where=where,
            field=name,
        )

    def _props(
        self, record: str, cells: dict[str, Any], where: str, problems: list[ValidationError]
    ) -> dict[str, Any]:
        """The property cells of a row, read by the model of its kind or type; every problem
        of a cell goes to ``problems``."""
        fields = FIELDS[record]
        props: dict[str, Any] = {}
        for name, value in cells.items():
            if name in ("id", "kind", "type", "start", "end"):
                continue
            col = fields.get(name)
            if col is None:
                problems.append(
                    ValidationError(
                        f"is not a property of {with_article(record)}", where=where, field=name
                    )
                )
                continue
            try:
                props[name] = from_cell(col, value)
            except CellError as err:
                problems.append(ValidationError(str(err), where=where, field=name))
        model = (
            NODE_PROPS[NodeKind(record)]
            if record in _NODE_KINDS
            else REL_RULES[RelType(record)].props
        )
        try:
            model.model_validate(props)
        except pydantic.ValidationError as err:
            problems.extend(_model_problems(err, where))
        return props

    def _node(
        self, sheet: Sheet, cells: dict[str, Any], where: str, problems: list[ValidationError]
    ) -> NodeWrite | None:
        kind: str | None = None
        try:
            kind = self._selected(sheet, cells, where)
        except ValidationError as err:
            problems.append(err)
        node_id = self._node_id(sheet, cells, where, problems)
        props = self._props(kind, cells, where, problems) if kind is not None else {}
        if node_id is None:
            return None
        if problems:
            self.read.refused[node_id] = NodeKind(kind) if kind is not None else None
            return None
        assert kind is not None
        defaults: dict[str, Any] = {}
        if NodeKind(kind) in NON_STATE_KINDS and "sensitivity" not in props:
            ref = props.get("external_id")
            defaults["sensitivity"] = self.mapping.sensitivity_of(ref, node_id).value
        return NodeWrite(kind, node_id, props, where=where, merge=True, defaults=defaults)

    def _node_id(
        self, sheet: Sheet, cells: dict[str, Any], where: str, problems: list[ValidationError]
    ) -> str | None:
        if "id" in cells:
            node_id = text_of(cells["id"])
        elif sheet.name == "actors" and "external_id" in cells:
            node_id = self.mapping.organisation_id(text_of(cells["external_id"]))
        else:
            problems.append(ValidationError("needs an id", where=where, field="id"))
            return None
        if not _valid_id(node_id, where, problems):
            return None
        first = self.node_rows.setdefault(node_id, where)
        if first != where:
            problems.append(
                ValidationError(f"id {node_id!r} is also given at {first}", where=where, field="id")
            )
        return node_id

    def _rel(
        self, sheet: Sheet, cells: dict[str, Any], where: str, problems: list[ValidationError]
    ) -> RelWrite | None:
        rel_type: str | None = None
        try:
            rel_type = self._selected(sheet, cells, where)
        except ValidationError as err:
            problems.append(err)
        ends = []
        for end in ("start", "end"):
            if end not in cells:
                problems.append(ValidationError("needs the id of a node", where=where, field=end))
            ends.append(text_of(cells[end]) if end in cells else "")
        if rel_type is None:
            return None
        props = self._props(rel_type, cells, where, problems)
        rel_id = self._rel_id(RelType(rel_type), cells, ends, props, where, problems)
        if rel_id is None or problems:
            return None
        return RelWrite(rel_type, rel_id, ends[0], ends[1], props, where=where, merge=True)

    def _rel_id(
        self,
        rel_type: RelType,
        cells: dict[str, Any],
        ends: list[str],
        props: dict[str, Any],
        where: str,
        problems: list[ValidationError],
    ) -> str | None:
        identity = IDENTITY.get(rel_type, ())
        if "id" in cells:
            rel_id = text_of(cells["id"])
            if not _valid_id(rel_id, where, problems):
                return None
            same = f"id {rel_id!r} is also given at {{first}}"
        else:
            if not all(ends):
                return None
            for name in identity:
                if name not in props:
                    problems.append(
                        ValidationError(
                            f"a {rel_type} row without an id needs its {name}, which tells "
                            "it from the others between the same two nodes",
                            where=where,
                            field=name,
                        )
                    )
                    return None
            rel_id = relationship_id(rel_type, *ends, *(props[n] for n in identity))
            what = ", ".join(["type", "start", "end", *identity])
            same = f"the same {rel_type} as {{first}} (same {what}): give each row its own id"
        first = self.rel_rows.setdefault(rel_id, where)
        if first != where:
            problems.append(ValidationError(same.format(first=first), where=where, field="id"))
        return rel_id


def _valid_id(value: str, where: str, problems: list[ValidationError]) -> bool:
    if ID_PATTERN.match(value):
        return True
    problems.append(
        ValidationError(
            f"{value!r} is not an id: 1-128 letters, digits, '_', '.', ':' or '-', starting "
            "with a letter or digit",
            where=where,
            field="id",
        )
    )
    return False


def _model_problems(err: pydantic.ValidationError, where: str) -> list[ValidationError]:
    """The model's problems with the cells a row gives; a field it does not give (``missing``)
    may come from the stored record, which the store checks."""
    return [
        ValidationError(
            e["msg"].removeprefix("Value error, "),
            where=where,
            field=".".join(str(p) for p in e["loc"]) or None,
        )
        for e in err.errors()
        if e["type"] != "missing"
    ]


# --------------------------------------------------------------------------- sources


def read_xlsx_file(
    path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    """Every good row of a template workbook; every problem goes to ``log``, every sheet it
    does not know to ``notes``."""
    reader = _Reader(log, progress, mapping)
    try:
        book = open_workbook(path)
    except WORKBOOK_ERRORS as err:
        log.add_problem(Problem(f"not an Excel .xlsx workbook ({err})", log.source))
        reader.read.complete = False
        return reader.read
    try:
        _read_sheets(reader, book, log)
    except (*WORKBOOK_ERRORS, SyntaxError) as err:
        # a damaged part of the file (SyntaxError: XML that does not parse)
        log.add_problem(Problem(f"the workbook is damaged ({err}); it was not read", log.source))
        reader.read.complete = False
    finally:
        book.close()
    return reader.read


def _read_sheets(reader: _Reader, book: Any, log: ProblemLog) -> None:
    found: dict[str, Any] = {}
    for ws in book.worksheets:
        if not hasattr(ws, "iter_rows"):  # a chart sheet
            continue
        key = header_key(ws.title)
        if key in SHEET_NAMES and key not in found:
            found[key] = ws
        elif key != README.lower():
            reader.read.notes[f"sheet {ws.title!r} is not a template sheet: left out"] += 1
    for sheet in SHEETS:
        if sheet.name in found:
            ws = found[sheet.name]
            ws.reset_dimensions()  # other tools write wrong ones; read every row
            reader.sheet(sheet, iter(ws.iter_rows(values_only=True)), _xlsx_where(log, ws))


def _xlsx_where(log: ProblemLog, ws: Any) -> Where:
    title = ws.title
    return lambda line: f"{log.where(line)} (sheet {title})"


def _csv_files(path: Path, log: ProblemLog, read: Read) -> list[tuple[Sheet, Path, Where]]:
    """The template files of a directory (or the one file) in reading order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        base = Path(log.source)
    else:
        files, base = [path], None
    found: dict[str, tuple[Path, Where]] = {}
    for file in files:
        key = header_key(file.stem)
        if key not in SHEET_NAMES or key in found:
            if base is not None:
                read.notes[f"{file.name} is not a template sheet: left out"] += 1
                continue
            names = ", ".join(f"{s.name}.csv" for s in SHEETS)
            log.add_problem(
                Problem(f"the file name must say its sheet: one of {names}", log.source)
            )
            read.complete = False
            return []
        found[key] = (file, log.where if base is None else _file_where(str(base / file.name)))
    if not found and base is not None:
        names = ", ".join(f"{s.name}.csv" for s in SHEETS)
        log.add_problem(
            Problem(f"no template sheet in this directory: expected {names}", log.source)
        )
    return [(s, *found[s.name]) for s in SHEETS if s.name in found]


def _file_where(shown: str) -> Where:
    return lambda line: f"{shown}:{line}"


def _csv_rows(file: Path, where: Where, log: ProblemLog, read: Read) -> Rows:
    """The rows of a CSV file: UTF-8 (with or without Excel's BOM); separated by ``,``, or by
    ``;`` or a tab if the header has those and no comma (Excel in many languages)."""
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        log.add(
            ValidationError(
                f"not valid UTF-8 (byte {err.start + 1}): save the sheet as 'CSV UTF-8'",
                where=where(line),
            )
        )
        read.complete = False
        return
    head = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=lambda s: (head.count(s), s == ","))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    line = 0
    try:
        for line, row in enumerate(rows, start=1):  # noqa: B007 - the line is reported below
            yield [_unescape(cell) for cell in row]
    except csv.Error as err:
        log.add(
            ValidationError(
                f"not a readable CSV ({err}); nothing after it was read", where=where(line + 1)
            )
        )
        read.complete = False


def read_csv_file(
    path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    """Every good row of a template CSV file (``<sheet>.csv``) or of a directory of them;
    every problem goes to ``log``, every file it does not know to ``notes``."""
    reader = _Reader(log, progress, mapping)
    for sheet, file, where in _csv_files(path, log, reader.read):
        reader.sheet(sheet, _csv_rows(file, where, log, reader.read), where)
    return reader.read


def _escape(text: str) -> str:
    """A CSV cell a spreadsheet shows as the text, never runs as a formula."""
    return f"'{text}" if text.startswith((*FORMULA_START, "'")) else text


def _unescape(text: str) -> str:
    if text.startswith("'") and text[1:2] and text[1] in (*FORMULA_START, "'"):
        return text[1:]
    return text


# --------------------------------------------------------------------------- writing


def _columns(sheet: Sheet, export: bool) -> list[Column]:
    """A template has no provenance columns (only an import writes those)."""
    return [c for c in sheet.columns if export or c.name not in PROVENANCE]


def _record_row(sheet: Sheet, columns: list[Column], record: Node | Relationship) -> list[Any]:
    fixed: dict[str, Any] = {"id": record.id}
    if isinstance(record, Node):
        fixed["kind"] = record.kind.value
        what = f"node {record.id!r}"
    else:
        fixed.update(type=record.type.value, start=record.start, end=record.end)
        what = f"relationship {record.id!r}"
    row = []
    for col in columns:
        value = fixed[col.name] if col.name in fixed else record.props.get(col.name)
        reason = exportable(value)
        if reason is None and isinstance(value, str) and _illegal_in_xlsx(value):
            reason = "holds a control character, which a spreadsheet cannot carry"
        if reason is not None:
            raise ValidationError(
                f"{reason}, so it would not read back the same; export as JSON Lines instead",
                where=what,
                field=col.name,
            )
        row.append(to_cell(col, value))
    return row


def _illegal_in_xlsx(text: str) -> bool:
    return ILLEGAL_CHARACTERS_RE.search(text) is not None


def readme_rows() -> list[list[str]]:
    """The README: how to fill the sheets, then one row per sheet and column."""
    rows = [[line] for line in _README_TEXT]
    rows.append([])
    rows.append(["sheet", "column", "for", "required", "values", "description"])
    for sheet in SHEETS:
        rows.append([sheet.name, "", "", "", "", sheet.description])
        for col in _columns(sheet, export=True):
            required = "yes" if col.required else ""
            if col.name in PROVENANCE:
                required = "(written by the import; ignored when read)"
            rows.append(
                ["", col.name, ", ".join(col.only), required, col.values(), col.description]
            )
    return rows


_README_TEXT = (
    "partnernet import template",
    "One sheet (or one <sheet>.csv file) per kind of record; row 1 holds the column names, "
    "every other row one record. Blank rows are skipped; columns may be left out or reordered.",
    "A row adds a record or updates the one with its id. An empty cell means 'not given': "
    "importing keeps the stored value (a cell cannot erase one).",
    "Dates: YYYY-MM-DD (or an Excel date). Lists: values separated by ';'. Yes/no: TRUE or "
    "FALSE. Choices are matched without case.",
    "Relationship sheets name nodes by id (start, end). A relationship row without an id gets "
    "one from its type, start and end (and role, for partnerships), never from its dates: "
    "importing a corrected sheet updates the same relationship.",
    "Do no harm: a new civil society organisation, company, academic institution or other "
    "non-state actor without a sensitivity is RESTRICTED.",
    "Sheets other than these are left out; a column not listed here is a problem. An import "
    "with any problem writes nothing and lists every problem by file, row, sheet and column.",
    "CSV files: UTF-8 ('CSV UTF-8' in Excel). Text beginning with =, +, -, @ or ' is written "
    "after a ' so that no spreadsheet runs it as a formula; the import removes that '.",
)


async def export_tabular(store: GraphStore, path: Path, fmt: TabularFormat) -> int:
    """The whole store in the template: an ``.xlsx`` workbook, or a directory of CSV files.
    Importing it into an empty store gives the same records (provenance aside)."""
    rows: dict[str, list[list[Any]]] = {s.name: [] for s in SHEETS}
    columns = {s.name: _columns(s, export=True) for s in SHEETS}
    count = 0
    async for record in store.export_records():
        sheet = SHEET_OF[record.kind.value if isinstance(record, Node) else record.type.value]
        rows[sheet.name].append(_record_row(sheet, columns[sheet.name], record))
        count += 1
    _write(path, fmt, rows, export=True)
    return count


def write_template(path: Path, fmt: TabularFormat) -> None:
    """An empty template: an ``.xlsx`` workbook, or a directory of CSV files with a
    README.txt; the README says what every sheet and column holds."""
    _write(path, fmt, {s.name: [] for s in SHEETS}, export=False)


def _write(path: Path, fmt: TabularFormat, rows: dict[str, list[list[Any]]], export: bool) -> None:
    if fmt == "xlsx":
        _write_xlsx(path, rows, export)
    elif fmt == "csv":
        _write_csv(path, rows, export)
    else:
        raise ValueError(f"unknown template format {fmt!r}: xlsx or csv")


def _write_csv(path: Path, rows: dict[str, list[list[Any]]], export: bool) -> None:
    if path.exists() and not path.is_dir():
        raise ValidationError(
            "a CSV template is a directory of one file per sheet; this is a file", where=str(path)
        )
    path.mkdir(parents=True, exist_ok=True)
    for sheet in SHEETS:
        columns = _columns(sheet, export)
        with (path / f"{sheet.name}.csv").open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([c.name for c in columns])
            writer.writerows([_csv_cell(v) for v in row] for row in rows[sheet.name])
    readme = io.StringIO()
    csv.writer(readme, delimiter="\t").writerows(readme_rows())
    (path / "README.txt").write_text(readme.getvalue(), encoding="utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _escape(value)
    return str(value)


def _write_xlsx(path: Path, rows: dict[str, list[list[Any]]], export: bool) -> None:
    book = Workbook(write_only=True)
    readme = book.create_sheet(README)
    readme.column_dimensions["A"].width = 16
    readme.column_dimensions["B"].width = 20
    readme.column_dimensions["E"].width = 40
    readme.column_dimensions["F"].width = 80
    for row in readme_rows():
        readme.append([_text_cell(readme, v) for v in row])
    bold = Font(bold=True)
    for sheet in SHEETS:
        columns = _columns(sheet, export)
        ws = book.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        _dropdowns(ws, columns)
        heads = []
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.name) + 4)
            cell = WriteOnlyCell(ws, value=col.name)
            cell.font = bold
            heads.append(cell)
        ws.append(heads)
        for row in rows[sheet.name]:
            ws.append([_text_cell(ws, v) for v in row])
    book.save(path)


def _text_cell(ws: Any, value: Any) -> Any:
    """Text as a string cell (openpyxl would make ``=...`` a formula); the rest as it is."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _dropdowns(ws: Any, columns: list[Column]) -> None:
    """A list to pick from in every column of choices (Excel caps such a list at 255
    characters; a longer one is left to the README)."""
    for i, col in enumerate(columns, start=1):
        if not col.choices or col.type is CellType.LIST:
            continue
        formula = '"' + ",".join(col.choices) + '"'
        if len(formula) > 257:
            continue
        check = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=col.name,
            error=f"{col.name}: {col.values()}",
        )
        letter = get_column_letter(i)
        check.add(f"{letter}2:{letter}1048576")
        ws.data_validations.append(check)
