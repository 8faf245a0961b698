"""The minimal API over real HTTP: health, counts by kind, node lookup with neighbours."""

from __future__ import annotations

import httpx


def test_health_and_counts(gql, api_url: str) -> None:  # type: ignore[no-untyped-def]
    body = gql("{ health { status revision version } countsByKind { kind count } }")
    assert body["data"]["health"]["status"] == "ok"
    assert body["data"]["health"]["revision"] >= 1
    counts = {c["kind"]: c["count"] for c in body["data"]["countsByKind"]}
    assert counts["MemberState"] == 193
    assert counts["CivilSocietyOrganization"] == 160
    assert httpx.get(f"{api_url}/healthz").json() == {"status": "alive"}
    assert httpx.get(f"{api_url}/readyz").status_code == 200


def test_node_lookup_with_neighbours(gql) -> None:  # type: ignore[no-untyped-def]
    body = gql(
        '{ node(id: "ro-au") { key kind name neighbours(type: "MEMBER_OF") '
        "{ direction node { key kind } } } }"
    )
    au = body["data"]["node"]
    assert au["kind"] == "RegionalOrganization" and au["name"] == "African Union"
    assert len(au["neighbours"]) == 54
    assert {n["direction"] for n in au["neighbours"]} == {"IN"}
    gid = gql('{ node(id: "KEN") { id } }')["data"]["node"]["id"]
    assert gql(f'{{ node(id: "{gid}") {{ key }} }}')["data"]["node"]["key"] == "KEN"


def test_missing_node_is_null_with_not_found(gql) -> None:  # type: ignore[no-untyped-def]
    body = gql('{ node(id: "nope") { key } }')
    assert body["data"]["node"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_restricted_actor_is_redacted_unless_privileged(gql) -> None:  # type: ignore[no-untyped-def]
    # Djibouti hosts restricted CSOs in the seed data
    body = gql(
        '{ node(id: "DJI") { neighbours(type: "BASED_IN") { node { key name properties } } } }'
    )
    names = {n["node"]["key"]: n["node"] for n in body["data"]["node"]["neighbours"]}
    hidden = [n for n in names.values() if n["properties"].get("sensitivity") == "RESTRICTED"]
    privileged = gql(
        '{ node(id: "DJI") { neighbours(type: "BASED_IN") { node { key name } } } }',
        key="test-analyst-key",
    )
    real = {n["node"]["key"]: n["node"]["name"] for n in privileged["data"]["node"]["neighbours"]}
    assert hidden
    for n in hidden:
        assert n["name"] == "Restricted actor"
        assert "description" not in n["properties"]
        assert real[n["key"]] != "Restricted actor"
