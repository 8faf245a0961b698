"""The official graphql-http server audits (GraphQL over HTTP spec) against the live server."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIT_SCRIPT = REPO_ROOT / "tools" / "graphql-audit" / "audit.mjs"

EXPECTED_AUDITS = 61
SUMMARY = re.compile(r"^graphql-http audits: (\d+) passed, (\d+) failed$")
RESULT_LINE = re.compile(r"^(ok|notice|warn|error) +(\S+) (.*)$")


def test_all_graphql_http_audits_pass(node: str, graphql_url: str) -> None:
    proc = subprocess.run(
        [node, str(AUDIT_SCRIPT), graphql_url],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    summaries = [m for line in lines if (m := SUMMARY.match(line))]
    assert summaries, f"no summary line in the audit output:\n{output}"
    passed, failed = (int(n) for n in summaries[-1].groups())

    results = [m.groups() for line in lines if (m := RESULT_LINE.match(line))]
    not_ok = [f"{status} {audit_id} {rest}" for status, audit_id, rest in results if status != "ok"]

    assert not not_ok, "audits not passing:\n" + "\n".join(not_ok)
    assert (passed, failed) == (EXPECTED_AUDITS, 0), output
    assert len(results) == EXPECTED_AUDITS, output
    assert proc.returncode == 0, output
