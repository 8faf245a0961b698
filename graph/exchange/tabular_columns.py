"""The sheets and columns of the CSV/XLSX templates, and how a cell becomes a property value.

Every column is computed from the props models of :mod:`graph.model` (:data:`NODE_PROPS`,
:data:`REL_RULES`): a field added to a model gets a column in the template, the export and the
reader without anyone editing this file. Only the layout is written here: which kinds share a
sheet, and that the identifying columns come first. A kind or type that no sheet names falls to
the catch-all sheets (actors, links), so nothing of the model is ever left without a place.

Spreadsheets hold cells, not JSON, so a cell is read by the type of its field in the model of
its row's kind: a text field takes a number cell as its text (Excel turns ``00123`` typed in a
cell into a number), an enum is matched without case (a sheet's ``youth`` is ``YOUTH``), a list
is split on the GraphML separator, and a date must be ISO (or an Excel date: never a number,
which the model would read as a Unix timestamp). What the model itself checks (ranges, enum
values, patterns) it checks, with its own words, so a sheet's problems read like any other.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from graph.exchange.graphml import LIST_SEPARATOR
from graph.model import (
    NODE_PROPS,
    REL_RULES,
    NodeKind,
    RelType,
)

#: Provenance the import stamps on what it writes: exported, never read back.
PROVENANCE: Final = ("imported_from", "imported_where", "imported_at")
#: How list items are joined in a cell (the GraphML separator, and a space to read it).
LIST_JOIN: Final = f"{LIST_SEPARATOR} "
#: A relationship's identity beyond type and ends, for the id of a row that gives none: an actor
#: may fund a programme and implement it too (two partnerships); every other relationship is
#: one per pair of nodes, as the API records them (api/network/writes.py), so a row for it
#: updates the same relationship whatever its other cells say.
IDENTITY: Final[dict[RelType, tuple[str, ...]]] = {RelType.PARTNERS_IN: ("role",)}


class CellType(enum.Enum):
    TEXT = "text"
    INTEGER = "whole number"
    NUMBER = "number"
    BOOLEAN = "TRUE or FALSE"
    DATE = "date, YYYY-MM-DD"
    DATETIME = "date and time, ISO 8601"
    CHOICE = "one of"
    LIST = f"any of, separated by '{LIST_SEPARATOR}'"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: CellType
    choices: tuple[str, ...] = ()
    #: Required for a new record (a merge with a stored record may leave it out).
    required: bool = False
    description: str = ""
    #: The kinds or types of the sheet that have this column (all of them when empty).
    only: tuple[str, ...] = ()

    def values(self) -> str:
        """The values the column takes, for the README."""
        if self.choices:
            return f"{self.type.value}: {', '.join(self.choices)}"
        return self.type.value


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    description: str
    #: The node kinds or relationship types of its rows (values of the enums).
    records: tuple[str, ...]
    nodes: bool
    columns: tuple[Column, ...]
    by_name: dict[str, Column] = field(default_factory=dict, compare=False)

    @property
    def selector(self) -> str | None:
        """The column that says a row's kind or type, if the sheet holds more than one."""
        if len(self.records) == 1:
            return None
        return "kind" if self.nodes else "type"

    def required_headers(self) -> tuple[str, ...]:
        ends = () if self.nodes else ("start", "end")
        return (*((self.selector,) if self.selector else ()), *ends)


# --------------------------------------------------------------------------- from the model


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0]
    return annotation


def _choices(tp: Any) -> tuple[str, ...]:
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tuple(str(m.value) for m in tp)
    return ()


def _cell_type(annotation: Any) -> tuple[CellType, tuple[str, ...]]:
    tp = _unwrap(annotation)
    if typing.get_origin(tp) is list:
        return CellType.LIST, _choices(typing.get_args(tp)[0])
    if _choices(tp):
        return CellType.CHOICE, _choices(tp)
    simple = {
        bool: CellType.BOOLEAN,
        int: CellType.INTEGER,
        float: CellType.NUMBER,
        dt.datetime: CellType.DATETIME,
        dt.date: CellType.DATE,
    }
    return simple.get(tp, CellType.TEXT), ()


