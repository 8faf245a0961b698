"""The GraphQL enums: mirrors of the model's enums, with the same values, so
``model.X(enum.value)`` converts; tests/api/test_schema_quality.py proves the member sets stay
equal (through :data:`ENUM_MIRRORS`).
"""

from __future__ import annotations

from enum import Enum

import strawberry

from graph import model


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
    description="Whether callers without the privileged role may see an actor.",
)
class SensitivityEnum(Enum):
    PUBLIC = strawberry.enum_value("PUBLIC", description="Identity visible to every caller.")
    RESTRICTED = strawberry.enum_value(
        "RESTRICTED",
        description="Shown only to privileged callers; left out of every answer to others.",
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
