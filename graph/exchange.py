"""Import and export in the JSON Lines format of Neo4j APOC (``apoc.export.json`` /
``apoc.import.json``), and in GraphML (for Gephi and similar tools, and back).

A file is read and validated whole before anything is written, then applied as one atomic
batch, so a bad line anywhere imports nothing. A file with problems raises
:class:`graph.errors.InvalidFile` listing every problem found, up to a bound
(:data:`DEFAULT_MAX_PROBLEMS`), each naming ``FILE:LINE``, the reason and the field: syntax and
shape, property rules, references, conflicts with stored data and the results-chain rules.

How problems are collected: a valid file costs one validation, the store's own. Reading
collects every syntax and shape problem; if there is none the batch goes to
:meth:`GraphStore.apply`, which checks it (and writes it) atomically. Only when reading or the
store found a problem is the batch validated again, collecting: :func:`graph.changes.plan_changes`
with a ``report`` callback for records and references, then
:func:`graph.integrity.results_chain_problems` over the store's results chain for cycles and
over-full shares, whose problems name the file lines of the relationships involved.
"""

from __future__ import annotations

import heapq
import json
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal
from xml.parsers import expat

import networkx as nx

from graph.changes import plan_changes
from graph.errors import (
    Conflict,
    GraphError,
    IntegrityError,
    InvalidFile,
    NotFound,
    Problem,
    ValidationError,
)
from graph.integrity import CONTRIBUTION_TYPES, ChainProblem, results_chain_problems
from graph.model import (
    NODE_PROPS,
    REL_RULES,
    Node,
    NodeKind,
    Relationship,
    RelType,
    relationship_id,
)
from graph.store import ApplyResult, Change, Direction, GraphStore, NodeWrite, RelWrite

#: How many problems of one file are listed; the rest are counted.
DEFAULT_MAX_PROBLEMS = 100

Format = Literal["jsonl", "graphml"]
FORMATS: tuple[Format, ...] = ("jsonl", "graphml")
Progress = Callable[[int], None]

_KINDS = {k.value for k in NodeKind}
#: Problems of the store that reading the file again, collecting, can explain.
_RULE_ERRORS = (ValidationError, NotFound, Conflict, IntegrityError)


def format_for(path: Path | str) -> Format:
    """The format of a file by its extension: ``.graphml`` is GraphML, anything else JSONL."""
    return "graphml" if Path(path).suffix.lower() == ".graphml" else "jsonl"


# --------------------------------------------------------------------------- problems


class _ProblemLog:
    """The problems of one file: keeps the ``limit`` first in line order (a bounded heap, so a
    file of a million bad lines costs no more memory than one of a hundred) and counts all."""

    def __init__(self, source: str, limit: int = DEFAULT_MAX_PROBLEMS) -> None:
        if limit < 1:
            raise ValueError("the problem bound must be at least 1")
        self.source = source
        self.limit = limit
        self.count = 0
        self.lines: set[int] = set()  # every line with a problem, listed or not
        self._heap: list[tuple[int, int, Problem]] = []  # (-line, -seq, problem): max-heap

    def __bool__(self) -> bool:
        return self.count > 0

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"

    def line_of(self, where: str | None) -> int | None:
        prefix = f"{self.source}:"
        if where and where.startswith(prefix) and where[len(prefix) :].isdigit():
            return int(where[len(prefix) :])
        return None

    def add(self, err: GraphError, line: int | None = None) -> None:
        line = line if line is not None else self.line_of(err.where)
        self.add_problem(Problem(err.message, err.where, err.field, err.code, line))

    def add_problem(self, problem: Problem) -> None:
        self.count += 1
        line = problem.line if problem.line is not None else 2**62
        if problem.line is not None:
            self.lines.add(problem.line)
        heapq.heappush(self._heap, (-line, -self.count, problem))
        if len(self._heap) > self.limit:
            heapq.heappop(self._heap)

    def error(self) -> InvalidFile:
        listed = [p for _, _, p in sorted(self._heap, key=lambda t: (-t[0], -t[1]))]
        return InvalidFile(listed, left_off=self.count - len(listed))


