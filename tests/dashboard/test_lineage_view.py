"""The Lineage view in headless Chromium: for a known outcome (the Malaga call of
docs/LINEAGE.md) it draws the upstream layers and lists every upstream node with its share and
every link with its evidence, as `outcomeLineage` gives them over HTTP; it follows the as-of
date; a viewer does not see the restricted actors an analyst sees; an actor's contributions
are listed as `contributions` gives them; and axe finds no serious or critical violation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.dashboard.conftest import DashboardServer

OpenDashboard = Callable[..., Page]
OUTCOME = "out-malaga-call"  # docs/LINEAGE.md, "Worked example"
SPEAKER = "cso-0101"  # spoke at both Malaga events (docs/LINEAGE.md)
AS_OF = "2019-06-30"
LINEAGE = """query($asOf: Date) {
  outcomeLineage(outcome: "%s", depth: 5, asOf: $asOf) {
    outcome { name }
    nodes(first: 100) { totalCount edges { node { hops share node { key name } } } }
    links(first: 100) { totalCount edges { node { id kind share source start { key } } } }
  }
}"""


def share(value: float) -> str:
    """dashboard/src/graph-draw.ts formatShare."""
    if 0 < value < 0.00005:
        return "<0.01%"
    return f"{value * 100:.2f}%"


def lineage(
    server: DashboardServer, role: str | None, as_of: str | None = None, outcome: str = OUTCOME
) -> dict[str, Any]:
    found: dict[str, Any] = server.gql(LINEAGE % outcome, {"asOf": as_of}, role=role)[
        "outcomeLineage"
    ]
    assert found["nodes"]["totalCount"] <= 100, "one page: the whole lineage"
    return found


def open_lineage(open_dashboard: OpenDashboard, role: str | None, name: str) -> Page:
    page = open_dashboard(role, "lineage")
    expect(page.locator("#lineage-outcome option").first).to_be_attached()
    page.select_option("#lineage-outcome", OUTCOME)
    expect(page.locator("#lineage-summary")).to_contain_text(name)
    page.wait_for_load_state("networkidle")
    return page


def test_the_lineage_of_a_known_outcome_shows_its_upstream_nodes_and_shares(
    dashboard_server: DashboardServer,
    open_dashboard: OpenDashboard,
    axe_violations: Callable[[Page], list[dict[str, Any]]],
    save_screenshot: Callable[[Page, str], Any],
) -> None:
    expected = lineage(dashboard_server, "analyst")
    nodes = [e["node"] for e in expected["nodes"]["edges"]]
    page = open_lineage(open_dashboard, "analyst", expected["outcome"]["name"])
    summary = page.locator("#lineage-summary")
    expect(summary).to_contain_text(f"{expected['nodes']['totalCount'] - 1} upstream nodes")
    expect(summary).to_contain_text(f"{expected['links']['totalCount']} links")

    # Every upstream node is in the table with its share; the nearest layers are drawn.
    rows = page.locator("#lineage-nodes tbody tr")
    expect(rows).to_have_count(len(nodes) - 1)
    for node in nodes:
        if node["hops"] == 0:
            continue
        row = page.locator(f'#lineage-nodes tr[data-key="{node["node"]["key"]}"]')
        expect(row).to_contain_text(node["node"]["name"])
        expect(row.locator("td").nth(2)).to_have_text(share(node["share"]))
    by_share = sorted(nodes, key=lambda n: -n["share"])
    for node in [n for n in by_share if n["hops"] <= 2][:8]:
        drawn = page.locator(f'#lineage-figure g.gv-lin-node[data-key="{node["node"]["key"]}"]')
        expect(drawn).to_have_count(1)
        if node["hops"]:
            expect(drawn.locator("text.gv-lin-share")).to_have_text(share(node["share"]))
    # The activities that produced it, with their shares and evidence (docs/LINEAGE.md: 0.8
    # and 0.2 from the UNOCT partnerships page), as the API gives them.
    produced = [e["node"] for e in expected["links"]["edges"] if e["node"]["kind"] == "PRODUCED"]
    assert {p["start"]["key"] for p in produced} == {"act-malaga-conference", "act-malaga-process"}
    for link in produced:
        row = page.locator(f'#lineage-links tr[data-id="{link["id"]}"]')
        expect(row).to_contain_text(share(link["share"]))
        expect(row).to_contain_text(link["source"])
        tooltip = page.locator(
            f'#lineage-figure path[data-from="{link["start"]["key"]}"][data-to="{OUTCOME}"] title'
        )
        expect(tooltip).to_contain_text(f"share {share(link['share'])}")

    assert axe_violations(page) == []
    save_screenshot(page, "lineage")


def test_the_as_of_date_changes_the_lineage(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    now = lineage(dashboard_server, "viewer")
    then = lineage(dashboard_server, "viewer", AS_OF)
    assert then["nodes"]["totalCount"] != now["nodes"]["totalCount"]
    page = open_lineage(open_dashboard, "viewer", now["outcome"]["name"])
    summary = page.locator("#lineage-summary")
    expect(summary).to_contain_text(f"{now['nodes']['totalCount'] - 1} upstream nodes")
    page.fill("#as-of", AS_OF)
    page.dispatch_event("#as-of", "change")
    expect(summary).to_contain_text(
        f"{then['nodes']['totalCount'] - 1} upstream nodes and "
        f"{then['links']['totalCount']} links within 5 steps, as of {AS_OF}"
    )
    expect(page.locator("#lineage-nodes tbody tr")).to_have_count(then["nodes"]["totalCount"] - 1)


def test_a_viewer_does_not_see_the_restricted_actors_an_analyst_sees(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    staff = lineage(dashboard_server, "analyst")
    viewer = lineage(dashboard_server, "viewer")
    shown = {e["node"]["node"]["key"] for e in viewer["nodes"]["edges"]}
    hidden = [
        e["node"]["node"] for e in staff["nodes"]["edges"] if e["node"]["node"]["key"] not in shown
    ]
    assert hidden, "restricted actors are upstream of the Malaga call (docs/LINEAGE.md)"
    analyst_page = open_lineage(open_dashboard, "analyst", staff["outcome"]["name"])
    for actor in hidden:
        expect(analyst_page.locator(f'#lineage-nodes tr[data-key="{actor["key"]}"]')).to_have_count(
            1
        )
    viewer_page = open_lineage(open_dashboard, "viewer", viewer["outcome"]["name"])
    expect(viewer_page.locator("#lineage-nodes tbody tr")).to_have_count(
        viewer["nodes"]["totalCount"] - 1
    )
    content = viewer_page.content()
    for actor in hidden:
        assert actor["key"] not in content and actor["name"] not in content


def test_an_actors_contributions_are_listed(
    dashboard_server: DashboardServer, open_dashboard: OpenDashboard
) -> None:
    expected = dashboard_server.gql(
        f'{{ contributions(actor: "{SPEAKER}", depth: 5) {{ actor {{ name }} outcomes(first: 50) '
        "{ totalCount edges { node { share outcome { key name } } } } } }",
        role="viewer",
    )["contributions"]
    name = lineage(dashboard_server, "viewer")["outcome"]["name"]
    page = open_lineage(open_dashboard, "viewer", name)
    page.locator(f'#lineage-nodes tr[data-key="{SPEAKER}"] button').click()
    area = page.locator("#lineage-contributions")
    count = expected["outcomes"]["totalCount"]
    expect(area.locator("h4")).to_contain_text(
        f"{expected['actor']['name']} (Civil society organisation) contributed to {count} outcome"
    )
    expect(area.locator("h4")).to_be_focused()
    rows = page.locator("#lineage-contributions-table tbody tr")
    expect(rows).to_have_count(len(expected["outcomes"]["edges"]))
    for edge in expected["outcomes"]["edges"]:
        row = page.locator(
            f'#lineage-contributions-table tr[data-key="{edge["node"]["outcome"]["key"]}"]'
        )
        expect(row).to_contain_text(edge["node"]["outcome"]["name"])
        expect(row.locator("td").nth(2)).to_have_text(share(edge["node"]["share"]))
    # From a contribution back to its lineage.
    other = next(
        e["node"]["outcome"]
        for e in expected["outcomes"]["edges"]
        if e["node"]["outcome"]["key"] != OUTCOME
    )
    page.locator(f'#lineage-contributions-table tr[data-key="{other["key"]}"] button').click()
    expect(page.locator("#lineage-summary")).to_contain_text(other["name"])
    expect(page.locator("#lineage-outcome")).to_have_value(other["key"])

    # Finding an actor by name, with the keyboard.
    search = page.locator(".gv-contributions input[role='combobox']")
    search.focus()
    page.keyboard.type(expected["actor"]["name"])
    expect(page.locator(f'.gv-contributions [role="option"][data-id="{SPEAKER}"]')).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(area.locator("h4")).to_contain_text(expected["actor"]["name"])
