"""A bounded load test on loopback: legitimate clients, calm and then beside one attacker.

For each store (``--stores embedded,neo4j``), the real app (``api.app:create_app``, settings
from the environment as in production) runs under a real uvicorn in a **subprocess** on
127.0.0.1, so the load generator shares neither its interpreter lock nor its event loop. The
store is seeded first with ``partnernet seed``: a temporary SQLite file for ``embedded``; for
``neo4j`` the server of ``--neo4j-uri`` or else a private test server this script starts
(``tools/neo4j-test-server/up.sh`` on port 7692, home /tmp/neo4j-load) and stops at the end.

**Legitimate load.** ``--clients`` concurrent clients (default 20), each on its own keep-alive
connection (httpx) from its own loopback address (127.10+run.x.y: all of 127.0.0.0/8 is
loopback, so a per-address rate limit sees 20 callers, as it would in production, and each run
starts with fresh budgets), send requests back to back for ``--seconds`` (default 20), each
drawing from its own seeded RNG a mixed workload:

| share | operation |
|---|---|
| 20% | ``coverageMatrix`` (region x theme, region x actor kind, region; two dates) |
| 20% | ``centrality(top: 20)`` (PageRank, degree, eigenvector) |
| 58% | ``node(id:)`` of a key listed by ``actors(first: 100)``, with 10 programmes |
| 2% | ``updateCivilSocietyOrganization`` of a bench-only organisation (new description) |

Mutations need the privileged key: this script puts one in ``--key-env`` (default
``PARTNERNET_PRIVILEGED_KEYS``) for the server and checks that it works by creating the bench
organisation. If the variable is empty, renamed or refused, there are no mutations (their share
goes to the other operations) and the report says so. Every write bumps the graph revision,
so the caches of coverage and centrality are dropped a few times a second, as on a busy day.

A legitimate request is an **error** when it fails in transport, times out (``--timeout``),
gets a non-2xx status, or its body holds GraphQL ``errors`` (or, for a mutation,
``userErrors``). A ``429`` counts as an error too, and the client then waits its
``Retry-After`` as a polite client would (a client sending back to back can outspend a
per-caller budget; the preflight line prints what each operation costs and the rate limit).
Latencies are percentiles over every request of the run (nothing is taken from a best run).
``/healthz`` is sampled every 0.5 s in every run.

**Attack.** The same run again, with one more client sending, back to back, one abusive query
(``--attack``):

- ``fanout`` (default): from ``node(id: "prog-jpoa-central-asia")``, programme partners and
  their programmes alternately, ``first: 100`` each, six connections deep (about two million
  nodes on the seed data; 20 nested fields). ``--fanout-depth 4`` (14 nested fields, about
  20,000 nodes) stays under a depth limit of 15, to exercise the cost limit instead;
- ``alias``: 1,000 aliases of ``actors(first: 100) { edges { node { name } } }``;
- ``both``: one attacked run for each (the server is restarted in between).

The attacker's answers are expected to be refused (``QUERY_TOO_COMPLEX``,
``QUERY_TOO_COSTLY`` or a parser limit); the report counts them by error code. **Target**:
beside the attacker, legitimate p95 at most 2x that of the calm run and no legitimate error.
The server is restarted after an attacked run (work of an abusive query may outlive the run),
and killed at once if its memory passes ``--max-server-mb``.

Run: ``.venv/bin/python bench/load.py [--stores embedded,neo4j] [--seconds 20]
[--clients 20] [--attack fanout|alias|both] [--fanout-depth 6] [--quick]
[--server-env NAME=VALUE ...]``. Exit status 1 when a target is
missed. The machine is shared: the load average is printed at the start and end; compare runs
only with similar loads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
KEY = "load-bench-staff-key"
BENCH_ORG = "cso-load-bench"
FANOUT_ROOT = "prog-jpoa-central-asia"
NEO4J_PORT = 7692
NEO4J_HOME = Path("/tmp/neo4j-load")
HEALTH_EVERY = 0.5
HEALTH_TIMEOUT = 30.0
OPS = ("coverage", "centrality", "node", "mutation")
SHARES = {"coverage": 0.20, "centrality": 0.20, "node": 0.58, "mutation": 0.02}

COVERAGE = """query Coverage($groupBy: [CoverageDimension!]!, $asOf: Date) {
  coverageMatrix(groupBy: $groupBy, asOf: $asOf) {
    revision benchmark suppressionThreshold rows { key label } columns { key label }
    cells { suppressed partners partnerships programmes activities funding engagementIndex
            need gapScore }
    rowTotals { suppressed partners } columnTotals { suppressed partners } total { partners }
  }
}"""
COVERAGE_VARIANTS: list[dict[str, Any]] = [
    {"groupBy": group, "asOf": as_of}
    for group in (["REGION", "THEME"], ["REGION", "ACTOR_KIND"], ["REGION"])
    for as_of in ("2025-06-30", "2024-06-30")
]
CENTRALITY = """query Centrality($measure: CentralityMeasure!) {
  centrality(measure: $measure, top: 20) {
    revision measure normalization backend entries { rank score node { key name kind } }
  }
}"""
CENTRALITY_VARIANTS: list[dict[str, Any]] = [
    {"measure": m} for m in ("PAGERANK", "DEGREE", "EIGENVECTOR")
]
NODE = """query Node($id: ID!) {
  node(id: $id) {
    id key kind name
    ... on Actor { programmes(first: 10) { totalCount edges { role node { key name } } } }
  }
}"""
ACTORS = "{ actors(first: 100) { edges { node { key } } } }"
CREATE_ORG = """mutation Create($input: CreateCivilSocietyOrganizationInput!) {
  createCivilSocietyOrganization(input: $input) {
    civilSocietyOrganization { key } revision userErrors { field message code }
  }
}"""
UPDATE_ORG = """mutation Update($input: UpdateCivilSocietyOrganizationInput!) {
  updateCivilSocietyOrganization(input: $input) {
    civilSocietyOrganization { key description } revision userErrors { field message code }
  }
}"""


def fanout_query(root: str = FANOUT_ROOT, depth: int = 6, first: int = 100) -> str:
    """Programme partners, their programmes, their partners, ... ``depth`` connections deep."""
    inner = "key"
    for level in reversed(range(depth)):
        if level % 2 == 0:  # a programme's partners: actors
            inner = (
                f"partners(first: {first}) {{ edges {{ node {{ ... on Actor {{ {inner} }} }} }} }}"
            )
        else:  # an actor's programmes
            inner = f"programmes(first: {first}) {{ edges {{ node {{ {inner} }} }} }}"
    return f'{{ node(id: "{root}") {{ ... on Programme {{ {inner} }} }} }}'


def alias_query(aliases: int = 1000) -> str:
    one = "actors(first: 100) { edges { node { name } } }"
    return "{ " + " ".join(f"a{i}: {one}" for i in range(aliases)) + " }"


# --------------------------------------------------------------------------- measurements


def pct(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Sample:
    op: str
    seconds: float
    error: str | None


@dataclass
class AttackStats:
    query_kb: float
    sent: int = 0
    answered: int = 0
    not_refused: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    body_mb: float = 0.0
    in_flight: float | None = None  # seconds the last request had been running at the end


@dataclass
class Phase:
    name: str
    clients: int
    wall: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    health_failures: int = 0
    max_rss_mb: float = 0.0
    attack: AttackStats | None = None
    aborted: str | None = None

    def latencies(self, op: str | None = None) -> list[float]:
        return [s.seconds for s in self.samples if op is None or s.op == op]

    def errors(self, op: str | None = None) -> int:
        return sum(1 for s in self.samples if s.error and (op is None or s.op == op))

    def p95_ms(self) -> float:
        return pct(self.latencies(), 95) * 1000 if self.samples else math.inf


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Server:
    """``uvicorn api.app:create_app --factory`` in a subprocess, on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, timeout: float = 90.0) -> None:
        self.port = free_port()
        flags = f"--host 127.0.0.1 --port {self.port} --log-level warning --no-access-log"
        cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", *flags.split()]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited ({self.proc.returncode}):\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s (a server busy with an abusive query may not stop)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --------------------------------------------------------------------------- stores


