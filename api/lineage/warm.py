"""Keep the flow indexes in use compiled for the current revision.

Why: every lineage question reads a flow index compiled once per revision (see
:mod:`analytics.lineage.flow_index`), and on a large graph compiling takes seconds (about 2 s
for the 100,000-node synthetic graph on the embedded store, plus the read from Neo4j). Without this,
the first question after every write waits for it. The revision is polled rather than hooked
to this process's writes, so writes by another replica or the CLI on a shared Neo4j database
are caught too. Only indexes this process has used are rebuilt, so a server nobody asks for
lineage never pays for them.
"""

from __future__ import annotations

import asyncio
import logging

from api.lineage.cache import index_for, indexes_used
from graph.errors import GraphError
from graph.store import GraphStore

log = logging.getLogger("partnernet")


async def keep_warm(store: GraphStore, interval: float) -> None:
    """Every ``interval`` seconds, rebuild for the current revision each index used before.

    Runs until cancelled; store errors are logged and retried at the next tick (the store may
    be down for a while, which ``/readyz`` reports).
    """
    while True:
        await asyncio.sleep(interval)
        for as_of, min_share in indexes_used(store):
            try:
                await index_for(store, as_of, min_share)
            except GraphError as err:
                log.warning("lineage index not rebuilt: %s", err)
                break
