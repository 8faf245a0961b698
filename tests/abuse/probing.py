"""Sending probes to a live server over real HTTP, and judging its answers.

One probe per request: every root field of this schema is non-null, and graphql-core reports
only the first error once a non-null field has failed, so probes batched with aliases would
hide each other's answers.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from tests.abuse.edges import DATES_IN_RANGE, Probe, baseline, probes
from tests.abuse.schema_model import (
    INTROSPECTION,
    Field,
    Schema,
    as_json,
    literal,
    walk,
)

RANGE_OF_DATES = "between 1900-01-01 and 2100-12-31"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    def codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]


class Client:
    """POSTs GraphQL over one keep-alive connection, encoding the body itself: NaN,
    infinities and lone surrogates must reach the server as JSON allows them (``NaN``,
    ``"\\ud800"``), which httpx's own encoder refuses."""

    def __init__(self, url: str, key: str | None = None) -> None:
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        self._http = httpx.Client(base_url=url, headers=headers, timeout=60)

    def post(self, query: str, variables: dict[str, Any] | None = None) -> Answer:
        body = json.dumps({"query": query, "variables": variables or {}})
        resp = self._http.post("/graphql", content=body)
        try:
            decoded = resp.json()
        except ValueError:
            decoded = {"unparsed": resp.text[:500]}
        return Answer(resp.status_code, decoded)

    def data(self, query: str) -> dict[str, Any]:
        answer = self.post(query)
        assert answer.status == 200 and not answer.errors, answer.body
        return dict(answer.body["data"])

    def close(self) -> None:
        self._http.close()


def read_schema(client: Client) -> Schema:
    return Schema(client.data(INTROSPECTION)["__schema"])


# --------------------------------------------------------------------------- ids


class Ids:
    """Ids of stored nodes by object type, read from every root connection, to fill required
    ID arguments: ``actor`` gets an actor, ``outcome`` an outcome, anything else any node."""

    def __init__(self, schema: Schema, client: Client) -> None:
        self.schema = schema
        self.by_type: dict[str, list[str]] = {}
        for f in schema.fields(schema.query):
            node = _connection_node(schema, f)
            if node is None or any(a.required for a in f.args):
                continue
            if "id" not in {g.name for g in schema.fields(node)}:
                continue  # not a connection of graph nodes (change sets)
            first = "(first: 100)" if any(a.name == "first" for a in f.args) else ""
            data = client.data(f"{{ {f.name}{first} {{ edges {{ node {{ __typename id }} }} }} }}")
            for edge in data[f.name]["edges"]:
                found = self.by_type.setdefault(edge["node"]["__typename"], [])
                if edge["node"]["id"] not in found:
                    found.append(edge["node"]["id"])

    def candidates(self, name: str) -> list[str]:
        type_name = name[:1].upper() + name[1:]
        if type_name in self.schema.types:
            kinds = self.schema.implementations(type_name)
            found = [i for k in sorted(kinds) for i in self.by_type.get(k, [])]
            if found:
                return found
        return [i for k in sorted(self.by_type) for i in self.by_type[k]]

    def __call__(self, name: str) -> str:
        return self.candidates(name)[0]


def _connection_node(schema: Schema, f: Field) -> str | None:
    """The node type of a connection field (``edges { node }``), if it is one."""
    named = f.type.named
    if schema.kind(named) != "OBJECT":
        return None
    edges = {g.name: g for g in schema.fields(named)}.get("edges")
    if edges is None:
        return None
    nodes = {g.name: g for g in schema.fields(edges.type.named)}.get("node")
    return None if nodes is None else nodes.type.named


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Step:
    """A field on the way to the probed field, with the literal arguments it needs."""

    field: Field
    args: str = ""


@dataclass
class Target:
    """A field whose arguments are probed, and how to reach it from the root."""

    field: Field
    route: tuple[Step, ...] = ()
    # dataclasses.field: the bare name is the attribute above, in this class body
    fixed: dict[str, Any] = dataclasses.field(default_factory=dict)  # required arguments' baselines


