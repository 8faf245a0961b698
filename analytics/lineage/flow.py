"""The flow of credit: how an outcome's credit passes to what led to it.

The results chain (activities and programmes PRODUCED outcomes, outcomes CONTRIBUTED_TO higher
outcomes) and the engagement around it (actors PARTNERS_IN programmes and PARTICIPATED_IN
activities, activities PART_OF programmes) are read as one directed *flow of credit*: every
relationship has a **contributor** end and a **beneficiary** end. The contributor is the
relationship's start, except for PART_OF, where the programme (the end) contributes to its
activity (the start), because a programme runs its activities.

Each node passes part of its own credit to each of its contributors; that part is the link's
**factor** (the rule is in :func:`factors` and docs/LINEAGE.md). This module holds that rule
and nothing else, so lineage, contributions and programme impact all attribute the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from types import MappingProxyType
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from graph.model import Relationship, RelType, Role

__all__ = [
    "FLOW_TYPES",
    "RESULTS_TYPES",
    "ROLE_WEIGHTS",
    "RUNNER_WEIGHT",
    "Link",
    "LinkKind",
    "factors",
    "flow_ends",
    "kind_of",
    "role_weight",
]


#: Weight of an actor's role when an activity or programme splits its credit among its
#: parties: leading roles 1, supporting roles 1/2, taking part or benefiting 1/4.
ROLE_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        Role.IMPLEMENTING: 1.0,
        Role.CO_DESIGN: 1.0,
        Role.FUNDING: 1.0,
        Role.HOST: 1.0,
        Role.ADVISORY: 0.5,
        Role.SPEAKER: 0.5,
        Role.PARTICIPANT: 0.25,
        Role.BENEFICIARY: 0.25,
    }
)
#: Weight of whoever runs an activity or programme, next to its participants or partners:
#: the activity's programmes, or UNOCT itself. Without it a lone partner or participant would
#: take all the credit for what UNOCT ran.
RUNNER_WEIGHT: Final = 1.0

#: Results links: an activity or programme PRODUCED an outcome, an outcome CONTRIBUTED_TO
#: a higher one.
RESULTS_TYPES: Final = frozenset({RelType.PRODUCED, RelType.CONTRIBUTED_TO})
#: The relationship types credit flows along: results links, engagement (an actor PARTNERS_IN
#: a programme or PARTICIPATED_IN an activity) and PART_OF (a programme runs its activities).
FLOW_TYPES: Final = frozenset(
    {*RESULTS_TYPES, RelType.PARTNERS_IN, RelType.PARTICIPATED_IN, RelType.PART_OF}
)


class Link(NamedTuple):
    """The relationships of one type from one contributor to one beneficiary, collapsed:
    parallel records (two roles, a re-dated share) are one step of a path.

    ``factor`` is the part of the beneficiary's credit passed to the contributor; ``rels`` are
    the relationships followed (results links below the ``min_share`` are left out of both).
    Made on demand from the compiled flow (:class:`analytics.lineage.flow_index.FlowIndex`)
    for the nodes a path search or a page reads.
    """

    contributor: str
    beneficiary: str
    type: RelType
    rels: tuple[Relationship, ...]
    factor: float


#: ROLE_WEIGHTS keyed by plain strings, with the default role's weight for a missing role.
_WEIGHTS: Final[dict[str, float]] = {str(k): v for k, v in ROLE_WEIGHTS.items()}


def role_weight(rel: Relationship) -> float:
    """Weight of an engagement relationship's role (PARTICIPANT when it has none)."""
    return _WEIGHTS.get(str(rel.props.get("role", Role.PARTICIPANT)), 1.0)


class LinkKind(IntEnum):
    """How a link's value is reckoned (see :func:`factors`)."""

    RESULTS = 0
    RUNNER = 1
    ENGAGEMENT = 2


def kind_of(rel_type: RelType) -> LinkKind:
    """How a link of ``rel_type`` is reckoned.

    >>> kind_of(RelType.PRODUCED).name, kind_of(RelType.PART_OF).name
    ('RESULTS', 'RUNNER')
    """
    if rel_type in RESULTS_TYPES:
        return LinkKind.RESULTS
    return LinkKind.RUNNER if rel_type is RelType.PART_OF else LinkKind.ENGAGEMENT


def flow_ends(rel: Relationship) -> tuple[str, str]:
    """The (contributor, beneficiary) of a relationship of :data:`FLOW_TYPES`: its (start,
    end), except PART_OF, whose programme (the end) runs the activity (the start).

    >>> flow_ends(Relationship("r", RelType.PART_OF, "act", "prog"))
    ('prog', 'act')
    >>> flow_ends(Relationship("r", RelType.PRODUCED, "act", "out", {"share": 1}))
    ('act', 'out')
    """
    if kind_of(rel.type) is LinkKind.RUNNER:
        return rel.end, rel.start
    return rel.start, rel.end


def factors(
    beneficiary: npt.NDArray[np.int64],
    kind: npt.NDArray[np.int8],
    all_shares: npt.NDArray[np.float64],
    kept_shares: npt.NDArray[np.float64],
    weight: npt.NDArray[np.float64],
    nodes: int,
) -> npt.NDArray[np.float64]:
    """The factor of each link: the part of its beneficiary's credit it passes on.

    One entry per link (the relationships of one type from one contributor to one
    beneficiary): its beneficiary's position, its :class:`LinkKind`, the sum of its
    relationships' shares and of those at or above ``minShare`` (results links), and the
    highest role weight among its relationships (engagement links).

    * an outcome passes each results link its kept shares over ``max(1, sum of all shares
      into the outcome)``: shares are scaled down only when they sum above 1 (possible only
      when ended links and their replacements are both in view);
    * an activity or programme splits its credit among its parties: each engagement link
      weighs its role weight, and whoever runs it weighs :data:`RUNNER_WEIGHT`, split equally
      among its programmes (RUNNER links) or kept by UNOCT when there are none; a party's
      factor is its weight over the total.

    Examples
    --------
    An activity with an IMPLEMENTING participant (1) and one programme (the runner, 1) passes
    each half of its credit; an outcome produced at share 0.4 passes 0.4:

    >>> factors(np.array([0, 0, 1]), np.array([2, 1, 0], np.int8), np.array([0, 0, 0.4]),
    ...         np.array([0, 0, 0.4]), np.array([1.0, 0, 0]), 2).tolist()
    [0.5, 0.5, 0.4]
    """
    results = kind == LinkKind.RESULTS
    runner = kind == LinkKind.RUNNER
    engagement = kind == LinkKind.ENGAGEMENT
    total = np.bincount(
        beneficiary,
        weights=np.where(results, all_shares, np.where(engagement, weight, 0.0)),
        minlength=nodes,
    )
    has_results = np.bincount(beneficiary, weights=results, minlength=nodes) > 0
    runners = np.bincount(beneficiary, weights=runner, minlength=nodes)
    denominator = np.where(has_results, np.maximum(1.0, total), total + RUNNER_WEIGHT)
    scale = np.divide(1.0, denominator, out=np.zeros(nodes), where=denominator > 0)
    per_runner = np.divide(RUNNER_WEIGHT, runners, out=np.zeros(nodes), where=runners > 0)
    value = np.where(results, kept_shares, np.where(runner, per_runner[beneficiary], weight))
    return value * scale[beneficiary]
