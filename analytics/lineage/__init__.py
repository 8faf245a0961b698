"""Outcome lineage and attribution: what led to an outcome, and what an actor contributed to.

Credit flows from an outcome to what led to it (:mod:`analytics.lineage.flow` has the rule and
docs/LINEAGE.md a worked example from the seed data). An actor's attributed share of an outcome
is the product of the factors along a path from the outcome to the actor, summed over the
distinct paths within the depth bound, and never above 1. Because every node hands out at most
all of its credit, the shares of all actors in one outcome sum to at most 1 (conservation),
which ``tests/lineage`` checks as a property.

Every question is answered from a :class:`~analytics.lineage.flow_index.FlowIndex` of the whole
graph at one revision (see that module for why), compiled from the store's plain records by
the caller (the API reads them: analytics do no I/O); only :func:`lineage_issues` reads a
snapshot instead. Everything is deterministic: nodes, links and paths come out in a total
order that depends only on the graph, so both stores give identical answers.

Modules, one idea each:

* :mod:`~analytics.lineage.flow`: the rule, how a node's credit passes to its contributors;
* :mod:`~analytics.lineage.flow_index`: the flow of a whole graph compiled to arrays, and
  credit spread over it;
* :mod:`~analytics.lineage.paths`: the best distinct paths, which justify a share;
* :mod:`~analytics.lineage.checks`: the depth bound, the minimum share, the subject;
* :mod:`~analytics.lineage.outcome`: an outcome's lineage;
* :mod:`~analytics.lineage.contributions`: what an actor or programme contributed to, and a
  programme's impact summary;
* :mod:`~analytics.lineage.issues`: gaps in the recorded lineage.

This package re-exports each module's public names, so ``from analytics import lineage`` is
all a caller needs.

Examples
--------
>>> from graph.model import Node, NodeKind, Relationship, RelType
>>> index = FlowIndex(
...     [Node("o", NodeKind.OUTCOME), Node("p", NodeKind.PROGRAMME)],
...     [Relationship("r1", RelType.PRODUCED, "p", "o", {"share": 0.5})])
>>> [(n.node.id, n.share) for n in outcome_lineage(index, "o").nodes]
[('o', 1.0), ('p', 0.5)]
"""

from __future__ import annotations

from analytics.lineage.checks import DEFAULT_DEPTH, MAX_DEPTH, check_depth, check_share
from analytics.lineage.contributions import (
    Contribution,
    Contributions,
    EvidenceCoverage,
    PartnerShare,
    ProgrammeImpact,
    contributions,
    evidence_of,
    programme_impact,
)
from analytics.lineage.flow import (
    FLOW_TYPES,
    RESULTS_TYPES,
    ROLE_WEIGHTS,
    RUNNER_WEIGHT,
    Link,
    flow_ends,
)
from analytics.lineage.flow_index import FlowIndex, Spread
from analytics.lineage.issues import Issue, IssueKind, lineage_issues
from analytics.lineage.outcome import (
    Lineage,
    LineageDirection,
    LineageEdge,
    LineageNode,
    Side,
    outcome_lineage,
)
from analytics.lineage.paths import Path, PathSet, best_paths

__all__ = [
    "DEFAULT_DEPTH",
    "FLOW_TYPES",
    "MAX_DEPTH",
    "RESULTS_TYPES",
    "ROLE_WEIGHTS",
    "RUNNER_WEIGHT",
    "Contribution",
    "Contributions",
    "EvidenceCoverage",
    "FlowIndex",
    "Issue",
    "IssueKind",
    "Lineage",
    "LineageDirection",
    "LineageEdge",
    "LineageNode",
    "Link",
    "PartnerShare",
    "Path",
    "PathSet",
    "ProgrammeImpact",
    "Side",
    "Spread",
    "best_paths",
    "check_depth",
    "check_share",
    "contributions",
    "evidence_of",
    "flow_ends",
    "lineage_issues",
    "outcome_lineage",
    "programme_impact",
]
