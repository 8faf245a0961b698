"""GraphQL area: centrality. The root schema merges QUERIES and MUTATIONS; the app mounts ROUTES.

Network analytics over GraphQL: centrality rankings, the network summary, communities,
brokers, articulation points and bridges, single points of failure and what-if removals
(``queries``), on the full graph or the co-partnership projection, filtered and as of a date.
Results are cached per (revision, parameters) and computed once, off the event loop
(``service``). Rankings over the interactive work budget run as analysis jobs in child
processes (``jobs``, ``job_fields``; the machinery is :mod:`api.jobs`). The measures live in
:mod:`analytics`; docs/METRICS.md explains them and shows the queries.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from api.centrality.graph_view import NetworkGraphQuery
from api.centrality.job_fields import JobMutation, JobQuery
from api.centrality.queries import CentralityQuery

QUERIES: list[type] = [CentralityQuery, NetworkGraphQuery, JobQuery]
MUTATIONS: list[type] = [JobMutation]
ROUTES: list[BaseRoute] = []
