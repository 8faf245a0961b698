"""Analytics: pure functions over a graph, ``graph in, plain result out``.

networkx is the vocabulary (a snapshot is a frozen ``networkx.MultiDiGraph``), numpy, scipy,
rustworkx and NetworKit do the work underneath. Nothing here reads a store, knows a caller or
speaks GraphQL: of :mod:`graph` only the model and snapshot types are imported, refusals are
:mod:`analytics.errors`, and the API decides what to show to whom. docs/ARCHITECTURE.md lists
the modules.

Examples
--------
>>> import networkx as nx
>>> from analytics import structure
>>> structure.connected_components(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")]))
[['c', 'd', 'e'], ['a', 'b']]
"""
