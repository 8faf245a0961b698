"""Whether NumPy asks the kernel for huge pages: off for partnernet's short-lived arrays.

NumPy advises the kernel (``madvise(MADV_HUGEPAGE)``) to back every array of 4 MiB or more
with transparent huge pages. Where the kernel's huge-page mode is ``madvise`` (this machine's,
and the default of several distributions), each first touch of such an array then faults in
a whole 2 MiB page, zeroed, after compacting memory if none is free. That pays off for a
long-lived array read many times. Most of the arrays here live for one query, as the
temporaries of a coverage table or of a projection, so the advice makes them slower. At
100,000 actors, the coverage tables after a write took 0.10 s of user time and 0.35 to
0.54 s of kernel time with the advice; without it, 0.10 s and 0.04 s (``bench/after_write.py``
measures the whole query).

NumPy has a documented switch for this, the ``NUMPY_MADVISE_HUGEPAGE`` environment variable,
but it is read only when NumPy is first imported. To change it later, this module calls
``numpy._core.multiarray._set_madvise_hugepage``, which is private. A test
(``tests/analytics/test_pages.py``) fails if that function goes away or changes its
behaviour.
"""

from __future__ import annotations

import os

from numpy._core import multiarray

#: NumPy's own variable, exported so that processes started from this one (the analysis
#: jobs' forkserver) start with the same advice.
VARIABLE = "NUMPY_MADVISE_HUGEPAGE"


def advise_huge_pages(enabled: bool) -> bool:
    """Set whether NumPy advises huge pages for its arrays, in this process and in processes
    started from it later. Returns the previous setting of this process.

    Examples
    --------
    >>> before = advise_huge_pages(False)
    >>> advise_huge_pages(before)
    False
    """
    os.environ[VARIABLE] = "1" if enabled else "0"
    return bool(multiarray._set_madvise_hugepage(enabled))  # type: ignore[attr-defined]
