"""Lineage over both stores: the same questions get the same answers, and the results-chain
rules (no cycles, shares into an outcome at most 1) hold on every write path."""

from __future__ import annotations

from typing import Any

import pytest

from analytics import lineage as L
from analytics.errors import InvalidArgument, NotFound
from api.lineage.index import load_index
from graph.errors import IntegrityError, ValidationError
from graph.store import Change, GraphStore, NodeWrite, RelEnd, get_node
from tests.factories import node, rel
from tests.lineage.graphs import CSO_1, CSO_3, chain


@pytest.fixture
async def chained(store: GraphStore) -> GraphStore:
    await store.apply(chain())
    return store


async def index_of(
    store: GraphStore, *, min_share: float = 0.0, as_of: str | None = None
) -> L.FlowIndex:
    return await load_index(store, min_share=min_share, as_of=as_of)


async def outcome_lineage(
    store: GraphStore,
    outcome: str,
    *,
    min_share: float = 0.0,
    as_of: str | None = None,
    **kwargs: Any,
) -> L.Lineage:
    index = await index_of(store, min_share=min_share, as_of=as_of)
    return L.outcome_lineage(index, outcome, **kwargs)


async def contributions(
    store: GraphStore, actor: str, *, as_of: str | None = None, **kwargs: Any
) -> L.Contributions:
    return L.contributions(await index_of(store, as_of=as_of), actor, **kwargs)


async def programme_impact(store: GraphStore, programme: str) -> L.ProgrammeImpact:
    return L.programme_impact(await index_of(store), programme)


def shares(result: L.Contributions) -> dict[str, float]:
    return {c.outcome.id: c.share for c in result.outcomes}


# --------------------------------------------------------------------------- lineage


async def test_upstream_lineage_nodes_hops_and_shares(chained: GraphStore) -> None:
    lin = await outcome_lineage(chained, "out-4", depth=10)
    got = {n.node.id: (n.side, n.hops, n.share) for n in lin.nodes}
    assert got["out-4"] == (L.Side.START, 0, 1.0)
    assert got["out-3"] == (L.Side.UPSTREAM, 1, 0.5)
    assert got["out-5"] == (L.Side.UPSTREAM, 1, 0.1)
    assert got["prog-b"][1:] == pytest.approx((2, 0.1))
    assert got["act-1"][1:] == pytest.approx((3, 0.5 * 0.3 * 0.6))
    assert got["cso-1"][1:] == pytest.approx((4, CSO_1["out-4"]))
    assert got["cso-3"][1:] == pytest.approx((3, CSO_3["out-4"]))
    assert "nsa-1" not in got and "prog-c" not in got
    assert list(lin.node_ids) == sorted(got, key=lambda n: (got[n][1], n))
    assert [e.rel.id for e in lin.edges] == sorted(e.rel.id for e in lin.edges)
    assert {e.rel.type.value for e in lin.edges} == {
        "CONTRIBUTED_TO",
        "PRODUCED",
        "PART_OF",
        "PARTICIPATED_IN",
        "PARTNERS_IN",
    }


async def test_depth_bounds_nodes_edges_and_shares(chained: GraphStore) -> None:
    lin = await outcome_lineage(chained, "out-4", depth=3)
    got = {n.node.id: (n.hops, n.share) for n in lin.nodes}
    assert max(h for h, _ in got.values()) == 3
    assert "cso-1" not in got  # four links away
    # cso-3 is three links away through prog-b; its path through act-2 is four long.
    assert got["cso-3"] == pytest.approx((3, 0.5 * 0.2 * 0.5))
    assert all(len(p.links) <= 3 for p in lin.paths(100).paths)


