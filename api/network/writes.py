"""What the staff mutations do: check the input, build one atomic batch, apply it, read back.

Every mutation is one ``store.apply`` call, so either all of its records are written (and the
revision bumps once) or none are. Checks that need the stored graph (does the referenced
programme exist, is it a programme) run first and report every problem they find; the store
then validates the records against the model and the graph-wide rules and reports the first
problem it finds. Both kinds of problem come back as :class:`UserError` with the path of the
input field at fault, ``["input", "<camelCaseField>", ...]``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from enum import Enum
from typing import Any

from strawberry import UNSET
from strawberry.utils.str_converters import to_camel_case

from api.context import Context
from api.core.user_errors import UserError, UserErrorCode
from api.network.payloads import OutcomeLink, Participation, Partnership
from api.nodes import ConfidenceEnum, RoleEnum, decode_global_id, node_object
from graph import model
from graph.errors import Conflict, GraphError, IntegrityError, NotFound, StoreUnavailable
from graph.model import ACTOR_KINDS, NodeKind, RelType, relationship_id
from graph.store import Change, NodeWrite, RelEnd, RelWrite

#: Input fields that are references or batch extras, not node properties.
_NOT_PROPS = frozenset({"key", "id", "based_in", "part_of", "valid_from"})
_PREFIX = {
    NodeKind.MEMBER_STATE: "ms",
    NodeKind.REGIONAL_ORGANIZATION: "ro",
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: "cso",
    NodeKind.COMPANY: "company",
    NodeKind.ACADEMIC_INSTITUTION: "academic",
    NodeKind.OTHER_NON_STATE_ACTOR: "nsa",
    NodeKind.PROGRAMME: "prog",
    NodeKind.ACTIVITY: "act",
    NodeKind.OUTCOME: "out",
    NodeKind.THEMATIC_AREA: "theme",
}
_CODES: Sequence[tuple[type[GraphError], UserErrorCode]] = (
    (NotFound, UserErrorCode.NOT_FOUND),
    (Conflict, UserErrorCode.CONFLICT),
    (IntegrityError, UserErrorCode.INTEGRITY),
)


class Refused(Exception):
    """The mutation writes nothing; these are the reasons, for the payload."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """What a mutation produced: the object (or None) and the revision, or user errors."""

    obj: Any = None
    revision: int | None = None
    errors: list[UserError] = dataclasses.field(default_factory=list)


def path(name: str | None, aliases: Mapping[str, str] | None = None) -> list[str] | None:
    """GraphQL path of a model field: ``iati_org_type`` -> ``["input", "iatiOrgType"]``;
    ``aliases`` renames model names the input calls otherwise (``start`` -> ``actor``)."""
    if not name:
        return None
    head, *rest = name.split(".")
    return ["input", (aliases or {}).get(head, to_camel_case(head)), *rest]


def problem(field: str | None, message: str, code: UserErrorCode) -> UserError:
    return UserError(field=path(field), message=message, code=code)


def from_graph_error(err: GraphError, aliases: Mapping[str, str] | None = None) -> UserError:
    code = next((c for cls, c in _CODES if isinstance(err, cls)), UserErrorCode.INVALID)
    return UserError(field=path(err.field, aliases), message=err.message, code=code)


async def run(ctx: Context, work: Callable[..., Awaitable[tuple[Any, int]]], *args: Any) -> Result:
    """Run ``work(ctx, *args)`` for staff only; :class:`Refused` becomes user errors."""
    if not ctx.policy.may_write:
        forbidden = "only editors and admins may change the graph: send an editor's API key"
        return Result(errors=[problem(None, forbidden, UserErrorCode.FORBIDDEN)])
    try:
        obj, revision = await work(ctx, *args)
    except Refused as refused:
        return Result(errors=refused.errors)
    return Result(obj=obj, revision=revision)


async def apply(ctx: Context, changes: list[Change], aliases: Mapping[str, str]) -> int:
    try:
        return (await ctx.store.apply(changes, author=ctx.author("mutation"))).revision
    except StoreUnavailable:
        raise  # not the caller's fault: a top-level STORE_UNAVAILABLE error
    except GraphError as err:
        raise Refused([from_graph_error(err, aliases)]) from None


# --------------------------------------------------------------------------- values


def _plain(name: str, value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(name, v) for v in value]
    if name == "location" and value is not None:
        return decode_global_id(value)
    return value


def given(inp: Any) -> dict[str, Any]:
    """The node properties an input sets: omitted fields left out, ``null`` kept as None."""
    return {
        f.name: _plain(f.name, getattr(inp, f.name))
        for f in dataclasses.fields(inp)
        if f.name not in _NOT_PROPS and getattr(inp, f.name) is not UNSET
    }


def _check_interval(props: Mapping[str, Any]) -> list[UserError]:
    since, until = props.get("since"), props.get("until")
    if since and until and since > until:
        return [problem("until", f"is before since ({since})", UserErrorCode.INVALID)]
    return []


def _expect(
    found: model.Node | None, field: str, ref: str, kinds: frozenset[NodeKind], what: str
) -> UserError | None:
    if found is None:
        return problem(field, f"no node with id {ref!r}", UserErrorCode.NOT_FOUND)
    if found.kind not in kinds:
        message = f"{ref!r} is {model.with_article(found.kind)}, not {what}"
        return problem(field, message, UserErrorCode.INVALID)
    return None


def _refuse_if(errors: Sequence[UserError | None]) -> None:
    real = [e for e in errors if e is not None]
    if real:
        raise Refused(real)


# --------------------------------------------------------------------------- nodes

_STATE = frozenset({NodeKind.MEMBER_STATE})
_PROGRAMME = frozenset({NodeKind.PROGRAMME})
_ACTIVITY = frozenset({NodeKind.ACTIVITY})
_OUTCOME = frozenset({NodeKind.OUTCOME})


async def create_node(ctx: Context, kind: NodeKind, inp: Any) -> tuple[Any, int]:
    key = inp.key or f"{_PREFIX[kind]}-{uuid.uuid4().hex[:12]}"
    props = {k: v for k, v in given(inp).items() if v is not None}
    seat = getattr(inp, "based_in", None)
    programme = getattr(inp, "part_of", None)
    refs = [decode_global_id(r) for r in (seat, programme) if r is not None]
    existing, *found = await ctx.store.get_nodes([key, *refs])
    errors: list[UserError | None] = [*_check_interval(props)]
    if existing is not None:
        errors.append(problem("key", f"{key!r} already exists", UserErrorCode.CONFLICT))
    # create=True: the store re-checks atomically, so a concurrent create of the same key
    # fails with CONFLICT instead of overwriting (the check above only gives a clear early
    # error together with the other problems).
    changes: list[Change] = [NodeWrite(kind.value, key, props, create=True)]
    if seat is not None:
        country = found.pop(0)
        errors.append(_expect(country, "based_in", seat, _STATE, "a Member State"))
        if country is not None:
            rid = relationship_id(RelType.BASED_IN, key, country.id)
            changes.append(RelWrite(RelType.BASED_IN.value, rid, key, country.id))
    if programme is not None:
        prog = found.pop(0)
        errors.append(_expect(prog, "part_of", programme, _PROGRAMME, "a programme"))
        if prog is not None:
            rid = relationship_id(RelType.PART_OF, key, prog.id)
            changes.append(RelWrite(RelType.PART_OF.value, rid, key, prog.id))
    _refuse_if(errors)
    revision = await apply(ctx, changes, {"id": "key", "start": "key"})
    return await _read_node(ctx, key), revision


async def update_node(ctx: Context, kind: NodeKind, inp: Any) -> tuple[Any, int]:
    key = decode_global_id(inp.id)
    (stored,) = await ctx.store.get_nodes([key])
    if stored is None or stored.kind is not kind:
        raise Refused([problem("id", f"no {kind} with id {inp.id!r}", UserErrorCode.NOT_FOUND)])
    props = dict(stored.props)
    for name, value in given(inp).items():
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
    _refuse_if(_check_interval(props))
    valid_from = inp.valid_from.isoformat() if inp.valid_from is not None else None
    write = NodeWrite(kind.value, key, props, valid_from=valid_from)
    revision = await apply(ctx, [write], {})
    return await _read_node(ctx, key), revision


async def _read_node(ctx: Context, key: str) -> Any:
    (node,) = await ctx.store.get_nodes([key])
    return None if node is None else node_object(ctx.policy, node)


# --------------------------------------------------------------------------- relationships


async def _write_rel(
    ctx: Context, change: RelWrite | RelEnd, aliases: Mapping[str, str]
) -> tuple[model.Relationship, model.Node, model.Node, int]:
    revision = await apply(ctx, [change], aliases)
    (rel,) = await ctx.store.get_relationships([change.id])
    assert rel is not None  # just written, and relationships are never deleted
    start, end = await ctx.store.get_nodes([rel.start, rel.end])
    assert start is not None and end is not None
    return rel, start, end, revision


def partnership(ctx: Context, rel: model.Relationship, start: Any, end: Any) -> Partnership:
    p = rel.props
    return Partnership(
        id=rel.id,  # type: ignore[arg-type]
        actor=node_object(ctx.policy, start),  # type: ignore[arg-type]
        programme=node_object(ctx.policy, end),  # type: ignore[arg-type]
        role=RoleEnum(p["role"]),
        amount=p.get("amount"),
        since=model.as_date(p.get("since")),
        until=model.as_date(p.get("until")),
        source=p.get("source"),
    )


async def add_partnership(ctx: Context, inp: Any) -> tuple[Any, int]:
    actor_key, prog_key = decode_global_id(inp.actor), decode_global_id(inp.programme)
    actor, prog = await ctx.store.get_nodes([actor_key, prog_key])
    props = {
        k: v for k, v in given(inp).items() if v is not None and k not in ("actor", "programme")
    }
    _refuse_if(
        [
            _expect(actor, "actor", inp.actor, ACTOR_KINDS, "an actor"),
            _expect(prog, "programme", inp.programme, _PROGRAMME, "a programme"),
            *_check_interval(props),
        ]
    )
    rid = relationship_id(
        RelType.PARTNERS_IN, actor_key, prog_key, props["role"], props.get("since")
    )
    change = RelWrite(RelType.PARTNERS_IN.value, rid, actor_key, prog_key, props)
    rel, start, end, revision = await _write_rel(
        ctx, change, {"start": "actor", "end": "programme"}
    )
    return partnership(ctx, rel, start, end), revision


async def end_partnership(ctx: Context, inp: Any) -> tuple[Any, int]:
    (rel,) = await ctx.store.get_relationships([inp.partnership])
    if rel is None or rel.type is not RelType.PARTNERS_IN:
        msg = f"no partnership with id {inp.partnership!r}"
        raise Refused([problem("partnership", msg, UserErrorCode.NOT_FOUND)])
    change = RelEnd(rel.id, inp.until.isoformat())
    rel, start, end, revision = await _write_rel(ctx, change, {"id": "partnership"})
    return partnership(ctx, rel, start, end), revision


async def record_participation(ctx: Context, inp: Any) -> tuple[Any, int]:
    actor_key, act_key = decode_global_id(inp.actor), decode_global_id(inp.activity)
    actor, activity = await ctx.store.get_nodes([actor_key, act_key])
    props = {
        k: v for k, v in given(inp).items() if v is not None and k not in ("actor", "activity")
    }
    _refuse_if(
        [
            _expect(actor, "actor", inp.actor, ACTOR_KINDS, "an actor"),
            _expect(activity, "activity", inp.activity, _ACTIVITY, "an activity"),
            *_check_interval(props),
        ]
    )
    rid = relationship_id(RelType.PARTICIPATED_IN, actor_key, act_key)
    change = RelWrite(RelType.PARTICIPATED_IN.value, rid, actor_key, act_key, props)
    rel, start, end, revision = await _write_rel(ctx, change, {"start": "actor", "end": "activity"})
    p = rel.props
    return Participation(
        id=rel.id,  # type: ignore[arg-type]
        actor=node_object(ctx.policy, start),  # type: ignore[arg-type]
        activity=node_object(ctx.policy, end),  # type: ignore[arg-type]
        role=RoleEnum(p.get("role", "PARTICIPANT")),
        since=model.as_date(p.get("since")),
        until=model.as_date(p.get("until")),
        source=p.get("source"),
    ), revision


_CONTRIBUTORS = frozenset({NodeKind.PROGRAMME, NodeKind.ACTIVITY, NodeKind.OUTCOME})


async def link_outcome(ctx: Context, inp: Any) -> tuple[Any, int]:
    from_key, out_key = decode_global_id(inp.contributor), decode_global_id(inp.outcome)
    contributor, outcome = await ctx.store.get_nodes([from_key, out_key])
    props = {
        k: v for k, v in given(inp).items() if v is not None and k not in ("contributor", "outcome")
    }
    what = "a programme, activity or outcome"
    _refuse_if(
        [
            _expect(contributor, "contributor", inp.contributor, _CONTRIBUTORS, what),
            _expect(outcome, "outcome", inp.outcome, _OUTCOME, "an outcome"),
        ]
    )
    assert contributor is not None
    rel_type = RelType.CONTRIBUTED_TO if contributor.kind is NodeKind.OUTCOME else RelType.PRODUCED
    rid = relationship_id(rel_type, from_key, out_key)
    change = RelWrite(rel_type.value, rid, from_key, out_key, props)
    rel, start, end, revision = await _write_rel(
        ctx, change, {"start": "contributor", "end": "outcome"}
    )
    p = rel.props
    return OutcomeLink(
        id=rel.id,  # type: ignore[arg-type]
        contributor=node_object(ctx.policy, start),
        outcome=node_object(ctx.policy, end),  # type: ignore[arg-type]
        share=p["share"],
        confidence=ConfidenceEnum(p.get("confidence", "MEDIUM")),
        evidence_date=model.as_date(p.get("evidence_date")),
        since=model.as_date(p.get("since")),
        source=p.get("source"),
    ), revision
