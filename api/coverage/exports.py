"""Coverage as CSV and JSON at plain HTTP endpoints, for BI tools.

``GET /exports/coverage.csv?groupBy=region,theme&asOf=2025-06-30`` (or ``.json``) serves the
same matrix as the ``coverageMatrix`` GraphQL field, with the same caller view: send
``Authorization: Bearer KEY`` to see small counts. Every response carries an ``ETag`` made of
the graph revision and a hash of the parameters and caller view; a request whose
``If-None-Match`` holds it gets ``304 Not Modified`` without any computation, so a BI tool
polling every minute costs one revision lookup while nothing changes.

Parameters (lists comma-separated): ``groupBy`` (required; a dimension may be spelled as the
GraphQL enum value ``ACTOR_KIND``, in camelCase ``actorKind`` or as ``actor_kind``), ``asOf``
or ``start`` + ``end``, ``geography`` (PARTNER, TARGET), ``targetIndex``, ``breakdown``
(true: partners per actor kind), and selections of grouped dimensions: ``region``,
``subregion``, ``country``, ``theme``, ``actorKind``, ``stakeholderType``. Each has the
documented range of its GraphQL counterpart (api/input_ranges.py); ``actorKind`` also takes
the GraphQL spelling of node kinds.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from analytics import coverage_report as report
from analytics.coverage import KIND_ORDER, TOTAL, TOTAL_LABEL, Dimension, GeographyBasis
from api import input_ranges as ranges
from api.coverage.params import (
    BadParameter,
    MatrixRequest,
    caller_k,
    group_by_of,
    matrix_query,
    window_for,
)
from api.coverage.service import service_for
from api.policy import Policy
from graph.model import NodeKind

_SELECTIONS: Mapping[str, Dimension] = {
    "region": Dimension.REGION,
    "subregion": Dimension.SUBREGION,
    "country": Dimension.COUNTRY,
    "theme": Dimension.THEME,
    "actorKind": Dimension.ACTOR_KIND,
    "stakeholderType": Dimension.STAKEHOLDER_TYPE,
}
#: The GraphQL name of each selection (``CoverageSelectionInput``), whose documented range
#: (api/input_ranges.py) the parameter shares.
_RANGE_NAMES: Mapping[str, str] = {
    "region": "regions",
    "subregion": "subregions",
    "country": "countries",
    "theme": "themes",
    "actorKind": "actorKinds",
    "stakeholderType": "stakeholderTypes",
}
_KNOWN = frozenset(
    {"groupBy", "asOf", "start", "end", "geography", "targetIndex", "breakdown", *_SELECTIONS}
)
_FIGURES = (
    "partners",
    "partnerships",
    "programmes",
    "activities",
    "funding_usd",
    "last_activity",
    "engagement_index",
    "need",
    "gap_score",
)


def caller_policy(request: Request) -> Policy:
    """The caller's policy, decided by the app in one place (``app.state.policy_for``)."""
    decide: Callable[[Request], Policy] = request.app.state.policy_for
    return decide(request)


def _refuse(name: str, problem: str | None) -> None:
    if problem is not None:
        raise BadParameter(name, problem)


def _date(params: Mapping[str, str], name: str) -> dt.date | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        day = ranges.parse_date(raw)
    except ValueError as err:
        raise BadParameter(name, str(err)) from None
    _refuse(name, ranges.date_problem(day))
    return day


