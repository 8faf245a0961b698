"""Graph kernels compiled with numba: breadth-first searches from every node (harmonic sums,
Brandes' dependencies) and the core decomposition.

Why: these measures' cost is all in an inner loop over the arcs, ``n * m`` steps for the
searches. The permissively licensed libraries we have were measured slower than the peers on
one thread (``bench/peers.py``, 2,000 actors): rustworkx's betweenness took 1.8x igraph's CPU,
NetworKit's 3.6x; scipy's batched distance rows took 4.4x igraph's for harmonic closeness,
NetworKit's harmonic closeness 7.5x; NetworKit's core decomposition with its graph build 1.2x.
igraph is GPL, so it may only be a benchmark peer. Each kernel is a few lines over the CSR
arrays of the graph, and numba (BSD) compiles them to what igraph's C does. The machine code is
cached on disk (``cache=True``), so only the first call on a machine pays for compiling, and
the kernels release the GIL (``nogil``): the API runs analyses in worker threads.

The searches follow the arcs of the CSR given (out-arcs): from each source ``s`` they find
``d(s, v)``. Harmonic closeness sums ``1 / d(s, v)`` into ``v``, so a node collects its
*incoming* distances, as networkx defines it for directed graphs. Betweenness accumulates, for
every source, Brandes' dependencies in reverse order of discovery, so its sums run over ordered
pairs ``(s, t)``; an undirected graph, given both arcs of each edge, counts each pair twice.
The core decomposition (Batagelj and Zaversnik's bucket algorithm) counts a node's arcs as its
degree, so a directed graph given its arcs both ways round has networkx's in + out degree.

Examples
--------
A path a - b - c, as CSR arrays of both arcs of each edge:

>>> import numpy as np
>>> indptr, indices = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1])
>>> harmonic_sums(indptr, indices, 3).tolist()
[1.5, 2.0, 1.5]
>>> betweenness_sums(indptr, indices, 3).tolist()
[0.0, 2.0, 0.0]
>>> core_numbers(indptr, indices, 3).tolist()
[1, 1, 1]
"""

from __future__ import annotations

import numba
import numpy as np

from analytics._fast import FloatArray, IntArray

__all__ = ["betweenness_sums", "core_numbers", "harmonic_sums"]


@numba.njit(cache=True, nogil=True)
def _search(
    indptr: IntArray,
    indices: IntArray,
    s: int,
    dist: IntArray,
    order: IntArray,
    sigma: FloatArray,
    paths: bool,
) -> int:
    """Breadth-first from ``s``: ``dist`` of each node reached (-1 elsewhere on entry), the
    nodes in ``order`` of discovery (returns how many), and with ``paths`` the number of
    shortest paths to each in ``sigma`` (0 elsewhere on entry)."""
    dist[s] = 0
    sigma[s] = 1.0
    order[0] = s
    head, tail = 0, 1
    while head < tail:
        u = order[head]
        head += 1
        step = dist[u] + 1
        for p in range(indptr[u], indptr[u + 1]):
            v = indices[p]
            if dist[v] < 0:
                dist[v] = step
                order[tail] = v
                tail += 1
            if paths and dist[v] == step:
                sigma[v] += sigma[u]
    return tail


@numba.njit(cache=True, nogil=True)
def _harmonic(indptr: IntArray, indices: IntArray, n: int) -> FloatArray:
    values = np.zeros(n)
    dist = np.full(n, -1, np.int64)
    order = np.empty(n, np.int64)
    sigma = np.zeros(n)
    for s in range(n):
        tail = _search(indptr, indices, s, dist, order, sigma, False)
        for i in range(1, tail):
            values[order[i]] += 1.0 / dist[order[i]]
        for i in range(tail):
            dist[order[i]] = -1
    return values


@numba.njit(cache=True, nogil=True)
def _betweenness(indptr: IntArray, indices: IntArray, n: int) -> FloatArray:
    scores = np.zeros(n)
    dist = np.full(n, -1, np.int64)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    order = np.empty(n, np.int64)
    for s in range(n):
        tail = _search(indptr, indices, s, dist, order, sigma, True)
        # Deeper nodes first: every successor w of u (an arc u -> w one level down) is done.
        for i in range(tail - 1, -1, -1):
            u = order[i]
            step = dist[u] + 1
            total = 0.0
            for p in range(indptr[u], indptr[u + 1]):
                w = indices[p]
                if dist[w] == step:
                    total += (1.0 + delta[w]) / sigma[w]
            delta[u] = sigma[u] * total
            if u != s:
                scores[u] += delta[u]
        for i in range(tail):
            u = order[i]
            dist[u] = -1
            sigma[u] = 0.0
            delta[u] = 0.0
    return scores


@numba.njit(cache=True, nogil=True)
def _cores(indptr: IntArray, indices: IntArray, n: int) -> IntArray:
    degree = indptr[1:] - indptr[:-1]
    top = degree.max() if n else 0
    # Nodes sorted by degree in buckets: start[d] is where degree d's bucket begins.
    start = np.zeros(top + 2, np.int64)
    for v in range(n):
        start[degree[v] + 1] += 1
    start = np.cumsum(start)
    where = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    fill = start.copy()
    for v in range(n):
        where[v] = fill[degree[v]]
        order[where[v]] = v
        fill[degree[v]] += 1
    # Take nodes in order of current degree; a neighbour of higher degree moves one bucket
    # down, swapped with the first node of its bucket.
    for i in range(n):
        v = order[i]
        for p in range(indptr[v], indptr[v + 1]):
            u = indices[p]
            if degree[u] > degree[v]:
                d = degree[u]
                first = start[d]
                w = order[first]
                if u != w:
                    order[where[u]], order[first] = w, u
                    where[w], where[u] = where[u], first
                start[d] += 1
                degree[u] -= 1
    return degree


def harmonic_sums(indptr: IntArray, indices: IntArray, n: int) -> FloatArray:
    """For each node ``v``, the sum over every other node ``s`` that reaches it of
    ``1 / d(s, v)``, the graph given as CSR arrays of its arcs (no self-loops)."""
    return _harmonic(_int64(indptr), _int64(indices), n)


def betweenness_sums(indptr: IntArray, indices: IntArray, n: int) -> FloatArray:
    """For each node, the sum over ordered pairs ``(s, t)`` of other nodes of the share of
    shortest ``s``-``t`` paths through it (Brandes), the graph as CSR arrays of its arcs."""
    return _betweenness(_int64(indptr), _int64(indices), n)


def core_numbers(indptr: IntArray, indices: IntArray, n: int) -> IntArray:
    """Each node's core number, its degree being its count of arcs in the CSR given (no
    self-loops)."""
    return _cores(_int64(indptr), _int64(indices), n)


def _int64(array: IntArray) -> IntArray:
    """One signature to compile and cache (scipy's CSR indices may be 32-bit)."""
    return np.ascontiguousarray(array, dtype=np.int64)
