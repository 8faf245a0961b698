"""The core API over real HTTP: health, counts by kind, node lookup with navigation."""

from __future__ import annotations

import httpx

from tests.api.conftest import Gql


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


def test_restricted_actor_is_redacted_unless_privileged(gql: Gql) -> None:
    # Djibouti hosts restricted CSOs in the seed data
    query = (
        '{ node(id: "DJI") { ... on MemberState { actorsBasedHere(first: 100) { edges { node '
        "{ key name description since source ... on Actor { sensitivity redacted } } } } } } }"
    )
    body = gql(query)
    nodes = [e["node"] for e in body["data"]["node"]["actorsBasedHere"]["edges"]]
    hidden = [n for n in nodes if n["sensitivity"] == "RESTRICTED"]
    privileged = gql(query, key="test-analyst-key")
    real = {
        e["node"]["key"]: e["node"] for e in privileged["data"]["node"]["actorsBasedHere"]["edges"]
    }
    assert hidden
    for n in hidden:
        assert n["name"] == "Restricted actor" and n["redacted"] is True
        assert n["description"] is None and n["since"] is None and n["source"] is None
        assert real[n["key"]]["name"] != "Restricted actor"
        assert real[n["key"]]["redacted"] is False