#: Words for fields whose model gives no description.
_DESCRIPTIONS: Final = {
    "name": "The name shown everywhere.",
    "description": "Free text.",
    "sensitivity": "RESTRICTED hides the actor's identity from callers without the privileged "
    "role. A new non-state actor without one is RESTRICTED (or as the mapping file says).",
    "iati_org_type": "IATI OrganisationType code (e.g. 22 national NGO, 70 private sector).",
    "acronym": "Short name.",
    "region": "UN M49 region.",
    "subregion": "UN M49 sub-region.",
    "intermediate_region": "UN M49 intermediate region.",
    "m49": "UN M49 numeric code, three digits.",
    "code": "Short code of the thematic area.",
    "level": "Results-chain level.",
    "document": "TRUE if the outcome is a document (a report, a guide).",
    "location": "ISO3 code of the host Member State.",
    "role": "Role of the actor.",
    "confidence": "Confidence in the contribution.",
    "evidence_date": "Date of the evidence of the contribution (YYYY-MM-DD).",
}


def _column(name: str, info: FieldInfo, only: tuple[str, ...] = ()) -> Column:
    cell_type, choices = _cell_type(info.annotation)
    description = info.description or _DESCRIPTIONS.get(name, "")
    return Column(name, cell_type, choices, info.is_required(), description, only)


def model_columns(model: type[BaseModel]) -> dict[str, Column]:
    """The columns of a props model's fields, in model order."""
    return {name: _column(name, info) for name, info in model.model_fields.items()}


#: Per node kind and relationship type (their values): its fields as columns.
FIELDS: Final[dict[str, dict[str, Column]]] = {
    **{k.value: model_columns(m) for k, m in NODE_PROPS.items()},
    **{t.value: model_columns(r.props) for t, r in REL_RULES.items()},
}


def _fixed(sheet: str, records: tuple[str, ...], nodes: bool) -> list[Column]:
    if nodes:
        if records == (NodeKind.MEMBER_STATE.value,):
            ident = "ISO 3166-1 alpha-3 code of the Member State."
        else:
            ident = (
                "The record's id: 1-128 letters, digits, '_', '.', ':' or '-'. Relationship "
                "sheets name nodes by it."
            )
        if sheet == "actors":
            ident += " Empty: derived from external_id (org:<external_id>, or the id the "
            ident += "mapping file gives it)."
        fixed = [Column("id", CellType.TEXT, required=True, description=ident)]
        if len(records) > 1:
            fixed.append(Column("kind", CellType.CHOICE, records, True, "The kind of record."))
        return fixed
    ident = "Optional. Empty: derived from type, start and end"
    ident += (", and role for partnerships" if sheet == "partnerships" else "") + ", so that "
    ident += "importing a corrected sheet updates the same relationship."
    fixed = [Column("id", CellType.TEXT, description=ident)]
    if len(records) > 1:
        fixed.append(Column("type", CellType.CHOICE, records, True, "The relationship type."))
    for end, attr in (("start", "sources"), ("end", "targets")):
        kinds = sorted({k for t in records for k in getattr(REL_RULES[RelType(t)], attr)})
        what = f"Id of the node it {'starts' if end == 'start' else 'ends'} at: {', '.join(kinds)}."
        fixed.append(Column(end, CellType.TEXT, required=True, description=what))
    return fixed


def _sheet(name: str, description: str, records: Iterable[str], *, nodes: bool) -> Sheet:
    recs = tuple(records)
    columns: dict[str, Column] = {c.name: c for c in _fixed(name, recs, nodes)}
    if nodes:
        columns["name"] = _column("name", NODE_PROPS[NodeKind(recs[0])].model_fields["name"])
    having: dict[str, list[str]] = {}
    first: dict[str, Column] = {}
    for rec in recs:
        for col in FIELDS[rec].values():
            having.setdefault(col.name, []).append(rec)
            first.setdefault(col.name, col)
    rest = [n for n in first if n not in columns and n not in PROVENANCE]
    for col_name in [*rest, *PROVENANCE]:
        only = () if len(having[col_name]) == len(recs) else tuple(having[col_name])
        col = first[col_name]
        columns[col_name] = Column(
            col.name, col.type, col.choices, col.required, col.description, only
        )
    return Sheet(name, description, recs, nodes, tuple(columns.values()), columns)


_SINGLE_NODE_SHEETS: Final = (
    ("member_states", "UN Member States: reference data, usually already stored.", "MemberState"),
    ("programmes", "UNOCT programmes.", "Programme"),
    ("activities", "Activities and events: conferences, trainings, platforms...", "Activity"),
    ("outcomes", "Results: outputs, outcomes and impacts.", "Outcome"),
    ("themes", "Thematic areas.", "ThematicArea"),
)
_REL_SHEETS: Final = (
    ("partnerships", "An actor (start) partners in a programme (end) with a role; amount in "
     "US dollars.", (RelType.PARTNERS_IN,)),
    ("participations", "An actor (start) took part in an activity (end).",
     (RelType.PARTICIPATED_IN,)),
    ("results", "PRODUCED: a programme or activity (start) produced an outcome (end); "
     "CONTRIBUTED_TO: an outcome (start) contributed to a higher one (end). share is the "
     "contribution, from 0 to 1.", (RelType.PRODUCED, RelType.CONTRIBUTED_TO)),
)  # fmt: skip


