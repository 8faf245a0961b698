"""Coverage over real HTTP on the seed data, both stores: the matrix in one round trip, the
caller's view, the attack on suppressed cells, rankings, trend, gaps, and the exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.coverage import attack
from tests.coverage.attack import flat
from tests.coverage.conftest import Gql, get

AS_OF = "2025-06-30"
MATRIX = """
query($groupBy: [CoverageDimension!]!, $select: CoverageSelectionInput, $asOf: Date) {
  coverageMatrix(groupBy: $groupBy, asOf: $asOf, select: $select) {
    revision suppressionThreshold benchmark groupBy geography
    window { start end activitiesFrom }
    rows { key label values { dimension key label } }
    columns { key label }
    cells { ...figures }
    rowTotals { ...figures }
    columnTotals { ...figures }
    total { ...figures }
  }
}
fragment figures on CoverageCell {
  suppressed partners partnerships programmes activities funding lastActivity
  engagementIndex need gapScore
}
"""


def matrix(gql: Gql, group_by: list[str], key: str | None = None, **variables: object) -> dict:
    body = gql(MATRIX, {"groupBy": group_by, "asOf": AS_OF, **variables}, key=key)
    assert "errors" not in body, body
    return body["data"]["coverageMatrix"]


def test_one_round_trip_returns_the_whole_matrix(gql: Gql, staff: str) -> None:
    m = matrix(gql, ["REGION", "THEME"])
    assert [r["key"] for r in m["rows"]] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    assert len(m["columns"]) == 11 and all(len(row) == 11 for row in m["cells"])
    assert m["window"] == {"start": AS_OF, "end": AS_OF, "activitiesFrom": "2024-07-01"}
    assert m["suppressionThreshold"] == 5 and m["geography"] == "PARTNER"
    full = matrix(gql, ["REGION", "THEME"], key=staff)
    assert full["suppressionThreshold"] is None
    assert not any(c["suppressed"] for row in full["cells"] for c in row)
    hidden = [
        (r, c)
        for r, row in enumerate(m["cells"])
        for c, cell in enumerate(row)
        if cell["suppressed"]
    ]
    assert hidden, "the seed data has small cells"
    for r, c in hidden:
        cell = m["cells"][r][c]
        assert [cell[f] for f in ("partners", "funding", "engagementIndex", "gapScore")] == [
            None
        ] * 4
    for r, row in enumerate(m["cells"]):
        for c, cell in enumerate(row):
            truth = full["cells"][r][c]["partners"]
            if 1 <= truth < 5:
                assert cell["suppressed"]
            elif not cell["suppressed"]:
                assert cell["partners"] == full["cells"][r][c]["partners"]
                if cell["funding"] is None:  # tainted: only the count is shown
                    assert cell["engagementIndex"] is None and cell["gapScore"] is None
                    continue
                assert cell == {**full["cells"][r][c], "gapScore": cell["gapScore"]}
    assert m["total"]["partners"] == full["total"]["partners"] > 200


#: A cell of a two-way matrix by its (row, column) header keys, ``*`` for a total.
Named = tuple[str, str]


def _named(m: dict) -> tuple[dict[Named, int | None], list[attack.Line[Named]]]:
    """Cells, totals and the additive relations between them, by header keys."""
    values: dict[Named, int | None] = {}
    rows = [r["key"] for r in m["rows"]]
    cols = [c["key"] for c in m["columns"]]
    for r, key in enumerate(rows):
        values[(key, "*")] = m["rowTotals"][r]["partners"]
        for c, col in enumerate(cols):
            values[(key, col)] = m["cells"][r][c]["partners"]
    for c, col in enumerate(cols):
        values[("*", col)] = m["columnTotals"][c]["partners"]
    values[("*", "*")] = m["total"]["partners"]
    lines: list[attack.Line[Named]] = [((r, "*"), [(r, c) for c in cols]) for r in [*rows]]
    lines += [(("*", c), [(r, c) for r in rows]) for c in cols]
    lines += [(("*", "*"), [(r, "*") for r in rows]), (("*", "*"), [("*", c) for c in cols])]
    return values, lines


def test_no_suppressed_cell_is_recovered_by_subtraction(gql: Gql, staff: str) -> None:
    """Region x actor kind is additive on the seed data (each partner has one seat and one
    kind), so subtraction works exactly: try it from every total, every neighbouring selection,
    the one-way groupings, and all of them at once."""
    m = matrix(gql, ["REGION", "ACTOR_KIND"])
    truth = matrix(gql, ["REGION", "ACTOR_KIND"], key=staff)
    values, lines = _named(m)
    true_values, _ = _named(truth)
    assert any(v is None for v in values.values())
    # one-way groupings show exactly the totals of the two-way one
    regions = matrix(gql, ["REGION"])
    kinds = matrix(gql, ["ACTOR_KIND"])
    for r, row in enumerate(regions["rows"]):
        assert regions["rowTotals"][r]["partners"] == values[(row["key"], "*")]
    for k, row in enumerate(kinds["rows"]):
        assert kinds["rowTotals"][k]["partners"] == values[("*", row["key"])]
    # every neighbouring selection shows the same figures, so it adds no equation
    keys = [r["key"] for r in m["rows"]]
    for drop in keys:
        part = matrix(
            gql, ["REGION", "ACTOR_KIND"], select={"regions": [k for k in keys if k != drop]}
        )
        got, _ = _named(part)
        for name, value in got.items():
            assert values[name] == value, name
    assert attack.lone_unknowns(values, lines) == []
    assert attack.pinned(values, lines) == {}
    for name, (lo, hi) in attack.bounds(values, lines).items():
        true_value = true_values[name]
        assert true_value is not None  # staff see every figure
        assert lo <= true_value <= hi


def test_no_line_of_a_non_additive_matrix_holds_a_single_hidden_cell(gql: Gql) -> None:
    """Themes overlap (a partner on two themes counts once in the total), so totals are not
    sums; still no row or column may hide exactly one cell."""
    m = matrix(gql, ["REGION", "THEME"])
    values, lines = _named(m)
    assert attack.lone_unknowns(values, lines) == []


@pytest.mark.parametrize("group_by", ["[REGION]", "[SUBREGION]", "[REGION, THEME]"])
def test_partners_by_kind_are_protected_too(gql: Gql, group_by: str) -> None:
    body = gql(
        f'{{ coverageMatrix(groupBy: {group_by}, asOf: "2025-06-30") {{ cells {{ '
        "suppressed partnersByKind { kind partners suppressed } } } }"
    )
    cells = [c for row in body["data"]["coverageMatrix"]["cells"] for c in row]
    counts = [k for c in cells for k in c["partnersByKind"] or []]
    if group_by != "[REGION, THEME]":  # finer breakdowns may be withheld whole (null)
        assert counts and any(k["suppressed"] for k in counts)
    for k in counts:
        assert k["suppressed"] == (k["partners"] is None)
        assert k["partners"] is None or k["partners"] == 0 or k["partners"] >= 5


def test_countries_and_themes_are_node_objects(gql: Gql) -> None:
    body = gql(
        '{ coverageMatrix(groupBy: [COUNTRY, THEME], asOf: "2025-06-30", '
        'select: {countries: ["KEN"], themes: ["theme-pcve"]}) { rows { values { key node { '
        "__typename ... on MemberState { key region } } } } columns { values { node { "
        "__typename key } } } } }",
        key="test-analyst-key",
    )
    m = body["data"]["coverageMatrix"]
    assert m["rows"][0]["values"][0]["node"] == {
        "__typename": "MemberState",
        "key": "KEN",
        "region": "AFRICA",
    }
    assert m["columns"][0]["values"][0]["node"] == {
        "__typename": "ThematicArea",
        "key": "theme-pcve",
    }


def test_under_engaged_cells_come_neediest_first(gql: Gql, staff: str) -> None:
    q = """query($after: String) { underEngagedCells(groupBy: [COUNTRY], asOf: "2025-06-30",
      first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { rank header { key } cell { partners gapScore suppressed } } } } }"""

    def walk(key: str | None) -> list[dict]:
        every: list[dict] = []
        after = None
        while True:
            p = gql(q, {"after": after}, key=key)["data"]["underEngagedCells"]
            every += [e["node"] for e in p["edges"]]
            if not p["pageInfo"]["hasNextPage"]:
                assert len(every) == p["totalCount"]
                return every
            after = p["pageInfo"]["endCursor"]

    page = gql(q, key=staff)["data"]["underEngagedCells"]
    unengaged = gql('{ unengagedMemberStates(asOf: "2025-06-30") { totalCount } }', key=staff)[
        "data"
    ]["unengagedMemberStates"]["totalCount"]
    assert page["totalCount"] > unengaged and page["pageInfo"]["hasNextPage"]
    first = [e["node"] for e in page["edges"]]
    assert [n["rank"] for n in first] == list(range(1, 11))
    assert all(n["cell"]["partners"] == 0 and n["cell"]["gapScore"] == 1.0 for n in first)
    nxt = gql(q, {"after": page["pageInfo"]["endCursor"]}, key=staff)["data"]
    assert nxt["underEngagedCells"]["edges"][0]["node"]["rank"] == 11
    for key in (staff, None):
        every = walk(key)
        assert not any(n["cell"]["suppressed"] for n in every)
        gaps = [n["cell"]["gapScore"] for n in every]
        assert None not in gaps and gaps == sorted(gaps, reverse=True)


def test_trend_between_two_dates(gql: Gql, staff: str) -> None:
    q = """query($status: [CoverageTrendStatus!]) { coverageTrend(groupBy: [REGION, THEME],
      from: "2019-06-30", to: "2025-06-30", status: $status, first: 100) { totalCount
      edges { node { header { key } status before { partners suppressed }
      after { partners suppressed } partnersChange gapChange } } } }"""
    full = gql(q, key=staff)["data"]["coverageTrend"]
    assert full["totalCount"] >= 5 * 11
    statuses = {e["node"]["status"] for e in full["edges"]}
    assert "NEW" in statuses and "KEPT" in statuses
    new = gql(q, {"status": ["NEW"]})["data"]["coverageTrend"]
    for e in new["edges"]:
        n = e["node"]
        assert n["before"]["partners"] == 0 and n["status"] == "NEW"
        # a change is shown only where both figures are (tainted cells show no index)
        if n["after"]["suppressed"]:
            assert n["gapChange"] is None


def test_stakeholder_gaps_and_unengaged_states(gql: Gql, staff: str) -> None:
    body = gql(
        '{ stakeholderGaps(groupBy: [REGION], asOf: "2025-06-30", types: [CSO_YOUTH, CSO_WOMEN, '
        "CSO_VICTIMS_ASSOCIATIONS]) { totalCount edges { node { header { key } programmes "
        "missing { key } } } } }"
    )
    gaps = {
        e["node"]["header"]["key"]: [m["key"] for m in e["node"]["missing"]]
        for e in body["data"]["stakeholderGaps"]["edges"]
    }
    assert gaps and all(
        set(v) <= {"CSO_YOUTH", "CSO_WOMEN", "CSO_VICTIMS_ASSOCIATIONS"} for v in gaps.values()
    )
    q = (
        '{ unengagedMemberStates(asOf: "2025-06-30", first: 100) { totalCount '
        "edges { node { key region } } } }"
    )
    seen = gql(q)["data"]["unengagedMemberStates"]
    assert seen == gql(q, key=staff)["data"]["unengagedMemberStates"]
    assert 0 < seen["totalCount"] < 193


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ("groupBy: []", "groupBy"),
        ("groupBy: [REGION, COUNTRY]", "groupBy"),
        ('groupBy: [REGION], select: {themes: ["theme-pcve"]}', "select"),
        (
            'groupBy: [REGION], asOf: "2025-01-01", '
            'period: {start: "2024-01-01", end: "2024-12-31"}',
            "asOf",
        ),
        ('groupBy: [REGION], period: {start: "2025-01-01", end: "2024-12-31"}', "period"),
        ('groupBy: [REGION], select: {regions: ["Atlantis"]}', "select"),
    ],
)
def test_bad_arguments_are_coded_errors(gql: Gql, args: str, argument: str) -> None:
    body = gql(f"{{ coverageMatrix({args}) {{ revision }} }}")
    err = body["errors"][0]
    assert err["extensions"]["code"] == "BAD_USER_INPUT", err
    assert err["extensions"]["argument"] == argument


def test_a_grouping_too_fine_for_the_caller_is_refused(gql: Gql, staff: str) -> None:
    q = '{ coverageMatrix(groupBy: [SUBREGION, THEME], asOf: "2025-06-30") { revision } }'
    body = gql(q)
    if "errors" in body:  # withheld on the seed data: no move hides its small cells
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in gql(q, key=staff)


# --------------------------------------------------------------------------- exports


def test_csv_export_has_a_header_row_and_marks_suppressed_cells(coverage_url: str) -> None:
    params = {"groupBy": "region,actor_kind", "asOf": AS_OF}
    resp = get(coverage_url, "/exports/coverage.csv", params)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert list(rows[0])[:5] == [
        "region",
        "region_label",
        "actor_kind",
        "actor_kind_label",
        "suppressed",
    ]
    assert len(rows) == 5 * 6 + 5 + 6 + 1
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert hidden and all(r["partners"] == "" and r["funding_usd"] == "" for r in hidden)
    shown = [r for r in rows if r["suppressed"] == "false"]
    assert all(r["partners"] == "0" or int(r["partners"]) >= 5 for r in shown)
    total = rows[-1]
    assert (total["region"], total["actor_kind"]) == ("*", "*")


@pytest.mark.parametrize(
    "spelling",
    ["actorKind", "ACTOR_KIND", "actor_kind", "ActorKind"],
)
def test_export_group_by_takes_the_graphql_spellings(coverage_url: str, spelling: str) -> None:
    snake = get(
        coverage_url, "/exports/coverage.csv", {"groupBy": "region,actor_kind", "asOf": AS_OF}
    )
    other = get(
        coverage_url, "/exports/coverage.csv", {"groupBy": f"region,{spelling}", "asOf": AS_OF}
    )
    assert other.status_code == 200, other.text
    assert other.text == snake.text and other.headers["etag"] == snake.headers["etag"]
    typed = get(
        coverage_url,
        "/exports/coverage.json",
        {"groupBy": "stakeholderType", "asOf": AS_OF, "stakeholderType": "CSO_YOUTH"},
    )
    assert typed.status_code == 200, typed.text
    assert typed.json()["groupBy"] == ["STAKEHOLDER_TYPE"]


def test_json_export_is_the_graphql_matrix(coverage_url: str, gql: Gql) -> None:
    resp = get(coverage_url, "/exports/coverage.json", {"groupBy": "REGION,THEME", "asOf": AS_OF})
    assert resp.status_code == 200
    exported = resp.json()
    m = matrix(gql, ["REGION", "THEME"])
    assert exported["revision"] == m["revision"]
    assert [r["key"] for r in exported["rows"]] == [r["key"] for r in m["rows"]]
    for got, want in zip(flat(exported["cells"]), flat(m["cells"]), strict=True):
        assert got["partners"] == want["partners"] and got["suppressed"] == want["suppressed"]
    assert exported["total"]["partners"] == m["total"]["partners"]


def test_exports_honour_etags(coverage_url: str, staff: str) -> None:
    params = {"groupBy": "region,theme", "asOf": AS_OF}
    first = get(coverage_url, "/exports/coverage.csv", params)
    tag = first.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and "-" in tag
    assert "Authorization" in first.headers["vary"]  # gzip adds Accept-Encoding
    again = get(coverage_url, "/exports/coverage.csv", params, **{"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag and again.content == b""
    weak = get(coverage_url, "/exports/coverage.csv", params, **{"If-None-Match": f"W/{tag}"})
    assert weak.status_code == 304
    other = get(coverage_url, "/exports/coverage.csv", {**params, "asOf": "2024-06-30"})
    assert other.headers["etag"] != tag
    privileged = get(coverage_url, "/exports/coverage.csv", params, Authorization=f"Bearer {staff}")
    assert privileged.headers["etag"] != tag
    stale = get(
        coverage_url,
        "/exports/coverage.csv",
        params,
        Authorization=f"Bearer {staff}",
        **{"If-None-Match": tag},
    )
    assert stale.status_code == 200
    as_json = get(coverage_url, "/exports/coverage.json", params, **{"If-None-Match": tag})
    assert as_json.status_code == 200  # another representation, another tag


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "groupBy"),
        ({"groupBy": "region,planet"}, "groupBy"),
        ({"groupBy": "region", "asOf": "yesterday"}, "asOf"),
        ({"groupBy": "region", "theme": "theme-pcve"}, "theme"),
        ({"groupBy": "region", "colour": "blue"}, "colour"),
        ({"groupBy": "region", "geography": "MARS"}, "geography"),
    ],
)
def test_export_parameters_are_checked(coverage_url: str, params: dict, parameter: str) -> None:
    resp = get(coverage_url, "/exports/coverage.csv", params)
    assert resp.status_code == 400
    assert resp.json()["parameter"] == parameter


def test_exports_follow_the_caller_view(coverage_url: str, staff: str) -> None:
    params = {"groupBy": "country", "asOf": AS_OF, "country": "KEN,FRA,PER"}
    seen = json.loads(get(coverage_url, "/exports/coverage.json", params).text)
    full = json.loads(
        get(coverage_url, "/exports/coverage.json", params, Authorization=f"Bearer {staff}").text
    )
    assert seen["suppressionThreshold"] == 5 and full["suppressionThreshold"] is None
    assert [r["key"] for r in seen["rows"]] == ["FRA", "KEN", "PER"]
    for s, f in zip(flat(seen["cells"]), flat(full["cells"]), strict=True):
        assert s["suppressed"] or s["partners"] == f["partners"]
        if 1 <= f["partners"] < 5:
            assert s["suppressed"]
