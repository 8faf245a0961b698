"""Schemathesis (GraphQL mode) against live servers: no generated request may break the server.

For every root field of ``Query`` and ``Mutation`` Schemathesis (hypothesis-graphql underneath)
generates documents from the schema: valid ones (positive mode) and ones the schema must refuse
(negative mode), with arguments and selection sets of every shape. Each is POSTed over real HTTP
to a live server, on both stores, once anonymously and once with the privileged key.

The check is the issue's: no HTTP status >= 500 and no GraphQL error with
``extensions.code == "INTERNAL_SERVER_ERROR"``. Every other answer is fine here, refusals
included (``BAD_USER_INPUT``, ``QUERY_TOO_COSTLY``, ``NOT_FOUND``, ``ANALYSIS_TOO_LARGE``, a
mutation's ``userErrors``…): they are the server doing its job. A failure prints the document,
the response and a curl command that replays it; the server's traceback is in the captured log.

Random values alone rarely get past the input checks (a random ``first`` is out of 1..100, a
random id names no node, a random date is outside 1900..2100, a random ``after`` is no cursor of
the list), so arguments often take a value the server accepts instead: three times in four a key,
global id or relationship id from the seed data, a small integer or number (``CONFIG``), a date in
range (``_dates``); and an optional argument is left out half the time (``flatmap_body``). The
rest stays random, so the refusals are exercised too, as are documents the schema must refuse
(negative mode, about half the cases).

The servers run the production limits (``api.guard.Limits()``, and the staff limits they imply
for the privileged key), which refuse the large documents the generator likes to build before
they run, with rate limiting off so that a thousand requests from one address are not answered
429. Each store gets a server of its own over a freshly seeded store that may be written:
privileged mutations really write (anonymous ones are refused with ``FORBIDDEN``); on Neo4j,
which has one database for the whole session, the seed data is restored when the module is done.

Size and reproducibility: ``EXAMPLES_PER_OPERATION`` cases per root field, store and role (61
root fields today x 10 x 2 stores x 2 roles = 2,440 per run, about 80 s on two cores). When every
root field of a store and role has passed, their cases must add up to ``MIN_CASES`` (``tally``),
so the run cannot shrink unnoticed. Generation is derandomized: every run sends the same
documents, in the same order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

import graphql
import pytest
import requests
import schemathesis
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Ok, Result
from schemathesis.graphql import nodes

from api.app import create_app
from api.guard import Limits
from api.input_ranges import DATE_MAX, DATE_MIN
from api.nodes.ids import to_global_id
from api.schema import schema as served_schema
from api.settings import staff_defaults
from graph.model import NodeKind
from graph.store import NodeWrite, RelWrite
from seeds.illustrative import seed_changes
from tests.api.conftest import PRIVILEGED_KEY, _seed, _settings
from tests.conftest import STORE_KINDS
from tests.live import serve

ROLES = ["anonymous", "privileged"]
#: Hypothesis examples per root field, store and role (fewer for a field whose documents are
#: so few that Hypothesis runs out of new ones, as ``health`` would past 32).
EXAMPLES_PER_OPERATION = 10
#: The floor per store and role: 4 x 250 = 1,000 cases per run at least.
MIN_CASES = 250
#: Seconds one request may take before the test gives up on it.
REQUEST_TIMEOUT = 60
#: How often an argument takes a value from the dictionaries below rather than a random one.
DICTIONARY_PROBABILITY = 0.75


def auth_headers(role: str) -> dict[str, str]:
    """The headers that make a request ``role``'s: the one place that knows how a key is sent."""
    if role == "privileged":
        return {"Authorization": f"Bearer {PRIVILEGED_KEY}"}
    return {}


# --------------------------------------------------------------------------- what to generate


