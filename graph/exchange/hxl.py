"""OCHA 3W/4W ("who does what where") sheets tagged with HXL hashtags, as CSV or Excel.

HXL (https://hxlstandard.org/standard/1-1final/) is read here rather than with libhxl,
whose Unidecode dependency is GPL. What is read, and why:

- **The hashtag row** is the first of the first :data:`HEADER_ROWS` rows whose non-empty cells
  are all hashtag specs (``#tag+attribute...``): rows above it are human headers, rows below
  data. Tags and attributes are compared without case and attributes as a set, so
  ``#org +Code`` and ``#org+code`` are one column. A column without a hashtag is ignored (the
  HXL rule); a hashtag column that feeds nothing here (``#status``, ``#reached``, a second
  ``#org``) is reported once as a note. A CSV may be separated by ``,``, ``;`` or tabs (the
  first that shows a hashtag row wins) and must be UTF-8. In a workbook the first sheet with a
  hashtag row is read; other sheets with one are noted, not read (they are often summaries of
  the same rows, read twice they would be double counted).
- **The row is the record**: a row with any problem gives nothing, and every problem of every
  row is reported (``FILE:ROW``, and ``(sheet NAME)`` for a workbook; the field is the
  hashtag column as written). Rows with no value in any column read are skipped.
- **Who** (``#org``, and ``#org+code``/``#org+id`` as its external identifier): the
  implementer, since a 3W's "who" is who does the work; ``#org`` columns with ``+funder``,
  ``+prog`` or ``+partner`` are other organisations and are not read. An organisation the
  mapping's ``[organisations]`` names (by code, or by name when the row has no code) is that
  node, referred to and not rewritten (its type is not read). Otherwise it is an actor with
  id ``mapping.organisation_id(code)``, or ``derived_id("org", name)`` over the name without
  case, accents and double spaces, so "Aid Group" and "aid  group" are one actor. Its kind comes
  from ``#org+type``: the mapping's ``[org_types]`` words (without case), then
  :data:`TYPE_WORDS` (3W sheets' usual words and the IATI names), or an IATI code as a
  number, through :data:`ORG_TYPE_KINDS`. Red Cross/Red Crescent is an international NGO
  (21): IATI has no code of its own for the Movement, and the OECD DAC channel codes list the
  ICRC and the IFRC among international NGOs (a mapping can say otherwise). No type gives
  :data:`UNTYPED_KIND` for a new actor; an actor that exists keeps its own kind
  (``NodeWrite.kind_guessed``). A government (10, 11, 15) is a
  Member State, which only the mapping can name: unmapped, it is a problem. New non-state
  actors get the mapping's sensitivity (``sensitivity_of(code or name, id)``; restricted by
  default); an existing actor keeps its own. An actor's name comes from its first row, its
  type from the first row that types it; a later row naming it otherwise is noted, one typing
  it otherwise (another IATI code) is a problem.
- **What** (``#activity``, ``+code``/``+id`` its external identifier): an Activity, the same
  for every organisation doing it, so co-implementers meet in the network. Its id comes from
  the code, otherwise from the name and country (``derived_id("activity", "KEN|name")``). A row
  without ``#activity`` does its sector: the activity "<sector> in <country>", one per
  (sector, country). Admin 1 areas (``#adm1``, name or else code) have no node in the model:
  they are listed in the activity's description ("Admin 1: A; B"), not in its identity. New
  activities are PROCESS (a 3W activity is ongoing work, not an event); a stored activity
  keeps its type. ``location`` is the country when all its rows agree.
- **Where** (``#country+code``, ISO3, else ``#country+name``, a Member State's name without
  case, accents or a "(...)" suffix): ``TARGETS`` the Member State; anything else (also
  non-members such as Kosovo or the State of Palestine) is a problem. A row without a country
  targets nothing (a single-country 3W often has only ``#adm1``), which is noted.
- **Sector** (``#sector+code``, else ``#sector`` / ``+name`` / ``+cluster``): ``ADDRESSES`` the
  thematic area of ``mapping.sectors`` (code first, then name; keys as given, then without
  case); an unmapped sector is counted in the notes, not a problem.
- **Participation**: ``PARTICIPATED_IN`` organisation -> activity, role IMPLEMENTING, id from
  (org, activity, role) and never from dates, so a corrected date updates it. ``since`` is the
  earliest ``#date+start`` and ``until`` the latest ``#date+end`` of its rows: ISO dates, a
  partial date (``2024-03``, ``2024``) being the first day as a start and the last as an end;
  in a workbook also date cells, Excel day numbers and a whole year number. A row ending
  before it starts is a problem. With ``mapping.programme`` every activity is ``PART_OF`` that
  programme.
- **Duplicates**: records are keyed by their ids, so repeated rows (same org, activity, sector,
  country) are one record, written from its first row (its ``where``), not a conflict.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from graph.errors import ValidationError
from graph.exchange.mapping import ORG_TYPE_KINDS, UNTYPED_KIND, ImportMapping, derived_id
from graph.exchange.problems import ProblemLog, Progress, Read
from graph.exchange.workbook import WORKBOOK_ERRORS, open_workbook
from graph.model import (
    IATI_ORG_TYPES,
    NON_STATE_KINDS,
    ActivityType,
    NodeKind,
    RelType,
    Role,
    relationship_id,
)
from graph.reference import member_states
from graph.store import Change, NodeWrite, RelWrite

#: How many rows from the top may hold the hashtag row (human headers above it).
HEADER_ROWS: Final = 25
#: Separators a CSV may use, tried in this order.
CSV_SEPARATORS: Final = (",", ";", "\t")
#: Workbook suffixes read with openpyxl; anything else is read as CSV.
XLSX_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
#: IATI OrganisationType codes of governments: a Member State, named only by a mapping.
GOVERNMENT_TYPES: Final = frozenset({10, 11, 15})

_TAGSPEC = re.compile(r"\s*#([a-z][a-z0-9_]*)((?:\s*\+\s*[a-z][a-z0-9_]*)*)\s*", re.IGNORECASE)

_TYPE_ALIASES: Final[dict[int, str]] = {
    22: "ngo|national ngo|nngo|local ngo|cso|civil society|civil society organisation|"
    "civil society organization|community-based organisation|community-based organization|cbo",
    21: "ingo|international ngo|red cross/red crescent|red cross/red crescent movement|"
    "red cross|red crescent|rcrc",
    23: "regional ngo",
    40: "un|un agency|united nations|multilateral|international organisation|"
    "international organization",
    10: "government|national government|ministry",
    11: "local government|local authority",
    15: "public sector|other public sector",
    70: "private sector|private|company|business",
    80: "academic|academia|university|research",
    60: "foundation",
    90: "other",
}
#: 3W sheets' usual words for organisation types (compared folded: without case, accents and
#: spaces around ``/``) -> IATI OrganisationType code; the IATI names are accepted too.
TYPE_WORDS: Final[dict[str, int]] = {
    word: code for code, words in _TYPE_ALIASES.items() for word in words.split("|")
} | {name.casefold(): code for code, name in IATI_ORG_TYPES.items()}
#: The words a problem shows as accepted (the rest of :data:`TYPE_WORDS` are variants).
_TYPE_WORDS_SHOWN: Final = (
    "NGO, National NGO, INGO, International NGO, Regional NGO, Red Cross/Red Crescent, "
    "UN Agency, Multilateral, Government, Local Government, Private sector, Academic, "
    "Foundation, Other"
)


@dataclass(frozen=True, slots=True)
class _Field:
    """Which hashtag columns feed a field: the tag, with one of ``any_of`` (if given) and none
    of ``none_of`` among the attributes."""

    tag: str
    any_of: frozenset[str] = frozenset()
    none_of: frozenset[str] = frozenset()

    def matches(self, tag: str, attrs: frozenset[str]) -> bool:
        return (
            tag == self.tag
            and (not self.any_of or bool(attrs & self.any_of))
            and not attrs & self.none_of
        )


def _f(tag: str, any_of: str = "", none_of: str = "") -> _Field:
    return _Field(tag, frozenset(any_of.split()), frozenset(none_of.split()))


_CODE = "code id"
#: The fields read, each from the first column that matches it.
FIELDS: Final[dict[str, _Field]] = {
    "org_code": _f("org", _CODE, "type funder prog partner"),
    "org_type": _f("org", "type", "funder prog partner"),
    "org_name": _f("org", none_of="code id type acronym funder prog partner"),
    "activity_code": _f("activity", _CODE),
    "activity_name": _f("activity", none_of="code id type description"),
    "sector_code": _f("sector", "code"),
    "sector_name": _f("sector", none_of="code"),
    "country_code": _f("country", "code"),
    "country_name": _f("country", none_of="code"),
    "adm1_name": _f("adm1", none_of="code"),
    "adm1_code": _f("adm1", "code"),
    "start": _f("date", "start"),
    "end": _f("date", "end"),
}


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    tag: str
    attrs: frozenset[str]
    #: The hashtag as written, without spaces and case: what a problem names as its field.
    text: str


def parse_hashtag(cell: object) -> tuple[str, tuple[str, ...]] | None:
    """A cell's HXL hashtag spec as (tag, attributes), without case; None if it is not one.

    >>> parse_hashtag(" #Org +Code ")
    ('org', ('code',))
    >>> parse_hashtag("Organisation") is None
    True
    """
    if not isinstance(cell, str):
        return None
    m = _TAGSPEC.fullmatch(cell)
    if m is None:
        return None
    attrs = tuple(a.strip().lower() for a in m.group(2).split("+")[1:])
    return m.group(1).lower(), attrs


def hashtag_columns(cells: Sequence[object]) -> list[Column] | None:
    """The columns of a hashtag row, or None when ``cells`` is not one: some non-empty cell is
    not a hashtag spec, or no cell is."""
    columns: list[Column] = []
    for i, cell in enumerate(cells):
        if _text(cell) == "":
            continue
        spec = parse_hashtag(cell)
        if spec is None:
            return None
        tag, attrs = spec
        columns.append(Column(i, tag, frozenset(attrs), "#" + "+".join((tag, *attrs))))
    return columns or None


Rows = Iterator[tuple[int, Sequence[object]]]


def find_hashtag_row(rows: Rows) -> tuple[int, list[Column]] | None:
    """Read ``rows`` up to their hashtag row (within :data:`HEADER_ROWS`); the rest of
    ``rows`` is the data."""
    for line, cells in itertools.islice(rows, HEADER_ROWS):
        columns = hashtag_columns(cells)
        if columns is not None:
            return line, columns
    return None


def _text(value: object) -> str:
    """A cell as text with single spaces: a whole number without ``.0``, a date in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def _folded(text: str) -> str:
    """``text`` for comparing: without case, accents or typographic apostrophes, single spaces,
    and no spaces around ``/``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s*/\s*", "/", " ".join(plain.casefold().split()))


_V = TypeVar("_V")


class _Lookup(Generic[_V]):
    """A mapping table whose keys match as given, else folded (:func:`_folded`)."""

    def __init__(self, table: dict[str, _V]) -> None:
        self.table = table
        self.folded = {_folded(k): v for k, v in reversed(table.items())}

    def get(self, key: str) -> _V | None:
        found = self.table.get(key)
        return found if found is not None else self.folded.get(_folded(key))


def _member_state_names() -> dict[str, str]:
    """Member State names (folded; also without a "(...)" suffix) -> ISO3."""
    names: dict[str, str] = {}
    for ref in member_states().values():
        names[_folded(ref.name)] = ref.iso3
        short = re.sub(r"\s*\(.*\)\s*$", "", ref.name)
        names.setdefault(_folded(short), ref.iso3)
    return names


# --------------------------------------------------------------------------- dates


def _iso_date(value: object, *, end: bool) -> str:
    """A date cell as an ISO date; a partial date is its first day, or its last if ``end``.
    Raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= value <= 2100:
            return _partial(int(value), None, end=end)
        return _excel_day(float(value)).isoformat()
    text = _text(value)
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", text)
    if m:
        return _partial(int(m.group(1)), int(m.group(2)) if m.group(2) else None, end=end)
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    return dt.date.fromisoformat(text).isoformat()


