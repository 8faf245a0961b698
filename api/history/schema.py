"""``changes``: the change sets of the graph (graph/history.py), for admins and editors.

Admins see every change set; editors see those their own key made (the values before and
after can hold restricted actors' details, which both roles may see, but an editor auditing
another's work is an admin's job). Viewers and analysts are refused. Change sets are listed by
revision, oldest first by default, so a dashboard syncs with ``filter: {fromRevision: N}``
and ``after`` the last cursor it saw; each set pages through its own records.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON
from strawberry.types import Info

from api.context import Context
from api.core.paging import DEFAULT_PAGE, Connection, Cursors, Edge, PageInfo, check_first
from api.core.paging import connection as make_connection
from api.errors import ErrorCode, bad_input
from api.nodes import decode_global_id
from api.nodes.arguments import FirstArg
from graph.history import ChangeFilter, ChangeSet, Entity, RecordChange, encode_value
from graph.keys import Role

_SETS = {False: Cursors("changes", 1), True: Cursors("changes-newest", 1)}


class MayAudit(BasePermission):
    message = "only admins (every change) and editors (their own) may read the history"
    error_extensions = {"code": ErrorCode.FORBIDDEN.value}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info[Context, Any], **kwargs: Any) -> bool:
        role = info.context.policy.role
        return role is not None and role.allows(Role.EDITOR)


@strawberry.enum(description="What a recorded change is about.")
class ChangeEntity(Enum):
    NODE = strawberry.enum_value(Entity.NODE.value, description="A node of the graph.")
    RELATIONSHIP = strawberry.enum_value(
        Entity.RELATIONSHIP.value, description="A relationship of the graph."
    )
    NEED_WEIGHT = strawberry.enum_value(
        Entity.NEED_WEIGHT.value, description="A need weight (setNeedWeights, import-weights)."
    )


@strawberry.type(description="Who made a change set.")
class ChangeAuthor:
    name: str = strawberry.field(
        description="The API key's name, `cli:USER` for the command line, `system` for code."
    )
    role: str = strawberry.field(description="The key's role then (`cli` for the command line).")
    via: str = strawberry.field(
        description="Through what: mutation, weights, import, import-weights or seed."
    )


@strawberry.type(
    name="RecordChange", description="One record's value before and after a change set."
)
class RecordChangeType:
    position: int = strawberry.field(description="Order within the change set, from 1.")
    entity: ChangeEntity = strawberry.field(description="Node, relationship or need weight.")
    key: str = strawberry.field(
        description="The node's or relationship's own id, or SCOPE:key for a need weight."
    )
    kind: str = strawberry.field(description="Node kind, relationship type or NeedWeight.")
    valid_from: dt.date | None = strawberry.field(
        description="Nodes: the day this version holds from (valid time); null for a node "
        "created without one (it holds from always)."
    )
    before: JSON | None = strawberry.field(description="The value before; null: new.")
    after: JSON | None = strawberry.field(description="The value after.")


def _record(position: int, c: RecordChange) -> RecordChangeType:
    return RecordChangeType(
        position=position,
        entity=ChangeEntity(c.entity.value),
        key=c.id,
        kind=c.kind,
        valid_from=dt.date.fromisoformat(c.valid_from) if c.valid_from else None,
        before=encode_value(c.before),  # type: ignore[arg-type]  # JSON is a NewType of Any
        after=encode_value(c.after),  # type: ignore[arg-type]
    )


_RECORDS = Cursors("records", 1)


def _position(cursors: Cursors, after: str | None) -> int | None:
    """The revision or record position inside a cursor of this list; BAD_USER_INPUT for
    anything else (a cursor is opaque, but it can be forged)."""
    if after is None:
        return None
    found = cursors.decode(after)[0]
    if not found.isdigit() or len(found) > 10:
        raise bad_input("is not a cursor of this list", "after")
    return int(found)


@strawberry.type(
    name="ChangeSet", description="One committed write: who, when, the revision it made, what."
)
class ChangeSetType:
    raw: strawberry.Private[ChangeSet]
    only_node: strawberry.Private[bool]
    revision: int = strawberry.field(description="The revision this write produced.")
    at: dt.datetime = strawberry.field(description="When it was committed (UTC).")
    author: ChangeAuthor = strawberry.field(description="Who made it.")
    size: int = strawberry.field(description="How many records it changed in all.")

    @strawberry.field(
        description="The records it changed, in order (with `filter.node`: only that node's)."
    )
    async def records(
        self, info: Info[Context, Any], first: FirstArg = DEFAULT_PAGE, after: str | None = None
    ) -> Connection[RecordChangeType]:
        check_first(first)
        start = _position(_RECORDS, after) or 0
        if self.only_node:
            listed = list(enumerate(self.raw.changes, start=1))
            found = [(i, c) for i, c in listed if i > start][: first + 1]
            total = len(listed)
        else:
            store = info.context.store
            found = await store.change_records(self.raw.revision, first=first + 1, after=start)
            total = self.raw.size
        edges = [
            Edge(node=_record(i, c), cursors=_RECORDS, position=(str(i),)) for i, c in found[:first]
        ]
        return make_connection(
            Connection, edges, total=total, has_next=len(found) > first, after=after
        )


def _set(cs: ChangeSet, only_node: bool) -> ChangeSetType:
    return ChangeSetType(
        raw=cs,
        only_node=only_node,
        revision=cs.revision,
        at=cs.at,
        author=ChangeAuthor(name=cs.author.name, role=cs.author.role, via=cs.author.via),
        size=cs.size,
    )


@strawberry.type(description="A page of change sets.")
class ChangeSetConnection:
    edges: list[Edge[ChangeSetType]] = strawberry.field(description="The change sets.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more follow.")


@strawberry.input(description="Which change sets to list; every condition must hold.")
class ChangeFilterInput:
    node: strawberry.ID | None = strawberry.field(
        default=None, description="Touched this node or relationship (global id or own key)."
    )
    kinds: list[str] | None = strawberry.field(
        default=None,
        description="Touched a record of one of these node kinds or relationship types "
        "(e.g. CivilSocietyOrganization, PARTNERS_IN, NeedWeight).",
    )
    author: str | None = strawberry.field(default=None, description="Made by this key name.")
    from_revision: int | None = strawberry.field(
        default=None, description="From this revision on (inclusive): sync from here."
    )
    to_revision: int | None = strawberry.field(
        default=None, description="Up to this revision (inclusive)."
    )
    since: dt.datetime | None = strawberry.field(
        default=None, description="Committed at or after this time."
    )
    until: dt.datetime | None = strawberry.field(
        default=None, description="Committed at or before this time."
    )


def _filter(info: Info[Context, Any], f: ChangeFilterInput | None) -> ChangeFilter:
    f = f or ChangeFilterInput()
    for name, when in (("since", f.since), ("until", f.until)):
        if when is not None and when.tzinfo is None:
            raise bad_input("needs its offset (Z for UTC)", "filter", path=f"filter.{name}")
    node = None
    if f.node is not None:
        try:
            node = decode_global_id(str(f.node))
        except ValueError as err:
            raise bad_input(str(err), "filter", path="filter.node") from None
    role = info.context.policy.role
    own = role is not None and not role.allows(Role.ADMIN)
    return ChangeFilter(
        node=node,
        kinds=frozenset(f.kinds) if f.kinds is not None else None,
        author=f.author,
        key_id=info.context.caller if own else None,
        from_revision=f.from_revision,
        to_revision=f.to_revision,
        since=f.since,
        until=f.until,
    )


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        description="Change sets, one per committed write, by revision: who, when and each "
        "record before and after (docs/HISTORY.md). Admins see all, editors their own.",
        permission_classes=[MayAudit],
    )
    async def changes(
        self,
        info: Info[Context, Any],
        filter: Annotated[
            ChangeFilterInput | None,
            strawberry.argument(description="Which change sets; omitted: all you may see."),
        ] = None,
        first: FirstArg = DEFAULT_PAGE,
        after: str | None = None,
        newest_first: Annotated[
            bool, strawberry.argument(description="Newest first instead of oldest first.")
        ] = False,
    ) -> ChangeSetConnection:
        check_first(first)
        cursors = _SETS[newest_first]
        from_revision = _position(cursors, after)
        flt = _filter(info, filter)
        found = await info.context.store.change_sets(
            flt, first=first, after=from_revision, newest_first=newest_first
        )
        edges = [
            Edge(node=_set(cs, flt.node is not None), cursors=cursors, position=(str(cs.revision),))
            for cs in found.items
        ]
        page = make_connection(
            Connection, edges, total=0, has_next=found.has_next_page, after=after
        )
        return ChangeSetConnection(edges=edges, page_info=page.page_info)
