"""Root query fields of the network area: one connection per node kind, and ``actors``."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.context import Context
from api.core.paging import DEFAULT_PAGE, Connection
from api.network.filters import (
    SORTS,
    ActorFilter,
    CivilSocietyFilter,
    MemberStateFilter,
    NodeOrder,
    OrganizationFilter,
    OutcomeFilter,
    ProgrammeFilter,
    ThematicAreaFilter,
    actor_kinds,
    node_filter,
)
from api.network.paging import find_page
from api.nodes import (
    AcademicInstitution,
    Activity,
    Actor,
    AfterArg,
    CivilSocietyOrganization,
    Company,
    FirstArg,
    MemberState,
    OtherNonStateActor,
    Outcome,
    Programme,
    RegionalOrganization,
    ThematicArea,
)
from graph.model import NodeKind

OrderArg = Annotated[NodeOrder, strawberry.argument(description="Sort order (default NAME).")]
_FILTER = "Only nodes matching all of these filters."
ActorFilterArg = Annotated[ActorFilter | None, strawberry.argument(description=_FILTER)]
StateFilterArg = Annotated[MemberStateFilter | None, strawberry.argument(description=_FILTER)]
OrgFilterArg = Annotated[OrganizationFilter | None, strawberry.argument(description=_FILTER)]
CsoFilterArg = Annotated[CivilSocietyFilter | None, strawberry.argument(description=_FILTER)]
ProgrammeFilterArg = Annotated[ProgrammeFilter | None, strawberry.argument(description=_FILTER)]
OutcomeFilterArg = Annotated[OutcomeFilter | None, strawberry.argument(description=_FILTER)]
ThemeFilterArg = Annotated[ThematicAreaFilter | None, strawberry.argument(description=_FILTER)]


async def _page(
    info: Info[Context, Any],
    kinds: frozenset[NodeKind],
    flt: Any,
    first: int,
    after: str | None,
    order_by: NodeOrder,
) -> Any:
    return await find_page(
        info.context, node_filter(kinds, flt), first=first, after=after, sort=SORTS[order_by]
    )


def _one(kind: NodeKind) -> frozenset[NodeKind]:
    return frozenset({kind})


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Actors of every kind: Member States, regional organisations and "
        "non-state actors (restricted ones only if you are privileged)."
    )
    async def actors(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: ActorFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[Actor]:
        return await _page(info, actor_kinds(filter), filter, first, after, order_by)

    @strawberry.field(description="UN Member States.")
    async def member_states(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: StateFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[MemberState]:
        return await _page(info, _one(NodeKind.MEMBER_STATE), filter, first, after, order_by)

    @strawberry.field(description="Regional intergovernmental organisations.")
    async def regional_organizations(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: OrgFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[RegionalOrganization]:
        return await _page(
            info, _one(NodeKind.REGIONAL_ORGANIZATION), filter, first, after, order_by
        )

    @strawberry.field(
        description="Civil society organisations (restricted ones only if you are privileged)."
    )
    async def civil_society_organizations(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: CsoFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[CivilSocietyOrganization]:
        return await _page(
            info, _one(NodeKind.CIVIL_SOCIETY_ORGANIZATION), filter, first, after, order_by
        )

    @strawberry.field(description="Companies (restricted ones only if you are privileged).")
    async def companies(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: OrgFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[Company]:
        return await _page(info, _one(NodeKind.COMPANY), filter, first, after, order_by)

    @strawberry.field(
        description="Universities, think tanks and research institutes "
        "(restricted ones only if you are privileged)."
    )
    async def academic_institutions(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: OrgFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[AcademicInstitution]:
        return await _page(
            info, _one(NodeKind.ACADEMIC_INSTITUTION), filter, first, after, order_by
        )

    @strawberry.field(
        description="Foundations, networks and associations (restricted "
        "ones only if you are privileged)."
    )
    async def other_non_state_actors(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: OrgFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[OtherNonStateActor]:
        return await _page(
            info, _one(NodeKind.OTHER_NON_STATE_ACTOR), filter, first, after, order_by
        )

    @strawberry.field(description="UNOCT programmes.")
    async def programmes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: ProgrammeFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[Programme]:
        return await _page(info, _one(NodeKind.PROGRAMME), filter, first, after, order_by)

    @strawberry.field(description="Activities: events, conferences, trainings, platforms, series.")
    async def activities(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: ProgrammeFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[Activity]:
        return await _page(info, _one(NodeKind.ACTIVITY), filter, first, after, order_by)

    @strawberry.field(description="Outcomes of the results chain.")
    async def outcomes(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: OutcomeFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[Outcome]:
        return await _page(info, _one(NodeKind.OUTCOME), filter, first, after, order_by)

    @strawberry.field(description="Thematic areas.")
    async def thematic_areas(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        filter: ThemeFilterArg = None,
        order_by: OrderArg = NodeOrder.NAME,
    ) -> Connection[ThematicArea]:
        return await _page(info, _one(NodeKind.THEMATIC_AREA), filter, first, after, order_by)