def run(cmd: list[str], env: dict[str, str] | None = None, what: str = "") -> str:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{what or cmd[0]} failed ({done.returncode}):\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout


def seed(env: dict[str, str]) -> str:
    """``partnernet seed`` (idempotent); returns its last line (counts by kind)."""
    t = time.perf_counter()
    out = run([sys.executable, "-m", "api.cli", "seed"], env, "partnernet seed")
    lines = [line for line in out.splitlines() if line.strip()]
    return f"{lines[-1] if lines else ''} (seed {time.perf_counter() - t:.1f} s)"


def base_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PARTNERNET_PRIVILEGED_KEYS", None)
    if args.key_env:
        env[args.key_env] = KEY
    env["PYTHONUNBUFFERED"] = "1"
    for item in args.server_env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SystemExit(f"--server-env wants NAME=VALUE, got {item!r}")
        env[name] = value
    return env


@contextlib.contextmanager
def neo4j_server(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """The ``NEO4J_*`` settings of ``--neo4j-uri``, or of a private test server started here
    (and stopped at the end, unless it was already running)."""
    if args.neo4j_uri:
        yield {
            "NEO4J_URI": args.neo4j_uri,
            "NEO4J_USER": args.neo4j_user,
            "NEO4J_PASSWORD": args.neo4j_password,
        }
        return
    env = dict(
        os.environ,
        NEO4J_TEST_PORT=str(NEO4J_PORT),
        NEO4J_TEST_HOME=str(NEO4J_HOME),
        NEO4J_TEST_PASSWORD=args.neo4j_password,
    )
    pid_file = NEO4J_HOME / "neo4j.pid"
    running = False
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pid_file.read_text().strip()), 0)
        running = True
    if not running:
        env["NEO4J_TEST_FRESH"] = "1"  # a store of the seed data only, as for embedded
    script = ROOT / "tools" / "neo4j-test-server"
    t = time.perf_counter()
    run(["bash", str(script / "up.sh")], env, "neo4j-test-server/up.sh")
    state = "already running" if running else f"started in {time.perf_counter() - t:.0f} s"
    print(f"neo4j test server on bolt://127.0.0.1:{NEO4J_PORT} ({state}, home {NEO4J_HOME})")
    try:
        yield {
            "NEO4J_URI": f"bolt://127.0.0.1:{NEO4J_PORT}",
            "NEO4J_USER": "neo4j",
            "NEO4J_PASSWORD": args.neo4j_password,
        }
    finally:
        if not running:
            subprocess.run(
                ["bash", str(script / "down.sh")],
                cwd=ROOT,
                env=env,
                capture_output=True,
                check=False,
            )
            print("neo4j test server stopped")


