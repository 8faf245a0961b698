"""Facts about the seed data, read from its own records, for tests that need an example.

Tests that need "a public CSO", "a restricted CSO" or "a country where restricted CSOs are
based" ask here instead of hard-coding an id, so a change to the seed's generator changes the
example, not the outcome of the test.
"""

from __future__ import annotations

import functools

from graph.store import NodeWrite, RelWrite
from seeds.illustrative import seed_changes


@functools.cache
def seed() -> tuple[dict[str, NodeWrite], tuple[RelWrite, ...]]:
    """The seed's nodes by id, and its relationships, as the seed writes them."""
    changes = list(seed_changes())
    nodes = {c.id: c for c in changes if isinstance(c, NodeWrite)}
    return nodes, tuple(c for c in changes if isinstance(c, RelWrite))


def restricted(node: str) -> bool:
    return seed()[0][node].props.get("sensitivity") == "RESTRICTED"


def csos(*, restricted_: bool) -> list[str]:
    """Ids of the seed's CSOs that are (or are not) restricted, in id order."""
    found = (n for n, w in seed()[0].items() if w.kind == "CivilSocietyOrganization")
    return sorted(n for n in found if restricted(n) == restricted_)


def based_in() -> dict[str, list[str]]:
    """Each country's actors, in id order."""
    out: dict[str, list[str]] = {}
    for r in seed()[1]:
        if r.type == "BASED_IN":
            out.setdefault(r.end, []).append(r.start)
    return {c: sorted(a) for c, a in sorted(out.items())}


def country_hosting(*, restricted_: bool) -> str:
    """The first country (ISO3 order) where a CSO is based that is (or is not) restricted."""
    wanted = set(csos(restricted_=restricted_))
    return next(c for c, actors in based_in().items() if wanted & set(actors))
