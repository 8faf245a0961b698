"""``changes`` over real HTTP on both stores: who may read the history, what a change set
shows, filters, paging and syncing from a revision; and ``partnernet history``."""

from __future__ import annotations

import httpx
import pytest

from tests.abuse.test_access import Server, call
from tests.abuse.test_access import server as server  # the same keyed server, per module

CHANGES = """
query ($filter: ChangeFilterInput, $first: Int, $after: String, $newest: Boolean) {
  changes(filter: $filter, first: $first, after: $after, newestFirst: $newest) {
    edges { cursor node { revision at size author { name role via }
      records(first: 5) { totalCount edges { node {
        position entity key kind validFrom before after } } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

RENAME = """
mutation { updateThematicArea(input: {id: "theme-pcve", name: "%s"})
  { thematicArea { name } revision userErrors { message } } }
"""


def changes(server: Server, token: str | None, **variables: object) -> httpx.Response:
    return httpx.post(
        f"{server.url}/graphql",
        json={"query": CHANGES, "variables": variables},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=30,
    )


def test_viewers_and_analysts_may_not_read_the_history(server: Server) -> None:
    for token in (None, server.tokens["viewer"], server.tokens["analyst"]):
        body = changes(server, token).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_write_is_one_change_set_with_its_author_before_and_after(server: Server) -> None:
    editor, admin = server.tokens["editor"], server.tokens["admin"]
    old = call(server.url, '{ node(id: "theme-pcve") { name } }').json()["data"]["node"]["name"]
    done = call(server.url, RENAME % "PCVE, renamed for the history test", editor).json()
    revision = done["data"]["updateThematicArea"]["revision"]
    mine = changes(server, editor, filter={"fromRevision": revision}).json()["data"]["changes"]
    [edge] = mine["edges"]
    cs = edge["node"]
    assert cs["revision"] == revision and cs["size"] == 1
    assert cs["author"] == {"name": "test editor", "role": "editor", "via": "mutation"}
    [record] = [e["node"] for e in cs["records"]["edges"]]
    assert (record["entity"], record["key"], record["kind"]) == (
        "NODE",
        "theme-pcve",
        "ThematicArea",
    )
    assert record["before"]["props"]["name"] == old
    assert record["after"]["props"]["name"] == "PCVE, renamed for the history test"
    assert record["validFrom"] == cs["at"][:10]
    # the seed was written by the command line: an editor does not see it, an admin does
    everything = changes(server, admin, first=1).json()["data"]["changes"]
    seed = everything["edges"][0]["node"]
    assert seed["author"]["via"] == "seed" and seed["author"]["name"].startswith("cli:")
    assert seed["records"]["totalCount"] == seed["size"] > 1000  # the whole seed: ~2,800
    assert everything["pageInfo"]["hasNextPage"]
    own = changes(server, editor).json()["data"]["changes"]["edges"]
    assert {e["node"]["author"]["name"] for e in own} == {"test editor"}


def test_filters_paging_and_newest_first(server: Server) -> None:
    admin = server.tokens["admin"]
    for name in ("First rename", "Second rename"):
        call(server.url, RENAME % name, server.tokens["editor"])
    by_node = changes(server, admin, filter={"node": "theme-pcve"}).json()["data"]["changes"]
    revisions = [e["node"]["revision"] for e in by_node["edges"]]
    assert revisions == sorted(revisions) and len(revisions) >= 3
    for e in by_node["edges"]:  # a node filter lists only that node's records
        assert {r["node"]["key"] for r in e["node"]["records"]["edges"]} == {"theme-pcve"}
    newest = changes(server, admin, first=1, newest=True).json()["data"]["changes"]
    assert newest["edges"][0]["node"]["revision"] == revisions[-1]
    after = newest["pageInfo"]["endCursor"]
    nxt = changes(server, admin, first=1, newest=True, after=after).json()["data"]["changes"]
    assert nxt["edges"][0]["node"]["revision"] == revisions[-1] - 1
    wrong = changes(server, admin, after=after).json()  # a cursor of the other order
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    by_kind = changes(server, admin, filter={"kinds": ["NeedWeight"]}).json()
    assert by_kind["data"]["changes"]["edges"] == []
    naive = changes(server, admin, filter={"since": "2025-01-01T00:00:00"}).json()
    assert naive["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "filter.since" in naive["errors"][0]["message"]


RECORDS = """
query ($first: Int!, $after: String) { changes(first: 1) { edges { node {
  records(first: $first, after: $after) { edges { cursor node { position } } } } } } }
