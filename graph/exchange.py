"""Import and export in the JSON Lines format of Neo4j APOC (``apoc.export.json`` /
``apoc.import.json``), plus GraphML export for Gephi and similar tools.

A file is read and validated whole before anything is written, then applied as one atomic
batch, so a bad line anywhere imports nothing. Every error names ``path:line``, the field and
the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import networkx as nx

from graph.errors import ValidationError
from graph.model import Node, NodeKind, Relationship, relationship_id
from graph.store import ApplyResult, Change, GraphStore, NodeWrite, RelWrite

_KINDS = {k.value for k in NodeKind}


def record_to_json(record: Node | Relationship) -> str:
    """One APOC-style line. Our id is also kept in ``properties.id`` so that a Neo4j loading
    the file with ``apoc.import.json`` keeps it as a property."""
    if isinstance(record, Node):
        obj: dict[str, Any] = {
            "type": "node",
            "id": record.id,
            "labels": [record.kind.value],
            "properties": {"id": record.id, **record.props},
        }
    else:
        obj = {
            "type": "relationship",
            "id": record.id,
            "label": record.type.value,
            "start": {"id": record.start},
            "end": {"id": record.end},
            "properties": {"id": record.id, **record.props},
        }
    obj["properties"] = dict(sorted(obj["properties"].items()))
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def parse_lines(lines: Iterable[str], source: str) -> Iterator[Change]:
    """Parse APOC JSON Lines into changes; raises :class:`ValidationError` naming the line."""
    file_ids: dict[str, str] = {}
    for lineno, raw in enumerate(lines, start=1):
        where = f"{source}:{lineno}"
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ValidationError(
                f"not valid JSON ({err.msg} at column {err.colno})", where=where
            ) from None
        if not isinstance(obj, dict):
            raise ValidationError("a line must be a JSON object", where=where)
        props = _dict(obj.get("properties", {}), where, "properties")
        kind = obj.get("type")
        if kind == "node":
            yield _node(obj, props, where, file_ids)
        elif kind == "relationship":
            yield _relationship(obj, props, where, file_ids)
        else:
            raise ValidationError(
                f"type must be 'node' or 'relationship', not {kind!r}", where=where, field="type"
            )


def _dict(value: Any, where: str, fld: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError("must be a JSON object", where=where, field=fld)
    return dict(value)


def _ref(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _node(
    obj: dict[str, Any], props: dict[str, Any], where: str, file_ids: dict[str, str]
) -> NodeWrite:
    labels = obj.get("labels")
    if not isinstance(labels, list):
        raise ValidationError("must be a list of labels", where=where, field="labels")
    known = [lbl for lbl in labels if lbl in _KINDS]
    if len(known) != 1:
        raise ValidationError(
            f"must contain exactly one node kind of {', '.join(sorted(_KINDS))}; got {labels}",
            where=where,
            field="labels",
        )
    file_id = _ref(obj.get("id"))
    node_id = props.pop("id", None) or file_id
    if not isinstance(node_id, str):
        raise ValidationError("a node needs a string id", where=where, field="id")
    if file_id is not None:
        file_ids[file_id] = node_id
    return NodeWrite(kind=known[0], id=node_id, props=props, where=where)


def _relationship(
    obj: dict[str, Any], props: dict[str, Any], where: str, file_ids: dict[str, str]
) -> RelWrite:
    rel_type = obj.get("label")
    if not isinstance(rel_type, str):
        raise ValidationError(
            "a relationship needs a string label (its type)", where=where, field="label"
        )
    ends = []
    for fld in ("start", "end"):
        ref = _ref(_dict(obj.get(fld), where, fld).get("id"))
        if ref is None:
            raise ValidationError("needs an id", where=where, field=f"{fld}.id")
        ends.append(file_ids.get(ref, ref))
    rel_id = props.pop("id", None) or _ref(obj.get("id"))
    if rel_id is None:
        rel_id = relationship_id(rel_type, ends[0], ends[1], props.get("role"), props.get("since"))
    if not isinstance(rel_id, str):
        raise ValidationError("a relationship id must be a string", where=where, field="id")
    return RelWrite(type=rel_type, id=rel_id, start=ends[0], end=ends[1], props=props, where=where)


def read_jsonl(path: Path, progress: Callable[[int], None] | None = None) -> list[Change]:
    """All changes of a file, validated line by line for syntax and shape."""
    changes: list[Change] = []
    with path.open(encoding="utf-8") as fh:
        for change in parse_lines(fh, str(path)):
            changes.append(change)
            if progress:
                progress(1)
    return changes


async def import_jsonl(
    store: GraphStore,
    path: Path,
    progress: Callable[[int], None] | None = None,
    write_progress: Callable[[int], None] | None = None,
) -> ApplyResult:
    """Import a file as one atomic batch; re-importing the same file changes nothing.
    ``progress`` counts lines read, ``write_progress`` records written."""
    return await store.apply(read_jsonl(path, progress), progress=write_progress)


async def export_jsonl(store: GraphStore, out: IO[str]) -> int:
    count = 0
    async for record in store.export_records():
        out.write(record_to_json(record) + "\n")
        count += 1
    return count


async def export_graphml(store: GraphStore, path: Path) -> int:
    """GraphML holds only scalars, so list properties become ';'-joined strings."""
    g = nx.MultiDiGraph()

    def flat(props: dict[str, Any]) -> dict[str, Any]:
        return {k: ";".join(v) if isinstance(v, list) else v for k, v in props.items()}

    count = 0
    async for record in store.export_records():
        if isinstance(record, Node):
            g.add_node(record.id, kind=record.kind.value, **flat(dict(record.props)))
        else:
            g.add_edge(
                record.start,
                record.end,
                key=record.id,
                type=record.type.value,
                **flat(dict(record.props)),
            )
        count += 1
    nx.write_graphml(g, path)
    return count
