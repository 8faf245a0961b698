"""Run the ``partnernet`` command line as a user would: a fresh process on an embedded file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def partnernet(db: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """``partnernet ARGS`` on the embedded store file ``db``; with ``check``, a non-zero exit
    fails the test with the command's stderr."""
    env = {**os.environ, "PARTNERNET_DB": str(db), "PARTNERNET_STORE": "embedded"}
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
