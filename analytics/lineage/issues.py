"""Gaps in the recorded lineage: outcomes nothing produced, results links without evidence,
partners whose work led to no recorded outcome.

Unlike the other lineage questions this one reads a snapshot graph, not a flow index: it is
about what is recorded, not about how credit flows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

import networkx as nx

from analytics.lineage.flow import RESULTS_TYPES
from analytics.lineage.flow_index import bulk
from graph.model import ACTOR_KINDS, NodeKind, RelType, interval_contains

__all__ = ["Issue", "IssueKind", "lineage_issues"]


class IssueKind(StrEnum):
    OUTCOME_WITHOUT_PRODUCER = "OUTCOME_WITHOUT_PRODUCER"
    LINK_WITHOUT_EVIDENCE = "LINK_WITHOUT_EVIDENCE"
    PARTNER_WITHOUT_OUTCOME = "PARTNER_WITHOUT_OUTCOME"


@dataclass(frozen=True, slots=True)
class Issue:
    """A gap in the recorded lineage. ``subject`` is the outcome, the link's outcome, or the
    actor; ``relationship`` the link's id for LINK_WITHOUT_EVIDENCE. Messages name ids only,
    never names, so they are safe to show for restricted actors."""

    kind: IssueKind
    subject: str
    relationship: str | None
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject, self.relationship or "")


@bulk()
def lineage_issues(graph: nx.MultiDiGraph, as_of: str | None = None) -> list[Issue]:
    """Gaps in the recorded lineage, ordered by (kind, subject id, relationship id).

    * OUTCOME_WITHOUT_PRODUCER: no activity or programme PRODUCED the outcome or any outcome
      that (transitively) CONTRIBUTED_TO it;
    * LINK_WITHOUT_EVIDENCE: a PRODUCED or CONTRIBUTED_TO link with no ``source``;
    * PARTNER_WITHOUT_OUTCOME: an actor partners in a programme or took part in an activity,
      but none of them (nor the programmes' activities) PRODUCED anything.

    Only relationships valid at ``as_of`` count (all when None). Nodes are never filtered by
    date: a finished activity still led to what it produced.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A snapshot graph (:class:`graph.store.Snapshot`): node attribute ``kind``, edge
        attribute ``type`` plus the relationship's properties, edges keyed by id.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", kind="Outcome"); g.add_node("c", kind="CivilSocietyOrganization")
    >>> g.add_node("a", kind="Activity")
    >>> _ = g.add_edge("c", "a", key="p1", type="PARTICIPATED_IN")
    >>> [(i.kind.value, i.subject) for i in lineage_issues(g)]
    [('OUTCOME_WITHOUT_PRODUCER', 'o'), ('PARTNER_WITHOUT_OUTCOME', 'c')]
    """
    kind = nx.get_node_attributes(graph, "kind")
    outcomes = sorted(n for n, k in kind.items() if k == NodeKind.OUTCOME)
    produced: set[str] = set()
    producers: set[str] = set()
    contributes: dict[str, list[str]] = defaultdict(list)
    part_of: dict[str, list[str]] = defaultdict(list)
    engaged: dict[str, set[str]] = defaultdict(set)
    issues: list[Issue] = []
    for start, end, rel_id, attrs in graph.edges(keys=True, data=True):
        if not interval_contains(attrs, as_of):
            continue
        rel_type = attrs.get("type")
        if rel_type in RESULTS_TYPES:
            if rel_type == RelType.PRODUCED:
                produced.add(end)
                producers.add(start)
            else:
                contributes[start].append(end)
            if not attrs.get("source"):
                issues.append(
                    Issue(
                        IssueKind.LINK_WITHOUT_EVIDENCE,
                        end,
                        rel_id,
                        f"{rel_type} link {rel_id!r} from {start!r} to {end!r} has no source "
                        "reference",
                    )
                )
        elif rel_type == RelType.PART_OF:
            part_of[end].append(start)
        elif rel_type in (RelType.PARTNERS_IN, RelType.PARTICIPATED_IN):
            engaged[start].add(end)
    # Outcomes with a producer somewhere upstream: everything downstream of a produced outcome.
    reached = set(produced)
    frontier = sorted(produced)
    while frontier:
        nxt = []
        for o in frontier:
            for higher in contributes.get(o, ()):
                if higher not in reached:
                    reached.add(higher)
                    nxt.append(higher)
        frontier = nxt
    for o in outcomes:
        if o not in reached:
            issues.append(
                Issue(
                    IssueKind.OUTCOME_WITHOUT_PRODUCER,
                    o,
                    None,
                    f"no activity or programme produced {o!r} or anything that contributed to it",
                )
            )
    for actor in sorted(engaged):
        if kind.get(actor) not in ACTOR_KINDS:
            continue
        if not any(
            e in producers or any(a in producers for a in part_of.get(e, ()))
            for e in engaged[actor]
        ):
            n = len(engaged[actor])
            issues.append(
                Issue(
                    IssueKind.PARTNER_WITHOUT_OUTCOME,
                    actor,
                    None,
                    f"{actor!r} partners in or took part in {n} programmes or activities, none "
                    "of which led to a recorded outcome",
                )
            )
    issues.sort(key=lambda i: i.key)
    return issues
