"""Turn a batch of requested changes into the exact records to write, or refuse the batch.

Both stores run the same planning step before they open a write transaction, so validation,
conflict detection and idempotence (unchanged records are dropped) behave identically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pydantic

from graph.errors import Conflict, GraphError, NotFound, ValidationError
from graph.model import (
    NODE_PROPS,
    REL_RULES,
    Node,
    NodeKind,
    Relationship,
    RelType,
    parse_kind,
    validate_node,
    validate_relationship,
    with_article,
)
from graph.store import Change, NodeWrite, RelEnd, RelWrite


@dataclass(frozen=True, slots=True)
class Plan:
    """Records that differ from what is stored, in the order they were requested, and which
    of the nodes are new (snapshots after the write need to know: graph/snapshot.py)."""

    nodes: list[Node]
    relationships: list[Relationship]
    created_nodes: frozenset[str] = frozenset()
    #: What the written records were before (absent: new), for the change set (graph/history.py).
    before_nodes: Mapping[str, Node] = field(default_factory=dict)
    before_rels: Mapping[str, Relationship] = field(default_factory=dict)
    #: The day from which a written node's new version holds, where the write said so.
    valid_from: Mapping[str, str] = field(default_factory=dict)
    #: Every record id planned without a problem, written or unchanged (an import's report).
    planned: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.nodes or self.relationships)


NodeLookup = Callable[[Sequence[str]], Awaitable[list[Node | None]]]
RelLookup = Callable[[Sequence[str]], Awaitable[list[Relationship | None]]]


Report = Callable[[GraphError], None]


async def plan_changes(
    changes: Sequence[Change],
    get_nodes: NodeLookup,
    get_rels: RelLookup,
    *,
    report: Report | None = None,
    refused: Mapping[str, NodeKind | None] | None = None,
) -> Plan:
    """Validate every change against the model and the stored graph.

    Raises the first :class:`graph.errors.GraphError` found, naming the change's ``where``.

    With ``report``, every problem is passed to it instead and planning goes on; the plan
    then holds only the records without a problem, and must not be written if anything was
    reported. A node that was refused (here, or before planning: ``refused`` maps such ids to
    their kind if it is known) does not make every relationship to it a second problem: those
    are checked against a stand-in of the node's kind, or not at all if the kind is unknown.
    """
    node_ids: set[str] = set()
    rel_ids: set[str] = set()
    for c in changes:
        if isinstance(c, NodeWrite):
            node_ids.add(c.id)
        elif isinstance(c, RelWrite):
            node_ids.update((c.start, c.end))
            rel_ids.add(c.id)
        else:
            rel_ids.add(c.id)
    nid, rid = sorted(node_ids), sorted(rel_ids)
    stored_nodes = {k: v for k, v in zip(nid, await get_nodes(nid), strict=True) if v}
    stored_rels = {k: v for k, v in zip(rid, await get_rels(rid), strict=True) if v}
    ends = sorted({e for r in stored_rels.values() for e in (r.start, r.end)} - node_ids)
    stored_nodes.update({k: v for k, v in zip(ends, await get_nodes(ends), strict=True) if v})

    nodes: dict[str, Node] = {}
    rels: dict[str, Relationship] = {}
    stand_ins: dict[str, NodeKind | None] = dict(refused or {})
    valid_from: dict[str, str] = {}
    for i, c in enumerate(changes, start=1):
        where = c.where or f"change {i}"
        try:
            if isinstance(c, NodeWrite):
                _plan_node(c, where, nodes, stored_nodes)
                if c.valid_from is not None:
                    valid_from[c.id] = _day(c.valid_from, where)
            elif isinstance(c, RelWrite):
                _plan_rel(c, where, nodes, stored_nodes, rels, stored_rels, stand_ins, report)
            else:
                _plan_end(c, where, nodes, stored_nodes, rels, stored_rels)
        except GraphError as err:
            if report is None:
                raise
            report(err)
            for more in _more_property_problems(c, err):
                report(more)
            if isinstance(c, NodeWrite) and c.id not in nodes:
                stand_ins[c.id] = _kind_or_none(c.kind)
    written_nodes = [n for n in nodes.values() if stored_nodes.get(n.id) != n]
    written_rels = [r for r in rels.values() if stored_rels.get(r.id) != r]
    return Plan(
        nodes=written_nodes,
        relationships=written_rels,
        created_nodes=frozenset(nodes.keys() - stored_nodes.keys()),
        before_nodes={n.id: stored_nodes[n.id] for n in written_nodes if n.id in stored_nodes},
        before_rels={r.id: stored_rels[r.id] for r in written_rels if r.id in stored_rels},
        valid_from={n.id: valid_from[n.id] for n in written_nodes if n.id in valid_from},
        planned=frozenset(nodes.keys() | rels.keys()),
    )


_REL_TYPES = frozenset(t.value for t in RelType)


def _more_property_problems(c: Change, reported: GraphError) -> list[ValidationError]:
    """The property problems of a refused record other than ``reported``: the model names only
    the first problem of a record, and a record refused for its id, kind or endpoints has not
    had its properties checked at all."""
    model: type[pydantic.BaseModel] | None = None
    if isinstance(c, NodeWrite) and (kind := _kind_or_none(c.kind)) is not None:
        model = NODE_PROPS[kind]
    elif isinstance(c, RelWrite) and c.type in _REL_TYPES:
        model = REL_RULES[RelType(c.type)].props
    if model is None or isinstance(c, RelEnd) or c.merge:
        return []  # a merged record's own props are partial: only the whole was checked
    try:
        model.model_validate(dict(c.props))
    except pydantic.ValidationError as err:
        found = [
            ValidationError(
                e["msg"].removeprefix("Value error, "),  # as graph.model words them
                where=reported.where,
                field=".".join(str(part) for part in e["loc"]) or None,
            )
            for e in err.errors()
        ]
        return [e for e in found if (e.message, e.field) != (reported.message, reported.field)]
    return []


def _day(value: str, where: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValidationError(
            f"is not a date (YYYY-MM-DD): {value!r}", where=where, field="validFrom"
        ) from None


def _kind_or_none(kind: str) -> NodeKind | None:
    try:
        return NodeKind(kind)
    except ValueError:
        return None


def _plan_node(
    c: NodeWrite, where: str, nodes: dict[str, Node], stored_nodes: Mapping[str, Node]
) -> None:
    kind = parse_kind(c.kind, where)
    prev = nodes.get(c.id) or stored_nodes.get(c.id)
    if c.create and prev is not None:
        raise Conflict(f"node {c.id!r} already exists", where=where, field="id")
    if prev is not None and prev.kind != kind and c.kind_guessed:
        kind = prev.kind
    elif prev is not None and prev.kind != kind:
        raise Conflict(
            f"node {c.id!r} is already {with_article(prev.kind)}; "
            f"it cannot become {with_article(kind)}",
            where=where,
            field="kind",
        )
    if prev is None:  # new: stamped at once
        node = validate_node(kind, c.id, {**c.defaults, **c.props, **c.stamp}, where=where)
    else:
        props = {**prev.props, **c.props} if c.merge else c.props
        node = validate_node(kind, c.id, props, where=where)
        if c.stamp and node != prev:
            node = validate_node(kind, c.id, {**props, **c.stamp}, where=where)
    nodes[c.id] = node


def _plan_rel(
    c: RelWrite,
    where: str,
    nodes: Mapping[str, Node],
    stored_nodes: Mapping[str, Node],
    rels: dict[str, Relationship],
    stored_rels: Mapping[str, Relationship],
    stand_ins: Mapping[str, NodeKind | None],
    report: Report | None,
) -> None:
    endpoints: list[Node | None] = []
    missing: list[NotFound] = []
    for fld, ref in (("start", c.start), ("end", c.end)):
        found = nodes.get(ref) or stored_nodes.get(ref)
        if found is None and report is not None and ref in stand_ins:
            kind = stand_ins[ref]  # refused already: a stand-in, or no check if kind unknown
            found = None if kind is None else Node(ref, kind)
        elif found is None:
            missing.append(NotFound(f"{fld} node {ref!r} does not exist", where=where, field=fld))
        endpoints.append(found)
    if missing:
        if report is not None:
            for err in missing[:-1]:
                report(err)
            raise missing[-1]
        raise missing[0]
    start, end = endpoints
    if start is None or end is None:
        return
    prev = rels.get(c.id) or stored_rels.get(c.id)
    if prev is None:  # new: stamped at once
        rel = validate_relationship(c.type, c.id, start, end, {**c.props, **c.stamp}, where=where)
    else:
        props = {**prev.props, **c.props} if c.merge else c.props
        rel = validate_relationship(c.type, c.id, start, end, props, where=where)
        _same_shape(prev, rel, where)
        if c.stamp and rel != prev:
            stamped = {**props, **c.stamp}
            rel = validate_relationship(c.type, c.id, start, end, stamped, where=where)
    rels[c.id] = rel


def _plan_end(
    c: RelEnd,
    where: str,
    nodes: Mapping[str, Node],
    stored_nodes: Mapping[str, Node],
    rels: dict[str, Relationship],
    stored_rels: Mapping[str, Relationship],
) -> None:
    prev_rel = rels.get(c.id) or stored_rels.get(c.id)
    if prev_rel is None:
        raise NotFound(f"relationship {c.id!r} does not exist", where=where, field="id")
    start = nodes.get(prev_rel.start) or stored_nodes.get(prev_rel.start)
    end = nodes.get(prev_rel.end) or stored_nodes.get(prev_rel.end)
    if start is None or end is None:  # pragma: no cover - stored rels have both ends
        raise NotFound("relationship endpoints are missing", where=where)
    props = {**prev_rel.props, "until": c.until}
    try:
        rels[c.id] = validate_relationship(prev_rel.type, c.id, start, end, props, where=where)
    except ValidationError as err:
        raise ValidationError(err.message, where=where, field="until") from None


def _same_shape(prev: Relationship | None, rel: Relationship, where: str) -> None:
    if prev is not None and (prev.type, prev.start, prev.end) != (rel.type, rel.start, rel.end):
        raise Conflict(
            f"relationship {rel.id!r} already joins {prev.start!r} -[{prev.type}]-> "
            f"{prev.end!r}; an id cannot be reused for another link",
            where=where,
            field="id",
        )
