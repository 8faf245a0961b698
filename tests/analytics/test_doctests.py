"""The examples in the analytics docstrings run and give what they say."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from analytics import centrality, projection, structure


@pytest.mark.parametrize("module", [centrality, projection, structure], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
