"""The one place that decides what a caller may see.

Every resolver, analytics result and export asks the request's :class:`Policy`; roles and
keys plug in here. A restricted non-state actor is not shown to unprivileged callers at all:
it is left out of every list, connection, ranking and lookup (:meth:`Policy.shows`), and only
counted in aggregates. A placeholder would not do: its kind, country, focus groups and
engagements stay visible, and on the seed data they single out almost every restricted actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.keys import Role
from graph.model import NON_STATE_KINDS, Node, Sensitivity

T = TypeVar("T")


class HiddenNodeError(AssertionError):
    """A node the caller may not see reached the point where it would be shown: a resolver
    forgot to leave it out. An internal error (the client gets the masked message), so a
    missed path fails loudly in tests instead of leaking."""


@dataclass(frozen=True, slots=True)
class Policy:
    """What one caller may see and do, from its role (``None``: anonymous, a viewer)."""

    role: Role | None = None
    suppression_k: int = 5

    @property
    def privileged(self) -> bool:
        """Sees restricted actors and unsuppressed figures: analysts and above."""
        return self.role is not None and self.role.allows(Role.ANALYST)

    @property
    def may_write(self) -> bool:
        """Changes the graph: editors and above."""
        return self.role is not None and self.role.allows(Role.EDITOR)

    def shows(self, node: Node) -> bool:
        """Whether this caller may see ``node`` at all. False for a restricted non-state actor
        and a caller without the privileged role: such an actor is then absent from
        everything the caller is shown, as if it did not exist, and counted only in
        aggregates."""
        return (
            self.privileged
            or node.kind not in NON_STATE_KINDS
            or node.props.get("sensitivity") != Sensitivity.RESTRICTED
        )

    def shown(self, items: Sequence[T], nodes: Callable[[T], Iterable[Node]]) -> Sequence[T]:
        """``items`` without those carrying a node (``nodes(item)``) this caller may not see,
        in order: the one filter every listing applies before it pages, ranks or counts
        entries, so positions, ranks and ``totalCount`` never show a gap. Returned as is,
        without a scan, when the caller sees everything."""
        if self.privileged:
            return items
        return [item for item in items if all(self.shows(n) for n in nodes(item))]

    def source_of(self, props: Mapping[str, Any], start: Node, end: Node) -> str | None:
        """A relationship's evidence reference; withheld if either end is hidden (the
        evidence could name the actor), though such a relationship is never listed."""
        if not (self.shows(start) and self.shows(end)):
            return None
        source = props.get("source")
        return None if source is None else str(source)

    def view(self, node: Node) -> Node:
        """The node as this caller may see it: as stored. A hidden node has no view; asking
        for one is a bug in the caller (:class:`HiddenNodeError`)."""
        if not self.shows(node):
            raise HiddenNodeError(
                f"a {node.kind} this caller may not see reached a response: it must be left "
                "out before (Policy.shows)"
            )
        return node
