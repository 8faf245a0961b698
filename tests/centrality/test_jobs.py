"""Analysis jobs over real HTTP: a ranking the interactive budget refuses is computed by a job in
a child process, served afterwards like a cached result, cancelled for real, made stale by a
write, kept from other callers, bounded, and lost (loudly) with a restart.

Jobs that must stay running while the test acts use ``job_gate``: the job's process waits on
the test's socket, so "inside the measure" and "the process is gone" are events, not timings.
Each test ends with no job left running (``no_jobs_left``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from analytics import centrality
from analytics.projection import canonical, co_partnership
from api.app import create_app
from api.centrality import jobs
from api.centrality import service as svc
from api.jobs import JobLimits, JobManager
from api.jobs.transport import GraphPayload
from api.settings import Settings
from api.stores import store_from_settings
from graph.keys import Role, issue
from tests.api.conftest import PRIVILEGED_KEY, _client, _seed, _settings
from tests.centrality import job_gate
from tests.centrality.conftest import SeedGraphs, data
from tests.centrality.job_gate import Gate, gated_measure
from tests.centrality.test_api_centrality import assert_ranking, full
from tests.conftest import STORE_KINDS
from tests.live import serve

WAIT = 60.0  # seconds before a stuck test gives up (a failure, never a measurement)
STAFF = PRIVILEGED_KEY  # a static key: editor, privileged
OTHER_STAFF = "test-second-staff-key"
LIMITS = JobLimits(running=1, queued=1, per_caller=2)
JOB_ID = re.compile(r"aj-[0-9a-f]{8}-[0-9a-f]{16}")

JOB = """id state progress revision currentRevision stale createdAt startedAt finishedAt
    deadline error { code message }"""
ENTRIES = "revision sampled entries { rank score node { key kind } }"
START = f"""mutation($input: StartAnalysisInput!) {{
    startAnalysis(input: $input) {{ job {{ {JOB} }} userErrors {{ field message code }} }} }}"""
CANCEL = f"""mutation($id: ID!) {{ cancelAnalysis(input: {{id: $id}}) {{
    job {{ {JOB} }} userErrors {{ field message code }} }} }}"""
GET = f"query($id: ID!) {{ analysisJob(id: $id) {{ {JOB} }} }}"
RESULT = f"query($id: ID!) {{ analysisJob(id: $id) {{ state result(top: 100) {{ {ENTRIES} }} }} }}"
LIST = "{ analysisJobs(first: 100) { totalCount edges { node { id state } } } }"


@dataclass
class Server:
    url: str
    app: Any
    viewer: str
    admin: str

    def gql(
        self, query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> Any:
        return _client(self.url)(query, variables, key)

    @property
    def jobs(self) -> JobManager:
        manager: JobManager = self.app.state.jobs
        return manager

    def start(self, key: str | None = STAFF, **input: Any) -> dict[str, Any]:
        payload: dict[str, Any] = data(self.gql(START, {"input": input}, key))["startAnalysis"]
        return payload

    def job(self, job_id: str, key: str | None = STAFF) -> Any:
        return self.gql(GET, {"id": job_id}, key)

    def cancel(self, job_id: str, key: str | None = STAFF) -> dict[str, Any]:
        payload: dict[str, Any] = data(self.gql(CANCEL, {"id": job_id}, key))["cancelAnalysis"]
        return payload

    def wait_for(self, job_id: str, *states: str, key: str = STAFF) -> dict[str, Any]:
        """Poll the job over HTTP until it is in one of ``states``."""
        deadline = time.monotonic() + WAIT
        while True:
            job: dict[str, Any] = data(self.job(job_id, key))["analysisJob"]
            if job["state"] in states:
                return job
            assert time.monotonic() < deadline, f"still {job['state']}: {job}"
            time.sleep(0.05)


def _keys(settings: Settings) -> tuple[str, str]:
    """A stored viewer key and admin key."""

    async def run() -> tuple[str, str]:
        store = store_from_settings(settings)
        await store.open()
        try:
            tokens = []
            for role in (Role.VIEWER, Role.ADMIN):
                token, record = issue(f"jobs test {role.value}", role)
                await store.create_key(record)
                tokens.append(token)
            return tokens[0], tokens[1]
        finally:
            await store.close()

    return asyncio.run(run())


def _prepared(kind: str, path: Path, limits: JobLimits = LIMITS) -> tuple[Settings, str, str]:
    settings = _settings(kind, path)
    _seed(settings)
    viewer, admin = _keys(settings)
    settings = dataclasses.replace(
        settings,
        privileged_keys=frozenset({STAFF, OTHER_STAFF}),
        lineage_warm_seconds=0,
        jobs=limits,
    )
    return settings, viewer, admin


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A live API over exactly the seed data (tests must not write to it)."""
    settings, viewer, admin = _prepared(request.param, tmp_path_factory.mktemp("jobs") / "api.db")
    app = create_app(settings)
    with serve(app) as url:
        yield Server(url, app, viewer, admin)
    if settings.store == "neo4j":
        _seed(settings)  # the session's read-only servers share this database