async def test_downstream_and_both(chained: GraphStore) -> None:
    down = await outcome_lineage(chained, "out-1", direction=L.LineageDirection.DOWNSTREAM)
    assert {n.node.id: n.share for n in down.nodes} == {
        "out-1": 1.0,
        "out-3": 0.3,
        "out-4": pytest.approx(0.15),
    }
    assert [p.nodes for p in down.paths(10).paths] == [("out-1", "out-3", "out-4")]
    both = await outcome_lineage(chained, "out-3", direction=L.LineageDirection.BOTH, depth=2)
    sides = {n.node.id: n.side for n in both.nodes}
    assert sides["out-4"] is L.Side.DOWNSTREAM
    assert sides["out-1"] is L.Side.UPSTREAM
    assert sides["out-3"] is L.Side.START
    assert "out-5" not in sides  # a sibling contributor of out-4, not on the lineage


async def test_min_share_prunes_links_but_not_scaling(chained: GraphStore) -> None:
    lin = await outcome_lineage(chained, "out-3", min_share=0.35, depth=10)
    ids = {n.node.id for n in lin.nodes}
    assert "out-2" in ids and "out-1" not in ids and "prog-b" not in ids
    assert {e.rel.type.value for e in lin.edges} >= {"CONTRIBUTED_TO", "PRODUCED"}


async def test_as_of_drops_ended_partnerships(chained: GraphStore) -> None:
    before = await contributions(chained, "cso-1", depth=10, as_of="2022-06-01")
    after = await contributions(chained, "cso-1", depth=10, as_of="2023-06-01")
    # co-1's funding ended in 2022, so prog-a splits among cso-1, FRA and UNOCT afterwards.
    assert shares(before)["out-1"] == pytest.approx(CSO_1["out-1"])
    assert shares(after)["out-1"] == pytest.approx(0.6 * (0.25 + 1 / 3) / 1.75)
    assert "co-1" in {n.node.id for n in (await outcome_lineage(chained, "out-1")).nodes}
    lin = await outcome_lineage(chained, "out-1", as_of="2023-06-01")
    assert "co-1" not in {n.node.id for n in lin.nodes}


async def test_paths_are_distinct_bounded_and_sum_to_the_share(chained: GraphStore) -> None:
    lin = await outcome_lineage(chained, "out-4", depth=10)
    found = lin.paths(100)
    assert not found.truncated
    assert len({p.nodes for p in found.paths}) == len(found.paths)
    assert [p.share for p in found.paths] == sorted((p.share for p in found.paths), reverse=True)
    for p in found.paths:
        assert p.nodes[-1] == "out-4"
        assert len(p.nodes) == len(p.links) + 1 <= 11
    to_cso_1 = [p for p in found.paths if p.nodes[0] == "cso-1"]
    assert len(to_cso_1) == 2
    assert sum(p.share for p in to_cso_1) == pytest.approx(CSO_1["out-4"])
    few = lin.paths(3)
    assert few.truncated and few.paths == found.paths[:3]


# --------------------------------------------------------------------------- attribution


async def test_contributions_follow_the_documented_rule(chained: GraphStore) -> None:
    got = shares(await contributions(chained, "cso-1", depth=10))
    assert got == pytest.approx(CSO_1)
    got = shares(await contributions(chained, "cso-3", depth=10))
    assert got == pytest.approx(CSO_3)
    assert shares(await contributions(chained, "nsa-1")) == {}


async def test_contribution_paths_justify_the_share(chained: GraphStore) -> None:
    result = await contributions(chained, "cso-1", depth=10)
    found = result.paths("out-4", 10)
    assert [p.nodes for p in found.paths] == [
        ("cso-1", "act-1", "out-1", "out-3", "out-4"),
        ("cso-1", "prog-a", "act-1", "out-1", "out-3", "out-4"),
    ]
    assert sum(p.share for p in found.paths) == pytest.approx(CSO_1["out-4"])
    assert found.paths[0].share == pytest.approx(found.paths[1].share)
    assert result.paths("out-5", 10).paths == ()
    # Depth 4 leaves only the direct path (the one through prog-a is five links long).
    short = await contributions(chained, "cso-1", depth=4)
    assert [p.nodes[1] for p in short.paths("out-4", 10).paths] == ["act-1"]
    assert shares(short)["out-4"] == pytest.approx(CSO_1["out-4"] / 2)