# --------------------------------------------------------------------------- workload


def graphql_problem(payload: Any, op: str) -> str | None:
    if not isinstance(payload, dict):
        return "not a JSON object"
    if payload.get("errors"):
        codes = sorted(
            {str((e.get("extensions") or {}).get("code", "?")) for e in payload["errors"]}
        )
        return "GraphQL " + ",".join(codes)
    if op == "mutation":
        result = next(iter((payload.get("data") or {}).values()), None) or {}
        if result.get("userErrors"):
            return "userErrors " + ",".join(sorted({e["code"] for e in result["userErrors"]}))
    return None


def problem(response: httpx.Response, op: str) -> str | None:
    if not response.is_success:
        return f"HTTP {response.status_code}"
    try:
        return graphql_problem(response.json(), op)
    except ValueError:
        return "bad JSON"


@dataclass
class Workload:
    keys: list[str]
    mutations: bool
    seed: int
    writes: Iterator[int] = field(default_factory=itertools.count)

    def shares(self) -> dict[str, float]:
        return {op: s for op, s in SHARES.items() if self.mutations or op != "mutation"}

    def draw(self, rng: random.Random) -> tuple[str, dict[str, Any], dict[str, str]]:
        shares = self.shares()
        op = rng.choices(list(shares), weights=list(shares.values()))[0]
        if op == "coverage":
            return op, {"query": COVERAGE, "variables": rng.choice(COVERAGE_VARIANTS)}, {}
        if op == "centrality":
            return op, {"query": CENTRALITY, "variables": rng.choice(CENTRALITY_VARIANTS)}, {}
        if op == "node":
            return op, {"query": NODE, "variables": {"id": rng.choice(self.keys)}}, {}
        return self.mutation()

    def every_request(self) -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
        for variables in COVERAGE_VARIANTS:
            yield "coverage", {"query": COVERAGE, "variables": variables}, {}
        for variables in CENTRALITY_VARIANTS:
            yield "centrality", {"query": CENTRALITY, "variables": variables}, {}
        yield "node", {"query": NODE, "variables": {"id": self.keys[0]}}, {}
        if self.mutations:
            yield self.mutation()

    def mutation(self) -> tuple[str, dict[str, Any], dict[str, str]]:
        text = f"Load test write {next(self.writes)}"
        body = {"query": UPDATE_ORG, "variables": {"input": {"id": BENCH_ORG, "description": text}}}
        return "mutation", body, {"authorization": f"Bearer {KEY}"}


