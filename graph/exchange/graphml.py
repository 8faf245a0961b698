"""GraphML, for Gephi and similar tools, and back: written with networkx, read with the
standard library's expat parser (which gives each element's line, and accepts no DTD)."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import networkx as nx

from graph.errors import Problem, ValidationError
from graph.exchange.problems import DEFAULT_MAX_PROBLEMS, ProblemLog, Progress, Read
from graph.model import NODE_PROPS, REL_RULES, Node, NodeKind, Relationship, relationship_id
from graph.store import Change, GraphStore, NodeWrite, RelWrite

_KINDS = {k.value for k in NodeKind}

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
    :func:`graph.exchange.import_file` reads the file back to the same records."""
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

    def __init__(self, log: ProblemLog, progress: Progress | None) -> None:
        self.log = log
        self.progress = progress
        self.read = Read()
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

    def parse(self, path: Path) -> Read:
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


def read_graphml_file(path: Path, log: ProblemLog, progress: Progress | None) -> Read:
    """Every good element of a GraphML file; every problem goes to ``log``."""
    return _GraphmlReader(log, progress).parse(path)


def read_graphml(
    path: Path, progress: Progress | None = None, *, max_problems: int = DEFAULT_MAX_PROBLEMS
) -> list[Change]:
    """All changes of a GraphML file, checked element by element for syntax and shape; raises
    :class:`InvalidFile` listing every problem (up to ``max_problems``)."""
    log = ProblemLog(str(path), max_problems)
    read = read_graphml_file(path, log, progress)
    if log:
        raise log.error()
    return read.changes
