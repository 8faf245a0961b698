"""The GraphStore contract: every test runs, unchanged, against both stores."""

from __future__ import annotations

import asyncio

import pytest

from graph.errors import Conflict, IntegrityError, NotFound, ValidationError
from graph.model import (
    FocusGroup,
    Node,
    NodeKind,
    Region,
    Relationship,
    RelType,
    Role,
    Sensitivity,
    WeightScope,
)
from graph.store import (
    Change,
    Direction,
    GraphStore,
    NodeFilter,
    NodeWrite,
    RelEnd,
    SortOrder,
    get_node,
)
from tests.conftest import StoreFactory
from tests.factories import node, rel, small_graph, state


async def seeded(store: GraphStore) -> GraphStore:
    await store.apply(small_graph())
    return store


async def ids(store: GraphStore, **flt: object) -> list[str]:
    page = await store.find_nodes(NodeFilter(**flt), first=100, sort=SortOrder.ID)  # type: ignore[arg-type]
    return [n.id for n in page.items]


async def test_empty_store_has_revision_zero(store: GraphStore) -> None:
    assert await store.revision() == 0
    assert sum((await store.counts_by_kind()).values()) == 0
    assert await get_node(store, "cso-1") is None


async def test_apply_writes_and_bumps_revision(store: GraphStore) -> None:
    result = await store.apply(small_graph())
    assert result.revision == 1
    assert result.nodes_written == 14
    assert result.relationships_written == 16
    counts = await store.counts_by_kind()
    assert counts[NodeKind.CIVIL_SOCIETY_ORGANIZATION] == 3
    assert counts[NodeKind.MEMBER_STATE] == 3
    cso = await get_node(store, "cso-2")
    assert cso is not None
    assert cso.kind is NodeKind.CIVIL_SOCIETY_ORGANIZATION
    assert cso.props["focus_groups"] == ["WOMEN", "FAMILIES"]
    assert cso.props["sensitivity"] == "RESTRICTED"


async def test_upsert_is_idempotent(store: GraphStore) -> None:
    await seeded(store)
    again = await store.apply(small_graph())
    assert not again.changed
    assert again.revision == 1 == await store.revision()
    changed = await store.apply(
        [node("Programme", "prog-a", "Alpha Programme renamed", since="2019-01-01")]
    )
    assert (changed.revision, changed.nodes_written) == (2, 1)
    prog = await get_node(store, "prog-a")
    assert prog is not None and prog.name == "Alpha Programme renamed"


async def test_atomic_batch_failing_half_way_leaves_no_trace(store: GraphStore) -> None:
    await seeded(store)
    before = [r async for r in store.export_records()]
    bad_batch: list[Change] = [
        node("CivilSocietyOrganization", "cso-new", "Quelori Teachers' Network"),
        rel("BASED_IN", "cso-new", "KEN"),
        node("Programme", "prog-a", "Changed name"),
        rel("PARTNERS_IN", "cso-new", "prog-missing", role="IMPLEMENTING"),
    ]
    with pytest.raises(NotFound) as err:
        await store.apply(bad_batch)
    assert "prog-missing" in str(err.value)
    assert err.value.field == "end"
    assert [r async for r in store.export_records()] == before
    assert await store.revision() == 1
    assert await get_node(store, "cso-new") is None


async def test_conflicting_kind_is_rejected(store: GraphStore) -> None:
    await seeded(store)
    with pytest.raises(Conflict):
        await store.apply([node("Company", "cso-1", "Zorveli Youth Collective")])
    with pytest.raises(Conflict):
        await store.apply([rel("BASED_IN", "cso-1", "FRA", rel_id="based_in-cso-1-KEN")])


async def test_relationship_kind_pairs_are_enforced(store: GraphStore) -> None:
    await seeded(store)
    with pytest.raises(ValidationError) as err:
        await store.apply([rel("MEMBER_OF", "cso-1", "prog-a")])
    assert err.value.field == "start"
    assert await store.revision() == 1


