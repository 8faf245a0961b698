"""The Neo4j store (docs/NEO4J.md), one idea a module:

- :mod:`graph.neo4j.store`: :class:`Neo4jStore`, the ``GraphStore`` over a driver it is given;
- :mod:`graph.neo4j.driver`: :func:`create_driver`, who closes a driver, and the store's
  sessions and transactions (:class:`~graph.neo4j.driver.Database`);
- :mod:`graph.neo4j.schema`: constraints, indexes and tokens, ensured once;
- :mod:`graph.neo4j.reads` and :mod:`graph.neo4j.writes`: what runs inside a transaction;
- :mod:`graph.neo4j.history`: change sets, written with each write and read back;
- :mod:`graph.neo4j.results`: running a statement in a transaction and decoding its rows;
- :mod:`graph.neo4j.faults` and :mod:`graph.neo4j.redact`: driver failures as
  :mod:`graph.errors`, one line each, with the password scrubbed.

Every Cypher statement is in :mod:`graph.cypher`.
"""

from graph.neo4j.driver import create_driver
from graph.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore", "create_driver"]
