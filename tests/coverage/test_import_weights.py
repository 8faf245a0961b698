"""``partnernet import-weights``, run as a user would: the documented example loads, every bad
file is refused with one clear line naming file:line and field, and nothing is loaded then."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.model import WeightScope
from tests.cli import partnernet

EXAMPLE = Path(__file__).resolve().parents[2] / "seeds" / "need_weights.example.csv"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return partnernet(db, *args)


def stored(db: Path) -> dict[tuple[WeightScope, str], float]:
    async def read() -> dict[tuple[WeightScope, str], float]:
        store = EmbeddedStore(db)
        await store.open()
        try:
            return await store.need_weights()
        finally:
            await store.close()

    return asyncio.run(read())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store holding the example weights."""
    db = tmp_path_factory.mktemp("weights") / "w.db"
    seed = run(db, "seed")
    assert seed.returncode == 0, seed.stderr
    loaded = run(db, "import-weights", str(EXAMPLE))
    assert loaded.returncode == 0, loaded.stderr
    assert f"from {EXAMPLE}" in loaded.stdout
    return db


def test_the_documented_example_loads(seeded: Path) -> None:
    weights = stored(seeded)
    lines = [ln for ln in EXAMPLE.read_text().splitlines()[1:] if ln.strip()]
    assert len(weights) == len(lines)
    assert weights[(WeightScope.REGION, "Africa")] > 1
    assert (WeightScope.THEME, "theme-vot") in weights


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("scope,key,value\nREGION,Africa,2\n", 1, "header must be scope,key,weight"),
        ("scope,key,weight\nREGION,Africa,2\nCOUNTRY,KEN,high\n", 3, "field 'weight'"),
        ("scope,key,weight\nCOUNTRY,XYZ,2\n", 2, "field 'key'"),
        ("scope,key,weight\nREGION,Asia,1\nTHEME,theme-unicorns,2\n", 3, "field 'key'"),
        ("scope,key,weight\nREGION,Asia,-0.5\n", 2, "field 'weight'"),
        ("scope,key,weight\nREGION,Asia,1\nCOUNTRY,KEN,2\nREGION,Asia,3\n", 4, "duplicate"),
        ("scope,key,weight\nPLANET,Mars,1\n", 2, "field 'scope'"),
    ],
    ids=[
        "bad-header",
        "bad-number",
        "unknown-country",
        "unknown-theme",
        "negative",
        "duplicate",
        "unknown-scope",
    ],
)
def test_a_bad_file_loads_nothing(
    seeded: Path, tmp_path: Path, text: str, line: int, needle: str
) -> None:
    before = stored(seeded)
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    proc = run(seeded, "import-weights", str(path))
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1
    where = rf"{re.escape(str(path))}:{line}\b"
    assert re.search(where, message), message
    assert needle in message
    assert stored(seeded) == before