async def prepare(base: str, seed_: int) -> tuple[Workload, str]:
    """Keys to look up, whether mutations work (creating the bench organisation), and one
    request of every kind, which must succeed (and warms the server's caches)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        got = (await client.post("/graphql", json={"query": ACTORS})).json()
        keys = [e["node"]["key"] for e in got["data"]["actors"]["edges"]]
        org = {
            "key": BENCH_ORG,
            "name": "Load test organisation (illustrative)",
            "illustrative": True,
            "description": "Written by bench/load.py",
        }
        resp = await client.post(
            "/graphql",
            json={"query": CREATE_ORG, "variables": {"input": org}},
            headers={"authorization": f"Bearer {KEY}"},
        )
        payload = resp.json()
        errors = (payload.get("data") or {}).get("createCivilSocietyOrganization", {}) or {}
        codes = {e["code"] for e in errors.get("userErrors") or []}
        if payload.get("errors") or "FORBIDDEN" in codes or codes - {"CONFLICT"}:
            note = f"mutations off: the key was refused ({sorted(codes) or payload.get('errors')})"
            mutations = False
        else:
            note = "mutations on (2%, privileged key)"
            mutations = True
        work = Workload(keys, mutations, seed_)
        costs: dict[str, list[int]] = {}
        rate = ""
        for op, body, headers in work.every_request():
            r = await client.post("/graphql", json=body, headers=headers)
            if (why := problem(r, op)) is not None:
                raise RuntimeError(f"preflight {op} {body.get('variables')}: {why}: {r.text[:300]}")
            cost = ((r.json().get("extensions") or {}).get("cost") or {}).get("requested")
            if isinstance(cost, int):
                costs.setdefault(op, []).append(cost)
            rate = r.headers.get("ratelimit-limit", rate)
    if costs:
        note += "; cost points " + ", ".join(
            f"{op} {min(c)}" + (f"-{max(c)}" if max(c) > min(c) else "") for op, c in costs.items()
        )
    if rate:
        note += f"; rate limit {rate} points per caller and window"
    return work, note


# --------------------------------------------------------------------------- one run


def client_address(run_no: int, i: int) -> str:
    """Client ``i``'s own loopback source address in run ``run_no``: 127.0.0.0/8 is all
    loopback on Linux, so each client is a caller of its own to whatever counts callers by
    address (the rate limit), and a run does not inherit the budgets the previous one spent."""
    return f"127.{10 + run_no}.{i // 200}.{i % 200 + 1}"


RUNS = itertools.count()


def attacker_address(run_no: int) -> str:
    return f"127.99.{run_no}.1"


async def legitimate(
    address: str,
    i: int,
    base: str,
    work: Workload,
    timeout: float,
    stop: asyncio.Event,
    out: list[Sample],
) -> None:
    """Back to back, except that a 429 is honoured (its ``Retry-After``) as a polite client
    would; the 429 still counts as an error."""
    rng = random.Random(f"{work.seed}-{i}")
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    transport = httpx.AsyncHTTPTransport(local_address=address, limits=limits)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, transport=transport) as client:
        while not stop.is_set():
            op, body, headers = work.draw(rng)
            t = time.perf_counter()
            wait = 0.0
            try:
                response = await client.post("/graphql", json=body, headers=headers)
                error = problem(response, op)
                if response.status_code == 429:
                    with contextlib.suppress(ValueError):
                        wait = float(response.headers.get("retry-after", "1"))
            except httpx.TimeoutException:
                error = "timeout"
            except httpx.HTTPError as err:
                error = type(err).__name__
            out.append(Sample(op, time.perf_counter() - t, error))
            if wait:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)


def refusal(error: Any) -> str:
    """An error's code, or the start of its message when it has none."""
    if not isinstance(error, dict):
        return "?"
    code = (error.get("extensions") or {}).get("code")
    return str(code) if code else f"no code: {str(error.get('message'))[:48]!r}"


