"""What every lineage question checks first: the depth bound, the minimum share, the subject.

Refusals are :mod:`analytics.errors` values naming the argument at fault, with the same
messages whichever question asked.
"""

from __future__ import annotations

from typing import Final

from analytics.errors import InvalidArgument, NotFound
from analytics.lineage.flow_index import FlowIndex
from graph.model import Node, NodeKind

__all__ = ["DEFAULT_DEPTH", "MAX_DEPTH", "check_depth", "check_share", "find_subject"]

DEFAULT_DEPTH: Final = 5
MAX_DEPTH: Final = 20


def check_depth(depth: int) -> int:
    """``depth`` if it is a depth bound lineage accepts.

    >>> check_depth(5)
    5
    >>> check_depth(21)
    Traceback (most recent call last):
    ...
    analytics.errors.InvalidArgument: must be between 1 and 20, got 21 (field 'depth')
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidArgument(f"must be between 1 and {MAX_DEPTH}, got {depth}", field="depth")
    return depth


def check_share(min_share: float) -> float:
    """``min_share`` if it is a share (0 to 1).

    >>> check_share(0.25)
    0.25
    """
    if not 0.0 <= min_share <= 1.0:
        raise InvalidArgument(f"must be between 0 and 1, got {min_share}", field="minShare")
    return min_share


def find_subject(index: FlowIndex, node_id: str, kinds: frozenset[NodeKind], what: str) -> Node:
    """The node ``node_id`` of the index, which must be one of ``kinds``; ``what`` names it
    (and the argument) in the refusal.

    >>> index = FlowIndex([Node("o", NodeKind.OUTCOME)], [])
    >>> find_subject(index, "o", frozenset({NodeKind.OUTCOME}), "outcome").id
    'o'
    >>> find_subject(index, "x", frozenset({NodeKind.OUTCOME}), "outcome")
    Traceback (most recent call last):
    ...
    analytics.errors.NotFound: no outcome with id 'x' (field 'outcome')
    """
    found = index.nodes.get(node_id)
    if found is None:
        raise NotFound(f"no {what} with id {node_id!r}", field=what)
    if found.kind not in kinds:
        raise InvalidArgument(f"{node_id!r} is a {found.kind}, not an {what}", field=what)
    return found
