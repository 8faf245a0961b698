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

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import IntEnum
from types import MappingProxyType
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from graph.model import Relationship, RelType, Role
from graph.store import Direction

__all__ = [
    "ACTOR_STEPS",
    "DOWNSTREAM_STEPS",
    "FLOW_TYPES",
    "PARTY_STEPS",
    "PROGRAMME_STEPS",
    "RESULTS_TYPES",
    "ROLE_WEIGHTS",
    "RUNNER_WEIGHT",
    "UPSTREAM_STEPS",
    "Link",
    "LinkKind",
    "bulk",
    "factors",
    "kind_of",
    "role_weight",
]


#: From an outcome to everything that led to it: lower outcomes, their producers, the
#: programmes those activities are part of, and the actors engaged in either.
UPSTREAM_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {
        RelType.CONTRIBUTED_TO: Direction.IN,
        RelType.PRODUCED: Direction.IN,
        RelType.PART_OF: Direction.OUT,
        RelType.PARTICIPATED_IN: Direction.IN,
        RelType.PARTNERS_IN: Direction.IN,
    }
)
#: From an outcome to the higher outcomes it contributed to.
DOWNSTREAM_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {RelType.CONTRIBUTED_TO: Direction.OUT}
)
#: From an actor to what it reached: its programmes and their activities, the activities it
#: took part in, what those produced, and what that contributed to. Exactly the reverse of
#: :data:`UPSTREAM_STEPS`.
ACTOR_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {
        RelType.PARTNERS_IN: Direction.OUT,
        RelType.PARTICIPATED_IN: Direction.OUT,
        RelType.PART_OF: Direction.IN,
        RelType.PRODUCED: Direction.OUT,
        RelType.CONTRIBUTED_TO: Direction.OUT,
    }
)
#: From a programme to what it reached: its activities, what they and it produced, and what
#: that contributed to.
PROGRAMME_STEPS: Final[Mapping[RelType, Direction]] = MappingProxyType(
    {
        RelType.PART_OF: Direction.IN,
        RelType.PRODUCED: Direction.OUT,
        RelType.CONTRIBUTED_TO: Direction.OUT,
    }
)
#: One hop of these from a node finds every contributor its credit is split among.
PARTY_STEPS: Final = UPSTREAM_STEPS

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

RESULTS_TYPES: Final = frozenset({RelType.PRODUCED, RelType.CONTRIBUTED_TO})
#: The relationship types credit flows along.
FLOW_TYPES: Final = frozenset({*RESULTS_TYPES, *UPSTREAM_STEPS})


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Why: a process holding the embedded store tracks millions of objects, and the collections
    that a burst of allocations triggers cost several times the work itself (about 4x on the
    100,000-node benchmark). Everything built here is acyclic, so reference counting frees it
    and nothing is left for the collector; it is re-enabled as soon as the build is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Link(NamedTuple):
    """The relationships of one type from one contributor to one beneficiary, collapsed:
    parallel records (two roles, a re-dated share) are one step of a path.

    ``factor`` is the part of the beneficiary's credit passed to the contributor; ``rels`` are
    the relationships followed (results links below the ``min_share`` are left out of both).
    Made on demand from the compiled flow (:class:`analytics.flow_index.FlowIndex`) for the
    nodes a path search or a page reads.
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
    if rel_type in RESULTS_TYPES:
        return LinkKind.RESULTS
    return LinkKind.RUNNER if rel_type is RelType.PART_OF else LinkKind.ENGAGEMENT


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
