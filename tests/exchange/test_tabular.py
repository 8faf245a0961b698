"""The CSV/XLSX templates (graph/exchange/tabular.py): every sheet and kind of column, every
problem with its file, row, sheet and column, imports into a real embedded store that are
idempotent, take corrections and keep what a sheet does not give, the template, and the export
that reads back to the same records. Every organisation, programme and activity is fictional."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidFile, Problem, ValidationError
from graph.exchange.importer import import_file
from graph.exchange.mapping import ImportMapping
from graph.exchange.problems import ProblemLog, Read
from graph.exchange.tabular import (
    README,
    TabularFormat,
    export_tabular,
    read_csv_file,
    read_xlsx_file,
    write_template,
)
from graph.exchange.tabular_columns import (
    FIELDS,
    PROVENANCE,
    SHEET_NAMES,
    SHEET_OF,
    SHEETS,
    CellType,
)
from graph.model import NODE_PROPS, REL_RULES, Node, NodeKind, Relationship, RelType
from graph.model import relationship_id as rid
from graph.store import NodeWrite, RelWrite
from seeds.illustrative import seed_changes
from seeds.reference import reference_changes

FIXTURE = Path(__file__).parent / "fixtures" / "tabular" / "partners"
FORMATS: tuple[TabularFormat, ...] = ("xlsx", "csv")
Sheets = dict[str, list[list[Any]]]


# --------------------------------------------------------------------------- helpers


def fixture_sheets() -> Sheets:
    """The fixture's sheets as the text of their cells."""
    out: Sheets = {}
    for path in sorted(FIXTURE.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out[path.stem] = list(csv.reader(fh))
    return out


def excel_value(text: str) -> Any:
    """What Excel stores when a person types ``text``: a date, a number, TRUE/FALSE, text."""
    if text == "":
        return None
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_sheets(tmp_path: Path, fmt: TabularFormat, sheets: Sheets, name: str = "book") -> Path:
    """``sheets`` as a workbook (text typed as Excel would store it) or a CSV directory."""
    if fmt == "xlsx":
        path = tmp_path / f"{name}.xlsx"
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            ws = book.create_sheet(title)
            for row in rows:
                ws.append([excel_value(v) if isinstance(v, str) else v for v in row])
        book.save(path)
        return path
    path = tmp_path / name
    path.mkdir()
    for title, rows in sheets.items():
        with (path / f"{title}.csv").open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([csv_text(v) for v in row] for row in rows)
    return path


def at(path: Path, fmt: TabularFormat, sheet: str, row: int) -> str:
    """Where a problem of a row is: the workbook's row and sheet, or the CSV file's row."""
    return f"{path}:{row} (sheet {sheet})" if fmt == "xlsx" else f"{path / sheet}.csv:{row}"


def read(
    path: Path, fmt: TabularFormat, mapping: ImportMapping | None = None
) -> tuple[Read, list[Problem]]:
    log = ProblemLog(str(path))
    reader = read_xlsx_file if fmt == "xlsx" else read_csv_file
    got = reader(path, log, None, mapping or ImportMapping())
    return got, (list(log.error().problems) if log else [])


def props_of(change: Any) -> dict[str, Any]:
    assert isinstance(change, NodeWrite | RelWrite)
    return change.props


def plain(props: Any) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in PROVENANCE}


async def problems_of(store: EmbeddedStore, path: Path, fmt: TabularFormat) -> list[Problem]:
    with pytest.raises(InvalidFile) as err:
        await import_file(store, path, fmt=fmt)
    return list(err.value.problems)


async def records(store: EmbeddedStore) -> list[Node | Relationship]:
    return [r async for r in store.export_records()]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    """An embedded store with the reference data: Member States, thematic areas, programmes."""
    opened = EmbeddedStore(tmp_path / "graph.db")
    await opened.open()
    await opened.apply(list(reference_changes()))
    yield opened
    await opened.close()


@pytest.fixture
def fixture_book(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, TabularFormat]:
    """The fixture, as the CSV directory itself or as a workbook of the same cells."""
    if request.param == "csv":
        return FIXTURE, "csv"
    return write_sheets(tmp_path, "xlsx", fixture_sheets()), "xlsx"


# --------------------------------------------------------------------------- the model


def test_every_kind_and_type_has_a_sheet_and_every_field_a_column() -> None:
    assert set(SHEET_OF) == {k.value for k in NodeKind} | {t.value for t in RelType}
    models = {k.value: m for k, m in NODE_PROPS.items()}
    models.update({t.value: r.props for t, r in REL_RULES.items()})
    for record, model in models.items():
        sheet = SHEET_OF[record]
        assert set(model.model_fields) <= set(sheet.by_name), record
        assert set(FIELDS[record]) == set(model.model_fields)


def test_fixed_columns_come_first_then_the_model_order_then_provenance() -> None:
    actors = [c.name for c in SHEET_NAMES["actors"].columns]
    assert actors[:4] == ["id", "kind", "name", "since"]
    assert actors[-3:] == list(PROVENANCE)
    results = [c.name for c in SHEET_NAMES["results"].columns]
    assert results[:4] == ["id", "type", "start", "end"]
    links = SHEET_NAMES["links"]
    assert set(links.records) == {"MEMBER_OF", "BASED_IN", "ADDRESSES", "TARGETS", "PART_OF"} | {
        "HOSTED_ON"
    }
    focus = SHEET_NAMES["actors"].by_name["focus_groups"]
    assert focus.type is CellType.LIST and focus.only == ("CivilSocietyOrganization",)
    assert "YOUTH" in focus.choices


