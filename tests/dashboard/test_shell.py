"""The dashboard's shell: served at / without a key (and nothing else opened by that), its
assets, the first load (printed as a benchmark), the API key field, and GraphiQL opened from
the dashboard with the view's query (and GraphiQL's own example query)."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette

from api.app import create_app
from api.dashboard import dashboard_routes
from api.http.negotiation import prefers_html, renders_graphiql
from tests.api.conftest import _settings
from tests.dashboard.conftest import DashboardServer, wait_for_view
from tests.live import serve

BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)


def _assets(page_html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/dashboard/[^"]+)"', page_html)


def test_root_serves_the_page_and_its_assets(dashboard_server: DashboardServer) -> None:
    with httpx.Client(base_url=dashboard_server.url, timeout=30) as client:
        page = client.get("/", headers={"accept": BROWSER_ACCEPT})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-cache"
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "://" not in page.text  # nothing from another host
        assets = _assets(page.text)
        assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
        for asset in assets:
            served = client.get(asset)
            assert served.status_code == 200, asset
            expected = "text/javascript" if asset.endswith(".js") else "text/css"
            assert served.headers["content-type"].startswith(expected)
            assert "immutable" in served.headers["cache-control"]  # hashed names
        assert client.head("/").status_code == 200
        assert client.get("/dashboard/no-such-file.js").status_code == 404
        assert client.get("/dashboard/../app.py").status_code == 404
        assert client.get("/dashboard/%2e%2e/app.py").status_code == 404
        assert client.post("/").status_code == 405


def test_the_page_needs_no_key_but_nothing_else_opens(
    tmp_path_factory: pytest.TempPathFactory, dashboard_build: Path
) -> None:
    """With anonymous access refused, the page, its assets and GraphiQL load; every request
    for data still needs a key."""
    settings = _settings("embedded", tmp_path_factory.mktemp("closed") / "api.db")
    settings = dataclasses.replace(settings, anonymous=False, lineage_warm_seconds=0)
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/")
        assert page.status_code == 200
        for asset in _assets(page.text):
            assert client.get(asset).status_code == 200
        query = {"query": "{ health { revision } }"}
        # GraphiQL opened with a query (a dashboard link) is the page, not the answer.
        linked = client.get("/graphql", params=query, headers={"accept": BROWSER_ACCEPT})
        assert linked.status_code == 200
        assert linked.headers["content-type"].startswith("text/html")
        assert "revision" not in linked.text
        # Everything that answers with data still asks for a key.
        for accept in (
            "application/json",
            "application/graphql-response+json",
            "*/*",
            "application/json, text/html",
        ):
            response = client.get("/graphql", params=query, headers={"accept": accept})
            assert response.status_code == 401, accept
        assert client.post("/graphql", json=query).status_code == 401
        assert client.get("/exports/coverage.csv", params={"groupBy": "region"}).status_code == 401
        assert client.get("/dashboard").status_code in (401, 404)
        assert client.get("/?query={health{revision}}").status_code == 200  # the page, still
        assert client.post("/", json=query).status_code == 405


def test_an_unbuilt_dashboard_says_how_to_build_it(tmp_path: Path) -> None:
    app = Starlette(routes=dashboard_routes(tmp_path / "missing"))
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        response = client.get("/")
        assert response.status_code == 503
        assert "npm ci" in response.text and "build:dashboard" in response.text
        assert client.get("/dashboard/app.js").status_code == 404


@pytest.mark.parametrize(
    ("accept", "has_query", "expected"),
    [
        (BROWSER_ACCEPT, False, True),
        (BROWSER_ACCEPT, True, True),
        ("text/html", True, True),
        ("text/html", False, True),
        ("application/json, text/html", True, False),
        ("application/json, text/html", False, True),
        ("text/html;q=0.5, application/json", True, False),
        ("*/*", True, False),
        ("*/*", False, False),
        ("application/graphql-response+json", True, False),
        (None, True, False),
        (None, False, False),
    ],
)
def test_which_requests_open_graphiql(accept: str | None, has_query: bool, expected: bool) -> None:
    assert renders_graphiql("GET", has_query, accept) is expected
    assert renders_graphiql("POST", has_query, accept) is False
    if has_query:
        assert prefers_html(accept) is expected


def test_first_load_and_viewer_level_without_a_key(
    open_dashboard: Callable[..., Page],
    save_screenshot: Callable[[Page, str], Path],
    bench_print: Callable[[str], None],
) -> None:
    start = time.perf_counter()
    page = open_dashboard(None, "", wait=False)
    # The first figures drawn: the heatmap's table and the ranked list are filled together.
    expect(page.locator("#under-engaged button").first).to_be_visible(timeout=30_000)
    in_page = page.evaluate("() => performance.now()")  # ms since the navigation started
    elapsed = time.perf_counter() - start
    wait_for_view(page, "coverage")
    bench_print(
        f"\nfirst load of the dashboard (coverage view, seed data, anonymous): {in_page:.0f} ms "
        f"from navigation to figures shown; {elapsed * 1000:.0f} ms with a new browser context"
    )
    assert page.url.endswith("#/coverage")  # the default view
    expect(page.locator("#key-status")).to_contain_text("viewer access")
    expect(page.locator("#coverage-summary")).to_contain_text("suppressed for your role")
    expect(page.locator("#tab-coverage")).to_have_attribute("aria-current", "page")


def test_tabs_route_by_hash_and_keyboard(open_dashboard: Callable[..., Page]) -> None:
    page = open_dashboard("analyst", "coverage")
    page.locator("#tab-trends").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('main#view[data-view="trends"]')
    assert page.url.endswith("#/trends")
    expect(page.locator("#tab-trends")).to_have_attribute("aria-current", "page")
    page.go_back()
    page.wait_for_selector('main#view[data-view="coverage"]')
    page.goto(page.url.split("#")[0] + "#/no-such-view")
    page.wait_for_selector('main#view[data-view="coverage"]')


def test_the_key_field_changes_what_the_page_shows(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    page = open_dashboard(None, "coverage", allowed_errors=(r"status of 401",))
    summary = page.locator("#coverage-summary")
    expect(summary).to_contain_text("suppressed for your role")
    key = page.locator("#api-key")
    assert key.get_attribute("type") == "password"
    key.fill(dashboard_server.tokens["analyst"])
    key.press("Enter")
    expect(summary).to_contain_text("Your key sees every figure")
    expect(page.locator("#key-status")).to_contain_text("Using your key")
    assert key.input_value() == ""  # not left on the page
    page.locator("#forget-key").click()
    expect(summary).to_contain_text("suppressed for your role")
    key.fill("not-a-key")
    key.press("Enter")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-text")).to_contain_text("refused the API key")
    page.locator("#forget-key").click()
    expect(page.locator("#error")).to_be_hidden()


def _editor_text(page: Page, selector: str) -> str:
    text: str = page.evaluate(f"() => document.querySelector({selector!r}).CodeMirror.getValue()")
    return text


def _response(page: Page, containing: str) -> str:
    """GraphiQL's whole result (CodeMirror draws only the visible lines), once it holds
    ``containing``."""
    script = (
        "(text) => { const cm = document.querySelector('.graphiql-response .CodeMirror');"
        " return cm && cm.CodeMirror.getValue().includes(text); }"
    )
    page.wait_for_function(script, arg=containing, timeout=20_000)
    return _editor_text(page, ".graphiql-response .CodeMirror")


def test_graphiql_link_opens_the_views_query(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    page = open_dashboard("analyst", "coverage")
    link = page.locator("#graphiql-link")
    expect(link).to_be_visible()
    with page.expect_popup() as popup_info:
        link.click()
    graphiql = popup_info.value
    graphiql.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=20_000)
    query = _editor_text(graphiql, ".graphiql-query-editor .CodeMirror")
    assert "query CoverageView" in query and "coverageMatrix" in query
    graphiql.locator("button.graphiql-execute-button").click()
    result = _response(graphiql, '"underEngagedCells"')
    assert '"suppressionThreshold": null' in result  # run with the dashboard tab's key
    assert '"errors"' not in result


def test_graphiql_opens_with_a_useful_example(
    open_dashboard: Callable[..., Page], dashboard_server: DashboardServer
) -> None:
    page = open_dashboard(None, "coverage")
    page.goto(f"{dashboard_server.url}/graphql")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=20_000)
    query = _editor_text(page, ".graphiql-query-editor .CodeMirror")
    assert "__typename" not in query
    assert "brokers" in query and "underEngagedCells" in query
    page.locator("button.graphiql-execute-button").click()
    expected: dict[str, Any] = dashboard_server.gql(
        "{ brokers(top: 1) { entries { node { name } } } }"
    )
    top = expected["brokers"]["entries"][0]["node"]["name"]
    result = _response(page, '"underEngagedCells"')
    assert top in result
    assert '"errors"' not in result