def _excel_day(serial: float) -> dt.date:
    """The day of an Excel serial date (1900 system, Lotus's phantom 29 February 1900 kept:
    serials from 61 are right, which is every date a 3W holds)."""
    if not 1 <= serial < 2958466:
        raise ValueError(f"{serial} is not an Excel date")
    return (dt.datetime(1899, 12, 30) + dt.timedelta(days=serial)).date()


def _partial(year: int, month: int | None, *, end: bool) -> str:
    if month is None:
        return dt.date(year, 12 if end else 1, 31 if end else 1).isoformat()
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if end else 1).isoformat()


# --------------------------------------------------------------------------- reading a sheet


@dataclass
class _Activity:
    id: str
    name: str
    code: str | None
    where: str
    countries: dict[str, None] = field(default_factory=dict)  # ordered sets
    adm1: dict[str, None] = field(default_factory=dict)


@dataclass
class _Org:
    id: str
    where: str
    write: NodeWrite | None  # None: a mapped organisation, an existing node
    name: str = ""
    type_word: str = ""
    type_code: int | None = None


@dataclass
class _Participation:
    where: str
    since: str | None = None
    until: str | None = None


def assign_columns(columns: Sequence[Column]) -> tuple[dict[str, Column], list[Column]]:
    """Each field of :data:`FIELDS` with the first column that feeds it, and the columns that
    feed none."""
    assigned: dict[str, Column] = {}
    unread: list[Column] = []
    for col in columns:
        free = (n for n, f in FIELDS.items() if n not in assigned and f.matches(col.tag, col.attrs))
        name = next(free, None)
        if name is None:
            unread.append(col)
        else:
            assigned[name] = col
    return assigned, unread


