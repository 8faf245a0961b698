"""``partnernet import`` lists every problem of a file (issue #15), reads GraphML, and the
readers' edge cases. The rules themselves run on both stores in tests/contract/test_exchange.py."""

from __future__ import annotations

import asyncio
import json
import subprocess
import typing
from enum import Enum
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import InvalidFile, Problem, ValidationError
from graph.exchange import (
    LIST_SEPARATOR,
    export_graphml,
    export_jsonl,
    import_file,
    read_graphml,
    read_jsonl,
)
from graph.exchange.graphml import _LIST_FIELDS
from graph.model import NODE_PROPS, REL_RULES
from graph.store import NodeWrite
from tests.cli import partnernet
from tests.factories import small_graph


def run(tmp_path: Path, *args: str, db: str = "cli.db") -> subprocess.CompletedProcess[str]:
    return partnernet(tmp_path / db, *args)


def node_line(node_id: str, **props: object) -> str:
    obj = {"type": "node", "id": node_id, "labels": ["Programme"], "properties": props}
    return json.dumps(obj)


def write_small_graph(path: Path) -> str:
    """small_graph exported as JSON Lines to ``path`` (through a throwaway embedded store)."""

    async def work() -> str:
        store = EmbeddedStore(path.with_suffix(".db"))
        await store.open()
        try:
            await store.apply(small_graph())
            with path.open("w", encoding="utf-8") as out:
                await export_jsonl(store, out)
        finally:
            await store.close()
        return path.read_text(encoding="utf-8")

    return asyncio.run(work())


# --------------------------------------------------------------------------- CLI


def test_cli_lists_every_problem_then_one_summary(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(
            [
                node_line("p1", name="P"),
                node_line("p2", since="x"),
                "not json",
                node_line("p3", name="P", colour="red"),
            ]
        )
        + "\n"
    )
    proc = run(tmp_path, "import", str(bad))
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("reading")]
    problems = [line for line in lines if line.startswith(f"{bad}:")]
    assert [p.split(":")[1] for p in problems] == ["2", "2", "3", "4"], proc.stderr
    assert "(field 'since')" in problems[0] and problems[1].endswith("(field 'name')")
    assert "not valid JSON" in problems[2] and problems[3].endswith("(field 'colour')")
    assert lines[-1] == f"partnernet import: error: 4 problems in {bad}; nothing was imported"
    assert "Traceback" not in proc.stderr
    assert run(tmp_path, "export", "-").stdout == ""


def test_cli_bound_is_an_option(tmp_path: Path) -> None:
    bad = tmp_path / "many.jsonl"
    bad.write_text("\n".join(node_line(f"p{i}", name="P", since="x") for i in range(150)))
    proc = run(tmp_path, "import", str(bad))
    assert proc.returncode == 1
    assert sum(line.startswith(f"{bad}:") for line in proc.stderr.splitlines()) == 100
    assert proc.stderr.rstrip().endswith(
        f"150 problems in {bad} (the first 100 are listed above); nothing was imported"
    )
    proc = run(tmp_path, "import", str(bad), "--max-problems", "2")
    assert sum(line.startswith(f"{bad}:") for line in proc.stderr.splitlines()) == 2
    assert "150 problems" in proc.stderr and "first 2 are listed" in proc.stderr
    assert run(tmp_path, "import", str(bad), "--max-problems", "0").returncode == 2


def test_cli_graphml_round_trip(tmp_path: Path) -> None:
    original = write_small_graph(tmp_path / "small.jsonl")
    assert run(tmp_path, "import", str(tmp_path / "small.jsonl"), db="a.db").returncode == 0
    graphml = tmp_path / "g.graphml"
    assert run(tmp_path, "export", str(graphml), "--format", "graphml", db="a.db").returncode == 0
    other = tmp_path / "g.xml"  # not chosen by extension: needs --format
    other.write_bytes(graphml.read_bytes())
    assert run(tmp_path, "import", str(other), db="b.db").returncode == 1  # read as JSONL
    proc = run(tmp_path, "import", str(other), "--format", "graphml", db="b.db")
    assert proc.returncode == 0, proc.stderr
    assert run(tmp_path, "export", "-", db="b.db").stdout == original
    proc = run(tmp_path, "import", str(graphml), db="c.db")  # chosen by extension
    assert proc.returncode == 0 and "(revision 1)" in proc.stdout, proc.stderr
    assert run(tmp_path, "export", "-", db="c.db").stdout == original
    again = run(tmp_path, "import", str(graphml), db="c.db")
    assert "0 nodes and 0 relationships changed" in again.stdout


# --------------------------------------------------------------------------- readers


