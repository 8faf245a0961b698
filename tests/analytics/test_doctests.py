"""The examples in the analytics docstrings run and give what they say: every module of the
package, found by walking it, so a new module's examples run without being listed here, and
a module without any example fails (numpydoc docstrings with a small doctested example are
the convention, docs/ARCHITECTURE.md)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import analytics

MODULES = [
    "analytics",
    *sorted(info.name for info in pkgutil.walk_packages(analytics.__path__, prefix="analytics.")),
]


def test_every_module_is_found() -> None:
    assert {"analytics.coverage.tables", "analytics.lineage.outcome", "analytics._fast"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0
