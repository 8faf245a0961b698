"""Staff mutations of the network area: create and update every node kind, and record
partnerships, participations and outcome links.

One naming style (verb + object, camelCase), one ``input`` argument each, and a payload with
the changed object, the revision written and ``userErrors``. The work is in
:mod:`api.network.writes`; this module is the schema surface.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.context import Context
from api.network import inputs, payloads, writes
from graph.model import NodeKind

_INPUT = "What to write."
CreateMemberStateArg = Annotated[
    inputs.CreateMemberStateInput, strawberry.argument(description=_INPUT)
]
UpdateMemberStateArg = Annotated[
    inputs.UpdateMemberStateInput, strawberry.argument(description=_INPUT)
]
CreateRegionalOrganizationArg = Annotated[
    inputs.CreateRegionalOrganizationInput, strawberry.argument(description=_INPUT)
]
UpdateRegionalOrganizationArg = Annotated[
    inputs.UpdateRegionalOrganizationInput, strawberry.argument(description=_INPUT)
]
CreateCivilSocietyOrganizationArg = Annotated[
    inputs.CreateCivilSocietyOrganizationInput, strawberry.argument(description=_INPUT)
]
UpdateCivilSocietyOrganizationArg = Annotated[
    inputs.UpdateCivilSocietyOrganizationInput, strawberry.argument(description=_INPUT)
]
CreateCompanyArg = Annotated[inputs.CreateCompanyInput, strawberry.argument(description=_INPUT)]
UpdateCompanyArg = Annotated[inputs.UpdateCompanyInput, strawberry.argument(description=_INPUT)]
CreateAcademicInstitutionArg = Annotated[
    inputs.CreateAcademicInstitutionInput, strawberry.argument(description=_INPUT)
]
UpdateAcademicInstitutionArg = Annotated[
    inputs.UpdateAcademicInstitutionInput, strawberry.argument(description=_INPUT)
]
CreateOtherNonStateActorArg = Annotated[
    inputs.CreateOtherNonStateActorInput, strawberry.argument(description=_INPUT)
]
UpdateOtherNonStateActorArg = Annotated[
    inputs.UpdateOtherNonStateActorInput, strawberry.argument(description=_INPUT)
]
CreateProgrammeArg = Annotated[inputs.CreateProgrammeInput, strawberry.argument(description=_INPUT)]
UpdateProgrammeArg = Annotated[inputs.UpdateProgrammeInput, strawberry.argument(description=_INPUT)]
CreateActivityArg = Annotated[inputs.CreateActivityInput, strawberry.argument(description=_INPUT)]
UpdateActivityArg = Annotated[inputs.UpdateActivityInput, strawberry.argument(description=_INPUT)]
CreateOutcomeArg = Annotated[inputs.CreateOutcomeInput, strawberry.argument(description=_INPUT)]
UpdateOutcomeArg = Annotated[inputs.UpdateOutcomeInput, strawberry.argument(description=_INPUT)]
CreateThematicAreaArg = Annotated[
    inputs.CreateThematicAreaInput, strawberry.argument(description=_INPUT)
]
UpdateThematicAreaArg = Annotated[
    inputs.UpdateThematicAreaInput, strawberry.argument(description=_INPUT)
]
AddPartnershipArg = Annotated[inputs.AddPartnershipInput, strawberry.argument(description=_INPUT)]
EndPartnershipArg = Annotated[inputs.EndPartnershipInput, strawberry.argument(description=_INPUT)]
RecordParticipationArg = Annotated[
    inputs.RecordParticipationInput, strawberry.argument(description=_INPUT)
]
LinkOutcomeArg = Annotated[inputs.LinkOutcomeInput, strawberry.argument(description=_INPUT)]


def _node_payload(cls: type, field: str, result: writes.Result) -> Any:
    return cls(**{field: result.obj}, user_errors=result.errors, revision=result.revision)


@strawberry.type
class NetworkMutation:
    @strawberry.mutation(description="Create a UN Member State (its key is the ISO3 code).")
    async def create_member_state(
        self, info: Info[Context, Any], input: CreateMemberStateArg
    ) -> payloads.MemberStatePayload:
        result = await writes.run(info.context, writes.create_node, NodeKind.MEMBER_STATE, input)
        return _node_payload(payloads.MemberStatePayload, "member_state", result)

    @strawberry.mutation(
        description="Change fields of a UN Member State; omitted fields stay as they are."
    )
    async def update_member_state(
        self, info: Info[Context, Any], input: UpdateMemberStateArg
    ) -> payloads.MemberStatePayload:
        result = await writes.run(info.context, writes.update_node, NodeKind.MEMBER_STATE, input)
        return _node_payload(payloads.MemberStatePayload, "member_state", result)

    @strawberry.mutation(description="Create a regional organisation.")
    async def create_regional_organization(
        self, info: Info[Context, Any], input: CreateRegionalOrganizationArg
    ) -> payloads.RegionalOrganizationPayload:
        result = await writes.run(
            info.context, writes.create_node, NodeKind.REGIONAL_ORGANIZATION, input
        )
        return _node_payload(payloads.RegionalOrganizationPayload, "regional_organization", result)

    @strawberry.mutation(
        description="Change fields of a regional organisation; omitted fields stay as they are."
    )
    async def update_regional_organization(
        self, info: Info[Context, Any], input: UpdateRegionalOrganizationArg
    ) -> payloads.RegionalOrganizationPayload:
        result = await writes.run(
            info.context, writes.update_node, NodeKind.REGIONAL_ORGANIZATION, input
        )
        return _node_payload(payloads.RegionalOrganizationPayload, "regional_organization", result)

    @strawberry.mutation(description="Create a civil society organisation.")
    async def create_civil_society_organization(
        self, info: Info[Context, Any], input: CreateCivilSocietyOrganizationArg
    ) -> payloads.CivilSocietyOrganizationPayload:
        result = await writes.run(
            info.context, writes.create_node, NodeKind.CIVIL_SOCIETY_ORGANIZATION, input
        )
        return _node_payload(
            payloads.CivilSocietyOrganizationPayload, "civil_society_organization", result
        )

    @strawberry.mutation(
        description="Change fields of a civil society organisation; omitted fields stay as stored."
    )
    async def update_civil_society_organization(
        self, info: Info[Context, Any], input: UpdateCivilSocietyOrganizationArg
    ) -> payloads.CivilSocietyOrganizationPayload:
        result = await writes.run(
            info.context, writes.update_node, NodeKind.CIVIL_SOCIETY_ORGANIZATION, input
        )
        return _node_payload(
            payloads.CivilSocietyOrganizationPayload, "civil_society_organization", result
        )

    @strawberry.mutation(description="Create a company.")
    async def create_company(
        self, info: Info[Context, Any], input: CreateCompanyArg
    ) -> payloads.CompanyPayload:
        result = await writes.run(info.context, writes.create_node, NodeKind.COMPANY, input)
        return _node_payload(payloads.CompanyPayload, "company", result)

    @strawberry.mutation(description="Change fields of a company; omitted fields stay as they are.")
    async def update_company(
        self, info: Info[Context, Any], input: UpdateCompanyArg
    ) -> payloads.CompanyPayload:
        result = await writes.run(info.context, writes.update_node, NodeKind.COMPANY, input)
        return _node_payload(payloads.CompanyPayload, "company", result)

    @strawberry.mutation(description="Create an academic institution.")
    async def create_academic_institution(
        self, info: Info[Context, Any], input: CreateAcademicInstitutionArg
    ) -> payloads.AcademicInstitutionPayload:
        result = await writes.run(
            info.context, writes.create_node, NodeKind.ACADEMIC_INSTITUTION, input
        )
        return _node_payload(payloads.AcademicInstitutionPayload, "academic_institution", result)

    @strawberry.mutation(
        description="Change fields of an academic institution; omitted fields stay as they are."
    )
    async def update_academic_institution(
        self, info: Info[Context, Any], input: UpdateAcademicInstitutionArg
    ) -> payloads.AcademicInstitutionPayload:
        result = await writes.run(
            info.context, writes.update_node, NodeKind.ACADEMIC_INSTITUTION, input
        )
        return _node_payload(payloads.AcademicInstitutionPayload, "academic_institution", result)

    @strawberry.mutation(description="Create a foundation, network or association.")
    async def create_other_non_state_actor(
        self, info: Info[Context, Any], input: CreateOtherNonStateActorArg
    ) -> payloads.OtherNonStateActorPayload:
        result = await writes.run(
            info.context, writes.create_node, NodeKind.OTHER_NON_STATE_ACTOR, input
        )
        return _node_payload(payloads.OtherNonStateActorPayload, "other_non_state_actor", result)

    @strawberry.mutation(
        description="Change fields of a foundation, network or association; omitted fields stay as "
        "they are."
    )
    async def update_other_non_state_actor(
        self, info: Info[Context, Any], input: UpdateOtherNonStateActorArg
    ) -> payloads.OtherNonStateActorPayload:
        result = await writes.run(
            info.context, writes.update_node, NodeKind.OTHER_NON_STATE_ACTOR, input
        )
        return _node_payload(payloads.OtherNonStateActorPayload, "other_non_state_actor", result)

    @strawberry.mutation(description="Create a programme.")
    async def create_programme(
        self, info: Info[Context, Any], input: CreateProgrammeArg
    ) -> payloads.ProgrammePayload:
        result = await writes.run(info.context, writes.create_node, NodeKind.PROGRAMME, input)
        return _node_payload(payloads.ProgrammePayload, "programme", result)

    @strawberry.mutation(
        description="Change fields of a programme; omitted fields stay as they are."
    )
    async def update_programme(
        self, info: Info[Context, Any], input: UpdateProgrammeArg
    ) -> payloads.ProgrammePayload:
        result = await writes.run(info.context, writes.update_node, NodeKind.PROGRAMME, input)
        return _node_payload(payloads.ProgrammePayload, "programme", result)

    @strawberry.mutation(description="Create an activity.")
    async def create_activity(
        self, info: Info[Context, Any], input: CreateActivityArg
    ) -> payloads.ActivityPayload:
        result = await writes.run(info.context, writes.create_node, NodeKind.ACTIVITY, input)
        return _node_payload(payloads.ActivityPayload, "activity", result)

    @strawberry.mutation(
        description="Change fields of an activity; omitted fields stay as they are."
    )
    async def update_activity(
        self, info: Info[Context, Any], input: UpdateActivityArg
    ) -> payloads.ActivityPayload:
        result = await writes.run(info.context, writes.update_node, NodeKind.ACTIVITY, input)
        return _node_payload(payloads.ActivityPayload, "activity", result)

    @strawberry.mutation(description="Create an outcome.")
    async def create_outcome(
        self, info: Info[Context, Any], input: CreateOutcomeArg
    ) -> payloads.OutcomePayload:
        result = await writes.run(info.context, writes.create_node, NodeKind.OUTCOME, input)
        return _node_payload(payloads.OutcomePayload, "outcome", result)

    @strawberry.mutation(
        description="Change fields of an outcome; omitted fields stay as they are."
    )
    async def update_outcome(
        self, info: Info[Context, Any], input: UpdateOutcomeArg
    ) -> payloads.OutcomePayload:
        result = await writes.run(info.context, writes.update_node, NodeKind.OUTCOME, input)
        return _node_payload(payloads.OutcomePayload, "outcome", result)

    @strawberry.mutation(description="Create a thematic area.")
    async def create_thematic_area(
        self, info: Info[Context, Any], input: CreateThematicAreaArg
    ) -> payloads.ThematicAreaPayload:
        result = await writes.run(info.context, writes.create_node, NodeKind.THEMATIC_AREA, input)
        return _node_payload(payloads.ThematicAreaPayload, "thematic_area", result)

    @strawberry.mutation(
        description="Change fields of a thematic area; omitted fields stay as they are."
    )
    async def update_thematic_area(
        self, info: Info[Context, Any], input: UpdateThematicAreaArg
    ) -> payloads.ThematicAreaPayload:
        result = await writes.run(info.context, writes.update_node, NodeKind.THEMATIC_AREA, input)
        return _node_payload(payloads.ThematicAreaPayload, "thematic_area", result)

    @strawberry.mutation(
        description="Record that an actor partners in a programme, with a role (staff only)."
    )
    async def add_partnership(
        self, info: Info[Context, Any], input: AddPartnershipArg
    ) -> payloads.PartnershipPayload:
        result = await writes.run(info.context, writes.add_partnership, input)
        return _node_payload(payloads.PartnershipPayload, "partnership", result)

    @strawberry.mutation(
        description="End a partnership on a date; it stays in the history (staff only)."
    )
    async def end_partnership(
        self, info: Info[Context, Any], input: EndPartnershipArg
    ) -> payloads.PartnershipPayload:
        result = await writes.run(info.context, writes.end_partnership, input)
        return _node_payload(payloads.PartnershipPayload, "partnership", result)

    @strawberry.mutation(description="Record that an actor took part in an activity (staff only).")
    async def record_participation(
        self, info: Info[Context, Any], input: RecordParticipationArg
    ) -> payloads.ParticipationPayload:
        result = await writes.run(info.context, writes.record_participation, input)
        return _node_payload(payloads.ParticipationPayload, "participation", result)

    @strawberry.mutation(
        description="Link a programme, activity or outcome to an outcome it contributed to "
        "(staff only)."
    )
    async def link_outcome(
        self, info: Info[Context, Any], input: LinkOutcomeArg
    ) -> payloads.OutcomeLinkPayload:
        result = await writes.run(info.context, writes.link_outcome, input)
        return _node_payload(payloads.OutcomeLinkPayload, "link", result)
