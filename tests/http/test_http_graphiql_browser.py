"""GraphiQL in headless Chromium: loads offline, runs a typed query, shows the result.

Set GRAPHIQL_SCREENSHOT=/some/file.png to keep a screenshot of the final page.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import CHROMIUM_ARGS

# Works on any schema; the alias proves the typed query ran, not the default one.
QUERY = "{ typedInChromium: __typename }"
EXPECTED = '"typedInChromium": "Query"'


def test_graphiql_runs_a_query(
    live_server: str, graphiql_assets: Path, chromium: str, tmp_path: Path
) -> None:
    # A declared dev dependency: its absence is a broken setup, not a skip.
    from playwright.sync_api import Request, Route, expect, sync_playwright

    origin = urlsplit(live_server).netloc
    foreign_requests: list[str] = []
    problems: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800})

            def only_local(route: Route, request: Request) -> None:
                # GraphiQL must work offline: anything not served by the app
                # is recorded as a failure and never leaves the machine.
                if request.url.startswith("data:") or urlsplit(request.url).netloc == origin:
                    route.continue_()
                else:
                    foreign_requests.append(request.url)
                    route.abort()

            context.route("**/*", only_local)
            page = context.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on(
                "console",
                lambda msg: (
                    problems.append(f"console {msg.type}: {msg.text}")
                    if msg.type == "error"
                    else None
                ),
            )

            response = page.goto(f"{live_server}/graphql")
            assert response is not None
            assert response.status == 200
            assert response.headers["content-type"].startswith("text/html")

            editor = page.locator(".graphiql-query-editor .CodeMirror")
            expect(editor).to_be_visible(timeout=20_000)

            # Replace the default query by typing, as a person would.
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            page.keyboard.type(QUERY)
            typed = page.evaluate(
                "() => document.querySelector('.graphiql-query-editor .CodeMirror')"
                ".CodeMirror.getValue()"
            )
            assert typed.strip() == QUERY

            page.locator("button.graphiql-execute-button").click()
            expect(page.locator(".graphiql-response")).to_contain_text(EXPECTED, timeout=20_000)

            screenshot = Path(os.environ.get("GRAPHIQL_SCREENSHOT") or tmp_path / "graphiql.png")
            page.screenshot(path=str(screenshot))
            context.close()
        finally:
            browser.close()

    assert not foreign_requests, f"GraphiQL tried to reach other hosts: {foreign_requests}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_graphiql_page_only_references_local_assets(
    live_server: str, graphiql_assets: Path, accept: str
) -> None:
    """Cheap check of the same promise without a browser: no absolute URL in the page."""
    import httpx

    with httpx.Client(base_url=live_server, timeout=10) as client:
        page = client.get("/graphql", headers={"accept": accept})
        assert page.status_code == 200
        assert "://" not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        for asset in (
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "graphiql.min.css",
        ):
            assert f"/graphiql/vendor/{asset}" in page.text
            served = client.get(f"/graphiql/vendor/{asset}")
            assert served.status_code == 200, asset
            assert served.content == (graphiql_assets / asset).read_bytes()
        assert client.get("/graphiql/init.js").status_code == 200
