"""Restricted actors never reach an unprivileged caller: a leak test generated from the schema.

What is walked is read from the served schema by introspection (``tests/abuse/schema_model``),
so a field added tomorrow is walked without anyone remembering to add it:

* every root field, queries and mutations (mutations only by callers who may not write, so the
  walk writes nothing), with minimal valid arguments: required ones at a baseline, a required
  enum once per value, an ID once per node of its type the caller can list (a spread sample),
  a list of IDs once per node type; list arguments (``first``, ``top``,
  ``membersPerCommunity``) as large as the cost limit lets them be, root connections to their
  last page;
* everything inside each result: value objects to any depth (ranking entries, communities,
  lineage nodes, links and paths, coverage headers, payloads) and the leaves of every node;
* every navigation field of every node type (``Programme.partners``, ``Activity.location``,
  ...), from every node of that type the caller can list, to its last page. The nodes it
  reaches are themselves listed, so every chain of navigation fields, three levels or more,
  is walked one step at a time.

Every answer, errors included, is searched for what identifies a restricted actor: its name,
description and source (unless a public actor shares them), key, global id and the base64 of
its key, also inside every base64 token an answer carries (cursors hold keys). The same walk
sent by a privileged caller must find every restricted actor: the check can see a leak.

Hidden ids are then put into every ID input of the schema (``node(id:)``, ``whatIf(remove:)``,
``filter.themes``, a mutation's ``input.actor``, ...): the answer must be the one a random
missing id gets, so that not even a restricted actor's existence shows. Last, the
quasi-identifiers a placeholder used to leave (kind, country, focus group or type) are counted
on the seed, and docs/SECURITY.md must state the numbers measured here.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import itertools
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.guard import Limits
from api.nodes import to_global_id
from api.settings import Settings, staff_defaults
from api.stores import store_from_settings
from graph.keys import Role, issue
from graph.model import NON_STATE_KINDS, NodeKind
from tests.abuse.edges import baseline
from tests.abuse.probing import Client, Pool, read_schema
from tests.abuse.schema_model import Field, Raw, Schema, TypeRef, literal, walk
from tests.api.conftest import PRIVILEGED_KEY, _seed, _settings
from tests.conftest import STORE_KINDS
from tests.live import serve

UNPRIVILEGED = ("anonymous", "viewer")
#: Arguments that size a list: as large as the cost limit allows, so lists show much.
WIDTH_ARGS = frozenset({"first", "top", "membersPerCommunity"})
#: Their values by how many sized lists enclose the field: at the root, inside one, deeper.
WIDTHS = (100, 10, 3)
#: Most stored ids tried for one ID argument (spread over the types it accepts).
MAX_CANDIDATES = 8
#: Most documents for one root field (combinations of its required arguments' values).
MAX_COMBINATIONS = 24
#: Requests in flight at once. Few: the server runs in a thread of this process, so more
#: threads mostly wait for each other.
WORKERS = 2
#: Restricted actors put into each single-ID input other than ``node(id:)`` (which gets all).
HIDDEN_SAMPLE = 2
#: Nodes continued per document when a navigation list has more pages (50 aliases at most).
ALIASES = 40
LEAF_KINDS = ("SCALAR", "ENUM")
NON_STATE = frozenset(k.value for k in NON_STATE_KINDS)
SECURITY_MD = Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md"
MEASURED = (
    "Measured on the seed data by `tests/abuse/test_leaks.py`: {unique} of the {hidden} "
    "restricted actors are unique among the {total} non-state actors on kind, country and "
    "focus group or type; restricted actors whose combination a viewer can see: {visible}."
)


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    url: str
    tokens: dict[str, str | None]  # caller -> bearer token


@pytest.fixture(scope="module", params=STORE_KINDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The seed data behind the production limits, with a stored viewer key (``api_url`` has
    none, and its store must not be written). Rate limiting is off: one caller sends the whole
    walk, and being refused 429 would hide answers."""
    settings = _settings(request.param, tmp_path_factory.mktemp("leaks") / "api.db")
    _seed(settings)
    viewer = _viewer_key(settings)
    limits = Limits(rate="")
    served = dataclasses.replace(
        settings, limits=limits, staff_limits=staff_defaults(limits), lineage_warm_seconds=0
    )
    with serve(create_app(served)) as url:
        yield Server(url, {"anonymous": None, "viewer": viewer, "privileged": PRIVILEGED_KEY})
    if settings.store == "neo4j":
        _seed(settings)  # the session's read-only servers share this database


