"""Turn a batch of requested changes into the exact records to write, or refuse the batch.

Both stores run the same planning step before they open a write transaction, so validation,
conflict detection and idempotence (unchanged records are dropped) behave identically.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from graph.errors import Conflict, NotFound, ValidationError
from graph.model import (
    Node,
    Relationship,
    validate_node,
    validate_relationship,
    with_article,
)
from graph.store import Change, NodeWrite, RelWrite


@dataclass(frozen=True, slots=True)
class Plan:
    """Records that differ from what is stored, in the order they were requested."""

    nodes: list[Node]
    relationships: list[Relationship]

    def __bool__(self) -> bool:
        return bool(self.nodes or self.relationships)


NodeLookup = Callable[[Sequence[str]], Awaitable[list[Node | None]]]
RelLookup = Callable[[Sequence[str]], Awaitable[list[Relationship | None]]]


async def plan_changes(
    changes: Sequence[Change], get_nodes: NodeLookup, get_rels: RelLookup
) -> Plan:
    """Validate every change against the model and the stored graph.

    Raises the first :class:`graph.errors.GraphError` found, naming the change's ``where``.
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
    for i, c in enumerate(changes, start=1):
        where = c.where or f"change {i}"
        if isinstance(c, NodeWrite):
            node = validate_node(c.kind, c.id, c.props, where=where)
            prev = nodes.get(c.id) or stored_nodes.get(c.id)
            if c.create and prev is not None:
                raise Conflict(f"node {c.id!r} already exists", where=where, field="id")
            if prev is not None and prev.kind != node.kind:
                raise Conflict(
                    f"node {c.id!r} is already {with_article(prev.kind)}; "
                    f"it cannot become {with_article(node.kind)}",
                    where=where,
                    field="kind",
                )
            nodes[c.id] = node
        elif isinstance(c, RelWrite):
            endpoints: list[Node] = []
            for fld, ref in (("start", c.start), ("end", c.end)):
                found = nodes.get(ref) or stored_nodes.get(ref)
                if found is None:
                    raise NotFound(f"{fld} node {ref!r} does not exist", where=where, field=fld)
                endpoints.append(found)
            rel = validate_relationship(
                c.type, c.id, endpoints[0], endpoints[1], c.props, where=where
            )
            _same_shape(rels.get(c.id) or stored_rels.get(c.id), rel, where)
            rels[c.id] = rel
        else:
            prev_rel = rels.get(c.id) or stored_rels.get(c.id)
            if prev_rel is None:
                raise NotFound(f"relationship {c.id!r} does not exist", where=where, field="id")
            start = nodes.get(prev_rel.start) or stored_nodes.get(prev_rel.start)
            end = nodes.get(prev_rel.end) or stored_nodes.get(prev_rel.end)
            if start is None or end is None:  # pragma: no cover - stored rels have both ends
                raise NotFound("relationship endpoints are missing", where=where)
            props = {**prev_rel.props, "until": c.until}
            try:
                rels[c.id] = validate_relationship(
                    prev_rel.type, c.id, start, end, props, where=where
                )
            except ValidationError as err:
                raise ValidationError(err.message, where=where, field="until") from None
    return Plan(
        nodes=[n for n in nodes.values() if stored_nodes.get(n.id) != n],
        relationships=[r for r in rels.values() if stored_rels.get(r.id) != r],
    )


def _same_shape(prev: Relationship | None, rel: Relationship, where: str) -> None:
    if prev is not None and (prev.type, prev.start, prev.end) != (rel.type, rel.start, rel.end):
        raise Conflict(
            f"relationship {rel.id!r} already joins {prev.start!r} -[{prev.type}]-> "
            f"{prev.end!r}; an id cannot be reused for another link",
            where=where,
            field="id",
        )
