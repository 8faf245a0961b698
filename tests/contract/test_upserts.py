"""Upserts as the field's import formats write them (merge, defaults, provenance stamps), and
the import's dry run and report, on both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.exchange import import_file
from graph.exchange.importer import _stamped
from graph.store import Change, NodeWrite, RelWrite
from tests.conftest import StoreFactory
from tests.factories import small_graph

STAMP = {
    "imported_from": "a.csv",
    "imported_where": "a.csv:2",
    "imported_at": "2026-01-02T03:04:05Z",
}


async def test_merge_keeps_what_the_write_does_not_name(store_factory: StoreFactory) -> None:
    store = await store_factory()
    await store.apply(small_graph())
    [before] = await store.get_nodes(["cso-2"])
    assert before is not None and before.props["focus_groups"]
    await store.apply(
        [NodeWrite("CivilSocietyOrganization", "cso-2", {"name": "Renamed"}, merge=True)]
    )
    [after] = await store.get_nodes(["cso-2"])
    assert after is not None
    assert after.props == {**before.props, "name": "Renamed"}
    # Without merge, the same write replaces the record: the focus groups are gone.
    await store.apply([NodeWrite("CivilSocietyOrganization", "cso-2", {"name": "Renamed"})])
    [replaced] = await store.get_nodes(["cso-2"])
    assert replaced is not None and replaced.props["focus_groups"] == []


async def test_defaults_apply_only_to_new_nodes(store_factory: StoreFactory) -> None:
    store = await store_factory()
    await store.apply(small_graph())
    restricted = {"sensitivity": "RESTRICTED"}
    await store.apply(
        [
            NodeWrite("CivilSocietyOrganization", "cso-new", {"name": "New"}, defaults=restricted),
            NodeWrite(
                "CivilSocietyOrganization",
                "cso-1",
                {"name": "Same"},
                merge=True,
                defaults=restricted,
            ),
            NodeWrite(
                "CivilSocietyOrganization",
                "cso-open",
                {"name": "Said public", "sensitivity": "PUBLIC"},
                defaults=restricted,
            ),
        ]
    )
    new, existing, said = await store.get_nodes(["cso-new", "cso-1", "cso-open"])
    assert new is not None and new.props["sensitivity"] == "RESTRICTED"
    assert existing is not None and existing.props["sensitivity"] == "PUBLIC"  # its own kept
    assert said is not None and said.props["sensitivity"] == "PUBLIC"


async def test_stamps_are_written_only_with_a_change(store_factory: StoreFactory) -> None:
    store = await store_factory()
    await store.apply(small_graph())
    write = NodeWrite("Programme", "prog-a", {"name": "Alpha Programme"}, merge=True, stamp=STAMP)
    unchanged = await store.apply([write])
    assert not unchanged.changed  # same values: the stamp alone is no change
    [prog] = await store.get_nodes(["prog-a"])
    assert prog is not None and "imported_from" not in prog.props

    changed = await store.apply(
        [NodeWrite("Programme", "prog-a", {"name": "Alpha"}, merge=True, stamp=STAMP)]
    )
    assert changed.nodes_written == 1
    [prog] = await store.get_nodes(["prog-a"])
    assert prog is not None
    assert prog.props["imported_from"] == "a.csv" and prog.props["imported_where"] == "a.csv:2"
    assert prog.props["imported_at"].startswith("2026-01-02T03:04:05")

    later = {**STAMP, "imported_at": "2026-02-01T00:00:00Z", "imported_where": "b.csv:9"}
    again = await store.apply(
        [NodeWrite("Programme", "prog-a", {"name": "Alpha"}, merge=True, stamp=later)]
    )
    assert not again.changed  # re-importing the same values keeps the first stamp
    [prog] = await store.get_nodes(["prog-a"])
    assert prog is not None and prog.props["imported_where"] == "a.csv:2"


async def test_relationship_merge_and_stamp(store_factory: StoreFactory) -> None:
    store = await store_factory()
    await store.apply(small_graph())
    [partnership] = [
        r for r in await store.get_relationships(["partners_in-cso-1-prog-a"]) if r is not None
    ]
    update = RelWrite(
        "PARTNERS_IN",
        partnership.id,
        partnership.start,
        partnership.end,
        {"amount": 1234.5},
        merge=True,
        stamp=STAMP,
    )
    result = await store.apply([update])
    assert result.relationships_written == 1
    [after] = await store.get_relationships([partnership.id])
    assert after is not None
    assert after.props["role"] == partnership.props["role"]  # kept
    assert after.props["amount"] == 1234.5 and after.props["imported_from"] == "a.csv"


async def test_dry_run_reports_and_writes_nothing(
    store_factory: StoreFactory, tmp_path: Path
) -> None:
    """The report's per-kind counts, through a JSON Lines file (a format every store reads)."""
    store = await store_factory()
    await store.apply(small_graph())
    revision = await store.revision()
    path = tmp_path / "g.jsonl"
    path.write_text(
        '{"type":"node","id":"prog-a","labels":["Programme"],'
        '"properties":{"name":"Alpha Programme","since":"2019-01-01"}}\n'
        '{"type":"node","id":"prog-c","labels":["Programme"],"properties":{"name":"Gamma"}}\n'
        '{"type":"node","id":"prog-b","labels":["Programme"],"properties":{"name":"Beta 2"}}\n'
        '{"type":"node","id":"prog-x","labels":["Programme"],"properties":{"name":""}}\n'
    )
    report = await import_file(store, path, dry_run=True)
    assert report.dry_run and report.revision == revision
    counts = report.nodes["Programme"]
    assert (counts.created, counts.updated, counts.unchanged, counts.rejected) == (1, 1, 1, 1)
    assert report.problems is not None and report.problems.total == 1
    assert "g.jsonl:4" in str(report.problems.problems[0])
    assert await store.revision() == revision
    assert (await store.get_nodes(["prog-c"])) == [None]


async def test_stamping_marks_every_record_of_a_field_format() -> None:
    """Provenance: file name, the record's location, the time; nothing for a record that
    gives no location."""
    writes: list[Change] = [
        NodeWrite("Programme", "p", {"name": "P"}, where="dir/a.csv:2", merge=True),
        RelWrite("ADDRESSES", "r", "p", "t", {}, where=None, merge=True),
    ]
    at = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    node, link = _stamped(writes, "a.csv", at)
    assert isinstance(node, NodeWrite) and isinstance(link, RelWrite)
    assert node.stamp == {
        "imported_from": "a.csv",
        "imported_where": "dir/a.csv:2",
        "imported_at": "2026-03-04T05:06:07Z",
    }
    assert link.stamp == {"imported_from": "a.csv", "imported_at": "2026-03-04T05:06:07Z"}