def _viewer_key(settings: Settings) -> str:
    async def run() -> str:
        store = store_from_settings(settings)
        await store.open()
        try:
            token, record = issue("leak test viewer", Role.VIEWER)
            await store.create_key(record)
            return token
        finally:
            await store.close()

    return asyncio.run(run())


# --------------------------------------------------------------------------- what is secret


@dataclass(frozen=True)
class Hidden:
    """A restricted actor, as a privileged caller sees it."""

    typename: str
    id: str
    key: str
    name: str
    description: str | None
    source: str | None


def _b64(text: str) -> set[str]:
    raw = text.encode()
    return {enc(raw).decode().rstrip("=") for enc in (base64.b64encode, base64.urlsafe_b64encode)}


_TOKEN = re.compile(r"[A-Za-z0-9_\-+/]{8,}={0,2}")


def _decoded(token: str) -> str:
    """``token`` decoded as base64 (either alphabet) to text, or '' when it is not base64."""
    token = token.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode(errors="ignore")
    except (binascii.Error, ValueError):
        return ""


class Secrets:
    """Everything that identifies a restricted actor, and a search for it in an answer."""

    def __init__(self, hidden: list[Hidden], public_texts: set[str]) -> None:
        self.owner: dict[str, str] = {}  # secret -> key of the actor it identifies
        for h in hidden:
            words = {h.name, h.id, h.key, *_b64(h.key)}
            # A description every fictional actor shares identifies nobody.
            words |= {t for t in (h.description, h.source) if t and t not in public_texts}
            self.owner.update(dict.fromkeys(words, h.key))
        alternatives = sorted(self.owner, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(w) for w in alternatives))
        self._tokens: dict[str, frozenset[str]] = {}

    def of(self, key: str) -> set[str]:
        return {w for w, k in self.owner.items() if k == key}

    def found(self, text: str, allowed: Iterable[str] = ()) -> dict[str, str]:
        """Secret -> actor key, for every secret in ``text`` or in a base64 token of it (two
        levels: list cursors wrap the store's cursors), except ``allowed`` ones."""
        hits = {m.group(0) for m in self._pattern.finditer(text)}
        for token in set(_TOKEN.findall(text)):
            if token not in self._tokens:
                self._tokens[token] = frozenset(self._in_token(token, 2))
            hits |= self._tokens[token]
        return {w: self.owner[w] for w in hits - set(allowed)}

    def _in_token(self, token: str, depth: int) -> set[str]:
        decoded = _decoded(token)
        hits = {m.group(0) for m in self._pattern.finditer(decoded)}
        if decoded and depth > 1:
            for inner in set(_TOKEN.findall(decoded)):
                hits |= self._in_token(inner, depth - 1)
        return hits


