"""Settings and middleware at the HTTP edge: key lists, CORS for dashboards on other origins,
compression of large answers."""

from __future__ import annotations

import dataclasses
import os

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import _seed, _settings
from tests.live import serve

DASHBOARD = "https://dashboard.example.org"


def test_key_lists_are_parsed_robustly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "PARTNERNET_PRIVILEGED_KEYS", " key-one, key-two ,,")
    monkeypatch.setitem(os.environ, "PARTNERNET_CORS_ORIGINS", f"{DASHBOARD} , ")
    settings = Settings.from_env()
    assert settings.privileged_keys == {"key-one", "key-two"}
    assert settings.cors_origins == (DASHBOARD,)


def test_cors_and_compression(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = _settings("embedded", tmp_path_factory.mktemp("edge") / "api.db")
    _seed(settings)
    settings = dataclasses.replace(settings, cors_origins=(DASHBOARD,), lineage_warm_seconds=0)
    query = "{ memberStates(first: 100) { edges { node { key name } } } }"
    with serve(create_app(settings)) as base:
        preflight = httpx.options(
            f"{base}/graphql",
            headers={
                "Origin": DASHBOARD,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == DASHBOARD
        other = httpx.options(
            f"{base}/graphql",
            headers={"Origin": "https://else.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": query},
            headers={"Origin": DASHBOARD, "Accept-Encoding": "gzip"},
        )
        assert answer.headers["access-control-allow-origin"] == DASHBOARD
        assert "RateLimit-Remaining" in answer.headers["access-control-expose-headers"]
        assert answer.headers["content-encoding"] == "gzip"
        assert len(answer.json()["data"]["memberStates"]["edges"]) == 100
        plain = httpx.post(
            f"{base}/graphql", json={"query": query}, headers={"Accept-Encoding": "identity"}
        )
        assert "content-encoding" not in plain.headers
        assert int(plain.headers["content-length"]) > 3 * answer.num_bytes_downloaded
