"""Benchmarks: each script prints ratios against a peer measured in the same run (README).

Every benchmark process advises NumPy about huge pages as the server does
(analytics/pages.py), so that it measures what the server runs.

Run as ``python bench/<name>.py``, a script has ``bench/`` first on ``sys.path``, where its
siblings would shadow installed packages of the same name: ``bench/coverage.py`` hid
coverage.py from numba, which imports it when first used (lazily, since analytics/centrality.py
loads numba on first use), and every compiled measure failed. So the directory is taken off the
path here, before anything else is imported (the scripts put the repository root on it).
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE]

from analytics.pages import advise_huge_pages  # noqa: E402
from api.settings import Settings  # noqa: E402

advise_huge_pages(Settings.from_env().numpy_huge_pages)
