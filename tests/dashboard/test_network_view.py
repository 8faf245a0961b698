"""The Network view in headless Chromium: the drawing (sigma, WebGL) loads on the seed with no
console error and no request to another host, shows the API's top broker with its figure and
lets a keyboard user select it, follows the as-of date, leaves restricted actors out for a
viewer (an analyst finds them), shows what the network loses without a node, and passes axe.

Expected figures come from the same GraphQL fields over HTTP, never from numbers written here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from api.app import create_app
from api.cli import SYNTHETIC_BATCH, cli_author, seed_store
from api.settings import Settings
from api.stores import store_from_settings
from graph.batching import batched
from seeds.synthetic import generate
from tests.api.conftest import PRIVILEGED_KEY, _settings
from tests.dashboard.conftest import VIEWPORT, DashboardServer
from tests.live import serve

OpenDashboard = Callable[..., Page]
LAID_OUT = '#network-canvas[data-layout="done"]'
AS_OF = "2024-06-30"


def _score(value: float) -> str:
    """dashboard/src/graph-draw.ts formatScore."""
    return f"{value:,}" if float(value).is_integer() else f"{value:.3f}"


def _count(value: int) -> str:
    """dashboard/src/dom.ts formatNumber for integers (en-GB)."""
    return f"{value:,}"


def _open(open_dashboard: OpenDashboard, role: str | None) -> Page:
    page = open_dashboard(role, "network")
    page.wait_for_selector(LAID_OUT, timeout=60_000)
    return page


def _totals(server: DashboardServer, role: str | None, as_of: str | None = None) -> dict[str, Any]:
    flt = f'(filter: {{asOf: "{as_of}"}})' if as_of else ""
    graph: dict[str, Any] = server.gql(
        f"{{ networkGraph{flt} {{ totalNodes totalLinks }} }}", role=role
    )["networkGraph"]
    return graph


def test_the_network_shows_the_top_broker_and_passes_axe(
    dashboard_server: DashboardServer,
    open_dashboard: OpenDashboard,
    axe_violations: Callable[[Page], list[dict[str, Any]]],
    save_screenshot: Callable[[Page, str], Any],
    bench_print: Callable[[str], None],
) -> None:
    brokers = dashboard_server.gql(
        "{ brokers(top: 1) { entries { constraint degree node { key name } } } }", role="analyst"
    )["brokers"]["entries"]
    top = brokers[0]
    started = time.perf_counter()
    page = _open(open_dashboard, "analyst")
    took = time.perf_counter() - started
    bench_print(f"\nnetwork view (analyst, seed): loaded, laid out and drawn in {took:.2f} s")
    totals = _totals(dashboard_server, "analyst")
    expect(page.locator("#network-summary")).to_contain_text(
        f"{_count(totals['totalNodes'])} nodes and {_count(totals['totalLinks'])} links"
    )
    drawn = int(page.locator("#network-canvas").get_attribute("data-nodes") or 0)
    assert 0 < drawn <= totals["totalNodes"]
    # The canvas is really drawn: sigma made its WebGL layers.
    assert page.locator("#network-canvas canvas").count() >= 3

    first = page.locator("#network-brokers tbody tr").first
    expect(first).to_contain_text(top["node"]["name"])
    expect(first).to_contain_text(_score(top["constraint"]))
    # Chosen from the table with the keyboard: the panel shows its details and neighbours.
    button = first.locator(f'button[data-key="{top["node"]["key"]}"]')
    button.focus()
    page.keyboard.press("Enter")
    heading = page.locator("#network-panel-heading")
    expect(heading).to_have_text(top["node"]["name"])
    expect(heading).to_be_focused()
    panel = page.locator("#network-panel")
    expect(panel).to_contain_text(top["node"]["key"])
    expect(page.locator("#network-neighbours li")).not_to_have_count(0)

    assert axe_violations(page) == []
    page.locator("#network-canvas").scroll_into_view_if_needed()
    save_screenshot(page, "network")
    # The view's query opens in GraphiQL.
    link = page.locator("#graphiql-link")
    expect(link).to_have_attribute("href", re.compile("networkGraph"))


def test_search_by_keyboard_selects_a_node(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    spof = dashboard_server.gql(
        "{ singlePointsOfFailure(top: 1) { entries { node { key name } } } }", role="viewer"
    )["singlePointsOfFailure"]["entries"][0]["node"]
    page = _open(open_dashboard, "viewer")
    search = page.locator("#network-search")
    search.focus()
    page.keyboard.type(spof["name"][:12])
    option = page.locator(f'[role="option"][data-id="{spof["key"]}"]')
    expect(option).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    # Down to the node's option, then Enter.
    for _ in range(20):
        page.keyboard.press("ArrowDown")
        if option.get_attribute("aria-selected") == "true":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#network-panel-heading")).to_have_text(spof["name"])
    expect(page.locator("#network-panel")).to_contain_text("Single point of failure")


def test_the_as_of_date_changes_the_drawing(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    now = _totals(dashboard_server, "viewer")
    then = _totals(dashboard_server, "viewer", AS_OF)
    assert then["totalLinks"] != now["totalLinks"]
    page = _open(open_dashboard, "viewer")
    summary = page.locator("#network-summary")
    expect(summary).to_contain_text(f"{_count(now['totalLinks'])} links")
    page.fill("#as-of", AS_OF)
    page.dispatch_event("#as-of", "change")
    expect(summary).to_contain_text(
        f"{_count(then['totalNodes'])} nodes and {_count(then['totalLinks'])} links in the "
        f"network as of {AS_OF}"
    )
    page.wait_for_selector(LAID_OUT, timeout=60_000)
    assert f"asOf={AS_OF}" in page.url


def _restricted_actor(server: DashboardServer) -> dict[str, Any]:
    """The restricted actor with most links in the analyst's drawing."""
    nodes = server.gql(
        "{ networkGraph { nodes { degree node { key name ... on Actor { sensitivity } } } } }",
        role="analyst",
    )["networkGraph"]["nodes"]
    hidden = [n for n in nodes if n["node"].get("sensitivity") == "RESTRICTED" and n["degree"]]
    assert hidden, "the seed's restricted actors take part in the network"
    node: dict[str, Any] = hidden[0]["node"]
    return node