def test_a_refused_node_is_not_reported_again_at_each_reference(tmp_path: Path) -> None:
    path = tmp_path / "cascade.jsonl"
    rel = {
        "type": "relationship",
        "id": "r",
        "label": "PART_OF",
        "start": {"id": "10"},  # APOC's internal id of the refused node
        "end": {"id": "p1"},
        "properties": {},
    }
    path.write_text(
        "\n".join(
            [
                node_line("p1", name="P"),
                json.dumps({"type": "node", "id": 10, "labels": ["Spaceship"], "properties": {}}),
                json.dumps({**rel, "properties": {"id": "r1"}}),
                json.dumps(
                    {
                        "type": "node",
                        "id": 11,
                        "labels": ["Activity"],
                        "properties": {"id": "a2", "name": ""},
                    }
                ),
                json.dumps({**rel, "start": {"id": "11"}, "properties": {"id": "r2", "x": 1}}),
            ]
        )
    )

    async def work() -> InvalidFile:
        store = EmbeddedStore(tmp_path / "g.db")
        await store.open()
        try:
            with pytest.raises(InvalidFile) as caught:
                await import_file(store, path, fmt="jsonl")
            return caught.value
        finally:
            await store.close()

    err = asyncio.run(work())
    # line 3 refers to a node of unknown kind: not checked; line 5 to a refused Activity,
    # checked against a stand-in, so its own bad property is still found
    assert [(p.line, p.field) for p in err.problems] == [(2, "labels"), (4, "name"), (5, "x")]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("<?xml version='1.0'?>\n<graphml>\n  <graph>\n    <node id='a'>\n</graphml>\n", 5, "XML"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE lol [<!ENTITY lol "lol">]>\n<graphml/>\n',
            2,
            "DOCTYPE",
        ),
        ("<?xml version='1.0'?>\n\n<gexf/>\n", 3, "not a GraphML file"),
        (
            "<graphml>\n<key id='d' for='node' attr.name='x' attr.type='date'/>\n</graphml>",
            2,
            "attr.type",
        ),
    ],
)
def test_graphml_that_cannot_be_read(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "bad.graphml"
    path.write_text(text)
    with pytest.raises(InvalidFile) as caught:
        read_graphml(path)
    (problem,) = caught.value.problems
    assert problem.line == line and reason in problem.message, problem
    assert str(problem).startswith(f"{path}:{line}: ")


def test_graphml_reads_defaults_foreign_markup_and_no_namespace(tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text(
        """<graphml xmlns:y="http://www.yworks.com/xml/graphml">
  <key id="g" for="node" yfiles.type="nodegraphics"/>
  <key id="k" for="node" attr.name="kind" attr.type="string"><default>Programme</default></key>
  <key id="n" for="node" attr.name="name" attr.type="string"/>
  <graph edgedefault="directed">
    <data key="n">a graph attribute, ignored</data>
    <node id="p1"><data key="n">One</data><data key="g"><y:ShapeNode/></data></node>
  </graph>
</graphml>"""
    )
    assert read_graphml(path) == [NodeWrite("Programme", "p1", {"name": "One"}, where=f"{path}:7")]


def test_every_list_property_survives_graphml() -> None:
    """GraphML joins lists with ';' and the import splits them: exact only while every list
    in the model holds enum values, none empty or holding ';'. A new list property must keep
    that (or change the GraphML encoding)."""
    models = [*NODE_PROPS.values(), *(rule.props for rule in REL_RULES.values())]
    found = 0
    for model in models:
        for name, info in model.model_fields.items():
            if typing.get_origin(info.annotation) is not list:
                continue
            found += 1
            (item,) = typing.get_args(info.annotation)
            assert isinstance(item, type) and issubclass(item, Enum), (model, name)
            assert all(v.value and LIST_SEPARATOR not in v.value for v in item), (model, name)
    assert found and _LIST_FIELDS["CivilSocietyOrganization"] == {"focus_groups"}


def test_export_refuses_text_graphml_would_change(tmp_path: Path) -> None:
    async def work() -> None:
        store = EmbeddedStore(tmp_path / "g.db")
        await store.open()
        try:
            await store.apply(
                [NodeWrite("Programme", "p1", {"name": "P", "description": "a\r\nb"})]
            )
            with pytest.raises(ValidationError) as caught:
                await export_graphml(store, tmp_path / "g.graphml")
            assert (caught.value.where, caught.value.field) == ("node 'p1'", "description")
            await store.apply([NodeWrite("Programme", "p1", {"name": "P", "description": "a\nb"})])
            await export_graphml(store, tmp_path / "g.graphml")
            await import_file(store, tmp_path / "g.graphml", fmt="graphml")
        finally:
            await store.close()

    asyncio.run(work())


def test_invalid_file_reads_as_its_first_problem() -> None:
    err = InvalidFile(
        [Problem("bad", "f:2", "since", line=2), Problem("worse", "f:3", line=3)], left_off=1
    )
    assert (err.message, err.where, err.field, err.code) == ("bad", "f:2", "since", "INVALID")
    assert isinstance(err, ValidationError) and err.total == 3
    assert str(err) == (
        "f:2: bad (field 'since')\nf:3: worse\n... and 1 more problem (only the first 2 are listed)"
    )


def test_a_bad_byte_is_one_bad_line(tmp_path: Path) -> None:
    latin1 = node_line("p2", name="café").replace("\\u00e9", "é").encode("latin-1")
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(b"\r\n".join([node_line("p1", name="P").encode(), latin1, b"[]", b""]))
    byte = latin1.index(b"\xe9") + 1
    with pytest.raises(InvalidFile) as caught:
        read_jsonl(path)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (2, f"not valid UTF-8 (byte {byte})"),
        (3, "a line must be a JSON object"),
    ]
