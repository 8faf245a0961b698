"""The GraphQL enums of the centrality area mirror what they stand for."""

from __future__ import annotations

from api.centrality import types as t
from api.centrality.analyses import Measure
from api.centrality.params import Projection
from graph.model import RelType


def test_enums_mirror_the_model_and_the_analyses() -> None:
    gql_enum, model_enum = t.RELATIONSHIP_MIRROR
    assert {m.value for m in gql_enum} == {m.value for m in model_enum} == set(RelType)
    assert set(t.MEASURES.values()) == set(Measure)
    assert set(t.PROJECTIONS.values()) == set(Projection)
