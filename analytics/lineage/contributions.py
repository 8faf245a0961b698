"""What an actor or a programme contributed to: the outcomes it reached, with its share of each,
and a programme's impact summary (outcomes by level, its partners' parts, the evidence).

An actor's (or programme's) share of an outcome follows the same rule as a lineage's
(:mod:`analytics.lineage.flow`): the product of the factors along a path from the outcome to
it, summed over the distinct paths within the depth bound, and never above 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from analytics.lineage.checks import DEFAULT_DEPTH, check_depth, find_subject
from analytics.lineage.flow import RESULTS_TYPES, role_weight
from analytics.lineage.flow_index import FlowIndex, Spread, bulk
from analytics.lineage.paths import PathSet, best_paths
from graph.model import ACTOR_KINDS, Node, NodeKind, Relationship, RelType, ResultsLevel

__all__ = [
    "Contribution",
    "Contributions",
    "EvidenceCoverage",
    "PartnerShare",
    "ProgrammeImpact",
    "contributions",
    "evidence_of",
    "programme_impact",
]

_LEVEL_ORDER: Final = {ResultsLevel.IMPACT: 0, ResultsLevel.OUTCOME: 1, ResultsLevel.OUTPUT: 2}


@dataclass(frozen=True, slots=True)
class Contribution:
    """An outcome reached, and the share of it attributed to the actor (or programme)."""

    outcome: Node
    hops: int
    share: float


@dataclass(frozen=True)
class Contributions:
    """What one actor (or programme) reached; outcomes ordered by share, then id."""

    subject: Node
    depth: int
    min_share: float
    as_of: str | None
    outcomes: tuple[Contribution, ...]
    flow: FlowIndex
    hops: Mapping[str, int]

    @bulk()
    def paths(self, outcome: str, limit: int) -> PathSet:
        """The ``limit`` best paths from the subject to ``outcome`` within the depth bound,
        subject first; their shares sum to the outcome's share when none are left out."""
        hops = self.hops
        remaining = self.depth

        def allowed(node_id: str, length: int) -> bool:
            # length nodes are on the path so far (from the outcome); the rest must fit.
            return node_id in hops and length + hops[node_id] <= remaining

        if outcome not in hops:
            return PathSet((), False)
        return best_paths(
            self.flow,
            outcome,
            False,
            self.depth,
            limit,
            allowed=allowed,
            goal=self.subject.id,
        )


def contributions(
    index: FlowIndex,
    subject: str,
    *,
    depth: int = DEFAULT_DEPTH + 3,
    kinds: frozenset[NodeKind] = ACTOR_KINDS,
) -> Contributions:
    """Outcomes an actor (or, with ``kinds={PROGRAMME}``, a programme) reached, with its
    attributed share of each. The default depth is 8 so an actor reaches five results levels
    through a programme (actor, programme, activity, then outcomes).

    Examples
    --------
    >>> ns = [Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION), Node("d", NodeKind.COMPANY),
    ...       Node("a", NodeKind.ACTIVITY), Node("o", NodeKind.OUTCOME, {"level": "OUTPUT"})]
    >>> rs = [Relationship("p1", RelType.PARTICIPATED_IN, "c", "a", {"role": "SPEAKER"}),
    ...       Relationship("p2", RelType.PARTICIPATED_IN, "d", "a", {"role": "PARTICIPANT"}),
    ...       Relationship("r1", RelType.PRODUCED, "a", "o", {"share": 0.6})]
    >>> result = contributions(FlowIndex(ns, rs), "c", depth=5)
    >>> [(x.outcome.id, round(x.share, 3)) for x in result.outcomes]
    [('o', 0.171)]
    """
    return _contributions(index, subject, depth, kinds)[0]