def test_the_fixture_covers_every_sheet_and_every_kind_of_column() -> None:
    sheets = fixture_sheets()
    assert set(sheets) == set(SHEET_NAMES)
    used = {SHEET_NAMES[name].by_name[h].type for name, rows in sheets.items() for h in rows[0]}
    assert used == set(CellType) - {CellType.DATETIME}  # datetime: provenance only, not read


# --------------------------------------------------------------------------- reading


EXPECTED_NODES: dict[str, tuple[str, dict[str, Any]]] = {
    "ro-cdf": (
        "RegionalOrganization",
        {
            "name": "Coastal Dialogue Forum",
            "since": "2001-04-02",
            "source": "Fictional charter",
            "illustrative": True,
            "description": "A fictional regional forum of coastal states",
            "sensitivity": "PUBLIC",
            "iati_org_type": 40,
            "acronym": "CDF",
            "region": "Africa",
        },
    ),
    "cso-amber": (
        "CivilSocietyOrganization",
        {
            "name": "Amber Heron Youth Forum",
            "illustrative": True,
            "external_id": "XF-0001",
            "sensitivity": "PUBLIC",
            "iati_org_type": 22,
            "focus_groups": ["YOUTH", "WOMEN"],
        },
    ),
    "cso-quiet": (
        "CivilSocietyOrganization",
        {
            "name": "Quiet Lantern Circle",
            "illustrative": True,
            "sensitivity": "RESTRICTED",  # do no harm: not given, so restricted
            "iati_org_type": 22,
            "focus_groups": ["VICTIMS_ASSOCIATIONS"],
        },
    ),
    "org:XF-0002": (
        "CivilSocietyOrganization",
        {
            "name": "Saltmarsh Women's Network",
            "illustrative": True,
            "description": 'Founded by "fishers\' wives"',
            "external_id": "XF-0002",
            "sensitivity": "RESTRICTED",
            "iati_org_type": 22,
            "focus_groups": ["WOMEN"],
        },
    ),
    "co-tide": (
        "Company",
        {
            "name": "Tidewater Signal Ltd",
            "illustrative": True,
            "sensitivity": "RESTRICTED",
            "iati_org_type": 70,
            "industry": "TECH_PLATFORM",
        },
    ),
    "ac-north": (
        "AcademicInstitution",
        {
            "name": "Northfield Institute for Peace Studies",
            "illustrative": True,
            "sensitivity": "PUBLIC",
            "iati_org_type": 80,
            "academic_type": "THINK_TANK",
        },
    ),
    "ot-fern": (
        "OtherNonStateActor",
        {
            "name": "Fernleaf Foundation",
            "illustrative": True,
            "sensitivity": "RESTRICTED",
            "iati_org_type": 90,
            "actor_type": "FOUNDATION",
        },
    ),
    "prog-coast": (
        "Programme",
        {
            "name": "Coastal Resilience Programme",
            "since": "2022-01-01",
            "until": "2024-12-31",
            "illustrative": True,
            "acronym": "CRP",
        },
    ),
    "act-coast-w1": (
        "Activity",
        {
            "name": "Coastal Resilience Workshop",
            "since": "2022-05-10",
            "until": "2022-05-12",
            "illustrative": True,
            "activity_type": "TRAINING",
            "location": "KEN",
        },
    ),
    "act-coast-hub": (
        "Activity",
        {
            "name": "Coastal Resilience Online Hub",
            "since": "2022-01-15",
            "illustrative": True,
            "activity_type": "PLATFORM",
        },
    ),
    "out-coast-guide": (
        "Outcome",
        {"name": "Coastal Resilience Guide", "illustrative": True, "level": "OUTPUT"}
        | {"document": True},
    ),
    "out-coast-trust": (
        "Outcome",
        {"name": "Community trust strengthened", "illustrative": True, "level": "OUTCOME"}
        | {"document": False},
    ),
    "theme-coast": (
        "ThematicArea",
        {
            "name": "Coastal security",
            "code": "CS",
            "description": "Security of coastal communities",
            "illustrative": True,
        },
    ),
    "KEN": (
        "MemberState",
        {
            "name": "Kenya",
            "m49": "404",
            "region": "Africa",
            "subregion": "Sub-Saharan Africa",
            "intermediate_region": "Eastern Africa",
            "source": "UN Statistics Division, Standard country or area codes (M49)",
            "description": "Host of the fictional coastal workshop",
            "sensitivity": "PUBLIC",
            "iati_org_type": 10,
        },
    ),
}