def _sheets() -> tuple[Sheet, ...]:
    single = {kind for _, _, kind in _SINGLE_NODE_SHEETS}
    actor_kinds = [k.value for k in NodeKind if k.value not in single]
    actors = _sheet(
        "actors",
        "Regional organisations, civil society organisations, companies, academic "
        "institutions and other non-state actors; kind says which.",
        actor_kinds,
        nodes=True,
    )
    by_kind = {kind: (name, text) for name, text, kind in _SINGLE_NODE_SHEETS}
    sheets = [_sheet(*by_kind.pop("MemberState"), ["MemberState"], nodes=True), actors]
    sheets += [_sheet(n, text, [k], nodes=True) for k, (n, text) in by_kind.items()]
    placed = {t for _, _, types_ in _REL_SHEETS for t in types_}
    sheets += [_sheet(n, text, [t.value for t in ts], nodes=False) for n, text, ts in _REL_SHEETS]
    others = [t for t in RelType if t not in placed]
    rules = " ".join(f"{t.value}: {REL_RULES[t].description}" for t in others)
    sheets.append(_sheet("links", rules, [t.value for t in others], nodes=False))
    return tuple(sheets)


#: Every sheet, in the order a workbook has them and a reader reads them: nodes, then the
#: relationships between them (a relationship may name a node of an earlier sheet).
SHEETS: Final = _sheets()
SHEET_NAMES: Final = {s.name: s for s in SHEETS}
#: The sheet of each node kind and relationship type (values).
SHEET_OF: Final = {rec: s for s in SHEETS for rec in s.records}


def header_key(text: str) -> str:
    """A header or sheet name as a column or sheet name: without case, spaces as ``_``."""
    return "_".join(text.strip().lower().replace("-", " ").split())


# --------------------------------------------------------------------------- cells


class CellError(ValueError):
    """A cell that cannot be the value of its field; the message says why."""


_TRUE: Final = frozenset({"true", "yes", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def text_of(value: Any) -> str:
    """A cell as text: ids and the text fields."""
    return _text(value)


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    text = _text(value)
    folded = {c.casefold(): c for c in choices}
    return folded.get(text.casefold(), text)


def _integer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return text
            return int(number) if number.is_integer() else number
    return value


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value.strip()
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise CellError(f"is not TRUE or FALSE: {_text(value)!r}")


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise CellError(f"is not a date (YYYY-MM-DD): {_text(value)!r}")


def from_cell(column: Column, value: Any) -> Any:
    """The property value of a non-empty cell, as the model reads it (and checks it further);
    :class:`CellError` if the cell cannot be one."""
    match column.type:
        case CellType.BOOLEAN:
            return _boolean(value)
        case CellType.INTEGER:
            if isinstance(value, bool):
                raise CellError(f"is not a whole number: {_text(value)!r}")
            return _integer(value)
        case CellType.NUMBER:
            if isinstance(value, bool):
                raise CellError(f"is not a number: {_text(value)!r}")
            return _number(value)
        case CellType.DATE:
            return _date(value)
        case CellType.CHOICE:
            return _choice(value, column.choices)
        case CellType.LIST:
            items = (item.strip() for item in _text(value).split(LIST_SEPARATOR))
            return [_choice(item, column.choices) for item in items if item]
        case _:
            return _text(value)


def exportable(value: Any) -> str | None:
    """Why a property value would not read back the same from a cell, or None if it would:
    text is read stripped, an empty cell is no value, and list items are split on the
    separator."""
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str) or not item or LIST_SEPARATOR in item:
                return f"a list item is empty or holds {LIST_SEPARATOR!r}"
            if item != item.strip():
                return "a list item begins or ends with white space"
        return None
    if isinstance(value, str) and (not value.strip() or value != value.strip()):
        return "is empty, or begins or ends with white space"
    return None


def to_cell(column: Column, value: Any) -> Any:
    """A property value as a cell: a list joined, a date a date (Excel shows it as one, and
    sorts and filters by it), anything else as it is."""
    if value is None:
        return None
    if column.type is CellType.LIST:
        return LIST_JOIN.join(value)
    if column.type is CellType.DATE:
        day = dt.date.fromisoformat(value)
        # Excel has no dates before 1900 (and a leap day in 1900 that never was): text then.
        return day if day >= dt.date(1900, 3, 1) else value
    return value