def _contributions(
    index: FlowIndex, subject: str, depth: int, kinds: frozenset[NodeKind]
) -> tuple[Contributions, Spread]:
    check_depth(depth)
    what = "programme" if kinds == frozenset({NodeKind.PROGRAMME}) else "actor"
    start = find_subject(index, subject, kinds, what)
    spread = index.spread(start.id, depth, forward=True)
    ids, nodes = index.ids, index.nodes
    hops = {ids[p]: h for p, h in zip(spread.reached.tolist(), spread.hops.tolist(), strict=True)}
    outcomes = [
        Contribution(node, hop, min(1.0, share))
        for p, hop, share in zip(
            spread.reached.tolist(), spread.hops.tolist(), spread.credit.tolist(), strict=True
        )
        if (node := nodes[ids[p]]).kind is NodeKind.OUTCOME
    ]
    outcomes.sort(key=lambda c: (-c.share, c.outcome.id))
    found = Contributions(
        subject=start,
        depth=depth,
        min_share=index.min_share,
        as_of=index.as_of,
        outcomes=tuple(outcomes),
        flow=index,
        hops=hops,
    )
    return found, spread


# --------------------------------------------------------------------------- programme impact


@dataclass(frozen=True, slots=True)
class PartnerShare:
    """A partner of a programme and its part of the credit the programme earns."""

    actor: Node
    roles: tuple[str, ...]
    weight: float
    share: float


@dataclass(frozen=True, slots=True)
class EvidenceCoverage:
    """How well the results links behind a summary are evidenced."""

    links: int
    with_source: int
    with_evidence_date: int
    by_confidence: Mapping[str, int]

    @property
    def coverage(self) -> float | None:
        """Fraction of links with a source reference (None when there are no links)."""
        return self.with_source / self.links if self.links else None


@dataclass(frozen=True)
class ProgrammeImpact:
    """A programme's impact summary."""

    contributions: Contributions
    by_level: Mapping[str, int]
    partners: tuple[PartnerShare, ...]
    evidence: EvidenceCoverage

    @property
    def programme(self) -> Node:
        return self.contributions.subject


def evidence_of(rels: Iterable[Relationship]) -> EvidenceCoverage:
    """Evidence coverage of the PRODUCED and CONTRIBUTED_TO relationships among ``rels``.

    Examples
    --------
    >>> r = Relationship("r", RelType.PRODUCED, "a", "o", {"share": 1, "source": "report"})
    >>> e = evidence_of([r])
    >>> (e.links, e.with_source, e.coverage, dict(e.by_confidence))
    (1, 1, 1.0, {'HIGH': 0, 'MEDIUM': 1, 'LOW': 0})
    """
    results = [r for r in rels if r.type in RESULTS_TYPES]
    confidence = {"HIGH": 0, "MEDIUM": 0, "LOW": 0}
    for r in results:
        confidence[str(r.props.get("confidence", "MEDIUM"))] += 1
    return EvidenceCoverage(
        links=len(results),
        with_source=sum(1 for r in results if r.props.get("source")),
        with_evidence_date=sum(1 for r in results if r.props.get("evidence_date")),
        by_confidence=MappingProxyType(confidence),
    )


def programme_impact(
    index: FlowIndex, programme: str, *, depth: int = DEFAULT_DEPTH + 2
) -> ProgrammeImpact:
    """A programme's outcomes by level, its partners' parts of its credit, and the evidence
    coverage of the results links on the way; default depth 7 (programme, activity, five
    levels). A programme's share of an outcome follows the same rule as an actor's; each
    partner gets ``weight / total weight`` of everything the programme earns.
    """
    result, spread = _contributions(index, programme, depth, frozenset({NodeKind.PROGRAMME}))
    levels = {level.value: 0 for level in sorted(_LEVEL_ORDER, key=_LEVEL_ORDER.__getitem__)}
    for c in result.outcomes:
        levels[str(c.outcome.props.get("level", ResultsLevel.OUTCOME))] += 1
    partners = [
        PartnerShare(
            actor=result.flow.nodes[link.contributor],
            roles=tuple(sorted({str(r.props.get("role")) for r in link.rels})),
            weight=max(role_weight(r) for r in link.rels),
            share=link.factor,
        )
        for link in index.steps(programme, forward=False)
        if link.type is RelType.PARTNERS_IN
    ]
    partners.sort(key=lambda p: (-p.share, p.actor.id))
    evidence = evidence_of(index.rels[r] for r in index.rels_of(spread.links).tolist())
    return ProgrammeImpact(
        contributions=result,
        by_level=MappingProxyType(levels),
        partners=tuple(partners),
        evidence=evidence,
    )
