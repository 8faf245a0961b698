"""The Change over time view in Chromium on the seed: a partner's rank and a cell's gap over
twelve quarters, as centralitySeries and coverageSeries give them over HTTP; the partner
search; the as-of control; suppression for a viewer; no serious accessibility violation."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.dashboard.conftest import DashboardServer

RANKS = """query($dates: [Date!]!) {
  centralitySeries(measure: BETWEENNESS, projection: CO_PARTNERSHIP, dates: { dates: $dates },
                   top: 100) {
    points { asOf entries { rank node { id name } } }
  }
}"""

GAPS = """query($dates: [Date!]!) {
  coverageSeries(groupBy: [REGION, THEME], dates: { dates: $dates }, movers: 5) {
    points { asOf matrix { rows { key label } columns { key label }
                           cells { suppressed gapScore } } }
    worsened { row { key label } column { key label } }
    improved { row { key label } column { key label } }
  }
}"""

PAST = "2025-06-30"


def quarter_dates(end: date, count: int = 12) -> list[str]:
    """The dashboard's quarters (dashboard/src/views/trends.ts `quarterDates`)."""
    out = []
    for i in range(count - 1, -1, -1):
        total = end.year * 12 + end.month - 1 - 3 * i
        year, month = divmod(total, 12)
        day = min(end.day, calendar.monthrange(year, month + 1)[1])
        out.append(date(year, month + 1, day).isoformat())
    return out


def _page_today(page: Page) -> date:
    iso: str = page.evaluate(
        "() => { const d = new Date(); const p = (n) => String(n).padStart(2, '0');"
        " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }"
    )
    return date.fromisoformat(iso)


def _rank_rows(series: dict[str, Any], node_id: str) -> list[list[str]]:
    rows = []
    for point in series["centralitySeries"]["points"]:
        entry = next((e for e in point["entries"] if e["node"]["id"] == node_id), None)
        rows.append([point["asOf"], str(entry["rank"]) if entry else "not in top 100"])
    return rows


def _table(page: Page, table_id: str, columns: int) -> list[list[str]]:
    rows = page.locator(f"#{table_id} tbody tr")
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()[:columns]]
        for row in rows.all()
    ]


def test_a_partners_rank_over_quarters(
    open_dashboard: Callable[..., Page],
    dashboard_server: DashboardServer,
    axe_violations: Callable[[Page], list[dict[str, Any]]],
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    page = open_dashboard("analyst", "trends")
    dates = quarter_dates(_page_today(page))
    series = dashboard_server.gql(RANKS, {"dates": dates}, role="analyst")
    last = series["centralitySeries"]["points"][-1]["entries"]
    top = last[0]["node"]
    # By default: the top partner at the last quarter.
    expect(page.locator("#rank-title")).to_contain_text(top["name"])
    expect(page.locator("#rank-figures tbody tr")).to_have_count(len(dates))
    assert _table(page, "rank-figures", 2) == _rank_rows(series, top["id"])

    # Another partner, found by the search box.
    other = last[3]["node"]
    search = page.locator("#partner-search")
    search.fill(other["name"][:12])
    search.press("Enter")
    result = page.locator(f'#partner-results button[data-id="{other["id"]}"]')
    expect(result).to_be_visible()
    result.click()
    expect(result).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#rank-title")).to_contain_text(other["name"])
    assert _table(page, "rank-figures", 2) == _rank_rows(series, other["id"])

    assert axe_violations(page) == []
    save_screenshot(page, "trends")


def _gap_text(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "no data"
    if cell["suppressed"]:
        return "suppressed"
    return "gap hidden" if cell["gapScore"] is None else f"{cell['gapScore']:.2f}"


def _gap_rows(series: dict[str, Any], row: str, column: str) -> list[list[str]]:
    out = []
    for point in series["coverageSeries"]["points"]:
        m = point["matrix"]
        y = next((i for i, r in enumerate(m["rows"]) if r["key"] == row), None)
        x = next((i for i, c in enumerate(m["columns"]) if c["key"] == column), None)
        cell = m["cells"][y][x] if y is not None and x is not None else None
        out.append([point["asOf"], _gap_text(cell)])
    return out


def _default_cell(series: dict[str, Any]) -> tuple[str, str]:
    s = series["coverageSeries"]
    mover = (s["worsened"] or s["improved"] or [None])[0]
    if mover:
        return mover["row"]["key"], mover["column"]["key"]
    m = s["points"][-1]["matrix"]
    return m["rows"][0]["key"], m["columns"][0]["key"]


def test_a_cells_gap_over_quarters_and_the_as_of_control(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    page = open_dashboard("analyst", "trends")
    dates = quarter_dates(_page_today(page))
    series = dashboard_server.gql(GAPS, {"dates": dates}, role="analyst")
    row, column = _default_cell(series)
    expect(page.locator("#gap-figures tbody tr")).to_have_count(len(dates))
    assert _table(page, "gap-figures", 2) == _gap_rows(series, row, column)

    # Pick another cell with the selects.
    m = series["coverageSeries"]["points"][-1]["matrix"]
    other_row, other_column = m["rows"][-1], m["columns"][-1]
    page.locator("#gap-row").select_option(other_row["key"])
    page.locator("#gap-column").select_option(other_column["key"])
    expect(page.locator("#gap-title")).to_contain_text(
        f"{other_row['label']} / {other_column['label']}"
    )
    assert _table(page, "gap-figures", 2) == _gap_rows(
        series, other_row["key"], other_column["key"]
    )

    # The as-of date moves the quarters (and both series with them).
    page.locator("#as-of").fill(PAST)
    past_dates = quarter_dates(date.fromisoformat(PAST))
    expect(page.locator("#gap-figures tbody tr").last.locator("th")).to_have_text(PAST)
    expect(page.locator("#rank-figures tbody tr").last.locator("th")).to_have_text(PAST)
    past = dashboard_server.gql(GAPS, {"dates": past_dates}, role="analyst")
    assert _table(page, "gap-figures", 2) == _gap_rows(past, other_row["key"], other_column["key"])


def test_a_viewer_sees_suppressed_quarters_as_suppressed(
    open_dashboard: Callable[..., Page],
    dashboard_server: DashboardServer,
    axe_violations: Callable[[Page], list[dict[str, Any]]],
) -> None:
    page = open_dashboard("viewer", "trends")
    dates = quarter_dates(_page_today(page))
    series = dashboard_server.gql(GAPS, {"dates": dates}, role="viewer")
    # A cell (one the pickers offer: the last quarter's) suppressed at some quarter.
    last = series["coverageSeries"]["points"][-1]["matrix"]
    offered = [(r["key"], c["key"]) for r in last["rows"] for c in last["columns"]]
    target = next(
        (key for key in offered if "suppressed" in (g for _, g in _gap_rows(series, *key))),
        None,
    )
    assert target, "the seed has small cells a viewer must not see"
    page.locator("#gap-row").select_option(target[0])
    page.locator("#gap-column").select_option(target[1])
    rows = _table(page, "gap-figures", 2)
    assert rows == _gap_rows(series, *target)
    assert ["suppressed"] in [r[1:] for r in rows]
    assert axe_violations(page) == []
