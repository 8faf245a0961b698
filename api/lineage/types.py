"""GraphQL types of the lineage area, and the functions that build them from analytics results
through the caller's policy.

Every node in a lineage result reaches the client through :func:`api.nodes.node_object`, and
only if the caller may see it: for an unprivileged caller a restricted actor is left out of
node lists, and so are the links, paths and issues that touch it (:meth:`Policy.shown`), before
paging, so counts and cursors hold only what is shown. Shares, levels and evidence figures are
computed on the whole graph. Nothing in these types is ordered or keyed by a name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from analytics import lineage as lin
from api.context import Context
from api.core.paging import (
    DEFAULT_PAGE,
    MAX_PAGE,
    Connection,
    Cursors,
    Edge,
    Key,
    check_first,
    connection,
    shown_page,
    window,
)
from api.nodes import (
    Actor,
    AfterArg,
    ConfidenceEnum,
    FirstArg,
    Node,
    NodeKindEnum,
    Outcome,
    Programme,
    ResultsLevelEnum,
    RoleEnum,
    node_object,
)
from api.policy import Policy
from graph import model
from graph.model import NodeKind

DEFAULT_PATHS = 20
#: Most paths searched to find ``first`` ones the caller may see (docs/LINEAGE.md).
MAX_PATHS_SEARCHED = 10_000


# --------------------------------------------------------------------------- enums


@strawberry.enum(description="Which way a lineage goes from its outcome.")
class LineageDirection(Enum):
    UPSTREAM = strawberry.enum_value(
        "UPSTREAM",
        description="What led to the outcome: lower outcomes, the activities and programmes "
        "that produced them, and the actors engaged in those.",
    )
    DOWNSTREAM = strawberry.enum_value(
        "DOWNSTREAM", description="The higher outcomes the outcome contributed to."
    )
    BOTH = strawberry.enum_value("BOTH", description="Upstream and downstream together.")


@strawberry.enum(description="Where a lineage node sits relative to the outcome asked about.")
class LineageSide(Enum):
    START = strawberry.enum_value("START", description="The outcome itself.")
    UPSTREAM = strawberry.enum_value("UPSTREAM", description="Led to the outcome.")
    DOWNSTREAM = strawberry.enum_value("DOWNSTREAM", description="The outcome contributed to it.")


@strawberry.enum(description="Kinds of relationship a lineage follows.")
class LineageLinkKind(Enum):
    PRODUCED = strawberry.enum_value(
        "PRODUCED", description="An activity or programme produced an outcome (with a share)."
    )
    CONTRIBUTED_TO = strawberry.enum_value(
        "CONTRIBUTED_TO", description="An outcome contributed to a higher one (with a share)."
    )
    PART_OF = strawberry.enum_value(
        "PART_OF", description="An activity is part of a programme (the programme runs it)."
    )
    PARTICIPATED_IN = strawberry.enum_value(
        "PARTICIPATED_IN", description="An actor took part in an activity."
    )
    PARTNERS_IN = strawberry.enum_value(
        "PARTNERS_IN", description="An actor partners in a programme."
    )


@strawberry.enum(description="Kinds of gap in the recorded lineage.")
class LineageIssueKind(Enum):
    OUTCOME_WITHOUT_PRODUCER = strawberry.enum_value(
        "OUTCOME_WITHOUT_PRODUCER",
        description="No activity or programme produced the outcome, nor anything that "
        "contributed to it.",
    )
    LINK_WITHOUT_EVIDENCE = strawberry.enum_value(
        "LINK_WITHOUT_EVIDENCE",
        description="A PRODUCED or CONTRIBUTED_TO link has no source reference.",
    )
    PARTNER_WITHOUT_OUTCOME = strawberry.enum_value(
        "PARTNER_WITHOUT_OUTCOME",
        description="An actor partners in programmes or took part in activities, none of "
        "which led to a recorded outcome.",
    )


# --------------------------------------------------------------------------- arguments

DepthArg = Annotated[
    int,
    strawberry.argument(
        description=f"Maximum number of relationships on a path, 1 to {lin.MAX_DEPTH}."
    ),
]
MinShareArg = Annotated[
    float,
    strawberry.argument(
        description="Do not follow PRODUCED or CONTRIBUTED_TO links whose share is below this "
        "(0 to 1; default 0, follow all)."
    ),
]
PathsFirstArg = Annotated[
    int,
    strawberry.argument(
        description=f"Number of paths, 1 to {MAX_PAGE}, best first (default {DEFAULT_PATHS})."
    ),
]


# --------------------------------------------------------------------------- items


@strawberry.type(description="A node of a lineage.")
class LineageNode:
    node: Node = strawberry.field(description="The node, as you may see it.")
    kind: NodeKindEnum = strawberry.field(description="Kind of node.")
    side: LineageSide = strawberry.field(description="Where it sits relative to the outcome.")
    hops: int = strawberry.field(description="Fewest relationships between it and the outcome.")
    share: float = strawberry.field(
        description="Upstream: the part of the outcome attributed to this node; downstream: the "
        "part of this node attributed to the outcome; summed over the paths within the depth "
        "(docs/LINEAGE.md)."
    )
    level: ResultsLevelEnum | None = strawberry.field(description="Results level, for outcomes.")


@strawberry.type(description="A relationship on a lineage, with its properties.")
class LineageLink:
    id: strawberry.ID = strawberry.field(description="Id of the relationship.")
    kind: LineageLinkKind = strawberry.field(description="Kind of relationship.")
    side: LineageSide = strawberry.field(description="Side of the outcome it lies on.")
    start: Node = strawberry.field(description="Where the relationship starts, as stored.")
    end: Node = strawberry.field(description="Where the relationship ends, as stored.")
    factor: float = strawberry.field(
        description="Part of the beneficiary's credit passed to the contributor along this "
        "link (parallel relationships between the same two nodes share one factor). Credit "
        "flows from start to end, except PART_OF, where the programme (end) contributes to its "
        "activity (start)."
    )
    share: float | None = strawberry.field(description="Contribution share (results links).")
    confidence: ConfidenceEnum | None = strawberry.field(
        description="Confidence in the contribution (results links)."
    )
    evidence_date: dt.date | None = strawberry.field(description="Date of the evidence.")
    role: RoleEnum | None = strawberry.field(description="Role of the actor (engagement links).")
    since: dt.date | None = strawberry.field(description="Start of validity.")
    until: dt.date | None = strawberry.field(description="End of validity, if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence reference; hidden when either end is a restricted actor "
        "you may not see."
    )


@strawberry.type(description="A distinct path of a lineage, contributor first.")
class LineagePath:
    share: float = strawberry.field(
        description="Product of the factors along the path: the part of the last node's credit "
        "it attributes to the first."
    )
    length: int = strawberry.field(description="Number of links.")
    nodes: list[Node] = strawberry.field(description="The nodes, contributor first.")
    relationship_ids: list[strawberry.ID] = strawberry.field(
        description="Ids of the relationships along the path (parallel ones included)."
    )


@strawberry.type(description="The best paths found, and whether there are more.")
class LineagePaths:
    paths: list[LineagePath] = strawberry.field(description="Paths, highest share first.")
    truncated: bool = strawberry.field(
        description="True when more paths exist than were asked for."
    )


# --------------------------------------------------------------------------- builders


def _node(policy: Policy, item: lin.LineageNode) -> LineageNode:
    level = item.node.props.get("level") if item.node.kind is NodeKind.OUTCOME else None
    return LineageNode(
        node=node_object(policy, item.node),
        kind=NodeKindEnum(item.node.kind.value),
        side=LineageSide(item.side.value),
        hops=item.hops,
        share=item.share,
        level=None if level is None else ResultsLevelEnum(level),
    )


def link_object(policy: Policy, nodes: Any, rel: Any, factor: float, side: lin.Side) -> LineageLink:
    start, end = nodes[rel.start], nodes[rel.end]
    p = rel.props
    return LineageLink(
        id=strawberry.ID(rel.id),
        kind=LineageLinkKind(rel.type.value),
        side=LineageSide(side.value),
        start=node_object(policy, start),
        end=node_object(policy, end),
        factor=factor,
        share=p.get("share"),
        confidence=None if "confidence" not in p else ConfidenceEnum(p["confidence"]),
        evidence_date=model.as_date(p.get("evidence_date")),
        role=None if "role" not in p else RoleEnum(p["role"]),
        since=model.as_date(p.get("since")),
        until=model.as_date(p.get("until")),
        source=policy.source_of(p, start, end),
    )


def paths_object(
    policy: Policy, nodes: Any, find: Callable[[int], lin.PathSet], first: int
) -> LineagePaths:
    """The ``first`` best paths the caller may see whole, from ``find(limit)`` (the ``limit``
    best paths, all nodes included).

    A path through a node the caller may not see is dropped, never cut short (a shortened
    path would pass for a complete one). So paths are asked for in doubling numbers until one
    more than ``first`` are shown, or there are no more: the search is best-first, so a round
    costs about what it returns, and a caller who sees everything needs one round.
    """
    limit = first + 1  # one more than asked: whether the list is truncated
    while True:
        found = find(limit)
        shown = policy.shown(found.paths, lambda p: (nodes[n] for n in p.nodes))
        if len(shown) > first or not found.truncated or limit >= MAX_PATHS_SEARCHED:
            break
        limit = min(2 * limit, MAX_PATHS_SEARCHED)
    return LineagePaths(
        paths=[
            LineagePath(
                share=p.share,
                length=len(p.links),
                nodes=[node_object(policy, nodes[n]) for n in p.nodes],
                relationship_ids=[strawberry.ID(r) for r in p.relationship_ids],
            )
            for p in shown[:first]
        ],
        truncated=len(shown) > first or found.truncated,
    )


# --------------------------------------------------------------------------- outcome lineage


@strawberry.type(description="The lineage of an outcome: nodes, links and distinct paths.")
class OutcomeLineage:
    result: strawberry.Private[lin.Lineage]
    policy: strawberry.Private[Policy]
    outcome: Outcome = strawberry.field(description="The outcome asked about.")
    direction: LineageDirection = strawberry.field(description="Direction followed.")
    depth: int = strawberry.field(description="Maximum path length used.")
    min_share: float = strawberry.field(description="Minimum link share followed.")
    as_of: dt.date | None = strawberry.field(description="Date the links were valid on.")
    revision: int = strawberry.field(description="Graph revision the lineage was computed at.")

    @strawberry.field(description="Nodes ordered by hops from the outcome, then key.")
    def nodes(
        self, first: FirstArg = DEFAULT_PAGE, after: AfterArg = None
    ) -> Connection[LineageNode]:
        r = self.result
        ids, stored = r.node_ids, r.flow.nodes
        return shown_page(
            Cursors("lineage-node", 1),
            self.policy.shown(range(len(ids)), lambda i: (stored[ids[i]],)),
            lambda i: (ids[i],),
            lambda key: r.node_position(key[0]),
            lambda i: _node(self.policy, r.node_at(i)),
            first=first,
            after=after,
        )

    @strawberry.field(description="Relationships of the lineage, ordered by id.", name="links")
    def links(
        self, first: FirstArg = DEFAULT_PAGE, after: AfterArg = None
    ) -> Connection[LineageLink]:
        r = self.result

        def build(i: int) -> LineageLink:
            rel, link, side = r.edge_at(i)
            return link_object(self.policy, r.flow.nodes, rel, link.factor, side)

        def ends(i: int) -> Iterable[model.Node]:
            rel = r.edge_at(i).rel
            return (r.flow.nodes[rel.start], r.flow.nodes[rel.end])

        return shown_page(
            Cursors("lineage-link", 1),
            self.policy.shown(range(len(r.edge_ids)), ends),
            lambda i: (r.edge_ids[i],),
            lambda key: r.edge_position(key[0]),
            build,
            first=first,
            after=after,
        )

    @strawberry.field(
        description="Distinct maximal paths through the outcome within the depth, highest "
        "share first (ties by node keys): upstream ones end at the outcome, downstream ones "
        "begin at it."
    )
    def paths(self, first: PathsFirstArg = DEFAULT_PATHS) -> LineagePaths:
        check_first(first)
        return paths_object(self.policy, self.result.flow.nodes, self.result.paths, first)


# --------------------------------------------------------------------------- contributions


@strawberry.type(description="An outcome reached, and the share of it attributed.")
class ContributedOutcome:
    result: strawberry.Private[lin.Contributions]
    policy: strawberry.Private[Policy]
    outcome: Outcome = strawberry.field(description="The outcome.")
    level: ResultsLevelEnum = strawberry.field(description="Its results level.")
    hops: int = strawberry.field(description="Fewest relationships from the actor or programme.")
    share: float = strawberry.field(
        description="Attributed share of the outcome, 0 to 1: the product of the factors along "
        "each path, summed over the distinct paths within the depth (docs/LINEAGE.md)."
    )

    @strawberry.field(description="The paths that justify the share, highest share first.")
    def paths(self, first: PathsFirstArg = DEFAULT_PATHS) -> LineagePaths:
        check_first(first)
        key = self.outcome.key
        return paths_object(
            self.policy, self.result.flow.nodes, lambda n: self.result.paths(key, n), first
        )


def _contributed(policy: Policy, result: lin.Contributions, i: int) -> ContributedOutcome:
    c = result.outcomes[i]
    return ContributedOutcome(
        result=result,
        policy=policy,
        outcome=node_object(policy, c.outcome),  # type: ignore[arg-type]
        level=ResultsLevelEnum(c.outcome.props.get("level", "OUTCOME")),
        hops=c.hops,
        share=c.share,
    )


def outcomes_page(
    policy: Policy,
    result: lin.Contributions,
    tag: str,
    first: int,
    after: str | None,
    level: ResultsLevelEnum | None = None,
) -> Connection[ContributedOutcome]:
    outcomes = result.outcomes
    where = {c.outcome.id: i for i, c in enumerate(outcomes)}
    return shown_page(
        Cursors(tag, 1),
        [
            i
            for i, c in enumerate(outcomes)
            if level is None or c.outcome.props.get("level", "OUTCOME") == level.value
        ],
        lambda i: (outcomes[i].outcome.id,),
        lambda key: where.get(key[0]),
        lambda i: _contributed(policy, result, i),
        first=first,
        after=after,
    )


@strawberry.type(description="What an actor reached through its partnerships and participations.")
class Contributions:
    result: strawberry.Private[lin.Contributions]
    policy: strawberry.Private[Policy]
    actor: Actor = strawberry.field(description="The actor, as you may see it.")
    depth: int = strawberry.field(description="Maximum path length used.")
    min_share: float = strawberry.field(description="Minimum link share followed.")
    as_of: dt.date | None = strawberry.field(description="Date the links were valid on.")
    revision: int = strawberry.field(description="Graph revision the result was computed at.")

    @strawberry.field(description="Outcomes reached, highest attributed share first, then key.")
    def outcomes(
        self, first: FirstArg = DEFAULT_PAGE, after: AfterArg = None
    ) -> Connection[ContributedOutcome]:
        return outcomes_page(self.policy, self.result, "contribution", first, after)


# --------------------------------------------------------------------------- programme impact


@strawberry.type(description="How many outcomes of one results level a programme reached.")
class LevelCount:
    level: ResultsLevelEnum = strawberry.field(description="Results level.")
    count: int = strawberry.field(description="Outcomes of that level reached.")


@strawberry.type(description="A partner of a programme and its part of the programme's credit.")
class PartnerShare:
    actor: Actor = strawberry.field(description="The partner, as you may see it.")
    roles: list[RoleEnum] = strawberry.field(description="Its roles in the programme.")
    weight: float = strawberry.field(description="Weight of its strongest role.")
    share: float = strawberry.field(
        description="Its part of every share attributed to the programme: its weight over the "
        "total weight of the programme's partners plus 1 for UNOCT's own part."
    )


@strawberry.type(description="How many results links have a given confidence.")
class ConfidenceCount:
    confidence: ConfidenceEnum = strawberry.field(description="Confidence level.")
    count: int = strawberry.field(description="Number of links.")


@strawberry.type(description="How well the results links behind a summary are evidenced.")
class EvidenceCoverage:
    links: int = strawberry.field(description="PRODUCED and CONTRIBUTED_TO links followed.")
    with_source: int = strawberry.field(description="Links with a source reference.")
    with_evidence_date: int = strawberry.field(description="Links with an evidence date.")
    coverage: float | None = strawberry.field(
        description="Fraction of links with a source reference; null without links."
    )
    by_confidence: list[ConfidenceCount] = strawberry.field(
        description="Links per confidence level, HIGH first."
    )


@strawberry.type(description="A programme's impact summary.")
class ProgrammeImpact:
    result: strawberry.Private[lin.ProgrammeImpact]
    policy: strawberry.Private[Policy]
    programme: Programme = strawberry.field(description="The programme.")
    depth: int = strawberry.field(description="Maximum path length used.")
    min_share: float = strawberry.field(description="Minimum link share followed.")
    as_of: dt.date | None = strawberry.field(description="Date the links were valid on.")
    revision: int = strawberry.field(description="Graph revision the summary was computed at.")
    by_level: list[LevelCount] = strawberry.field(
        description="Outcomes reached per results level, IMPACT first."
    )
    evidence: EvidenceCoverage = strawberry.field(
        description="Evidence behind the results links from the programme to its outcomes."
    )

    @strawberry.field(
        description="Outcomes reached with the share attributed to the programme, highest "
        "first, then key."
    )
    def outcomes(
        self,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        level: Annotated[
            ResultsLevelEnum | None,
            strawberry.argument(description="Only outcomes of this results level."),
        ] = None,
    ) -> Connection[ContributedOutcome]:
        tag = "impact-outcome" if level is None else f"impact-outcome-{level.value}"
        return outcomes_page(self.policy, self.result.contributions, tag, first, after, level)

    @strawberry.field(
        description="Partners with their part of the programme's credit, highest first."
    )
    def partners(
        self, first: FirstArg = DEFAULT_PAGE, after: AfterArg = None
    ) -> Connection[PartnerShare]:
        partners = self.result.partners
        where = {p.actor.id: i for i, p in enumerate(partners)}
        shown = self.policy.shown(range(len(partners)), lambda i: (partners[i].actor,))

        def build(i: int) -> PartnerShare:
            p = partners[i]
            return PartnerShare(
                actor=node_object(self.policy, p.actor),  # type: ignore[arg-type]
                roles=[RoleEnum(r) for r in p.roles],
                weight=p.weight,
                share=p.share,
            )

        return shown_page(
            Cursors("impact-partner", 1),
            shown,
            lambda i: (partners[i].actor.id,),
            lambda key: where.get(key[0]),
            build,
            first=first,
            after=after,
        )


def evidence_object(e: lin.EvidenceCoverage) -> EvidenceCoverage:
    return EvidenceCoverage(
        links=e.links,
        with_source=e.with_source,
        with_evidence_date=e.with_evidence_date,
        coverage=e.coverage,
        by_confidence=[
            ConfidenceCount(confidence=ConfidenceEnum(c), count=n)
            for c, n in e.by_confidence.items()
        ],
    )


# --------------------------------------------------------------------------- issues


@strawberry.type(description="A gap in the recorded lineage.")
class LineageIssue:
    kind: LineageIssueKind = strawberry.field(description="Kind of gap.")
    node: Node = strawberry.field(
        description="The outcome, the outcome a link leads to, or the actor concerned."
    )
    relationship_id: strawberry.ID | None = strawberry.field(
        description="The link concerned (LINK_WITHOUT_EVIDENCE)."
    )
    message: str = strawberry.field(description="What is missing, naming keys only.")


@strawberry.type(description="How many issues of one kind there are.")
class LineageIssueCount:
    kind: LineageIssueKind = strawberry.field(description="Kind of gap.")
    count: int = strawberry.field(description="Number of issues.")


@strawberry.type(description="Gaps in the recorded lineage of the whole graph.")
class LineageIssues:
    found: strawberry.Private[list[lin.Issue]]
    #: The issues' subjects as stored at the same revision, to leave out hidden ones.
    subjects: strawberry.Private[Mapping[str, model.Node]]
    as_of: dt.date | None = strawberry.field(description="Date the links were valid on.")
    revision: int = strawberry.field(description="Graph revision the issues were found at.")
    counts: list[LineageIssueCount] = strawberry.field(description="Issues per kind.")

    @strawberry.field(
        description="The issues, ordered by kind, node key and relationship id (an issue about "
        "a restricted actor only if you may see it)."
    )
    async def issues(
        self,
        info: Info[Context, Any],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        kinds: Annotated[
            list[LineageIssueKind] | None,
            strawberry.argument(description="Only issues of these kinds (default all)."),
        ] = None,
    ) -> Connection[LineageIssue]:
        wanted = None if kinds is None else sorted({str(k.value) for k in kinds})
        policy = info.context.policy
        items = policy.shown(
            [i for i in self.found if wanted is None or i.kind.value in wanted],
            lambda i: (self.subjects[i.subject],),
        )
        follows: dict[Key, int] = {i.key: n + 1 for n, i in enumerate(items)}  # next index
        tag = "lineage-issue" if wanted is None else "-".join(["lineage-issue", *wanted])
        cursors = Cursors(tag, 3)
        page = window(cursors, len(items), follows.get, first=first, after=after)
        subjects = await info.context.node_loader.load_many([items[n].subject for n in page])
        built = []
        for n, subject in zip(page, subjects, strict=True):
            issue = items[n]
            assert subject is not None  # found in the snapshot of this revision
            node = LineageIssue(
                kind=LineageIssueKind(issue.kind.value),
                node=node_object(policy, subject),
                relationship_id=None
                if issue.relationship is None
                else strawberry.ID(issue.relationship),
                message=issue.message,
            )
            built.append(Edge(node=node, cursors=cursors, position=issue.key))
        has_next = page.stop < len(items)
        return connection(Connection, built, total=len(items), has_next=has_next, after=after)


def issue_counts(found: Sequence[lin.Issue]) -> list[LineageIssueCount]:
    counts = {k: 0 for k in LineageIssueKind}
    for issue in found:
        counts[LineageIssueKind(issue.kind.value)] += 1
    return [LineageIssueCount(kind=k, count=n) for k, n in counts.items()]