def _seed_strings() -> list[str]:
    """Values of String and ID arguments that the seed data makes meaningful: the first keys of
    every kind (and their global ids), restricted actors, partnership ids, subregions."""
    writes = list(seed_changes())
    node_writes = [w for w in writes if isinstance(w, NodeWrite)]
    values: list[str] = []
    for kind in NodeKind:
        for write in islice((w for w in node_writes if w.kind == kind.value), 3):
            values += [write.id, to_global_id(kind, write.id)]
    restricted = (w for w in node_writes if w.props.get("sensitivity") == "RESTRICTED")
    values += [w.id for w in islice(restricted, 3)]
    partnerships = (w for w in writes if isinstance(w, RelWrite) and w.type == "PARTNERS_IN")
    values += [w.id for w in islice(partnerships, 3)]
    subregions = {w.props["subregion"] for w in node_writes if w.props.get("subregion")}
    values += sorted(subregions)[:4]
    return list(dict.fromkeys(values))


#: Schemathesis configuration: type-wide dictionaries for String/ID, Int and Float arguments.
CONFIG = SchemathesisConfig.from_dict(
    {
        "dictionaries": {
            "seed-strings": {"values": _seed_strings()},
            "small-ints": {"values": [1, 2, 3, 5, 10, 20, 100]},
            "small-numbers": {"values": [0.05, 0.5, 0.85, 1, 2.5, 10]},
        },
        "generation": {
            "dictionaries": {
                "string": {"dictionary": "seed-strings", "probability": DICTIONARY_PROBABILITY},
                "integer": {"dictionary": "small-ints", "probability": DICTIONARY_PROBABILITY},
                "number": {"dictionary": "small-numbers", "probability": DICTIONARY_PROBABILITY},
            },
        },
    }
)

# The ``Date`` scalar (YYYY-MM-DD, 1900-01-01 to 2100-12-31): Schemathesis's own strategy draws
# from years 1 to 9999, which the range check refuses nearly always; here one date in four does.
# Registration is global (the only way Schemathesis offers); no other test uses Schemathesis.
_dates = st.integers(0, 3).flatmap(
    lambda draw: st.dates() if draw == 0 else st.dates(min_value=DATE_MIN, max_value=DATE_MAX)
)
schemathesis.graphql.scalar("Date", _dates.map(dt.date.isoformat).map(nodes.String))

#: The schema the server serves (``api.schema.schema``, which ``create_app`` mounts), loaded when
#: the module is collected so that every root field is a test item of its own;
#: ``test_fuzzes_the_schema_the_server_serves`` checks it against a live server's introspection.
#: (``schemathesis.pytest.from_fixture``, which would load it from the live server, does not work
#: with pytest 9.2: it sets ``Function._nodeid``, which pytest no longer has.)
schema = schemathesis.graphql.from_dict(served_schema.introspect(), config=CONFIG)


def _label(result: Result[schemathesis.APIOperation, InvalidSchema]) -> str:
    """A loaded operation's label; an operation that failed to load raises its error."""
    if not isinstance(result, Ok):
        raise result.err()
    return result.ok().label


OPERATIONS = frozenset(_label(result) for result in schema.get_all_operations())


def _optional(argument: graphql.GraphQLArgument | None) -> bool:
    if argument is None:
        return False
    return not graphql.is_non_null_type(argument.type) or argument.default_value is not Undefined


