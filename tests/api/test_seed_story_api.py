"""The seed's story (seeds/README.md) as the analyses tell it, on both stores, over HTTP.

Each test pins one designed finding (communities, the designed brokers, single point of
failure and isolates, the designed coverage gaps; the seed's structure itself is pinned in
tests/test_seed_story.py), so a
change to the generator that flattens the story fails here instead of making every analysis
look meaningless. Figures are read from the API and compared with the designed facts of
``seeds.illustrative``, never with numbers copied from a run.
"""

from __future__ import annotations

import base64

from seeds.illustrative import AS_OF, BROKERS, PACIFIC_GROUP, PACIFIC_NETWORK, UNENGAGED
from tests.api.conftest import PRIVILEGED_KEY, Gql


def _data(gql: Gql, query: str, key: str | None = PRIVILEGED_KEY) -> dict:
    body = gql(query, key=key)
    assert "errors" not in body, body
    return body["data"]


def _key(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]


def test_communities_are_clear(gql: Gql) -> None:
    query = "{ communities(top: 100) { modularity count singletons communities { size } } }"
    got = _data(gql, query)["communities"]
    assert got["modularity"] >= 0.3
    sizes = [c["size"] for c in got["communities"]]
    assert got["singletons"] >= len(UNENGAGED)  # the isolates, one each
    assert len(sizes) == min(100, got["count"]) and sizes == sorted(sizes, reverse=True)
    # Several thematic communities of comparable size, not one near-clique.
    assert sum(s >= 20 for s in sizes) >= 4 and sizes[0] < 2 * sizes[3]


def test_designed_brokers_rank_high(gql: Gql) -> None:
    ranking = _data(
        gql,
        "{ centrality(measure: BETWEENNESS, projection: CO_PARTNERSHIP, top: 10) "
        "{ entries { node { id } } } }",
    )["centrality"]["entries"]
    top = [_key(e["node"]["id"]) for e in ranking]
    assert set(BROKERS) <= set(top)
    assert set(top[:2]) <= set(BROKERS)


def test_designed_single_point_of_failure_is_found(gql: Gql) -> None:
    spof = _data(
        gql,
        "{ singlePointsOfFailure(projection: CO_PARTNERSHIP) "
        "{ entries { node { id } cutOffActors } } }",
    )["singlePointsOfFailure"]["entries"]
    cut = {_key(e["node"]["id"]): e["cutOffActors"] for e in spof}
    assert cut.get(PACIFIC_NETWORK) == len(PACIFIC_GROUP)


def test_registered_but_unengaged_actors_are_isolates(gql: Gql) -> None:
    query = """{ networkSummary(projection: CO_PARTNERSHIP,
        filter: {kinds: [CIVIL_SOCIETY_ORGANIZATION]}) { nodes isolates } }"""
    summary = _data(gql, query)["networkSummary"]
    csos = _data(gql, "{ civilSocietyOrganizations { totalCount } }")
    assert summary["nodes"] == csos["civilSocietyOrganizations"]["totalCount"]
    assert summary["isolates"] >= len(UNENGAGED)


def test_designed_coverage_gaps_are_found(gql: Gql) -> None:
    ranked = _data(
        gql,
        f"""{{ underEngagedCells(groupBy: [REGION, THEME], asOf: "{AS_OF}", first: 10)
        {{ edges {{ node {{ header {{ values {{ key }} }} }} }} }} }}""",
    )["underEngagedCells"]["edges"]
    cells = [[v["key"] for v in e["node"]["header"]["values"]] for e in ranked]
    assert len(cells) == 10
    # Oceania and prisons (prevention of violent extremism in prisons) are thin by design.
    assert all(region == "Oceania" or theme == "theme-prisons" for region, theme in cells)
    gaps = _data(
        gql,
        f"""{{ stakeholderGaps(groupBy: [REGION], asOf: "{AS_OF}",
        types: [CSO_YOUTH, CSO_WOMEN, CSO_VICTIMS_ASSOCIATIONS]) {{ edges {{ node {{
        header {{ key }} missing {{ key }} }} }} }} }}""",
    )["stakeholderGaps"]["edges"]
    missing = {e["node"]["header"]["key"]: {m["key"] for m in e["node"]["missing"]} for e in gaps}
    assert "CSO_VICTIMS_ASSOCIATIONS" in missing.get("Oceania", set())
