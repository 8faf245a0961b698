"""History contract (graph/history.py), on both stores: change sets, ``knownAt`` and versions.

Every committed write is one change set with who, when and each record before and after;
``known_at`` gives back exactly the records the store held at an earlier revision (checked
against the records read at that revision, after random write sequences); a figure computed
at a revision is reproduced after a correction; and a node's version at a date never shows
it less protected than it is today.
"""

from __future__ import annotations

import datetime as dt

import pytest

from graph.errors import ValidationError
from graph.history import Author, ChangeFilter, Entity, HistoryUnavailable
from graph.model import Node, NodeKind, Relationship, RelType, WeightScope
from graph.past import PastStore
from graph.store import GraphStore, NodeWrite, RelEnd
from tests.factories import node, random_revisions, rel, small_graph

EDITOR = Author("field-office", "EDITOR", "mutation", "k1")


async def _records(
    store: GraphStore,
) -> tuple[dict[str, Node], dict[str, Relationship], dict[tuple[WeightScope, str], float]]:
    recs = await store.records(frozenset(RelType))
    return (
        {n.id: n for n in recs.nodes},
        {r.id: r for r in recs.relationships},
        await store.need_weights(),
    )


async def test_each_write_is_one_change_set_with_before_and_after(store: GraphStore) -> None:
    first = await store.apply(small_graph())
    assert await store.history_start() == 0
    before = (await store.get_nodes(["cso-1"]))[0]
    assert before is not None
    second = await store.apply(
        [NodeWrite("CivilSocietyOrganization", "cso-1", {**before.props, "name": "Renamed"})],
        author=EDITOR,
    )
    third = await store.set_need_weights({(WeightScope.REGION, "Africa"): 2.0}, author=EDITOR)
    page = await store.change_sets(ChangeFilter(), first=10)
    assert [cs.revision for cs in page.items] == [first.revision, second.revision, third]
    assert not page.has_next_page
    seeded, renamed, weighted = page.items
    assert seeded.author.name == "system" and seeded.size == len(small_graph())
    assert renamed.author == EDITOR and renamed.size == 1
    assert weighted.size == 1
    assert seeded.at <= renamed.at <= weighted.at
    assert renamed.at.tzinfo is not None
    [(seq, change)] = await store.change_records(second.revision, first=10)
    assert seq == 1
    assert change.entity is Entity.NODE and change.id == "cso-1"
    assert change.before == before
    assert isinstance(change.after, Node) and change.after.name == "Renamed"
    assert change.valid_from == renamed.at.date().isoformat()
    [(_, w)] = await store.change_records(third, first=10)
    assert (w.entity, w.id, w.before, w.after) == (Entity.NEED_WEIGHT, "REGION:Africa", None, 2.0)
    # an unchanged write records nothing
    again = await store.apply(
        [NodeWrite("CivilSocietyOrganization", "cso-1", dict(change.after.props))]
    )
    assert not again.changed
    assert len((await store.change_sets(ChangeFilter(), first=10)).items) == 3


async def test_change_sets_filter_and_page(store: GraphStore) -> None:
    await store.apply(small_graph())
    await store.apply([RelEnd("partners_in-cso-1-prog-a", "2024-01-01")], author=EDITOR)
    await store.apply(
        [node("CivilSocietyOrganization", "cso-9", "Ombrela Collective")], author=EDITOR
    )
    await store.set_need_weights({(WeightScope.REGION, "Asia"): 1.5})
    by_node = await store.change_sets(ChangeFilter(node="cso-1"), first=10)
    assert [cs.revision for cs in by_node.items] == [1]
    assert [c.id for c in by_node.items[0].changes] == ["cso-1"]
    by_rel = await store.change_sets(ChangeFilter(node="partners_in-cso-1-prog-a"), first=10)
    assert [cs.revision for cs in by_rel.items] == [1, 2]
    ended = by_rel.items[1].changes[0]
    assert ended.after is not None and ended.after.props["until"] == "2024-01-01"  # type: ignore[union-attr]
    by_author = await store.change_sets(ChangeFilter(author="field-office"), first=10)
    assert [cs.revision for cs in by_author.items] == [2, 3]
    by_kind = await store.change_sets(ChangeFilter(kinds=frozenset({"NeedWeight"})), first=10)
    assert [cs.revision for cs in by_kind.items] == [4]
    rng = await store.change_sets(ChangeFilter(from_revision=2, to_revision=3), first=10)
    assert [cs.revision for cs in rng.items] == [2, 3]
    newest = await store.change_sets(ChangeFilter(), first=2, newest_first=True)
    assert [cs.revision for cs in newest.items] == [4, 3] and newest.has_next_page
    rest = await store.change_sets(ChangeFilter(), first=2, after=3, newest_first=True)
    assert [cs.revision for cs in rest.items] == [2, 1] and not rest.has_next_page
    since = await store.change_sets(ChangeFilter(), first=10, after=2)
    assert [cs.revision for cs in since.items] == [3, 4]
    at = by_author.items[0].at
    timed = await store.change_sets(ChangeFilter(since=at, until=at), first=10)
    assert [cs.revision for cs in timed.items] == [2]
    assert await store.revision_at(at) == 2
    assert await store.revision_at(at - dt.timedelta(days=3650)) == 0
    assert await store.revision_at(at + dt.timedelta(days=1)) == 4
    paged = await store.change_records(1, first=3, after=2)
    assert [seq for seq, _ in paged] == [3, 4, 5]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_known_at_gives_back_every_earlier_revision(store: GraphStore, seed: int) -> None:
    """After each write of a random sequence, remember the records; at the end, every
    revision rewinds to exactly them (sensitivity aside, which only ever gets stricter)."""
    seen: dict[int, tuple[dict, dict, dict]] = {}
    async for _ in random_revisions(store, seed, 20):
        seen[await store.revision()] = await _records(store)
    now_nodes = (await _records(store))[0]
    for revision, (nodes, rels, weights) in seen.items():
        past = await store.known_at(revision)
        assert past.revision == revision
        assert past.relationships == rels
        assert past.weights == weights
        assert past.nodes.keys() == nodes.keys()
        for node_id, then in nodes.items():
            got = past.nodes[node_id]
            now = now_nodes[node_id]
            restricted = "RESTRICTED" in (
                then.props.get("sensitivity"),
                now.props.get("sensitivity"),
            )
            assert got.props.get("sensitivity", "PUBLIC") == (
                "RESTRICTED" if restricted else then.props.get("sensitivity", "PUBLIC")
            ) or (not restricted and "sensitivity" not in got.props)
            assert {k: v for k, v in got.props.items() if k != "sensitivity"} == {
                k: v for k, v in then.props.items() if k != "sensitivity"
            }


