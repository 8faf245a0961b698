"""Inputs of the staff mutations: one create and one update input per node kind, and one per
relationship mutation.

Python field names are the model's property names (snake_case), so an input turns into props
by its fields alone (:func:`api.network.writes.props_of`), and a model error's field maps back
to the GraphQL field by camel-casing it. In update inputs an omitted field stays as stored and
an explicit ``null`` clears it (the model default then applies).
"""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry import UNSET

from api.nodes import (
    AcademicTypeEnum,
    ActivityTypeEnum,
    ConfidenceEnum,
    FocusGroupEnum,
    IndustryEnum,
    NonStateActorTypeEnum,
    RegionEnum,
    ResultsLevelEnum,
    RoleEnum,
    SensitivityEnum,
)

# --------------------------------------------------------------------------- common fields


@strawberry.input(description="Fields every node kind has, as given when creating a node.")
class NodeCreateFields:
    key: str | None = strawberry.field(
        default=None,
        description="The node's own id (letters, digits, '_ . : -'); generated when omitted. "
        "Creating a key that exists fails with CONFLICT.",
    )
    name: str = strawberry.field(description="Display name (1 to 300 characters).")
    description: str | None = strawberry.field(default=None, description="Free-text description.")
    since: dt.date | None = strawberry.field(default=None, description="Start of validity.")
    until: dt.date | None = strawberry.field(default=None, description="End of validity.")
    source: str | None = strawberry.field(default=None, description="Source or evidence.")
    illustrative: bool = strawberry.field(
        default=False, description="True for fictional, illustrative records."
    )


@strawberry.input(description="Fields every node kind has, as changed by an update.")
class NodeUpdateFields:
    id: strawberry.ID = strawberry.field(description="Global id (or key) of the node to change.")
    name: str | None = strawberry.field(default=UNSET, description="New display name.")
    description: str | None = strawberry.field(default=UNSET, description="New description.")
    since: dt.date | None = strawberry.field(default=UNSET, description="New start of validity.")
    until: dt.date | None = strawberry.field(default=UNSET, description="New end of validity.")
    source: str | None = strawberry.field(default=UNSET, description="New source or evidence.")
    illustrative: bool | None = strawberry.field(
        default=UNSET, description="Whether the record is fictional."
    )
    valid_from: dt.date | None = strawberry.field(
        default=None,
        description="The day the new values became true in the world (valid time: `asOf` "
        "before it shows the earlier values); default: today. A correction of a mistake "
        "gives the day the wrong value held from (docs/HISTORY.md).",
    )


@strawberry.input(description="Fields of every actor.")
class ActorFields:
    sensitivity: SensitivityEnum | None = strawberry.field(
        default=UNSET, description="Restricted actors are left out for unprivileged callers."
    )
    iati_org_type: int | None = strawberry.field(
        default=UNSET, description="IATI OrganisationType code; the kind's default if omitted."
    )


@strawberry.input(description="Seat of a new organisation.")
class SeatField:
    based_in: strawberry.ID | None = strawberry.field(
        default=None, description="Member State (id or ISO3) the organisation is based in."
    )


# --------------------------------------------------------------------------- per kind


@strawberry.input(description="Fields of a Member State.")
class MemberStateFields(ActorFields):
    m49: str | None = strawberry.field(default=UNSET, description="UN M49 numeric code.")
    region: RegionEnum | None = strawberry.field(default=UNSET, description="UN M49 region.")
    subregion: str | None = strawberry.field(default=UNSET, description="UN M49 sub-region.")
    intermediate_region: str | None = strawberry.field(
        default=UNSET, description="UN M49 intermediate region."
    )


@strawberry.input(description="A new Member State.")
class CreateMemberStateInput(NodeCreateFields, MemberStateFields):
    key: str = strawberry.field(description="ISO 3166-1 alpha-3 code of a UN Member State.")
    m49: str = strawberry.field(description="UN M49 numeric code.")
    region: RegionEnum = strawberry.field(description="UN M49 region.")
    subregion: str = strawberry.field(description="UN M49 sub-region.")


