"""Seed data: real reference counts, fictional illustrative actors, determinism."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.exchange import export_jsonl
from graph.model import NodeKind, RelType
from graph.reference import member_states
from seeds.illustrative import seed_changes
from seeds.reference import load_json
from seeds.synthetic import generate


async def seeded_store(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    await store.open()
    await store.apply(list(seed_changes()))
    return store


async def test_seed_counts_and_reference_facts(tmp_path: Path) -> None:
    store = await seeded_store(tmp_path / "a.db")
    counts = await store.counts_by_kind()
    assert counts[NodeKind.MEMBER_STATE] == 193
    assert counts[NodeKind.REGIONAL_ORGANIZATION] >= 12
    assert counts[NodeKind.CIVIL_SOCIETY_ORGANIZATION] >= 150
    assert counts[NodeKind.COMPANY] >= 40
    assert counts[NodeKind.ACADEMIC_INSTITUTION] >= 40
    assert counts[NodeKind.OTHER_NON_STATE_ACTOR] >= 20
    assert counts[NodeKind.PROGRAMME] >= 12
    g = (await store.snapshot()).graph
    au_members = {u for u, _, d in g.in_edges("ro-au", data=True) if d["type"] == "MEMBER_OF"}
    assert len(au_members) == 54
    assert all(member_states()[m].region == "Africa" for m in au_members)
    names = {d["name"] for _, d in g.nodes(data=True)}
    assert any("Malaga" in n for n in names)
    await store.close()


async def test_every_non_state_actor_is_fictional_and_marked(tmp_path: Path) -> None:
    store = await seeded_store(tmp_path / "a.db")
    g = (await store.snapshot()).graph
    non_state = [
        d
        for _, d in g.nodes(data=True)
        if d["kind"]
        in {"CivilSocietyOrganization", "Company", "AcademicInstitution", "OtherNonStateActor"}
    ]
    assert non_state and all(d.get("illustrative") is True for d in non_state)
    reference_text = json.dumps(
        [load_json(f) for f in ("unoct.json", "regional_organizations.json", "thematic_areas.json")]
    )
    assert not any(d["name"] in reference_text for d in non_state)
    await store.close()


async def test_engagement_is_uneven_so_gaps_exist(tmp_path: Path) -> None:
    store = await seeded_store(tmp_path / "a.db")
    g = (await store.snapshot()).graph
    per_region = Counter(
        d.get("region") for _, d in g.nodes(data=True) if d["kind"] == "CivilSocietyOrganization"
    )
    assert per_region["Africa"] > 3 * per_region["Oceania"]
    engaged = {u for u, _, d in g.edges(data=True) if d["type"] == RelType.PARTNERS_IN}
    engaged |= {d.get("country") for n, d in g.nodes(data=True) if n in engaged}
    assert len(set(member_states()) - engaged) > 20
    await store.close()


async def test_seeding_is_deterministic(tmp_path: Path) -> None:
    a = await seeded_store(tmp_path / "a.db")
    b = await seeded_store(tmp_path / "b.db")
    out_a, out_b = io.StringIO(), io.StringIO()
    await export_jsonl(a, out_a)
    await export_jsonl(b, out_b)
    assert out_a.getvalue() == out_b.getvalue()
    assert (await a.apply(list(seed_changes()))).changed is False
    await a.close()
    await b.close()


def test_synthetic_generator_is_deterministic_and_heavy_tailed() -> None:
    first = [c for c in generate(2000, seed=3)]
    assert [repr(c) for c in first[:500]] == [repr(c) for c in list(generate(2000, seed=3))[:500]]
    degree: Counter[str] = Counter()
    for c in first:
        end = getattr(c, "end", None)
        if end and getattr(c, "type", "") == "PARTICIPATED_IN":
            degree[end] += 1
    top, median = degree.most_common(1)[0][1], sorted(degree.values())[len(degree) // 2]
    assert top > 10 * median