# --------------------------------------------------------------------------- JSON Lines


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
    line. (:func:`import_jsonl` reports every bad line instead.)"""
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


@dataclass
class _Read:
    """What reading a file gave: the changes of its good records, the ids of the nodes it
    refused (with their kind if known), and whether the whole file could be read."""

    changes: list[Change] = field(default_factory=list)
    refused: dict[str, NodeKind | None] = field(default_factory=dict)
    complete: bool = True


def _read_jsonl(path: Path, log: _ProblemLog, progress: Progress | None) -> _Read:
    read = _Read()
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
    log = _ProblemLog(str(path), max_problems)
    read = _read_jsonl(path, log, progress)
    if log:
        raise log.error()
    return read.changes


async def export_jsonl(store: GraphStore, out: IO[str]) -> int:
    count = 0
    async for record in store.export_records():
        out.write(record_to_json(record) + "\n")
        count += 1
    return count


# --------------------------------------------------------------------------- GraphML

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
#: The separator of list properties in GraphML, which holds only scalars.
LIST_SEPARATOR = ";"
_XML_TEXT_REFUSED = frozenset(chr(c) for c in range(0x20) if chr(c) not in "\t\n") | {
    "\ufffe",
    "\uffff",
}


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def _list_fields() -> dict[str, frozenset[str]]:
    """Per node kind and relationship type, the properties the model holds as lists: the ones
    a GraphML export joins with ``;`` and an import splits again."""
    models = {k.value: m for k, m in NODE_PROPS.items()}
    models.update({t.value: rule.props for t, rule in REL_RULES.items()})
    return {
        name: frozenset(f for f, info in model.model_fields.items() if _is_list(info.annotation))
        for name, model in models.items()
    }


_LIST_FIELDS = _list_fields()


def _graphml_props(record: Node | Relationship) -> dict[str, Any]:
    """A record's properties as GraphML scalars: lists joined with ``;``. Refuses what the
    import could not read back exactly: text XML cannot carry (control characters, and a
    carriage return, which XML reads as a line feed) and list items holding ``;`` or empty."""
    what = f"node {record.id!r}" if isinstance(record, Node) else f"relationship {record.id!r}"
    out: dict[str, Any] = {}
    for key, value in record.props.items():
        if isinstance(value, list):
            if any(not item or LIST_SEPARATOR in item for item in value):
                raise ValidationError(
                    f"a list item is empty or holds {LIST_SEPARATOR!r}, which GraphML cannot "
                    "carry; export as JSON Lines instead",
                    where=what,
                    field=key,
                )
            value = LIST_SEPARATOR.join(value)
        if isinstance(value, str) and not _XML_TEXT_REFUSED.isdisjoint(value):
            raise ValidationError(
                "holds a control character or carriage return, which GraphML cannot carry; "
                "export as JSON Lines instead",
                where=what,
                field=key,
            )
        out[key] = value
    return out


async def export_graphml(store: GraphStore, path: Path) -> int:
    """A directed multigraph: node attribute ``kind``, edge attribute ``type`` and edge id the
    relationship id; GraphML holds only scalars, so list properties become ';'-joined strings.
    :func:`import_graphml` reads the file back to the same records."""
    g = nx.MultiDiGraph()
    count = 0
    async for record in store.export_records():
        if isinstance(record, Node):
            g.add_node(record.id, kind=record.kind.value, **_graphml_props(record))
        else:
            g.add_edge(
                record.start,
                record.end,
                key=record.id,
                type=record.type.value,
                **_graphml_props(record),
            )
        count += 1
    nx.write_graphml(g, path)
    return count


@dataclass(frozen=True, slots=True)
class _Key:
    name: str | None  # attr.name; data of a key without one (yFiles graphics) is ignored
    type: str
    scope: str
    default: Any = None


@dataclass
class _Element:
    """A <node> or <edge> being read."""

    tag: str
    line: int
    attrs: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    bad: bool = False


class _Stop(Exception):
    """Reading cannot go on (not GraphML, or a DOCTYPE); the problem is already logged."""


_DECODERS: dict[str, Callable[[str], Any]] = {
    "string": str,
    "int": int,
    "long": int,
    "float": float,
    "double": float,
}
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


def _decode(type_: str, text: str) -> Any:
    if type_ == "boolean":
        return _BOOLEANS[text.strip().lower()]
    return _DECODERS[type_](text if type_ == "string" else text.strip())


class _GraphmlReader:
    """Reads GraphML with the standard library's expat parser, which gives the line of each
    element. No DTD is accepted, so no entity can be declared or expanded."""

    def __init__(self, log: _ProblemLog, progress: Progress | None) -> None:
        self.log = log
        self.progress = progress
        self.read = _Read()
        self.keys: dict[str, _Key] = {}
        self.bad_keys: set[str] = set()
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.stack: list[str] = []
        self.element: _Element | None = None
        self.key: tuple[str, dict[str, str], int] | None = None  # <key> being read
        self.data: tuple[str, int] | None = None  # (key id, line) of the <data> being read
        self.text: list[str] = []
        self.nested = 0  # depth inside a nested <graph>, skipped

    def parse(self, path: Path) -> _Read:
        with path.open("rb") as fh:
            try:
                self.parser.ParseFile(fh)
            except expat.ExpatError as err:
                self.log.add_problem(
                    Problem(
                        f"not well-formed XML ({expat.ErrorString(err.code)} at column "
                        f"{err.offset + 1}); nothing after this line was read",
                        self.log.where(err.lineno),
                        line=err.lineno,
                    )
                )
                self.read.complete = False
            except _Stop:
                self.read.complete = False
        return self.read

    def _line(self) -> int:
        return int(self.parser.CurrentLineNumber)

    def _problem(self, message: str, line: int, fld: str | None = None) -> None:
        self.log.add_problem(Problem(message, self.log.where(line), fld, line=line))

    def _doctype(self, *_: Any) -> None:
        self._problem("a DOCTYPE is not allowed in GraphML here", self._line())
        raise _Stop

    def _local(self, name: str) -> str | None:
        """The GraphML element name, or None for an element of another namespace."""
        ns, _, local = name.rpartition(" ")
        return local if ns in ("", GRAPHML_NS) else None

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self._local(name)
        self.stack.append(tag or "")
        if not self.stack[:-1]:
            if tag != "graphml":
                self._problem(f"not a GraphML file: the root element is <{name}>", self._line())
                raise _Stop
            return
        if self.nested or tag is None:
            self.nested += bool(self.nested and tag == "graph")
            return
        if tag == "graph" and "graph" in self.stack[:-1]:
            self._problem("nested graphs are not supported; this one is skipped", self._line())
            self.nested = 1
        elif tag == "hyperedge":
            self._problem("hyperedges are not supported", self._line())
        elif tag == "key":
            self.key = (attrs.get("id", ""), attrs, self._line())
        elif tag in ("node", "edge") and self.element is None:
            self.element = _Element(tag, self._line(), dict(attrs))
        elif tag in ("data", "default"):
            self.data = (attrs.get("key", ""), self._line())
            self.text = []

    def _text(self, data: str) -> None:
        if self.data is not None:
            self.text.append(data)

    def _end(self, name: str) -> None:
        tag = self.stack.pop() or None
        if self.nested:
            self.nested -= tag == "graph"
            return
        if tag == "key" and self.key is not None:
            self._end_key()
        elif tag == "default" and self.key is not None and self.data is not None:
            key_id, attrs, line = self.key
            self.key = (key_id, {**attrs, "default": "".join(self.text)}, line)
            self.data = None
        elif tag == "data" and self.data is not None:
            if self.element is not None:
                self._end_data()
            self.data = None
        elif tag in ("node", "edge") and self.element is not None and self.element.tag == tag:
            element, self.element = self.element, None
            if self.progress:
                self.progress(1)
            self._end_element(element)

    def _end_key(self) -> None:
        assert self.key is not None
        key_id, attrs, line = self.key
        self.key = None
        type_ = attrs.get("attr.type", "string")
        if not key_id:
            self._problem("a <key> needs an id", line, "id")
            return
        if type_ not in _DECODERS and type_ != "boolean":
            self._problem(
                f"attr.type {type_!r} is not one of boolean, int, long, float, double, string",
                line,
                "attr.type",
            )
            self.bad_keys.add(key_id)
            return
        default = None
        if "default" in attrs:
            try:
                default = _decode(type_, attrs["default"])
            except (KeyError, ValueError):
                self._problem(f"the default is not a {type_}", line, "default")
                self.bad_keys.add(key_id)
                return
        self.keys[key_id] = _Key(attrs.get("attr.name"), type_, attrs.get("for", "all"), default)

    def _end_data(self) -> None:
        assert self.element is not None and self.data is not None
        element, (key_id, _) = self.element, self.data
        if key_id in self.bad_keys:
            element.bad = True
            return
        key = self.keys.get(key_id)
        if key is None:
            self._problem(f"no <key> has the id {key_id!r}", element.line, key_id or "key")
            element.bad = True
            return
        if key.name is None:
            return
        text = "".join(self.text)
        try:
            value = _decode(key.type, text)
        except (KeyError, ValueError):
            self._problem(f"{text!r} is not a {key.type}", element.line, key.name)
            element.bad = True
            return
        if key.name in element.data:
            self._problem("is given twice", element.line, key.name)
            element.bad = True
        element.data[key.name] = value

    def _end_element(self, element: _Element) -> None:
        where = self.log.where(element.line)
        for key in self.keys.values():
            if key.name and key.default is not None and key.scope in (element.tag, "all"):
                element.data.setdefault(key.name, key.default)
        label = "kind" if element.tag == "node" else "type"
        kind = element.data.pop(label, None)
        if not isinstance(kind, str):
            what = "node kind" if element.tag == "node" else "relationship type"
            self._problem(f"needs a {label!r} attribute, the {what}", element.line, label)
            element.bad = True
            kind = None
        props = element.data
        for name in _LIST_FIELDS.get(kind or "", ()):
            value = props.get(name)
            if isinstance(value, str):
                props[name] = value.split(LIST_SEPARATOR) if value else []
        if element.tag == "node":
            node_id = element.attrs.get("id")
            if not node_id:
                self._problem("a <node> needs an id", element.line, "id")
            elif element.bad or kind is None:
                self.read.refused[node_id] = NodeKind(kind) if kind in _KINDS else None
            else:
                self.read.changes.append(NodeWrite(kind, node_id, props, where=where))
            return
        ends = []
        for end in ("source", "target"):
            ref = element.attrs.get(end)
            if not ref:
                self._problem(f"an <edge> needs a {end}", element.line, end)
                element.bad = True
            ends.append(ref or "")
        if element.bad or kind is None:
            return
        rel_id = element.attrs.get("id") or relationship_id(
            kind, ends[0], ends[1], props.get("role"), props.get("since")
        )
        self.read.changes.append(RelWrite(kind, rel_id, ends[0], ends[1], props, where=where))


def _read_graphml(path: Path, log: _ProblemLog, progress: Progress | None) -> _Read:
    return _GraphmlReader(log, progress).parse(path)


def read_graphml(
    path: Path, progress: Progress | None = None, *, max_problems: int = DEFAULT_MAX_PROBLEMS
) -> list[Change]:
    """All changes of a GraphML file, checked element by element for syntax and shape; raises
    :class:`InvalidFile` listing every problem (up to ``max_problems``)."""
    log = _ProblemLog(str(path), max_problems)
    read = _read_graphml(path, log, progress)
    if log:
        raise log.error()
    return read.changes


# --------------------------------------------------------------------------- import

_READERS: dict[Format, Callable[[Path, _ProblemLog, Progress | None], _Read]] = {
    "jsonl": _read_jsonl,
    "graphml": _read_graphml,
}


async def import_file(
    store: GraphStore,
    path: Path,
    *,
    fmt: Format | None = None,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    progress: Progress | None = None,
    write_progress: Progress | None = None,
) -> ApplyResult:
    """Import a file as one atomic batch; re-importing the same file changes nothing.

    ``fmt`` defaults to :func:`format_for` the path. ``progress`` counts lines (JSONL) or
    elements (GraphML) read, ``write_progress`` records written. A file with any problem writes
    nothing and raises :class:`InvalidFile` listing the first ``max_problems`` problems in line
    order and counting the rest.
    """
    log = _ProblemLog(str(path), max_problems)
    read = _READERS[fmt or format_for(path)](path, log, progress)
    refusal: GraphError | None = None
    if not log:
        try:
            return await store.apply(read.changes, progress=write_progress)
        except _RULE_ERRORS as err:
            refusal = err
    if read.complete:
        await _collect_problems(store, read, log)
    if not log and refusal is not None:  # the graph moved between the two checks
        log.add(refusal)
    raise log.error()


async def import_jsonl(
    store: GraphStore,
    path: Path,
    progress: Progress | None = None,
    write_progress: Progress | None = None,
    *,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> ApplyResult:
    """Import an APOC JSON Lines file (see :func:`import_file`)."""
    return await import_file(
        store,
        path,
        fmt="jsonl",
        max_problems=max_problems,
        progress=progress,
        write_progress=write_progress,
    )


async def import_graphml(
    store: GraphStore,
    path: Path,
    progress: Progress | None = None,
    write_progress: Progress | None = None,
    *,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> ApplyResult:
    """Import a GraphML file as :func:`export_graphml` writes it (see :func:`import_file`)."""
    return await import_file(
        store,
        path,
        fmt="graphml",
        max_problems=max_problems,
        progress=progress,
        write_progress=write_progress,
    )


async def _collect_problems(store: GraphStore, read: _Read, log: _ProblemLog) -> None:
    """Validate the file's changes again, logging every problem instead of the first."""
    plan = await plan_changes(
        read.changes,
        store.get_nodes,
        store.get_relationships,
        report=log.add,
        refused=read.refused,
    )
    contrib = [r for r in plan.relationships if r.type in CONTRIBUTION_TYPES]
    if not contrib:
        return
    into = await store.neighbours(
        sorted({r.end for r in contrib}), types=CONTRIBUTION_TYPES, direction=Direction.IN
    )
    successors = await _stored_successors(store, contrib)
    lines = _ChainLines(read.changes, log)
    for problem in results_chain_problems(
        plan.relationships,
        lambda outcome: [edge.rel for edge in into.get(outcome, ())],
        lambda outcome: successors.get(outcome, ()),
    ):
        log.add_problem(lines.problem(problem))


