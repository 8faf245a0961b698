"""A workbook that unpacks to far more than its size is refused before openpyxl reads it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from graph.exchange.mapping import ImportMapping
from graph.exchange.problems import ProblemLog
from graph.exchange.tabular import read_xlsx_file
from graph.exchange.workbook import MAX_RATIO, open_workbook


def bomb(path: Path, unpacked: int) -> Path:
    """A zip whose one member is ``unpacked`` zero bytes: a few kilobytes on disk."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(unpacked >> 20):
            member.write(b"\0" * (1 << 20))
    return path


def test_a_zip_bomb_is_refused_naming_its_sizes(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx", 64 << 20)
    assert MAX_RATIO * path.stat().st_size < (64 << 20)
    with pytest.raises(ValueError, match="refused as a likely zip bomb"):
        open_workbook(path)
    log = ProblemLog(str(path))
    read = read_xlsx_file(path, log, None, ImportMapping())
    assert not read.complete and "zip bomb" in str(log.error())


def test_a_real_workbook_opens(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["id", "name"])
    book.save(tmp_path / "ok.xlsx")
    opened = open_workbook(tmp_path / "ok.xlsx")
    try:
        assert [list(r) for r in opened.active.iter_rows(values_only=True)] == [["id", "name"]]
    finally:
        opened.close()