@strawberry.input(description="Changes to a Member State.")
class UpdateMemberStateInput(NodeUpdateFields, MemberStateFields):
    pass


@strawberry.input(description="Fields of a regional organisation.")
class RegionalOrganizationFields(ActorFields):
    acronym: str | None = strawberry.field(default=UNSET, description="Usual acronym.")
    region: RegionEnum | None = strawberry.field(
        default=UNSET, description="M49 region it mainly covers."
    )


@strawberry.input(description="A new regional organisation.")
class CreateRegionalOrganizationInput(NodeCreateFields, RegionalOrganizationFields, SeatField):
    pass


@strawberry.input(description="Changes to a regional organisation.")
class UpdateRegionalOrganizationInput(NodeUpdateFields, RegionalOrganizationFields):
    pass


@strawberry.input(description="Fields of a civil society organisation.")
class CivilSocietyOrganizationFields(ActorFields):
    focus_groups: list[FocusGroupEnum] | None = strawberry.field(
        default=UNSET, description="Groups the organisation works with."
    )


@strawberry.input(description="A new civil society organisation.")
class CreateCivilSocietyOrganizationInput(
    NodeCreateFields, CivilSocietyOrganizationFields, SeatField
):
    pass


@strawberry.input(description="Changes to a civil society organisation.")
class UpdateCivilSocietyOrganizationInput(NodeUpdateFields, CivilSocietyOrganizationFields):
    pass


@strawberry.input(description="Fields of a company.")
class CompanyFields(ActorFields):
    industry: IndustryEnum | None = strawberry.field(default=UNSET, description="Industry.")


@strawberry.input(description="A new company.")
class CreateCompanyInput(NodeCreateFields, CompanyFields, SeatField):
    pass


@strawberry.input(description="Changes to a company.")
class UpdateCompanyInput(NodeUpdateFields, CompanyFields):
    pass


@strawberry.input(description="Fields of an academic institution.")
class AcademicInstitutionFields(ActorFields):
    academic_type: AcademicTypeEnum | None = strawberry.field(
        default=UNSET, description="Kind of institution (default UNIVERSITY)."
    )


@strawberry.input(description="A new academic institution.")
class CreateAcademicInstitutionInput(NodeCreateFields, AcademicInstitutionFields, SeatField):
    pass


@strawberry.input(description="Changes to an academic institution.")
class UpdateAcademicInstitutionInput(NodeUpdateFields, AcademicInstitutionFields):
    pass


@strawberry.input(description="Fields of another non-state actor.")
class OtherNonStateActorFields(ActorFields):
    actor_type: NonStateActorTypeEnum | None = strawberry.field(
        default=UNSET, description="Kind of actor (default NETWORK)."
    )


@strawberry.input(description="A new foundation, network or association.")
class CreateOtherNonStateActorInput(NodeCreateFields, OtherNonStateActorFields, SeatField):
    pass


@strawberry.input(description="Changes to a foundation, network or association.")
class UpdateOtherNonStateActorInput(NodeUpdateFields, OtherNonStateActorFields):
    pass


@strawberry.input(description="Fields of a programme.")
class ProgrammeFields:
    acronym: str | None = strawberry.field(default=UNSET, description="Usual acronym.")


@strawberry.input(description="A new programme.")
class CreateProgrammeInput(NodeCreateFields, ProgrammeFields):
    pass


@strawberry.input(description="Changes to a programme.")
class UpdateProgrammeInput(NodeUpdateFields, ProgrammeFields):
    pass


@strawberry.input(description="Fields of an activity.")
class ActivityFields:
    activity_type: ActivityTypeEnum | None = strawberry.field(
        default=UNSET, description="Kind of activity (default EVENT)."
    )
    location: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Member State hosting it (id or ISO3)."
    )


