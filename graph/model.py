"""The domain model: node kinds, relationship kinds, and the rules every write must obey.

Both stores hold the same two generic records, :class:`Node` and :class:`Relationship`, whose
``props`` are plain JSON values (dates as ISO strings, enums as their values). Typed pydantic
models per kind validate those props on the way in; this keeps the stores simple and makes the
Neo4j and embedded representations identical byte for byte.

The allowed (source kind, target kind) pairs per relationship type are declared once, in
:data:`REL_RULES`, and every write path calls :func:`validate_relationship`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.errors import ValidationError

# The Member State reference table (ISO3, UN M49) belongs to the model, which checks every
# country code against it; analytics, which may import only the model, read it from here.
from graph.reference import is_member_state, member_states

# --------------------------------------------------------------------------- enums


class NodeKind(StrEnum):
    MEMBER_STATE = "MemberState"
    REGIONAL_ORGANIZATION = "RegionalOrganization"
    CIVIL_SOCIETY_ORGANIZATION = "CivilSocietyOrganization"
    COMPANY = "Company"
    ACADEMIC_INSTITUTION = "AcademicInstitution"
    OTHER_NON_STATE_ACTOR = "OtherNonStateActor"
    PROGRAMME = "Programme"
    ACTIVITY = "Activity"
    OUTCOME = "Outcome"
    THEMATIC_AREA = "ThematicArea"


#: Kinds that can partner in programmes and take part in activities.
ACTOR_KINDS: Final = frozenset(
    {
        NodeKind.MEMBER_STATE,
        NodeKind.REGIONAL_ORGANIZATION,
        NodeKind.CIVIL_SOCIETY_ORGANIZATION,
        NodeKind.COMPANY,
        NodeKind.ACADEMIC_INSTITUTION,
        NodeKind.OTHER_NON_STATE_ACTOR,
    }
)
#: Actors whose identity may be sensitive: everything that is not a state or an IGO.
NON_STATE_KINDS: Final = frozenset(
    {
        NodeKind.CIVIL_SOCIETY_ORGANIZATION,
        NodeKind.COMPANY,
        NodeKind.ACADEMIC_INSTITUTION,
        NodeKind.OTHER_NON_STATE_ACTOR,
    }
)


class RelType(StrEnum):
    MEMBER_OF = "MEMBER_OF"
    BASED_IN = "BASED_IN"
    PARTNERS_IN = "PARTNERS_IN"
    ADDRESSES = "ADDRESSES"
    TARGETS = "TARGETS"
    PART_OF = "PART_OF"
    PARTICIPATED_IN = "PARTICIPATED_IN"
    PRODUCED = "PRODUCED"
    CONTRIBUTED_TO = "CONTRIBUTED_TO"
    HOSTED_ON = "HOSTED_ON"


class Region(StrEnum):
    """UN M49 regions."""

    AFRICA = "Africa"
    AMERICAS = "Americas"
    ASIA = "Asia"
    EUROPE = "Europe"
    OCEANIA = "Oceania"


class WeightScope(StrEnum):
    """What a need/priority weight applies to: a Member State (ISO3), an M49 region or
    sub-region (its name), or a thematic area (its node id)."""

    COUNTRY = "COUNTRY"
    REGION = "REGION"
    SUBREGION = "SUBREGION"
    THEME = "THEME"


class Sensitivity(StrEnum):
    """How much of an actor's identity may be shown to callers without the privileged role."""

    PUBLIC = "PUBLIC"
    RESTRICTED = "RESTRICTED"


class FocusGroup(StrEnum):
    YOUTH = "YOUTH"
    WOMEN = "WOMEN"
    FAMILIES = "FAMILIES"
    RELIGIOUS_LEADERS = "RELIGIOUS_LEADERS"
    CULTURAL_LEADERS = "CULTURAL_LEADERS"
    EDUCATION_LEADERS = "EDUCATION_LEADERS"
    VICTIMS_ASSOCIATIONS = "VICTIMS_ASSOCIATIONS"
    MEDIA = "MEDIA"
    HUMAN_RIGHTS = "HUMAN_RIGHTS"
    LOCAL_COMMUNITIES = "LOCAL_COMMUNITIES"