def test_a_viewer_does_not_see_a_restricted_actor_that_an_analyst_sees(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    actor = _restricted_actor(dashboard_server)
    option = f'[role="option"][data-id="{actor["key"]}"]'

    analyst = _open(open_dashboard, "analyst")
    analyst.fill("#network-search", actor["name"])
    expect(analyst.locator(option)).to_be_visible()
    expect(analyst.locator("#network-role-note")).to_be_hidden()

    viewer = _open(open_dashboard, "viewer")
    totals = _totals(dashboard_server, "viewer")
    expect(viewer.locator("#network-summary")).to_contain_text(
        f"{_count(totals['totalNodes'])} nodes"
    )
    expect(viewer.locator("#network-role-note")).to_be_visible()
    expect(viewer.locator("#network-role-note")).to_contain_text("restricted actors")
    viewer.fill("#network-search", actor["name"])
    expect(viewer.locator(".gv-search [role='status']")).to_have_text("No match.")
    assert viewer.locator(option).count() == 0
    assert actor["name"] not in viewer.content()
    assert actor["key"] not in viewer.content()


def test_what_if_shows_what_the_network_loses(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    entries = dashboard_server.gql(
        "{ singlePointsOfFailure(projection: CO_PARTNERSHIP, top: 10) "
        "{ entries { disconnects node { key name } } } }",
        role="viewer",
    )["singlePointsOfFailure"]["entries"]
    node = next(e["node"] for e in entries if e["disconnects"])
    lost = dashboard_server.gql(
        f'{{ whatIf(remove: ["{node["key"]}"], projection: CO_PARTNERSHIP) '
        "{ connectedActorPairsChange before { components } after { components } } }",
        role="viewer",
    )["whatIf"]
    assert lost["connectedActorPairsChange"] < 0
    page = _open(open_dashboard, "viewer")
    page.locator(f'#network-spof button[data-key="{node["key"]}"]').click()
    expect(page.locator("#network-panel-heading")).to_have_text(node["name"])
    page.locator("#network-what-if").click()
    result = page.locator("#network-what-if-result")
    expect(result.locator(".gv-loss")).to_have_text(
        f"The network would lose {_count(-lost['connectedActorPairsChange'])} connected actor "
        "pairs."
    )
    expect(result).to_contain_text(
        f"{_count(lost['before']['components'])} → {_count(lost['after']['components'])}"
    )
    expect(page.locator("#graphiql-link")).to_have_attribute("href", re.compile("whatIf"))


# --------------------------------------------------------------------------- at scale


def _synthetic_server_settings(path: Path, actors: int) -> Settings:
    """An embedded store with the seed and a synthetic network of ``actors`` actors (written
    in a thread of its own: the browser's event loop runs in this one)."""
    settings = _settings("embedded", path)

    async def write() -> None:
        store = store_from_settings(settings)
        await store.open()
        try:
            await seed_store(store, quiet=True)
            for batch in batched(generate(actors, seed=7), SYNTHETIC_BATCH):
                await store.apply(batch, author=cli_author("seed"))
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, write()).result()
    return dataclasses.replace(settings, lineage_warm_seconds=0)


@pytest.mark.slow
def test_two_thousand_nodes_are_drawn_and_usable(
    browser: Browser,
    tmp_path_factory: pytest.TempPathFactory,
    bench_print: Callable[[str], None],
) -> None:
    """On the seed plus 2,000 synthetic actors (co-partnership: about 2,500 actors and 390,000
    ties) the view draws the 2,000 nodes with most links and their 10,000 strongest links,
    lays them out and answers a search; the times are printed (a benchmark, not a limit)."""
    settings = _synthetic_server_settings(tmp_path_factory.mktemp("scale") / "api.db", 2_000)
    with serve(create_app(settings)) as url:
        origin = urlsplit(url).netloc
        foreign: list[str] = []
        problems: list[str] = []
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        try:

            def only_local(route: Route, request: Request) -> None:
                if (
                    request.url.startswith(("data:", "blob:"))
                    or urlsplit(request.url).netloc == origin
                ):
                    route.continue_()
                else:
                    foreign.append(request.url)
                    route.abort()

            context.route("**/*", only_local)
            context.add_init_script(
                f"window.sessionStorage.setItem('partnernet.key', {PRIVILEGED_KEY!r});"
            )
            page = context.new_page()
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.on(
                "console",
                lambda msg: problems.append(msg.text) if msg.type == "error" else None,
            )
            started = time.perf_counter()
            page.goto(f"{url}/#/network")
            page.wait_for_selector(LAID_OUT, timeout=180_000)
            drawn = time.perf_counter() - started
            canvas = page.locator("#network-canvas")
            assert int(canvas.get_attribute("data-nodes") or 0) == 2_000  # none is an isolate
            assert int(canvas.get_attribute("data-links") or 0) == 10_000
            expect(page.locator("#network-summary")).to_contain_text(
                "Drawn: the 2,000 nodes with the most links."
            )
            first = page.locator("#network-brokers tbody tr button").first
            name = first.inner_text()
            started = time.perf_counter()
            page.fill("#network-search", name)
            expect(
                page.locator("#network-search ~ [role='listbox'] [role='option']").first
            ).to_be_visible()
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
            expect(page.locator("#network-panel-heading")).to_have_text(name)
            selected = time.perf_counter() - started
            bench_print(
                f"\nnetwork view, 2,000 of {page.locator('#network-summary').inner_text()[:40]}"
                f"...: loaded, laid out and drawn in {drawn:.1f} s; a search and selection "
                f"in {selected:.2f} s"
            )
        finally:
            context.close()
    assert not foreign, foreign
    assert not problems, problems
