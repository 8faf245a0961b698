"""GraphQL types of the centrality area: enums, the network filter, and result types.

Results carry node objects (built through the caller's policy by the resolvers, which leave a
restricted actor out for callers without the privileged role), never names: labels of
communities are numbers, cells are a region and a thematic area node, so nothing in a result
can spell out a restricted actor's identity.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from api.centrality.analyses import Measure
from api.centrality.params import Projection
from api.nodes import Node, NodeKindEnum, RegionEnum, RoleEnum, ThematicArea
from graph.model import RelType

# --------------------------------------------------------------------------- enums


@strawberry.enum(name="CentralityMeasure", description="Centrality measures (docs/METRICS.md).")
class MeasureEnum(Enum):
    DEGREE = strawberry.enum_value(
        "DEGREE", description="Number of ties (weighted: total tie strength), divided by n - 1."
    )
    IN_DEGREE = strawberry.enum_value(
        "IN_DEGREE",
        description="Incoming ties on the directed FULL projection (e.g. partners a programme "
        "attracts).",
    )
    OUT_DEGREE = strawberry.enum_value(
        "OUT_DEGREE", description="Outgoing ties on the directed FULL projection."
    )
    BETWEENNESS = strawberry.enum_value(
        "BETWEENNESS",
        description="Share of shortest paths between others that pass through the node: "
        "brokers. Exact, or sampled with `sample` / `allowSampling`.",
    )
    CLOSENESS = strawberry.enum_value(
        "CLOSENESS",
        description="Inverse average distance to those who reach the node, with the "
        "Wasserman-Faust correction for disconnected networks.",
    )
    HARMONIC = strawberry.enum_value(
        "HARMONIC",
        description="Sum of 1 / distance to every other node: closeness that copes with "
        "disconnected networks.",
    )
    EIGENVECTOR = strawberry.enum_value(
        "EIGENVECTOR", description="Being tied to well-tied nodes (unit Euclidean norm)."
    )
    PAGERANK = strawberry.enum_value(
        "PAGERANK",
        description="Where a random walk along ties spends its time (sums to 1); `damping` "
        "sets the follow probability.",
    )
    CONSTRAINT = strawberry.enum_value(
        "CONSTRAINT",
        description="Burt's constraint: low means the node's partners are not tied to each "
        "other (brokerage). Ranked ascending.",
    )
    EFFECTIVE_SIZE = strawberry.enum_value(
        "EFFECTIVE_SIZE", description="Burt's effective size: non-redundant partners."
    )
    CORE_NUMBER = strawberry.enum_value(
        "CORE_NUMBER",
        description="Deepest k-core the node is in: the stable centre versus the periphery.",
    )


MEASURES = {e: Measure(str(e.value)) for e in MeasureEnum}


@strawberry.enum(name="NetworkProjection", description="Which graph a measure runs on.")
class ProjectionEnum(Enum):
    FULL = strawberry.enum_value(
        "FULL",
        description="The whole heterogeneous graph (actors, programmes, activities, outcomes, "
        "themes), one link per tied pair; link weight = number of relationships.",
    )
    CO_PARTNERSHIP = strawberry.enum_value(
        "CO_PARTNERSHIP",
        description="Actors only, tied when they share programmes or activities; tie weight = "
        "shared items, each decayed by age when `halfLifeYears` is given. Every actor in scope "
        "is a node, an actor with no engagement in scope an isolate.",
    )


PROJECTIONS = {e: Projection(str(e.value)) for e in ProjectionEnum}


@strawberry.enum(name="RelationshipType", description="Kinds of relationship in the graph.")
class RelationshipTypeEnum(Enum):
    MEMBER_OF = strawberry.enum_value(
        "MEMBER_OF", description="Member State belongs to a regional organisation."
    )
    BASED_IN = strawberry.enum_value("BASED_IN", description="Organisation is based in a state.")
    PARTNERS_IN = strawberry.enum_value(
        "PARTNERS_IN", description="Actor is a partner in a programme."
    )
    ADDRESSES = strawberry.enum_value(
        "ADDRESSES", description="Programme or activity addresses a thematic area."
    )
    TARGETS = strawberry.enum_value(
        "TARGETS", description="Programme or activity targets a state or regional organisation."
    )
    PART_OF = strawberry.enum_value("PART_OF", description="Activity is part of a programme.")
    HOSTED_ON = strawberry.enum_value(
        "HOSTED_ON", description="Community or network (activity) is hosted on a platform."
    )
    PARTICIPATED_IN = strawberry.enum_value(
        "PARTICIPATED_IN", description="Actor took part in an activity."
    )
    PRODUCED = strawberry.enum_value(
        "PRODUCED", description="Programme or activity produced an outcome."
    )
    CONTRIBUTED_TO = strawberry.enum_value(
        "CONTRIBUTED_TO", description="Outcome contributed to another outcome."
    )


#: The GraphQL enum mirrors the model's relationship types (tests/centrality checks it).
RELATIONSHIP_MIRROR: tuple[type[Enum], type[Enum]] = (RelationshipTypeEnum, RelType)


# --------------------------------------------------------------------------- inputs


@strawberry.input(
    description="Which part of the network to analyse. Every filter left out keeps "
    "everything; filters combine with AND. Nodes that lose every relationship stay, as "
    "isolates: on CO_PARTNERSHIP every actor that passes `kinds`, `regions`/`countries` "
    "and `asOf` is a node, with or without an engagement in scope."
)
class NetworkFilter:
    kinds: list[NodeKindEnum] | None = strawberry.field(
        default=None,
        description="Node kinds to keep. On CO_PARTNERSHIP: the actor kinds to project.",
    )
    relationship_types: list[RelationshipTypeEnum] | None = strawberry.field(
        default=None,
        description="Relationship types to keep. On CO_PARTNERSHIP: which engagements tie "
        "actors (PARTNERS_IN, PARTICIPATED_IN).",
    )
    roles: list[RoleEnum] | None = strawberry.field(
        default=None,
        description="Keep partnerships and participations with these roles (other "
        "relationships are unaffected).",
    )
    regions: list[RegionEnum] | None = strawberry.field(
        default=None,
        description="Keep states of these M49 regions, actors based there, regional "
        "organisations with a member there, and programmes and activities targeting them "
        "(global ones are kept).",
    )
    countries: list[str] | None = strawberry.field(
        default=None, description="As `regions`, for Member States by ISO3 code."
    )
    themes: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Thematic areas (ids or keys): keep them, the programmes addressing one, "
        "and the activities addressing one themselves or through their programme.",
    )
    as_of: dt.date | None = strawberry.field(
        default=None,
        description="The network as it stood on this day: nodes and relationships valid then. "
        "With `halfLifeYears`, engagements begun by then, decayed by age (actors: those valid "
        "then, and those engaged by then). Omitted: every node and relationship ever recorded.",
    )


@strawberry.input(description="A sample of source nodes for estimated betweenness.")
class CentralitySampleInput:
    k: int = strawberry.field(description="Number of sources to sample (at least 2).")
    seed: int = strawberry.field(
        default=0, description="Seed of the sample: the same seed gives the same estimate."
    )


# --------------------------------------------------------------------------- results


@strawberry.type(description="One ranked node of a centrality ranking.")
class CentralityEntry:
    rank: int = strawberry.field(description="1 for the most central (ties broken by key).")
    score: float = strawberry.field(description="The node's score, normalised as stated.")
    node: Node = strawberry.field(description="The node.")


@strawberry.type(description="Nodes ranked by one centrality measure, with how it was computed.")
class CentralityRanking:
    measure: MeasureEnum = strawberry.field(description="The measure.")
    projection: ProjectionEnum = strawberry.field(description="The graph it ran on.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    normalization: str = strawberry.field(description="How raw values were scaled, in words.")
    weights: str = strawberry.field(
        description="What a tie's weight is and, for path measures, how it became a distance."
    )
    backend: str = strawberry.field(description="Library that computed the scores.")
    weighted: bool = strawberry.field(description="Whether tie strengths were used.")
    sampled: bool = strawberry.field(
        description="True when the scores are an estimate from sampled sources."
    )
    sampled_sources: int | None = strawberry.field(
        description="Number of sampled sources, when sampled."
    )
    ascending: bool = strawberry.field(
        description="True when a low score ranks first (CONSTRAINT: brokers first)."
    )
    scored_nodes: int = strawberry.field(
        description="Nodes with a score (before `rankKinds` and `top`)."
    )
    ranked_nodes: int = strawberry.field(description="Nodes eligible for ranking (`rankKinds`).")
    entries: list[CentralityEntry] = strawberry.field(description="The top entries, best first.")


@strawberry.type(description="Headline figures of a network.")
class NetworkSummary:
    projection: ProjectionEnum = strawberry.field(description="The graph summarised.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    nodes: int = strawberry.field(description="Nodes.")
    relationships: int = strawberry.field(
        description="Relationships: FULL counts every stored relationship in scope (several "
        "between one pair included); CO_PARTNERSHIP counts actor-to-actor ties."
    )
    links: int = strawberry.field(description="Distinct tied pairs.")
    density: float = strawberry.field(description="Links over possible pairs.")
    components: int = strawberry.field(description="Connected components, isolates included.")
    largest_component: int = strawberry.field(description="Nodes in the largest component.")
    isolates: int = strawberry.field(description="Nodes with no tie.")
    average_clustering: float = strawberry.field(
        description="Mean local clustering coefficient (nodes with < 2 ties count 0)."
    )
    diameter: int | None = strawberry.field(
        description="Longest shortest path (hops) in the largest component; null when the "
        "network is too large for an exact answer (see the bounds)."
    )
    diameter_lower_bound: int = strawberry.field(description="Lower bound on the diameter.")
    diameter_upper_bound: int = strawberry.field(description="Upper bound on the diameter.")


@strawberry.type(description="A member of a community and how strongly it is tied inside it.")
class CommunityMember:
    node: Node = strawberry.field(description="The member.")
    internal_strength: float = strawberry.field(
        description="Ties (weighted: total strength) to other members of the community."
    )


@strawberry.type(description="A group of nodes that mostly tie among themselves.")
class Community:
    number: int = strawberry.field(
        description="0 for the largest community, then by size; a label, not a name."
    )
    size: int = strawberry.field(description="Members.")
    actors: int = strawberry.field(description="Members that are actors.")
    members: list[CommunityMember] = strawberry.field(
        description="The most strongly tied members (up to `membersPerCommunity`)."
    )


@strawberry.type(description="Communities found by the Louvain method, and their quality.")
class CommunityPartition:
    projection: ProjectionEnum = strawberry.field(description="The graph partitioned.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    modularity: float = strawberry.field(
        description="Newman modularity of the partition (higher: clearer communities)."
    )
    resolution: float = strawberry.field(description="Resolution used.")
    seed: int = strawberry.field(description="Seed used: the same seed, the same partition.")
    backend: str = strawberry.field(description="Library that found the partition.")
    count: int = strawberry.field(description="Number of communities, `singletons` included.")
    singletons: int = strawberry.field(
        description="Communities of one node: on CO_PARTNERSHIP mostly isolates, actors with no "
        "tie in scope, each left on its own."
    )
    communities: list[Community] = strawberry.field(
        description="The largest communities (up to `top`), largest first."
    )


@strawberry.type(description="A broker: a node whose partners are not tied to each other.")
class BrokerEntry:
    rank: int = strawberry.field(description="1 for the strongest broker (lowest constraint).")
    node: Node = strawberry.field(description="The node.")
    constraint: float = strawberry.field(description="Burt's constraint (low: broker).")
    effective_size: float = strawberry.field(description="Burt's effective size.")
    efficiency: float = strawberry.field(description="Effective size divided by degree.")
    degree: int = strawberry.field(description="Number of distinct partners.")


@strawberry.type(description="Nodes ranked as brokers across structural holes.")
class BrokerRanking:
    projection: ProjectionEnum = strawberry.field(description="The graph analysed.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    weighted: bool = strawberry.field(description="Whether tie strengths were used.")
    ranked_nodes: int = strawberry.field(description="Nodes eligible (non-isolated, `rankKinds`).")
    entries: list[BrokerEntry] = strawberry.field(description="The top brokers, best first.")


@strawberry.type(description="A node whose removal splits its part of the network.")
class CutVertex:
    rank: int = strawberry.field(description="1 for the one cutting off most actors.")
    node: Node = strawberry.field(description="The node.")
    pieces: int = strawberry.field(description="Pieces its part of the network falls into.")
    cut_off_nodes: int = strawberry.field(
        description="Nodes left outside the largest remaining piece."
    )
    cut_off_actors: int = strawberry.field(description="Actors among them.")


@strawberry.type(description="Articulation points of a network.")
class ArticulationPoints:
    projection: ProjectionEnum = strawberry.field(description="The graph analysed.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    total: int = strawberry.field(description="Number of articulation points.")
    entries: list[CutVertex] = strawberry.field(
        description="The most consequential ones (up to `top`)."
    )


@strawberry.type(description="A link whose removal splits its part of the network in two.")
class Bridge:
    rank: int = strawberry.field(description="1 for the one cutting off most nodes.")
    ends: list[Node] = strawberry.field(description="Its two ends, by key.")
    cut_off_nodes: int = strawberry.field(description="Nodes on the smaller side.")
    cut_off_actors: int = strawberry.field(description="Actors on the smaller side.")


@strawberry.type(description="Bridges of a network.")
class Bridges:
    projection: ProjectionEnum = strawberry.field(description="The graph analysed.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    total: int = strawberry.field(description="Number of bridges.")
    entries: list[Bridge] = strawberry.field(description="The largest cuts (up to `top`).")


@strawberry.type(description="A coverage cell: partners of one region engaged on one theme.")
class RegionThemeCell:
    region: RegionEnum = strawberry.field(description="M49 region.")
    theme: ThematicArea = strawberry.field(description="Thematic area.")


@strawberry.type(description="An actor the network cannot afford to lose, and why.")
class SinglePointOfFailure:
    rank: int = strawberry.field(
        description="1 for the most consequential: most actors cut off, then most cells "
        "left without a partner, then most nodes cut off."
    )
    node: Node = strawberry.field(description="The actor.")
    disconnects: bool = strawberry.field(
        description="True when its removal disconnects part of the network."
    )
    cut_off_nodes: int = strawberry.field(
        description="Nodes its removal leaves outside the largest remaining piece (0 if none)."
    )
    cut_off_actors: int = strawberry.field(description="Actors among them.")
    sole_partner_in: list[RegionThemeCell] = strawberry.field(
        description="Cells in which it is the only partner; always empty for callers without "
        "the privileged role (a sole partner is a count of 1, which coverage suppresses)."
    )


@strawberry.type(description="Single points of failure of a network.")
class SinglePointsOfFailure:
    projection: ProjectionEnum = strawberry.field(description="The graph analysed.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    total: int = strawberry.field(description="Number of single points of failure.")
    disconnecting: int = strawberry.field(description="How many disconnect the network.")
    sole_partners: int | None = strawberry.field(
        description="How many are the only partner of some cell (null unless privileged)."
    )
    cells_with_one_partner: int | None = strawberry.field(
        description="Cells that depend on one partner (null unless privileged)."
    )
    entries: list[SinglePointOfFailure] = strawberry.field(
        description="The most consequential ones (up to `top`)."
    )


@strawberry.type(description="How connected a network is, and how much of coverage it holds.")
class NetworkReach:
    nodes: int = strawberry.field(description="Nodes.")
    actors: int = strawberry.field(description="Actors among them.")
    components: int = strawberry.field(description="Connected components, isolates included.")
    largest_component: int = strawberry.field(description="Nodes in the largest component.")
    actors_in_largest_component: int = strawberry.field(description="Actors in it.")
    connected_actor_pairs: int = strawberry.field(
        description="Pairs of actors joined by some chain of ties."
    )
    covered_cells: int | None = strawberry.field(
        description="(Region, theme) cells with at least one engagement, i.e. one partner "
        "(null unless privileged)."
    )


@strawberry.type(description="The network with and without some nodes.")
class WhatIf:
    projection: ProjectionEnum = strawberry.field(description="The graph analysed.")
    revision: int = strawberry.field(description="Graph revision analysed.")
    as_of: dt.date | None = strawberry.field(description="The date of the network, if any.")
    removed: list[Node] = strawberry.field(
        description="Nodes asked for that the network holds: as nodes or, on CO_PARTNERSHIP, "
        "as a programme or activity some tie runs through (itself or through one of its "
        "activities)."
    )
    not_in_network: list[Node] = strawberry.field(
        description="Nodes asked for that the network (after filters) does not hold; their "
        "engagement still leaves the coverage cells."
    )
    activities_removed: int = strawberry.field(
        description="Activities of the removed programmes that the network holds, removed "
        "with them without being asked for."
    )
    before: NetworkReach = strawberry.field(description="The network as it is.")
    after: NetworkReach = strawberry.field(description="The network without them.")
    components_change: int = strawberry.field(description="after - before components.")
    connected_actor_pairs_change: int = strawberry.field(
        description="after - before connected actor pairs (reach lost is negative)."
    )
    stranded_count: int = strawberry.field(
        description="Remaining nodes cut off from the largest component."
    )
    stranded: list[Node] = strawberry.field(description="The first of them by key (up to `top`).")
    lost_cells: list[RegionThemeCell] = strawberry.field(
        description="Cells that had an engagement and have none left once the engagement "
        "running through the removed nodes is gone; always empty for callers without the "
        "privileged role (it would be an oracle on suppressed partner counts)."
    )
