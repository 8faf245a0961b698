"""Roles and keys over real HTTP on both stores: who may read what and change what, and how a
bad credential is answered (never as anonymous)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from api.stores import store_from_settings
from graph.keys import Role, issue
from tests.api.conftest import PRIVILEGED_KEY, _seed, _settings
from tests.conftest import STORE_KINDS
from tests.live import serve

RESTRICTED_QUERY = (
    '{ civilSocietyOrganizations(first: 100, filter: {sensitivity: RESTRICTED}) '
    "{ edges { node { name redacted } } } }"
)
CREATE = (
    "mutation { createThematicArea(input: {key: \"theme-access-%s\", name: \"Access test %s\", "
    "code: \"ACCESS\"}) "
    "{ thematicArea { key } userErrors { code } } }"
)


@dataclasses.dataclass
class Server:
    url: str
    tokens: dict[str, str]  # role name (and "revoked") -> token


def _issue_keys(settings: Settings) -> dict[str, str]:
    async def run() -> dict[str, str]:
        store = store_from_settings(settings)
        await store.open()
        try:
            tokens = {}
            for role in Role:
                token, record = issue(f"test {role.value}", role)
                await store.create_key(record)
                tokens[role.value] = token
            token, record = issue("test revoked", Role.ADMIN)
            await store.create_key(record)
            await store.revoke_key(record.id, datetime.now(UTC))
            tokens["revoked"] = token
            return tokens
        finally:
            await store.close()

    return asyncio.run(run())


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    settings = _settings(request.param, tmp_path_factory.mktemp("access") / "api.db")
    _seed(settings)
    tokens = _issue_keys(settings)
    with serve(create_app(dataclasses.replace(settings, lineage_warm_seconds=0))) as url:
        yield Server(url, tokens)
    if settings.store == "neo4j":
        _seed(settings)  # the session's read-only servers share this database


def call(url: str, query: str, token: str | None = None, scheme: str = "Bearer") -> httpx.Response:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=30)


def names(response: httpx.Response) -> list[str]:
    body: dict[str, Any] = response.json()
    edges = body["data"]["civilSocietyOrganizations"]["edges"]
    return [e["node"]["name"] for e in edges]


@pytest.mark.parametrize(
    "bad",
    ["wrong-key", "pn_0123456789abcdef_" + "x" * 43, "revoked"],
)
def test_a_bad_key_is_401_never_anonymous(server: Server, bad: str) -> None:
    token = server.tokens.get(bad, bad)
    response = call(server.url, "{ health { status } }", token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="partnernet"')
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    export = httpx.get(
        f"{server.url}/exports/coverage.csv",
        params={"groupBy": "region"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert export.status_code == 401


def test_another_scheme_is_401(server: Server) -> None:
    response = call(server.url, "{ health { status } }", "dXNlcjpwYXNz", scheme="Basic")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("who", "sees_names", "may_write"),
    [
        (None, False, False),
        ("viewer", False, False),
        ("analyst", True, False),
        ("editor", True, True),
        ("admin", True, True),
        ("static", True, True),
    ],
)
def test_role_matrix(server: Server, who: str | None, sees_names: bool, may_write: bool) -> None:
    token = PRIVILEGED_KEY if who == "static" else server.tokens.get(who or "")
    if sees_names:
        seen = names(call(server.url, RESTRICTED_QUERY, token))
        assert seen and "Restricted actor" not in seen
    else:  # the sensitivity filter itself may be refused; either way no name shows
        body = call(server.url, RESTRICTED_QUERY, token).json()
        if body.get("data"):
            assert set(names(call(server.url, RESTRICTED_QUERY, token))) <= {"Restricted actor"}
    tag = who or "anonymous"
    result = call(server.url, CREATE % (tag, tag), token).json()["data"]["createThematicArea"]
    if may_write:
        assert result["userErrors"] == [] and result["thematicArea"]["key"].endswith(tag)
    else:
        assert [e["code"] for e in result["userErrors"]] == ["FORBIDDEN"]


def test_anonymous_access_is_refused_off_loopback_unless_allowed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    settings = _settings("embedded", tmp_path_factory.mktemp("anon") / "api.db")
    _seed(settings)
    # The app is served on loopback here, but configured as if bound to every interface.
    exposed = dataclasses.replace(settings, host="0.0.0.0", lineage_warm_seconds=0)
    with serve(create_app(exposed)) as url:
        refused = call(url, "{ health { status } }")
        assert refused.status_code == 401
        assert "requires an API key" in refused.json()["errors"][0]["message"]
        assert httpx.get(f"{url}/healthz").status_code == 200  # probes stay open
        assert call(url, "{ health { status } }", PRIVILEGED_KEY).status_code == 200
    with serve(create_app(dataclasses.replace(exposed, anonymous=True))) as url:
        assert call(url, "{ health { status } }").status_code == 200
