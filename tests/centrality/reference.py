"""Reference answers written from the documented definitions, without the code under test:
the co-partnership graph (docs/METRICS.md, "Which actors the co-partnership graph holds") and
the engagements of each (region, theme) cell over all time (docs/COVERAGE.md, "What is
counted"). Tests derive their expectations from whatever seed is loaded through these."""

from __future__ import annotations

from collections.abc import Collection, Hashable
from itertools import combinations

import networkx as nx

from graph.reference import member_states

ACTORS = frozenset(
    {
        "MemberState",
        "RegionalOrganization",
        "CivilSocietyOrganization",
        "Company",
        "AcademicInstitution",
        "OtherNonStateActor",
    }
)
ENGAGEMENTS = ("PARTNERS_IN", "PARTICIPATED_IN")

Cell = tuple[str, str]


def co_partnership(
    snapshot: nx.MultiDiGraph,
    *,
    roles: Collection[str] | None = None,
    without: Collection[Hashable] = (),
) -> nx.Graph:
    """Every actor of the snapshot (but ``without``), tied when engaged, with a listed role,
    in the same programme or activity (none of them in ``without``)."""
    gone = set(without)
    ref = nx.Graph()
    ref.add_nodes_from(
        v for v, kind in snapshot.nodes(data="kind") if kind in ACTORS and v not in gone
    )
    engaged: dict[Hashable, set[Hashable]] = {}
    for actor, item, d in snapshot.edges(data=True):
        if d["type"] not in ENGAGEMENTS or (roles is not None and d.get("role") not in roles):
            continue
        if actor in gone or item in gone:
            continue
        engaged.setdefault(item, set()).add(actor)
    for members in engaged.values():
        ref.add_edges_from(combinations(sorted(members, key=str), 2))
    return ref


def activities_of(snapshot: nx.MultiDiGraph) -> dict[Hashable, set[Hashable]]:
    """Each programme's activities (``PART_OF``)."""
    found: dict[Hashable, set[Hashable]] = {}
    for activity, programme, kind in snapshot.edges(data="type"):
        if kind == "PART_OF":
            found.setdefault(programme, set()).add(activity)
    return found


def cell_engagements(
    history: nx.MultiDiGraph,
    *,
    kinds: Collection[str] = ACTORS,
    types: Collection[str] = ENGAGEMENTS,
) -> dict[Cell, set[tuple[Hashable, Hashable]]]:
    """(actor, programme or activity) engagements of each (partner's region, theme) cell over
    all time, by actors of ``kinds`` through relationships of ``types``: the region of the
    actor's country, the themes the programme or activity addresses (an activity also its
    programme's). Unspecified regions or themes are not cells."""
    regions = {iso3: str(ref.region) for iso3, ref in member_states().items()}
    addresses: dict[Hashable, set[Hashable]] = {}
    programme: dict[Hashable, Hashable] = {}
    for u, v, kind in history.edges(data="type"):
        if kind == "ADDRESSES":
            addresses.setdefault(u, set()).add(v)
        elif kind == "PART_OF" and (u not in programme or str(v) < str(programme[u])):
            programme[u] = v  # coverage reads one programme per activity: the lowest id
    cells: dict[Cell, set[tuple[Hashable, Hashable]]] = {}
    for actor, item, d in history.edges(data=True):
        if d["type"] not in types or history.nodes[actor]["kind"] not in kinds:
            continue
        region = regions.get(history.nodes[actor].get("country"))
        if region is None:
            continue
        themes = set(addresses.get(item, ()))
        if item in programme:
            themes |= addresses.get(programme[item], set())
        for theme in themes:
            cells.setdefault((region, str(theme)), set()).add((actor, item))
    return cells


def lost_cells(
    cells: dict[Cell, set[tuple[Hashable, Hashable]]],
    history: nx.MultiDiGraph,
    remove: Collection[Hashable],
) -> set[Cell]:
    """Cells all of whose engagements are by a removed actor or with a removed programme, one
    of its activities, or a removed activity."""
    gone = set(remove)
    activities = activities_of(history)
    for p in remove:
        gone |= activities.get(p, set())
    return {c for c, rows in cells.items() if all(a in gone or i in gone for a, i in rows)}