def document(operation: str, target: Target, probe: Probe, schema: Schema) -> tuple[str, Any]:
    """The probe's document and variables."""
    arg = probe.argument
    variables: dict[str, Any] = {}
    parts: list[str] = []
    for name, value in target.fixed.items():
        if name != arg.name:
            parts.append(f"{name}: {literal(value)}")
    if probe.as_variable:
        parts.append(f"{arg.name}: $v")
        variables["v"] = as_json(probe.variant.value, schema, arg.type)
        head = f"{operation}($v: {arg.type})"
    else:
        parts.append(f"{arg.name}: {literal(probe.variant.value)}")
        head = operation
    inner = f"{target.field.name}({', '.join(parts)}) {schema.selection(target.field.type)}"
    for step in reversed(target.route):
        inner = f"{step.field.name}{step.args} {{ __typename {inner} }}"
    return f"{head} {{ {inner} }}", variables


def targets_of(schema: Schema, root: str, id_for: Any) -> Iterator[Target]:
    """The root fields of ``root`` that take arguments, with baselines for the required ones."""
    for f in schema.fields(root):
        if f.args:
            fixed = {a.name: baseline(schema, a.type, a.name, id_for) for a in f.args if a.required}
            yield Target(f, (), fixed)


def all_probes(schema: Schema, target: Target, id_for: Any) -> Iterator[Probe]:
    for arg in target.field.args:
        yield from probes(schema, arg, id_for)


# --------------------------------------------------------------------------- verdicts


def problems(probe: Probe, answer: Answer, target: Target) -> list[str]:
    """What is wrong with ``answer`` to ``probe``; empty when it is right."""
    wrong = []
    if answer.status >= 500:
        wrong.append(f"HTTP {answer.status}")
    if "INTERNAL_SERVER_ERROR" in answer.codes():
        wrong.append("INTERNAL_SERVER_ERROR")
    if not probe.variant.coercible:
        if not answer.errors or any(c != "BAD_USER_INPUT" for c in answer.codes()):
            wrong.append(f"a value GraphQL cannot coerce must be BAD_USER_INPUT: {answer.codes()}")
    elif probe.out_of_range and not _refused(probe, answer, target):
        wrong.append("accepted, or refused without naming the argument")
    if probe.variant.leaf in DATES_IN_RANGE and any(
        RANGE_OF_DATES in e["message"] for e in answer.errors
    ):
        wrong.append("refused a date inside the range")
    return wrong


def _refused(probe: Probe, answer: Answer, target: Target) -> bool:
    """BAD_USER_INPUT naming the argument (``extensions.argument``) and the input at fault (the
    message), and no data for the probed field."""
    named = [
        e
        for e in answer.errors
        if (e.get("extensions") or {}).get("code") == "BAD_USER_INPUT"
        and (e.get("extensions") or {}).get("argument") == probe.argument.name
        and e["message"].startswith(f"{probe.path}:")
    ]
    data = answer.body.get("data")
    leaked = any(v is not None for k, v in walk(data) if k == target.field.name)
    return bool(named) and not leaked


#: Probes in flight at once. A round trip to the test server (uvicorn in a thread of this
#: process) can wait far longer than the server computes (~45 ms against ~1 ms from another
#: process, on some machines), so a few threads overlap the waits; the server answers them
#: concurrently on its event loop.
WORKERS = 8


def run(
    pool: Pool, schema: Schema, operation: str, work: Iterable[tuple[Target, Probe]]
) -> tuple[int, list[str]]:
    """Send every probe; returns how many were sent and what went wrong."""

    def one(item: tuple[Target, Probe]) -> list[str]:
        target, probe = item
        query, variables = document(operation, target, probe, schema)
        answer = pool.client().post(query, variables)
        where = "".join(f"{s.field.name}." for s in target.route)
        return [
            f"{where}{target.field.name}({probe.path}="
            f"{_short(probe.variant.value)}{' as $v' if probe.as_variable else ''}): "
            f"{wrong}: {json.dumps(answer.body)[:300]}"
            for wrong in problems(probe, answer, target)
        ]

    items = list(work)
    with ThreadPoolExecutor(WORKERS) as executor:
        failures = [f for found in executor.map(one, items) for f in found]
    return len(items), failures