"""


@pytest.mark.parametrize(
    ("first", "after"),
    [
        (0, None),
        (101, None),
        (-1, None),
        (5, "not-a-cursor"),
        (5, "WyJjaGFuZ2VzIiwgIjEiXQ=="),  # ["changes", "1"]: a cursor of another list
        (5, "WyJyZWNvcmRzIiwgIngiXQ=="),  # ["records", "x"]: forged
    ],
)
def test_record_paging_refuses_edge_values(server: Server, first: int, after: str | None) -> None:
    body = httpx.post(
        f"{server.url}/graphql",
        json={"query": RECORDS, "variables": {"first": first, "after": after}},
        headers={"Authorization": f"Bearer {server.tokens['admin']}"},
        timeout=30,
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


def test_records_page_through_a_whole_change_set(server: Server) -> None:
    admin = {"Authorization": f"Bearer {server.tokens['admin']}"}
    seen: list[int] = []
    after = None
    while len(seen) < 250:
        body = httpx.post(
            f"{server.url}/graphql",
            json={"query": RECORDS, "variables": {"first": 100, "after": after}},
            headers=admin,
            timeout=30,
        ).json()
        edges = body["data"]["changes"]["edges"][0]["node"]["records"]["edges"]
        seen += [e["node"]["position"] for e in edges]
        after = edges[-1]["cursor"]
    assert seen == list(range(1, len(seen) + 1))


SUMMARY = "query ($k: KnownAt) { networkSummary(knownAt: $k) { revision nodes relationships } }"
FIND = """
query ($k: KnownAt) { civilSocietyOrganizations(filter: {text: "Quillon"}, knownAt: $k)
  { totalCount edges { node { key name programmes { totalCount } } } } }
"""


def _data(server: Server, query: str, token: str | None = None, **variables: object) -> dict:
    body = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=60,
    ).json()
    assert "errors" not in body, body
    return body["data"]


def _write(server: Server, mutation: str) -> int:
    body = call(server.url, mutation, server.tokens["editor"]).json()
    payload = next(iter(body["data"].values()))
    assert payload["userErrors"] == [], payload
    return int(payload["revision"])


def test_known_at_reproduces_a_figure_after_corrections(server: Server) -> None:
    """A published summary is reproduced, exactly, at its revision and at its instant, after
    later writes; nested fields come from the same past."""
    published = _data(server, SUMMARY)["networkSummary"]
    at = changes(server, server.tokens["admin"], first=1, newest=True).json()["data"]
    instant = at["changes"]["edges"][0]["node"]["at"]
    made = _write(
        server,
        'mutation { createCivilSocietyOrganization(input: {key: "cso-quillon", '
        'name: "Quillon Youth Forum"}) { revision userErrors { message } } }',
    )
    _write(
        server,
        'mutation { addPartnership(input: {actor: "cso-quillon", programme: "prog-bsm", '
        "role: IMPLEMENTING}) { revision userErrors { message } } }",
    )
    now = _data(server, SUMMARY)["networkSummary"]
    assert now["nodes"] == published["nodes"] + 1
    for known in (published["revision"], instant):
        again = _data(server, SUMMARY, k=known)["networkSummary"]
        assert again == published, known
    before = _data(server, FIND, server.tokens["analyst"], k=made)["civilSocietyOrganizations"]
    assert before["totalCount"] == 1
    assert before["edges"][0]["node"]["programmes"]["totalCount"] == 0  # the partnership came later
    today = _data(server, FIND, server.tokens["analyst"])["civilSocietyOrganizations"]
    assert today["edges"][0]["node"]["programmes"]["totalCount"] == 1
    gone = _data(server, FIND, server.tokens["analyst"], k=made - 1)["civilSocietyOrganizations"]
    assert gone["totalCount"] == 0


def test_known_at_never_shows_what_is_restricted_then_or_now(server: Server) -> None:
    update = (
        'mutation { updateCivilSocietyOrganization(input: {id: "cso-quillon", '
        "sensitivity: %s}) { revision userErrors { message } } }"
    )
    restricted = _write(server, update % "RESTRICTED")
    public = _write(server, update % "PUBLIC")
    viewer = server.tokens["viewer"]
    seen = _data(server, FIND, viewer, k=public)["civilSocietyOrganizations"]["totalCount"]
    assert seen == 1  # public then and now
    then = _data(server, FIND, viewer, k=restricted)["civilSocietyOrganizations"]["totalCount"]
    assert then == 0  # restricted then, public now: still hidden in the past
    again = _write(server, update % "RESTRICTED")
    for k in (restricted - 1, public, again):
        found = _data(server, FIND, viewer, k=k)["civilSocietyOrganizations"]["totalCount"]
        assert found == 0, k  # restricted now: hidden in every past
    analyst = _data(server, FIND, server.tokens["analyst"], k=public)
    assert analyst["civilSocietyOrganizations"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        (
            "{ a: networkSummary(knownAt: 1) { nodes } b: networkSummary(knownAt: 2) { nodes } }",
            "several",
        ),
        ("{ networkSummary(knownAt: 99999) { nodes } }", "not recorded yet"),
        ('{ networkSummary(knownAt: "2025-13-01") { nodes } }', "KnownAt"),
        ('{ networkSummary(knownAt: "2025-06-30T12:00:00") { nodes } }', "offset"),
        ("{ networkSummary(knownAt: -1) { nodes } }", "from 0"),
        ("{ networkSummary(knownAt: 1.5) { nodes } }", "KnownAt"),
    ],
)
def test_bad_known_at_is_refused_with_its_name(server: Server, query: str, fragment: str) -> None:
    body = call(server.url, query).json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert fragment in error["message"], error
    assert "knownAt" in error["message"] or "KnownAt" in error["message"], error


def test_a_day_before_the_first_write_is_the_empty_graph(server: Server) -> None:
    empty = _data(server, SUMMARY, k="2000-01-01")["networkSummary"]
    assert (empty["revision"], empty["nodes"]) == (0, 0)