_T: dict[str, Any] = {"illustrative": True}
EXPECTED_RELS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    (
        "PARTNERS_IN",
        rid("PARTNERS_IN", "cso-amber", "prog-coast", "IMPLEMENTING"),
        "cso-amber",
        "prog-coast",
        {"role": "IMPLEMENTING", "amount": 250000.0, "since": "2022-01-01"}
        | {"source": "Fictional agreement 1", **_T},
    ),
    (
        "PARTNERS_IN",
        rid("PARTNERS_IN", "co-tide", "prog-coast", "FUNDING"),
        "co-tide",
        "prog-coast",
        {
            "role": "FUNDING",
            "amount": 1000000.5,
            "since": "2022-02-01",
            "until": "2023-12-31",
            **_T,
        },
    ),
    (
        "PARTNERS_IN",
        rid("PARTNERS_IN", "cso-amber", "prog-coast", "FUNDING"),
        "cso-amber",
        "prog-coast",
        {"role": "FUNDING", "amount": 5000.0, **_T},
    ),
    ("PARTNERS_IN", "p-advice", "ro-cdf", "prog-coast", {"role": "ADVISORY", **_T}),
    (
        "PARTICIPATED_IN",
        rid("PARTICIPATED_IN", "ac-north", "act-coast-w1"),
        "ac-north",
        "act-coast-w1",
        {"role": "SPEAKER", "since": "2022-05-10", **_T},
    ),
    (
        "PARTICIPATED_IN",
        rid("PARTICIPATED_IN", "org:XF-0002", "act-coast-w1"),
        "org:XF-0002",
        "act-coast-w1",
        {"role": "PARTICIPANT", "since": "2022-05-10", **_T},
    ),
    (
        "PARTICIPATED_IN",
        rid("PARTICIPATED_IN", "KEN", "act-coast-w1"),
        "KEN",
        "act-coast-w1",
        {"role": "PARTICIPANT", **_T},
    ),
    (
        "PRODUCED",
        rid("PRODUCED", "act-coast-w1", "out-coast-guide"),
        "act-coast-w1",
        "out-coast-guide",
        {"share": 0.5, "confidence": "HIGH", "evidence_date": "2022-06-01", **_T},
    ),
    (
        "PRODUCED",
        rid("PRODUCED", "prog-coast", "out-coast-trust"),
        "prog-coast",
        "out-coast-trust",
        {"share": 0.25, "confidence": "MEDIUM", **_T},
    ),
    (
        "CONTRIBUTED_TO",
        rid("CONTRIBUTED_TO", "out-coast-guide", "out-coast-trust"),
        "out-coast-guide",
        "out-coast-trust",
        {"share": 0.3, "confidence": "LOW", **_T},
    ),
    *[
        (t, rid(t, s, e), s, e, props)
        for t, s, e, props in [
            ("MEMBER_OF", "KEN", "ro-cdf", {"since": "2001-04-02", **_T}),
            ("MEMBER_OF", "TZA", "ro-cdf", _T),
            ("BASED_IN", "cso-amber", "KEN", _T),
            ("BASED_IN", "ro-cdf", "KEN", _T),
            ("ADDRESSES", "prog-coast", "theme-coast", _T),
            ("ADDRESSES", "act-coast-w1", "theme-pcve", _T),
            ("TARGETS", "prog-coast", "KEN", _T),
            ("TARGETS", "act-coast-w1", "ro-cdf", _T),
            ("PART_OF", "act-coast-w1", "prog-coast", _T),
            ("PART_OF", "act-coast-hub", "prog-coast", _T),
            ("HOSTED_ON", "act-coast-w1", "act-coast-hub", _T),
        ]
    ],
]


@pytest.mark.parametrize("fixture_book", FORMATS, indirect=True)
async def test_every_sheet_and_column_imports(
    store: EmbeddedStore, fixture_book: tuple[Path, TabularFormat]
) -> None:
    book, fmt = fixture_book
    report = await import_file(store, book, fmt=fmt)
    assert report.nodes_written == len(EXPECTED_NODES)
    assert report.relationships_written == len(EXPECTED_RELS)
    nodes = await store.get_nodes(list(EXPECTED_NODES))
    for node, (node_id, (kind, props)) in zip(nodes, EXPECTED_NODES.items(), strict=True):
        assert node is not None and node.kind == kind, node_id
        assert plain(node.props) == props, node_id
    rels = await store.get_relationships([r[1] for r in EXPECTED_RELS])
    for rel, (rel_type, rel_id, start, end, props) in zip(rels, EXPECTED_RELS, strict=True):
        assert rel is not None, rel_id
        assert (rel.type, rel.start, rel.end) == (rel_type, start, end)
        assert plain(rel.props) == props, rel_id


@pytest.mark.parametrize("fixture_book", FORMATS, indirect=True)
async def test_provenance_names_the_file_row_and_sheet(
    store: EmbeddedStore, fixture_book: tuple[Path, TabularFormat]
) -> None:
    book, fmt = fixture_book
    await import_file(store, book, fmt=fmt)
    (amber,) = await store.get_nodes(["cso-amber"])
    (advice,) = await store.get_relationships(["p-advice"])
    assert amber is not None and advice is not None
    assert amber.props["imported_where"] == at(book, fmt, "actors", 3)
    assert advice.props["imported_where"] == at(book, fmt, "partnerships", 5)
    assert amber.props["imported_from"] == book.name