class Pool:
    """One client per thread, all with the same server and key."""

    def __init__(self, url: str, key: str | None = None) -> None:
        self.url, self.key = url, key
        self._local = threading.local()
        self._all: list[Client] = []
        self._lock = threading.Lock()

    def client(self) -> Client:
        found: Client | None = getattr(self._local, "client", None)
        if found is None:
            found = self._local.client = Client(self.url, self.key)
            with self._lock:
                self._all.append(found)
        return found

    def close(self) -> None:
        for c in self._all:
            c.close()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}…({len(text)} chars)"


# --------------------------------------------------------------------------- nested fields


def _one(f: Field) -> str:
    """One item of a list on the way: the probe then runs once, not once per item."""
    return "(first: 1)" if any(a.name == "first" for a in f.args) else ""


#: Types no query reaches over the seed data until a caller makes one: analysis jobs exist once
#: an analyst starts one (``startAnalysis``), and only that caller (or an admin) sees it. The
#: arguments of ``AnalysisJob.result`` are ``centrality``'s, checked by the same code, and
#: probed at their edges by tests/centrality/test_jobs.py. Likewise an editor sees only the
#: change sets its own key made (none over the seed data, written by the command line);
#: ``ChangeSet.records``' paging arguments are probed by tests/api/test_history_api.py.
MADE_BY_CALLERS = frozenset({"AnalysisJob", "ChangeSet"})


def nested_targets(schema: Schema, client: Client, ids: Ids) -> Iterator[Target]:
    """Fields with arguments below the root (``Programme.partners(asOf:)``,
    ``OutcomeLineage.paths(first:)``), each reached by the shortest route of object fields
    from a root field that returns at least one object of its type over the seed data."""
    for type_name, route in _routes(schema).items():
        fields = [f for f in schema.fields(type_name) if f.args]
        if not fields or type_name in MADE_BY_CALLERS:
            continue
        steps = _reachable(schema, client, ids, type_name, route)
        assert steps is not None, f"no route reaches a {type_name} over the seed data"
        for f in fields:
            fixed = {a.name: baseline(schema, a.type, a.name, ids) for a in f.args if a.required}
            yield Target(f, steps, fixed)


def _routes(schema: Schema) -> dict[str, tuple[Field, ...]]:
    """Shortest chains of fields from the root to each object type (breadth first), through
    fields of object type only, so that no fragment is needed."""
    routes: dict[str, tuple[Field, ...]] = {}
    frontier: list[tuple[str, tuple[Field, ...]]] = [(schema.query, ())]
    while frontier:
        type_name, route = frontier.pop(0)
        for f in schema.fields(type_name):
            named = f.type.named
            if schema.kind(named) != "OBJECT" or named in routes or named == schema.query:
                continue
            routes[named] = (*route, f)
            frontier.append((named, routes[named]))
    return routes


def _reachable(
    schema: Schema, client: Client, ids: Ids, type_name: str, route: tuple[Field, ...]
) -> tuple[Step, ...] | None:
    """The route's steps with literal arguments for its required arguments, trying stored
    ids until the data holds an object of ``type_name`` at its end."""
    root, rest = route[0], route[1:]
    required = [a for a in root.args if a.required]
    id_args = [a for a in required if a.type.named == "ID"]
    tries = ids.candidates(id_args[0].name)[:50] if id_args else [None]
    for candidate in tries:

        def id_for(name: str, candidate: str | None = candidate) -> str:
            return candidate if candidate is not None else ids(name)

        args = [f"{a.name}: {literal(baseline(schema, a.type, a.name, id_for))}" for a in required]
        if any(a.name == "first" for a in root.args):
            args.append("first: 1")
        head = Step(root, f"({', '.join(args)})" if args else "")
        steps = (head, *(Step(f, _one(f)) for f in rest))
        inner = "__typename"
        for step in reversed(steps):
            inner = f"{step.field.name}{step.args} {{ __typename {inner} }}"
        answer = client.post(f"{{ {inner} }}")
        data = answer.body.get("data")
        if any(k == "__typename" and v == type_name for k, v in walk(data)):
            return steps
    return None
