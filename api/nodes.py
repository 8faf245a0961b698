"""The node types of the GraphQL schema, their enums, global ids and navigation.

Every resolver that returns a stored node builds its GraphQL object with :func:`node_object`,
which first passes the node through the request's :class:`~api.policy.Policy`; there is no
other constructor path, so a restricted actor cannot reach an unprivileged caller unredacted.

Why eager plain attributes: the scalar fields of a node are computed once, when the object is
built, so GraphQL reads them with the default (synchronous, attribute) resolver. Only
navigation fields, which need the store, are resolvers; they go through the request's
DataLoaders (:mod:`api.context`), so a page of nodes asking for their neighbours costs one
store call per relationship type, not one per node.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo
from strawberry.types import Info

from api.context import Context
from api.errors import bad_input
from api.policy import Policy
from graph import model
from graph.model import NodeKind, RelType
from graph.store import Direction
from graph.store import Edge as StoreEdge

MAX_PAGE = 100
DEFAULT_PAGE = 20

# --------------------------------------------------------------------------- global ids


def to_global_id(kind: NodeKind, key: str) -> str:
    """Opaque id: clients must not build ids, so one API can later serve several graphs."""
    return base64.urlsafe_b64encode(f"{kind.value}:{key}".encode()).decode()


#: What every global id starts with: the base64 of its kind's name (whole 3-byte groups only,
#: which encode the same whatever follows). Raw keys rarely do, so they skip the decode and
#: its exception.
_GID_PREFIXES = tuple(
    base64.urlsafe_b64encode(k.value.encode()[: len(k.value) // 3 * 3]).decode() for k in NodeKind
)


def decode_global_id(gid: str) -> str:
    """The graph id behind a global id; a raw graph id passes through (handy in GraphiQL)."""
    if not gid.startswith(_GID_PREFIXES):
        return gid
    try:
        kind, _, raw = base64.urlsafe_b64decode(gid.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return gid
    return raw if kind in NodeKind._value2member_map_ and raw else gid


# --------------------------------------------------------------------------- enums
# GraphQL mirrors of the model's enums: same values, so ``model.X(enum.value)`` converts;
# tests/api/test_schema_quality.py proves the member sets stay equal.


@strawberry.enum(name="NodeKind", description="Kinds of node in the partnership graph.")
class NodeKindEnum(Enum):
    MEMBER_STATE = strawberry.enum_value(
        "MemberState", description="A UN Member State; its key is the ISO 3166-1 alpha-3 code."
    )
    REGIONAL_ORGANIZATION = strawberry.enum_value(
        "RegionalOrganization", description="A regional intergovernmental organisation."
    )
    CIVIL_SOCIETY_ORGANIZATION = strawberry.enum_value(
        "CivilSocietyOrganization", description="A civil society organisation (CSO)."
    )
    COMPANY = strawberry.enum_value("Company", description="A private-sector company.")
    ACADEMIC_INSTITUTION = strawberry.enum_value(
        "AcademicInstitution", description="A university, think tank or research institute."
    )
    OTHER_NON_STATE_ACTOR = strawberry.enum_value(
        "OtherNonStateActor", description="A foundation, network or association."
    )
    PROGRAMME = strawberry.enum_value("Programme", description="A UNOCT programme.")
    ACTIVITY = strawberry.enum_value(
        "Activity", description="An event, conference, training, platform or series."
    )
    OUTCOME = strawberry.enum_value(
        "Outcome", description="A result in the results chain (output, outcome or impact)."
    )
    THEMATIC_AREA = strawberry.enum_value(
        "ThematicArea", description="A thematic area such as PCVE or border security."
    )


@strawberry.enum(name="Region", description="UN M49 regions.")
class RegionEnum(Enum):
    AFRICA = strawberry.enum_value("Africa", description="M49 region Africa (002).")
    AMERICAS = strawberry.enum_value("Americas", description="M49 region Americas (019).")
    ASIA = strawberry.enum_value("Asia", description="M49 region Asia (142).")
    EUROPE = strawberry.enum_value("Europe", description="M49 region Europe (150).")
    OCEANIA = strawberry.enum_value("Oceania", description="M49 region Oceania (009).")


@strawberry.enum(
    name="Sensitivity",
    description="How much of an actor's identity callers without the privileged role may see.",
)
class SensitivityEnum(Enum):
    PUBLIC = strawberry.enum_value("PUBLIC", description="Identity visible to every caller.")
    RESTRICTED = strawberry.enum_value(
        "RESTRICTED",
        description="Identity shown only to privileged callers; others see 'Restricted actor'.",
    )


@strawberry.enum(name="FocusGroup", description="Groups a civil society organisation works with.")
class FocusGroupEnum(Enum):
    YOUTH = strawberry.enum_value("YOUTH", description="Young people.")
    WOMEN = strawberry.enum_value("WOMEN", description="Women and girls.")
    FAMILIES = strawberry.enum_value("FAMILIES", description="Families.")
    RELIGIOUS_LEADERS = strawberry.enum_value("RELIGIOUS_LEADERS", description="Religious leaders.")
    CULTURAL_LEADERS = strawberry.enum_value("CULTURAL_LEADERS", description="Cultural leaders.")
    EDUCATION_LEADERS = strawberry.enum_value(
        "EDUCATION_LEADERS", description="Teachers and education leaders."
    )
    VICTIMS_ASSOCIATIONS = strawberry.enum_value(
        "VICTIMS_ASSOCIATIONS", description="Associations of victims of terrorism."
    )
    MEDIA = strawberry.enum_value("MEDIA", description="Media and journalists.")
    HUMAN_RIGHTS = strawberry.enum_value("HUMAN_RIGHTS", description="Human rights defenders.")
    LOCAL_COMMUNITIES = strawberry.enum_value("LOCAL_COMMUNITIES", description="Local communities.")


@strawberry.enum(name="Role", description="Role of an actor in a programme or an activity.")
class RoleEnum(Enum):
    FUNDING = strawberry.enum_value("FUNDING", description="Provides funding.")
    IMPLEMENTING = strawberry.enum_value("IMPLEMENTING", description="Implements the work.")
    ADVISORY = strawberry.enum_value("ADVISORY", description="Advises.")
    HOST = strawberry.enum_value("HOST", description="Hosts the programme or event.")
    BENEFICIARY = strawberry.enum_value("BENEFICIARY", description="Benefits from the work.")
    CO_DESIGN = strawberry.enum_value("CO_DESIGN", description="Co-designs the work.")
    PARTICIPANT = strawberry.enum_value("PARTICIPANT", description="Takes part.")
    SPEAKER = strawberry.enum_value("SPEAKER", description="Speaks at an activity.")


@strawberry.enum(name="ResultsLevel", description="Levels of the IATI results chain.")
class ResultsLevelEnum(Enum):
    OUTPUT = strawberry.enum_value("OUTPUT", description="A direct product of an activity.")
    OUTCOME = strawberry.enum_value("OUTCOME", description="A change the outputs contribute to.")
    IMPACT = strawberry.enum_value("IMPACT", description="A long-term, higher-level change.")


@strawberry.enum(name="Confidence", description="Confidence in a contribution claim.")
class ConfidenceEnum(Enum):
    LOW = strawberry.enum_value("LOW", description="Weak or indirect evidence.")
    MEDIUM = strawberry.enum_value("MEDIUM", description="Some direct evidence.")
    HIGH = strawberry.enum_value("HIGH", description="Strong, documented evidence.")


@strawberry.enum(name="ActivityType", description="Kinds of activity.")
class ActivityTypeEnum(Enum):
    CONFERENCE = strawberry.enum_value("CONFERENCE", description="A conference.")
    EVENT = strawberry.enum_value("EVENT", description="A one-off event.")
    TRAINING = strawberry.enum_value("TRAINING", description="A training or workshop.")
    PLATFORM = strawberry.enum_value("PLATFORM", description="A standing platform or forum.")
    SERIES = strawberry.enum_value("SERIES", description="A series of events.")
    WORKING_GROUP = strawberry.enum_value("WORKING_GROUP", description="A working group.")
    PROCESS = strawberry.enum_value("PROCESS", description="A multi-stakeholder process.")


@strawberry.enum(name="AcademicType", description="Kinds of academic institution.")
class AcademicTypeEnum(Enum):
    UNIVERSITY = strawberry.enum_value("UNIVERSITY", description="A university.")
    THINK_TANK = strawberry.enum_value("THINK_TANK", description="A think tank.")
    RESEARCH_INSTITUTE = strawberry.enum_value(
        "RESEARCH_INSTITUTE", description="A research institute."
    )


@strawberry.enum(name="Industry", description="Industry of a company.")
class IndustryEnum(Enum):
    TECH_PLATFORM = strawberry.enum_value("TECH_PLATFORM", description="Online platforms.")
    TELECOMMUNICATIONS = strawberry.enum_value(
        "TELECOMMUNICATIONS", description="Telecommunications."
    )
    FINANCIAL_SERVICES = strawberry.enum_value(
        "FINANCIAL_SERVICES", description="Banks, payments and insurance."
    )
    TRANSPORT_AND_TRAVEL = strawberry.enum_value(
        "TRANSPORT_AND_TRAVEL", description="Airlines, shipping and travel."
    )
    SECURITY_SERVICES = strawberry.enum_value(
        "SECURITY_SERVICES", description="Private security services."
    )
    MEDIA_AND_ENTERTAINMENT = strawberry.enum_value(
        "MEDIA_AND_ENTERTAINMENT", description="Media and entertainment."
    )
    CONSULTING = strawberry.enum_value("CONSULTING", description="Consulting.")


@strawberry.enum(name="NonStateActorType", description="Kinds of other non-state actor.")
class NonStateActorTypeEnum(Enum):
    FOUNDATION = strawberry.enum_value("FOUNDATION", description="A foundation.")
    NETWORK = strawberry.enum_value("NETWORK", description="A network of organisations.")
    ASSOCIATION = strawberry.enum_value("ASSOCIATION", description="An association.")


#: Each GraphQL enum and the model enum it mirrors.
ENUM_MIRRORS: dict[type[Enum], type[Enum]] = {
    NodeKindEnum: model.NodeKind,
    RegionEnum: model.Region,
    SensitivityEnum: model.Sensitivity,
    FocusGroupEnum: model.FocusGroup,
    RoleEnum: model.Role,
    ResultsLevelEnum: model.ResultsLevel,
    ConfidenceEnum: model.Confidence,
    ActivityTypeEnum: model.ActivityType,
    AcademicTypeEnum: model.AcademicType,
    IndustryEnum: model.Industry,
    NonStateActorTypeEnum: model.NonStateActorType,
}


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


# --------------------------------------------------------------------------- arguments

FirstArg = Annotated[
    int, strawberry.argument(description=f"Page size, 1 to {MAX_PAGE} (default {DEFAULT_PAGE}).")
]
AfterArg = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (from `pageInfo`)."),
]
AsOfArg = Annotated[
    dt.date | None,
    strawberry.argument(
        description="Only relationships valid on this date; omitted: all, ended ones included."
    ),
]
RoleArg = Annotated[
    RoleEnum | None, strawberry.argument(description="Only relationships with this role.")
]


def check_first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise bad_input(f"must be between 1 and {MAX_PAGE}, got {first}", "first")
    return first


# --------------------------------------------------------------------------- pagination

N = TypeVar("N")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    has_previous_page: bool = strawberry.field(
        description="True when this page was asked for with `after` (items precede it)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` to get the next page."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[N]):
    node: N = strawberry.field(description="The item.")
    cursor_of: strawberry.Private[Callable[[Any], str]]
    cursor_arg: strawberry.Private[Any]

    @strawberry.field(description="Opaque position of this item; pass it as `after`.")
    def cursor(self) -> str:
        return self.cursor_of(self.cursor_arg)


@strawberry.type(description="A page of a list, with cursors to walk it and its total size.")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(
        description="Number of items in the whole list (all pages), with the same filters."
    )


# Relationship edges: the relationship's own properties sit on the edge, next to the node at
# the other end. Cursors are (other node's key, relationship id): the order the store
# returns neighbours in, stable across requests and free of names.


def _nav_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(["r", *key]).encode()).decode()


def _nav_position(after: str) -> tuple[str, str]:
    try:
        tag, node_id, rel_id = json.loads(base64.urlsafe_b64decode(after.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise bad_input("is not a cursor of this list", "after") from None
    if tag != "r" or not isinstance(node_id, str) or not isinstance(rel_id, str):
        raise bad_input("is not a cursor of this list", "after")
    return node_id, rel_id


@strawberry.type(description="A plain relationship (membership, seat, theme, target, part-of).")
class LinkEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the relationship.")
    relationship_id: strawberry.ID = strawberry.field(description="Id of the relationship.")
    since: dt.date | None = strawberry.field(description="Start of validity (inclusive).")
    until: dt.date | None = strawberry.field(description="End of validity (inclusive), if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence; hidden when either end is a restricted actor you "
        "may not see."
    )
    cursor_key: strawberry.Private[tuple[str, str]]

    @strawberry.field(description="Opaque position of this item; pass it as `after`.")
    def cursor(self) -> str:
        return _nav_cursor(self.cursor_key)


@strawberry.type(description="A partnership of an actor in a programme.")
class PartnershipEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the partnership.")
    relationship_id: strawberry.ID = strawberry.field(
        description="Id of the partnership; pass it to `endPartnership`."
    )
    role: RoleEnum = strawberry.field(description="Role of the actor in the programme.")
    amount: float | None = strawberry.field(description="Funding amount in USD, if any.")
    since: dt.date | None = strawberry.field(description="Start of the partnership.")
    until: dt.date | None = strawberry.field(description="End of the partnership, if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence; hidden when the actor is restricted and you may not "
        "see it."
    )
    cursor_key: strawberry.Private[tuple[str, str]]

    @strawberry.field(description="Opaque position of this item; pass it as `after`.")
    def cursor(self) -> str:
        return _nav_cursor(self.cursor_key)


@strawberry.type(description="An actor's participation in an activity.")
class ParticipationEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the participation.")
    relationship_id: strawberry.ID = strawberry.field(description="Id of the participation.")
    role: RoleEnum = strawberry.field(description="Role of the actor in the activity.")
    since: dt.date | None = strawberry.field(description="Start of the participation.")
    until: dt.date | None = strawberry.field(description="End of the participation, if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence; hidden when the actor is restricted and you may not "
        "see it."
    )
    cursor_key: strawberry.Private[tuple[str, str]]

    @strawberry.field(description="Opaque position of this item; pass it as `after`.")
    def cursor(self) -> str:
        return _nav_cursor(self.cursor_key)


@strawberry.type(description="A contribution link in the results chain (produced / contributed).")
class ContributionEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the link.")
    relationship_id: strawberry.ID = strawberry.field(description="Id of the link.")
    share: float = strawberry.field(description="Share of the outcome attributed, 0 to 1.")
    confidence: ConfidenceEnum = strawberry.field(description="Confidence in the attribution.")
    evidence_date: dt.date | None = strawberry.field(description="Date of the evidence.")
    since: dt.date | None = strawberry.field(description="Start of validity.")
    until: dt.date | None = strawberry.field(description="End of validity, if ended.")
    source: str | None = strawberry.field(description="Source or evidence.")
    cursor_key: strawberry.Private[tuple[str, str]]

    @strawberry.field(description="Opaque position of this item; pass it as `after`.")
    def cursor(self) -> str:
        return _nav_cursor(self.cursor_key)


@strawberry.type(description="A page of plain relationships.")
class LinkConnection(Generic[N]):
    edges: list[LinkEdge[N]] = strawberry.field(description="The relationships of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of relationships in all pages.")


@strawberry.type(description="A page of partnerships.")
class PartnershipConnection(Generic[N]):
    edges: list[PartnershipEdge[N]] = strawberry.field(description="The partnerships of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of partnerships in all pages.")


@strawberry.type(description="A page of participations.")
class ParticipationConnection(Generic[N]):
    edges: list[ParticipationEdge[N]] = strawberry.field(
        description="The participations of this page."
    )
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of participations in all pages.")


@strawberry.type(description="A page of results-chain links.")
class ContributionConnection(Generic[N]):
    edges: list[ContributionEdge[N]] = strawberry.field(description="The links of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of links in all pages.")


def _common_edge(
    policy: Policy, here: model.Node, edge: StoreEdge
) -> tuple[Node, strawberry.ID, dt.date | None, dt.date | None, str | None]:
    p = edge.rel.props
    hidden = policy.is_hidden(here) or policy.is_hidden(edge.node)
    return (
        node_object(policy, edge.node),
        strawberry.ID(edge.rel.id),
        _date(p.get("since")),
        _date(p.get("until")),
        None if hidden else p.get("source"),
    )


def _link(policy: Policy, here: model.Node, e: StoreEdge) -> LinkEdge[Any]:
    node, rid, since, until, source = _common_edge(policy, here, e)
    return LinkEdge(
        node=node,
        relationship_id=rid,
        since=since,
        until=until,
        source=source,
        cursor_key=(e.node.id, e.rel.id),
    )


def _partnership(policy: Policy, here: model.Node, e: StoreEdge) -> PartnershipEdge[Any]:
    node, rid, since, until, source = _common_edge(policy, here, e)
    return PartnershipEdge(
        node=node,
        relationship_id=rid,
        role=RoleEnum(e.rel.props["role"]),
        amount=e.rel.props.get("amount"),
        since=since,
        until=until,
        source=source,
        cursor_key=(e.node.id, e.rel.id),
    )


def _participation(policy: Policy, here: model.Node, e: StoreEdge) -> ParticipationEdge[Any]:
    node, rid, since, until, source = _common_edge(policy, here, e)
    return ParticipationEdge(
        node=node,
        relationship_id=rid,
        role=RoleEnum(e.rel.props.get("role", "PARTICIPANT")),
        since=since,
        until=until,
        source=source,
        cursor_key=(e.node.id, e.rel.id),
    )


def _contribution(policy: Policy, here: model.Node, e: StoreEdge) -> ContributionEdge[Any]:
    node, rid, since, until, source = _common_edge(policy, here, e)
    p = e.rel.props
    return ContributionEdge(
        node=node,
        relationship_id=rid,
        share=p["share"],
        confidence=ConfidenceEnum(p.get("confidence", "MEDIUM")),
        evidence_date=_date(p.get("evidence_date")),
        since=since,
        until=until,
        source=source,
        cursor_key=(e.node.id, e.rel.id),
    )


_EDGE_BUILDERS: dict[type, Callable[[Policy, model.Node, StoreEdge], Any]] = {
    LinkConnection: _link,
    PartnershipConnection: _partnership,
    ParticipationConnection: _participation,
    ContributionConnection: _contribution,
}


@dataclass(frozen=True, slots=True)
class Hop:
    """One step from a node along a relationship type and direction, paged as ``connection``
    (one of the four relationship connections above)."""

    rel_type: RelType
    direction: Direction
    connection: type

    async def page(
        self,
        info: Info[Context, Any],
        here: model.Node,
        first: int,
        after: str | None,
        as_of: dt.date | None,
        role: RoleEnum | None = None,
    ) -> Any:
        """A page of ``here``'s relationships, loaded through the request's neighbour loader
        (so sibling nodes asking the same step share one store call)."""
        check_first(first)
        ctx = info.context
        day = as_of.isoformat() if as_of else None
        edges: Sequence[StoreEdge] = await ctx.neighbour_loader.load(
            (here.id, self.rel_type, self.direction, day)
        )
        if role is not None:
            edges = [e for e in edges if e.rel.props.get("role", "PARTICIPANT") == role.value]
        start = 0
        if after is not None:
            keys = [(e.node.id, e.rel.id) for e in edges]
            start = bisect_right(keys, _nav_position(after))
        build = _EDGE_BUILDERS[self.connection]
        built = [build(ctx.policy, here, e) for e in edges[start : start + first]]
        return self.connection(
            edges=built,
            page_info=PageInfo(
                has_next_page=start + first < len(edges),
                has_previous_page=after is not None,
                start_cursor=_nav_cursor(built[0].cursor_key) if built else None,
                end_cursor=_nav_cursor(built[-1].cursor_key) if built else None,
            ),
            total_count=len(edges),
        )


_ADDRESSES_IN = Hop(RelType.ADDRESSES, Direction.IN, LinkConnection)
_ADDRESSES_OUT = Hop(RelType.ADDRESSES, Direction.OUT, LinkConnection)
_BASED_IN_IN = Hop(RelType.BASED_IN, Direction.IN, LinkConnection)
_BASED_IN_OUT = Hop(RelType.BASED_IN, Direction.OUT, LinkConnection)
_CONTRIBUTED_TO_IN = Hop(RelType.CONTRIBUTED_TO, Direction.IN, ContributionConnection)
_CONTRIBUTED_TO_OUT = Hop(RelType.CONTRIBUTED_TO, Direction.OUT, ContributionConnection)
_MEMBER_OF_IN = Hop(RelType.MEMBER_OF, Direction.IN, LinkConnection)
_MEMBER_OF_OUT = Hop(RelType.MEMBER_OF, Direction.OUT, LinkConnection)
_PARTICIPATED_IN_IN = Hop(RelType.PARTICIPATED_IN, Direction.IN, ParticipationConnection)
_PARTICIPATED_IN_OUT = Hop(RelType.PARTICIPATED_IN, Direction.OUT, ParticipationConnection)
_PARTNERS_IN_IN = Hop(RelType.PARTNERS_IN, Direction.IN, PartnershipConnection)
_PARTNERS_IN_OUT = Hop(RelType.PARTNERS_IN, Direction.OUT, PartnershipConnection)
_PART_OF_IN = Hop(RelType.PART_OF, Direction.IN, LinkConnection)
_PART_OF_OUT = Hop(RelType.PART_OF, Direction.OUT, LinkConnection)
_PRODUCED_IN = Hop(RelType.PRODUCED, Direction.IN, ContributionConnection)
_PRODUCED_OUT = Hop(RelType.PRODUCED, Direction.OUT, ContributionConnection)
_TARGETS_OUT = Hop(RelType.TARGETS, Direction.OUT, LinkConnection)


# --------------------------------------------------------------------------- node types


@strawberry.interface(description="Any node of the partnership graph, addressable by global id.")
class Node:
    raw: strawberry.Private[model.Node]
    id: strawberry.ID = strawberry.field(
        description="Opaque global id; `node(id:)` and `nodes(ids:)` take it."
    )
    key: str = strawberry.field(
        description="The node's own id in the graph (ISO 3166-1 alpha-3 for Member States)."
    )
    kind: NodeKindEnum = strawberry.field(description="Kind of node.")
    name: str = strawberry.field(
        description="Display name; 'Restricted actor' for an actor you may not identify."
    )
    description: str | None = strawberry.field(description="Free-text description.")
    since: dt.date | None = strawberry.field(description="Start of validity (inclusive).")
    until: dt.date | None = strawberry.field(description="End of validity (inclusive).")
    source: str | None = strawberry.field(description="Source or evidence reference.")
    illustrative: bool = strawberry.field(
        description="True for fictional records (every non-state actor in seed data)."
    )

    @classmethod
    def resolve_type(
        cls, obj: Any, info: GraphQLResolveInfo, abstract_type: GraphQLAbstractType
    ) -> str:
        # Every object is built by node_object, so its class names its type: no isinstance scan.
        return str(obj.__strawberry_definition__.name)

    @classmethod
    def is_type_of(cls, obj: Any, info: GraphQLResolveInfo) -> bool:
        return type(obj) is cls


@strawberry.interface(
    description="A Member State, regional organisation or non-state actor: anyone that can "
    "partner in programmes and take part in activities."
)
class Actor(Node):
    sensitivity: SensitivityEnum = strawberry.field(
        description="Whether the actor's identity is restricted."
    )
    redacted: bool = strawberry.field(
        description="True when this actor is restricted and you may not see its identity."
    )
    iati_org_type: int | None = strawberry.field(
        description="IATI OrganisationType code (e.g. 22 National NGO)."
    )

    @strawberry.field(description="Programmes this actor partners in, with role and amount.")
    async def programmes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        role: RoleArg = None,
        as_of: AsOfArg = None,
    ) -> PartnershipConnection[Programme]:
        return await _PARTNERS_IN_OUT.page(info, self.raw, first, after, as_of, role)

    @strawberry.field(description="Activities this actor took part in, with its role.")
    async def activities(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        role: RoleArg = None,
        as_of: AsOfArg = None,
    ) -> ParticipationConnection[Activity]:
        return await _PARTICIPATED_IN_OUT.page(info, self.raw, first, after, as_of, role)


@strawberry.interface(
    description="An actor that is not a state (a regional or non-state organisation): it has "
    "a seat in a Member State."
)
class Organization(Actor):
    @strawberry.field(description="Member States this organisation is based in.")
    async def based_in(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[MemberState]:
        return await _BASED_IN_OUT.page(info, self.raw, first, after, as_of)


@strawberry.type(description="A UN Member State.")
class MemberState(Actor):
    m49: str = strawberry.field(description="UN M49 numeric code.")
    region: RegionEnum = strawberry.field(description="UN M49 region.")
    subregion: str = strawberry.field(description="UN M49 sub-region, e.g. 'Western Asia'.")
    intermediate_region: str | None = strawberry.field(
        description="UN M49 intermediate region, where M49 defines one."
    )

    @strawberry.field(description="Regional organisations this state is a member of.")
    async def regional_organizations(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[RegionalOrganization]:
        return await _MEMBER_OF_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Organisations based in this state (restricted ones redacted).")
    async def actors_based_here(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Organization]:
        return await _BASED_IN_IN.page(info, self.raw, first, after, as_of)


@strawberry.type(description="A regional intergovernmental organisation (AU, EU, ASEAN, ...).")
class RegionalOrganization(Organization):
    acronym: str | None = strawberry.field(description="Usual acronym, e.g. 'AU'.")
    region: RegionEnum | None = strawberry.field(description="M49 region it mainly covers.")

    @strawberry.field(description="Member States that are members of this organisation.")
    async def members(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[MemberState]:
        return await _MEMBER_OF_IN.page(info, self.raw, first, after, as_of)


@strawberry.type(description="A civil society organisation (fictional in seed data).")
class CivilSocietyOrganization(Organization):
    focus_groups: list[FocusGroupEnum] = strawberry.field(
        description="Groups the organisation works with."
    )


@strawberry.type(description="A private-sector company (fictional in seed data).")
class Company(Organization):
    industry: IndustryEnum | None = strawberry.field(description="Industry of the company.")


@strawberry.type(description="A university, think tank or research institute (fictional).")
class AcademicInstitution(Organization):
    academic_type: AcademicTypeEnum = strawberry.field(description="Kind of institution.")


@strawberry.type(description="A foundation, network or association (fictional in seed data).")
class OtherNonStateActor(Organization):
    actor_type: NonStateActorTypeEnum = strawberry.field(description="Kind of actor.")


@strawberry.type(description="A UNOCT programme.")
class Programme(Node):
    acronym: str | None = strawberry.field(description="Usual acronym, if any.")

    @strawberry.field(description="Actors partnering in this programme, with role and amount.")
    async def partners(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        role: RoleArg = None,
        as_of: AsOfArg = None,
    ) -> PartnershipConnection[Actor]:
        return await _PARTNERS_IN_IN.page(info, self.raw, first, after, as_of, role)

    @strawberry.field(description="Activities that are part of this programme.")
    async def activities(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Activity]:
        return await _PART_OF_IN.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Outcomes this programme produced, with contribution shares.")
    async def outcomes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> ContributionConnection[Outcome]:
        return await _PRODUCED_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Thematic areas this programme addresses.")
    async def themes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[ThematicArea]:
        return await _ADDRESSES_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Member States and regional organisations it targets.")
    async def targets(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Actor]:
        return await _TARGETS_OUT.page(info, self.raw, first, after, as_of)


@strawberry.type(description="An activity: event, conference, training, platform or series.")
class Activity(Node):
    activity_type: ActivityTypeEnum = strawberry.field(description="Kind of activity.")
    location_key: strawberry.Private[str | None]

    @strawberry.field(description="Member State hosting the activity, if any.")
    async def location(self, info: Info[Context, Any]) -> MemberState | None:
        if self.location_key is None:
            return None
        found = await info.context.node_loader.load(self.location_key)
        return None if found is None else node_object(info.context.policy, found)  # type: ignore[return-value]

    @strawberry.field(description="Actors that took part, with their role.")
    async def participants(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        role: RoleArg = None,
        as_of: AsOfArg = None,
    ) -> ParticipationConnection[Actor]:
        return await _PARTICIPATED_IN_IN.page(info, self.raw, first, after, as_of, role)

    @strawberry.field(description="Outcomes this activity produced, with contribution shares.")
    async def outcomes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> ContributionConnection[Outcome]:
        return await _PRODUCED_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Programmes this activity is part of.")
    async def programmes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Programme]:
        return await _PART_OF_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Thematic areas this activity addresses directly.")
    async def themes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[ThematicArea]:
        return await _ADDRESSES_OUT.page(info, self.raw, first, after, as_of)


@strawberry.type(description="A result in the results chain (output, outcome or impact).")
class Outcome(Node):
    level: ResultsLevelEnum = strawberry.field(description="Level in the results chain.")
    document: bool = strawberry.field(description="True when the outcome is a document.")

    @strawberry.field(description="Programmes and activities that produced this outcome.")
    async def produced_by(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> ContributionConnection[Node]:
        return await _PRODUCED_IN.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Higher-level outcomes this outcome contributed to.")
    async def contributes_to(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> ContributionConnection[Outcome]:
        return await _CONTRIBUTED_TO_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Lower-level outcomes that contributed to this one.")
    async def contributions(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> ContributionConnection[Outcome]:
        return await _CONTRIBUTED_TO_IN.page(info, self.raw, first, after, as_of)


@strawberry.type(description="A thematic area such as PCVE or border security.")
class ThematicArea(Node):
    code: str = strawberry.field(description="Short code of the thematic area.")

    @strawberry.field(description="Programmes and activities addressing this thematic area.")
    async def addressed_by(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Node]:
        return await _ADDRESSES_IN.page(info, self.raw, first, after, as_of)


#: Every concrete node type, for ``strawberry.Schema(types=...)``: interfaces returned by a
#: field only expose the implementations the schema is told about.
NODE_TYPES: tuple[type, ...] = (
    MemberState,
    RegionalOrganization,
    CivilSocietyOrganization,
    Company,
    AcademicInstitution,
    OtherNonStateActor,
    Programme,
    Activity,
    Outcome,
    ThematicArea,
)

# --------------------------------------------------------------------------- node_object


# Enum-typed attributes hold the model's values (``model.NodeKind`` members, property
# strings): graphql-core serialises an enum by looking its value up in a dict, while a
# Strawberry enum member would be matched by a linear scan. Builders pass every field
# explicitly, without intermediate dicts: this runs once per node in every response.


def _common(seen: model.Node, p: Any) -> dict[str, Any]:
    return {
        "raw": seen,
        "id": to_global_id(seen.kind, seen.id),
        "key": seen.id,
        "kind": seen.kind,
        "name": p.get("name", seen.id),
        "description": p.get("description"),
        "since": _date(p.get("since")),
        "until": _date(p.get("until")),
        "source": p.get("source"),
        "illustrative": p.get("illustrative", False),
    }


def _state(seen: model.Node, p: Any, redacted: bool) -> Any:
    return MemberState(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=redacted,
        iati_org_type=p.get("iati_org_type"),
        m49=p.get("m49", ""),
        region=p["region"],
        subregion=p.get("subregion", ""),
        intermediate_region=p.get("intermediate_region"),
    )


def _regional(seen: model.Node, p: Any, redacted: bool) -> Any:
    return RegionalOrganization(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=redacted,
        iati_org_type=p.get("iati_org_type"),
        acronym=p.get("acronym"),
        region=p.get("region"),
    )


def _cso(seen: model.Node, p: Any, redacted: bool) -> Any:
    return CivilSocietyOrganization(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=redacted,
        iati_org_type=p.get("iati_org_type"),
        focus_groups=p.get("focus_groups", ()),
    )


def _company(seen: model.Node, p: Any, redacted: bool) -> Any:
    return Company(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=redacted,
        iati_org_type=p.get("iati_org_type"),
        industry=p.get("industry"),
    )


def _academic(seen: model.Node, p: Any, redacted: bool) -> Any:
    return AcademicInstitution(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=redacted,
        iati_org_type=p.get("iati_org_type"),
        academic_type=p.get("academic_type", "UNIVERSITY"),
    )


def _other(seen: model.Node, p: Any, redacted: bool) -> Any:
    return OtherNonStateActor(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=redacted,
        iati_org_type=p.get("iati_org_type"),
        actor_type=p.get("actor_type", "NETWORK"),
    )


def _programme(seen: model.Node, p: Any, redacted: bool) -> Any:
    return Programme(**_common(seen, p), acronym=p.get("acronym"))


def _activity(seen: model.Node, p: Any, redacted: bool) -> Any:
    return Activity(
        **_common(seen, p),
        activity_type=p.get("activity_type", "EVENT"),
        location_key=p.get("location"),
    )


def _outcome(seen: model.Node, p: Any, redacted: bool) -> Any:
    return Outcome(
        **_common(seen, p), level=p.get("level", "OUTCOME"), document=p.get("document", False)
    )


def _theme(seen: model.Node, p: Any, redacted: bool) -> Any:
    return ThematicArea(**_common(seen, p), code=p.get("code", ""))


_BUILDERS: dict[NodeKind, Callable[[model.Node, Any, bool], Any]] = {
    NodeKind.MEMBER_STATE: _state,
    NodeKind.REGIONAL_ORGANIZATION: _regional,
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: _cso,
    NodeKind.COMPANY: _company,
    NodeKind.ACADEMIC_INSTITUTION: _academic,
    NodeKind.OTHER_NON_STATE_ACTOR: _other,
    NodeKind.PROGRAMME: _programme,
    NodeKind.ACTIVITY: _activity,
    NodeKind.OUTCOME: _outcome,
    NodeKind.THEMATIC_AREA: _theme,
}


def node_object(policy: Policy, node: model.Node) -> Node:
    """The GraphQL object for a stored node, as ``policy`` lets the caller see it."""
    seen = policy.view(node)
    built: Node = _BUILDERS[seen.kind](seen, seen.props, seen is not node)
    return built


def node_objects(policy: Policy, nodes: Sequence[model.Node]) -> list[Node]:
    return [node_object(policy, n) for n in nodes]
