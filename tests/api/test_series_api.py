"""Series over real HTTP on both stores, on the seed data: each point is exactly the one-date
query's answer, previous ranks and movers follow from the points, a viewer's series hides what
its one-date queries hide, and bad dates are refused with their name. In process, on a
synthetic network: each point of a series (snapshot stepped, network derived from the point
before) is to the bit what the one-date query gives on a store opened afresh (built in full),
across a quarter where most relationships start."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from api.centrality import service
from api.context import Context
from api.policy import Policy
from api.schema import schema
from graph import snapshot as snapshots
from graph.embedded import EmbeddedStore
from graph.keys import Role
from seeds.reference import reference_changes
from seeds.synthetic import generate
from tests.api.conftest import PRIVILEGED_KEY, Gql
from tests.live import client_for

DATES = ["2019-06-30", "2021-06-30", "2023-06-30", "2025-06-30"]
ENTRY = "rank score node { key }"


def ok(gql: Gql, query: str, key: str | None = PRIVILEGED_KEY, **variables: Any) -> dict:
    body = gql(query, variables, key=key)
    assert "errors" not in body, body
    return body["data"]


def _centrality(gql: Gql, day: str, key: str | None) -> list[tuple[str, float]]:
    data = ok(
        gql,
        f'{{ centrality(measure: PAGERANK, top: 100, filter: {{asOf: "{day}"}}) '
        f"{{ entries {{ {ENTRY} }} }} }}",
        key=key,
    )
    return [(e["node"]["key"], e["score"]) for e in data["centrality"]["entries"]]


@pytest.mark.parametrize("key", [PRIVILEGED_KEY, None])
def test_centrality_series_points_are_the_one_date_rankings(gql: Gql, key: str | None) -> None:
    data = ok(
        gql,
        """query ($dates: [Date!]) {
          centralitySeries(measure: PAGERANK, dates: {dates: $dates}, top: 100, movers: 5) {
            measure revision
            points { asOf rankedNodes entries { rank score previousRank node { key } } }
            gainers { node { key } firstRank lastRank rankChange firstScore lastScore }
            losers { node { key } firstRank lastRank rankChange }
          } }""",
        key=key,
        dates=list(reversed(DATES)),  # sorted by the server
    )["centralitySeries"]
    points = data["points"]
    assert [p["asOf"] for p in points] == DATES
    previous: dict[str, int] = {}
    for point in points:
        alone = _centrality(gql, point["asOf"], key)
        got = [(e["node"]["key"], e["score"]) for e in point["entries"]]
        assert got == alone[: len(got)]
        assert [e["rank"] for e in point["entries"]] == list(range(1, len(got) + 1))
        for e in point["entries"]:
            before = previous.get(e["node"]["key"])
            if before is not None:
                assert e["previousRank"] == before
            elif point is not points[0]:  # below the previous top 100, or not ranked then
                assert e["previousRank"] is None or e["previousRank"] > len(previous)
            else:
                assert e["previousRank"] is None
        previous = {e["node"]["key"]: e["rank"] for e in point["entries"]}
    first = {k: i for i, (k, _) in enumerate(_centrality(gql, DATES[0], key), start=1)}
    last = {k: i for i, (k, _) in enumerate(_centrality(gql, DATES[-1], key), start=1)}
    for move in data["gainers"] + data["losers"]:
        k = move["node"]["key"]
        assert move["rankChange"] == move["firstRank"] - move["lastRank"]
        if k in first and k in last:  # both within the top 100 the one-date queries list
            assert (move["firstRank"], move["lastRank"]) == (first[k], last[k])
    changes = [m["rankChange"] for m in data["gainers"]]
    assert changes == sorted(changes, reverse=True) and all(c > 0 for c in changes)
    losses = [m["rankChange"] for m in data["losers"]]
    assert losses == sorted(losses) and all(c < 0 for c in losses)
    assert data["gainers"] and data["losers"]
    for move in data["gainers"] + data["losers"]:  # a mover is someone this caller may see
        found = gql(f'{{ node(id: "{move["node"]["key"]}") {{ key }} }}', key=key)
        assert found["data"]["node"] is not None, move


def test_a_regular_step_and_the_summary_series(gql: Gql) -> None:
    data = ok(
        gql,
        """{ networkSummarySeries(dates: {from: "2020-01-31", to: "2020-12-31", every: QUARTER})
             { asOf nodes relationships components } }""",
    )["networkSummarySeries"]
    assert [p["asOf"] for p in data] == ["2020-01-31", "2020-04-30", "2020-07-31", "2020-10-31"]
    for point in data:
        alone = ok(
            gql,
            f'{{ networkSummary(filter: {{asOf: "{point["asOf"]}"}}) '
            "{ asOf nodes relationships components } }",
        )["networkSummary"]
        assert alone == point


def test_coverage_series_points_are_the_one_date_matrices(gql: Gql) -> None:
    cells = "cells { suppressed partners gapScore } rows { key } columns { key }"
    data = ok(
        gql,
        f"""query ($dates: [Date!]) {{ coverageSeries(groupBy: [REGION, THEME],
              dates: {{dates: $dates}}, movers: 3) {{
            points {{ asOf matrix {{ {cells} }} }}
            worsened {{ row {{ key }} column {{ key }} firstGap lastGap gapChange }}
            improved {{ gapChange }} }} }}""",
        dates=DATES,
    )["coverageSeries"]
    for point in data["points"]:
        day = point["asOf"]
        alone = ok(
            gql, f'{{ coverageMatrix(groupBy: [REGION, THEME], asOf: "{day}") {{ {cells} }} }}'
        )["coverageMatrix"]
        assert alone == point["matrix"]
    first, last = data["points"][0]["matrix"], data["points"][-1]["matrix"]

    def gap(m: dict, row: str, col: str) -> float:
        i = [r["key"] for r in m["rows"]].index(row)
        j = [c["key"] for c in m["columns"]].index(col)
        return m["cells"][i][j]["gapScore"]

    for move in data["worsened"]:
        row, col = move["row"]["key"], move["column"]["key"]
        assert move["firstGap"] == gap(first, row, col)
        assert move["lastGap"] == gap(last, row, col)
        assert move["gapChange"] > 0
    assert all(m["gapChange"] < 0 for m in data["improved"])
    assert len(data["worsened"]) <= 3


@pytest.mark.parametrize(
    ("dates", "fragment"),
    [
        ('{dates: ["2020-01-01"], every: YEAR}', "either"),
        ('{from: "2020-01-01", every: YEAR}', "all of"),
        ('{from: "2021-01-01", to: "2020-01-01", every: YEAR}', "after"),
        ('{from: "2000-01-01", to: "2020-01-01", every: MONTH}', "at most 24"),
        ("{dates: []}", "at least one"),
    ],
)
def test_bad_dates_are_refused_with_their_name(gql: Gql, dates: str, fragment: str) -> None:
    body = gql(f"{{ networkSummarySeries(dates: {dates}) {{ nodes }} }}", key=PRIVILEGED_KEY)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert fragment in error["message"] and "dates" in error["message"], error


def test_a_series_sets_its_own_dates(gql: Gql) -> None:
    body = gql(
        '{ centralitySeries(measure: DEGREE, dates: {dates: ["2020-01-01"]}, '
        'filter: {asOf: "2020-01-01"}) { revision } }',
        key=PRIVILEGED_KEY,
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "asOf" in body["errors"][0]["message"]


def test_series_exports_serve_the_series_with_etags(api_url: str) -> None:
    client = client_for(api_url)
    auth = {"Authorization": f"Bearer {PRIVILEGED_KEY}"}
    query = "measure=PAGERANK&dates=" + ",".join(DATES) + "&top=5"
    got = client.get(f"/exports/centrality-series.csv?{query}", headers=auth)
    assert got.status_code == 200, got.text
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["as_of"] for r in rows] == [d for d in DATES for _ in range(5)]
    body = client.get(f"/exports/centrality-series.json?{query}", headers=auth).json()
    assert [e["node"]["key"] for e in body["points"][0]["entries"]] == [r["key"] for r in rows[:5]]
    tag = got.headers["etag"]
    again = client.get(
        f"/exports/centrality-series.csv?{query}", headers={**auth, "If-None-Match": tag}
    )
    assert again.status_code == 304 and again.headers["etag"] == tag
    anonymous = client.get(f"/exports/centrality-series.csv?{query}")
    assert anonymous.headers["etag"] != tag  # another view, another tag
    coverage = client.get(
        "/exports/coverage-series.csv?groupBy=REGION,THEME&dates=2023-06-30,2025-06-30"
    )
    assert coverage.status_code == 200, coverage.text
    assert {r["as_of"] for r in csv.DictReader(io.StringIO(coverage.text))} == {
        "2023-06-30",
        "2025-06-30",
    }
    summary = client.get(
        "/exports/network-summary-series.csv?dates=2023-06-30,2025-06-30&projection=co_partnership"
    )
    assert summary.status_code == 200, summary.text
    rows = list(csv.DictReader(io.StringIO(summary.text)))
    assert [(r["as_of"], r["projection"]) for r in rows] == [
        ("2023-06-30", "CO_PARTNERSHIP"),
        ("2025-06-30", "CO_PARTNERSHIP"),
    ]
    assert "largest_component" in rows[0] and int(rows[1]["nodes"]) > 0
    points = client.get(
        "/exports/network-summary-series.json?dates=2023-06-30,2025-06-30&projection=co_partnership"
    ).json()
    assert [p["nodes"] for p in points] == [int(r["nodes"]) for r in rows]
    for bad, name in (("dates=2020-01-01", "measure"), ("measure=NOPE&dates=2020-01-01", None)):
        refused = client.get(f"/exports/centrality-series.csv?{bad}", headers=auth)
        assert refused.status_code == 400, refused.text
        assert name is None or refused.json()["parameter"] == name


async def _cold(path: Path, query: str) -> dict[str, Any]:
    """``query`` on the store at ``path`` opened afresh: nothing cached, everything built."""
    store = EmbeddedStore(path)
    await store.open()
    try:
        service.service_for(store).clear()
        ctx = Context(store=store, policy=Policy(role=Role.ANALYST))
        result = await schema.execute(query, context_value=ctx)
        assert not result.errors, result.errors
        assert result.data is not None
        return result.data
    finally:
        await store.close()


async def test_a_series_is_to_the_bit_its_dates_asked_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "synthetic.db"
    store = EmbeddedStore(path)
    await store.open()
    try:  # every synthetic partnership starts on 1 January: 2022-03-31 changes many
        await store.apply([*reference_changes(), *generate(300, seed=5)])
    finally:
        await store.close()
    projected: list[object] = []
    full = service.analysed_graph

    def counted(*args: Any) -> Any:
        projected.append(args)
        return full(*args)

    monkeypatch.setattr(service, "analysed_graph", counted)
    stepped = snapshots.STATS.stepped
    entries = "scoredNodes rankedNodes entries { rank score node { key } }"
    series = await _cold(
        path,
        "{ centralitySeries(measure: PAGERANK, top: 100, "
        'dates: {from: "2021-06-30", to: "2022-09-30", every: QUARTER}) '
        "{ points { asOf rankedNodes entries { rank score node { key } } } } }",
    )
    points = series["centralitySeries"]["points"]
    assert len(points) == 6
    assert snapshots.STATS.stepped - stepped == 5  # every date after the first stepped
    assert len(projected) == 1  # and its network derived from the one before
    for point in points:
        alone = await _cold(
            path,
            f'{{ centrality(measure: PAGERANK, top: 100, filter: {{asOf: "{point["asOf"]}"}}) '
            f"{{ {entries} }} }}",
        )
        assert point["rankedNodes"] == alone["centrality"]["rankedNodes"]
        assert point["entries"] == alone["centrality"]["entries"]