@strawberry.input(description="A new activity.")
class CreateActivityInput(NodeCreateFields, ActivityFields):
    part_of: strawberry.ID | None = strawberry.field(
        default=None, description="Programme (id or key) the activity is part of."
    )


@strawberry.input(description="Changes to an activity.")
class UpdateActivityInput(NodeUpdateFields, ActivityFields):
    pass


@strawberry.input(description="Fields of an outcome.")
class OutcomeFields:
    level: ResultsLevelEnum | None = strawberry.field(
        default=UNSET, description="Results-chain level (default OUTCOME)."
    )
    document: bool | None = strawberry.field(
        default=UNSET, description="True when the outcome is a document."
    )


@strawberry.input(description="A new outcome.")
class CreateOutcomeInput(NodeCreateFields, OutcomeFields):
    pass


@strawberry.input(description="Changes to an outcome.")
class UpdateOutcomeInput(NodeUpdateFields, OutcomeFields):
    pass


@strawberry.input(description="A new thematic area.")
class CreateThematicAreaInput(NodeCreateFields):
    code: str = strawberry.field(description="Short code of the thematic area.")


@strawberry.input(description="Changes to a thematic area.")
class UpdateThematicAreaInput(NodeUpdateFields):
    code: str | None = strawberry.field(default=UNSET, description="New short code.")


# --------------------------------------------------------------------------- relationships


@strawberry.input(description="A new partnership of an actor in a programme.")
class AddPartnershipInput:
    actor: strawberry.ID = strawberry.field(description="The actor (id or key).")
    programme: strawberry.ID = strawberry.field(description="The programme (id or key).")
    role: RoleEnum = strawberry.field(description="Role of the actor in the programme.")
    since: dt.date | None = strawberry.field(default=None, description="Start of the partnership.")
    until: dt.date | None = strawberry.field(default=None, description="End, if already known.")
    amount: float | None = strawberry.field(default=None, description="Funding in USD (>= 0).")
    source: str | None = strawberry.field(default=None, description="Source or evidence.")


@strawberry.input(description="End a partnership: it is kept, with `until` set.")
class EndPartnershipInput:
    partnership: strawberry.ID = strawberry.field(
        description="Id of the partnership (`relationshipId` on a partnership edge)."
    )
    until: dt.date = strawberry.field(description="Last day of the partnership.")


@strawberry.input(description="An actor's participation in an activity.")
class RecordParticipationInput:
    actor: strawberry.ID = strawberry.field(description="The actor (id or key).")
    activity: strawberry.ID = strawberry.field(description="The activity (id or key).")
    role: RoleEnum = strawberry.field(
        default=RoleEnum.PARTICIPANT, description="Role in the activity."
    )
    since: dt.date | None = strawberry.field(default=None, description="Start of participation.")
    until: dt.date | None = strawberry.field(default=None, description="End of participation.")
    source: str | None = strawberry.field(default=None, description="Source or evidence.")


@strawberry.input(
    description="Link a programme or activity (PRODUCED), or an outcome (CONTRIBUTED_TO), to "
    "an outcome it contributed to."
)
class LinkOutcomeInput:
    contributor: strawberry.ID = strawberry.field(
        description="Programme, activity or lower-level outcome (id or key)."
    )
    outcome: strawberry.ID = strawberry.field(description="The outcome (id or key).")
    share: float = strawberry.field(
        description="Share of the outcome attributed, 0 to 1; open links into one outcome may "
        "sum to at most 1."
    )
    confidence: ConfidenceEnum = strawberry.field(
        default=ConfidenceEnum.MEDIUM, description="Confidence in the attribution."
    )
    evidence_date: dt.date | None = strawberry.field(default=None, description="Evidence date.")
    since: dt.date | None = strawberry.field(default=None, description="Start of validity.")
    source: str | None = strawberry.field(default=None, description="Source or evidence.")