async def test_kind_messages_use_the_right_article(store: GraphStore) -> None:
    await seeded(store)
    with pytest.raises(ValidationError) as bad_start:
        await store.apply([rel("MEMBER_OF", "act-1", "prog-a")])
    assert "cannot start at an Activity ('act-1')" in str(bad_start.value)
    with pytest.raises(ValidationError) as bad_end:
        await store.apply([rel("PARTNERS_IN", "cso-1", "out-1")])
    assert "cannot end at an Outcome ('out-1')" in str(bad_end.value)
    with pytest.raises(Conflict) as clash:
        await store.apply([node("Outcome", "prog-a", "Not a programme", level="OUTPUT")])
    assert "is already a Programme; it cannot become an Outcome" in str(clash.value)
    assert await store.revision() == 1


async def test_filters(store: GraphStore) -> None:
    await seeded(store)
    csos = frozenset({NodeKind.CIVIL_SOCIETY_ORGANIZATION})
    assert await ids(store, kinds=csos) == ["cso-1", "cso-2", "cso-3"]
    assert await ids(store, kinds=csos, country="KEN") == ["cso-1", "cso-2"]
    assert await ids(store, region=Region.ASIA) == ["JOR", "cso-3"]
    assert await ids(store, subregion="Western Europe") == ["FRA", "co-1"]
    assert await ids(store, kinds=csos, focus_group=FocusGroup.WOMEN) == ["cso-2"]
    assert await ids(store, theme="theme-cft") == ["co-1", "cso-3", "prog-b", "theme-cft"]
    assert await ids(store, role=Role.FUNDING) == ["FRA", "co-1"]
    assert await ids(store, sensitivity=Sensitivity.RESTRICTED) == ["cso-2"]
    assert await ids(store, text="INTERFAITH") == ["cso-3"]
    assert await ids(store, kinds=csos, active_as_of="2021-01-01") == ["cso-1", "cso-2"]
    assert await ids(store, kinds=csos, active_as_of="2023-01-01") == ["cso-1", "cso-3"]
    assert await ids(store, kinds=frozenset({NodeKind.ACTIVITY}), country="KEN") == ["act-1"]


async def test_pagination_is_stable_and_complete(store: GraphStore) -> None:
    await seeded(store)
    for sort in SortOrder:
        seen: list[str] = []
        after = None
        while True:
            page = await store.find_nodes(NodeFilter(), first=4, after=after, sort=sort)
            assert page.total_count == 14
            seen += [n.id for n in page.items]
            if not page.has_next_page:
                break
            after = page.end_cursor
        assert len(seen) == len(set(seen)) == 14
    by_name = await store.find_nodes(NodeFilter(), first=3, sort=SortOrder.NAME)
    assert [n.name for n in by_name.items] == [
        "Alpha Programme",
        "Amarou Women's Circle",
        "Bekira Interfaith Council",
    ]


async def test_bad_cursor_is_a_clear_error(store: GraphStore) -> None:
    with pytest.raises(ValidationError) as err:
        await store.find_nodes(NodeFilter(), first=5, after="not-a-cursor!")
    assert err.value.field == "after"


async def test_neighbours_by_type_direction_and_as_of(store: GraphStore) -> None:
    await seeded(store)
    out = await store.neighbours(
        ["prog-a", "nowhere"], types=[RelType.PARTNERS_IN], direction=Direction.IN
    )
    assert sorted(e.node.id for e in out["prog-a"]) == ["FRA", "cso-1", "cso-2"]
    assert out["nowhere"] == []
    then = await store.neighbours(
        ["prog-a"], types=[RelType.PARTNERS_IN], direction=Direction.IN, as_of="2023-01-01"
    )
    assert sorted(e.node.id for e in then["prog-a"]) == ["FRA", "cso-1"]
    both = await store.neighbours(["cso-1"])
    assert {(e.rel.type, e.node.id) for e in both["cso-1"]} == {
        (RelType.BASED_IN, "KEN"),
        (RelType.PARTNERS_IN, "prog-a"),
        (RelType.PARTICIPATED_IN, "act-1"),
    }
    edge = next(e for e in both["cso-1"] if e.rel.type is RelType.PARTNERS_IN)
    assert edge.rel.props["role"] == "IMPLEMENTING"
    assert edge.rel.props["since"] == "2020-01-01"