@pytest.mark.parametrize("fixture_book", FORMATS, indirect=True)
async def test_importing_twice_changes_nothing(
    store: EmbeddedStore, fixture_book: tuple[Path, TabularFormat]
) -> None:
    book, fmt = fixture_book
    await import_file(store, book, fmt=fmt)
    before, revision = await records(store), await store.revision()
    again = await import_file(store, book, fmt=fmt)
    assert (again.nodes_written, again.relationships_written) == (0, 0)
    assert await store.revision() == revision
    assert await records(store) == before


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_corrected_cell_updates_only_its_record(
    store: EmbeddedStore, tmp_path: Path, fmt: TabularFormat
) -> None:
    sheets = fixture_sheets()
    path = write_sheets(tmp_path, fmt, sheets, "first")
    await import_file(store, path, fmt=fmt)
    before = {r.id: r for r in await records(store)}
    # the first partnership: a new amount and start date (dates are not part of its id)
    assert sheets["partnerships"][1][4:6] == ["250000", "2022-01-01"]
    sheets["partnerships"][1][4:6] = ["260000", "2022-01-03"]
    path = write_sheets(tmp_path, fmt, sheets, "second")
    report = await import_file(store, path, fmt=fmt)
    assert (report.nodes_written, report.relationships_written) == (0, 1)
    after = {r.id: r for r in await records(store)}
    changed = [i for i in after if plain(after[i].props) != plain(before[i].props)]
    key = rid("PARTNERS_IN", "cso-amber", "prog-coast", "IMPLEMENTING")
    assert changed == [key] and after.keys() == before.keys()
    assert after[key].props["amount"] == 260000.0 and after[key].props["since"] == "2022-01-03"


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_row_keeps_the_stored_props_it_does_not_give(
    store: EmbeddedStore, tmp_path: Path, fmt: TabularFormat
) -> None:
    stored = {"name": "Old Name", "description": "Kept", "sensitivity": "PUBLIC"}
    await store.apply([NodeWrite("CivilSocietyOrganization", "cso-kept", stored)])
    sheets: Sheets = {
        "actors": [
            ["id", "kind", "name"],
            ["cso-kept", "CivilSocietyOrganization", "New Name"],
        ]
    }
    report = await import_file(store, write_sheets(tmp_path, fmt, sheets), fmt=fmt)
    assert report.nodes_written == 1
    (node,) = await store.get_nodes(["cso-kept"])
    assert node is not None
    # the existing actor keeps its sensitivity: the restricted default is for new actors only
    assert plain(node.props) == {
        "name": "New Name",
        "description": "Kept",
        "sensitivity": "PUBLIC",
        "iati_org_type": 22,
        "focus_groups": [],
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_from_external_identifiers_and_the_mapping(tmp_path: Path, fmt: TabularFormat) -> None:
    sheets: Sheets = {
        "actors": [
            ["kind", "name", "external_id"],
            ["Company", "Harbour Lights Ltd", "XF-0009"],
            ["Company", "Gullwing Logistics", "XF-0010"],
            ["Company", "Driftwood Analytics", "XF-0011"],
        ]
    }
    mapping = ImportMapping(
        organisations={"XF-0009": "co-harbour"},
        sensitivity={"public": frozenset({"XF-0010"})},
    )
    got, problems = read(write_sheets(tmp_path, fmt, sheets), fmt, mapping)
    assert problems == []
    writes = {c.id: c for c in got.changes if isinstance(c, NodeWrite)}
    assert list(writes) == ["co-harbour", "org:XF-0010", "org:XF-0011"]
    defaults = [w.defaults["sensitivity"] for w in writes.values()]
    assert defaults == ["RESTRICTED", "PUBLIC", "RESTRICTED"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_headers_and_choices_are_read_without_case(tmp_path: Path, fmt: TabularFormat) -> None:
    sheets: Sheets = {
        "Actors": [
            [" ID ", "Kind", "Name", "Focus Groups", "Sensitivity"],
            ["cso-x", "civilsocietyorganization", "Brightwater Circle", "women ;youth;", "public"],
        ]
    }
    got, problems = read(write_sheets(tmp_path, fmt, sheets), fmt)
    assert problems == []
    (change,) = got.changes
    assert isinstance(change, NodeWrite) and change.kind == "CivilSocietyOrganization"
    assert change.props["focus_groups"] == ["WOMEN", "YOUTH"]
    assert change.props["sensitivity"] == "PUBLIC" and change.defaults == {}


def test_excel_cells_become_the_model_types(tmp_path: Path) -> None:
    sheets: Sheets = {
        "programmes": [
            ["id", "name", "since", "external_id", "illustrative"],
            ["prog-x", 2024, dt.datetime(2023, 1, 2), 123.0, 1],
        ],
        "partnerships": [
            ["start", "end", "role", "amount", "since"],
            ["cso-x", "prog-x", "funding", 1500, dt.date(2023, 2, 1)],
        ],
    }
    got, problems = read(write_sheets(tmp_path, "xlsx", sheets), "xlsx")
    assert problems == []
    node, rel = got.changes
    assert props_of(node) == {
        "name": "2024",
        "since": "2023-01-02",
        "external_id": "123",
        "illustrative": True,
    }
    assert isinstance(rel, RelWrite)
    assert rel.props == {"role": "FUNDING", "amount": 1500, "since": "2023-02-01"}
    assert rel.id == rid("PARTNERS_IN", "cso-x", "prog-x", "FUNDING")


def test_a_semicolon_csv_with_a_bom_reads(tmp_path: Path) -> None:
    path = tmp_path / "programmes.csv"
    path.write_bytes("\ufeffid;name;acronym\nprog-x;Coastal Watch, phase 2;CW2\n".encode())
    got, problems = read(path, "csv")
    assert problems == []
    (change,) = got.changes
    assert props_of(change) == {"name": "Coastal Watch, phase 2", "acronym": "CW2"}
    assert change.where == f"{path}:2"


def test_progress_counts_the_rows_read(tmp_path: Path) -> None:
    counted: list[int] = []
    log = ProblemLog(str(FIXTURE))
    got = read_csv_file(FIXTURE, log, counted.append, ImportMapping())
    rows = sum(len(rows) - 1 for rows in fixture_sheets().values())
    assert not log and sum(counted) == rows == len(got.changes) + 1  # and one blank row


def test_a_single_csv_file_is_its_sheet_and_names_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "programmes.csv"
    path.write_text("id,name\nprog-x,Coastal Watch\n\nprog-y,\ufeff\n", encoding="utf-8")
    got, problems = read(path, "csv")
    assert problems == [] and [c.id for c in got.changes] == ["prog-x", "prog-y"]
    log = ProblemLog(str(path))
    assert log.line_of(got.changes[1].where) == 4  # the blank row 3 still counts


# --------------------------------------------------------------------------- problems


def _actor(*cells: str, head: tuple[str, ...] = ("id", "kind", "name")) -> Sheets:
    return {"actors": [list(head), list(cells)]}


_PARTNER = ["start", "end", "role", "amount"]
#: (case, sheets, sheet and row of the problem, field, what the message says)
PROBLEMS: list[tuple[str, Sheets, tuple[str, int], str | None, str]] = [
    (
        "unknown column",
        _actor("cso-x", "CivilSocietyOrganization", "X", head=("id", "kind", "name", "colour")),
        ("actors", 1),
        "colour",
        "unknown column 'colour'; this sheet has: id, kind, name,",
    ),
    (
        "column given twice",
        _actor("cso-x", "CivilSocietyOrganization", "X", head=("id", "kind", "name", "Name")),
        ("actors", 1),
        "name",
        "column 'name' is given twice",
    ),
    (
        "missing type column",
        {"links": [["start", "end"], ["cso-x", "KEN"]]},
        ("links", 1),
        "type",
        "the sheet needs a column 'type'",
    ),
    (
        "missing id column",
        {"programmes": [["name"], ["Coastal Watch"]]},
        ("programmes", 1),
        "id",
        "the sheet needs a column 'id'",
    ),
    (
        "unknown kind",
        _actor("cso-x", "Charity", "X"),
        ("actors", 2),
        "kind",
        "'Charity' is not a kind of this sheet; expected one of RegionalOrganization,",
    ),
    (
        "kind of another sheet",
        _actor("KEN", "MemberState", "Kenya"),
        ("actors", 2),
        "kind",
        "MemberState rows go on sheet member_states, not actors",
    ),
    (
        "no kind",
        _actor("cso-x", "", "X"),
        ("actors", 2),
        "kind",
        "needs a kind: one of RegionalOrganization,",
    ),
    (
        "bad choice",
        _actor("cso-x", "Company", "X", "SECRET", head=("id", "kind", "name", "sensitivity")),
        ("actors", 2),
        "sensitivity",
        "Input should be 'PUBLIC' or 'RESTRICTED'",
    ),
    (
        "bad date",
        {"programmes": [["id", "name", "since"], ["prog-x", "X", "10/05/2022"]]},
        ("programmes", 2),
        "since",
        "is not a date (YYYY-MM-DD): '10/05/2022'",
    ),
    (
        "bad number",
        {"partnerships": [_PARTNER, ["cso-x", "prog-x", "FUNDING", "lots"]]},
        ("partnerships", 2),
        "amount",
        "Input should be a valid number",
    ),
    (
        "negative amount",
        {"partnerships": [_PARTNER, ["cso-x", "prog-x", "FUNDING", "-5"]]},
        ("partnerships", 2),
        "amount",
        "Input should be greater than or equal to 0",
    ),
    (
        "share above 1",
        {"results": [["type", "start", "end", "share"], ["PRODUCED", "prog-x", "out-x", "1.5"]]},
        ("results", 2),
        "share",
        "Input should be less than or equal to 1",
    ),
    (
        "bad boolean",
        {"outcomes": [["id", "name", "document"], ["out-x", "X", "maybe"]]},
        ("outcomes", 2),
        "document",
        "is not TRUE or FALSE: 'maybe'",
    ),
    (
        "bad whole number",
        _actor("cso-x", "Company", "X", "seventy", head=("id", "kind", "name", "iati_org_type")),
        ("actors", 2),
        "iati_org_type",
        "Input should be a valid integer",
    ),
    (
        "bad list item",
        _actor(
            "cso-x",
            "CivilSocietyOrganization",
            "X",
            "YOUTH; ELDERS",
            head=("id", "kind", "name", "focus_groups"),
        ),
        ("actors", 2),
        "focus_groups.1",
        "Input should be 'YOUTH', 'WOMEN',",
    ),
    (
        "not a property of the kind",
        _actor("co-x", "Company", "X", "YOUTH", head=("id", "kind", "name", "focus_groups")),
        ("actors", 2),
        "focus_groups",
        "is not a property of a Company",
    ),
    (
        "bad location",
        {"activities": [["id", "name", "location"], ["act-x", "X", "XYZ"]]},
        ("activities", 2),
        "location",
        "'XYZ' is not the ISO 3166-1 alpha-3 code of a UN Member State",
    ),
    (
        "bad id",
        {"programmes": [["id", "name"], ["prog x", "X"]]},
        ("programmes", 2),
        "id",
        "'prog x' is not an id: 1-128 letters, digits",
    ),
    (
        "no id",
        {"programmes": [["id", "name"], ["", "X"]]},
        ("programmes", 2),
        "id",
        "needs an id",
    ),
    (
        "partnership without id or role",
        {"partnerships": [_PARTNER, ["cso-x", "prog-x", "", "10"]]},
        ("partnerships", 2),
        "role",
        "a PARTNERS_IN row without an id needs its role",
    ),
    (
        "no start",
        {"participations": [["start", "end"], ["", "act-x"]]},
        ("participations", 2),
        "start",
        "needs the id of a node",
    ),
    (
        "a value without a column name",
        {"programmes": [["id", "name", None], ["prog-x", "X", "stray"]]},
        ("programmes", 2),
        None,
        "a value in column C, which has no name in row 1",
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("sheets", "location", "field", "message"),
    [case[1:] for case in PROBLEMS],
    ids=[case[0] for case in PROBLEMS],
)
def test_each_problem_names_file_row_sheet_and_column(
    tmp_path: Path,
    fmt: TabularFormat,
    sheets: Sheets,
    location: tuple[str, int],
    field: str | None,
    message: str,
) -> None:
    path = write_sheets(tmp_path, fmt, sheets)
    got, problems = read(path, fmt)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.where == at(path, fmt, *location)
    assert problem.field == field
    assert message in problem.message
    # the log reads a row back from SOURCE:ROW only, not from a directory's DIR/SHEET.csv:ROW
    assert problem.line == (location[1] if fmt == "xlsx" else None)
    if location[1] > 1 and field is not None:  # a bad cell's record is not emitted
        assert got.changes == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_row_with_several_bad_cells_reports_each(tmp_path: Path, fmt: TabularFormat) -> None:
    head = ("id", "kind", "name", "since", "sensitivity", "iati_org_type")
    sheets = _actor("cso-x", "CivilSocietyOrganization", "X", "soon", "HIDDEN", "x", head=head)
    got, problems = read(write_sheets(tmp_path, fmt, sheets), fmt)
    assert [p.field for p in problems] == ["since", "sensitivity", "iati_org_type"]
    assert got.refused == {"cso-x": NodeKind.CIVIL_SOCIETY_ORGANIZATION}


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_ids_in_a_file_are_problems(tmp_path: Path, fmt: TabularFormat) -> None:
    sheets: Sheets = {
        "actors": [["id", "kind", "name"], ["x-1", "Company", "Gullwing Logistics"]],
        "programmes": [["id", "name"], ["x-1", "Coastal Watch"]],
        "partnerships": [
            ["start", "end", "role", "since"],
            ["x-1", "prog-cso", "FUNDING", "2020-01-01"],
            [],
            ["x-1", "prog-cso", "funding", "2021-01-01"],
        ],
    }
    path = write_sheets(tmp_path, fmt, sheets)
    _, problems = read(path, fmt)
    assert [(p.where, p.field) for p in problems] == [
        (at(path, fmt, "programmes", 2), "id"),
        (at(path, fmt, "partnerships", 4), "id"),
    ]
    assert problems[0].message == f"id 'x-1' is also given at {at(path, fmt, 'actors', 2)}"
    assert problems[1].message.startswith(
        f"the same PARTNERS_IN as {at(path, fmt, 'partnerships', 2)} "
        "(same type, start, end, role): give each row its own id"
    )


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_store_problems_name_the_row(
    store: EmbeddedStore, tmp_path: Path, fmt: TabularFormat
) -> None:
    sheets: Sheets = {
        "actors": [
            ["id", "kind", "name", "sensitivity"],
            ["cso-bad", "CivilSocietyOrganization", "Amber Reed Circle", "SECRET"],
        ],
        "member_states": [
            ["id", "name", "m49", "region", "subregion"],
            ["XYZ", "Nowhere", "999", "Asia", "Nowhere"],
        ],
        "partnerships": [
            _PARTNER,
            ["cso-bad", "prog-cso", "FUNDING", "10"],  # to a refused node: not a second problem
            ["cso-bad", "prog-nowhere", "HOST", ""],
        ],
        "links": [["type", "start", "end"], ["BASED_IN", "prog-cso", "KEN"]],
    }
    path = write_sheets(tmp_path, fmt, sheets)
    problems = await problems_of(store, path, fmt)
    found = [(p.where, p.field, p.code) for p in problems]
    assert sorted(found, key=str) == sorted(
        [
            (at(path, fmt, "actors", 2), "sensitivity", "INVALID"),
            (at(path, fmt, "member_states", 2), "id", "INVALID"),
            (at(path, fmt, "partnerships", 3), "end", "NOT_FOUND"),
            (at(path, fmt, "links", 2), "start", "INVALID"),
        ],
        key=str,
    )
    assert (await store.get_nodes(["cso-bad"])) == [None]


async def test_a_results_chain_problem_names_the_rows(store: EmbeddedStore, tmp_path: Path) -> None:
    sheets: Sheets = {
        "outcomes": [["id", "name"], ["out-a", "Trust built"], ["out-b", "Referrals made"]],
        "results": [
            ["type", "start", "end", "share"],
            ["CONTRIBUTED_TO", "out-a", "out-b", "0.5"],
            ["CONTRIBUTED_TO", "out-b", "out-a", "0.5"],
        ],
    }
    path = write_sheets(tmp_path, "xlsx", sheets)
    (problem,) = await problems_of(store, path, "xlsx")
    assert "cyclic" in problem.message and problem.message.endswith("lines 2 and 3")


def test_a_csv_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "sheets"
    path.mkdir()
    (path / "programmes.csv").write_bytes(b"id,name\nprog-x,Coastal\nprog-y,Caf\xe9\n")
    got, problems = read(path, "csv")
    (problem,) = problems
    assert problem.where == f"{path}/programmes.csv:3"
    assert "not valid UTF-8" in problem.message and "CSV UTF-8" in problem.message
    assert got.complete is False


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_text("id,name\n")
    got, problems = read(path, "xlsx")
    (problem,) = problems
    assert problem.where == str(path) and "not an Excel .xlsx workbook" in problem.message
    assert got.complete is False and got.changes == []


def test_a_damaged_workbook_is_one_problem(tmp_path: Path) -> None:
    good = write_sheets(tmp_path, "xlsx", {"programmes": [["id", "name"], ["prog-x", "X"]]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, data[:200] if item.filename.startswith("xl/worksheets/") else data)
    got, problems = read(bad, "xlsx")
    (problem,) = problems
    assert problem.where == str(bad) and problem.message.startswith("the workbook is damaged")
    assert got.complete is False


def test_a_csv_file_must_name_its_sheet(tmp_path: Path) -> None:
    path = tmp_path / "partners.csv"
    path.write_text("id,name\nprog-x,Coastal\n")
    got, problems = read(path, "csv")
    (problem,) = problems
    assert problem.where == str(path)
    assert problem.message.startswith("the file name must say its sheet: one of member_states.csv")
    assert got.changes == []


def test_a_directory_without_sheets(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    _, problems = read(tmp_path, "csv")
    (problem,) = problems
    assert problem.message.startswith("no template sheet in this directory")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_sheets_and_provenance_are_left_out_with_a_note(
    tmp_path: Path, fmt: TabularFormat
) -> None:
    sheets: Sheets = {
        README: [["anything"]],
        "My notes": [["call the forum"]],
        "programmes": [
            ["id", "name", "imported_from", "imported_where", "imported_at"],
            ["prog-x", "Coastal Watch", "old.xlsx", "old.xlsx:2", "2024-01-01T00:00:00Z"],
            ["prog-y", "Harbour Watch", None, None, None],
        ],
    }
    if fmt == "csv":
        sheets.pop(README)
    got, problems = read(write_sheets(tmp_path, fmt, sheets), fmt)
    assert problems == []
    assert [props_of(c) for c in got.changes] == [
        {"name": "Coastal Watch"},
        {"name": "Harbour Watch"},
    ]
    unknown = "sheet 'My notes'" if fmt == "xlsx" else "My notes.csv"
    assert dict(got.notes) == {
        f"{unknown} is not a template sheet: left out": 1,
        "provenance cells (imported_from, imported_where, imported_at) are left out: "
        "the import stamps its own": 1,
    }


# --------------------------------------------------------------------------- template, export


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_template_reads_back_without_problems(tmp_path: Path, fmt: TabularFormat) -> None:
    path = tmp_path / ("template.xlsx" if fmt == "xlsx" else "template")
    write_template(path, fmt)
    got, problems = read(path, fmt)
    assert (problems, got.changes, dict(got.notes)) == ([], [], {})
    heads = _headers(path, fmt)
    assert list(heads) == [s.name for s in SHEETS]
    for sheet in SHEETS:
        assert heads[sheet.name] == [c.name for c in sheet.columns if c.name not in PROVENANCE]


def _headers(path: Path, fmt: TabularFormat) -> dict[str, list[str]]:
    if fmt == "csv":
        return {
            s.name: next(csv.reader((path / f"{s.name}.csv").read_text("utf-8-sig").splitlines()))
            for s in SHEETS
        }
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == README
    return {ws.title: [c.value for c in ws[1]] for ws in book.worksheets[1:]}


def test_the_workbook_explains_every_column_and_offers_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path, "xlsx")
    book = openpyxl.load_workbook(path)
    readme = [[c.value for c in row] for row in book[README].iter_rows()]
    described = {(r[0] or "", r[1]) for r in readme if len(r) > 1 and r[1]}
    for sheet in SHEETS:
        assert ("", "id") in described and ("", "start") in described
        assert any(r[0] == sheet.name for r in readme)
    focus = next(r for r in readme if r[1] == "focus_groups")
    assert focus[2] == "CivilSocietyOrganization" and "YOUTH" in focus[4] and "';'" in focus[4]
    lists = {str(dv.sqref): dv.formula1 for dv in book["actors"].data_validations.dataValidation}
    assert lists["B2:B1048576"].startswith('"RegionalOrganization,CivilSocietyOrganization')
    assert (tmp_path / "template.xlsx").stat().st_size > 0


def test_the_csv_template_has_a_readme(tmp_path: Path) -> None:
    write_template(tmp_path / "t", "csv")
    text = (tmp_path / "t" / "README.txt").read_text(encoding="utf-8")
    assert "RESTRICTED" in text and "partnerships" in text and "focus_groups" in text


@pytest.mark.parametrize("fmt", FORMATS)
async def test_the_seed_exports_and_reads_back_to_the_same_records(
    tmp_path: Path, fmt: TabularFormat
) -> None:
    source = EmbeddedStore(tmp_path / "seed.db")
    target = EmbeddedStore(tmp_path / "copy.db")
    await source.open()
    await target.open()
    try:
        await source.apply(list(seed_changes()))
        path = tmp_path / ("seed.xlsx" if fmt == "xlsx" else "seed")
        count = await export_tabular(source, path, fmt)
        expected = await records(source)
        assert count == len(expected)
        got, problems = read(path, fmt)
        assert problems == [] and dict(got.notes) == {}
        await target.apply(got.changes)
        assert await records(target) == expected
    finally:
        await source.close()
        await target.close()


@pytest.mark.parametrize("fmt", FORMATS)
async def test_an_export_is_importable_and_idempotent(
    store: EmbeddedStore, tmp_path: Path, fmt: TabularFormat
) -> None:
    await import_file(store, FIXTURE, fmt="csv")
    path = tmp_path / ("out.xlsx" if fmt == "xlsx" else "out")
    await export_tabular(store, path, fmt)
    revision = await store.revision()
    report = await import_file(store, path, fmt=fmt)
    assert (report.nodes_written, report.relationships_written) == (0, 0)
    assert await store.revision() == revision
    assert report.notes  # the provenance the first import stamped, left out


@pytest.mark.parametrize("fmt", FORMATS)
async def test_text_a_spreadsheet_would_run_is_kept_as_text(
    tmp_path: Path, fmt: TabularFormat
) -> None:
    names = ['=HYPERLINK("http://example.org")', "-dash", "'quoted", "''=both", "@at", "+1"]
    source = EmbeddedStore(tmp_path / "a.db")
    target = EmbeddedStore(tmp_path / "b.db")
    await source.open()
    await target.open()
    try:
        await source.apply(
            [NodeWrite("Programme", f"p{i}", {"name": n}) for i, n in enumerate(names)]
        )
        path = tmp_path / ("f.xlsx" if fmt == "xlsx" else "f")
        await export_tabular(source, path, fmt)
        if fmt == "xlsx":
            ws = openpyxl.load_workbook(path)["programmes"]
            assert {ws.cell(row=r, column=2).data_type for r in range(2, 8)} == {"s"}
        else:
            text = (path / "programmes.csv").read_text(encoding="utf-8-sig")
            assert "'=HYPERLINK" in text and "'-dash" in text and "'''=both" in text
        got, problems = read(path, fmt)
        assert problems == []
        await target.apply(got.changes)
        assert await records(target) == await records(source)
    finally:
        await source.close()
        await target.close()


@pytest.mark.parametrize(
    ("props", "field", "reason"),
    [
        ({"name": " padded"}, "name", "begins or ends with white space"),
        ({"name": "P", "description": "bell\x07"}, "description", "control character"),
    ],
)
async def test_the_export_refuses_what_would_not_read_back(
    tmp_path: Path, props: dict[str, Any], field: str, reason: str
) -> None:
    source = EmbeddedStore(tmp_path / "a.db")
    await source.open()
    try:
        await source.apply([NodeWrite("Programme", "p-odd", props)])
        with pytest.raises(ValidationError) as err:
            await export_tabular(source, tmp_path / "out.xlsx", "xlsx")
        assert err.value.where == "node 'p-odd'" and err.value.field == field
        assert reason in err.value.message and "JSON Lines" in err.value.message
        assert not (tmp_path / "out.xlsx").exists()
    finally:
        await source.close()


async def test_a_csv_export_is_a_directory(tmp_path: Path) -> None:
    source = EmbeddedStore(tmp_path / "a.db")
    await source.open()
    try:
        (tmp_path / "out").write_text("")
        with pytest.raises(ValidationError, match="directory of one file per sheet"):
            await export_tabular(source, tmp_path / "out", "csv")
    finally:
        await source.close()


def test_the_changes_are_upserts_in_sheet_order() -> None:
    got, problems = read(FIXTURE, "csv")
    assert problems == []
    changes = [c for c in got.changes if isinstance(c, NodeWrite | RelWrite)]
    assert len(changes) == len(got.changes)
    kinds = [c.kind if isinstance(c, NodeWrite) else c.type for c in changes]
    first_rel = next(i for i, c in enumerate(got.changes) if isinstance(c, RelWrite))
    assert all(isinstance(c, NodeWrite) for c in got.changes[:first_rel])
    assert kinds[0] == "MemberState" and kinds[-1] == "HOSTED_ON"
    assert all(c.merge and not c.stamp for c in changes)
