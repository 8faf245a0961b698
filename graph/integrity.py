"""Graph-wide rules that a single record cannot check: the results chain stays acyclic and the
contribution shares flowing into one outcome never sum above 1.

The rules are written once, over two small lookups, so each store only has to answer "which
contributions flow into this outcome" and "what does this outcome contribute to".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from graph.errors import IntegrityError
from graph.model import Relationship, RelType

CONTRIBUTION_TYPES = frozenset({RelType.PRODUCED, RelType.CONTRIBUTED_TO})
#: Tolerance for float sums such as 0.1 + 0.2 + 0.7.
SHARE_EPSILON = 1e-9


def counts_toward_share(rel: Relationship) -> bool:
    """Ended links keep their history but stop claiming a share of the outcome."""
    return rel.type in CONTRIBUTION_TYPES and rel.props.get("until") is None


def check_results_chain(
    planned: Sequence[Relationship],
    incoming: Callable[[str], Iterable[Relationship]],
    successors: Callable[[str], Iterable[str]],
) -> None:
    """Raise :class:`IntegrityError` if ``planned`` would close a cycle or over-allocate.

    ``incoming(outcome)`` yields stored PRODUCED/CONTRIBUTED_TO links into an outcome;
    ``successors(outcome)`` yields the outcomes it CONTRIBUTED_TO in the stored graph.
    """
    contrib = [r for r in planned if r.type in CONTRIBUTION_TYPES]
    if not contrib:
        return
    added: dict[str, set[str]] = {}
    for r in contrib:
        if r.type is RelType.CONTRIBUTED_TO:
            added.setdefault(r.start, set()).add(r.end)

    def next_hops(outcome: str) -> Iterable[str]:
        yield from successors(outcome)
        yield from added.get(outcome, ())

    for r in contrib:
        if r.type is RelType.CONTRIBUTED_TO:
            path = _path(r.end, r.start, next_hops)
            if path is not None:
                cycle = " -> ".join([r.start, *path])
                raise IntegrityError(
                    f"linking {r.start!r} to {r.end!r} would make the results chain cyclic: "
                    f"{cycle}",
                    where=f"relationship {r.id!r}",
                    field="end",
                )
    for target in sorted({r.end for r in contrib}):
        links = {x.id: x for x in incoming(target)}
        links.update({r.id: r for r in contrib if r.end == target})
        total = sum(float(x.props["share"]) for x in links.values() if counts_toward_share(x))
        if total > 1 + SHARE_EPSILON:
            culprit = next(r for r in contrib if r.end == target)
            raise IntegrityError(
                f"contribution shares into outcome {target!r} would sum to {total:.4g} (> 1)",
                where=f"relationship {culprit.id!r}",
                field="share",
            )


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
