"""The synthetic networks the benchmarks share, seeded once per size and reused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: Where the benchmarks keep them unless told otherwise (``--workdir``).
WORKDIR = Path("/tmp/partnernet-bench")


def seeded_store(workdir: Path, actors: int) -> Path:
    """The synthetic network's store file, seeded by the CLI unless it exists.

    Seeded in a scratch directory and moved into place only when the CLI succeeded, so an
    interrupted seed never leaves a half-written file to be reused.
    """
    path = workdir / f"synthetic-{actors}.db"
    if path.exists():
        return path
    scratch = workdir / f".seeding-{actors}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    cli = Path(sys.executable).with_name("partnernet")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "api.cli"]
    command += ["seed", "--synthetic", "--actors", str(actors)]
    env = {**os.environ, "PARTNERNET_STORE": "embedded", "PARTNERNET_DB": str(scratch / path.name)}
    start = time.perf_counter()
    print(f"seeding {actors:,} actors into {path} ...", flush=True)
    done = subprocess.run(command, env=env, cwd=scratch, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"seeding failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    (scratch / path.name).rename(path)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"seeded in {time.perf_counter() - start:.0f} s", flush=True)
    return path