class _Problems(list[ValidationError]):
    def add(self, message: str, where: str, fld: str | None) -> None:
        self.append(ValidationError(message, where=where, field=fld))


class _Sheet:
    """The rows of one sheet below its hashtag row, turned into the records they name."""

    def __init__(self, columns: list[Column], log: ProblemLog, mapping: ImportMapping) -> None:
        self.log = log
        self.mapping = mapping
        self.read = Read()
        self.columns, unread = assign_columns(columns)
        for col in unread:
            self.read.notes[f"hashtag column {col.text} is not imported"] += 1
        self.orgs: dict[str, _Org] = {}
        self.activities: dict[str, _Activity] = {}
        self.participations: dict[tuple[str, str], _Participation] = {}
        self.targets: dict[tuple[str, str], str] = {}
        self.addresses: dict[tuple[str, str], str] = {}
        self.country_names = _member_state_names()
        self.org_names = _Lookup(mapping.organisations)
        self.org_types = _Lookup(mapping.org_types)
        self.sectors = _Lookup(mapping.sectors)

    # -- the sheet

    def sheet_problem(self) -> str | None:
        """Why this sheet cannot be read as a 3W, if so."""
        if not {"org_name", "org_code"} & self.columns.keys():
            return "no #org column: a 3W sheet names its organisations (#org or #org+code)"
        if not {"activity_name", "activity_code", "sector_name", "sector_code"} & (
            self.columns.keys()
        ):
            return "no #activity or #sector column: nothing says what the organisations do"
        return None

    def row(self, line: int, where: str, cells: Sequence[object]) -> None:
        values = {
            name: cells[col.index]
            for name, col in self.columns.items()
            if col.index < len(cells) and _text(cells[col.index]) != ""
        }
        if not values:
            return
        problems = _Problems()
        org = self._org(values, where, problems)
        country = self._country(values, where, problems)
        since, until = self._dates(values, where, problems)
        activity = self._activity(values, country, where, problems)
        if org is not None and not problems:
            self._same_org(org, where, problems)
        if problems:
            for err in problems:
                self.log.add(err, line)
            return
        assert org is not None and activity is not None
        self._record(org, activity, country, since, until, values, where)

    # -- who

    def _col(self, *names: str) -> str:
        """The hashtag of the first of the fields ``names`` the sheet has a column for."""
        col = next((self.columns[n] for n in names if n in self.columns), None)
        return col.text if col else "#" + names[0].replace("_", "+")

    def _org(self, values: dict[str, object], where: str, problems: _Problems) -> _Org | None:
        code = _text(values.get("org_code"))
        name = _text(values.get("org_name"))
        if not code and not name:
            problems.add(
                "no organisation: #org and #org+code are empty",
                where,
                self._col("org_name", "org_code"),
            )
            return None
        mapped = self.mapping.organisations.get(code) if code else None
        if not code:
            mapped = self.org_names.get(name)
        if mapped is not None:
            return _Org(str(mapped), where, None, name=name)
        org_id = self.mapping.organisation_id(code) if code else derived_id("org", _folded(name))
        try:
            type_code = self._org_type(values, where)
        except ValidationError as err:
            problems.append(err)
            self.read.refused.setdefault(org_id, None)
            return None
        if type_code in GOVERNMENT_TYPES:
            key, fld = (code, "org_code") if code else (name, "org_name")
            problems.add(
                f"{name or code!r} is a government organisation ({IATI_ORG_TYPES[type_code]}), "
                f"so a Member State: map {key!r} to its ISO3 code in the mapping's "
                "[organisations] table",
                where,
                self._col(fld),
            )
            self.read.refused.setdefault(org_id, None)
            return None
        word = _text(values.get("org_type"))
        return self._new_org(org_id, code, name, (word, type_code), where)

    def _org_type(self, values: dict[str, object], where: str) -> int | None:
        """The IATI OrganisationType code of a row's ``#org+type``, None if it gives none;
        raises :class:`ValidationError` for a word neither the mapping nor we know."""
        word = _text(values.get("org_type"))
        if not word:
            return None
        code = self.org_types.get(word)
        if code is None:
            code = TYPE_WORDS.get(_folded(word))
        if code is None and word.isdigit():
            code = int(word)
        if code in IATI_ORG_TYPES:
            return int(code)
        if code is not None:
            message = (
                f"the mapping's [org_types] gives {word!r} the code {code}, which is not an "
                "IATI OrganisationType code"
            )
        else:
            words = ", ".join(sorted(self.mapping.org_types))
            message = (
                f"unknown organisation type {word!r}; accepted (without case): "
                f"{_TYPE_WORDS_SHOWN}, an IATI OrganisationType code, or a word of the "
                "mapping's [org_types] table" + (f" ({words})" if words else "")
            )
        raise ValidationError(message, where=where, field=self._col("org_type"))

    def _new_org(
        self, org_id: str, code: str, name: str, typed: tuple[str, int | None], where: str
    ) -> _Org:
        word, type_code = typed
        kind, extra = ORG_TYPE_KINDS.get(type_code or 0, (UNTYPED_KIND, {}))
        props: dict[str, Any] = {**extra}
        defaults: dict[str, Any] = {}
        if name:
            props["name"] = name
        else:
            defaults["name"] = code
        if code:
            props["external_id"] = code
        if type_code is not None:
            props["iati_org_type"] = type_code
        if kind in NON_STATE_KINDS:
            ref = code or name
            defaults["sensitivity"] = self.mapping.sensitivity_of(ref, org_id).value
        write = NodeWrite(
            kind,
            org_id,
            props,
            where=where,
            merge=True,
            defaults=defaults,
            kind_guessed=type_code is None,
        )
        return _Org(org_id, where, write, name, word, type_code)

    def _same_org(self, org: _Org, where: str, problems: _Problems) -> None:
        """An organisation is typed by the first row that types it: a later row typing it
        otherwise is a problem; naming it otherwise is a note."""
        first = self.orgs.get(org.id)
        if first is None or org.write is None:
            return
        if None not in (first.type_code, org.type_code) and first.type_code != org.type_code:
            problems.add(
                f"{org.name or org.id!r} is typed {first.type_word!r} on row "
                f"{self.log.line_of(first.where)}: a sheet gives an organisation one type",
                where,
                self._col("org_type"),
            )
        elif org.name and org.name != first.name:
            self.read.notes[
                f"organisation {org.id!r} is named otherwise on later rows: its first name "
                f"{first.name!r} is kept"
            ] += 1

    # -- where

    def _country(self, values: dict[str, object], where: str, problems: _Problems) -> str | None:
        code = _text(values.get("country_code"))
        name = _text(values.get("country_name"))
        mapped, iso3 = self.mapping.country_of(code or name or "")
        if mapped:
            if iso3 is None:
                self.read.notes[f"country {code or name!r} is left out by the mapping"] += 1
            return iso3
        if code:
            if code.upper() in member_states():
                return code.upper()
            problems.add(
                f"{code!r} is not the ISO 3166-1 alpha-3 code of a UN Member State (a "
                "territory can be mapped in the mapping's [countries])",
                where,
                self._col("country_code"),
            )
            return None
        if not name:
            return None
        iso3 = self.country_names.get(_folded(name))
        if iso3 is None:
            problems.add(
                f"{name!r} is not the name of a UN Member State; a #country+code column with "
                "its ISO3 code is unambiguous",
                where,
                self._col("country_name"),
            )
        return iso3

    # -- when

    def _dates(
        self, values: dict[str, object], where: str, problems: _Problems
    ) -> tuple[str | None, str | None]:
        found: list[str | None] = []
        for name, end in (("start", False), ("end", True)):
            value = values.get(name)
            day = None
            if value is not None:
                try:
                    day = _iso_date(value, end=end)
                except (ValueError, OverflowError):
                    problems.add(
                        f"{_text(value)!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
                        where,
                        self._col(name),
                    )
            found.append(day)
        since, until = found
        if since and until and since > until:
            problems.add(f"ends ({until}) before it starts ({since})", where, self._col("end"))
        return since, until

    # -- what

    def _activity(
        self, values: dict[str, object], country: str | None, where: str, problems: _Problems
    ) -> _Activity | None:
        code = _text(values.get("activity_code"))
        name = _text(values.get("activity_name"))
        if code:
            return _Activity(derived_id("activity", code), name or code, code, where)
        place = country or "-"
        if name:
            return _Activity(derived_id("activity", f"{place}|{_folded(name)}"), name, None, where)
        sector = _text(values.get("sector_name")) or _text(values.get("sector_code"))
        if not sector:
            problems.add(
                "nothing says what the organisation does: #activity and #sector are empty",
                where,
                self._col("activity_name", "activity_code", "sector_name", "sector_code"),
            )
            return None
        ident = _text(values.get("sector_code")) or sector
        label = f"{sector} in {member_states()[country].name}" if country else sector
        return _Activity(
            derived_id("activity", f"{place}|sector|{_folded(ident)}"), label, None, where
        )

    def _theme(self, values: dict[str, object]) -> str | None:
        for name in ("sector_code", "sector_name"):
            key = _text(values.get(name))
            theme = self.sectors.get(key) if key else None
            if theme is not None:
                return str(theme)
        name, code = _text(values.get("sector_name")), _text(values.get("sector_code"))
        if name or code:
            sector = f"{name!r} ({code})" if name and code else repr(name or code)
            self.read.notes[f"sector {sector} is not mapped to a thematic area: left out"] += 1
        return None

    # -- records

    def _record(
        self,
        org: _Org,
        activity: _Activity,
        country: str | None,
        since: str | None,
        until: str | None,
        values: dict[str, object],
        where: str,
    ) -> None:
        first = self.orgs.get(org.id)
        if first is None or (first.type_code is None and org.type_code is not None):
            self.orgs[org.id] = org  # the first row that types it
        act = self.activities.setdefault(activity.id, activity)
        if country:
            act.countries[country] = None
            self.targets.setdefault((act.id, country), where)
        else:
            self.read.notes["rows without a country: their activities target no Member State"] += 1
        adm1 = _text(values.get("adm1_name")) or _text(values.get("adm1_code"))
        if adm1:
            act.adm1[adm1] = None
        theme = self._theme(values)
        if theme is not None:
            self.addresses.setdefault((act.id, theme), where)
        link = self.participations.setdefault((org.id, act.id), _Participation(where))
        if since and (link.since is None or since < link.since):
            link.since = since
        if until and (link.until is None or until > link.until):
            link.until = until

    def changes(self) -> list[Change]:
        out: list[Change] = [o.write for o in self.orgs.values() if o.write is not None]
        out.extend(self._activity_write(a) for a in self.activities.values())
        for (org, act), link in self.participations.items():
            props: dict[str, Any] = {"role": Role.IMPLEMENTING.value}
            props.update({k: v for k, v in (("since", link.since), ("until", link.until)) if v})
            out.append(
                _rel(RelType.PARTICIPATED_IN, org, act, link.where, props, Role.IMPLEMENTING)
            )
        out.extend(_rel(RelType.TARGETS, a, c, w) for (a, c), w in self.targets.items())
        out.extend(_rel(RelType.ADDRESSES, a, t, w) for (a, t), w in self.addresses.items())
        if self.mapping.programme:
            prog = self.mapping.programme
            out.extend(_rel(RelType.PART_OF, a.id, prog, a.where) for a in self.activities.values())
        return out

    def _activity_write(self, act: _Activity) -> NodeWrite:
        props: dict[str, Any] = {"name": act.name}
        if act.code:
            props["external_id"] = act.code
        if len(act.countries) == 1:
            props["location"] = next(iter(act.countries))
        if act.adm1:
            props["description"] = "Admin 1: " + "; ".join(act.adm1)
        return NodeWrite(
            NodeKind.ACTIVITY,
            act.id,
            props,
            where=act.where,
            merge=True,
            defaults={"activity_type": ActivityType.PROCESS.value},
        )


