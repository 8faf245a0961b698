"""graph/bulk.py: the collector paused for a build, and on again after, however blocks overlap."""

from __future__ import annotations

import gc
import threading

from graph.bulk import paused_gc


def test_nested_blocks_enable_collection_only_when_the_last_leaves() -> None:
    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_blocks_overlapping_in_two_threads_leave_collection_enabled() -> None:
    """Thread A enters, B enters, A leaves, B leaves: a save-and-restore per block would have
    B restore 'disabled' for good."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with paused_gc():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with paused_gc():
            b_in.set()
            a_out.wait(5)
            assert not gc.isenabled()  # A left, B is still building

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert gc.isenabled()


def test_a_block_that_raises_still_enables_collection() -> None:
    try:
        with paused_gc():
            raise ValueError("build failed")
    except ValueError:
        pass
    assert gc.isenabled()
