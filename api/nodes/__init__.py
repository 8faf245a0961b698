"""The node types of the GraphQL schema, their enums, global ids and navigation.

Every resolver that returns a stored node builds its GraphQL object with :func:`node_object`,
which first asks the request's :class:`~api.policy.Policy`; there is no other constructor
path, and it refuses a node the caller may not see (resolvers leave those out first, with
:meth:`~api.policy.Policy.shown` or :func:`shown_object`).

Why eager plain attributes: the scalar fields of a node are computed once, when the object is
built, so GraphQL reads them with the default (synchronous, attribute) resolver. Only
navigation fields, which need the store, are resolvers; they go through the request's
DataLoaders (:mod:`api.context`), so a page of nodes asking for their neighbours costs one
store call per relationship type, not one per node.

Modules, each importing only those above it (``navigation`` reaches ``mapping`` at call time
only; see its docstring):

- ``enums``: the GraphQL enums and the model enums they mirror;
- ``ids``: global ids;
- ``arguments``: the field arguments every paged or relationship field takes;
- ``edges``: relationship edges and their connections, with their cursors;
- ``navigation``: ``Hop``, one paged step along a relationship type;
- ``types``: the ``Node``, ``Actor`` and ``Organization`` interfaces and the ten node types;
- ``mapping``: ``node_object`` and the edge builders, stored records to GraphQL objects.

Import from ``api.nodes``: the names below are its interface; the modules are its layout.
Paging (``Connection``, ``PageInfo``, cursors) is every area's: :mod:`api.core.paging`.
"""

from api.nodes.arguments import AfterArg, AsOfArg, FirstArg, RoleArg
from api.nodes.edges import (
    ContributionConnection,
    ContributionEdge,
    LinkConnection,
    LinkEdge,
    ParticipationConnection,
    ParticipationEdge,
    PartnershipConnection,
    PartnershipEdge,
)
from api.nodes.enums import (
    ENUM_MIRRORS,
    AcademicTypeEnum,
    ActivityTypeEnum,
    ConfidenceEnum,
    FocusGroupEnum,
    IndustryEnum,
    NodeKindEnum,
    NonStateActorTypeEnum,
    RegionEnum,
    ResultsLevelEnum,
    RoleEnum,
    SensitivityEnum,
)
from api.nodes.ids import decode_global_id, to_global_id
from api.nodes.mapping import node_object, node_objects, shown_object
from api.nodes.navigation import Hop
from api.nodes.types import (
    NODE_TYPES,
    AcademicInstitution,
    Activity,
    Actor,
    CivilSocietyOrganization,
    Company,
    MemberState,
    Node,
    Organization,
    OtherNonStateActor,
    Outcome,
    Programme,
    RegionalOrganization,
    ThematicArea,
)

__all__ = [
    "ENUM_MIRRORS",
    "NODE_TYPES",
    "AcademicInstitution",
    "AcademicTypeEnum",
    "Activity",
    "ActivityTypeEnum",
    "Actor",
    "AfterArg",
    "AsOfArg",
    "CivilSocietyOrganization",
    "Company",
    "ConfidenceEnum",
    "ContributionConnection",
    "ContributionEdge",
    "FirstArg",
    "FocusGroupEnum",
    "Hop",
    "IndustryEnum",
    "LinkConnection",
    "LinkEdge",
    "MemberState",
    "Node",
    "NodeKindEnum",
    "NonStateActorTypeEnum",
    "Organization",
    "OtherNonStateActor",
    "Outcome",
    "ParticipationConnection",
    "ParticipationEdge",
    "PartnershipConnection",
    "PartnershipEdge",
    "Programme",
    "RegionEnum",
    "RegionalOrganization",
    "ResultsLevelEnum",
    "RoleArg",
    "RoleEnum",
    "SensitivityEnum",
    "ThematicArea",
    "decode_global_id",
    "node_object",
    "node_objects",
    "shown_object",
    "to_global_id",
]
