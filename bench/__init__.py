"""Benchmarks: each script prints ratios against a peer measured in the same run (README).

Every benchmark process advises NumPy about huge pages as the server does
(analytics/pages.py), so that it measures what the server runs.
"""

from analytics.pages import advise_huge_pages
from api.settings import Settings

advise_huge_pages(Settings.from_env().numpy_huge_pages)