def _all_pages(client: Client, field_name: str, selection: str) -> list[Any]:
    """Every node of a root connection, page by page."""
    nodes: list[Any] = []
    after: str | None = None
    while True:
        args = "first: 100" + (f", after: {json.dumps(after)}" if after else "")
        conn = client.data(
            f"{{ {field_name}({args}) {{ pageInfo {{ hasNextPage endCursor }} "
            f"edges {{ node {selection} }} }} }}"
        )[field_name]
        nodes += [e["node"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


ACTOR = """{ __typename id key name description source sensitivity
  ... on Organization { basedIn(first: 100) { edges { node { key } } } }
  ... on CivilSocietyOrganization { focusGroups } ... on Company { industry }
  ... on AcademicInstitution { academicType } ... on OtherNonStateActor { actorType } }"""


@dataclass
class Seed:
    """The seed as a privileged caller reads it: every actor, and the restricted ones."""

    actors: list[dict[str, Any]]
    hidden: list[Hidden]
    secrets: Secrets


@pytest.fixture(scope="module")
def seed(server: Server) -> Seed:
    client = Client(server.url, PRIVILEGED_KEY)
    try:
        actors = _all_pages(client, "actors", ACTOR)
    finally:
        client.close()
    hidden = [
        Hidden(a["__typename"], a["id"], a["key"], a["name"], a["description"], a["source"])
        for a in actors
        if a["sensitivity"] == "RESTRICTED"
    ]
    assert hidden, "the seed must hold restricted actors"
    public = {
        t
        for a in actors
        if a["sensitivity"] != "RESTRICTED"
        for t in (a["description"], a["source"])
        if t
    }
    return Seed(actors, hidden, Secrets(hidden, public))


# --------------------------------------------------------------------------- planning the walk


@dataclass(frozen=True)
class Doc:
    """One request of the walk. ``covers``: the fields it walks (``Type.field``); ``more``:
    the documents for the next pages, given its answer."""

    label: str
    text: str
    covers: frozenset[str]
    write: bool = False
    more: Callable[[dict[str, Any]], list[Doc]] | None = field(default=None, compare=False)


class Planner:
    """Builds the walk's documents from the introspected schema and the ids a caller lists."""

    def __init__(self, schema: Schema, ids: dict[str, list[str]]) -> None:
        self.schema = schema
        self.ids = ids
        self.node_types = schema.implementations("Node")
        #: Node types, and the interfaces only node types implement (Actor, Organization).
        self.node_like = {
            name
            for name, t in schema.types.items()
            if not name.startswith("__")
            and t["kind"] in ("OBJECT", "INTERFACE", "UNION")
            and schema.implementations(name) <= self.node_types
        }

    # ---- selections

    def selection(
        self, type_name: str, lists: int, widths: tuple[int, ...], covers: set[str]
    ) -> str:
        """Every field of a ``type_name`` result: a node's leaves; a value object's fields, to
        any depth. Fields of every implementation of an abstract type, through fragments."""
        schema = self.schema
        if schema.kind(type_name) in LEAF_KINDS:
            return ""
        own = schema.fields(type_name) if schema.kind(type_name) != "UNION" else []
        parts = ["__typename", *self._fields(type_name, own, lists, widths, covers, set())]
        if schema.kind(type_name) in ("INTERFACE", "UNION"):
            names = {f.name for f in own}
            extras = {
                impl: [f for f in schema.fields(impl) if f.name not in names]
                for impl in sorted(schema.implementations(type_name))
            }
            # One name with two types in two fragments: GraphQL wants one of them aliased.
            types: dict[str, set[str]] = {}
            for fields in extras.values():
                for f in fields:
                    types.setdefault(f.name, set()).add(str(f.type))
            clashing = {name for name, found in types.items() if len(found) > 1}
            for impl, fields in extras.items():
                inner = self._fields(impl, fields, lists, widths, covers, clashing)
                if inner:
                    parts.append(f"... on {impl} {{ {' '.join(inner)} }}")
        return "{ " + " ".join(parts) + " }"

    def _fields(
        self,
        owner: str,
        fields: list[Field],
        lists: int,
        widths: tuple[int, ...],
        covers: set[str],
        clashing: set[str],
    ) -> list[str]:
        out = []
        for f in fields:
            inner = f.type.named
            if any(a.required for a in f.args) or (
                owner in self.node_like and self.schema.kind(inner) not in LEAF_KINDS
            ):
                continue  # a node's navigation is walked from every node (navigation_docs)
            alias = f"{f.name}_{owner}: " if f.name in clashing else ""
            if self.schema.kind(inner) in LEAF_KINDS:
                out.append(alias + f.name)
                continue
            sized = [a for a in f.args if a.name in WIDTH_ARGS]
            width = widths[min(lists, len(widths) - 1)]
            args = ", ".join(f"{a.name}: {width}" for a in sized)
            covers.add(f"{owner}.{f.name}")
            below = self.selection(inner, lists + bool(sized), widths, covers)
            out.append(f"{alias}{f.name}{f'({args})' if args else ''} {below}")
        return out

    # ---- arguments

    def candidates(self, name: str, type_ref: TypeRef) -> list[Any]:
        """Values to try for a required argument: the walk sends one document per value."""
        schema = self.schema
        named = type_ref.named
        if named == "ID":
            typed = self._types_named(name)
            lists = [self.ids[t] for t in sorted(typed or self.ids) if self.ids.get(t)]
            if type_ref.is_list:
                return [ids[:100] for ids in lists]
            return list(itertools.islice(_interleave([_spread(i) for i in lists]), MAX_CANDIDATES))
        if schema.kind(named) == "ENUM":
            values = [Raw(v) for v in schema.enum_values(named)]
            return [[v] for v in values] if type_ref.is_list else values
        if named == "Date":  # a valid period: from before to
            return ["2015-01-01" if name in ("from", "start") else "2024-06-30"]
        if named == "SeriesDatesInput":  # a series: a few dates, over which actors move
            return [{"dates": ["2019-06-30", "2024-06-30"]}]
        return [
            baseline(
                schema,
                type_ref,
                name,
                lambda n: self.candidates(n, TypeRef("SCALAR", "ID", None))[0],
            )
        ]

    def _types_named(self, name: str) -> set[str]:
        """The node types an ID argument names (``actor``: every actor type), if it names one."""
        type_name = name[:1].upper() + name[1:]
        if type_name in self.schema.types:
            return self.schema.implementations(type_name) & self.node_types
        return set()

    # ---- documents

    def root_docs(self, root: str) -> Iterator[Doc]:
        """Each root field once per combination of required-argument values."""
        write = root == self.schema.mutation
        op = "mutation" if write else "query"
        for f in self.schema.fields(root):
            required = [a for a in f.args if a.required]
            choices = [self.candidates(a.name, a.type) for a in required]
            for combo in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
                args = [f"{a.name}: {literal(v)}" for a, v in zip(required, combo, strict=True)]
                args += [f"{a.name}: {WIDTHS[0]}" for a in f.args if a.name in WIDTH_ARGS]
                covers = {f"{root}.{f.name}"}
                sized = any(a.name in WIDTH_ARGS for a in f.args)
                below = self.selection(f.type.named, int(sized), WIDTHS, covers)
                paged = any(a.name == "after" for a in f.args) and _is_connection(
                    self.schema, f.type.named
                )
                yield self._root_doc(op, f, args, below, frozenset(covers), write, paged, None)

    def _root_doc(
        self,
        op: str,
        f: Field,
        args: list[str],
        below: str,
        covers: frozenset[str],
        write: bool,
        paged: bool,
        after: str | None,
    ) -> Doc:
        given = [*args, *([f"after: {json.dumps(after)}"] if after else [])]
        head = f"{f.name}({', '.join(given)})" if given else f.name

        def more(body: dict[str, Any]) -> list[Doc]:
            if not paged:
                return []
            page = ((body.get("data") or {}).get(f.name) or {}).get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return []
            return [self._root_doc(op, f, args, below, covers, write, paged, page["endCursor"])]

        label = f"{self.schema.mutation if write else self.schema.query}.{f.name}"
        return Doc(label, f"{op} {{ {head} {below} }}", covers, write, more)

    def navigation_docs(self) -> Iterator[Doc]:
        """Every navigation field of every node type, from every node of that type the caller
        lists (``nodes(ids:)``, 100 at a time), each list to its last page."""
        for type_name in sorted(self.node_types):
            ids = self.ids.get(type_name, [])
            for f in self.schema.fields(type_name):
                if self.schema.kind(f.type.named) in LEAF_KINDS or not ids:
                    continue
                for start in range(0, len(ids), 100):
                    yield self._navigation_doc(type_name, f, ids[start : start + 100])

    def _navigation(
        self, type_name: str, f: Field, after: str | None
    ) -> tuple[str, frozenset[str]]:
        """``type_name``'s leaves and ``f``, its next page after ``after``."""
        covers = {f"{type_name}.{f.name}"}
        sized = [a for a in f.args if a.name in WIDTH_ARGS]
        args = [f"{a.name}: {WIDTHS[0]}" for a in sized]
        if after is not None:
            args.append(f"after: {json.dumps(after)}")
        below = self.selection(f.type.named, 1, WIDTHS, covers)
        leaves = " ".join(
            g.name
            for g in self.schema.fields(type_name)
            if self.schema.kind(g.type.named) in LEAF_KINDS
        )
        head = f"{f.name}({', '.join(args)})" if args else f.name
        return f"__typename ... on {type_name} {{ {leaves} {head} {below} }}", frozenset(covers)

    def _navigation_doc(self, type_name: str, f: Field, ids: list[str]) -> Doc:
        inner, covers = self._navigation(type_name, f, None)
        text = f"query {{ nodes(ids: {literal(ids)}) {{ {inner} }} }}"

        def more(body: dict[str, Any]) -> list[Doc]:
            items = (body.get("data") or {}).get("nodes") or []
            return self._next_pages(type_name, f, [i for i in items if i])

        return Doc(f"{type_name}.{f.name}", text, covers, more=more)

    def _next_pages(self, type_name: str, f: Field, items: list[dict[str, Any]]) -> list[Doc]:
        """Documents for the next page of ``f`` of every item whose list has one."""
        pending = [
            (i["id"], page["endCursor"])
            for i in items
            if (page := (i.get(f.name) or {}).get("pageInfo") or {}).get("hasNextPage")
        ]
        docs = []
        for start in range(0, len(pending), ALIASES):
            chunk = pending[start : start + ALIASES]
            parts, covers = [], frozenset[str]()
            for n, (node_id, cursor) in enumerate(chunk):
                inner, covers = self._navigation(type_name, f, cursor)
                parts.append(f"a{n}: node(id: {json.dumps(node_id)}) {{ {inner} }}")

            def more(body: dict[str, Any], count: int = len(chunk)) -> list[Doc]:
                data = body.get("data") or {}
                return self._next_pages(
                    type_name, f, [data[f"a{n}"] for n in range(count) if data.get(f"a{n}")]
                )

            docs.append(
                Doc(f"{type_name}.{f.name}", f"query {{ {' '.join(parts)} }}", covers, more=more)
            )
        return docs


def _spread(ids: list[str]) -> list[str]:
    """``ids`` reordered so any prefix is spread over the whole list."""
    step = max(1, len(ids) // MAX_CANDIDATES)
    return [ids[i] for r in range(step) for i in range(r, len(ids), step)]


def _interleave(lists: list[list[str]]) -> Iterator[str]:
    for group in itertools.zip_longest(*lists):
        yield from (x for x in group if x is not None)


def _is_connection(schema: Schema, type_name: str) -> bool:
    if schema.kind(type_name) != "OBJECT":
        return False
    edges = {g.name: g for g in schema.fields(type_name)}.get("edges")
    if edges is None:
        return False
    node = {g.name: g for g in schema.fields(edges.type.named)}.get("node")
    # a connection of graph nodes (change sets are not: they are for editors and admins only,
    # which tests/api/test_history_api.py checks)
    return node is not None and any(g.name == "id" for g in schema.fields(node.type.named))


def listed_ids(schema: Schema, client: Client) -> dict[str, list[str]]:
    """Ids of every node the caller can list, by type, from every root connection."""
    found: dict[str, list[str]] = {}
    for f in schema.fields(schema.query):
        if any(a.required for a in f.args) or not _is_connection(schema, f.type.named):
            continue
        for node in _all_pages(client, f.name, "{ __typename id }"):
            ids = found.setdefault(node["__typename"], [])
            if node["id"] not in ids:
                ids.append(node["id"])
    return found


# --------------------------------------------------------------------------- running the walk


@dataclass
class Answer:
    doc: Doc
    body: dict[str, Any]
    text: str


@dataclass
class Walk:
    """What one caller got back from the whole walk."""

    answers: list[Answer] = field(default_factory=list)

    @property
    def covered(self) -> set[str]:
        return {c for a in self.answers for c in a.doc.covers}

    def problems(self) -> list[str]:
        """Answers that are not answers: an internal error (a hidden node reaching
        ``node_object`` is one), or a document the server refused to read (a bug of the
        walk). Coded refusals (NOT_FOUND, BAD_USER_INPUT, FORBIDDEN) are answers."""
        bad = (None, "INTERNAL_SERVER_ERROR", "QUERY_TOO_COSTLY", "QUERY_TOO_COMPLEX")
        return [
            f"{a.doc.label}: {e['message'][:200]} ({code})"
            for a in self.answers
            for e in a.body.get("errors") or []
            if (code := (e.get("extensions") or {}).get("code")) in bad
        ]


_WIDTH = re.compile(r"\b(first|top|membersPerCommunity): (\d+)")


def _narrowed(doc: Doc) -> Doc | None:
    """The document with every list argument halved (its next pages, if any, follow from its
    own cursors); None when they are all 1 already."""
    if not any(int(m.group(2)) > 1 for m in _WIDTH.finditer(doc.text)):
        return None
    text = _WIDTH.sub(lambda m: f"{m.group(1)}: {max(1, int(m.group(2)) // 2)}", doc.text)
    return dataclasses.replace(doc, text=text)


def run_walk(url: str, token: str | None, docs: list[Doc]) -> Walk:
    """Send every document and the pages that follow (a few at once). One over the caller's
    cost limit is sent again with its lists halved, so each stays within production limits."""
    pool = Pool(url, token)
    walk = Walk()

    def send(doc: Doc) -> tuple[Answer, list[Doc]]:
        body = pool.client().post(doc.text).body
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
        if "QUERY_TOO_COSTLY" in codes and (narrower := _narrowed(doc)) is not None:
            return send(narrower)
        return Answer(doc, body, json.dumps(body)), doc.more(body) if doc.more else []

    try:
        with ThreadPoolExecutor(WORKERS) as executor:
            todo = docs
            while todo:
                following: list[Doc] = []
                for answer, more in executor.map(send, todo):
                    walk.answers.append(answer)
                    following += more
                todo = following
    finally:
        pool.close()
    return walk


@dataclass
class Walked:
    schema: Schema
    planner: Planner
    docs: list[Doc]
    walks: dict[str, Walk]


@pytest.fixture(scope="module")
def walked(server: Server) -> Walked:
    """The walk, planned from what a viewer can list and sent by every caller (the privileged
    one sends no mutation: it may write)."""
    client = Client(server.url, server.tokens["viewer"])
    try:
        schema = read_schema(client)
        planner = Planner(schema, listed_ids(schema, client))
    finally:
        client.close()
    docs = [*planner.root_docs(schema.query), *planner.navigation_docs()]
    if schema.mutation:
        docs += planner.root_docs(schema.mutation)
    walks = {
        caller: run_walk(
            server.url, token, [d for d in docs if caller != "privileged" or not d.write]
        )
        for caller, token in server.tokens.items()
    }
    return Walked(schema, planner, docs, walks)


# --------------------------------------------------------------------------- the walk's tests


def test_the_walk_covers_the_schema_and_can_see_a_leak(walked: Walked, seed: Seed) -> None:
    schema, staff = walked.schema, walked.walks["privileged"]
    assert not staff.problems(), staff.problems()[:10]
    roots = {f"{schema.query}.{f.name}" for f in schema.fields(schema.query)}
    navigation = {
        f"{t}.{f.name}"
        for t in walked.planner.node_types
        for f in schema.fields(t)
        if schema.kind(f.type.named) not in LEAF_KINDS
    }
    assert roots | navigation <= staff.covered
    # every root field answered with data at least once (apiKeys is for admins only, and
    # analysisJob needs a job, which nobody starts: the walk sends no mutation as staff)
    answered = {
        a.doc.label
        for a in staff.answers
        if any(v is not None for v in (a.body.get("data") or {}).values())
    }
    assert roots - answered == {f"{schema.query}.apiKeys", f"{schema.query}.analysisJob"}
    # the same documents sent by a privileged caller name every restricted actor
    seen = {k for a in staff.answers for k in seed.secrets.found(a.text).values()}
    assert seen == {h.key for h in seed.hidden}


@pytest.mark.parametrize("caller", UNPRIVILEGED)
def test_no_answer_identifies_a_restricted_actor(walked: Walked, seed: Seed, caller: str) -> None:
    walk = walked.walks[caller]
    assert not walk.problems(), walk.problems()[:10]
    assert walked.walks["privileged"].covered <= walk.covered
    leaks = [
        f"{a.doc.label}: {found}" for a in walk.answers if (found := seed.secrets.found(a.text))
    ]
    assert not leaks, leaks[:10]


# --------------------------------------------------------------------------- existence


def id_inputs(schema: Schema, root: str) -> Iterator[tuple[Field, tuple[str, ...], TypeRef]]:
    """Every ID-typed input of a root field: an argument, or a field of an input object
    argument (two levels down), with its path."""
    for f in schema.fields(root):
        for a in f.args:
            for path, ref in _id_paths(schema, (a.name,), a.type, 0):
                yield f, path, ref


def _id_paths(
    schema: Schema, path: tuple[str, ...], ref: TypeRef, depth: int
) -> Iterator[tuple[tuple[str, ...], TypeRef]]:
    named = ref.named
    if named == "ID":
        yield path, ref
    elif schema.kind(named) == "INPUT_OBJECT" and depth < 2:
        for g in schema.input_fields(named):
            yield from _id_paths(schema, (*path, g.name), g.type, depth + 1)


@dataclass(frozen=True)
class Probe:
    """An ID input given restricted actors' ids or keys (``given``), and the same input given
    as many missing ones (``missing``)."""

    label: str
    hidden: tuple[Hidden, ...]
    given: tuple[str, ...]
    doc: str
    missing: tuple[str, ...]
    missing_doc: str


def existence_probes(planner: Planner, seed: Seed) -> Iterator[Probe]:
    """Every ID input, given hidden actors' global ids, then their keys: a list input all of
    them at once, ``node(id:)`` each of them, other single inputs a sample."""
    schema = planner.schema
    for root in (r for r in (schema.query, schema.mutation) if r):
        for f, path, ref in id_inputs(schema, root):
            groups: list[tuple[Hidden, ...]]
            if ref.is_list:
                groups = [tuple(seed.hidden)]
            elif f.name == "node":
                groups = [(h,) for h in seed.hidden]
            else:
                groups = [(h,) for h in seed.hidden[:HIDDEN_SAMPLE]]
            for group in groups:
                for form in ("id", "key"):
                    given = tuple(getattr(h, form) for h in group)
                    keys = [f"missing-{secrets.token_hex(4)}" for _ in group]
                    missing = tuple(
                        to_global_id(NodeKind(h.typename), k) if form == "id" else k
                        for h, k in zip(group, keys, strict=True)
                    )
                    yield Probe(
                        f"{root}.{f.name}({'.'.join(path)}: {len(group)} {form})",
                        group,
                        given,
                        _id_probe(planner, root, f, path, ref, given),
                        missing,
                        _id_probe(planner, root, f, path, ref, missing),
                    )


def _id_probe(
    planner: Planner,
    root: str,
    f: Field,
    path: tuple[str, ...],
    ref: TypeRef,
    given: tuple[str, ...],
) -> str:
    """``f`` with ``given`` at ``path``, every other required input at a valid baseline."""
    schema = planner.schema
    value: Any = list(given) if ref.is_list else given[0]
    args: dict[str, Any] = {}
    for a in f.args:
        if a.name == path[0]:
            args[a.name] = _nest(planner, a.type, path[1:], value)
        elif a.required:
            args[a.name] = planner.candidates(a.name, a.type)[0]
    head = f.name + "(" + ", ".join(f"{k}: {literal(v)}" for k, v in args.items()) + ")"
    op = "mutation" if root == schema.mutation else "query"
    return f"{op} {{ {head} {schema.selection(f.type)} }}"


def _nest(planner: Planner, ref: TypeRef, rest: tuple[str, ...], value: Any) -> Any:
    if not rest:
        return value
    fields = planner.schema.input_fields(ref.named)
    out = {g.name: planner.candidates(g.name, g.type)[0] for g in fields if g.required}
    inner = next(g for g in fields if g.name == rest[0])
    out[rest[0]] = _nest(planner, inner.type, rest[1:], value)
    return [out] if ref.is_list else out


def _normal(body: dict[str, Any], given: Iterable[str]) -> str:
    """An answer with each id asked for (and the key inside a global id) replaced by a
    placeholder, the cost report left out (it counts a moving rate)."""
    text = json.dumps({k: v for k, v in body.items() if k != "extensions"}, sort_keys=True)
    for g in sorted(given, key=len, reverse=True):
        text = text.replace(g, "<ID>")
        kind, _, key = _decoded(g).partition(":")
        if kind in NodeKind._value2member_map_ and key:  # a global id: its key may be echoed
            text = text.replace(key, "<ID>")
    return text


@pytest.mark.parametrize("caller", UNPRIVILEGED)
def test_a_hidden_id_is_answered_like_a_missing_one(
    server: Server, walked: Walked, seed: Seed, caller: str
) -> None:
    probes = list(existence_probes(walked.planner, seed))
    inputs = {p.label.split("(")[0] for p in probes}
    assert {"Query.node", "Query.nodes"} < inputs
    pool = Pool(server.url, server.tokens[caller])

    def check(p: Probe) -> list[str]:
        hidden = pool.client().post(p.doc).body
        missing = pool.client().post(p.missing_doc).body
        wrong = []
        if _normal(hidden, p.given) != _normal(missing, p.missing):
            wrong.append(f"{p.label}: {json.dumps(hidden)[:300]} vs {json.dumps(missing)[:300]}")
        # it may echo the ids it was given, and nothing else of the actors
        echoed = {w for h in p.hidden for w in seed.secrets.of(h.key) if w in (h.id, h.key)}
        if found := seed.secrets.found(json.dumps(hidden), allowed=echoed | set(_b64s(p.hidden))):
            wrong.append(f"{p.label}: names {found}")
        return wrong

    try:
        with ThreadPoolExecutor(WORKERS) as executor:
            failures = [w for found in executor.map(check, probes) for w in found]
    finally:
        pool.close()
    assert not failures, failures[:10]


def _b64s(hidden: Iterable[Hidden]) -> Iterator[str]:
    for h in hidden:
        yield from _b64(h.key)


# --------------------------------------------------------------------------- quasi-identifiers


def quasi_identifier(actor: dict[str, Any]) -> tuple[Any, ...]:
    """What a placeholder used to show: kind, countries, focus groups or type."""
    countries = tuple(
        sorted(e["node"]["key"] for e in (actor.get("basedIn") or {}).get("edges", []))
    )
    detail = next(
        (actor[k] for k in ("focusGroups", "industry", "academicType", "actorType") if k in actor),
        None,
    )
    return actor["__typename"], countries, tuple(detail) if isinstance(detail, list) else detail


def _observed(walk: Walk) -> Iterator[dict[str, Any]]:
    """Every non-state actor object in the answers of a walk."""
    for a in walk.answers:
        for _, value in walk_json(a.body.get("data")):
            if isinstance(value, dict) and value.get("__typename") in NON_STATE:
                yield value


def walk_json(data: Any) -> Iterator[tuple[str, Any]]:
    yield "", data
    yield from walk(data)


def _shows(seen: dict[str, Any], actor: dict[str, Any]) -> bool:
    """Whether ``seen`` is ``actor``, or a placeholder whose classification fits it."""
    if seen.get("key") == actor["key"] or seen.get("id") == actor["id"]:
        return True
    if seen.get("sensitivity") != "RESTRICTED" and seen.get("redacted") is not True:
        return False
    mine, theirs = quasi_identifier(seen), quasi_identifier(actor)
    return mine[0] == theirs[0] and mine[2] in (None, theirs[2]) and mine[1] in ((), theirs[1])


def test_no_quasi_identifier_of_a_restricted_actor_is_visible(walked: Walked, seed: Seed) -> None:
    non_state = [a for a in seed.actors if a["__typename"] in NON_STATE]
    combinations = Counter(quasi_identifier(a) for a in non_state)
    hidden = [a for a in non_state if a["sensitivity"] == "RESTRICTED"]
    unique = sum(1 for a in hidden if combinations[quasi_identifier(a)] == 1)
    visible = {}
    for caller in (*UNPRIVILEGED, "privileged"):
        observed = list(_observed(walked.walks[caller]))
        visible[caller] = sum(1 for a in hidden if any(_shows(s, a) for s in observed))
    assert visible == {"anonymous": 0, "viewer": 0, "privileged": len(hidden)}
    measured = MEASURED.format(
        unique=unique, hidden=len(hidden), total=len(non_state), visible=visible["viewer"]
    )
    assert measured in " ".join(SECURITY_MD.read_text().split()), measured