async def test_end_relationship_keeps_history(store: GraphStore) -> None:
    await seeded(store)
    rid = "partners_in-cso-1-prog-a"
    result = await store.apply([RelEnd(rid, "2024-06-30")])
    assert result.revision == 2
    (ended,) = await store.get_relationships([rid])
    assert ended is not None and ended.props["until"] == "2024-06-30"
    assert ended.props["since"] == "2020-01-01"
    now = await store.neighbours(["prog-a"], types=[RelType.PARTNERS_IN], as_of="2025-01-01")
    assert "cso-1" not in {e.node.id for e in now["prog-a"]}
    with pytest.raises(ValidationError):
        await store.apply([RelEnd(rid, "2001-01-01")])
    with pytest.raises(NotFound):
        await store.apply([RelEnd("no-such-rel", "2024-01-01")])


async def test_results_chain_rules(store: GraphStore) -> None:
    await seeded(store)
    with pytest.raises(IntegrityError) as err:
        await store.apply([rel("CONTRIBUTED_TO", "out-2", "out-1", share=0.1)])
    assert "cyclic" in str(err.value)
    with pytest.raises(IntegrityError) as err:
        await store.apply([rel("PRODUCED", "prog-a", "out-1", share=0.5)])
    assert "sum" in str(err.value)
    assert await store.revision() == 1


async def test_snapshot_as_of_and_derived_geography(store: GraphStore) -> None:
    await seeded(store)
    snap = await store.snapshot()
    assert snap.revision == 1
    g = snap.graph
    assert g.number_of_nodes() == 14 and g.number_of_edges() == 16
    assert g.nodes["cso-1"]["kind"] == "CivilSocietyOrganization"
    assert g.nodes["cso-1"]["region"] == "Africa"
    assert g.nodes["cso-1"]["country"] == "KEN"
    assert g.edges["cso-1", "prog-a", "partners_in-cso-1-prog-a"]["role"] == "IMPLEMENTING"
    then = (await store.snapshot(as_of="2020-03-01")).graph
    assert not then.has_edge("cso-2", "prog-a")
    assert then.has_edge("cso-1", "prog-a")
    with pytest.raises(Exception):  # noqa: B017 - frozen graphs refuse any mutation
        g.add_node("x")


async def test_reopen_restores_graph_and_revision(store_factory: StoreFactory) -> None:
    first = await store_factory()
    await first.apply(small_graph())
    await first.apply([RelEnd("partners_in-cso-1-prog-a", "2024-06-30")])
    before = [r async for r in first.export_records()]
    await first.close()
    second = await store_factory()
    assert await second.revision() == 2
    assert [r async for r in second.export_records()] == before


async def test_literal_strings_are_stored_verbatim(store: GraphStore) -> None:
    nasty = "'}) DETACH DELETE n // `x` $param \u202e \U0001f600 \\ \" \n"
    await store.apply(
        [state("KEN"), node("CivilSocietyOrganization", "cso-x", nasty, description=nasty)]
    )
    found = await get_node(store, "cso-x")
    assert found is not None and found.name == nasty and found.props["description"] == nasty
    assert (await store.counts_by_kind())[NodeKind.MEMBER_STATE] == 1
    assert await ids(store, text="DETACH DELETE") == ["cso-x"]