async def attacker(address: str, base: str, query: str, stats: AttackStats) -> None:
    """Back to back, one at a time; the answer is streamed and only its start kept."""
    body = json.dumps({"query": query}).encode()
    headers = {"content-type": "application/json", "accept": "application/json"}
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base, timeout=None, transport=transport) as client:
        while True:
            stats.sent += 1
            t = time.perf_counter()
            try:
                head, size = b"", 0
                async with client.stream("POST", "/graphql", content=body, headers=headers) as r:
                    async for chunk in r.aiter_raw():
                        size += len(chunk)
                        if len(head) < 1 << 20:
                            head += chunk
                stats.latencies.append(time.perf_counter() - t)
                stats.answered += 1
                stats.body_mb += size / 1e6
                payload = json.loads(head) if size < 1 << 20 else {}
                codes = [refusal(e) for e in payload.get("errors") or []]
                if codes or not r.is_success:
                    stats.refused[",".join(sorted(set(codes))) or f"HTTP {r.status_code}"] += 1
                else:
                    stats.not_refused += 1
            except asyncio.CancelledError:
                stats.in_flight = time.perf_counter() - t
                raise
            except (httpx.HTTPError, ValueError) as err:
                stats.failed[type(err).__name__] += 1
                await asyncio.sleep(0.5)  # the server went away: do not spin


async def health(base: str, phase: Phase, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=HEALTH_TIMEOUT) as client:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                r = await client.get("/healthz")
                if r.status_code != 200:
                    phase.health_failures += 1
            except asyncio.CancelledError:
                phase.health.append(time.perf_counter() - t)  # still waiting: a lower bound
                raise
            except httpx.HTTPError:
                phase.health_failures += 1
            took = time.perf_counter() - t
            phase.health.append(took)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, HEALTH_EVERY - took))


async def memory_guard(server: Server, phase: Phase, limit_mb: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        rss = rss_mb(server.pid)
        phase.max_rss_mb = max(phase.max_rss_mb, rss)
        if rss > limit_mb:
            phase.aborted = f"server RSS {rss:.0f} MB > {limit_mb:.0f} MB: server killed"
            server.kill()
            stop.set()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)


async def run_phase(
    name: str, server: Server, work: Workload, args: argparse.Namespace, attack: str | None
) -> Phase:
    phase = Phase(name, args.clients)
    run_no = next(RUNS)
    stop = asyncio.Event()
    background: list[asyncio.Task[None]] = [
        asyncio.create_task(health(server.base, phase, stop)),
        asyncio.create_task(memory_guard(server, phase, args.max_server_mb, stop)),
    ]
    if attack is not None:
        query = fanout_query(depth=args.fanout_depth) if attack == "fanout" else alias_query()
        phase.attack = AttackStats(query_kb=len(query) / 1000)
        attack_task = attacker(attacker_address(run_no), server.base, query, phase.attack)
        background.append(asyncio.create_task(attack_task))
    t = time.perf_counter()
    clients = [
        asyncio.create_task(
            legitimate(
                client_address(run_no, i), i, server.base, work, args.timeout, stop, phase.samples
            )
        )
        for i in range(args.clients)
    ]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), args.seconds)
    stop.set()
    await asyncio.gather(*clients)  # each finishes its request in flight (at most --timeout)
    phase.wall = time.perf_counter() - t
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    return phase


# --------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f}"


