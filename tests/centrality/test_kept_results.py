"""A write the analysed network does not hold (need weights) keeps the network and every
result computed on it; a write it holds computes afresh. Both stores."""

from __future__ import annotations

import networkx as nx

from api.centrality.params import NetworkParams
from api.centrality.service import AnalysisService
from graph.model import WeightScope
from graph.store import GraphStore
from tests.factories import rel, small_graph


async def test_results_outlive_a_write_the_network_does_not_hold(store: GraphStore) -> None:
    await store.apply(small_graph())
    service = AnalysisService(store)
    computed: list[int] = []

    def compute(graph: nx.Graph) -> int:
        computed.append(len(graph))
        return graph.number_of_edges()

    params = NetworkParams()
    first, edges = await service.analyse(params, "edges", compute)
    await store.set_need_weights({(WeightScope.REGION, "Africa"): 2.0})
    second, same = await service.analyse(params, "edges", compute)
    assert second > first  # answered for the revision the weights made
    assert (same, len(computed)) == (edges, 1)  # from the result kept
    partnership = rel("PARTNERS_IN", "cso-3", "prog-a", role="ADVISORY", since="2023-01-01")
    await store.apply([partnership])
    third, more = await service.analyse(params, "edges", compute)
    assert third > second
    assert (more, len(computed)) == (edges + 1, 2)
