"""Filter inputs of the node connections, one per family of kinds, so each offers only the
filters that mean something for it; all of them become one store ``NodeFilter``."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from api.errors import bad_input
from api.nodes import (
    FocusGroupEnum,
    NodeKindEnum,
    RegionEnum,
    RoleEnum,
    SensitivityEnum,
    decode_global_id,
)
from graph import model
from graph.model import ACTOR_KINDS, NodeKind
from graph.store import NodeFilter, SortOrder


@strawberry.enum(description="Stable orders of a node list; ties never occur (key breaks them).")
class NodeOrder(Enum):
    NAME = strawberry.enum_value(
        "NAME",
        description="By name, case-insensitive, then key. For callers without the privileged "
        "role, restricted actors come after all others, ordered by key.",
    )
    KEY = strawberry.enum_value("KEY", description="By key (the node's own id).")


SORTS = {NodeOrder.NAME: SortOrder.NAME, NodeOrder.KEY: SortOrder.ID}

_TEXT = (
    "Case-insensitive substring of the name (or acronym). Restricted actors are matched only "
    "for privileged callers."
)
_ACTIVE = (
    "Only nodes valid on this date; for actors also only those with a partnership or "
    "participation valid on it; for programmes and activities, themes and targets valid on it."
)


@strawberry.input(description="Filters of thematic areas.")
class ThematicAreaFilter:
    text: str | None = strawberry.field(default=None, description=_TEXT)


@strawberry.input(description="Filters of outcomes.")
class OutcomeFilter(ThematicAreaFilter):
    active_as_of: dt.date | None = strawberry.field(default=None, description=_ACTIVE)


@strawberry.input(description="Filters of programmes and activities (by what they target).")
class ProgrammeFilter(OutcomeFilter):
    region: RegionEnum | None = strawberry.field(
        default=None, description="Targets a Member State in this M49 region (or is held there)."
    )
    subregion: str | None = strawberry.field(
        default=None, description="Targets a Member State in this M49 sub-region."
    )
    country: strawberry.ID | None = strawberry.field(
        default=None, description="Targets (or is held in) this Member State: id or ISO3."
    )
    theme: strawberry.ID | None = strawberry.field(
        default=None, description="Addresses this thematic area (id or key)."
    )


@strawberry.input(description="Filters of Member States.")
class MemberStateFilter(OutcomeFilter):
    region: RegionEnum | None = strawberry.field(default=None, description="M49 region.")
    subregion: str | None = strawberry.field(
        default=None, description="M49 sub-region, e.g. 'Northern Africa'."
    )
    theme: strawberry.ID | None = strawberry.field(
        default=None,
        description="Partners in a programme, or took part in an activity, addressing this "
        "thematic area (id or key).",
    )
    role: RoleEnum | None = strawberry.field(
        default=None, description="Has a partnership or participation with this role."
    )


@strawberry.input(description="Filters of organisations (regional and non-state).")
class OrganizationFilter(ProgrammeFilter):
    region: RegionEnum | None = strawberry.field(
        default=None,
        description="Based in a Member State of this M49 region (regional organisations also "
        "by the region they cover).",
    )
    subregion: str | None = strawberry.field(
        default=None, description="Based in a Member State of this M49 sub-region."
    )
    country: strawberry.ID | None = strawberry.field(
        default=None, description="Based in this Member State: id or ISO3."
    )
    theme: strawberry.ID | None = strawberry.field(
        default=None,
        description="Partners in a programme, or took part in an activity, addressing this "
        "thematic area (id or key).",
    )
    role: RoleEnum | None = strawberry.field(
        default=None, description="Has a partnership or participation with this role."
    )
    sensitivity: SensitivityEnum | None = strawberry.field(
        default=None, description="Only public or only restricted actors."
    )


@strawberry.input(description="Filters of civil society organisations.")
class CivilSocietyFilter(OrganizationFilter):
    focus_group: FocusGroupEnum | None = strawberry.field(
        default=None, description="Works with this group."
    )


@strawberry.input(description="Filters of actors of every kind (states, organisations).")
class ActorFilter(CivilSocietyFilter):
    kinds: list[NodeKindEnum] | None = strawberry.field(
        default=None, description="Only these actor kinds (default: all six)."
    )
    country: strawberry.ID | None = strawberry.field(
        default=None, description="Is this Member State, or is based in it: id or ISO3."
    )


def _value(flt: Any, name: str) -> Any:
    value = getattr(flt, name, None)
    return value.value if isinstance(value, Enum) else value


def _key(flt: Any, name: str) -> str | None:
    value = getattr(flt, name, None)
    return None if value is None else decode_global_id(value)


def actor_kinds(flt: Any) -> frozenset[NodeKind]:
    kinds = getattr(flt, "kinds", None)
    if not kinds:
        return ACTOR_KINDS
    chosen = frozenset(NodeKind(k.value) for k in kinds)
    if not chosen <= ACTOR_KINDS:
        others = ", ".join(sorted(k.name for k in chosen - ACTOR_KINDS))
        raise bad_input(f"{others} are not actor kinds", "filter.kinds")
    return chosen


def node_filter(kinds: frozenset[NodeKind], flt: Any) -> NodeFilter:
    """The store filter for a connection over ``kinds`` with the client's filter input."""
    if flt is None:
        return NodeFilter(kinds=kinds)
    day = getattr(flt, "active_as_of", None)
    region = _value(flt, "region")
    focus = _value(flt, "focus_group")
    role = _value(flt, "role")
    sensitivity = _value(flt, "sensitivity")
    text = getattr(flt, "text", None)
    return NodeFilter(
        kinds=kinds,
        region=model.Region(region) if region else None,
        subregion=getattr(flt, "subregion", None),
        country=_key(flt, "country"),
        theme=_key(flt, "theme"),
        focus_group=model.FocusGroup(focus) if focus else None,
        role=model.Role(role) if role else None,
        sensitivity=model.Sensitivity(sensitivity) if sensitivity else None,
        active_as_of=day.isoformat() if day else None,
        text=text if text else None,
    )