class Role(StrEnum):
    """Role of an actor in a programme or activity."""

    FUNDING = "FUNDING"
    IMPLEMENTING = "IMPLEMENTING"
    ADVISORY = "ADVISORY"
    HOST = "HOST"
    BENEFICIARY = "BENEFICIARY"
    CO_DESIGN = "CO_DESIGN"
    PARTICIPANT = "PARTICIPANT"
    SPEAKER = "SPEAKER"


class ResultsLevel(StrEnum):
    """IATI results-chain levels."""

    OUTPUT = "OUTPUT"
    OUTCOME = "OUTCOME"
    IMPACT = "IMPACT"


class Confidence(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class ActivityType(StrEnum):
    CONFERENCE = "CONFERENCE"
    EVENT = "EVENT"
    TRAINING = "TRAINING"
    PLATFORM = "PLATFORM"
    SERIES = "SERIES"
    WORKING_GROUP = "WORKING_GROUP"
    PROCESS = "PROCESS"


class AcademicType(StrEnum):
    UNIVERSITY = "UNIVERSITY"
    THINK_TANK = "THINK_TANK"
    RESEARCH_INSTITUTE = "RESEARCH_INSTITUTE"


class Industry(StrEnum):
    TECH_PLATFORM = "TECH_PLATFORM"
    TELECOMMUNICATIONS = "TELECOMMUNICATIONS"
    FINANCIAL_SERVICES = "FINANCIAL_SERVICES"
    TRANSPORT_AND_TRAVEL = "TRANSPORT_AND_TRAVEL"
    SECURITY_SERVICES = "SECURITY_SERVICES"
    MEDIA_AND_ENTERTAINMENT = "MEDIA_AND_ENTERTAINMENT"
    CONSULTING = "CONSULTING"


class NonStateActorType(StrEnum):
    FOUNDATION = "FOUNDATION"
    NETWORK = "NETWORK"
    ASSOCIATION = "ASSOCIATION"


# IATI OrganisationType codes (https://iatistandard.org/en/iati-standard/203/codelists/organisationtype/)
IATI_ORG_TYPES: Final = {
    10: "Government",
    11: "Local Government",
    15: "Other Public Sector",
    21: "International NGO",
    22: "National NGO",
    23: "Regional NGO",
    24: "Partner Country based NGO",
    30: "Public Private Partnership",
    40: "Multilateral",
    60: "Foundation",
    70: "Private Sector",
    71: "Private Sector in Provider Country",
    72: "Private Sector in Aid Recipient Country",
    73: "Private Sector in Third Country",
    80: "Academic, Training and Research",
    90: "Other",
}

# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Node:
    """A validated node: id unique across the whole graph, kind fixed for life."""

    id: str
    kind: NodeKind
    props: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


@dataclass(frozen=True, slots=True)
class Relationship:
    """A validated relationship; history is kept by setting ``until``, never by deleting."""

    id: str
    type: RelType
    start: str
    end: str
    props: Mapping[str, Any] = field(default_factory=dict)

    def valid_at(self, day: str | None) -> bool:
        return interval_contains(self.props, day)


def as_date(value: dt.date | str | None) -> dt.date | None:
    """A date prop as a date: props hold dates as ISO strings (``"2022-05-10"``); a ``date``
    passes through and ``None`` (an open end) stays ``None``.

    >>> as_date("2022-05-10")
    datetime.date(2022, 5, 10)
    """
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def interval_contains(props: Mapping[str, Any], day: str | None) -> bool:
    """Whether a validity interval ``[since, until]`` (both inclusive, open when None) holds
    ``day``. ISO dates compare correctly as strings, so no parsing is needed on hot paths."""
    if day is None:
        return True
    since, until = props.get("since"), props.get("until")
    return (since is None or since <= day) and (until is None or day <= until)


# --------------------------------------------------------------------------- prop models

ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$")


class _Props(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)

    since: dt.date | None = Field(None, description="Start of validity (inclusive).")
    until: dt.date | None = Field(None, description="End of validity (inclusive).")
    source: str | None = Field(None, max_length=2000, description="Source or evidence reference.")
    illustrative: bool = Field(False, description="True for fictional illustrative records.")
    # Provenance, stamped by an import (graph/exchange) when it creates or changes the record.
    imported_from: str | None = Field(
        None, max_length=500, description="The file or publisher the record was imported from."
    )
    imported_where: str | None = Field(
        None, max_length=1000, description="Where in it: FILE:LINE, a sheet's row or an XPath."
    )
    imported_at: dt.datetime | None = Field(
        None, description="When (UTC) the import that last changed the record ran."
    )

    @model_validator(mode="after")
    def _interval(self) -> _Props:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


def _iso3(value: str | None) -> str | None:
    if value is not None and not is_member_state(value):
        raise ValueError(f"{value!r} is not the ISO 3166-1 alpha-3 code of a UN Member State")
    return value


class _NodeProps(_Props):
    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(None, max_length=5000)
    external_id: str | None = Field(
        None,
        max_length=200,
        description="The record's identifier elsewhere, e.g. an IATI organisation or activity "
        "identifier: how a later import of the same source finds it.",
    )


class _ActorProps(_NodeProps):
    sensitivity: Sensitivity = Sensitivity.PUBLIC
    iati_org_type: int | None = None

    @field_validator("iati_org_type")
    @classmethod
    def _iati(cls, v: int | None) -> int | None:
        if v is not None and v not in IATI_ORG_TYPES:
            raise ValueError(f"{v} is not an IATI OrganisationType code")
        return v


class MemberStateProps(_NodeProps):
    m49: str = Field(pattern=r"^\d{3}$")
    region: Region
    subregion: str
    intermediate_region: str | None = None
    sensitivity: Sensitivity = Sensitivity.PUBLIC
    iati_org_type: int | None = 10


class RegionalOrganizationProps(_ActorProps):
    acronym: str | None = Field(None, max_length=40)
    region: Region | None = None
    iati_org_type: int | None = 40


class CivilSocietyOrganizationProps(_ActorProps):
    focus_groups: list[FocusGroup] = Field(default_factory=list)
    iati_org_type: int | None = 22


class CompanyProps(_ActorProps):
    industry: Industry | None = None
    iati_org_type: int | None = 70


class AcademicInstitutionProps(_ActorProps):
    academic_type: AcademicType = AcademicType.UNIVERSITY
    iati_org_type: int | None = 80


class OtherNonStateActorProps(_ActorProps):
    actor_type: NonStateActorType = NonStateActorType.NETWORK
    iati_org_type: int | None = 90


class ProgrammeProps(_NodeProps):
    acronym: str | None = Field(None, max_length=40)


class ActivityProps(_NodeProps):
    activity_type: ActivityType = ActivityType.EVENT
    location: str | None = Field(None, description="ISO3 of the host Member State, if any.")

    @field_validator("location")
    @classmethod
    def _location(cls, v: str | None) -> str | None:
        return _iso3(v)


class OutcomeProps(_NodeProps):
    level: ResultsLevel = ResultsLevel.OUTCOME
    document: bool = False


class ThematicAreaProps(_NodeProps):
    code: str = Field(min_length=1, max_length=40)


NODE_PROPS: Final[dict[NodeKind, type[_Props]]] = {
    NodeKind.MEMBER_STATE: MemberStateProps,
    NodeKind.REGIONAL_ORGANIZATION: RegionalOrganizationProps,
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: CivilSocietyOrganizationProps,
    NodeKind.COMPANY: CompanyProps,
    NodeKind.ACADEMIC_INSTITUTION: AcademicInstitutionProps,
    NodeKind.OTHER_NON_STATE_ACTOR: OtherNonStateActorProps,
    NodeKind.PROGRAMME: ProgrammeProps,
    NodeKind.ACTIVITY: ActivityProps,
    NodeKind.OUTCOME: OutcomeProps,
    NodeKind.THEMATIC_AREA: ThematicAreaProps,
}


class _RelProps(_Props):
    pass


class PartnershipProps(_RelProps):
    role: Role
    amount: float | None = Field(None, ge=0, description="Funding amount in USD.")


class ParticipationProps(_RelProps):
    role: Role = Role.PARTICIPANT


class ContributionProps(_RelProps):
    share: float = Field(ge=0, le=1, description="Contribution share in [0, 1].")
    confidence: Confidence = Confidence.MEDIUM
    evidence_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RelRule:
    sources: frozenset[NodeKind]
    targets: frozenset[NodeKind]
    props: type[_Props]
    description: str


_PROGRAMME_LIKE = frozenset({NodeKind.PROGRAMME, NodeKind.ACTIVITY})

#: The one declaration of which relationships may join which kinds.
REL_RULES: Final[dict[RelType, RelRule]] = {
    RelType.MEMBER_OF: RelRule(
        frozenset({NodeKind.MEMBER_STATE}),
        frozenset({NodeKind.REGIONAL_ORGANIZATION}),
        _RelProps,
        "A Member State is a member of a regional organisation.",
    ),
    RelType.BASED_IN: RelRule(
        ACTOR_KINDS - {NodeKind.MEMBER_STATE},
        frozenset({NodeKind.MEMBER_STATE}),
        _RelProps,
        "An actor is based (headquartered) in a Member State.",
    ),
    RelType.PARTNERS_IN: RelRule(
        ACTOR_KINDS,
        frozenset({NodeKind.PROGRAMME}),
        PartnershipProps,
        "An actor partners in a programme with a role.",
    ),
    RelType.ADDRESSES: RelRule(
        _PROGRAMME_LIKE,
        frozenset({NodeKind.THEMATIC_AREA}),
        _RelProps,
        "A programme or activity addresses a thematic area.",
    ),
    RelType.TARGETS: RelRule(
        _PROGRAMME_LIKE,
        frozenset({NodeKind.MEMBER_STATE, NodeKind.REGIONAL_ORGANIZATION}),
        _RelProps,
        "A programme or activity targets a Member State or regional organisation.",
    ),
    RelType.PART_OF: RelRule(
        frozenset({NodeKind.ACTIVITY}),
        frozenset({NodeKind.PROGRAMME}),
        _RelProps,
        "An activity is part of a programme.",
    ),
    RelType.PARTICIPATED_IN: RelRule(
        ACTOR_KINDS,
        frozenset({NodeKind.ACTIVITY}),
        ParticipationProps,
        "An actor took part in an activity.",
    ),
    RelType.PRODUCED: RelRule(
        _PROGRAMME_LIKE,
        frozenset({NodeKind.OUTCOME}),
        ContributionProps,
        "A programme or activity produced an outcome, with a contribution share.",
    ),
    RelType.CONTRIBUTED_TO: RelRule(
        frozenset({NodeKind.OUTCOME}),
        frozenset({NodeKind.OUTCOME}),
        ContributionProps,
        "An outcome contributed to a higher-level outcome, with a contribution share.",
    ),
    RelType.HOSTED_ON: RelRule(
        frozenset({NodeKind.ACTIVITY}),
        frozenset({NodeKind.ACTIVITY}),
        _RelProps,
        "A community or network (an activity) is hosted on a platform (another activity).",
    ),
}

# --------------------------------------------------------------------------- validation


def _explain(err: pydantic.ValidationError, where: str) -> ValidationError:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or None
    msg = first["msg"].removeprefix("Value error, ")
    return ValidationError(msg, where=where, field=loc)


def _to_json_props(model: BaseModel) -> dict[str, Any]:
    """Dump to plain JSON values and drop Nones and defaults-free empties, so both stores
    persist exactly the same property maps."""
    out: dict[str, Any] = {}
    for k, v in model.model_dump(mode="json").items():
        if v is None:
            continue
        if k == "illustrative" and v is False:
            continue
        out[k] = v
    return out


def with_article(word: str) -> str:
    """``word`` after its indefinite article, for messages: "an Outcome", "a Programme".

    Every node kind is a plain English noun, so the first letter decides (no kind begins with a
    silent consonant or a "you" sound)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def check_id(value: Any, where: str, fld: str = "id") -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValidationError(
            "must be 1-128 characters of letters, digits, '_', '.', ':' or '-', "
            "starting with a letter or digit",
            where=where,
            field=fld,
        )
    return value


def parse_kind(value: Any, where: str) -> NodeKind:
    try:
        return NodeKind(value)
    except ValueError:
        raise ValidationError(
            f"unknown node kind {value!r}; expected one of {', '.join(NodeKind)}",
            where=where,
            field="kind",
        ) from None


def parse_rel_type(value: Any, where: str) -> RelType:
    try:
        return RelType(value)
    except ValueError:
        raise ValidationError(
            f"unknown relationship type {value!r}; expected one of {', '.join(RelType)}",
            where=where,
            field="type",
        ) from None


def validate_node(
    kind: NodeKind | str, node_id: str, props: Mapping[str, Any], *, where: str | None = None
) -> Node:
    """Validate and normalise a node. Member States must use their ISO3 code as id."""
    where = where or f"node {node_id!r}"
    check_id(node_id, where)
    kind = parse_kind(kind, where)
    try:
        model = NODE_PROPS[kind].model_validate(dict(props))
    except pydantic.ValidationError as err:
        raise _explain(err, where) from None
    if kind is NodeKind.MEMBER_STATE:
        ref = member_states().get(node_id)
        if ref is None:
            raise ValidationError(
                f"{node_id!r} is not the ISO 3166-1 alpha-3 code of a UN Member State",
                where=where,
                field="id",
            )
    return Node(node_id, kind, _to_json_props(model))


def validate_relationship(
    rel_type: RelType | str,
    rel_id: str,
    start: Node,
    end: Node,
    props: Mapping[str, Any],
    *,
    where: str | None = None,
) -> Relationship:
    """Validate a relationship against :data:`REL_RULES` given its resolved endpoints."""
    where = where or f"relationship {rel_id!r}"
    check_id(rel_id, where)
    rel_type = parse_rel_type(rel_type, where)
    rule = REL_RULES[rel_type]
    if start.kind not in rule.sources:
        raise ValidationError(
            f"{rel_type} cannot start at {with_article(start.kind)} ({start.id!r}); allowed: "
            f"{', '.join(sorted(rule.sources))}",
            where=where,
            field="start",
        )
    if end.kind not in rule.targets:
        raise ValidationError(
            f"{rel_type} cannot end at {with_article(end.kind)} ({end.id!r}); allowed: "
            f"{', '.join(sorted(rule.targets))}",
            where=where,
            field="end",
        )
    try:
        model = rule.props.model_validate(dict(props))
    except pydantic.ValidationError as err:
        raise _explain(err, where) from None
    return Relationship(rel_id, rel_type, start.id, end.id, _to_json_props(model))


def relationship_id(rel_type: RelType | str, start: str, end: str, *discriminators: Any) -> str:
    """A deterministic id for a relationship created without one, so that recording the same
    fact twice is idempotent while a second partnership with another role or start date is a
    separate relationship."""
    basis = "|".join([str(rel_type), start, end, *(str(d) for d in discriminators)])
    return f"{str(rel_type).lower()}-{hashlib.sha1(basis.encode()).hexdigest()[:16]}"
