"""The seed's structure is the one seeds/README.md describes.

Checked on the graph as the embedded store loads it, against the designed facts of
``seeds.illustrative`` (never against numbers copied from a run), so a change to the generator
that makes the network degenerate again (one programme drawing every partnership, events
held anywhere, rooms of a fixed dozen CSOs) fails here. What the analyses find in it is
checked over HTTP in tests/api/test_seed_story_api.py; the synthetic generator's shape at
scale at the end of this file.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import pytest

from analytics import projection, structure
from graph.embedded import EmbeddedStore
from graph.reference import member_states
from graph.store import Change
from seeds.illustrative import AS_OF, CENTRAL_ASIA, REGIONAL_PLAN, seed_changes
from seeds.reference import reference_changes
from seeds.synthetic import generate


async def _load(path: Path, changes: Sequence[Change]) -> nx.MultiDiGraph:
    store = EmbeddedStore(path)
    await store.open()
    try:
        await store.apply(changes)
        return (await store.snapshot()).graph
    finally:
        await store.close()


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    return asyncio.run(_load(tmp_path_factory.mktemp("story") / "seed.db", list(seed_changes())))


def _edges(g: nx.MultiDiGraph, rel: str) -> list[tuple[str, str, dict]]:
    return [(u, v, d) for u, v, d in g.edges(data=True) if d["type"] == rel]


def _subregion(g: nx.MultiDiGraph, actor: str) -> str | None:
    states = member_states()
    country = actor if actor in states else g.nodes[actor].get("country")
    return states[country].subregion if country in states else None


def test_no_programme_dominates_and_every_programme_has_partners(
    seed: nx.MultiDiGraph,
) -> None:
    per_programme = Counter(v for _, v, _ in _edges(seed, "PARTNERS_IN"))
    programmes = [n for n, d in seed.nodes(data=True) if d["kind"] == "Programme"]
    assert set(per_programme) == set(programmes)
    total = sum(per_programme.values())
    assert max(per_programme.values()) <= 0.2 * total
    # Heavy-tailed, not flat: the largest is several times the median.
    assert max(per_programme.values()) >= 3 * statistics.median(per_programme.values())


def test_the_regional_plan_draws_on_its_region(seed: nx.MultiDiGraph) -> None:
    partners = [u for u, v, _ in _edges(seed, "PARTNERS_IN") if v == REGIONAL_PLAN]
    local = [p for p in partners if _subregion(seed, p) == CENTRAL_ASIA]
    assert len(local) >= 0.7 * len(partners)
    held = [u for u, v, _ in _edges(seed, "PART_OF") if v == REGIONAL_PLAN]
    assert held
    assert {_subregion(seed, seed.nodes[a]["location"]) for a in held} == {CENTRAL_ASIA}


def test_activities_are_held_where_their_participants_are(seed: nx.MultiDiGraph) -> None:
    states = member_states()
    for act, d in seed.nodes(data=True):
        if not d.get("illustrative") or d["kind"] != "Activity":
            continue
        region = states[d["location"]].region
        rooms = {
            states[c].region
            for u, _, r in seed.in_edges(act, data=True)
            if r["type"] == "PARTICIPATED_IN" and (c := seed.nodes[u].get("country") or u) in states
        }
        assert region in rooms, act


def test_documented_events_have_plausible_rooms(seed: nx.MultiDiGraph) -> None:
    def room(activity: str) -> Counter[str]:
        return Counter(
            seed.nodes[u]["kind"]
            for u, _, d in seed.in_edges(activity, data=True)
            if d["type"] == "PARTICIPATED_IN"
        )

    twg = {u for u, _, d in seed.in_edges("act-un-au-twg", data=True)}
    assert "ro-au" in twg
    assert set(room("act-academic-cop")) == {"AcademicInstitution"}
    assert room("act-digital-spaces-series")["Company"] >= 5
    assert set(room("act-hlc-heads-ct-agencies-2018")) == {"MemberState"}
    documented = [a for a, d in seed.nodes(data=True) if d["kind"] == "Activity"]
    sizes = {sum(room(a).values()) for a in documented if not seed.nodes[a].get("illustrative")}
    assert len(sizes) > 3  # rooms of different sizes, not a fixed dozen
    hosted = {(u, v) for u, v, _ in _edges(seed, "HOSTED_ON")}
    assert ("act-academic-cop", "act-connect-learn") in hosted


def test_every_date_is_on_or_before_the_seed_date(seed: nx.MultiDiGraph) -> None:
    dates = [d[f] for _, d in seed.nodes(data=True) for f in ("since", "until") if d.get(f)]
    dates += [d[f] for *_, d in seed.edges(data=True) for f in ("since", "until") if d.get(f)]
    assert max(dates) <= AS_OF.isoformat()


async def test_synthetic_network_keeps_the_story_at_scale(tmp_path: Path) -> None:
    changes = [*reference_changes(), *generate(2000, seed=3)]
    g = await _load(tmp_path / "synthetic.db", changes)
    partnerships = _edges(g, "PARTNERS_IN")
    per_programme = Counter(v for _, v, _ in partnerships)
    assert max(per_programme.values()) <= 0.2 * len(partnerships)
    states = member_states()
    home: dict[str, set[str]] = {}
    for u, v, _ in _edges(g, "TARGETS"):
        home.setdefault(u, set()).add(states[v].region)
    at_home = sum(g.nodes[a].get("region") in home.get(p, ()) for a, p, _ in partnerships)
    assert at_home >= 0.6 * len(partnerships)
    result = structure.communities(projection.co_partnership(g))
    assert result.modularity >= 0.3
