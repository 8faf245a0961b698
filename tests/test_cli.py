"""The ``partnernet`` command, run as a user would: in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seeds.synthetic import generate


def run(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PARTNERNET_DB": str(tmp_path / "cli.db"), "PARTNERNET_STORE": "embedded"}
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if check and proc.returncode != 0:
        pytest.fail(f"partnernet {' '.join(args)} failed: {proc.stderr}")
    return proc


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = run(tmp_path, "--help").stdout
    for cmd in ("serve", "seed", "import", "export", "schema"):
        assert cmd in out
    assert "--synthetic" in run(tmp_path, "seed", "--help").stdout


def test_seed_export_import_cycle(tmp_path: Path) -> None:
    first = run(tmp_path, "seed")
    assert "seed data loaded" in first.stdout and "MemberState: 193" in first.stdout
    assert "nothing changed" in run(tmp_path, "seed").stdout
    out = tmp_path / "export.jsonl"
    run(tmp_path, "export", str(out))
    lines = out.read_text().splitlines()
    kinds = [json.loads(line).get("labels", [None])[0] for line in lines]
    assert kinds.count("MemberState") == 193
    assert kinds.count("CivilSocietyOrganization") >= 150
    again = run(tmp_path, "import", str(out))
    assert "0 nodes and 0 relationships changed" in again.stdout
    graphml = tmp_path / "g.graphml"
    run(tmp_path, "export", str(graphml), "--format", "graphml")
    assert graphml.read_text().startswith("<?xml")


def test_bad_import_is_one_clear_line_and_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"type":"node","id":"p1","labels":["Programme"],"properties":{"name":"P"}}\n'
        '{"type":"node","id":"p2","labels":["Programme"],"properties":{"since":"x"}}\n'
    )
    proc = run(tmp_path, "import", str(bad), check=False)
    assert proc.returncode == 1
    assert f"{bad}:2" in proc.stderr and "field 'since'" in proc.stderr
    assert "Traceback" not in proc.stderr
    export = tmp_path / "after.jsonl"
    run(tmp_path, "export", str(export))
    assert export.read_text() == ""


def test_synthetic_seed_streams_in_batches(tmp_path: Path) -> None:
    proc = run(tmp_path, "seed", "--synthetic", "--actors", "500")
    assert "synthetic network of 500 actors" in proc.stdout
    out = tmp_path / "s.jsonl"
    run(tmp_path, "export", str(out))
    written = {c.id for c in generate(500, seed=7)}  # the CLI's default seed
    exported = [json.loads(line)["id"] for line in out.read_text().splitlines() if '"syn-' in line]
    assert set(exported) == written and len(exported) == len(written)


def test_schema_command_writes_sdl(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    run(tmp_path, "schema", str(target))
    assert "type Query" in target.read_text()
