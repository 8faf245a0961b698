"""``MemoryGraph.fork``: a copy that shares the index's inner dicts until either side writes."""

from __future__ import annotations

from graph.memory import MemoryGraph
from graph.model import Node, NodeKind, Relationship, RelType
from graph.store import Direction


def _graph() -> MemoryGraph:
    g = MemoryGraph()
    for node_id in ("p", "a", "b"):
        kind = NodeKind.PROGRAMME if node_id == "p" else NodeKind.COMPANY
        g.put_node(Node(node_id, kind, {"name": node_id}))
    g.put_relationship(Relationship("r1", RelType.PARTNERS_IN, "a", "p", {"role": "FUNDING"}))
    return g


def _partners(g: MemoryGraph) -> list[str]:
    return [e.node.id for e in g.neighbours(["p"], [RelType.PARTNERS_IN], Direction.IN, None)["p"]]


def test_writes_to_either_side_do_not_show_in_the_other() -> None:
    live = _graph()
    past = live.fork()
    live.put_node(Node("c", NodeKind.COMPANY, {"name": "c"}))
    live.put_relationship(Relationship("r2", RelType.PARTNERS_IN, "b", "p", {"role": "FUNDING"}))
    live.put_relationship(Relationship("r3", RelType.PARTNERS_IN, "c", "p", {"role": "FUNDING"}))
    assert _partners(live) == ["a", "b", "c"]
    assert _partners(past) == ["a"]
    assert "c" not in past.nodes and past.counts_by_kind()[NodeKind.COMPANY] == 2
    past.remove_relationship("r1")
    past.remove_node("a")
    assert _partners(past) == []
    assert _partners(live) == ["a", "b", "c"] and "a" in live.nodes
    again = live.fork()  # a fork of a graph that was forked before
    live.remove_relationship("r2")
    assert _partners(again) == ["a", "b", "c"] and _partners(live) == ["a", "c"]