async def test_actor_shares_agree_from_both_ends(chained: GraphStore) -> None:
    lin = await outcome_lineage(chained, "out-4", depth=10)
    from_outcome = {n.node.id: n.share for n in lin.nodes}
    for actor in ("cso-1", "cso-2", "cso-3", "co-1", "FRA"):
        from_actor = shares(await contributions(chained, actor, depth=10))
        assert from_actor["out-4"] == pytest.approx(from_outcome[actor])
    total = sum(
        n.share for n in lin.nodes if n.node.kind.value not in ("Outcome", "Activity", "Programme")
    )
    assert total <= 1


async def test_programme_impact(chained: GraphStore) -> None:
    impact = await programme_impact(chained, "prog-a")
    assert dict(impact.by_level) == {"IMPACT": 1, "OUTCOME": 1, "OUTPUT": 1}
    got = {c.outcome.id: c.share for c in impact.contributions.outcomes}
    assert got == pytest.approx({"out-1": 0.6 / 1.75, "out-3": 0.18 / 1.75, "out-4": 0.09 / 1.75})
    partners = [(p.actor.id, p.roles, p.share) for p in impact.partners]
    assert partners == [
        ("FRA", ("FUNDING",), 0.25),
        ("co-1", ("FUNDING",), 0.25),
        ("cso-1", ("IMPLEMENTING",), 0.25),
    ]
    assert impact.evidence.links == 3 and impact.evidence.with_source == 3
    assert dict(impact.evidence.by_confidence) == {"HIGH": 1, "MEDIUM": 2, "LOW": 0}
    b = await programme_impact(chained, "prog-b")
    assert b.evidence.with_evidence_date == 1
    assert [p.share for p in b.partners] == [0.5]


async def test_wrong_or_missing_subjects_are_refused(chained: GraphStore) -> None:
    with pytest.raises(NotFound):
        await outcome_lineage(chained, "out-nowhere")
    with pytest.raises(InvalidArgument) as err:
        await outcome_lineage(chained, "cso-1")
    assert err.value.field == "outcome"
    with pytest.raises(InvalidArgument):
        await contributions(chained, "out-1")
    with pytest.raises(NotFound):
        await contributions(chained, "nobody")
    with pytest.raises(InvalidArgument):
        await programme_impact(chained, "act-1")
    with pytest.raises(InvalidArgument) as err:
        await outcome_lineage(chained, "out-1", depth=21)
    assert err.value.field == "depth"
    with pytest.raises(InvalidArgument):
        await outcome_lineage(chained, "out-1", min_share=1.5)


async def test_lineage_issues_from_the_snapshot(chained: GraphStore) -> None:
    issues = L.lineage_issues((await chained.snapshot()).graph)
    got = [(i.kind.value, i.subject, i.relationship) for i in issues]
    assert got == [
        ("LINK_WITHOUT_EVIDENCE", "out-2", "produced-act-2-out-2"),
        ("OUTCOME_WITHOUT_PRODUCER", "out-5", None),
        ("PARTNER_WITHOUT_OUTCOME", "nsa-1", None),
    ]
    assert all("Quelvara" not in i.message for i in issues)  # keys only, never names
    await chained.apply([rel("PRODUCED", "prog-c", "out-5", share=0.5, source="x")])
    later = L.lineage_issues((await chained.snapshot()).graph)
    assert [i.subject for i in later] == ["out-2"]


# --------------------------------------------------------------------------- integrity


async def test_a_cycle_is_refused_naming_it(chained: GraphStore) -> None:
    revision = await chained.revision()
    with pytest.raises(IntegrityError) as err:
        await chained.apply([rel("CONTRIBUTED_TO", "out-4", "out-1", share=0.1)])
    assert "out-4 -> out-1 -> out-3 -> out-4" in err.value.message.replace("'", "")
    assert err.value.field == "end"
    with pytest.raises(IntegrityError) as err:
        await chained.apply([rel("CONTRIBUTED_TO", "out-3", "out-3", share=0.1)])
    assert "cyclic" in err.value.message
    assert await chained.revision() == revision


