"""The JSON Lines format of Neo4j APOC (``apoc.export.json`` / ``apoc.import.json``): one
record a line, read line by line so a bad line is one problem, not the end of the file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from graph.errors import ValidationError
from graph.exchange.problems import DEFAULT_MAX_PROBLEMS, ProblemLog, Progress, Read
from graph.model import Node, NodeKind, Relationship, relationship_id
from graph.store import Change, GraphStore, NodeWrite, RelWrite

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
    """Parse APOC JSON Lines into changes; raises :class:`ValidationError` naming the first bad
    line. (:func:`graph.exchange.import_file` reports every bad line instead.)"""
    file_ids: dict[str, str] = {}
    refused: dict[str, NodeKind | None] = {}
    for lineno, raw in enumerate(lines, start=1):
        if raw.strip():
            yield _parse_line(raw, f"{source}:{lineno}", file_ids, refused)


def _parse_line(
    raw: str, where: str, file_ids: dict[str, str], refused: dict[str, NodeKind | None]
) -> Change:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValidationError(
            f"not valid JSON ({err.msg} at column {err.colno})", where=where
        ) from None
    if not isinstance(obj, dict):
        raise ValidationError("a line must be a JSON object", where=where)
    kind = obj.get("type")
    if kind == "node":
        return _node(obj, where, file_ids, refused)
    props = _dict(obj.get("properties", {}), where, "properties")
    if kind == "relationship":
        return _relationship(obj, props, where, file_ids)
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
    obj: dict[str, Any],
    where: str,
    file_ids: dict[str, str],
    refused: dict[str, NodeKind | None],
) -> NodeWrite:
    # The id and kind are worked out first, so that a refused node is known by both and the
    # relationships to it are not each reported as a second problem.
    file_id = _ref(obj.get("id"))
    raw_props = obj.get("properties", {})
    prop_id = raw_props.get("id") if isinstance(raw_props, dict) else None
    node_id = prop_id or file_id
    labels = obj.get("labels")
    known = [lbl for lbl in labels if lbl in _KINDS] if isinstance(labels, list) else []
    if isinstance(node_id, str) and file_id is not None:
        file_ids[file_id] = node_id
    try:
        props = _dict(raw_props, where, "properties")
        props.pop("id", None)
        if not isinstance(labels, list):
            raise ValidationError("must be a list of labels", where=where, field="labels")
        if len(known) != 1:
            raise ValidationError(
                f"must contain exactly one node kind of {', '.join(sorted(_KINDS))}; got {labels}",
                where=where,
                field="labels",
            )
        if not isinstance(node_id, str):
            raise ValidationError("a node needs a string id", where=where, field="id")
    except ValidationError:
        if isinstance(node_id, str):
            refused[node_id] = NodeKind(known[0]) if len(known) == 1 else None
        raise
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


def read_jsonl_file(path: Path, log: ProblemLog, progress: Progress | None) -> Read:
    """Every good line of a JSON Lines file; every problem goes to ``log``."""
    read = Read()
    file_ids: dict[str, str] = {}
    with path.open("rb") as fh:  # decoded line by line, so a bad byte is one bad line
        for lineno, data in enumerate(fh, start=1):
            if progress:
                progress(1)
            where = log.where(lineno)
            try:
                raw = data.decode("utf-8")
                if raw.strip():
                    read.changes.append(_parse_line(raw, where, file_ids, read.refused))
            except UnicodeDecodeError as err:
                log.add(ValidationError(f"not valid UTF-8 (byte {err.start + 1})", where=where))
            except ValidationError as err:
                log.add(err, lineno)
    return read


def read_jsonl(
    path: Path, progress: Progress | None = None, *, max_problems: int = DEFAULT_MAX_PROBLEMS
) -> list[Change]:
    """All changes of a file, checked line by line for syntax and shape; raises
    :class:`InvalidFile` listing every bad line (up to ``max_problems``)."""
    log = ProblemLog(str(path), max_problems)
    read = read_jsonl_file(path, log, progress)
    if log:
        raise log.error()
    return read.changes


async def export_jsonl(store: GraphStore, out: IO[str]) -> int:
    count = 0
    async for record in store.export_records():
        out.write(record_to_json(record) + "\n")
        count += 1
    return count
