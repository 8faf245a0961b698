"""Validation rules that bound an operation's shape: depth, aliases and directives.

Why rules and not checks at execution: validation results are cached per query text
(api/http/document_cache.py), so a shape is measured once per distinct document, and a document
that fails is reported with the other validation errors before anything runs.

Each figure is taken over the operation with fragments expanded as often as they are spread
(ten spreads of a fragment with ten aliases are a hundred aliased fields), but computed with one
memo entry per fragment, so a document built to expand exponentially costs linear time to
measure. Introspection fields (``__schema``, ``__type``) are left to graphql-core's
``MaxIntrospectionDepthRule``: the standard introspection query is deeper than any data query
needs to be, and its fan-out is bounded by the schema, not by the data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

from api.errors import ErrorCode

from .limits import Limits


@dataclass(frozen=True, slots=True)
class Shape:
    depth: int = 0
    aliases: int = 0
    directives: int = 0


class _Measure:
    """Measures selection sets of one document, with one memo entry per fragment.

    A fragment that spreads itself (directly or not) is measured as empty on the repeat:
    graphql-core's ``NoFragmentCyclesRule`` reports the cycle, and this must not loop meanwhile.
    """

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._memo: dict[str, Shape] = {}
        self._open: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None) -> Shape:
        depth = aliases = directives = 0
        if node is None:
            return Shape()
        for selection in node.selections:
            directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                inner = self.selection_set(selection.selection_set)
                depth = max(depth, 1 + inner.depth)
                aliases += inner.aliases + (selection.alias is not None)
                directives += inner.directives
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection kind
                continue
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            directives += inner.directives
        return Shape(depth, aliases, directives)

    def fragment(self, name: str) -> Shape:
        if name in self._memo:
            return self._memo[name]
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return Shape()
        self._open.add(name)
        shape = self.selection_set(definition.selection_set)
        self._open.discard(name)
        own = len(definition.directives or ())
        shape = Shape(shape.depth, shape.aliases, shape.directives + own)
        self._memo[name] = shape
        return shape


def measure(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> Shape:
    """Depth, aliases and directives of ``operation`` with its fragments expanded."""
    inner = _Measure(fragments).selection_set(operation.selection_set)
    return Shape(inner.depth, inner.aliases, inner.directives + len(operation.directives or ()))


@functools.cache
def shape_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule class enforcing ``limits``' depth, aliases and directives (one class
    per ``Limits``, so it can be part of a validation cache key)."""

    bounds = (
        ("depth", limits.max_depth, "nested fields"),
        ("aliases", limits.max_aliases, "aliased fields"),
        ("directives", limits.max_directives, "directives"),
    )

    class ShapeLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self._fragments = {
                d.name.value: d
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> Any:
            shape = measure(node, self._fragments)
            name = f"operation {node.name.value!r}" if node.name else "the operation"
            for attribute, limit, what in bounds:
                value = getattr(shape, attribute)
                if value > limit:
                    self.report_error(
                        GraphQLError(
                            f"{name} has {value} {what} (expanded through its fragments); the "
                            f"limit is {limit}.",
                            node,
                            extensions={
                                "code": ErrorCode.QUERY_TOO_COMPLEX.value,
                                "limit": limit,
                                "value": value,
                                "measure": attribute,
                            },
                        )
                    )
            return False  # the measure walked the whole operation already

    ShapeLimits.__name__ = ShapeLimits.__qualname__ = (
        f"ShapeLimits_{limits.max_depth}_{limits.max_aliases}_{limits.max_directives}"
    )
    return ShapeLimits