def _rel(
    rel_type: RelType,
    start: str,
    end: str,
    where: str,
    props: dict[str, Any] | None = None,
    role: Role | None = None,
) -> RelWrite:
    discriminators = [role.value] if role else []
    rel_id = relationship_id(rel_type, start, end, *discriminators)
    return RelWrite(rel_type, rel_id, start, end, props or {}, where=where, merge=True)


# --------------------------------------------------------------------------- files


@dataclass
class _Table:
    """One sheet's rows (row number, cells) and how a row is located."""

    rows: Rows
    where: Callable[[int], str]


def _problem(log: ProblemLog, read: Read, message: str, line: int | None = None) -> Read:
    where = log.where(line) if line is not None else log.source
    log.add(ValidationError(message, where=where), line)
    read.complete = False
    return read


def _read_table(
    table: _Table, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    counted = _counting(table.rows, progress)
    found = find_hashtag_row(counted)
    if found is None:
        return _problem(log, Read(), _NO_HASHTAGS)
    line, columns = found
    sheet = _Sheet(columns, log, mapping)
    why = sheet.sheet_problem()
    if why is not None:
        log.add(ValidationError(why, where=table.where(line)), line)
        sheet.read.complete = False
        return sheet.read
    for row_line, cells in counted:
        sheet.row(row_line, table.where(row_line), cells)
    sheet.read.changes = sheet.changes()
    return sheet.read


_NO_HASHTAGS = (
    f"no HXL hashtag row in the first {HEADER_ROWS} rows: a 3W sheet needs a row whose "
    "non-empty cells are all hashtags (#org, #sector, #country+code, ...) above its data; "
    "nothing was read"
)


def _counting(rows: Rows, progress: Progress | None) -> Rows:
    for row in rows:
        if progress:
            progress(1)
        yield row


class _CsvError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _csv_rows(text: str, separator: str) -> Rows:
    """The rows of a CSV, each with the line it starts on; raises :class:`_CsvError`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as err:
        raise _CsvError(str(err), reader.line_num) from None


def _csv_text(path: Path, log: ProblemLog, read: Read) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        _problem(
            log, read, f"not valid UTF-8 (byte {err.start + 1}): save the sheet as CSV UTF-8", line
        )
        return None


def _csv_separator(text: str) -> str | None:
    """The first of :data:`CSV_SEPARATORS` that shows a hashtag row in ``text``, if any."""
    for separator in CSV_SEPARATORS:
        try:
            if find_hashtag_row(_csv_rows(text, separator)) is not None:
                return separator
        except _CsvError:
            continue
    return None


def read_hxl_csv(
    path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    failed = Read()
    text = _csv_text(path, log, failed)
    if text is None:
        return failed
    rows = _csv_rows(text, _csv_separator(text) or CSV_SEPARATORS[0])

    def guarded() -> Rows:
        try:
            yield from rows
        except _CsvError as err:
            message = f"not a readable CSV ({err}); nothing after this line was read"
            _problem(log, failed, message, err.line)

    read = _read_table(_Table(guarded(), log.where), log, progress, mapping)
    read.complete = read.complete and failed.complete
    return read


def _sheet_rows(sheet: Any) -> Rows:
    """A worksheet's rows, numbered; its recorded size is not trusted (some writers get it
    wrong, and a read-only sheet would stop there)."""
    sheet.reset_dimensions()
    return enumerate(sheet.iter_rows(values_only=True), start=1)


def read_hxl_xlsx(
    path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    try:
        book = open_workbook(path)
    except WORKBOOK_ERRORS as err:
        return _problem(log, Read(), f"not an Excel .xlsx workbook ({err})")
    try:
        sheets = [s for s in book.worksheets if hasattr(s, "iter_rows")]
        chosen = next((s for s in sheets if find_hashtag_row(_sheet_rows(s)) is not None), None)
        if chosen is None:
            return _problem(log, Read(), _NO_HASHTAGS.replace("rows:", "rows of any sheet:"))
        name = chosen.title

        def where(line: int) -> str:
            return f"{log.where(line)} (sheet {name})"

        read = _read_table(_Table(_sheet_rows(chosen), where), log, progress, mapping)
        for other in sheets[sheets.index(chosen) + 1 :]:
            if find_hashtag_row(_sheet_rows(other)) is not None:
                read.notes[f"sheet {other.title!r} has hashtags too: only {name!r} is read"] += 1
        return read
    finally:
        book.close()


def read_hxl_file(
    path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    """Every good row of a 3W sheet (CSV, or ``.xlsx``/``.xlsm`` by extension); every problem
    goes to ``log``, every item left out without being a problem to ``notes``."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_hxl_xlsx(path, log, progress, mapping)
    if path.suffix.lower() == ".xls":
        return _problem(log, Read(), "an Excel 97 .xls workbook: save it as .xlsx or CSV UTF-8")
    return read_hxl_csv(path, log, progress, mapping)


def is_hxl(path: Path) -> bool:
    """Whether a CSV or workbook has an HXL hashtag row (so is a 3W sheet, not a template)."""
    try:
        if path.suffix.lower() in XLSX_SUFFIXES:
            book = open_workbook(path)
            try:
                return any(
                    find_hashtag_row(_sheet_rows(s)) is not None
                    for s in book.worksheets
                    if hasattr(s, "iter_rows")
                )
            finally:
                book.close()
        with path.open(encoding="utf-8-sig", newline="") as fh:
            head = "".join(itertools.islice(fh, HEADER_ROWS * 4))
        return _csv_separator(head) is not None
    except (UnicodeDecodeError, *WORKBOOK_ERRORS):
        return False
