"""Building millions of long-lived objects at once: the cyclic garbage collector paused.

CPython starts a collection every few hundred container allocations, and each one walks the
young objects; while a load or a snapshot makes a million dicts and records, none of them
garbage, that walking is a quarter to a half of the build (measured at 100,000 actors by
``bench/startup.py``). Reference counting still frees everything that is not in a cycle, so
pausing for the length of one build costs nothing but the cycles made meanwhile, collected
at the next run.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Collection paused for the block, in whichever thread and however nested: the first
    block in disables it, the last one out enables it again if it was enabled before the
    first (a plain save-and-restore per block would, with two threads overlapping, leave it
    disabled for good).

    ``freeze`` then moves every object alive into the permanent generation (``gc.freeze``),
    so later collections never walk them again: for what lives as long as the process (the
    loaded store), never for what is dropped later and may hold a cycle (a networkx graph's
    cached views refer back to it, and a frozen cycle is never collected). ``gc.freeze``
    takes every object, not only the block's, so garbage is collected first: a cycle already
    dropped (a store closed before this one opens) would otherwise be frozen for good.
    """
    global _depth, _was_enabled
    if freeze:
        gc.collect()
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
