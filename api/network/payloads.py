"""Mutation payloads: the changed object, the revision written, and ``userErrors``.

Expected failures (bad values, missing references, conflicts, not being staff) are data in
the payload, not top-level errors, so a client handles them next to the result and can point
at the offending input field.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from api.core.user_errors import UserError
from api.nodes import (
    AcademicInstitution,
    Activity,
    Actor,
    CivilSocietyOrganization,
    Company,
    ConfidenceEnum,
    MemberState,
    Node,
    OtherNonStateActor,
    Outcome,
    Programme,
    RegionalOrganization,
    RoleEnum,
    ThematicArea,
)

_ERRORS = "Problems with the input; empty when the mutation succeeded."
_REVISION = "Graph revision after the mutation; null when it failed."


@strawberry.type(description="A partnership of an actor in a programme.")
class Partnership:
    id: strawberry.ID = strawberry.field(description="Id of the partnership.")
    actor: Actor = strawberry.field(description="The partner.")
    programme: Programme = strawberry.field(description="The programme.")
    role: RoleEnum = strawberry.field(description="Role of the actor.")
    amount: float | None = strawberry.field(description="Funding in USD, if any.")
    since: dt.date | None = strawberry.field(description="Start of the partnership.")
    until: dt.date | None = strawberry.field(description="End of the partnership, if ended.")
    source: str | None = strawberry.field(description="Source or evidence.")


@strawberry.type(description="An actor's participation in an activity.")
class Participation:
    id: strawberry.ID = strawberry.field(description="Id of the participation.")
    actor: Actor = strawberry.field(description="The participant.")
    activity: Activity = strawberry.field(description="The activity.")
    role: RoleEnum = strawberry.field(description="Role in the activity.")
    since: dt.date | None = strawberry.field(description="Start of participation.")
    until: dt.date | None = strawberry.field(description="End of participation, if ended.")
    source: str | None = strawberry.field(description="Source or evidence.")


@strawberry.type(description="A contribution of a programme, activity or outcome to an outcome.")
class OutcomeLink:
    id: strawberry.ID = strawberry.field(description="Id of the link.")
    contributor: Node = strawberry.field(description="Programme, activity or outcome.")
    outcome: Outcome = strawberry.field(description="The outcome contributed to.")
    share: float = strawberry.field(description="Share attributed, 0 to 1.")
    confidence: ConfidenceEnum = strawberry.field(description="Confidence in the attribution.")
    evidence_date: dt.date | None = strawberry.field(description="Evidence date.")
    since: dt.date | None = strawberry.field(description="Start of validity.")
    source: str | None = strawberry.field(description="Source or evidence.")


@strawberry.type(description="Result of addPartnership or endPartnership.")
class PartnershipPayload:
    partnership: Partnership | None = strawberry.field(description="The partnership as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of recordParticipation.")
class ParticipationPayload:
    participation: Participation | None = strawberry.field(
        description="The participation as stored."
    )
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of linkOutcome.")
class OutcomeLinkPayload:
    link: OutcomeLink | None = strawberry.field(description="The link as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createMemberState or updateMemberState.")
class MemberStatePayload:
    member_state: MemberState | None = strawberry.field(description="The state as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createRegionalOrganization or updateRegionalOrganization.")
class RegionalOrganizationPayload:
    regional_organization: RegionalOrganization | None = strawberry.field(
        description="The organisation as stored."
    )
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(
    description="Result of createCivilSocietyOrganization or updateCivilSocietyOrganization."
)
class CivilSocietyOrganizationPayload:
    civil_society_organization: CivilSocietyOrganization | None = strawberry.field(
        description="The organisation as stored."
    )
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createCompany or updateCompany.")
class CompanyPayload:
    company: Company | None = strawberry.field(description="The company as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createAcademicInstitution or updateAcademicInstitution.")
class AcademicInstitutionPayload:
    academic_institution: AcademicInstitution | None = strawberry.field(
        description="The institution as stored."
    )
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createOtherNonStateActor or updateOtherNonStateActor.")
class OtherNonStateActorPayload:
    other_non_state_actor: OtherNonStateActor | None = strawberry.field(
        description="The actor as stored."
    )
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createProgramme or updateProgramme.")
class ProgrammePayload:
    programme: Programme | None = strawberry.field(description="The programme as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createActivity or updateActivity.")
class ActivityPayload:
    activity: Activity | None = strawberry.field(description="The activity as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createOutcome or updateOutcome.")
class OutcomePayload:
    outcome: Outcome | None = strawberry.field(description="The outcome as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)


@strawberry.type(description="Result of createThematicArea or updateThematicArea.")
class ThematicAreaPayload:
    thematic_area: ThematicArea | None = strawberry.field(description="The area as stored.")
    user_errors: list[UserError] = strawberry.field(description=_ERRORS)
    revision: int | None = strawberry.field(description=_REVISION)