def _list(params: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list parameter, in the range of its GraphQL counterpart."""
    values = [v.strip() for v in params[name].split(",") if v.strip()]
    range_name = _RANGE_NAMES.get(name, name)
    _refuse(name, ranges.items_problem(range_name, values))
    for value in values:
        _refuse(name, ranges.text_problem(range_name, value))
    if name == "actorKind":  # GraphQL spells node kinds as enum names (CIVIL_SOCIETY_ORGANIZATION)
        values = [NodeKind[v].value if v in NodeKind.__members__ else v for v in values]
    return values


#: A lower-case letter or digit followed by a capital: where a camelCase word breaks.
_CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _dimension_names(values: list[str]) -> list[str]:
    """``groupBy`` values in every spelling the API uses for one dimension: the GraphQL enum
    value (``ACTOR_KIND``), its camelCase field-style name (``actorKind``, as the selection
    parameter is spelled) and snake_case (``actor_kind``, as the CSV header is), in any case."""
    return [_CAMEL_BREAK.sub("_", v) for v in values]


def _target_index(params: Mapping[str, str]) -> float | None:
    raw = params.get("targetIndex")
    if not raw:
        return None
    try:
        target = float(raw)
    except ValueError:
        raise BadParameter("targetIndex", "must be a number") from None
    _refuse("targetIndex", ranges.number_problem("targetIndex", target))
    return target


def parse(params: Mapping[str, str], policy: Policy) -> MatrixRequest:
    unknown = sorted(set(params) - _KNOWN)
    if unknown:
        raise BadParameter(unknown[0], f"unknown parameter; known: {', '.join(sorted(_KNOWN))}")
    if "groupBy" not in params:
        raise BadParameter("groupBy", "required, e.g. groupBy=region,theme")
    group_by = group_by_of(_dimension_names(_list(params, "groupBy")))
    window = window_for(_date(params, "asOf"), _date(params, "start"), _date(params, "end"))
    try:
        basis = GeographyBasis(params.get("geography", "PARTNER").upper())
    except ValueError:
        raise BadParameter("geography", "must be PARTNER or TARGET") from None
    target = _target_index(params)
    breakdown = params.get("breakdown", "false").lower()
    if breakdown not in ("true", "false"):
        raise BadParameter("breakdown", "must be true or false")
    selection = {dim: _list(params, name) for name, dim in _SELECTIONS.items() if name in params}
    for name, dim in _SELECTIONS.items():
        if name in params and dim not in group_by:
            raise BadParameter(name, f"selects {dim} values, so groupBy must include {dim}")
    query = matrix_query(group_by, selection, target, breakdown=breakdown == "true")
    return MatrixRequest(query, window, basis, caller_k(policy))


def etag(revision: int, fmt: str, req: MatrixRequest) -> str:
    """``"<revision>-<hash>"``: the revision changes with every write, the hash with every
    parameter and with the caller's view (privileged callers see other figures)."""
    q = req.query
    basis = "|".join(
        [
            fmt,
            ",".join(q.group_by),
            ";".join(f"{d}={','.join(sorted(v))}" for d, v in q.selection),
            repr(q.target_index),
            str(q.breakdown),
            req.window.start.isoformat(),
            req.window.end.isoformat(),
            req.window.activity_start.isoformat(),
            req.basis,
            repr(req.k),
        ]
    )
    return f'"{revision}-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"'


def etag_matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    tags = [v.strip().removeprefix("W/") for v in header.split(",")]
    return "*" in tags or tag in tags


# --------------------------------------------------------------------------- rendering


def _number(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _figures(cell: report.Cell) -> list[Any]:
    return [
        cell.partners,
        cell.partnerships,
        cell.programmes,
        cell.activities,
        cell.funding,
        None if cell.last_activity is None else cell.last_activity.isoformat(),
        _number(cell.engagement_index),
        _number(cell.need),
        _number(cell.gap),
    ]


def to_csv(m: report.Matrix, breakdown: bool) -> str:
    """One line per cell, then per row total, column total and the grand total (key '*').

    Hidden figures are empty with ``suppressed`` true; 0 is always a real 0.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    dims = [d.lower() for d in m.group_by]
    head = [c for d in dims for c in (d, f"{d}_label")]
    head += ["suppressed", *_FIGURES]
    if breakdown:
        head += [f"partners_{k.value}" for k in KIND_ORDER]
    writer.writerow(head)
    n_row_dims = 1
    total_values = [(TOTAL, TOTAL_LABEL)] * len(m.group_by)

    def line(values: list[tuple[str, str]], cell: report.Cell) -> None:
        row: list[Any] = [x for v in values for x in v]
        row += ["true" if cell.suppressed else "false", *_figures(cell)]
        if breakdown:
            counts = {k.kind: k.partners for k in cell.partners_by_kind or ()}
            row += [counts.get(k.value) for k in KIND_ORDER]
        writer.writerow(["" if v is None else v for v in row])

    def keys(h: report.Header, n: int) -> list[tuple[str, str]]:
        values = [(v.key, v.label) for v in h.values]
        return values + [(TOTAL, TOTAL_LABEL)] * (n - len(values))

    n_col_dims = len(m.group_by) - n_row_dims
    for r, row_header in enumerate(m.rows):
        for c, col_header in enumerate(m.columns):
            line(keys(row_header, 1) + keys(col_header, n_col_dims), m.cells[r][c])
    if n_col_dims:
        for r, row_header in enumerate(m.rows):
            line(keys(row_header, 1) + total_values[1:], m.row_totals[r])
        for c, col_header in enumerate(m.columns):
            line(total_values[:1] + keys(col_header, n_col_dims), m.column_totals[c])
    line(total_values, m.total)
    return out.getvalue()


def _json_cell(cell: report.Cell) -> dict[str, Any]:
    out = dict(zip(("suppressed", *_FIGURES), [cell.suppressed, *_figures(cell)], strict=True))
    out["funding"] = out.pop("funding_usd")
    out["lastActivity"] = out.pop("last_activity")
    out["engagementIndex"] = out.pop("engagement_index")
    out["gapScore"] = out.pop("gap_score")
    if cell.partners_by_kind is not None:
        out["partnersByKind"] = [
            {"kind": k.kind, "partners": k.partners, "suppressed": k.suppressed}
            for k in cell.partners_by_kind
        ]
    return out


def _json_header(h: report.Header) -> dict[str, Any]:
    return {
        "key": h.key,
        "label": h.label,
        "values": [
            {"dimension": v.dimension and v.dimension.value, "key": v.key, "label": v.label}
            for v in h.values
        ],
    }


def to_json(m: report.Matrix) -> dict[str, Any]:
    """The matrix in the shape of the GraphQL ``CoverageMatrix``."""
    return {
        "revision": m.revision,
        "window": {
            "start": m.window.start.isoformat(),
            "end": m.window.end.isoformat(),
            "activitiesFrom": m.window.activity_start.isoformat(),
        },
        "geography": m.basis.value,
        "groupBy": [d.value for d in m.group_by],
        "benchmark": _number(m.benchmark),
        "suppressionThreshold": m.suppression_k,
        "rows": [_json_header(h) for h in m.rows],
        "columns": [_json_header(h) for h in m.columns],
        "cells": [[_json_cell(c) for c in row] for row in m.cells],
        "rowTotals": [_json_cell(c) for c in m.row_totals],
        "columnTotals": [_json_cell(c) for c in m.column_totals],
        "total": _json_cell(m.total),
    }


# --------------------------------------------------------------------------- endpoint


def _endpoint(fmt: str) -> Callable[[Request], Any]:
    async def export(request: Request) -> Response:
        store = request.app.state.store
        params = dict(request.query_params)
        try:
            req = parse(params, caller_policy(request))
        except BadParameter as err:
            return JSONResponse({"error": str(err), "parameter": err.name}, status_code=400)
        headers = {"Cache-Control": "private, no-cache", "Vary": "Authorization"}
        current = etag(await store.revision(), fmt, req)
        if etag_matches(request.headers.get("if-none-match"), current):
            return Response(status_code=304, headers={**headers, "ETag": current})
        service = service_for(store)

        def compute(index: Any, weights: Any) -> tuple[int, bytes]:
            cube = service.cube(index, req.window, req.basis)
            matrix = report.build_matrix(cube, req.query, weights, req.k)
            if fmt == "csv":
                return matrix.revision, to_csv(matrix, req.query.breakdown).encode()
            body = json.dumps(to_json(matrix), ensure_ascii=False, separators=(",", ":"))
            return matrix.revision, body.encode()

        try:
            # the rendered body is cached too: a poll that misses the ETag costs a lookup
            revision, body = await service.result(("export", fmt, req), compute)
        except report.Withheld as err:
            return JSONResponse({"error": str(err)}, status_code=403, headers=headers)
        except ValueError as err:
            return JSONResponse({"error": str(err), "parameter": "groupBy"}, status_code=400)
        headers["ETag"] = etag(revision, fmt, req)
        if fmt == "csv":
            headers["Content-Disposition"] = 'inline; filename="coverage.csv"'
        media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
        return Response(body, media_type=media, headers=headers)

    return export


ROUTES: list[BaseRoute] = [
    Route("/exports/coverage.csv", _endpoint("csv"), methods=["GET"], name="coverage-csv"),
    Route("/exports/coverage.json", _endpoint("json"), methods=["GET"], name="coverage-json"),
]
