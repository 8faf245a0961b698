"""setNeedWeights over real HTTP, both stores: staff only, all or nothing, every problem
named by its input field, and a change of weights is a new revision for every cache."""

from __future__ import annotations

from tests.coverage.conftest import Gql, get

SET = """mutation($input: SetNeedWeightsInput!) { setNeedWeights(input: $input) {
  revision needWeights { scope key weight } userErrors { field message code } } }"""
WEIGHTS = "{ needWeights { scope key weight } health { revision } }"
GAP = """{ coverageMatrix(groupBy: [REGION], asOf: "2025-06-30", select: {regions: ["Oceania"]})
  { revision cells { need gapScore engagementIndex } } }"""


def weights(gql: Gql) -> list[dict]:
    return gql(WEIGHTS)["data"]["needWeights"]


def test_only_staff_may_set_weights(gql_writable: Gql) -> None:
    body = gql_writable(
        SET, {"input": {"weights": [{"scope": "REGION", "key": "Africa", "weight": 2}]}}
    )
    payload = body["data"]["setNeedWeights"]
    assert payload["revision"] is None and payload["needWeights"] is None
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert weights(gql_writable) == []


def test_every_problem_is_reported_and_nothing_is_written(gql_writable: Gql, staff: str) -> None:
    bad = [
        {"scope": "COUNTRY", "key": "KEN", "weight": 2},
        {"scope": "COUNTRY", "key": "XXX", "weight": 2},
        {"scope": "REGION", "key": "Asia", "weight": -1},
        {"scope": "THEME", "key": "theme-unicorns", "weight": 1},
        {"scope": "COUNTRY", "key": "KEN", "weight": 3},
        {"scope": "SUBREGION", "key": "Atlantis", "weight": 1},
    ]
    payload = gql_writable(SET, {"input": {"weights": bad}}, key=staff)["data"]["setNeedWeights"]
    assert payload["revision"] is None
    problems = {tuple(e["field"]): e["code"] for e in payload["userErrors"]}
    assert problems == {
        ("input", "weights", "1", "key"): "INVALID",
        ("input", "weights", "2", "weight"): "INVALID",
        ("input", "weights", "4", "key"): "INVALID",
        ("input", "weights", "5", "key"): "INVALID",
        ("input", "weights", "3", "key"): "NOT_FOUND",
    }
    assert weights(gql_writable) == []


def test_weights_change_need_gap_and_revision(
    gql_writable: Gql, writable_url: str, staff: str
) -> None:
    before = gql_writable(GAP)["data"]["coverageMatrix"]
    params = {"groupBy": "region", "asOf": "2025-06-30"}
    tag = get(writable_url, "/exports/coverage.csv", params).headers["etag"]
    new = [
        {"scope": "REGION", "key": "Oceania", "weight": 3},
        {"scope": "THEME", "key": "theme-pcve", "weight": 1.5},
    ]
    payload = gql_writable(SET, {"input": {"weights": new}}, key=staff)["data"]["setNeedWeights"]
    assert payload["userErrors"] == []
    assert payload["revision"] > before["revision"]
    assert payload["needWeights"] == [
        {"scope": "REGION", "key": "Oceania", "weight": 3.0},
        {"scope": "THEME", "key": "theme-pcve", "weight": 1.5},
    ]
    after = gql_writable(GAP)["data"]["coverageMatrix"]
    assert after["revision"] == payload["revision"]
    old, cell = before["cells"][0][0], after["cells"][0][0]
    assert old["need"] == 1.0 and cell["need"] == 3.0
    if old["gapScore"]:
        assert cell["gapScore"] == 3.0 * old["gapScore"]
    # a new revision: the old ETag no longer matches
    again = get(writable_url, "/exports/coverage.csv", params, **{"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["etag"] != tag
    # merging keeps the others; replace drops them
    merge = [{"scope": "COUNTRY", "key": "FJI", "weight": 2}]
    gql_writable(SET, {"input": {"weights": merge}}, key=staff)
    assert len(weights(gql_writable)) == 3
    gql_writable(SET, {"input": {"weights": merge, "replace": True}}, key=staff)
    assert weights(gql_writable) == [{"scope": "COUNTRY", "key": "FJI", "weight": 2.0}]
