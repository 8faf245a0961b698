"""Benchmark scripts import installed packages, not their sibling scripts (bench/__init__.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_benchmark_script_sees_installed_packages_not_its_siblings() -> None:
    """As ``python bench/peers.py`` starts: ``bench/`` first on the path, the root put before
    it by the script. numba, loaded by the first compiled measure, imports ``coverage``
    (absent here, or coverage.py), which ``bench/coverage.py`` would otherwise shadow."""
    code = "\n".join(
        [
            "import sys",
            f"sys.path[0] = {str(ROOT / 'bench')!r}",
            f"sys.path.insert(0, {str(ROOT)!r})",
            "import bench",
            "import numba.core.extending",  # imports coverage when it can
            "from analytics import centrality",
            "import networkx as nx",
            "g = nx.freeze(nx.path_graph(['a', 'b', 'c']))",
            "print(centrality.core_number(g).scores)",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "bench"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'a': 1.0, 'b': 1.0, 'c': 1.0}"
