"""The field's formats (IATI, HXL/3W, CSV and XLSX templates) import the same on both stores:
the dry run writes nothing, the import stamps provenance and is one change set, and the same
file again changes nothing. (Each reader's own rules: tests/exchange.)"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from graph.exchange import import_file
from graph.exchange.importer import Format
from graph.exchange.mapping import ImportMapping
from graph.history import Author, ChangeFilter
from graph.store import GraphStore
from seeds.reference import reference_changes
from tests.conftest import StoreFactory

FIXTURES = Path(__file__).parents[1] / "exchange" / "fixtures"
MAPPING = ImportMapping(
    organisations={"ZZ-GOV-KE": "KEN"},
    sectors={"15210": "theme-pcve", "152": "theme-hr-rol", "PVE": "theme-pcve"},
    regions={"289": ["ro-au"]},
    currency={"EUR": 1.1},
)
IMPORTER = Author("cli:tester", "cli", "import")


def workbook_of(directory: Path, out: Path) -> Path:
    """The template CSV directory as one workbook, a sheet per file."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(directory.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                sheet.append(row)
    book.save(out)
    return out


def source(fmt: Format, tmp_path: Path) -> Path:
    if fmt == "iati":
        return FIXTURES / "iati" / "activities.xml"
    if fmt == "hxl":
        return FIXTURES / "hxl" / "3w_kenya.csv"
    partners = FIXTURES / "tabular" / "partners"
    return partners if fmt == "csv" else workbook_of(partners, tmp_path / "partners.xlsx")


async def seeded(store_factory: StoreFactory) -> GraphStore:
    store = await store_factory()
    await store.apply(list(reference_changes()))
    return store


@pytest.mark.parametrize("fmt", ["iati", "hxl", "csv", "xlsx"])
async def test_dry_run_import_provenance_and_idempotence(
    store_factory: StoreFactory, tmp_path: Path, fmt: Format
) -> None:
    store = await seeded(store_factory)
    path = source(fmt, tmp_path)
    before = await store.revision()

    dry = await import_file(store, path, fmt=fmt, mapping=MAPPING, dry_run=True)
    assert dry.dry_run and dry.problems is None
    assert dry.nodes_written > 0 and dry.relationships_written > 0
    assert await store.revision() == before  # nothing written

    done = await import_file(store, path, fmt=fmt, mapping=MAPPING, author=IMPORTER)
    assert done.revision == before + 1
    assert (done.nodes, done.relationships) == (dry.nodes, dry.relationships)  # as announced

    page = await store.change_sets(ChangeFilter(from_revision=done.revision), first=5)
    [change_set] = page.items
    assert change_set.author == IMPORTER
    records = await store.change_records(done.revision, first=500)
    created = [r.id for _, r in records if r.before is None]
    assert created
    for node in await store.get_nodes(created):
        if node is None:  # a relationship id
            continue
        assert node.props["imported_from"] == path.name
        assert node.props["imported_where"].startswith(str(path))
        assert node.props["imported_at"].endswith("Z")

    again = await import_file(store, path, fmt=fmt, mapping=MAPPING)
    assert not again.changed and again.revision == done.revision
    assert sum(c.unchanged for c in again.nodes.values()) == done.nodes_written