async def test_a_cycle_inside_one_batch_is_refused(chained: GraphStore) -> None:
    batch: list[Change] = [
        node("Outcome", "out-x", "X", level="OUTCOME"),
        node("Outcome", "out-y", "Y", level="OUTCOME"),
        rel("CONTRIBUTED_TO", "out-x", "out-y", share=0.1),
        rel("CONTRIBUTED_TO", "out-y", "out-x", share=0.1),
    ]
    revision = await chained.revision()
    with pytest.raises(IntegrityError) as err:
        await chained.apply(batch)
    assert "out-x" in err.value.message and "out-y" in err.value.message
    assert await chained.revision() == revision
    assert await get_node(chained, "out-x") is None  # atomic: the nodes were not written


async def test_shares_into_one_outcome_may_not_exceed_one(chained: GraphStore) -> None:
    revision = await chained.revision()
    # out-3 already takes 0.2 + 0.3 + 0.4 = 0.9.
    with pytest.raises(IntegrityError) as err:
        await chained.apply([rel("PRODUCED", "act-1", "out-3", share=0.2)])
    assert err.value.field == "share" and "out-3" in err.value.message
    with pytest.raises(IntegrityError):  # two links in one batch, each fine alone
        await chained.apply(
            [
                rel("PRODUCED", "act-1", "out-5", share=0.6),
                rel("PRODUCED", "act-2", "out-5", share=0.6),
            ]
        )
    assert await chained.revision() == revision
    # Exactly 1 is allowed, float rounding included (0.9 + 0.1).
    await chained.apply([rel("PRODUCED", "act-1", "out-3", share=0.1)])
    # Re-writing a link replaces its share instead of adding to it.
    await chained.apply([rel("PRODUCED", "act-1", "out-3", share=0.05)])
    produced = (await chained.get_relationships(["produced-act-1-out-3"]))[0]
    assert produced is not None and produced.props["share"] == 0.05


async def test_ended_links_free_their_share(chained: GraphStore) -> None:
    await chained.apply([RelEnd("contributed_to-out-2-out-3", "2024-12-31")])
    await chained.apply([rel("PRODUCED", "act-1", "out-3", share=0.5)])
    # Both are in view without a date: the attribution scales them to sum to 1.
    lin = await outcome_lineage(chained, "out-3", depth=1)
    assert sum(n.share for n in lin.nodes if n.hops == 1) == pytest.approx(1.0)
    on_day = await outcome_lineage(chained, "out-3", depth=1, as_of="2025-06-01")
    assert {n.node.id for n in on_day.nodes if n.hops == 1} == {"out-1", "prog-b", "act-1"}


async def test_shares_outside_zero_one_are_invalid(store: GraphStore) -> None:
    await store.apply([node("Outcome", "o1", "One"), node("Outcome", "o2", "Two")])
    for bad in (-0.1, 1.5):
        with pytest.raises(ValidationError) as err:
            await store.apply([rel("CONTRIBUTED_TO", "o1", "o2", share=bad)])
        assert err.value.field == "share"
    with pytest.raises(ValidationError):
        await store.apply([rel("CONTRIBUTED_TO", "o1", "o2")])  # share is required
    assert await store.revision() == 1


async def test_integrity_failure_leaves_the_whole_batch_unwritten(chained: GraphStore) -> None:
    revision = await chained.revision()
    with pytest.raises(IntegrityError):
        await chained.apply(
            [
                NodeWrite("Outcome", "out-new", {"name": "New"}),
                rel("PRODUCED", "act-2", "out-new", share=0.5),
                rel("CONTRIBUTED_TO", "out-new", "out-4", share=0.5),  # out-4: 0.6 + 0.5
            ]
        )
    assert await chained.revision() == revision
    assert await get_node(chained, "out-new") is None
    assert (await chained.get_relationships(["produced-act-2-out-new"])) == [None]
