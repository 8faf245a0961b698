"""The Coverage view in Chromium on the seed: the figures the API gives, the as-of control,
suppression marks for a viewer, row/column switches, the ranked list by keyboard, the
drill-down, and no serious accessibility violation. Expected values come from the same
GraphQL fields over HTTP, never from constants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.dashboard.conftest import DashboardServer, wait_for_view

MATRIX = """query($groupBy: [CoverageDimension!]!, $asOf: Date) {
  coverageMatrix(groupBy: $groupBy, asOf: $asOf) {
    suppressionThreshold
    rows { key label } columns { key label }
    cells { suppressed gapScore partners }
  }
  underEngagedCells(groupBy: $groupBy, asOf: $asOf, first: 20) {
    edges { node { rank header { label values { key } } cell { gapScore } } }
  }
}"""

PAST = "2024-06-30"


def _matrix(
    server: DashboardServer, role: str | None, group_by: list[str], as_of: str | None = None
) -> dict[str, Any]:
    return server.gql(MATRIX, {"groupBy": group_by, "asOf": as_of}, role=role)


def _cells(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    m = data["coverageMatrix"]
    return {
        (row["key"], column["key"]): m["cells"][y][x]
        for y, row in enumerate(m["rows"])
        for x, column in enumerate(m["columns"])
    }


def _table_cell(page: Page, row: str, column: str) -> Any:
    return page.locator(f'#coverage-table td[data-row="{row}"][data-column="{column}"] button')


def _open_table(page: Page) -> None:
    details = page.locator("details.figures")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _shown(cell: dict[str, Any]) -> str:
    if cell["suppressed"]:
        return "suppressed"
    if cell["gapScore"] is None:
        return "gap hidden"
    return f"{cell['gapScore']:.2f}"


def test_coverage_shows_the_api_figures(
    open_dashboard: Callable[..., Page],
    dashboard_server: DashboardServer,
    axe_violations: Callable[[Page], list[dict[str, Any]]],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    data = _matrix(dashboard_server, "analyst", ["REGION", "THEME"])
    page = open_dashboard("analyst", "coverage")
    expect(page.locator("#coverage-summary")).to_contain_text("Your key sees every figure")

    # The ranked list is the API's ranking, in its order.
    ranking = [e["node"] for e in data["underEngagedCells"]["edges"]]
    items = page.locator("#under-engaged button")
    expect(items).to_have_count(len(ranking))
    for index in (0, len(ranking) - 1):
        expected = ranking[index]
        item = items.nth(index)
        expect(item).to_contain_text(expected["header"]["label"])
        expect(item).to_contain_text(f"gap {expected['cell']['gapScore']:.2f}")

    # Every cell of the table shows the API's gap score.
    _open_table(page)
    cells = _cells(data)
    for (row, column), cell in cells.items():
        expect(_table_cell(page, row, column)).to_have_text(_shown(cell))

    assert axe_violations(page) == []
    page.locator("details.figures").evaluate("d => d.open = false")
    save_screenshot(page, "coverage")


def test_the_as_of_control_changes_the_figures(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    today = _cells(_matrix(dashboard_server, "analyst", ["REGION", "THEME"]))
    past = _cells(_matrix(dashboard_server, "analyst", ["REGION", "THEME"], PAST))
    changed = [key for key in past if key in today and _shown(past[key]) != _shown(today[key])]
    assert changed, f"the seed should differ between {PAST} and today"
    row, column = changed[0]

    page = open_dashboard("analyst", "coverage")
    _open_table(page)
    expect(_table_cell(page, row, column)).to_have_text(_shown(today[(row, column)]))
    page.locator("#as-of").fill(PAST)
    expect(page.locator("#coverage-summary")).to_contain_text(f"As of {PAST}")
    _open_table(page)
    expect(_table_cell(page, row, column)).to_have_text(_shown(past[(row, column)]))
    assert page.url.endswith(f"#/coverage?asOf={PAST}")
    # Another view keeps the date; "Today" drops it.
    page.locator("#as-of-today").click()
    expect(page.locator("#coverage-summary")).not_to_contain_text(f"As of {PAST}")
    _open_table(page)
    expect(_table_cell(page, row, column)).to_have_text(_shown(today[(row, column)]))


def test_a_viewer_sees_suppression_marks_never_zeros(
    open_dashboard: Callable[..., Page],
    dashboard_server: DashboardServer,
    axe_violations: Callable[[Page], list[dict[str, Any]]],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    data = _matrix(dashboard_server, "viewer", ["REGION", "THEME"])
    threshold = data["coverageMatrix"]["suppressionThreshold"]
    assert threshold is not None
    cells = _cells(data)
    suppressed = [key for key, cell in cells.items() if cell["suppressed"]]
    assert suppressed, "the seed has small cells a viewer must not see"

    page = open_dashboard("viewer", "coverage")
    expect(page.locator("#coverage-summary")).to_contain_text(
        f"Counts from 1 to {threshold - 1} are suppressed for your role"
    )
    expect(page.locator("#coverage-legend")).to_contain_text("suppressed")
    _open_table(page)
    marked = page.locator('#coverage-table td[data-state="suppressed"]')
    expect(marked).to_have_count(len(suppressed))
    for row, column in suppressed:
        button = _table_cell(page, row, column)
        expect(button).to_have_text("suppressed")
        label = f"{_label(data, row, column)}: figures suppressed (small counts)"
        expect(button).to_have_attribute("aria-label", label)

    # The drill-down of a suppressed cell says so and lists nobody.
    row, column = suppressed[0]
    _table_cell(page, row, column).click()
    detail = page.locator("#cell-detail")
    expect(detail).to_be_focused()
    expect(detail).to_contain_text("Suppressed")
    expect(detail).to_contain_text("It is not zero")
    expect(detail.locator("dd").first).to_have_text("suppressed")
    expect(page.locator("#cell-partners")).to_have_count(0)
    assert axe_violations(page) == []
    page.locator("details.figures").evaluate("d => d.open = false")
    save_screenshot(page, "coverage-viewer")


def _label(data: dict[str, Any], row: str, column: str) -> str:
    m = data["coverageMatrix"]
    row_label = next(r["label"] for r in m["rows"] if r["key"] == row)
    column_label = next(c["label"] for c in m["columns"] if c["key"] == column)
    return f"{row_label} / {column_label}"


def test_finer_groupings_are_refused_to_a_viewer_with_a_message(
    open_dashboard: Callable[..., Page],
) -> None:
    page = open_dashboard("viewer", "coverage")
    page.locator("#coverage-rows").select_option("COUNTRY")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-text")).to_contain_text("may not see this")
    page.locator("#coverage-rows").select_option("REGION")
    expect(page.locator("#coverage-summary")).to_contain_text("suppressed for your role")


@pytest.mark.parametrize(
    ("rows", "columns", "title"),
    [
        ("COUNTRY", "THEME", "Gap score by country and thematic area"),
        ("SUBREGION", "STAKEHOLDER_TYPE", "Gap score by sub-region and stakeholder type"),
        ("REGION", "ACTOR_KIND", "Gap score by region and actor kind"),
    ],
)
def test_rows_and_columns_switch(
    open_dashboard: Callable[..., Page],
    dashboard_server: DashboardServer,
    rows: str,
    columns: str,
    title: str,
) -> None:
    data = _matrix(dashboard_server, "analyst", [rows, columns])
    page = open_dashboard("analyst", "coverage")
    page.locator("#coverage-rows").select_option(rows)
    page.locator("#coverage-columns").select_option(columns)
    expect(page.locator("#heatmap-title")).to_have_text(title)
    _open_table(page)
    m = data["coverageMatrix"]
    expect(page.locator("#coverage-table tbody tr")).to_have_count(len(m["rows"]))
    expect(page.locator("#coverage-table thead th")).to_have_count(len(m["columns"]) + 1)
    row, column = m["rows"][-1]["key"], m["columns"][-1]["key"]
    expect(_table_cell(page, row, column)).to_have_text(_shown(_cells(data)[(row, column)]))


PARTNERS = """query($filter: ActorFilter!) {
  actors(first: 100, filter: $filter) { edges { node { name } } }
}"""


def test_ranked_list_by_keyboard_and_drill_down(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    data = _matrix(dashboard_server, "analyst", ["REGION", "THEME"])
    ranking = [e["node"] for e in data["underEngagedCells"]["edges"]]
    page = open_dashboard("analyst", "coverage")
    first = page.locator("#under-engaged button").first
    first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#under-engaged button").nth(2)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    chosen = ranking[1]
    detail = page.locator("#cell-detail")
    expect(detail).to_be_focused()
    expect(page.locator("#cell-detail-title")).to_have_text(chosen["header"]["label"])
    expect(page.locator("#under-engaged button").nth(1)).to_have_attribute("aria-current", "true")

    # The partners listed are those the API's actor filter gives for the cell.
    region, theme = (v["key"] for v in chosen["header"]["values"])
    actors = dashboard_server.gql(
        PARTNERS,
        {"filter": {"region": region.upper(), "theme": theme, "activeAsOf": _today(page)}},
        role="analyst",
    )
    names = sorted(e["node"]["name"] for e in actors["actors"]["edges"])
    expect(page.locator("#cell-partners, #cell-other-partners").first).to_be_visible()
    wait_for_view(page, "coverage")
    shown = page.locator("#cell-partners li, #cell-other-partners li").all_inner_texts()
    assert sorted(text.split(" · ")[0] for text in shown) == names
    expect(detail.get_by_role("link", name="query in GraphiQL (new tab)")).to_be_visible()


def _today(page: Page) -> str:
    today: str = page.evaluate(
        "() => { const d = new Date(); const p = (n) => String(n).padStart(2, '0');"
        " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }"
    )
    return today


def test_a_heatmap_click_opens_the_cell(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    """The canvas is clickable too (the table and list are its keyboard alternatives)."""
    data = _matrix(dashboard_server, "analyst", ["REGION", "THEME"])
    m = data["coverageMatrix"]
    page = open_dashboard("analyst", "coverage")
    box = page.locator(".heatmap canvas").first.bounding_box()
    assert box is not None
    # The first row of the grid starts 10 px below the canvas's top; the middle of the width
    # is a column whatever the label widths.
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + 24)
    expect(page.locator("#cell-detail-title")).to_contain_text(f"{m['rows'][0]['label']} / ")
    expect(page.locator("#cell-detail")).to_contain_text("Gap score")
