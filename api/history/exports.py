"""Series as CSV and JSON at plain HTTP endpoints, for BI tools.

``GET /exports/centrality-series.csv?measure=PAGERANK&from=2022-09-30&to=2024-06-30&every=QUARTER``,
``GET /exports/coverage-series.csv?groupBy=REGION,THEME&dates=2024-03-31,2024-06-30`` and
``GET /exports/network-summary-series.csv?from=2022-09-30&to=2024-06-30&every=QUARTER`` (or
``.json``) serve what ``centralitySeries``, ``coverageSeries`` and ``networkSummarySeries``
answer, for the same caller
(``Authorization: Bearer KEY``), by running that very GraphQL field: one definition of a
series, its checks and its policy. Every response carries an ``ETag`` of the graph revision
and a hash of the parameters and caller view; ``If-None-Match`` holding it gets ``304`` with
nothing computed.

Parameters: ``dates`` (comma-separated days) or ``from``, ``to`` and ``every`` (MONTH,
QUARTER, YEAR); ``knownAt``; for centrality ``measure`` (required), ``top``, ``projection``;
for coverage ``groupBy`` (required, comma-separated) and ``geography``; for the network
summary ``projection``. A bad one is a ``400``
with the GraphQL error's message.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from api.context import Context
from api.coverage.exports import caller_policy, etag_matches

CENTRALITY = """
query ($measure: CentralityMeasure!, $dates: SeriesDatesInput!, $top: Int!,
       $projection: NetworkProjection!, $knownAt: KnownAt) {
  centralitySeries(measure: $measure, dates: $dates, top: $top, projection: $projection,
                   knownAt: $knownAt) {
    measure projection revision
    points { asOf rankedNodes
      entries { rank previousRank score node { key kind name } } }
    gainers { node { key name } firstRank lastRank rankChange }
    losers { node { key name } firstRank lastRank rankChange }
  }
}
"""
COVERAGE = """
query ($groupBy: [CoverageDimension!]!, $dates: SeriesDatesInput!,
       $geography: CoverageGeography!, $knownAt: KnownAt) {
  coverageSeries(groupBy: $groupBy, dates: $dates, geography: $geography, knownAt: $knownAt) {
    revision
    points { asOf matrix { rows { key label } columns { key label }
      cells { suppressed partners partnerships engagementIndex need gapScore } } }
    worsened { row { key } column { key } firstGap lastGap gapChange }
    improved { row { key } column { key } firstGap lastGap gapChange }
  }
}
"""

NETWORK = """
query ($dates: SeriesDatesInput!, $projection: NetworkProjection!, $knownAt: KnownAt) {
  networkSummarySeries(dates: $dates, projection: $projection, knownAt: $knownAt) {
    asOf projection revision nodes relationships links density components largestComponent
    isolates averageClustering diameter
  }
}
"""
#: The CSV columns of a network summary series: its fields, in snake case.
_NETWORK_FIELDS = (
    "asOf", "projection", "nodes", "relationships", "links", "density", "components",
    "largestComponent", "isolates", "averageClustering", "diameter",
)  # fmt: skip


class _Bad(Exception):
    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def _dates(params: Mapping[str, str]) -> dict[str, Any]:
    if "dates" in params:
        return {"dates": [d.strip() for d in params["dates"].split(",") if d.strip()]}
    return {"from": params.get("from"), "to": params.get("to"), "every": params.get("every")}


def _known_at(params: Mapping[str, str]) -> int | str | None:
    raw = params.get("knownAt")
    return int(raw) if raw is not None and raw.isdigit() else raw


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 6:
        raise _Bad("must be a whole number", name)
    return int(raw)


def _centrality_variables(params: Mapping[str, str]) -> dict[str, Any]:
    if "measure" not in params:
        raise _Bad("is required", "measure")
    return {
        "measure": params["measure"].upper(),
        "dates": _dates(params),
        "top": _int(params, "top", 10),
        "projection": params.get("projection", "FULL").upper(),
        "knownAt": _known_at(params),
    }


def _coverage_variables(params: Mapping[str, str]) -> dict[str, Any]:
    if "groupBy" not in params:
        raise _Bad("is required", "groupBy")
    return {
        "groupBy": [g.strip().upper() for g in params["groupBy"].split(",") if g.strip()],
        "dates": _dates(params),
        "geography": params.get("geography", "PARTNER").upper(),
        "knownAt": _known_at(params),
    }


def _network_variables(params: Mapping[str, str]) -> dict[str, Any]:
    return {
        "dates": _dates(params),
        "projection": params.get("projection", "FULL").upper(),
        "knownAt": _known_at(params),
    }


def _network_csv(data: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([re.sub(r"(?<!^)(?=[A-Z])", "_", f).lower() for f in _NETWORK_FIELDS])
    for point in data:
        w.writerow([point[f] for f in _NETWORK_FIELDS])
    return out.getvalue()


def _centrality_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["as_of", "rank", "previous_rank", "key", "kind", "name", "score"])
    for point in data["points"]:
        for e in point["entries"]:
            node = e["node"]
            w.writerow(
                [point["asOf"], e["rank"], e["previousRank"], node["key"], node["kind"],
                 node["name"], e["score"]]
            )  # fmt: skip
    return out.getvalue()


def _coverage_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["as_of", "row", "column", "suppressed", "partners", "partnerships",
                "engagement_index", "need", "gap_score"])  # fmt: skip
    for point in data["points"]:
        m = point["matrix"]
        for row, cells in zip(m["rows"], m["cells"], strict=True):
            for column, c in zip(m["columns"], cells, strict=True):
                w.writerow(
                    [point["asOf"], row["key"], column["key"], c["suppressed"], c["partners"],
                     c["partnerships"], c["engagementIndex"], c["need"], c["gapScore"]]
                )  # fmt: skip
    return out.getvalue()


_KINDS: Mapping[str, tuple[str, str, Callable[..., dict[str, Any]], Callable[..., str]]] = {
    "centrality": (CENTRALITY, "centralitySeries", _centrality_variables, _centrality_csv),
    "coverage": (COVERAGE, "coverageSeries", _coverage_variables, _coverage_csv),
    "network-summary": (NETWORK, "networkSummarySeries", _network_variables, _network_csv),
}


def _endpoint(kind: str, fmt: str) -> Callable[[Request], Any]:
    document, field, variables_of, to_csv = _KINDS[kind]

    async def export(request: Request) -> Response:
        from api.schema import schema  # at call time: the schema imports this area

        store = request.app.state.store
        policy = caller_policy(request)
        params = dict(request.query_params)
        try:
            variables = variables_of(params)
        except _Bad as err:
            return JSONResponse({"error": str(err), "parameter": err.parameter}, status_code=400)
        headers = {"Cache-Control": "private, no-cache", "Vary": "Authorization"}
        basis = json.dumps([kind, fmt, variables, str(policy.role), policy.suppression_k])
        tag = f'"{await store.revision()}-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"'
        if etag_matches(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers={**headers, "ETag": tag})
        caller = request.scope["state"]["caller"]
        ctx = Context(store=store, policy=policy, caller=caller.identity, caller_name=caller.name)
        result = await schema.execute(document, variable_values=variables, context_value=ctx)
        if result.errors:
            first = result.errors[0]
            code = (first.extensions or {}).get("code")
            status = 403 if code == "FORBIDDEN" else 400
            return JSONResponse({"error": first.message, "code": code}, status_code=status)
        assert result.data is not None
        data = result.data[field]
        headers["ETag"] = tag
        if fmt == "csv":
            headers["Content-Disposition"] = f'inline; filename="{kind}-series.csv"'
            return Response(to_csv(data), media_type="text/csv; charset=utf-8", headers=headers)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return Response(body, media_type="application/json", headers=headers)

    return export


ROUTES: list[BaseRoute] = [
    Route(f"/exports/{kind}-series.{fmt}", _endpoint(kind, fmt), methods=["GET"])
    for kind in _KINDS
    for fmt in ("csv", "json")
]