def _optional_arguments(document: graphql.DocumentNode) -> list[graphql.ArgumentNode]:
    """The arguments of ``document`` that the schema lets a client leave out."""
    type_info = graphql.TypeInfo(schema.client_schema)
    found: list[graphql.ArgumentNode] = []

    class Collect(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> None:
            if _optional(type_info.get_argument()):
                found.append(node)

    graphql.visit(document, graphql.TypeInfoVisitor(type_info, Collect()))
    return found


def _without(document: graphql.DocumentNode, drop: list[graphql.ArgumentNode]) -> Any:
    class Remove(graphql.Visitor):
        def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
            return graphql.REMOVE if any(node is dropped for dropped in drop) else None

    return graphql.visit(document, Remove()) if drop else document


@schema.hook
def flatmap_body(context: Any, body: graphql.DocumentNode) -> st.SearchStrategy[Any]:
    """Each optional argument is left out half the time. Hypothesis-graphql passes many of
    them, and each can be refused (a generated ``after`` is never a cursor of the list,
    ``halfLifeYears`` goes with one projection only…): with all of them a field would rarely
    get past its input checks."""
    optional = _optional_arguments(body)
    keeps = st.lists(st.booleans(), min_size=len(optional), max_size=len(optional))
    return keeps.map(
        lambda keep: _without(body, [arg for arg, k in zip(optional, keep, strict=True) if not k])
    )


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module", params=STORE_KINDS)
def fuzz_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A live server of this module's own over a freshly seeded store, with the production
    limits but no rate limiting; it may be written."""
    settings = _settings(request.param, tmp_path_factory.mktemp("fuzz") / "api.db")
    _seed(settings)
    production = Limits(rate="")
    settings = dataclasses.replace(
        settings, limits=production, staff_limits=staff_defaults(production)
    )
    try:
        with serve(create_app(settings)) as url:
            yield url
    finally:
        if settings.store == "neo4j":
            _seed(settings)  # the session's read-only servers share this database


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def tally(fuzz_url: str) -> Iterator[dict[str, dict[str, int]]]:
    """Cases sent on one store by each role, per root field whose test passed. When every root
    field passed for a role, they must add up to ``MIN_CASES`` at least."""
    counts: dict[str, dict[str, int]] = {role: {} for role in ROLES}
    yield counts
    for role, per_operation in counts.items():
        if set(per_operation) == set(OPERATIONS):
            total = sum(per_operation.values())
            assert total >= MIN_CASES, f"{role}: {total} cases sent, fewer than {MIN_CASES}"


@pytest.fixture
def sent(
    tally: dict[str, dict[str, int]], role: str, call_passed: Callable[[], bool]
) -> Iterator[list[str]]:
    """The root field of each case one test item sent; counted in ``tally`` if it passed."""
    labels: list[str] = []
    yield labels
    if labels and call_passed():
        tally[role][labels[0]] = len(labels)


# --------------------------------------------------------------------------- the check


def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """No 5xx, and no GraphQL error coded ``INTERNAL_SERVER_ERROR``; anything else is fine."""
    assert response.status_code < 500, f"HTTP {response.status_code}: {response.text[:2000]}"
    try:
        body = response.json()
    except ValueError:
        return  # not JSON (a 4xx of the HTTP layer): not a server error
    errors = body.get("errors") if isinstance(body, dict) else None
    internal = [
        error
        for error in errors or []
        if isinstance(error, dict)
        and isinstance(error.get("extensions"), dict)
        and error["extensions"].get("code") == "INTERNAL_SERVER_ERROR"
    ]
    assert not internal, "INTERNAL_SERVER_ERROR: " + json.dumps(internal, indent=1)


# --------------------------------------------------------------------------- the tests


def test_fuzzes_the_schema_the_server_serves(fuzz_url: str) -> None:
    live = schemathesis.graphql.from_url(f"{fuzz_url}/graphql", timeout=REQUEST_TIMEOUT)
    assert graphql.print_schema(live.client_schema) == graphql.print_schema(schema.client_schema)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    # no explain phase: it re-runs cases to comment on them, which costs time and says little here
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    # the fixtures are the same for every example on purpose (one server, one counter)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors(
    case: Any, fuzz_url: str, role: str, http: requests.Session, sent: list[str]
) -> None:
    response = case.call(
        base_url=f"{fuzz_url}/graphql",
        session=http,
        headers=auth_headers(role),
        timeout=REQUEST_TIMEOUT,
    )
    sent.append(case.operation.label)
    case.validate_response(response, checks=[no_server_error])
