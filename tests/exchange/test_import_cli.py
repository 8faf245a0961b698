"""``partnernet import`` of the field's formats, ``template`` and ``export --format xlsx`` as a
user runs them: the dry run's table, the mapping option, idempotence and the round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli import partnernet

FIXTURES = Path(__file__).parent / "fixtures"
#: The mapping of tests/exchange/test_iati.py's fixtures, as a user writes it.
MAPPING = """
[organisations]
"ZZ-GOV-KE" = "KEN"     # a government is a Member State: only the mapping can say which
[sectors]
"15210" = "theme-pcve"
"152" = "theme-hr-rol"
[regions]
"289" = ["ro-au"]
[currency]
EUR = 1.1
"""


def test_a_dry_run_prints_the_table_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    partnernet(db, "seed", check=True)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    xml = FIXTURES / "iati" / "activities.xml"
    before = partnernet(db, "export", "-", check=True).stdout
    dry = partnernet(db, "import", str(xml), "--mapping", str(mapping), "--dry-run", check=True)
    lines = dry.stdout.splitlines()
    assert lines[0].split() == ["kind", "created", "updated", "unchanged", "rejected"]
    programme = next(line.split() for line in lines if line.startswith("Programme "))
    assert int(programme[1]) > 0 and programme[4] == "0"
    assert lines[-1].startswith(f"dry run of {xml}: would change ")
    assert lines[-1].endswith("nothing was written")
    assert partnernet(db, "export", "-", check=True).stdout == before

    done = partnernet(db, "import", str(xml), "--mapping", str(mapping), check=True)
    assert "changed (revision" in done.stdout.splitlines()[-1]
    again = partnernet(db, "import", str(xml), "--mapping", str(mapping), check=True)
    assert again.stdout.splitlines()[-1].startswith(
        f"imported {xml}: 0 nodes and 0 relationships changed"
    )


def test_a_bad_mapping_is_one_clear_error(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[roles]\n"1" = "DONOR"\n', encoding="utf-8")
    xml = FIXTURES / "iati" / "activities.xml"
    done = partnernet(tmp_path / "cli.db", "import", str(xml), "--mapping", str(mapping))
    assert done.returncode == 1
    assert done.stderr.startswith(f"partnernet import: error: {mapping}:")
    assert "roles.1" in done.stderr and "Traceback" not in done.stderr


def records(jsonl: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in jsonl.splitlines()]


def test_template_export_and_import_round_trip(tmp_path: Path) -> None:
    """The seed exported to the workbook imports into an empty store as the same graph (each
    record stamped with where it came from), and an empty template imports as nothing."""
    seeded, empty = tmp_path / "seeded.db", tmp_path / "empty.db"
    partnernet(seeded, "seed", check=True)
    book = tmp_path / "graph.xlsx"
    partnernet(seeded, "export", str(book), "--format", "xlsx", check=True)
    partnernet(empty, "import", str(book), check=True)
    imported = records(partnernet(empty, "export", "-", check=True).stdout)
    assert all(r["properties"]["imported_from"] == "graph.xlsx" for r in imported)
    stamps = ("imported_from", "imported_where", "imported_at")
    for r in imported:
        r["properties"] = {k: v for k, v in r["properties"].items() if k not in stamps}
    assert imported == records(partnernet(seeded, "export", "-", check=True).stdout)
    template = tmp_path / "template.xlsx"
    partnernet(tmp_path / "unused.db", "template", "xlsx", str(template), check=True)
    nothing = partnernet(empty, "import", str(template), check=True)
    assert ": 0 nodes and 0 relationships changed" in nothing.stdout