async def _stored_successors(
    store: GraphStore, contrib: Sequence[Relationship]
) -> dict[str, list[str]]:
    """The stored CONTRIBUTED_TO successors of every outcome reachable from the batch's
    contributions, through stored or batch links: all a cycle check can visit."""
    added: dict[str, set[str]] = {}
    for r in contrib:
        if r.type is RelType.CONTRIBUTED_TO:
            added.setdefault(r.start, set()).add(r.end)
    frontier = sorted({r.end for r in contrib if r.type is RelType.CONTRIBUTED_TO})
    seen = set(frontier)
    successors: dict[str, list[str]] = {}
    while frontier:
        found = await store.neighbours(
            frontier, types={RelType.CONTRIBUTED_TO}, direction=Direction.OUT
        )
        nxt: set[str] = set()
        for outcome in frontier:
            successors[outcome] = [edge.node.id for edge in found.get(outcome, ())]
            for m in (*successors[outcome], *added.get(outcome, ())):
                if m not in seen:
                    seen.add(m)
                    nxt.add(m)
        frontier = sorted(nxt)
    return successors


class _ChainLines:
    """Turns a results-chain problem into a file problem naming the lines involved: for a
    cycle every CONTRIBUTED_TO line of the file on it, for an over-full outcome every line of
    the file whose contribution into it counts. Lines that had a problem of their own are
    left out (their relationship was not planned)."""

    def __init__(self, changes: Sequence[Change], log: _ProblemLog) -> None:
        self.log = log
        self.by_id: dict[str, int] = {}
        self.by_hop: dict[tuple[str, str], list[int]] = {}
        for c in changes:
            line = log.line_of(c.where)
            if not isinstance(c, RelWrite) or line is None or line in log.lines:
                continue
            self.by_id[c.id] = line
            if c.type == RelType.CONTRIBUTED_TO:
                self.by_hop.setdefault((c.start, c.end), []).append(line)

    def problem(self, chain: ChainProblem) -> Problem:
        err = chain.error
        found = {self.by_id[i] for i in chain.relationships if i in self.by_id}
        for hop in chain.hops:
            found.update(self.by_hop.get(hop, ()))
        lines = sorted(found)
        if not lines:  # pragma: no cover - every problem involves a relationship of the file
            return Problem(err.message, err.where, err.field, err.code)
        on = _lines_text(lines)
        if chain.hops:
            path = " -> ".join([chain.hops[0][0], *(b for _, b in chain.hops)])
            message = (
                f"CONTRIBUTED_TO links would make the results chain cyclic: {path}; "
                f"the file's links on it are on {on}"
            )
        else:
            message = f"{err.message}; the file's contributions into it are on {on}"
        return Problem(message, self.log.where(lines[0]), err.field, err.code, lines[0])


def _lines_text(lines: Sequence[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    return f"lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}"