async def test_validation_errors_name_the_field(store: GraphStore) -> None:
    cases = [
        (
            NodeWrite(
                "MemberState",
                "XYZ",
                {"name": "Nowhere", "m49": "999", "region": "Africa", "subregion": "x"},
            ),
            "id",
        ),
        (node("Programme", "p", "P", since="2020-01-02", until="2020-01-01"), None),
        (node("CivilSocietyOrganization", "c", "C", focus_groups=["ALIENS"]), "focus_groups.0"),
        (node("Programme", "p", ""), "name"),
        (node("Programme", "p", "P", colour="red"), "colour"),
    ]
    for change, fld in cases:
        with pytest.raises(ValidationError) as err:
            await store.apply([change])
        assert err.value.field == fld, change
    assert await store.revision() == 0


async def test_a_create_never_replaces_an_existing_node(store: GraphStore) -> None:
    await store.apply(small_graph())
    before = await store.revision()
    props = {"name": "Someone Else", "illustrative": True}
    taken = NodeWrite("Company", "co-1", props, create=True)
    with pytest.raises(Conflict) as err:
        await store.apply([taken])
    assert err.value.field == "id"
    twice = [NodeWrite("Company", "co-9", {"name": "Twice", "illustrative": True}, create=True)] * 2
    with pytest.raises(Conflict):
        await store.apply(twice)
    assert await store.revision() == before
    assert (await get_node(store, "co-1")).name != "Someone Else"  # type: ignore[union-attr]
    assert await get_node(store, "co-9") is None


async def test_of_two_concurrent_creates_of_one_id_exactly_one_wins(store: GraphStore) -> None:
    await store.apply(small_graph())
    names = ["First Claimant", "Second Claimant"]
    outcomes = await asyncio.gather(
        *(
            store.apply(
                [NodeWrite("Company", "co-new", {"name": n, "illustrative": True}, create=True)]
            )
            for n in names
        ),
        return_exceptions=True,
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), outcomes
    winner = names[outcomes.index(next(o for o in outcomes if not isinstance(o, BaseException)))]
    assert (await get_node(store, "co-new")).name == winner  # type: ignore[union-attr]


async def test_records_hold_every_node_and_the_relationships_asked_for(store: GraphStore) -> None:
    await seeded(store)
    everything = [r async for r in store.export_records()]
    types = frozenset({RelType.PRODUCED, RelType.PARTNERS_IN})
    found = await store.records(types)
    assert found.revision == await store.revision()
    assert sorted(found.nodes, key=lambda n: n.id) == [r for r in everything if isinstance(r, Node)]
    assert sorted(found.relationships, key=lambda r: r.id) == [
        r for r in everything if isinstance(r, Relationship) and r.type in types
    ]
    assert {r.type for r in found.relationships} == types
    assert (await store.records(frozenset())).relationships == []


async def test_need_weights_are_stored_atomically(store_factory: StoreFactory) -> None:
    store = await store_factory()
    assert await store.need_weights() == {}
    rev = await store.set_need_weights(
        {(WeightScope.COUNTRY, "KEN"): 2.5, (WeightScope.REGION, "Africa"): 1.5}
    )
    assert rev == 1
    assert await store.set_need_weights({(WeightScope.COUNTRY, "KEN"): 2.5}) == 1
    with pytest.raises(ValidationError) as err:
        await store.set_need_weights(
            {(WeightScope.COUNTRY, "KEN"): 9.0, (WeightScope.COUNTRY, "XXX"): 1.0}
        )
    assert err.value.field == "key"
    with pytest.raises(ValidationError):
        await store.set_need_weights({(WeightScope.THEME, "theme-pcve"): -1.0})
    rev = await store.set_need_weights({(WeightScope.THEME, "theme-pcve"): 3.0}, replace=True)
    assert rev == 2
    await store.close()  # the embedded store allows one open handle per file
    reopened = await store_factory()
    assert await reopened.need_weights() == {(WeightScope.THEME, "theme-pcve"): 3.0}
    assert await reopened.revision() == 2
