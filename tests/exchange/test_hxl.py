"""HXL-tagged 3W sheets (graph/exchange/hxl.py): the hashtag row, every mapped column, every
problem with its row and column, CSV and XLSX, and imports into a real embedded store that are
idempotent and take corrections. Every organisation here is fictional."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidFile, Problem
from graph.exchange.hxl import (
    HEADER_ROWS,
    TYPE_WORDS,
    find_hashtag_row,
    is_hxl,
    parse_hashtag,
    read_hxl_file,
)
from graph.exchange.importer import import_file
from graph.exchange.mapping import ImportMapping, derived_id
from graph.exchange.problems import ProblemLog, Read
from graph.model import NodeKind, RelType, Role, relationship_id
from graph.store import NodeWrite, RelWrite
from seeds.reference import reference_changes

FIXTURES = Path(__file__).parent / "fixtures" / "hxl"
KENYA = FIXTURES / "3w_kenya.csv"

#: The columns of the sheets the tests write, by the keys of :func:`row`.
HEAD = {
    "org": "#org+name",
    "code": "#org+code",
    "type": "#org+type",
    "sector": "#sector+code",
    "activity": "#activity+name",
    "country": "#country+code",
    "adm1": "#adm1+name",
    "start": "#date+start",
    "end": "#date+end",
}
BASE = {
    "org": "Amber Heron Youth Forum",
    "code": "XF-0001",
    "type": "NGO",
    "sector": "PVE",
    "activity": "Youth dialogue circles",
    "country": "KEN",
}
AMBER = "org:XF-0001"
DIALOGUE = derived_id("activity", "KEN|youth dialogue circles")
MAPPING = ImportMapping(sectors={"PVE": "theme-pcve", "bsm": "theme-bsm"})


def row(**values: str) -> list[str]:
    """A data row of :data:`HEAD`: :data:`BASE` with ``values`` over it."""
    merged = {**BASE, **values}
    return [merged.get(key, "") for key in HEAD]


def write_csv(
    tmp_path: Path,
    rows: Sequence[Sequence[str]],
    *,
    head: Sequence[str] = tuple(HEAD.values()),
    above: Sequence[Sequence[str]] = (),
    name: str = "3w.csv",
    delimiter: str = ",",
) -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerows([*above, head, *rows])
    return path


def write_xlsx(tmp_path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for cells in rows:
            sheet.append(list(cells))
    path = tmp_path / "3w.xlsx"
    book.save(path)
    return path


def read(path: Path, mapping: ImportMapping = MAPPING) -> tuple[Read, list[Problem]]:
    log = ProblemLog(str(path))
    result = read_hxl_file(path, log, None, mapping)
    return result, (list(log.error().problems) if log else [])


def nodes(result: Read) -> dict[str, NodeWrite]:
    return {c.id: c for c in result.changes if isinstance(c, NodeWrite)}


def rels(result: Read, rel_type: RelType) -> list[RelWrite]:
    return [c for c in result.changes if isinstance(c, RelWrite) and c.type == rel_type]


def shapes(result: Read) -> list[tuple[str, str, dict[str, Any]]]:
    """The changes without their locations: (class, id, props)."""
    return [
        (type(c).__name__, c.id, c.props)
        for c in result.changes
        if isinstance(c, NodeWrite | RelWrite)
    ]


def described(problems: Sequence[Problem]) -> list[tuple[str | None, str | None]]:
    return [(p.where, p.field) for p in problems]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    """An embedded store with the reference data: Member States, thematic areas, programmes."""
    opened = EmbeddedStore(tmp_path / "graph.db")
    await opened.open()
    await opened.apply(list(reference_changes()))
    yield opened
    await opened.close()


# --------------------------------------------------------------------------- hashtag row


def test_hashtag_specs_are_compared_without_case_and_attributes_as_a_set() -> None:
    assert parse_hashtag("#org+code") == ("org", ("code",))
    assert parse_hashtag(" #ORG +Code ") == ("org", ("code",))
    assert parse_hashtag("#org+name+impl") == ("org", ("name", "impl"))
    for not_a_tag in ("Organisation", "#", "#1org", "# org", "org+code", "#org+", "#org name"):
        assert parse_hashtag(not_a_tag) is None, not_a_tag


@pytest.mark.parametrize("above", [0, 1, 2])
def test_the_hashtag_row_is_found_below_0_to_2_header_rows(tmp_path: Path, above: int) -> None:
    headers = [["Who does what where"], list(HEAD)][:above]
    path = write_csv(
        tmp_path, [row(), row(org="Quiet Fern Network", code="XF-0002")], above=headers
    )
    result, problems = read(path)
    assert problems == []
    orgs = nodes(result)
    assert orgs[AMBER].where == f"{path}:{above + 2}"
    assert orgs["org:XF-0002"].where == f"{path}:{above + 3}"


def test_a_hashtag_row_needs_every_non_empty_cell_a_hashtag() -> None:
    rows = [["Org", "#org"], ["", "#org", "", "#sector"], ["A", "B"]]
    assert find_hashtag_row(iter(enumerate(rows, start=1))) is not None
    found = find_hashtag_row(iter(enumerate(rows, start=1)))
    assert found is not None and found[0] == 2
    assert [c.index for c in found[1]] == [1, 3]
    late = [["text"]] * HEADER_ROWS + [["#org"]]
    assert find_hashtag_row(iter(enumerate(late, start=1))) is None


def test_attribute_order_case_and_spaces_do_not_matter(tmp_path: Path) -> None:
    data = [row(adm1="Nairobi", start="2024-01-01", end="2024-06-30")]
    plain = write_csv(tmp_path, data, head=["#org+impl+name", *list(HEAD.values())[1:]])
    head = ["#ORG +Name +impl", "#org+code", "#Org +TYPE", "#sector +Code +cluster"]
    head += ["#activity", "#country +code +v_iso3", "#adm1", "#date +start", "#date+end"]
    odd = write_csv(tmp_path, data, head=head, name="odd.csv")
    ours, theirs = read(plain), read(odd)
    assert ours[1] == theirs[1] == []
    assert shapes(ours[0]) == shapes(theirs[0]) == shapes(read(write_csv(tmp_path, data))[0])
    joined = rels(theirs[0], RelType.PARTICIPATED_IN)[0]
    assert joined.props["until"] == "2024-06-30"
    assert nodes(theirs[0])[DIALOGUE].props["description"] == "Admin 1: Nairobi"


def test_no_hashtag_row_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("Organisation,Country\nAmber Heron Youth Forum,KEN\n", encoding="utf-8")
    result, problems = read(path)
    assert len(problems) == 1 and result.changes == [] and not result.complete
    assert "no HXL hashtag row in the first 25 rows" in problems[0].message
    assert problems[0].where == str(path)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert len(read(empty)[1]) == 1


def test_a_sheet_without_org_or_activity_columns_is_one_problem(tmp_path: Path) -> None:
    no_org = write_csv(tmp_path, [["Sector", "KEN"]] * 3, head=["#sector", "#country+code"])
    result, problems = read(no_org)
    assert [p.message.split(":")[0] for p in problems] == ["no #org column"]
    assert problems[0].where == f"{no_org}:1" and result.changes == []
    no_what = write_csv(tmp_path, [["A", "KEN"]], head=["#org", "#country+code"], name="b.csv")
    assert "no #activity or #sector column" in read(no_what)[1][0].message


def test_untagged_columns_are_ignored_and_unread_hashtags_noted(tmp_path: Path) -> None:
    head = [*HEAD.values(), "", "#status", "#org+funder"]
    path = write_csv(tmp_path, [[*row(), "free text", "Ongoing", "Teal Wren Fund"]], head=head)
    result, problems = read(path)
    assert problems == []
    assert result.notes["hashtag column #status is not imported"] == 1
    assert result.notes["hashtag column #org+funder is not imported"] == 1
    assert len(nodes(result)) == 2  # the implementer and the activity, not the funder


def test_semicolon_separated_and_byte_order_mark(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row()], delimiter=";")
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    result, problems = read(path)
    assert problems == [] and AMBER in nodes(result)


def test_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(), row(org="Caf\u00e9 Finch")])
    path.write_bytes(path.read_bytes().replace("\u00e9".encode(), b"\xe9"))
    result, problems = read(path)
    assert len(problems) == 1 and "not valid UTF-8" in problems[0].message
    assert problems[0].where == f"{path}:3" and result.changes == []


def test_an_unreadable_csv_row_stops_reading_at_its_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(), row(activity="x" * 200_000), row()])
    result, problems = read(path)
    assert described(problems) == [(f"{path}:3", None)]
    assert "not a readable CSV (field larger than field limit" in problems[0].message
    assert not result.complete


def test_progress_counts_every_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(), row(org="", code=""), row()], above=[["Title"]])
    counted: list[int] = []
    read_hxl_file(path, ProblemLog(str(path)), counted.append, MAPPING)
    assert sum(counted) == 5


def test_is_hxl(tmp_path: Path) -> None:
    assert is_hxl(KENYA)
    plain = tmp_path / "template.csv"
    plain.write_text("id,name\nx,y\n", encoding="utf-8")
    assert not is_hxl(plain)
    assert is_hxl(write_xlsx(tmp_path, {"Read me": [["About"]], "3W": [["#org"], ["A"]]}))
    assert not is_hxl(tmp_path / "missing.csv")


# --------------------------------------------------------------------------- the fixture


def test_the_fixture_maps_every_column() -> None:
    mapping = ImportMapping(sectors={"PVE": "theme-pcve", "bsm": "theme-bsm"}, programme="prog-x")
    result, problems = read(KENYA, mapping)
    assert problems == []
    where = f"{KENYA}:"
    written = nodes(result)
    amber = written[AMBER]
    assert amber.kind == NodeKind.CIVIL_SOCIETY_ORGANIZATION and amber.merge
    assert amber.props == {
        "name": "Amber Heron Youth Forum",
        "external_id": "XF-0001",
        "iati_org_type": 22,
    }
    assert amber.defaults == {"sensitivity": "RESTRICTED"} and amber.where == where + "4"
    assert written["org:XF-0002"].props["iati_org_type"] == 21  # INGO
    slate = written[derived_id("org", "slate linden institute")]  # no code: from the name
    assert slate.kind == NodeKind.ACADEMIC_INSTITUTION and "external_id" not in slate.props
    calm = written["org:XF-0004"]
    assert calm.kind == NodeKind.OTHER_NON_STATE_ACTOR and calm.props["actor_type"] == "FOUNDATION"

    dialogue = written[DIALOGUE]
    assert dialogue.kind == NodeKind.ACTIVITY and dialogue.defaults == {"activity_type": "PROCESS"}
    assert dialogue.props == {
        "name": "Youth dialogue circles",
        "location": "KEN",
        "description": "Admin 1: Nairobi; Mombasa",
    }
    border = written[derived_id("activity", "KEN|sector|bsm")]  # no #activity: the sector
    assert border.props["name"] == "Border management in Kenya"

    joined = {(r.start, r.end): r for r in rels(result, RelType.PARTICIPATED_IN)}
    amber_in = joined[AMBER, DIALOGUE]  # two rows, one participation: earliest and latest dates
    assert amber_in.props == {"role": "IMPLEMENTING", "since": "2024-01-15", "until": "2024-12-31"}
    assert amber_in.id == relationship_id(
        RelType.PARTICIPATED_IN, AMBER, DIALOGUE, Role.IMPLEMENTING
    )
    assert joined["org:XF-0002", DIALOGUE].props == {"role": "IMPLEMENTING", "since": "2024-02-01"}
    assert joined[slate.id, border.id].props["since"] == "2024-01-01"  # "2024" as a start
    assert len(joined) == 4

    assert {(r.start, r.end) for r in rels(result, RelType.TARGETS)} == {
        (a, "KEN") for a in written if a.startswith("activity:")
    }
    assert {(r.start, r.end) for r in rels(result, RelType.ADDRESSES)} == {
        (DIALOGUE, "theme-pcve"),
        (border.id, "theme-bsm"),  # the mapping's key "bsm" matches "BSM" without case
    }
    assert {r.end for r in rels(result, RelType.PART_OF)} == {"prog-x"}
    assert len(rels(result, RelType.PART_OF)) == 3
    assert result.notes == {
        "hashtag column #status is not imported": 1,
        "sector 'Victims support' (VIC) is not mapped to a thematic area: left out": 1,
    }


# --------------------------------------------------------------------------- organisations


@pytest.mark.parametrize(
    ("word", "kind", "code"),
    [
        ("National NGO", NodeKind.CIVIL_SOCIETY_ORGANIZATION, 22),
        ("international  ngo", NodeKind.CIVIL_SOCIETY_ORGANIZATION, 21),
        ("Red Cross / Red Crescent", NodeKind.CIVIL_SOCIETY_ORGANIZATION, 21),
        ("UN Agency", NodeKind.REGIONAL_ORGANIZATION, 40),
        ("Private sector", NodeKind.COMPANY, 70),
        ("Academic, Training and Research", NodeKind.ACADEMIC_INSTITUTION, 80),
        ("Other", NodeKind.OTHER_NON_STATE_ACTOR, 90),
        ("23", NodeKind.CIVIL_SOCIETY_ORGANIZATION, 23),
    ],
)
def test_org_types(tmp_path: Path, word: str, kind: NodeKind, code: int) -> None:
    result, problems = read(write_csv(tmp_path, [row(type=word)]))
    assert problems == []
    org = nodes(result)[AMBER]
    assert (org.kind, org.props["iati_org_type"]) == (kind, code)
    restricted = kind != NodeKind.REGIONAL_ORGANIZATION  # an IGO is no non-state actor
    assert org.defaults.get("sensitivity") == ("RESTRICTED" if restricted else None)


def test_untyped_and_mapped_org_types(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(type=""), row(code="XF-0002", type="Think tank")])
    mapping = ImportMapping(org_types={"THINK TANK": 80})  # compared without case
    result, problems = read(path, mapping)
    assert problems == []
    untyped, mapped = nodes(result)[AMBER], nodes(result)["org:XF-0002"]
    assert untyped.kind == NodeKind.OTHER_NON_STATE_ACTOR and "iati_org_type" not in untyped.props
    assert mapped.kind == NodeKind.ACADEMIC_INSTITUTION
    assert "think tank" not in TYPE_WORDS  # only the mapping knows it


def test_unknown_org_type_is_a_problem_listing_the_words(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(type="Militia"), row(code="XF-0002")])
    result, problems = read(path, ImportMapping(org_types={"Think tank": 80}))
    assert described(problems) == [(f"{path}:2", "#org+type")]
    message = problems[0].message
    assert message.startswith("unknown organisation type 'Militia'; accepted")
    assert "National NGO" in message and "UN Agency" in message and "Think tank" in message
    assert AMBER not in nodes(result) and result.refused == {AMBER: None}
    assert "org:XF-0002" in nodes(result)  # the next row is read
    bad_map = read(path, ImportMapping(org_types={"militia": 99}))[1]
    assert "gives 'Militia' the code 99" in bad_map[0].message


def test_government_must_be_mapped_to_a_member_state(tmp_path: Path) -> None:
    gov = row(org="Ministry of Interior", code="KE-GOV-1", type="Government")
    path = write_csv(tmp_path, [gov, row()])
    result, problems = read(path)
    assert described(problems) == [(f"{path}:2", "#org+code")]
    assert "government organisation" in problems[0].message and "'KE-GOV-1'" in problems[0].message
    assert "org:KE-GOV-1" not in nodes(result)
    mapped, problems = read(path, ImportMapping(organisations={"KE-GOV-1": "KEN"}))
    assert problems == []
    assert "KEN" not in nodes(mapped)  # an existing node: referred to, not rewritten
    assert ("KEN", DIALOGUE) in {(r.start, r.end) for r in rels(mapped, RelType.PARTICIPATED_IN)}
    by_name = write_csv(tmp_path, [row(code="", org="Ministry of Interior", type="Government")])
    mapping = ImportMapping(organisations={"ministry of interior": "KEN"})
    assert read(by_name, mapping)[1] == []  # by name (without case) when there is no code


def test_a_row_without_an_org_is_a_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(org="", code=""), ["", "", "", "", "", "", "", "", ""]])
    result, problems = read(path)
    assert described(problems) == [(f"{path}:2", "#org+name")]  # the empty row is skipped
    assert result.changes == []


def test_an_org_has_one_type_and_its_first_name(tmp_path: Path) -> None:
    rows = [
        row(type=""),  # untyped: a later row's type is taken
        row(type="National NGO", org="Amber Heron Youth Forum (AHYF)"),
        row(type="NGO"),  # the same code, 22: no conflict
        row(type="University"),
    ]
    path = write_csv(tmp_path, rows)
    result, problems = read(path)
    assert described(problems) == [(f"{path}:5", "#org+type")]
    assert "is typed 'National NGO' on row 3" in problems[0].message
    amber = nodes(result)[AMBER]
    assert amber.kind == NodeKind.CIVIL_SOCIETY_ORGANIZATION and amber.where == f"{path}:3"
    assert any("named otherwise" in note for note in result.notes)


def test_sensitivity_defaults_come_from_the_mapping(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(), row(code="", org="Teal Wren Data", type="Private sector")])
    teal = derived_id("org", "teal wren data")
    mapping = ImportMapping.model_validate({"sensitivity": {"public": ["XF-0001"]}})
    written = nodes(read(path, mapping)[0])
    assert written[AMBER].defaults["sensitivity"] == "PUBLIC"
    assert written[teal].defaults["sensitivity"] == "RESTRICTED"
    by_name = ImportMapping.model_validate(
        {"sensitivity": {"default": "PUBLIC", "public": ["Teal Wren Data"]}}
    )
    written = nodes(read(path, by_name)[0])
    assert {written[i].defaults["sensitivity"] for i in (AMBER, teal)} == {"PUBLIC"}


# --------------------------------------------------------------------------- where, what, when


def test_country_names_and_codes(tmp_path: Path) -> None:
    head = [HEAD["org"], HEAD["activity"], "#country+name"]
    names = ["kenya", "Cote d'Ivoire", "Bolivia", "Türkiye", "united republic of tanzania"]
    path = write_csv(
        tmp_path, [["Amber Heron Youth Forum", "Training", n] for n in names], head=head
    )
    result, problems = read(path)
    assert problems == []
    assert {r.end for r in rels(result, RelType.TARGETS)} == {"KEN", "CIV", "BOL", "TUR", "TZA"}
    lower = write_csv(tmp_path, [row(country="ken")], name="lower.csv")
    assert {r.end for r in rels(read(lower)[0], RelType.TARGETS)} == {"KEN"}


def test_unknown_country_is_a_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(country="XKX"), row(country="KE"), row()])
    result, problems = read(path)
    assert described(problems) == [(f"{path}:2", "#country+code"), (f"{path}:3", "#country+code")]
    assert "'XKX' is not the ISO 3166-1 alpha-3 code of a UN Member State" in problems[0].message
    assert len(rels(result, RelType.PARTICIPATED_IN)) == 1  # only the good row
    head = [HEAD["org"], HEAD["activity"], "#country+name"]
    named = write_csv(
        tmp_path, [["Amber Heron Youth Forum", "T", "Narnia"]], head=head, name="n.csv"
    )
    problems = read(named)[1]
    assert described(problems) == [(f"{named}:2", "#country+name")]
    assert "'Narnia' is not the name of a UN Member State" in problems[0].message


def test_rows_without_a_country_target_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(country="", adm1="Garissa")])
    result, problems = read(path)
    assert problems == [] and rels(result, RelType.TARGETS) == []
    activity = nodes(result)[derived_id("activity", "-|youth dialogue circles")]
    assert "location" not in activity.props and activity.props["description"] == "Admin 1: Garissa"
    assert result.notes["rows without a country: their activities target no Member State"] == 1


def test_activities_by_code_span_rows_and_countries(tmp_path: Path) -> None:
    head = [*HEAD.values(), "#activity+code"]
    rows = [
        [*row(country="KEN", adm1="Nairobi"), "ACT-7"],
        [*row(country="UGA", adm1="Gulu", code="XF-0002", activity="Other name"), "ACT-7"],
    ]
    result, problems = read(write_csv(tmp_path, rows, head=head))
    assert problems == []
    act = nodes(result)["activity:ACT-7"]
    assert act.props == {
        "name": "Youth dialogue circles",
        "external_id": "ACT-7",
        "description": "Admin 1: Nairobi; Gulu",
    }  # two countries: no single location
    assert {r.end for r in rels(result, RelType.TARGETS)} == {"KEN", "UGA"}
    assert {r.start for r in rels(result, RelType.PARTICIPATED_IN)} == {AMBER, "org:XF-0002"}


def test_activities_from_sectors_group_by_sector_and_country(tmp_path: Path) -> None:
    head = ["#org", "#sector+name", "#country+code"]
    rows = [
        ["Amber Heron Youth Forum", "Protection", "KEN"],
        ["Quiet Fern Network", "protection", "KEN"],
        ["Quiet Fern Network", "Protection", "UGA"],
        ["Quiet Fern Network", "", "UGA"],
    ]
    path = write_csv(tmp_path, rows, head=head)
    result, problems = read(path)
    assert described(problems) == [(f"{path}:5", "#sector+name")]
    assert "#activity and #sector are empty" in problems[0].message
    activities = {n.props["name"] for n in nodes(result).values() if n.kind == NodeKind.ACTIVITY}
    assert activities == {"Protection in Kenya", "Protection in Uganda"}
    assert len(rels(result, RelType.PARTICIPATED_IN)) == 3
    assert result.notes["sector 'Protection' is not mapped to a thematic area: left out"] == 2


def test_duplicated_rows_are_one_record(tmp_path: Path) -> None:
    once = read(write_csv(tmp_path, [row()], name="once.csv"))[0]
    path = write_csv(tmp_path, [row(), row(), row()], name="thrice.csv")
    thrice, problems = read(path)
    assert problems == []
    assert shapes(thrice) == shapes(once)
    assert all(c.where == f"{path}:2" for c in thrice.changes)


def test_dates(tmp_path: Path) -> None:
    rows = [
        row(start="2024-03", end="2024-02"),  # February ends before March starts
        row(start="15/01/2024"),
        row(start="2024-02-30"),
        row(start="2023-05-01T09:00:00", end="2024"),
        row(code="XF-0002", start="2024-02", end="2024-02"),
    ]
    path = write_csv(tmp_path, rows)
    result, problems = read(path)
    assert described(problems) == [
        (f"{path}:2", "#date+end"),
        (f"{path}:3", "#date+start"),
        (f"{path}:4", "#date+start"),
    ]
    assert "ends (2024-02-29) before it starts (2024-03-01)" in problems[0].message
    assert "'15/01/2024' is not a date" in problems[1].message
    joined = {r.start: r.props for r in rels(result, RelType.PARTICIPATED_IN)}
    assert joined[AMBER] == {"role": "IMPLEMENTING", "since": "2023-05-01", "until": "2024-12-31"}
    assert joined["org:XF-0002"]["until"] == "2024-02-29"


# --------------------------------------------------------------------------- Excel


def test_xlsx_reads_the_first_sheet_with_hashtags(tmp_path: Path) -> None:
    data: list[list[Any]] = [
        ["Who does what where"],
        [*HEAD.values()],
        ["Amber Heron Youth Forum", 1001.0, "NGO", "PVE", "Training", "KEN", "Nairobi",
         dt.datetime(2024, 1, 15), 45657],  # an Excel day number: 2024-12-31
        ["Quiet Fern Network", 1002, "INGO", "PVE", "Training", "Atlantis", None, 2024, None],
    ]  # fmt: skip
    path = write_xlsx(
        tmp_path, {"Read me": [["About this sheet"]], "3W": data, "Pivot": [["#org"], ["x"]]}
    )
    result, problems = read(path)
    assert described(problems) == [(f"{path}:4 (sheet 3W)", "#country+code")]
    amber = nodes(result)["org:1001"]  # a whole number without ".0"
    assert amber.where == f"{path}:3 (sheet 3W)" and amber.props["external_id"] == "1001"
    (joined,) = rels(result, RelType.PARTICIPATED_IN)
    assert joined.props == {"role": "IMPLEMENTING", "since": "2024-01-15", "until": "2024-12-31"}
    assert result.notes["sheet 'Pivot' has hashtags too: only '3W' is read"] == 1
    assert ProblemLog(str(path)).line_of(amber.where) == 3


def test_xlsx_problems(tmp_path: Path) -> None:
    none = write_xlsx(tmp_path, {"A": [["Organisation"], ["Amber Heron Youth Forum"]]})
    result, problems = read(none)
    assert len(problems) == 1 and "rows of any sheet" in problems[0].message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    result, problems = read(broken)
    assert len(problems) == 1 and "not an Excel .xlsx workbook" in problems[0].message
    assert not result.complete
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "save it as .xlsx" in read(old)[1][0].message


# --------------------------------------------------------------------------- importing


async def test_import_is_idempotent_and_takes_corrections(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    mapping = ImportMapping(sectors={"PVE": "theme-pcve"}, programme="prog-bsm")
    rows = [row(start="2024-01-01"), row(code="XF-0002", org="Quiet Fern Network", type="INGO")]
    path = write_csv(tmp_path, rows)
    first = await import_file(store, path, fmt="hxl", mapping=mapping)
    assert first.changed
    revision = await store.revision()
    amber, dialogue = await store.get_nodes([AMBER, DIALOGUE])
    assert amber is not None and amber.props["sensitivity"] == "RESTRICTED"
    assert amber.props["imported_where"] == f"{path}:2"
    assert dialogue is not None and dialogue.props["activity_type"] == "PROCESS"
    part_of = relationship_id(RelType.PART_OF, DIALOGUE, "prog-bsm")
    addresses = relationship_id(RelType.ADDRESSES, DIALOGUE, "theme-pcve")
    assert all(await store.get_relationships([part_of, addresses]))

    again = await import_file(store, path, fmt="hxl", mapping=mapping)
    assert not again.changed and await store.revision() == revision

    rows[0] = row(start="2024-02-01")  # a corrected start date
    write_csv(tmp_path, rows)
    fixed = await import_file(store, path, fmt="hxl", mapping=mapping)
    assert (fixed.nodes_written, fixed.relationships_written) == (0, 1)
    link = relationship_id(RelType.PARTICIPATED_IN, AMBER, DIALOGUE, Role.IMPLEMENTING)
    (stored,) = await store.get_relationships([link])
    assert stored is not None and stored.props["since"] == "2024-02-01"


async def test_an_existing_actor_keeps_its_sensitivity_and_kind_conflicts_are_reported(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    await store.apply(
        [NodeWrite("CivilSocietyOrganization", AMBER, {"name": "A", "sensitivity": "PUBLIC"})]
    )
    path = write_csv(tmp_path, [row()])
    await import_file(store, path, fmt="hxl", mapping=MAPPING)
    (amber,) = await store.get_nodes([AMBER])
    assert amber is not None
    assert (amber.props["sensitivity"], amber.props["name"]) == ("PUBLIC", BASE["org"])
    bad = write_csv(tmp_path, [row(type="University")], name="bad.csv")
    with pytest.raises(InvalidFile) as caught:
        await import_file(store, bad, fmt="hxl", mapping=MAPPING)
    assert described(caught.value.problems) == [(f"{bad}:2", "kind")]
    # A row that does not type the organisation leaves the stored kind as it is.
    untyped = write_csv(tmp_path, [row(type="", org="Renamed")], name="untyped.csv")
    await import_file(store, untyped, fmt="hxl", mapping=MAPPING)
    (amber,) = await store.get_nodes([AMBER])
    assert amber is not None and amber.kind == "CivilSocietyOrganization"
    assert amber.props["name"] == "Renamed"


async def test_a_missing_mapped_node_is_reported_at_its_row(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, [row(), row(code="XF-0009")])
    mapping = ImportMapping(organisations={"XF-0009": "cso-nowhere"}, sectors={"PVE": "theme-x"})
    with pytest.raises(InvalidFile) as caught:
        await import_file(store, path, fmt="hxl", mapping=mapping)
    found = {(p.where, p.field, p.message) for p in caught.value.problems}
    assert (f"{path}:2", "end", "end node 'theme-x' does not exist") in found
    assert (f"{path}:3", "start", "start node 'cso-nowhere' does not exist") in found
    assert await store.get_nodes([AMBER]) == [None]  # nothing was imported


async def test_the_fixture_imports(store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / KENYA.name
    shutil.copy(KENYA, path)
    report = await import_file(store, path, fmt="hxl", mapping=MAPPING)
    assert report.nodes["Activity"].created == 3
    assert report.relationships["PARTICIPATED_IN"].created == 4
    again = await import_file(store, path, fmt="hxl", mapping=MAPPING)
    assert not again.changed


def test_the_mapping_maps_or_leaves_out_a_territory(tmp_path: Path) -> None:
    """A territory that is no Member State imports when the mapping says what it stands for,
    or that it is left out (counted in the notes), instead of failing the file."""
    path = write_csv(tmp_path, [row(country="XKX"), row(country="PSE", code="XF-0002")])
    mapping = MAPPING.model_copy(update={"countries": {"XKX": None, "PSE": "JOR"}})
    result, problems = read(path, mapping)
    assert problems == []
    assert {r.end for r in rels(result, RelType.TARGETS)} == {"JOR"}
    assert result.notes["country 'XKX' is left out by the mapping"] == 1
