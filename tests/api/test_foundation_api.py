"""The core API over real HTTP: health, counts by kind, node lookup with navigation."""

from __future__ import annotations

import httpx

from tests.api.conftest import Gql
from tests.seed_facts import country_hosting


def test_health_and_counts(gql: Gql, api_url: str) -> None:
    body = gql("{ health { status revision version } countsByKind { kind count } }")
    assert body["data"]["health"]["status"] == "ok"
    assert body["data"]["health"]["revision"] >= 1
    counts = {c["kind"]: c["count"] for c in body["data"]["countsByKind"]}
    assert counts["MEMBER_STATE"] == 193
    assert counts["CIVIL_SOCIETY_ORGANIZATION"] == 160
    assert httpx.get(f"{api_url}/healthz").json() == {"status": "alive"}
    assert httpx.get(f"{api_url}/readyz").status_code == 200


def test_node_lookup_with_neighbours(gql: Gql) -> None:
    body = gql(
        '{ node(id: "ro-au") { key kind name ... on RegionalOrganization { '
        "members(first: 100) { totalCount edges { node { key kind } } } } } }"
    )
    au = body["data"]["node"]
    assert au["kind"] == "REGIONAL_ORGANIZATION" and au["name"] == "African Union"
    assert au["members"]["totalCount"] == 54
    assert {e["node"]["kind"] for e in au["members"]["edges"]} == {"MEMBER_STATE"}
    gid = gql('{ node(id: "KEN") { id } }')["data"]["node"]["id"]
    assert gql(f'{{ node(id: "{gid}") {{ key }} }}')["data"]["node"]["key"] == "KEN"


def test_missing_node_is_null_with_not_found(gql: Gql) -> None:
    body = gql('{ node(id: "nope") { key } }')
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_restricted_actor_is_left_out_unless_privileged(gql: Gql) -> None:
    country = country_hosting(restricted_=True)
    query = (
        f'{{ node(id: "{country}") {{ ... on MemberState {{ actorsBasedHere(first: 100) {{ '
        "totalCount edges { node { key ... on Actor { sensitivity } } } } } } }"
    )
    viewer = gql(query)["data"]["node"]["actorsBasedHere"]
    analyst = gql(query, key="test-analyst-key")["data"]["node"]["actorsBasedHere"]
    restricted = {
        e["node"]["key"] for e in analyst["edges"] if e["node"]["sensitivity"] == "RESTRICTED"
    }
    assert restricted
    shown = {e["node"]["key"] for e in viewer["edges"]}
    assert shown == {e["node"]["key"] for e in analyst["edges"]} - restricted
    assert viewer["totalCount"] == len(shown) == analyst["totalCount"] - len(restricted)
    # and a hidden actor cannot be looked up: the same answer as a key that does not exist
    for key in restricted:
        body = gql(f'{{ node(id: "{key}") {{ key }} }}')
        assert body["data"]["node"] is None
        assert body["errors"][0]["message"] == f"no node with id {key!r}"
        assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
