"""The ``partnernet`` command, run as a user would: in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from seeds.synthetic import generate
from tests.cli import partnernet


def run(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return partnernet(tmp_path / "cli.db", *args, check=check)


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


def test_openmp_is_quieted_before_networkit_loads() -> None:
    """``main`` sets OMP_WAIT_POLICY (api/cli.py, ``quiet_openmp``), which OpenMP reads once,
    when NetworKit is first imported: so importing the CLI must not import NetworKit."""
    code = (
        "import os, sys\n"
        "import api.cli\n"
        "assert 'networkit' not in sys.modules, 'the CLI imports NetworKit before main runs'\n"
        "api.cli.quiet_openmp()\n"
        "import networkit\n"
        "print(os.environ['OMP_WAIT_POLICY'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "PASSIVE"


def test_history_lists_every_change_of_a_node(tmp_path: Path) -> None:
    """Seeded, then re-imported with a changed name: two change sets for the node, authored
    by the command line, each with its before and after."""
    run(tmp_path, "seed")
    out = tmp_path / "export.jsonl"
    run(tmp_path, "export", str(out))
    lines = out.read_text().splitlines()
    for i, line in enumerate(lines):
        record = json.loads(line)
        if record["type"] == "node" and record["id"] == "theme-pcve":
            record["properties"]["name"] = "Renamed by an import"
            lines[i] = json.dumps(record)
            break
    else:
        raise AssertionError("theme-pcve is not in the export")
    out.write_text("\n".join(lines) + "\n")
    run(tmp_path, "import", str(out))
    shown = run(tmp_path, "history", "theme-pcve").stdout.splitlines()
    heads = [line for line in shown if line.startswith("revision ")]
    assert len(heads) == 2
    assert "(cli, seed)" in heads[0] and "(cli, import)" in heads[1]
    changes = [json.loads(line) for line in shown if line.startswith("  ")]
    assert changes[0]["before"] is None
    assert changes[1]["before"]["props"]["name"] == changes[0]["after"]["props"]["name"]
    assert changes[1]["after"]["props"]["name"] == "Renamed by an import"
    missing = run(tmp_path, "history", "no-such-node", check=False)
    assert missing.returncode == 1 and "no recorded change" in missing.stderr