def print_phase(phase: Phase) -> None:
    n = len(phase.samples)
    print(
        f"  {phase.name}: {phase.clients} clients, {phase.wall:.1f} s: {n} requests, "
        f"{n / phase.wall:.1f} req/s, {phase.errors()} errors"
    )
    print(
        f"    {'operation':12} {'count':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'errors':>7}"
    )
    for op in (*OPS, None):
        lat = phase.latencies(op)
        if not lat:
            continue
        print(
            f"    {op or 'all':12} {len(lat):6d} {ms(pct(lat, 50))} {ms(pct(lat, 95))} "
            f"{ms(pct(lat, 99))} {phase.errors(op):7d}"
        )
    kinds = Counter(s.error for s in phase.samples if s.error)
    if kinds:
        print("    errors: " + ", ".join(f"{k} x{v}" for k, v in kinds.most_common(6)))
    if phase.health:
        print(
            f"    /healthz every {HEALTH_EVERY} s: {len(phase.health)} samples, "
            f"p50 {pct(phase.health, 50) * 1000:.1f} ms, max {max(phase.health) * 1000:.1f} ms"
            f"{f', {phase.health_failures} failed' if phase.health_failures else ''}; "
            f"server RSS max {phase.max_rss_mb:.0f} MB"
        )
    if (a := phase.attack) is not None:
        refused = ", ".join(f"{k} x{v}" for k, v in a.refused.items()) or "none"
        line = (
            f"    attacker ({a.query_kb:.1f} kB query): {a.sent} sent, {a.answered} answered "
            f"(refused: {refused}; not refused: {a.not_refused}, {a.body_mb:.1f} MB)"
        )
        if a.latencies:
            line += f", answer p50 {pct(a.latencies, 50) * 1000:.0f} ms"
        if a.in_flight is not None and a.in_flight >= 1:
            line += f", one still running after {a.in_flight:.1f} s at the end"
        if a.failed:
            line += ", failed: " + ", ".join(f"{k} x{v}" for k, v in a.failed.items())
        print(line)
    if phase.aborted:
        print(f"    ABORTED: {phase.aborted}")


def compare(store: str, attack: str, calm: Phase, attacked: Phase) -> str | None:
    """Print calm vs attacked and the verdict; return the failure, if any."""
    ratio = attacked.p95_ms() / calm.p95_ms()
    health = (
        f"/healthz max {max(calm.health, default=0) * 1000:.1f} -> "
        f"{max(attacked.health, default=0) * 1000:.1f} ms"
    )
    print(
        f"  calm vs attacked ({attack}): legitimate p95 {calm.p95_ms():.1f} -> "
        f"{attacked.p95_ms():.1f} ms (x{ratio:.2f}), legitimate errors {calm.errors()} -> "
        f"{attacked.errors()}, throughput {len(calm.samples) / calm.wall:.1f} -> "
        f"{len(attacked.samples) / attacked.wall:.1f} req/s, {health}"
    )
    missed = []
    if ratio > 2:
        missed.append(f"legitimate p95 x{ratio:.2f} the calm run (target at most x2)")
    if attacked.errors() or calm.errors():
        limited = sum(1 for p in (calm, attacked) for x in p.samples if x.error == "HTTP 429")
        missed.append(
            f"legitimate errors calm {calm.errors()}, attacked {attacked.errors()} (target 0)"
            + (f", {limited} of them 429 (rate limit)" if limited else "")
        )
    if attacked.aborted:
        missed.append(attacked.aborted)
    verdict = "PASS" if not missed else "FAIL"
    detail = "; ".join(missed) or "legitimate p95 at most 2x calm, 0 legitimate errors"
    print(f"  {verdict} {store}/{attack}: {detail}")
    return f"{store}/{attack}: {'; '.join(missed)}" if missed else None


# --------------------------------------------------------------------------- main


