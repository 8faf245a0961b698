"""The node types: the ``Node``, ``Actor`` and ``Organization`` interfaces and the ten concrete
types, with their navigation fields.

Scalar fields are plain attributes, set once when :func:`api.nodes.mapping.node_object` builds
the object, so GraphQL reads them with the default (synchronous, attribute) resolver. Only
navigation fields, which need the store, are resolvers; each pages one :class:`Hop`.

Strawberry resolves the (postponed) annotations below in this module's namespace when the
schema is built, so every name an annotation uses must be imported here at run time, not only
under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo
from strawberry.types import Info

from api.context import Context
from api.core.paging import DEFAULT_PAGE
from api.nodes.arguments import AfterArg, AsOfArg, FirstArg, RoleArg
from api.nodes.edges import (
    ContributionConnection,
    LinkConnection,
    ParticipationConnection,
    PartnershipConnection,
)
from api.nodes.enums import (
    AcademicTypeEnum,
    ActivityTypeEnum,
    FocusGroupEnum,
    IndustryEnum,
    NodeKindEnum,
    NonStateActorTypeEnum,
    RegionEnum,
    ResultsLevelEnum,
    SensitivityEnum,
)
from api.nodes.navigation import Hop, load_node
from api.nodes.provenance import PROVENANCE_DESCRIPTION, Provenance, provenance_of
from graph import model
from graph.model import RelType
from graph.store import Direction

# The steps the navigation fields below take, one per relationship type and direction.
_ADDRESSES_IN = Hop(RelType.ADDRESSES, Direction.IN, LinkConnection)
_ADDRESSES_OUT = Hop(RelType.ADDRESSES, Direction.OUT, LinkConnection)
_BASED_IN_IN = Hop(RelType.BASED_IN, Direction.IN, LinkConnection)
_BASED_IN_OUT = Hop(RelType.BASED_IN, Direction.OUT, LinkConnection)
_CONTRIBUTED_TO_IN = Hop(RelType.CONTRIBUTED_TO, Direction.IN, ContributionConnection)
_CONTRIBUTED_TO_OUT = Hop(RelType.CONTRIBUTED_TO, Direction.OUT, ContributionConnection)
_HOSTED_ON_IN = Hop(RelType.HOSTED_ON, Direction.IN, LinkConnection)
_HOSTED_ON_OUT = Hop(RelType.HOSTED_ON, Direction.OUT, LinkConnection)
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
    name: str = strawberry.field(description="Display name.")
    description: str | None = strawberry.field(description="Free-text description.")
    since: dt.date | None = strawberry.field(description="Start of validity (inclusive).")
    until: dt.date | None = strawberry.field(description="End of validity (inclusive).")
    source: str | None = strawberry.field(description="Source or evidence reference.")
    illustrative: bool = strawberry.field(
        description="True for fictional records (every non-state actor in seed data)."
    )
    external_id: str | None = strawberry.field(
        description="The record's identifier in another system (an IATI organisation or "
        "activity identifier): how a later import of the same source finds it."
    )

    @strawberry.field(description=PROVENANCE_DESCRIPTION)
    def provenance(self, info: Info[Context, Any]) -> Provenance | None:
        return provenance_of(info.context.policy, self.raw.props)

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
        description="Always false: a restricted actor you may not see is left out of every "
        "answer rather than shown redacted.",
        deprecation_reason="Restricted actors you may not see are no longer returned at all.",
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

    @strawberry.field(
        description="Organisations based in this state (restricted ones only if you may see them)."
    )
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
        return await load_node(info, self.location_key)  # type: ignore[return-value]

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

    @strawberry.field(description="Platforms this activity (a community or network) is hosted on.")
    async def hosted_on(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Activity]:
        return await _HOSTED_ON_OUT.page(info, self.raw, first, after, as_of)

    @strawberry.field(description="Communities and networks hosted on this activity (a platform).")
    async def hosts(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        as_of: AsOfArg = None,
    ) -> LinkConnection[Activity]:
        return await _HOSTED_ON_IN.page(info, self.raw, first, after, as_of)


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
