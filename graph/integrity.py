"""Graph-wide rules that a single record cannot check: the results chain stays acyclic and the
contribution shares flowing into one outcome never sum above 1.

The rules are written once, over two small lookups, so each store only has to answer "which
contributions flow into this outcome" and "what does this outcome contribute to".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from graph.errors import IntegrityError
from graph.model import Relationship, RelType

CONTRIBUTION_TYPES = frozenset({RelType.PRODUCED, RelType.CONTRIBUTED_TO})
#: Tolerance for float sums such as 0.1 + 0.2 + 0.7.
SHARE_EPSILON = 1e-9


def counts_toward_share(rel: Relationship) -> bool:
    """Ended links keep their history but stop claiming a share of the outcome."""
    return rel.type in CONTRIBUTION_TYPES and rel.props.get("until") is None


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One break of a results-chain rule, with what a reader needs to point at its causes.

    ``error`` is what :func:`check_results_chain` raises for it. A cycle lists every
    CONTRIBUTED_TO ``hops`` pair (from, to) on it, and the ids of the planned relationships
    among them; an over-full outcome lists the ids of every open contribution into it, stored
    or planned, in ``relationships``.
    """

    error: IntegrityError
    relationships: tuple[str, ...]
    hops: tuple[tuple[str, str], ...] = ()


def check_results_chain(
    planned: Sequence[Relationship],
    incoming: Callable[[str], Iterable[Relationship]],
    successors: Callable[[str], Iterable[str]],
) -> None:
    """Raise :class:`IntegrityError` if ``planned`` would close a cycle or over-allocate.

    ``incoming(outcome)`` yields stored PRODUCED/CONTRIBUTED_TO links into an outcome;
    ``successors(outcome)`` yields the outcomes it CONTRIBUTED_TO in the stored graph.
    """
    for problem in results_chain_problems(planned, incoming, successors):
        raise problem.error


def results_chain_problems(
    planned: Sequence[Relationship],
    incoming: Callable[[str], Iterable[Relationship]],
    successors: Callable[[str], Iterable[str]],
) -> Iterator[ChainProblem]:
    """Every break of the rules :func:`check_results_chain` enforces, lazily: each cycle that
    a planned CONTRIBUTED_TO link closes (once, however many planned links it holds), then each
    outcome whose shares would sum above 1, in id order. The first one is what
    :func:`check_results_chain` raises."""
    contrib = [r for r in planned if r.type in CONTRIBUTION_TYPES]
    if not contrib:
        return
    added: dict[str, dict[str, list[str]]] = {}
    for r in contrib:
        if r.type is RelType.CONTRIBUTED_TO:
            added.setdefault(r.start, {}).setdefault(r.end, []).append(r.id)

    def next_hops(outcome: str) -> Iterable[str]:
        yield from successors(outcome)
        yield from added.get(outcome, ())

    cycles: set[frozenset[tuple[str, str]]] = set()
    for r in contrib:
        if r.type is RelType.CONTRIBUTED_TO:
            path = _path(r.end, r.start, next_hops)
            if path is None:
                continue
            nodes = [r.start, *path]
            hops = tuple(pairwise(nodes))
            if frozenset(hops) in cycles:
                continue
            cycles.add(frozenset(hops))
            ids = [i for a, b in hops for i in added.get(a, {}).get(b, ())]
            yield ChainProblem(
                IntegrityError(
                    f"linking {r.start!r} to {r.end!r} would make the results chain cyclic: "
                    f"{' -> '.join(nodes)}",
                    where=f"relationship {r.id!r}",
                    field="end",
                ),
                tuple(dict.fromkeys([r.id, *ids])),
                hops,
            )
    into: dict[str, list[Relationship]] = {}  # grouped once: a batch may hold 10^5 outcomes
    for r in contrib:
        into.setdefault(r.end, []).append(r)
    for target in sorted(into):
        links = {x.id: x for x in incoming(target)}
        links.update({r.id: r for r in into[target]})
        counted = [x for x in links.values() if counts_toward_share(x)]
        total = sum(float(x.props["share"]) for x in counted)
        if total > 1 + SHARE_EPSILON:
            culprit = into[target][0]
            yield ChainProblem(
                IntegrityError(
                    f"contribution shares into outcome {target!r} would sum to {total:.4g} (> 1)",
                    where=f"relationship {culprit.id!r}",
                    field="share",
                ),
                tuple(x.id for x in counted),
            )


async def successor_closure(
    contrib: Sequence[Relationship],
    stored_successors: Callable[[list[str]], Awaitable[Mapping[str, Sequence[str]]]],
) -> dict[str, list[str]]:
    """The stored CONTRIBUTED_TO successors of every outcome reachable from the batch's
    contributions ``contrib``, through stored or batch links: all that a cycle check of
    :func:`results_chain_problems` can visit, for its ``successors`` lookup.

    ``stored_successors(outcomes)`` answers, for each of the outcomes that has any, the
    outcomes it CONTRIBUTED_TO in the store; it is asked once per step of the search.
    """
    added: dict[str, set[str]] = {}
    for r in contrib:
        if r.type is RelType.CONTRIBUTED_TO:
            added.setdefault(r.start, set()).add(r.end)
    frontier = sorted({r.end for r in contrib if r.type is RelType.CONTRIBUTED_TO})
    seen = set(frontier)
    successors: dict[str, list[str]] = {}
    while frontier:
        found = await stored_successors(frontier)
        nxt: set[str] = set()
        for outcome in frontier:
            successors[outcome] = list(found.get(outcome, ()))
            for m in (*successors[outcome], *added.get(outcome, ())):
                if m not in seen:
                    seen.add(m)
                    nxt.add(m)
        frontier = sorted(nxt)
    return successors


def _path(src: str, dst: str, next_hops: Callable[[str], Iterable[str]]) -> list[str] | None:
    """A shortest path src..dst by breadth-first search, or None."""
    parent: dict[str, str | None] = {src: None}
    frontier = [src]
    while frontier:
        nxt = []
        for node in frontier:
            if node == dst:
                out = []
                cur: str | None = node
                while cur is not None:
                    out.append(cur)
                    cur = parent[cur]
                return out[::-1]
            for m in next_hops(node):
                if m not in parent:
                    parent[m] = node
                    nxt.append(m)
        frontier = nxt
    return None
