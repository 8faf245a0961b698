"""Roles and keys over real HTTP on both stores: who may read what and change what, and how a
bad credential is answered (never as anonymous)."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
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
    "{ civilSocietyOrganizations(first: 100, filter: {sensitivity: RESTRICTED}) "
    "{ edges { node { name } } } }"
)
CREATE = (
    'mutation { createThematicArea(input: {key: "theme-access-%s", name: "Access test %s", '
    'code: "ACCESS"}) '
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
        assert names(call(server.url, RESTRICTED_QUERY, token))
    else:  # the sensitivity filter would single restricted actors out: refused
        body = call(server.url, RESTRICTED_QUERY, token).json()
        assert not (body.get("data") or {}).get("civilSocietyOrganizations")
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
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


KEYS_QUERY = "{ apiKeys { id name role revokedAt } }"
CREATE_KEY = (
    'mutation { createApiKey(input: {name: "%s", role: VIEWER}) '
    "{ token apiKey { id role } userErrors { code message } } }"
)


def test_only_admins_manage_keys_over_graphql(server: Server) -> None:
    for who in (None, "viewer", "analyst", "editor", "static"):
        token = PRIVILEGED_KEY if who == "static" else server.tokens.get(who or "")
        body = call(server.url, KEYS_QUERY, token).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert call(server.url, CREATE_KEY % f"by {who}", token).json()["data"] is None
    admin = server.tokens["admin"]
    made = call(server.url, CREATE_KEY % "dashboard", admin).json()["data"]["createApiKey"]
    assert made["userErrors"] == [] and made["apiKey"]["role"] == "VIEWER"
    # The new key works at once, as a viewer; the list never shows a secret.
    assert call(server.url, "{ health { status } }", made["token"]).status_code == 200
    listed = call(server.url, KEYS_QUERY, admin).json()["data"]["apiKeys"]
    assert made["apiKey"]["id"] in {k["id"] for k in listed}
    assert made["token"] not in str(listed)
    clash = call(server.url, CREATE_KEY % "dashboard", admin).json()["data"]["createApiKey"]
    assert clash["token"] is None and clash["userErrors"]
    revoke = (
        f'mutation {{ revokeApiKey(input: {{id: "{made["apiKey"]["id"]}"}}) '
        "{ apiKey { revokedAt } userErrors { code } } }"
    )
    revoked = call(server.url, revoke, admin).json()["data"]["revokeApiKey"]
    assert revoked["apiKey"]["revokedAt"] and revoked["userErrors"] == []
    again = call(server.url, revoke, admin).json()["data"]["revokeApiKey"]
    assert [e["code"] for e in again["userErrors"]] == ["NOT_FOUND"]


def test_serve_on_every_interface_refuses_anonymous_callers_and_says_so(tmp_path: Path) -> None:
    from tests.test_single_writer import env_for, free_port, partnernet

    port = free_port()
    env = {**env_for(tmp_path / "exposed.db"), "PARTNERNET_LINEAGE_WARM_SECONDS": "0"}
    env.pop("PARTNERNET_ANONYMOUS", None)
    command = [*partnernet(), "serve", "--host", "0.0.0.0", "--port", str(port)]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as server:
        try:
            assert server.stdout is not None
            lines = []
            for line in server.stdout:
                lines.append(line)
                if line.startswith("access:"):
                    break
            assert "anonymous refused" in lines[-1], lines
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert call(url, "{ health { status } }").status_code == 401
        finally:
            server.terminate()
            server.wait(timeout=30)
