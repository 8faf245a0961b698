"""NumPy's huge-page advice: the private switch analytics/pages.py uses, and the app's use of it.

``advise_huge_pages`` calls ``numpy._core.multiarray._set_madvise_hugepage``; these tests fail
if NumPy removes it or stops honouring it, in this process or in one started from it.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from numpy._core import multiarray

from analytics.pages import VARIABLE, advise_huge_pages
from api.app import create_app
from tests.api.conftest import _settings
from tests.live import serve

#: NumPy's private switch: sets the advice and returns the previous one.
switch: Callable[[bool], bool] = multiarray._set_madvise_hugepage  # type: ignore[attr-defined]


@pytest.fixture
def restored() -> Iterator[None]:
    """Leave the process's advice, and the variable, as they were."""
    variable = os.environ.get(VARIABLE)
    before = switch(True)
    switch(before)
    yield
    switch(before)
    if variable is None:
        os.environ.pop(VARIABLE, None)
    else:
        os.environ[VARIABLE] = variable


def _child_advice() -> bool:
    """The advice a Python process started from this one begins with."""
    code = "from numpy._core import multiarray as m; print(m._set_madvise_hugepage(True))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


@pytest.mark.usefixtures("restored")
def test_advice_is_set_here_and_in_processes_started_later() -> None:
    advise_huge_pages(True)
    assert advise_huge_pages(False) is True
    assert switch(False) is False
    assert not _child_advice()
    advise_huge_pages(True)
    assert switch(True) is True
    assert _child_advice()


@pytest.mark.usefixtures("restored")
@pytest.mark.parametrize("wanted", [False, True])
def test_the_app_applies_the_setting_at_start(tmp_path: Path, wanted: bool) -> None:
    settings = dataclasses.replace(
        _settings("embedded", tmp_path / "pages.db"),
        numpy_huge_pages=wanted,
        lineage_warm_seconds=0,
    )
    advise_huge_pages(not wanted)
    with serve(create_app(settings)):
        assert switch(wanted) is wanted
        assert os.environ[VARIABLE] == ("1" if wanted else "0")


@pytest.mark.parametrize(("raw", "wanted"), [(None, False), ("0", False), ("1", True)])
def test_the_setting_reads_numpys_own_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: str | None, wanted: bool
) -> None:
    if raw is None:
        monkeypatch.delenv(VARIABLE, raising=False)
    else:
        monkeypatch.setenv(VARIABLE, raw)
    assert _settings("embedded", tmp_path / "pages.db").numpy_huge_pages is wanted
