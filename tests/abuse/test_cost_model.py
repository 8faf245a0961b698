"""The cost model's documented examples (docs/SECURITY.md, "Cost model"), computed on the real
schema, and the properties an attacker would probe: aliases, fragments, variables."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FragmentDefinitionNode, get_operation_ast, parse
from graphql.execution.values import get_variable_values

from api.guard import operation_cost
from api.schema import schema

PARTNERS = (
    "partners(first: 100) { edges { node { ... on Actor { programmes(first: 100) "
    "{ edges { node { %s } } } } } } }"
)


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    gql = schema._schema
    coerced = get_variable_values(gql, operation.variable_definitions or (), variables or {})
    assert not isinstance(coerced, list), coerced
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return operation_cost(gql, operation, fragments, coerced)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ actors(first: 100) { edges { node { name } } } }", 101),
        ("{ health { status } countsByKind { kind count } }", 0),
        ("{ centrality(measure: PAGERANK, top: 20) { entries { score node { name } } } }", 70),
        ("{ centrality(measure: BETWEENNESS, top: 20) { entries { node { key } } } }", 1020),
        ('{ node(id: "p") { ... on Programme { %s } } }' % (PARTNERS % "name"), 10_202),
        ("{ __schema { queryType { name } } }", 100),
    ],
)
def test_documented_examples(query: str, expected: int) -> None:
    assert cost(query) == expected


def test_nesting_multiplies() -> None:
    two = '{ node(id: "p") { ... on Programme { %s } } }' % (PARTNERS % (PARTNERS % "name"))
    assert cost(two) > 10**8


def test_aliases_and_fragments_count_as_often_as_they_appear() -> None:
    one = cost("{ actors(first: 10) { edges { node { name } } } }")
    assert (
        cost(
            "{ a: actors(first: 10) { edges { node { name } } } "
            "b: actors(first: 10) { edges { node { name } } } }"
        )
        == 2 * one
    )
    spread = "{ a: actors(first: 10) { ...P } b: actors(first: 10) { ...P } } "
    assert cost(spread + "fragment P on ActorConnection { edges { node { name } } }") == 2 * one


def test_variables_are_priced_with_their_values() -> None:
    query = "query Q($n: Int!) { actors(first: $n) { edges { node { name } } } }"
    assert cost(query, {"n": 5}) == 6
    assert cost(query, {"n": 100}) == 101
    # Above the page limit the resolver refuses the argument; the price stays at the cap.
    assert cost(query, {"n": 10**6}) == 101
