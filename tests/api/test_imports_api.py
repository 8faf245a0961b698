"""``POST /imports`` over real HTTP on both stores: who may import, the dry run, the report,
problems without server paths, provenance by role, and the upload bounds."""

from __future__ import annotations

import httpx

from tests.abuse.test_access import Server, call
from tests.abuse.test_access import server as server  # the same keyed server, per module

SHEET = """\
Who does what where
#org+name,#org+code,#org+type,#sector+code,#activity+name,#country+code,#date+start
Cobalt Lantern Collective,XF-UP-1,NGO,BSM,Border dialogue,KEN,2024-01-15
Quiet Meadow Network,XF-UP-2,INGO,BSM,Border dialogue,KEN,2024-02-01
"""
MAPPING = '[sectors]\nBSM = "theme-bsm"\n'

FIND = """
query { civilSocietyOrganizations(filter: {text: "Cobalt Lantern"}) { totalCount edges { node {
  key name provenance { importedFrom importedWhere importedAt }
  activities { edges { node { key } provenance { importedFrom importedWhere } } } } } } }
"""


def upload(
    server: Server,
    token: str | None,
    sheet: str = SHEET,
    *,
    name: str = "3w.csv",
    mapping: str | None = MAPPING,
    **params: str,
) -> httpx.Response:
    files = {"file": (name, sheet.encode(), "text/csv")}
    if mapping is not None:
        files["mapping"] = ("mapping.toml", mapping.encode(), "application/toml")
    return httpx.post(
        f"{server.url}/imports",
        files=files,
        params=params,
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=60,
    )


def revision(server: Server) -> int:
    body = call(server.url, "{ health { revision } }").json()
    return int(body["data"]["health"]["revision"])


def test_only_editors_and_admins_may_import(server: Server) -> None:
    before = revision(server)
    for token in (None, server.tokens["viewer"], server.tokens["analyst"]):
        response = upload(server, token)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "FORBIDDEN"
    assert revision(server) == before


def test_a_dry_run_reports_and_writes_nothing_then_the_import_does(server: Server) -> None:
    editor = server.tokens["editor"]
    before = revision(server)
    dry = upload(server, editor, dryRun="true")
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["dryRun"] is True and report["revision"] == before
    assert report["nodes"]["CivilSocietyOrganization"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert report["relationships"]["PARTICIPATED_IN"]["created"] == 2
    assert revision(server) == before

    done = upload(server, editor)
    assert done.status_code == 200, done.text
    assert done.json()["revision"] == before + 1
    again = upload(server, editor).json()  # the same file again changes nothing
    assert again["revision"] == before + 1
    assert again["nodes"]["CivilSocietyOrganization"]["unchanged"] == 2

    # New civil society organisations are restricted: viewers do not see them at all.
    viewer = call(server.url, FIND, server.tokens["viewer"]).json()["data"]
    assert viewer["civilSocietyOrganizations"]["totalCount"] == 0
    # Analysts see them, with their provenance, on the node and on its edges.
    analyst = call(server.url, FIND, server.tokens["analyst"]).json()["data"]
    [edge] = analyst["civilSocietyOrganizations"]["edges"]
    provenance = edge["node"]["provenance"]
    assert provenance["importedFrom"] == "3w.csv"
    assert provenance["importedWhere"] == "3w.csv:3"
    assert provenance["importedAt"]
    [activity] = edge["node"]["activities"]["edges"]
    assert activity["provenance"]["importedWhere"] == "3w.csv:3"


def test_the_upload_is_one_change_set_by_its_key(server: Server) -> None:
    editor = server.tokens["editor"]
    sheet = SHEET.replace("Border dialogue", "Border dialogue two")
    done = upload(server, editor, sheet, name="second.csv").json()
    query = """query ($r: Int) { changes(filter: {fromRevision: $r}) {
      edges { node { revision author { name role via } } } } }"""
    body = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": {"r": done["revision"]}},
        headers={"Authorization": f"Bearer {server.tokens['admin']}"},
        timeout=30,
    ).json()
    [cs] = [e["node"] for e in body["data"]["changes"]["edges"]]
    assert cs["revision"] == done["revision"]
    assert cs["author"] == {"name": "test editor", "role": "editor", "via": "upload"}


def test_problems_are_422_with_locations_and_no_server_paths(server: Server) -> None:
    before = revision(server)
    bad = SHEET + "Sand Finch Forum,XF-UP-3,Spaceship,BSM,Border dialogue,XXX,2024-13-01\n"
    response = upload(server, server.tokens["editor"], bad, name="../../etc/bad sheet.csv")
    assert response.status_code == 422, response.text
    body = response.json()
    listed = body["problems"]["listed"]
    assert body["problems"]["total"] == len(listed) >= 2
    assert {p["where"] for p in listed} == {"bad_sheet.csv:5"}
    assert {p["field"] for p in listed} >= {"#org+type", "#country+code"}
    assert "partnernet-import-" not in response.text and "/tmp" not in response.text
    assert revision(server) == before
    dry = upload(server, server.tokens["editor"], bad, dryRun="true")
    assert dry.status_code == 422 and dry.json()["dryRun"] is True
    assert dry.json()["nodes"]["CivilSocietyOrganization"]["rejected"] >= 0


def test_bad_requests_are_refused_with_what_is_wrong(server: Server) -> None:
    editor = server.tokens["editor"]
    wrong_format = upload(server, editor, format="pdf")
    assert (
        wrong_format.status_code == 400 and "format must be one of" in wrong_format.json()["error"]
    )
    wrong_flag = upload(server, editor, dryRun="maybe")
    assert wrong_flag.status_code == 400 and "dryRun" in wrong_flag.json()["error"]
    no_file = httpx.post(
        f"{server.url}/imports",
        files={"mapping": ("m.toml", MAPPING.encode())},
        headers={"Authorization": f"Bearer {editor}"},
        timeout=30,
    )
    assert no_file.status_code == 400 and "'file'" in no_file.json()["error"]
    bad_mapping = upload(server, editor, mapping="[sectors\n")
    assert bad_mapping.status_code == 400
    assert "mapping.toml" in bad_mapping.json()["error"] and "/tmp" not in bad_mapping.text


def test_an_upload_past_its_bound_is_413_before_it_is_read(server: Server) -> None:
    big = "x" * 20_000_001
    response = upload(server, server.tokens["editor"], big)
    assert response.status_code == 413
    assert "20,000,000" in response.json()["errors"][0]["message"]
