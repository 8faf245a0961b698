"""The one place that decides what a caller may see.

Every resolver, analytics result and export asks the request's :class:`Policy`; roles and
keys plug in here. A restricted non-state actor is shown to unprivileged callers only as an
anonymous placeholder: no name, no description, no source, no founding date, so that being a
counter-terrorism partner cannot be traced back to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from graph.keys import Role
from graph.model import NON_STATE_KINDS, Node, Sensitivity

REDACTED_NAME = "Restricted actor"
#: Properties that do not identify an actor and stay visible in redacted form.
_SAFE_PROPS = frozenset(
    {
        "focus_groups",
        "sensitivity",
        "iati_org_type",
        "industry",
        "academic_type",
        "actor_type",
        "illustrative",
    }
)


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

    def is_hidden(self, node: Node) -> bool:
        return (
            not self.privileged
            and node.kind in NON_STATE_KINDS
            and node.props.get("sensitivity") == Sensitivity.RESTRICTED
        )

    def source_of(self, props: Mapping[str, Any], start: Node, end: Node) -> str | None:
        """A relationship's evidence reference, withheld when either end is hidden: the
        evidence could name the actor."""
        if self.is_hidden(start) or self.is_hidden(end):
            return None
        source = props.get("source")
        return None if source is None else str(source)

    def view(self, node: Node) -> Node:
        """The node as this caller may see it."""
        if not self.is_hidden(node):
            return node
        props: dict[str, Any] = {k: v for k, v in node.props.items() if k in _SAFE_PROPS}
        props["name"] = REDACTED_NAME
        return Node(node.id, node.kind, MappingProxyType(props))
