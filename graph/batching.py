"""Batches of an iterable, for work sent to a store a batch at a time (writes of a large
import, reads of many ids): ``itertools.batched`` from Python 3.12, as lists, while the
project still supports 3.11.

>>> [batch for batch in batched(range(5), 2)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

__all__ = ["batched"]

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), lazily."""
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
