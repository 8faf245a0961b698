"""Every input checked at the edge: odd values of every argument, on both stores, over HTTP.

The fields and arguments come from introspecting the live server, so a field or argument added
later is probed too. Each argument, input-object field and list item gets edge values of its
type (dates from year 1 to 9999, 32-bit extremes, ±1e308 and 1e400, NaN and infinities as
variables, empty, 10,001-character, NUL, right-to-left and lone-surrogate strings, empty and
1,000-item lists, unknown enum values and input fields); no answer may be a 5xx or an
INTERNAL_SERVER_ERROR, a value GraphQL cannot coerce must be BAD_USER_INPUT, and a value outside
its documented range (api/input_ranges.py) must be refused as BAD_USER_INPUT naming the
argument and the input at fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api import input_ranges as ranges
from tests.abuse.edges import DATES_OUT_OF_RANGE, Probe
from tests.abuse.probing import (
    WORKERS,
    Client,
    Ids,
    Pool,
    Target,
    all_probes,
    nested_targets,
    read_schema,
    run,
    targets_of,
)
from tests.abuse.schema_model import Schema
from tests.api.conftest import PRIVILEGED_KEY


@pytest.fixture(scope="module")
def pool(api_url: str) -> Iterator[Pool]:
    found = Pool(api_url)
    yield found
    found.close()


@pytest.fixture(scope="module")
def client(pool: Pool) -> Client:
    return pool.client()


@pytest.fixture(scope="module")
def schema(client: Client) -> Schema:
    return read_schema(client)


@pytest.fixture(scope="module")
def ids(schema: Schema, client: Client) -> Ids:
    return Ids(schema, client)


def _probe_all(
    pool: Pool,
    schema: Schema,
    operation: str,
    targets: list[Target],
    ids: Ids,
    coercible_only: bool = False,
) -> tuple[int, list[str]]:
    """Every probe of every target. GraphQL refuses a value it cannot coerce by its type alone,
    before any field runs, so such a value is sent once per type and shape (top-level, in a
    list, in an input object), not once per argument."""
    seen: set[tuple[str, str, bool, int, bool]] = set()
    work: list[tuple[Target, Probe]] = []
    for target in targets:
        for probe in all_probes(schema, target, ids):
            v = probe.variant
            if not v.coercible:
                key = (
                    v.leaf_type,
                    repr(v.leaf),
                    probe.as_variable,
                    v.path.count("."),
                    isinstance(v.value, list),
                )
                if coercible_only or key in seen:
                    continue
                seen.add(key)
            work.append((target, probe))
    return run(pool, schema, operation, work)


def test_every_query_argument_answers_edge_values_without_failing(
    pool: Pool, schema: Schema, ids: Ids
) -> None:
    targets = list(targets_of(schema, schema.query, ids))
    with_args = {f.name for f in schema.fields(schema.query) if f.args}
    assert {t.field.name for t in targets} == with_args and len(with_args) > 20
    sent, failures = _probe_all(pool, schema, "query", targets, ids)
    assert sent > 1_000
    assert failures == [], "\n".join(failures[:40]) + f"\n… {len(failures)} in all"


def test_arguments_of_nested_fields_answer_edge_values_without_failing(
    pool: Pool, client: Client, schema: Schema, ids: Ids
) -> None:
    targets = list(nested_targets(schema, client, ids))
    owners = {t.field.owner for t in targets}
    assert {"Programme", "MemberState", "OutcomeLineage", "ContributedOutcome"} <= owners
    sent, failures = _probe_all(pool, schema, "query", targets, ids, coercible_only=True)
    assert sent > 500
    assert failures == [], "\n".join(failures[:40]) + f"\n… {len(failures)} in all"


def test_every_mutation_input_answers_edge_values_without_failing(
    mutable_api_url: str,
) -> None:
    staff = Pool(mutable_api_url, key=PRIVILEGED_KEY)
    try:
        schema = read_schema(staff.client())
        assert schema.mutation is not None
        ids = Ids(schema, staff.client())
        targets = list(targets_of(schema, schema.mutation, ids))
        assert len(targets) == len(schema.fields(schema.mutation))
        sent, failures = _probe_all(staff, schema, "mutation", targets, ids)
    finally:
        staff.close()
    assert sent > 1_000
    assert failures == [], "\n".join(failures[:40]) + f"\n… {len(failures)} in all"


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("coverageMatrix(groupBy: [REGION], asOf: $d) { revision }", "asOf"),
        ('coverageTrend(groupBy: [REGION], from: $d, to: "2024-01-01") { totalCount }', "from"),
        ("underEngagedCells(groupBy: [REGION], asOf: $d) { totalCount }", "asOf"),
        ("stakeholderGaps(groupBy: [REGION], asOf: $d) { totalCount }", "asOf"),
        ("unengagedMemberStates(asOf: $d) { totalCount }", "asOf"),
        ('whatIf(remove: ["KEN"], filter: {asOf: $d}) { strandedCount }', "filter.asOf"),
    ],
)
def test_the_reported_dates_are_bad_user_input_naming_the_argument(
    client: Client, field: str, path: str
) -> None:
    for day in DATES_OUT_OF_RANGE:
        answer = client.post(f"query($d: Date!) {{ {field} }}", {"d": day})
        assert answer.status == 200 and answer.body["data"] is None
        assert answer.errors == [
            {
                "message": f"{path}: must be between 1900-01-01 and 2100-12-31, got {day}",
                "locations": answer.errors[0]["locations"],
                "path": answer.errors[0]["path"],
                "extensions": {"code": "BAD_USER_INPUT", "argument": path.split(".")[0]},
            }
        ]


def test_descriptions_state_the_range_of_every_number(schema: Schema) -> None:
    numbers = [
        value
        for type_name in schema.types
        if not type_name.startswith("__")
        for value in (
            schema.input_fields(type_name)
            if schema.kind(type_name) == "INPUT_OBJECT"
            else [a for f in schema.fields(type_name) for a in f.args]
        )
        if value.type.named in ("Int", "Float")
    ]
    assert len(numbers) > 50
    undocumented = [
        f"{value.name}: {value.description!r}"
        for value in numbers
        if (phrase := ranges.NUMBERS[value.name].phrase) is not None
        and phrase.lower() not in value.description.lower()
    ]
    assert undocumented == []
    assert "1900-01-01 to 2100-12-31" in (schema.types["Date"].get("description") or "")


# --------------------------------------------------------------------------- exports

EXPORTS = ("/exports/coverage.csv", "/exports/coverage.json")
BY_REGION = {"groupBy": "region"}
#: Selection parameters, the grouping each needs, and the GraphQL input whose range they share.
SELECTIONS = {
    "region": ("region", "regions"),
    "subregion": ("subregion", "subregions"),
    "country": ("country", "countries"),
    "theme": ("theme", "themes"),
    "actorKind": ("actor_kind", "actorKinds"),
    "stakeholderType": ("stakeholder_type", "stakeholderTypes"),
}
ODD_TEXTS = ("", "\x00", "Ünïcödé 😀 \u202e", "x" * 10_001, ",".join(["x"] * 1_000))


def _export_cases() -> Iterator[tuple[dict[str, str], str | None]]:
    """(parameters, the parameter a 400 must name; None: any answer below 500 will do)."""
    for name in ("asOf", "start", "end"):
        other = {"start": {"end": "2024-12-31"}, "end": {"start": "2024-01-01"}}.get(name, {})
        for day in [*DATES_OUT_OF_RANGE, "not-a-date", "20240630", "2024-02-30", "\x00"]:
            yield {**BY_REGION, **other, name: day}, name
    for value in ("nan", "inf", "-inf", "0", "-1", "1e308", "1e400", "x"):
        yield {**BY_REGION, "targetIndex": value}, "targetIndex"
    yield {**BY_REGION, "targetIndex": ""}, None
    for name, (group, graphql_name) in SELECTIONS.items():
        for value in ODD_TEXTS:
            items = [v.strip() for v in value.split(",") if v.strip()]
            too_much = ranges.items_problem(graphql_name, items) or any(
                ranges.text_problem(graphql_name, v) for v in items
            )
            yield {"groupBy": group, name: value}, name if too_much else None
    for value in ("", ",", "region," * 200, "REGION", "region,region", *ODD_TEXTS):
        yield {"groupBy": value}, None
    for name in ("geography", "breakdown", "x" * 10_001):
        for value in ("", "partner", "TRUE", *ODD_TEXTS):
            yield {**BY_REGION, name: value}, None
    yield {}, "groupBy"


def test_export_parameters_answer_edge_values_without_failing(api_url: str) -> None:
    cases = [(path, params, expected) for path in EXPORTS for params, expected in _export_cases()]

    def answer(case: tuple[str, dict[str, str], str | None]) -> str | None:
        path, params, expected = case
        with httpx.Client(base_url=api_url, timeout=60) as http:
            resp = http.get(path, params=params)
        shown = {k[:20]: v[:20] for k, v in params.items()}
        if resp.status_code >= 500:
            return f"{path} {shown}: HTTP {resp.status_code}"
        if expected is not None and (
            resp.status_code != 400 or resp.json().get("parameter") != expected
        ):
            return f"{path} {shown}: {resp.status_code} {resp.text[:200]}, expected 400 {expected}"
        return None

    with ThreadPoolExecutor(WORKERS) as executor:
        failures = [f for f in executor.map(answer, cases) if f is not None]
    assert len(cases) > 150
    assert failures == []


def test_export_dates_out_of_range_name_the_range(api_url: str) -> None:
    resp = httpx.get(
        f"{api_url}/exports/coverage.csv",
        params={"groupBy": "region", "asOf": "0001-01-01"},
        timeout=60,
    )
    assert resp.status_code == 400
    assert resp.json() == {
        "error": "must be between 1900-01-01 and 2100-12-31, got 0001-01-01",
        "parameter": "asOf",
    }


def test_exports_accept_the_graphql_spelling_of_actor_kinds(api_url: str) -> None:
    def rows(kind: str) -> str:
        resp = httpx.get(
            f"{api_url}/exports/coverage.csv",
            params={"groupBy": "actor_kind", "actorKind": kind, "asOf": "2025-06-30"},
            headers={"Authorization": f"Bearer {PRIVILEGED_KEY}"},
            timeout=60,
        )
        assert resp.status_code == 200, resp.text
        return resp.text

    graphql = rows("CIVIL_SOCIETY_ORGANIZATION")
    assert graphql == rows("CivilSocietyOrganization")
    assert "CivilSocietyOrganization" in graphql
