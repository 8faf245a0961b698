"""``partnernet seed``, ``export`` and ``import`` on Neo4j, run as a user would, give exactly
the embedded store's bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.factory import Neo4jConfig
from graph.neo4j import Neo4jStore


def partnernet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"partnernet {' '.join(args)} failed: {proc.stderr[-3000:]}")
    return proc


async def test_seed_export_and_import_give_the_embedded_bytes(
    cfg: Neo4jConfig, neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    embedded = {"PARTNERNET_STORE": "embedded", "PARTNERNET_DB": str(tmp_path / "ref.db")}
    neo = {
        "PARTNERNET_STORE": "neo4j",
        "NEO4J_URI": cfg.uri,
        "NEO4J_USER": cfg.user,
        "NEO4J_PASSWORD": cfg.password,
        "NEO4J_DATABASE": cfg.database,
        "NEO4J_BATCH_SIZE": "700",
    }
    partnernet(embedded, "seed")
    partnernet(embedded, "export", str(tmp_path / "embedded.jsonl"))
    expected = (tmp_path / "embedded.jsonl").read_bytes()

    seeded = partnernet(neo, "seed")
    assert "seed data loaded" in seeded.stdout and "MemberState: 193" in seeded.stdout
    assert "nothing changed" in partnernet(neo, "seed").stdout
    partnernet(neo, "export", str(tmp_path / "neo4j.jsonl"))
    assert (tmp_path / "neo4j.jsonl").read_bytes() == expected

    await neo4j_store.reset()
    imported = partnernet(neo, "import", str(tmp_path / "embedded.jsonl"))
    assert "(revision 1)" in imported.stdout
    again = partnernet(neo, "import", str(tmp_path / "embedded.jsonl"))
    assert "0 nodes and 0 relationships changed (revision 1)" in again.stdout
    partnernet(neo, "export", str(tmp_path / "reimported.jsonl"))
    assert (tmp_path / "reimported.jsonl").read_bytes() == expected


def test_unreachable_neo4j_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = {"PARTNERNET_STORE": "neo4j", "NEO4J_URI": "bolt://127.0.0.1:1"}
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "export", str(tmp_path / "x.jsonl")],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "NEO4J_PASSWORD": "do-not-print-me"},
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "do-not-print-me" not in proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if "error" in line]
    assert line.startswith("partnernet export: error: bolt://127.0.0.1:1: Neo4j is unreachable: ")
    assert "Errno" in line, proc.stderr
