"""Fixtures for the dashboard's browser tests (headless Chromium driven by Playwright).

- ``dashboard_server``: the real app on a seeded embedded store, with one API key per role
  (``.url``, ``.tokens[role]``, ``.gql(query, variables, role=...)`` to take expected figures
  from the API itself). Built once per session; tests must not write to it.
- ``open_dashboard(role, view)``: a new page with ``role``'s key in sessionStorage (``None``:
  no key, the anonymous viewer) showing ``#/<view>``, after the view has mounted and the
  network has gone quiet. Every page records console errors, uncaught exceptions and requests
  to any other host; the test fails on them when it ends (``allowed_errors=`` takes regular
  expressions for console errors a test provokes on purpose, e.g. a 401).
- ``axe_violations(page)``: axe-core's serious and critical violations on the page (a list of
  ``{"id", "impact", "help", "targets"}``; empty is good).
- ``save_screenshot(page, name)``: writes docs/screenshots/<name>.png (committed).
- ``wait_for_view(page, view)`` (a function): after navigating or switching tabs in a test.

The dashboard is rebuilt from its sources once per session when node is here (so the tests
see the current sources), else the build ``npm ci`` made is used.

The page contract these rely on (dashboard/src/main.ts): the view is mounted into
``<main id="view" data-view="<id>">``; the API key field is ``#api-key``; the as-of control
is ``#as-of``; the GraphiQL link is ``#graphiql-link``; errors appear in ``#error``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.app import create_app
from graph.keys import Role
from tests.abuse.test_access import _issue_keys
from tests.api.conftest import _seed, _settings
from tests.browser import CHROMIUM_ARGS as BROWSER_ARGS
from tests.live import serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_DIR = REPO_ROOT / "api" / "static" / "dashboard"
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PARTNERNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    *BROWSER_ARGS,
    # Sigma draws with WebGL: software rendering where there is no GPU.
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
]
VIEWPORT = {"width": 1366, "height": 900}
KEY_STORAGE = "partnernet.key"  # dashboard/src/api.ts
ROLES = tuple(role.value for role in Role)  # viewer, analyst, editor, admin


def _missing(what: str) -> None:
    if os.environ.get("PARTNERNET_REQUIRE_ALL", "") not in ("", "0"):
        pytest.fail(f"{what} and PARTNERNET_REQUIRE_ALL is set")
    pytest.skip(what)


@dataclasses.dataclass
class DashboardServer:
    url: str
    tokens: dict[str, str]  # role value ("viewer", "analyst", ...) -> token

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, role: str | None = None
    ) -> dict[str, Any]:
        """POST ``query`` as ``role`` (``None``: anonymous); returns ``data``, failing on
        errors."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=60,
        )
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="session")
def dashboard_build() -> Path:
    """The dashboard's built assets, rebuilt from the sources first when node is here (so the
    tests see the current sources; `npm ci` builds them too)."""
    if shutil.which("node") and (REPO_ROOT / "node_modules" / "esbuild").is_dir():
        subprocess.run(["node", "dashboard/build.mjs"], cwd=REPO_ROOT, check=True)
    if not (DASHBOARD_DIR / "index.html").is_file():
        pytest.fail(f"dashboard not built in {DASHBOARD_DIR}: run `npm run build:dashboard`")
    return DASHBOARD_DIR


@pytest.fixture(scope="session")
def dashboard_server(
    tmp_path_factory: pytest.TempPathFactory, dashboard_build: Path
) -> Iterator[DashboardServer]:
    """The real app over the seed data (embedded store) with a key per role; read-only."""
    settings = _settings("embedded", tmp_path_factory.mktemp("dashboard") / "api.db")
    # In a thread of its own: Playwright's sync API runs an event loop in this one once a
    # browser is up, and asyncio.run refuses to start inside it.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(_seed, settings).result()
        tokens = pool.submit(_issue_keys, settings).result()
    with serve(create_app(dataclasses.replace(settings, lineage_warm_seconds=0))) as url:
        yield DashboardServer(url, tokens)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module (a fresh context per page). Not per session:
    Playwright's sync API runs an event loop in this thread while it is up, which other
    suites' asyncio tests and their own sync_playwright() refuse."""
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclasses.dataclass
class _Watch:
    """What went wrong on one page: console errors, page errors and foreign requests."""

    allowed: list[re.Pattern[str]]
    problems: list[str] = dataclasses.field(default_factory=list)
    foreign: list[str] = dataclasses.field(default_factory=list)

    def console(self, kind: str, text: str) -> None:
        if kind == "error" and not any(p.search(text) for p in self.allowed):
            self.problems.append(f"console {kind}: {text}")