async def test_known_at_refuses_revisions_it_cannot_reproduce(store: GraphStore) -> None:
    await store.apply(small_graph())
    with pytest.raises(HistoryUnavailable) as err:
        await store.known_at(5)
    assert err.value.field == "knownAt"
    assert isinstance(err.value, ValidationError)
    empty = await store.known_at(0)
    assert not empty.nodes and not empty.relationships


async def test_a_correction_leaves_the_figure_known_before_it(store: GraphStore) -> None:
    """A published count is reproduced at its revision after the data is corrected."""
    await store.apply(small_graph())
    published = await store.revision()
    count = sum(
        1
        for n in (await store.known_at(published)).nodes.values()
        if n.kind is NodeKind.CIVIL_SOCIETY_ORGANIZATION
    )
    await store.apply(
        [node("CivilSocietyOrganization", "cso-late", "Quoruna Network")], author=EDITOR
    )
    later = (await store.known_at(published)).nodes
    assert sum(1 for n in later.values() if n.kind is NodeKind.CIVIL_SOCIETY_ORGANIZATION) == count
    assert "cso-late" not in later


async def test_versions_follow_valid_time_and_never_loosen_protection(store: GraphStore) -> None:
    await store.apply(small_graph())
    cso = (await store.get_nodes(["cso-1"]))[0]
    assert cso is not None
    await store.apply(
        [
            NodeWrite(
                "CivilSocietyOrganization",
                "cso-1",
                {**cso.props, "name": "Zorveli Youth Network"},
                valid_from="2022-01-01",
            )
        ]
    )
    await store.apply(
        [rel("PARTNERS_IN", "cso-1", "prog-b", "p-late", role="IMPLEMENTING", since="2021-01-01")]
    )
    old = await store.snapshot("2021-06-30")
    new = await store.snapshot("2023-01-01")
    today = await store.snapshot(None)
    assert old.graph.nodes["cso-1"]["name"] == "Zorveli Youth Collective"
    assert new.graph.nodes["cso-1"]["name"] == "Zorveli Youth Network"
    assert today.graph.nodes["cso-1"]["name"] == "Zorveli Youth Network"
    # restricted today: every earlier version is shown restricted too
    now = (await store.get_nodes(["cso-1"]))[0]
    assert now is not None
    await store.apply(
        [
            NodeWrite(
                "CivilSocietyOrganization",
                "cso-1",
                {**now.props, "sensitivity": "RESTRICTED"},
                valid_from="2024-01-01",
            )
        ]
    )
    for day in ("2021-06-30", "2023-01-01", None):
        snap = await store.snapshot(day)
        assert snap.graph.nodes["cso-1"]["sensitivity"] == "RESTRICTED", day
    for revision in range(1, await store.revision() + 1):
        past = await store.known_at(revision)
        assert past.nodes["cso-1"].props["sensitivity"] == "RESTRICTED", revision
        for v in past.versions.get("cso-1", []):
            assert v.node.props["sensitivity"] == "RESTRICTED"


async def test_a_bad_valid_from_is_refused_with_its_place(store: GraphStore) -> None:
    await store.apply(small_graph())
    with pytest.raises(ValidationError) as err:
        await store.apply(
            [NodeWrite("Company", "co-1", {"name": "X"}, where="row 3", valid_from="2024-13-01")]
        )
    assert (err.value.where, err.value.field) == ("row 3", "validFrom")
    assert await store.revision() == 1


async def test_a_past_store_answers_as_the_store_did(store: GraphStore) -> None:
    """Snapshots (dated or not), lookups and counts of a past revision, from its records."""
    seen = {}
    async for _ in random_revisions(store, 4, 12):
        revision = await store.revision()
        seen[revision] = (
            {day: await store.snapshot(day) for day in (None, "2021-06-30")},
            await store.counts_by_kind(),
        )
    for revision, (snaps, counts) in seen.items():
        past = PastStore(await store.known_at(revision))
        assert await past.revision() == revision
        assert await past.counts_by_kind() == counts
        for day, want in snaps.items():
            got = (await past.snapshot(day)).graph
            strip = lambda g: [  # noqa: E731 - sensitivity only ever gets stricter
                (n, {k: v for k, v in a.items() if k != "sensitivity"})
                for n, a in g.nodes(data=True)
            ]
            assert strip(got) == strip(want.graph)
            assert list(got.edges(keys=True, data=True)) == list(
                want.graph.edges(keys=True, data=True)
            )
        with pytest.raises(ValidationError):
            await past.apply([node("Company", "co-x", "Xerova Labs")])
