"""Stored records to GraphQL objects, through the request's policy.

Every resolver that returns a stored node builds its GraphQL object with :func:`node_object`,
which first asks the request's :class:`~api.policy.Policy`; there is no other constructor
path. A node the caller may not see must have been left out before (:meth:`Policy.shown`,
:func:`shown_object`): reaching ``node_object`` with one is an internal error, so a resolver
that forgot fails loudly instead of leaking. Relationship edges (:data:`EDGE_BUILDERS`) build
the node at their other end the same way; navigation drops edges to hidden nodes first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry

from api.nodes import edges
from api.nodes.enums import ConfidenceEnum, RoleEnum
from api.nodes.ids import to_global_id
from api.nodes.provenance import provenance_of
from api.nodes.types import (
    AcademicInstitution,
    Activity,
    CivilSocietyOrganization,
    Company,
    MemberState,
    Node,
    OtherNonStateActor,
    Outcome,
    Programme,
    RegionalOrganization,
    ThematicArea,
)
from api.policy import Policy
from graph import model
from graph.model import NodeKind, as_date
from graph.store import Edge as StoreEdge

# --------------------------------------------------------------------------- nodes

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
        "since": as_date(p.get("since")),
        "until": as_date(p.get("until")),
        "source": p.get("source"),
        "illustrative": p.get("illustrative", False),
        "external_id": p.get("external_id"),
    }


def _state(seen: model.Node, p: Any) -> Any:
    return MemberState(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=False,
        iati_org_type=p.get("iati_org_type"),
        m49=p.get("m49", ""),
        region=p["region"],
        subregion=p.get("subregion", ""),
        intermediate_region=p.get("intermediate_region"),
    )


def _regional(seen: model.Node, p: Any) -> Any:
    return RegionalOrganization(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=False,
        iati_org_type=p.get("iati_org_type"),
        acronym=p.get("acronym"),
        region=p.get("region"),
    )


def _cso(seen: model.Node, p: Any) -> Any:
    return CivilSocietyOrganization(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=False,
        iati_org_type=p.get("iati_org_type"),
        focus_groups=p.get("focus_groups", ()),
    )


def _company(seen: model.Node, p: Any) -> Any:
    return Company(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=False,
        iati_org_type=p.get("iati_org_type"),
        industry=p.get("industry"),
    )


def _academic(seen: model.Node, p: Any) -> Any:
    return AcademicInstitution(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=False,
        iati_org_type=p.get("iati_org_type"),
        academic_type=p.get("academic_type", "UNIVERSITY"),
    )


def _other(seen: model.Node, p: Any) -> Any:
    return OtherNonStateActor(
        **_common(seen, p),
        sensitivity=p.get("sensitivity", "PUBLIC"),
        redacted=False,
        iati_org_type=p.get("iati_org_type"),
        actor_type=p.get("actor_type", "NETWORK"),
    )


def _programme(seen: model.Node, p: Any) -> Any:
    return Programme(**_common(seen, p), acronym=p.get("acronym"))


def _activity(seen: model.Node, p: Any) -> Any:
    return Activity(
        **_common(seen, p),
        activity_type=p.get("activity_type", "EVENT"),
        location_key=p.get("location"),
    )


def _outcome(seen: model.Node, p: Any) -> Any:
    return Outcome(
        **_common(seen, p), level=p.get("level", "OUTCOME"), document=p.get("document", False)
    )


def _theme(seen: model.Node, p: Any) -> Any:
    return ThematicArea(**_common(seen, p), code=p.get("code", ""))


_BUILDERS: dict[NodeKind, Callable[[model.Node, Any], Any]] = {
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
    """The GraphQL object for a stored node the caller may see; raises
    :class:`~api.policy.HiddenNodeError` for one it may not."""
    seen = policy.view(node)
    built: Node = _BUILDERS[seen.kind](seen, seen.props)
    return built


def shown_object(policy: Policy, node: model.Node | None) -> Node | None:
    """The GraphQL object for ``node``; None when there is none or the caller may not see
    it, which look alike to the caller (a hidden actor's existence is not revealed)."""
    if node is None or not policy.shows(node):
        return None
    return node_object(policy, node)


def node_objects(policy: Policy, nodes: Sequence[model.Node]) -> list[Node]:
    return [node_object(policy, n) for n in nodes]


# --------------------------------------------------------------------------- edges


def _common_edge(policy: Policy, here: model.Node, edge: StoreEdge) -> dict[str, Any]:
    p = edge.rel.props
    return {
        "node": node_object(policy, edge.node),
        "relationship_id": strawberry.ID(edge.rel.id),
        "since": as_date(p.get("since")),
        "until": as_date(p.get("until")),
        "source": policy.source_of(p, here, edge.node),
        "provenance": provenance_of(policy, p),
        "position": (edge.node.id, edge.rel.id),
    }


def _link(policy: Policy, here: model.Node, e: StoreEdge) -> edges.LinkEdge[Any]:
    return edges.LinkEdge(**_common_edge(policy, here, e))


def _partnership(policy: Policy, here: model.Node, e: StoreEdge) -> edges.PartnershipEdge[Any]:
    return edges.PartnershipEdge(
        **_common_edge(policy, here, e),
        role=RoleEnum(e.rel.props["role"]),
        amount=e.rel.props.get("amount"),
    )


def _participation(policy: Policy, here: model.Node, e: StoreEdge) -> edges.ParticipationEdge[Any]:
    return edges.ParticipationEdge(
        **_common_edge(policy, here, e),
        role=RoleEnum(e.rel.props.get("role", "PARTICIPANT")),
    )


def _contribution(policy: Policy, here: model.Node, e: StoreEdge) -> edges.ContributionEdge[Any]:
    p = e.rel.props
    return edges.ContributionEdge(
        **_common_edge(policy, here, e),
        share=p["share"],
        confidence=ConfidenceEnum(p.get("confidence", "MEDIUM")),
        evidence_date=as_date(p.get("evidence_date")),
    )


#: How each relationship connection builds its edges (:meth:`api.nodes.navigation.Hop.page`).
EDGE_BUILDERS: dict[type, Callable[[Policy, model.Node, StoreEdge], Any]] = {
    edges.LinkConnection: _link,
    edges.PartnershipConnection: _partnership,
    edges.ParticipationConnection: _participation,
    edges.ContributionConnection: _contribution,
}