OpenDashboard = Callable[..., "Page"]


@pytest.fixture
def open_dashboard(browser: Browser, dashboard_server: DashboardServer) -> Iterator[OpenDashboard]:
    """``open_dashboard(role, view, *, allowed_errors=(), wait=True)`` → a loaded page.

    ``role`` is a role value ("viewer", "analyst", "editor", "admin") or ``None`` for no key;
    ``view`` the hash path ("coverage", "network", "lineage", "trends"; "" for the default).
    The test fails at teardown if any page logged a console error (not matching
    ``allowed_errors``), threw, or asked another host for anything.
    """
    origin = urlsplit(dashboard_server.url).netloc
    contexts: list[Any] = []
    watches: list[_Watch] = []

    def open_(
        role: str | None,
        view: str = "",
        *,
        allowed_errors: tuple[str, ...] = (),
        wait: bool = True,
    ) -> Page:
        from playwright.sync_api import Request, Route

        watch = _Watch([re.compile(p) for p in allowed_errors])
        watches.append(watch)
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        contexts.append(context)

        def only_local(route: Route, request: Request) -> None:
            url = request.url
            if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == origin:
                route.continue_()
            else:
                watch.foreign.append(url)
                route.abort()

        context.route("**/*", only_local)
        if role is not None:
            token = dashboard_server.tokens[role]
            context.add_init_script(f"window.sessionStorage.setItem({KEY_STORAGE!r}, {token!r});")
        page = context.new_page()
        page.on("pageerror", lambda exc: watch.problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: watch.console(msg.type, msg.text))
        page.goto(f"{dashboard_server.url}/#/{view}")
        if wait:
            wait_for_view(page, view)
        return page

    yield open_

    for context in contexts:
        context.close()
    problems = [p for w in watches for p in w.problems]
    foreign = [u for w in watches for u in w.foreign]
    assert not foreign, f"the dashboard asked other hosts: {foreign}"
    assert not problems, "\n".join(problems)


def wait_for_view(page: Page, view: str, timeout: float = 30_000) -> None:
    """Wait until ``view`` is mounted (any view when "") and the network is quiet."""
    selector = f'main#view[data-view="{view}"]' if view else "main#view[data-view]"
    page.wait_for_selector(selector, state="attached", timeout=timeout)
    page.wait_for_load_state("networkidle", timeout=timeout)


@pytest.fixture(scope="session")
def axe_violations() -> Callable[[Page], list[dict[str, Any]]]:
    """``axe_violations(page)`` → the serious and critical axe-core violations on the page."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} missing: run `npm ci`")
    source = AXE.read_text(encoding="utf-8")

    def run(page: Page) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol rather than add_script_tag: the page's
            # Content-Security-Policy (script-src 'self') blocks inline script tags, and the
            # tests keep it on so that a violation by the app shows up as a console error.
            page.evaluate(f"{source}\n;undefined")
        results: list[dict[str, Any]] = page.evaluate(
            """async () => {
                const r = await window.axe.run(document, {
                    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                    resultTypes: ['violations'],
                });
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.map(n => n.target.join(' ')).slice(0, 10),
                }));
            }"""
        )
        return [v for v in results if v["impact"] in ("serious", "critical")]

    return run


@pytest.fixture(scope="session")
def save_screenshot() -> Callable[[Page, str], Path]:
    """``save_screenshot(page, name)`` writes docs/screenshots/<name>.png and returns it."""

    def save(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return save


@pytest.fixture
def bench_print(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    """Print a measured figure to the terminal, past pytest's capture: the dashboard's load
    times are benchmark figures to read in the CI log, not assertions."""

    def out(text: str) -> None:
        with capsys.disabled():
            print(text)

    return out
