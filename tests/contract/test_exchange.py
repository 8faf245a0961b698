"""Import/export round trips and malformed input, on both stores."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from graph.embedded import EmbeddedStore
from graph.errors import GraphError
from graph.exchange import export_graphml, export_jsonl, import_jsonl
from graph.store import GraphStore
from tests.conftest import StoreFactory
from tests.factories import small_graph


async def dump(store: GraphStore) -> str:
    buf = io.StringIO()
    await export_jsonl(store, buf)
    return buf.getvalue()


async def test_round_trip_into_a_fresh_store(store_factory: StoreFactory, tmp_path: Path) -> None:
    first = await store_factory()
    await first.apply(small_graph())
    text = await dump(first)
    path = tmp_path / "graph.jsonl"
    path.write_text(text)
    lines = [json.loads(line) for line in text.splitlines()]
    assert {line["type"] for line in lines} == {"node", "relationship"}
    assert lines[0]["labels"] == ["MemberState"] and lines[0]["properties"]["id"] == lines[0]["id"]
    rel = next(line for line in lines if line["type"] == "relationship")
    assert set(rel) == {"type", "id", "label", "start", "end", "properties"}

    graphml = tmp_path / "graph.graphml"
    assert await export_graphml(first, graphml) == len(lines)
    g = nx.read_graphml(graphml)
    assert g.nodes["cso-2"]["focus_groups"] == "WOMEN;FAMILIES"

    # Import into a separate fresh embedded database: for the Neo4j case this also proves
    # that what Neo4j exports, the embedded store reads back line for line.
    fresh = EmbeddedStore(tmp_path / "fresh.db")
    await fresh.open()
    try:
        result = await import_jsonl(fresh, path)
        assert result.revision == 1
        assert await dump(fresh) == text
        again = await import_jsonl(fresh, path)
        assert not again.changed and again.revision == 1
    finally:
        await fresh.close()


BAD_LINES = {
    "bad json": ('{"type":"node", "id": ', "not valid JSON", None),
    "unknown kind": (
        '{"type":"node","id":"x","labels":["Spaceship"],"properties":{"name":"X"}}',
        "node kind",
        "labels",
    ),
    "missing endpoint": (
        '{"type":"relationship","id":"r9","label":"BASED_IN","start":{"id":"cso-1"}'
        ',"end":{"id":"NOWHERE"},"properties":{}}',
        "does not exist",
        "end",
    ),
    "bad date": (
        '{"type":"node","id":"p9","labels":["Programme"],'
        '"properties":{"name":"P","since":"2022-13-01"}}',
        "date",
        "since",
    ),
    "conflicting kind": (
        '{"type":"node","id":"cso-1","labels":["Company"],"properties":{"name":"Dup"}}',
        "cannot become",
        "kind",
    ),
    "bad type": ('{"type":"edge","id":"x"}', "type must be", "type"),
    "unknown property": (
        '{"type":"node","id":"p9","labels":["Programme"],"properties":{"name":"P","colour":"red"}}',
        "not permitted",
        "colour",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
async def test_malformed_input_imports_nothing(
    store: GraphStore, tmp_path: Path, case: str
) -> None:
    await store.apply(small_graph())
    before = await dump(store)
    good = before.splitlines()[:5]
    bad_line, reason, fld = BAD_LINES[case]
    new_node = (
        '{"type":"node","id":"prog-new","labels":["Programme"],'
        '"properties":{"name":"Fresh programme"}}'
    )
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([new_node, *good, bad_line]) + "\n")
    with pytest.raises(GraphError) as err:
        await import_jsonl(store, path)
    assert f"bad.jsonl:{len(good) + 2}" in str(err.value), str(err.value)
    assert reason in str(err.value)
    assert err.value.field == fld
    assert await dump(store) == before
    assert await store.revision() == 1
