"""Both stores answer every lineage query identically: the same GraphQL documents go to an
embedded-store server and a Neo4j-store server over the same seed data, and the JSON answers
must be equal, floats and orders included. The Neo4j half needs ``NEO4J_URI`` (CI sets it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import neo4j_config
from tests.lineage.conftest import STAFF_KEY, Api, live_api, load_seed

FIELDS = "id key name kind ... on Actor { redacted }"
NODE = f"node {{ {FIELDS} }}"
PATHS = f"truncated paths {{ share length relationshipIds nodes {{ {FIELDS} }} }}"
LINKS = (
    "id kind side factor share confidence evidenceDate role since until source "
    f"start {{ {FIELDS} }} end {{ {FIELDS} }}"
)
DOCUMENTS = {
    "lineage-both": f"""{{ outcomeLineage(outcome: "out-malaga-call", direction: BOTH, depth: 6)
        {{ outcome {{ key }} nodes(first: 100) {{ totalCount edges {{ cursor node {{
             kind side hops share level {NODE} }} }} }}
           links(first: 100) {{ totalCount edges {{ cursor node {{ {LINKS} }} }} }}
           paths(first: 100) {{ {PATHS} }} }} }}""",
    "lineage-deep": f"""{{ outcomeLineage(outcome: "out-gcts", depth: 10) {{
           nodes(first: 100) {{ totalCount pageInfo {{ endCursor }}
             edges {{ node {{ side hops share {NODE} }} }} }}
           links(first: 50) {{ totalCount edges {{ node {{ id factor }} }} }}
           paths(first: 50) {{ {PATHS} }} }} }}""",
    "lineage-dated": """{ outcomeLineage(outcome: "out-vt-capacity", asOf: "2021-06-30",
          minShare: 0.1, depth: 4) {
           nodes(first: 100) { totalCount edges { node { hops share node { key } } } }
           paths(first: 20) { truncated paths { share nodes { key } } } } }""",
    "contributions": f"""{{ contributions(actor: "cso-0130") {{ actor {{ key name }}
           outcomes(first: 100) {{ totalCount edges {{ cursor node {{
             outcome {{ key }} level hops share paths(first: 10) {{ {PATHS} }} }} }} }} }} }}""",
    "contributions-state": """{ contributions(actor: "ZAF", depth: 10) {
           outcomes(first: 100) { totalCount edges { node { outcome { key } share } } } } }""",
    "impact": f"""{{ programmeImpact(programme: "prog-vt") {{ byLevel {{ level count }}
           evidence {{ links withSource withEvidenceDate coverage
                       byConfidence {{ confidence count }} }}
           outcomes(first: 100) {{ totalCount edges {{ node {{ outcome {{ key }} share
             paths(first: 5) {{ {PATHS} }} }} }} }}
           partners(first: 100) {{ totalCount edges {{ cursor node {{
             actor {{ {FIELDS} }} roles weight share }} }} }} }} }}""",
    "impact-big": """{ programmeImpact(programme: "prog-jpoa-central-asia", asOf: "2024-01-01") {
           byLevel { level count } evidence { links withSource coverage }
           partners(first: 100) { totalCount pageInfo { endCursor }
             edges { node { actor { key name } roles weight share } } } } }""",
    "issues": """{ lineageIssues { counts { kind count }
           issues(first: 100) { totalCount pageInfo { endCursor hasNextPage }
             edges { node { kind relationshipId message node { key } } } } } }""",
}


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Api]]:
    neo4j_config()  # skips (or fails in CI) without a Neo4j server
    with (
        live_api("embedded", tmp_path_factory.mktemp("e") / "g.db", load_seed) as embedded,
        live_api("neo4j", tmp_path_factory.mktemp("n") / "g.db", load_seed) as neo4j,
    ):
        yield embedded, neo4j


@pytest.mark.parametrize("key", [None, STAFF_KEY], ids=["public", "staff"])
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_both_stores_answer_identically(apis: tuple[Api, Api], name: str, key: str | None) -> None:
    embedded, neo4j = apis
    expected = embedded.data(DOCUMENTS[name], key=key)
    assert neo4j.data(DOCUMENTS[name], key=key) == expected