@pytest.fixture(autouse=True)
def no_jobs_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Cancel whatever a test left queued or running (a failed test, say), as an admin."""
    yield
    if "server" not in request.fixturenames:
        return
    s: Server = request.getfixturevalue("server")
    listed = data(s.gql(LIST, key=s.admin))["analysisJobs"]["edges"]
    for edge in listed:
        if edge["node"]["state"] in ("QUEUED", "RUNNING"):
            s.cancel(edge["node"]["id"], key=s.admin)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """Jobs started with ``gate.sample`` wait in their process until ``gate.release()``."""
    monkeypatch.setattr(jobs, "run_measure", gated_measure)
    opened = Gate()
    try:
        yield opened
    finally:
        opened.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def small_budget(monkeypatch: pytest.MonkeyPatch, seed_graphs: SeedGraphs) -> int:
    """An interactive budget that refuses exact betweenness of the seed's FULL network."""
    budget = 20 * full(seed_graphs.snapshot()).number_of_edges()
    monkeypatch.setattr(svc, "WORK_BUDGET", budget)
    return budget


# --------------------------------------------------------------------------- the main path


def test_a_job_runs_what_the_budget_refuses_and_the_query_is_then_served(
    server: Server, seed_graphs: SeedGraphs, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_budget(monkeypatch, seed_graphs)
    query = f"{{ centrality(measure: BETWEENNESS, top: 100) {{ {ENTRIES} }} }}"
    refused = server.gql(query, key=STAFF)
    assert refused["errors"][0]["extensions"]["code"] == "ANALYSIS_TOO_LARGE"
    assert "startAnalysis" in refused["errors"][0]["message"]

    started = server.start(measure="BETWEENNESS")
    assert started["userErrors"] == []
    job_id = started["job"]["id"]
    assert JOB_ID.fullmatch(job_id) and started["job"]["state"] in ("QUEUED", "RUNNING")
    done = server.wait_for(job_id, "DONE", "FAILED")

    assert done["state"] == "DONE" and done["error"] is None, done
    assert done["progress"] == 1.0 and done["stale"] is False
    assert done["revision"] == done["currentRevision"]
    assert done["createdAt"] <= done["startedAt"] <= done["finishedAt"]
    assert done["deadline"] is None
    result = data(server.gql(RESULT, {"id": job_id}, STAFF))["analysisJob"]["result"]
    expected = centrality.betweenness_centrality(canonical(full(seed_graphs.snapshot())))
    assert result["sampled"] is False and result["revision"] == done["revision"]
    assert_ranking(result["entries"], expected.scores, 100)

    # the plain query is now answered from the job's result, for every caller through its policy
    served = server.gql(query, key=STAFF)
    assert data(served)["centrality"] == result
    shown = data(server.gql(query))["centrality"]  # anonymous: a viewer
    hidden = seed_graphs.restricted_keys()
    assert hidden and not hidden & {e["node"]["key"] for e in shown["entries"]}
    assert_ranking(shown["entries"], seed_graphs.shown(expected.scores), 100)
    # asking again for what is done at this revision gives the same job; another caller's job
    # for it is done at once, from the kept result; the process is gone
    assert server.start(measure="BETWEENNESS")["job"]["id"] == job_id
    other = server.start(OTHER_STAFF, measure="BETWEENNESS")["job"]
    assert other["id"] != job_id
    assert (other["state"], other["revision"]) == ("DONE", done["revision"])
    theirs = data(server.gql(RESULT, {"id": other["id"]}, OTHER_STAFF))["analysisJob"]["result"]
    assert theirs == result
    pid = server.jobs.find(job_id, owner="", sees_all=True).pid
    assert pid is not None and not alive(pid)


def test_a_job_over_its_own_budget_fails_with_advice(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server.jobs, "limits", dataclasses.replace(LIMITS, work_budget=100))
    job_id = server.start(measure="CLOSENESS", weighted=True)["job"]["id"]
    failed = server.wait_for(job_id, "DONE", "FAILED")
    assert failed["state"] == "FAILED" and failed["progress"] is None
    assert failed["error"]["code"] == "ANALYSIS_TOO_LARGE"
    message = failed["error"]["message"]
    assert "PARTNERNET_JOB_WORK_BUDGET" in message and "startAnalysis" not in message
    assert data(server.gql(RESULT, {"id": job_id}, STAFF))["analysisJob"]["result"] is None


def test_arguments_refused_by_value_are_user_errors(server: Server) -> None:
    payload = server.start(measure="DEGREE", sample={"k": 5})
    assert payload["job"] is None
    assert payload["userErrors"] == [
        {
            "field": ["input", "sample"],
            "message": "sample: only BETWEENNESS has a sampled mode",
            "code": "INVALID",
        }
    ]


# --------------------------------------------------------------------------- cancellation


def test_cancelling_a_running_job_kills_its_process(server: Server, gate: Gate) -> None:
    job_id = server.start(measure="BETWEENNESS", sample=gate_sample(gate))["job"]["id"]
    pid = gate.entered()  # the job's process is inside the measure
    assert alive(pid) and pid != os.getpid()
    running = server.wait_for(job_id, "RUNNING")
    assert running["progress"] is None  # the backends say nothing: no figure is invented
    assert running["revision"] is not None and running["deadline"] is not None

    cancelled = server.cancel(job_id)

    assert cancelled["userErrors"] == []
    assert cancelled["job"]["state"] == "CANCELLED" and cancelled["job"]["finishedAt"]
    assert cancelled["job"]["error"] is None
    assert not alive(pid)  # reaped before cancelAnalysis answered
    assert gate.hung_up()
    assert data(server.job(job_id))["analysisJob"]["state"] == "CANCELLED"
    # a finished job is left as it is
    assert server.cancel(job_id)["job"]["state"] == "CANCELLED"


def test_a_job_running_past_its_time_limit_is_stopped(
    server: Server, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a job first, so that the process server is up: its start must not eat the time limit
    monkeypatch.setattr(jobs, "run_measure", job_gate.REAL)
    warm = server.start(measure="DEGREE", filter={"asOf": "2019-07-07"})["job"]["id"]
    assert server.wait_for(warm, "DONE", "FAILED")["state"] == "DONE"
    monkeypatch.setattr(jobs, "run_measure", gated_measure)
    monkeypatch.setattr(server.jobs, "limits", dataclasses.replace(LIMITS, timeout_seconds=3.0))
    job_id = server.start(measure="BETWEENNESS", sample=gate_sample(gate))["job"]["id"]
    pid = gate.entered()
    failed = server.wait_for(job_id, "FAILED", "DONE")
    assert failed["error"]["code"] == "TIMED_OUT"
    assert "PARTNERNET_JOB_TIMEOUT_SECONDS" in failed["error"]["message"]
    assert not alive(pid) and gate.hung_up()


def gate_sample(gate: Gate) -> dict[str, int]:
    """Exact betweenness (``k`` above the number of nodes) whose job waits at ``gate``."""
    return {"k": 1_000_000, "seed": gate.seed}


# --------------------------------------------------------------------------- who sees what


def test_only_privileged_callers_start_jobs_and_each_sees_its_own(
    server: Server, gate: Gate
) -> None:
    job_id = server.start(measure="BETWEENNESS", sample=gate_sample(gate))["job"]["id"]
    gate.entered()

    for key in (None, server.viewer):  # anonymous and a viewer's key
        refused = server.start(key, measure="DEGREE")
        assert refused["job"] is None
        assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    missing = f"aj-{server.jobs.run}-{'0' * 16}"
    for key in (None, server.viewer, OTHER_STAFF):
        body = server.job(job_id, key)
        assert body["data"]["analysisJob"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        # the answer a job that does not exist gets
        other = server.job(missing, key)["errors"][0]["message"].replace(missing, job_id)
        assert body["errors"][0]["message"] == other
        theirs = data(server.gql(LIST, key=key))["analysisJobs"]["edges"]
        assert job_id not in {e["node"]["id"] for e in theirs}
        if key != OTHER_STAFF:  # viewers never have jobs
            assert theirs == []
        payload = server.cancel(job_id, key)
        assert payload["job"] is None and payload["userErrors"][0]["code"] == "NOT_FOUND"
    assert data(server.job(job_id))["analysisJob"]["state"] == "RUNNING"  # still
    listed = data(server.gql(LIST, key=STAFF))["analysisJobs"]
    assert job_id in {e["node"]["id"] for e in listed["edges"]}

    # admins see and cancel everyone's jobs
    assert data(server.job(job_id, server.admin))["analysisJob"]["id"] == job_id
    admin_list = data(server.gql(LIST, key=server.admin))["analysisJobs"]["edges"]
    assert job_id in {e["node"]["id"] for e in admin_list}
    assert server.cancel(job_id, server.admin)["job"]["state"] == "CANCELLED"


# --------------------------------------------------------------------------- limits


def test_the_limits_refuse_extra_jobs(server: Server, gate: Gate) -> None:
    """One running at a time, one waiting in the server, two per caller (LIMITS)."""
    first = server.start(measure="BETWEENNESS", sample=gate_sample(gate))["job"]
    gate.entered()
    waiting = server.start(measure="DEGREE", filter={"asOf": "2021-01-01"})["job"]
    assert waiting["state"] == "QUEUED" and waiting["progress"] == 0.0
    assert waiting["revision"] is None and waiting["startedAt"] is None

    full_queue = server.start(OTHER_STAFF, measure="DEGREE")
    assert full_queue["job"] is None
    [error] = full_queue["userErrors"]
    assert error["code"] == "TOO_MANY_JOBS" and "queue is full" in error["message"]
    mine = server.start(measure="PAGERANK")
    assert mine["job"] is None
    [error] = mine["userErrors"]
    assert error["code"] == "TOO_MANY_JOBS" and "PARTNERNET_JOBS_PER_CALLER" in error["message"]
    # asking again for a job one already has is not a new job
    again = server.start(measure="DEGREE", filter={"asOf": "2021-01-01"})
    assert again["job"]["id"] == waiting["id"]

    assert server.cancel(waiting["id"])["job"]["state"] == "CANCELLED"  # leaves the queue
    room = server.start(OTHER_STAFF, measure="DEGREE")["job"]
    assert room["state"] == "QUEUED"
    assert server.cancel(room["id"], OTHER_STAFF)["job"]["state"] == "CANCELLED"
    assert server.cancel(first["id"])["job"]["state"] == "CANCELLED"


# --------------------------------------------------------------------------- writes


@pytest.fixture(params=STORE_KINDS)
def writable(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    settings, viewer, admin = _prepared(request.param, tmp_path_factory.mktemp("jobs-w") / "a.db")
    app = create_app(settings)
    try:
        with serve(app) as url:
            yield Server(url, app, viewer, admin)
    finally:
        if settings.store == "neo4j":
            _seed(settings)


CREATE = """mutation($input: CreateCivilSocietyOrganizationInput!) {
    createCivilSocietyOrganization(input: $input) { revision userErrors { message } } }"""


def test_a_write_makes_a_job_stale_and_its_result_is_not_served_for_the_new_revision(
    writable: Server, gate: Gate, seed_graphs: SeedGraphs, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = writable
    small_budget(monkeypatch, seed_graphs)
    sample = gate_sample(gate)
    job_id = s.start(measure="BETWEENNESS", sample=sample)["job"]["id"]
    gate.entered()
    analysed = s.wait_for(job_id, "RUNNING")["revision"]

    wrote = data(s.gql(CREATE, {"input": {"name": "Quiet Alder Forum"}}, STAFF))
    revision = wrote["createCivilSocietyOrganization"]["revision"]
    assert revision > analysed
    running = data(s.job(job_id))["analysisJob"]
    assert (running["state"], running["stale"], running["currentRevision"]) == (
        "RUNNING",
        True,
        revision,
    )
    gate.release()
    done = s.wait_for(job_id, "DONE", "FAILED")
    assert (done["state"], done["stale"], done["revision"]) == ("DONE", True, analysed)
    result = data(s.gql(RESULT, {"id": job_id}, STAFF))["analysisJob"]["result"]
    assert result["revision"] == analysed  # kept, and labelled with what it describes

    query = f"""{{ centrality(measure: BETWEENNESS, sample: {{k: {sample["k"]},
        seed: {sample["seed"]}}}, top: 100) {{ {ENTRIES} }} }}"""
    refused = s.gql(query, key=STAFF)  # the new revision is not served the stale result
    assert refused["errors"][0]["extensions"]["code"] == "ANALYSIS_TOO_LARGE"

    monkeypatch.setattr(jobs, "run_measure", job_gate.REAL)  # the next job computes at once
    fresh = s.start(measure="BETWEENNESS", sample=sample)["job"]
    assert fresh["id"] != job_id  # not the stale one
    fresh = s.wait_for(fresh["id"], "DONE", "FAILED")
    assert (fresh["state"], fresh["revision"], fresh["stale"]) == ("DONE", revision, False)
    served = data(s.gql(query, key=STAFF))["centrality"]
    assert served["revision"] == revision
    assert served == data(s.gql(RESULT, {"id": fresh["id"]}, STAFF))["analysisJob"]["result"]


# --------------------------------------------------------------------------- restarts


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_a_restart_kills_running_jobs_and_their_ids_say_so(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "neo4j":
        from tests.conftest import neo4j_config

        neo4j_config()  # skips without a server
    settings, _, _ = _prepared(kind, tmp_path / "api.db")
    monkeypatch.setattr(jobs, "run_measure", gated_measure)
    gate = Gate()
    try:
        first = create_app(settings)
        with serve(first) as url:
            started = Server(url, first, "", "").start(
                measure="BETWEENNESS", sample=gate_sample(gate)
            )
            job_id = started["job"]["id"]
            pid = gate.entered()
        # the app's shutdown killed the job's process
        assert not alive(pid) and gate.hung_up()

        second = create_app(settings)
        with serve(second) as url:
            s = Server(url, second, "", "")
            body = s.job(job_id)
            assert body["data"]["analysisJob"] is None
            error = body["errors"][0]
            assert error["extensions"]["code"] == "JOB_LOST"
            assert "restarted" in error["message"] and "startAnalysis" in error["message"]
            payload = s.cancel(job_id)
            assert payload["userErrors"][0]["code"] == "JOB_LOST"
            unknown = f"aj-{second.state.jobs.run}-{'0' * 16}"
            assert s.job(unknown)["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    finally:
        gate.close()
        if kind == "neo4j":
            _seed(settings)


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize("directed", [False, True])
def test_a_network_travels_as_arrays_unchanged(seed_graphs: SeedGraphs, directed: bool) -> None:
    """The child rebuilds the analysed network node for node, edge for edge and neighbour for
    neighbour in the same order, so the backends are given the same graph."""
    snapshot = seed_graphs.snapshot()
    graph = canonical(nx.DiGraph(full(snapshot)) if directed else co_partnership(snapshot))
    rebuilt = GraphPayload.of(graph).graph()
    assert nx.is_frozen(rebuilt) and rebuilt.is_directed() == directed
    assert list(rebuilt.nodes(data="kind")) == list(graph.nodes(data="kind"))
    assert list(rebuilt.edges(data="weight")) == list(graph.edges(data="weight"))
    assert [list(n) for _, n in rebuilt.adjacency()] == [list(n) for _, n in graph.adjacency()]
    if directed:
        assert [list(n) for _, n in rebuilt.pred.items()] == [
            list(n) for _, n in graph.pred.items()
        ]
    # equal to rounding: the multithreaded backends vary in the last bits from run to run
    got = centrality.betweenness_centrality(rebuilt, weight="weight").scores
    expected = centrality.betweenness_centrality(graph, weight="weight").scores
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[k], v, rel_tol=1e-12, abs_tol=1e-15) for k, v in expected.items())


def test_job_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERNET_JOB_WORK_BUDGET", "3e11")
    monkeypatch.setenv("PARTNERNET_JOBS_RUNNING", "2")
    limits = Settings.from_env().jobs
    assert (limits.work_budget, limits.running) == (300_000_000_000, 2)
    monkeypatch.setenv("PARTNERNET_JOBS_PER_CALLER", "0")
    with pytest.raises(ValueError, match="PARTNERNET_JOBS_PER_CALLER: must be at least 1"):
        Settings.from_env()


def test_the_result_arguments_are_checked_at_the_edge(server: Server) -> None:
    """``AnalysisJob.result(top:, rankKinds:)`` take ``centrality``'s ranges (the schema-wide
    edge probes cannot reach a job: none exists until an analyst starts one)."""
    job_id = server.start(measure="DEGREE")["job"]["id"]
    server.wait_for(job_id, "DONE")
    kinds = ", ".join(["MEMBER_STATE"] * 101)
    for args, argument in (
        ("top: 0", "top"),
        ("top: 101", "top"),
        (f"rankKinds: [{kinds}]", "rankKinds"),
    ):
        body = server.gql(
            f'{{ analysisJob(id: "{job_id}") {{ result({args}) {{ revision }} }} }}', key=STAFF
        )
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", body
        assert error["extensions"]["argument"] == argument
    got = data(
        server.gql(
            f'{{ analysisJob(id: "{job_id}") {{ result(top: 1) {{ entries {{ rank }} }} }} }}',
            key=STAFF,
        )
    )
    assert got["analysisJob"]["result"]["entries"] == [{"rank": 1}]