async def bench_store(
    store: str, env: dict[str, str], args: argparse.Namespace, tmp: Path
) -> list[str | None]:
    print(f"\n== {store} store: {seed(env)}")
    server = Server(env, tmp / f"server-{store}.log")
    verdicts: list[str | None] = []
    try:
        await server.start()
        work, note = await prepare(server.base, args.seed)
        print(
            f"  server pid {server.pid} on {server.base}; {len(work.keys)} keys to look up; {note}"
        )
        calm = await run_phase("calm", server, work, args, None)
        print_phase(calm)
        for n, attack in enumerate(["fanout", "alias"] if args.attack == "both" else [args.attack]):
            if n or calm.aborted:
                server.stop()
                await server.start()
            attacked = await run_phase(f"attacked ({attack})", server, work, args, attack)
            print_phase(attacked)
            verdicts.append(compare(store, attack, calm, attacked))
            server.stop()  # an abusive query may still be running
    except RuntimeError as err:
        print(f"  {store}: {err}")
        verdicts.append(f"{store}: {str(err).splitlines()[0]}")
    finally:
        server.stop()
    lines = [line for line in server.tail(100_000).splitlines() if line.strip()]
    if lines:  # warnings and errors only (--log-level warning); frames of tracebacks left out
        heads = Counter(line[:160] for line in lines if not line.startswith((" ", "Traceback")))
        print(f"  server log: {len(lines)} lines; messages (without traceback frames):")
        for line, count in heads.most_common(6):
            print(f"    | {line}" + (f"  (x{count})" if count > 1 else ""))
    return verdicts


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    has_java = bool(shutil.which("java") and shutil.which("mvn"))
    parser.add_argument(
        "--stores",
        help="comma-separated: embedded,neo4j (default: both when "
        "Java and Maven are present or --neo4j-uri is given, else embedded)",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run (20)")
    parser.add_argument("--clients", type=int, default=20, help="legitimate clients (20)")
    parser.add_argument("--attack", choices=["fanout", "alias", "both"], default="fanout")
    parser.add_argument(
        "--fanout-depth",
        type=int,
        default=6,
        help="connections of the fan-out query (6: refused by depth today; 4: by cost)",
    )
    parser.add_argument("--quick", action="store_true", help="6 s runs of 10 clients")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="legitimate request timeout (s)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' RNGs")
    parser.add_argument(
        "--max-server-mb",
        type=float,
        default=4000.0,
        help="kill the server if its RSS passes this (MB; default 4000)",
    )
    parser.add_argument(
        "--key-env",
        default="PARTNERNET_PRIVILEGED_KEYS",
        help="variable of the privileged keys ('' = no key, no mutations)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the server, e.g. PARTNERNET_RATE_LIMIT= (repeatable)",
    )
    parser.add_argument("--neo4j-uri", default=None, help="use this Neo4j (it gets seeded)")
    parser.add_argument("--neo4j-user", default=os.environ.get("NEO4J_USER", "neo4j"))
    parser.add_argument(
        "--neo4j-password", default=os.environ.get("NEO4J_PASSWORD", "partnernet-dev")
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.clients = min(args.seconds, 6.0), min(args.clients, 10)
    default = "embedded,neo4j" if has_java or args.neo4j_uri else "embedded"
    args.stores = [s.strip() for s in (args.stores or default).split(",") if s.strip()]
    if bad := set(args.stores) - {"embedded", "neo4j"}:
        parser.error(f"unknown store(s): {', '.join(sorted(bad))}")
    if "neo4j" in args.stores and not (has_java or args.neo4j_uri):
        parser.error("neo4j needs --neo4j-uri, or Java and Maven for a private test server")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    one, five, fifteen = os.getloadavg()
    print(
        f"load average at start: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs); "
        f"stores {','.join(args.stores)}; {args.clients} clients x {args.seconds:g} s per run; "
        f"attack {args.attack}; mix " + ", ".join(f"{op} {s:.0%}" for op, s in SHARES.items())
    )
    t = time.perf_counter()
    verdicts: list[str | None] = []
    with tempfile.TemporaryDirectory(prefix="partnernet-load-") as tmp_name:
        tmp = Path(tmp_name)
        env = base_env(args)
        for store in args.stores:
            if store == "embedded":
                store_env = dict(
                    env, PARTNERNET_STORE="embedded", PARTNERNET_DB=str(tmp / "load.db")
                )
                verdicts += asyncio.run(bench_store(store, store_env, args, tmp))
                continue
            try:
                with neo4j_server(args) as neo:
                    store_env = dict(env, PARTNERNET_STORE="neo4j", **neo)
                    verdicts += asyncio.run(bench_store(store, store_env, args, tmp))
            except RuntimeError as err:
                print(f"\n== neo4j store: {err}")
                verdicts.append(f"neo4j: {str(err).splitlines()[0]}")
    one, five, fifteen = os.getloadavg()
    print(
        f"\nload average at end: {one:.2f} {five:.2f} {fifteen:.2f}; "
        f"total {time.perf_counter() - t:.0f} s"
    )
    missed = [v for v in verdicts if v]
    if missed:
        print("MISSED: " + " | ".join(missed))
        return 1
    print("all load targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
