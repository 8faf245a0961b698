"""Every Cypher statement of the Neo4j store, as named constants or small builders.

Keeping them in one module makes review of what reaches the database a single read. Two rules
hold throughout:

- values only ever travel as ``$parameters``, never spliced into the text, so a name such as
  ``'}) DETACH DELETE n //`` is just data;
- labels and relationship types are spliced in only through :func:`label` and :func:`rel_type`,
  which accept nothing but members of the model's enums (the allow-list).

Filter fragments mirror :class:`graph.memory.MemoryGraph` (``_matches``, ``countries``,
``themes``) clause for clause; the contract tests hold the two to the same answers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable
from typing import Final

from graph.model import ACTOR_KINDS, NODE_PROPS, REL_RULES, NodeKind, RelType

#: Every domain node also carries this label; its ``id`` is unique across all kinds.
ENTITY: Final = "Entity"
#: API key records (graph/keys.py). Deliberately *not* :data:`ENTITY`: every graph read,
#: count, snapshot and export starts from that label, so keys stay out of all of them.
API_KEY: Final = "ApiKey"
#: History (graph/history.py): one ``ChangeSet`` per revision, its records in ``RecordBatch``
#: nodes, found by id through ``RecordKey`` nodes. Not :data:`ENTITY` either, for the same
#: reason as API keys.
CHANGE_SET: Final = "ChangeSet"
RECORD_BATCH: Final = "RecordBatch"
RECORD_KEY: Final = "RecordKey"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z_]*$")


def label(kind: NodeKind | str) -> str:
    """A node label that is certainly a model kind (raises ``ValueError`` otherwise)."""
    value = NodeKind(kind).value
    assert _IDENTIFIER.match(value), value
    return value


def rel_type(value: RelType | str) -> str:
    """A relationship type that is certainly a model type (raises ``ValueError`` otherwise)."""
    out = RelType(value).value
    assert _IDENTIFIER.match(out), out
    return out


def _types(types: Iterable[RelType]) -> str:
    return "|".join(sorted(rel_type(t) for t in types))


def _labels(kinds: Iterable[NodeKind]) -> str:
    return "|".join(sorted(label(k) for k in kinds))


# --------------------------------------------------------------------------- schema


def schema_statements() -> list[tuple[str, str]]:
    """Idempotent DDL as (name, statement): uniqueness of ids per label and per relationship
    type, bookkeeping keys, and range indexes on the properties ``find_nodes`` filters on."""
    out = [
        (
            "entity_id",
            f"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:{ENTITY}) REQUIRE n.id IS UNIQUE",
        )
    ]
    for kind in NodeKind:
        name = f"{_snake(kind.value)}_id"
        out.append(
            (
                name,
                f"CREATE CONSTRAINT {name} IF NOT EXISTS "
                f"FOR (n:{label(kind)}) REQUIRE n.id IS UNIQUE",
            )
        )
    for t in RelType:
        name = f"{t.value.lower()}_id"
        out.append(
            (
                name,
                f"CREATE CONSTRAINT {name} IF NOT EXISTS "
                f"FOR ()-[r:{rel_type(t)}]-() REQUIRE r.id IS UNIQUE",
            )
        )
    out += [
        (
            "meta_key",
            "CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE",
        ),
        (
            "need_weight_key",
            "CREATE CONSTRAINT need_weight_key IF NOT EXISTS "
            "FOR (w:NeedWeight) REQUIRE (w.scope, w.key) IS UNIQUE",
        ),
        (
            "api_key_id",
            f"CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:{API_KEY}) REQUIRE k.id IS UNIQUE",
        ),
        (
            "change_set_revision",
            f"CREATE CONSTRAINT change_set_revision IF NOT EXISTS "
            f"FOR (c:{CHANGE_SET}) REQUIRE c.revision IS UNIQUE",
        ),
        (
            "change_set_at",
            f"CREATE INDEX change_set_at IF NOT EXISTS FOR (c:{CHANGE_SET}) ON (c.at)",
        ),
        (
            "record_batch_key",
            f"CREATE CONSTRAINT record_batch_key IF NOT EXISTS "
            f"FOR (b:{RECORD_BATCH}) REQUIRE (b.revision, b.seq) IS UNIQUE",
        ),
        (
            "record_key_bucket",
            f"CREATE INDEX record_key_bucket IF NOT EXISTS FOR (k:{RECORD_KEY}) ON (k.bucket)",
        ),
        (
            "record_batch_updated",
            f"CREATE INDEX record_batch_updated IF NOT EXISTS "
            f"FOR (b:{RECORD_BATCH}) ON (b.updated)",
        ),
        (
            "entity_sensitivity",
            f"CREATE INDEX entity_sensitivity IF NOT EXISTS FOR (n:{ENTITY}) ON (n.sensitivity)",
        ),
        (
            "activity_location",
            "CREATE INDEX activity_location IF NOT EXISTS FOR (n:Activity) ON (n.location)",
        ),
        (
            "regional_organization_region",
            "CREATE INDEX regional_organization_region IF NOT EXISTS "
            "FOR (n:RegionalOrganization) ON (n.region)",
        ),
    ]
    # No index on engagements' ``role``: the role search expands from each node (see
    # ``find_nodes``), and an index there only tempted the planner into scanning it per node.
    return out


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def tokens() -> dict[str, list[str]]:
    """Every label, relationship type and property key our statements name. Creating them
    up front keeps a fresh database from answering reads with "label/property does not
    exist" notifications, which the driver would log on every query."""
    props = {
        "id",
        "value",
        "epoch",
        "key",
        "locked",
        "scope",
        "weight",
        *API_KEY_PROPERTIES,
        *CHANGE_SET_PROPERTIES,
        *RECORD_BATCH_PROPERTIES,
        *RECORD_KEY_PROPERTIES,
    }
    for model in (*NODE_PROPS.values(), *(rule.props for rule in REL_RULES.values())):
        props.update(model.model_fields)
    return {
        "labels": [
            ENTITY,
            "Meta",
            "NeedWeight",
            API_KEY,
            CHANGE_SET,
            RECORD_BATCH,
            RECORD_KEY,
            *(label(k) for k in NodeKind),
        ],
        "types": [rel_type(t) for t in RelType],
        "properties": sorted(props),
    }


CREATE_TOKENS: Final = (
    "UNWIND $labels AS l CALL db.createLabel(l) WITH count(*) AS done "
    "UNWIND $types AS t CALL db.createRelationshipType(t) WITH count(*) AS done "
    "UNWIND $properties AS p CALL db.createProperty(p) RETURN count(*) AS done"
)

SHOW_CONSTRAINTS: Final = "SHOW CONSTRAINTS YIELD name"
SHOW_INDEXES: Final = "SHOW INDEXES YIELD name"

#: Waits until the indexes above are online, so the first queries do not scan.
AWAIT_INDEXES: Final = "CALL db.awaitIndexes($seconds)"

# --------------------------------------------------------------------------- revision


#: The revision and the epoch (a fresh UUID whenever the counter is created, so caches keyed
#: by revision notice a ``reset``); no row means revision 0.
REVISION: Final = "MATCH (m:Meta {key: 'revision'}) RETURN m.value AS value, m.epoch AS epoch"

#: Takes the exclusive lock on the revision node before anything else in a write
#: transaction. Every writer does this first, so writers are serialised and whatever a writer
#: reads afterwards cannot change before it commits.
LOCK_REVISION: Final = (
    "MERGE (m:Meta {key: 'revision'}) "
    "ON CREATE SET m.value = 0, m.epoch = randomUUID() "
    "SET m.locked = true REMOVE m.locked"
)

#: The revision, its epoch, and what a write needs to record its change set: where history
#: starts (``history_from``, absent until the first write recorded one) and when the change
#: set of the current revision was made (``last_at``, null if it has none). See
#: ``graph.neo4j.history.Head``.
HISTORY_HEAD: Final = (
    "OPTIONAL MATCH (m:Meta {key: 'revision'}) "
    "WITH m OPTIONAL MATCH (h:Meta {key: 'history_from'}) "
    f"WITH m, h OPTIONAL MATCH (c:{CHANGE_SET} {{revision: m.value}}) "
    "RETURN m.epoch AS epoch, coalesce(m.value, 0) AS revision, "
    "h.value AS history_from, c.at AS last_at"
)

# --------------------------------------------------------------------------- lookups
#
# Reads that can return many rows return them as ONE record holding a list of row lists
# (``RETURN collect([...]) AS rows``): the async driver pays a large fixed cost per Bolt
# record, so 5,000 rows in one record stream about 20 times faster than 5,000 records.
# Row layouts: a node is ``[id, kind, props]``, a relationship ``[id, type, start, end,
# props]``; ``props`` still holds the ``id`` property, which the store strips.


def _node_row(var: str = "n") -> str:
    return f"[{var}.id, [l IN labels({var}) WHERE l <> '{ENTITY}'][0], properties({var})]"


def _rel_row(var: str = "r", start: str = "a", end: str = "b") -> str:
    return f"[{var}.id, type({var}), {start}.id, {end}.id, properties({var})]"


GET_NODES: Final = (
    f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) RETURN collect({_node_row()}) AS rows"
)


@functools.cache
def relationships_by_id(types: frozenset[RelType], scan: bool) -> str:
    """Relationships of the given types whose id is in ``$ids``.

    Relationship indexes exist per type only, so a lookup asks each type. With ``scan`` the
    type is scanned once and each id tested against ``$ids`` as a hash set, which beats one
    index seek per id when a big import checks more ids than the type holds (measured: a
    100,000-id check against 64,000 stored relationships took 0.5 s scanning, 5.4 s seeking).
    """
    branches = [
        f"MATCH (a)-[r:{rel_type(t)}]->(b)"
        + (f" USING SCAN r:{rel_type(t)}" if scan else "")
        + " WHERE r.id IN $ids RETURN a, r, b"
        for t in sorted(types)
    ]
    return f"CALL () {{ {' UNION ALL '.join(branches)} }} RETURN collect({_rel_row()}) AS rows"


#: Count-store lookups (constant time): how many relationships each type holds.
COUNT_RELATIONSHIPS_BY_TYPE: Final = " UNION ALL ".join(
    f"MATCH ()-[r:{rel_type(t)}]->() RETURN '{t.value}' AS type, count(r) AS count" for t in RelType
)

COUNTS_BY_KIND: Final = " UNION ALL ".join(
    f"MATCH (n:{label(k)}) RETURN '{k.value}' AS kind, count(n) AS count" for k in NodeKind
)


def _valid(var: str, day: str = "$day") -> str:
    """``interval_contains`` of the model: inclusive ``[since, until]``, open ends, any day
    when ``day`` is null. ISO dates compare correctly as strings."""
    return (
        f"({day} IS NULL OR (({var}.since IS NULL OR {var}.since <= {day}) "
        f"AND ({var}.until IS NULL OR {day} <= {var}.until)))"
    )


@functools.cache
def neighbours(out: bool, into: bool, types: frozenset[RelType] | None) -> str:
    """Relationships of each ``$ids`` node valid at ``$day`` with the node at the other end:
    rows ``[origin id, relationship row, other node row]``, one per (node, relationship,
    side), so a self-loop appears once per side, as in the embedded store."""
    typed = f":{_types(types)}" if types is not None else ""
    branches = []
    if out:
        branches.append(f"MATCH (n)-[r{typed}]->(m) RETURN r, m")
    if into:
        branches.append(f"MATCH (n)<-[r{typed}]-(m) RETURN r, m")
    return (
        f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) "
        f"CALL (n) {{ {' UNION ALL '.join(branches)} }} "
        f"WITH n, r, m WHERE {_valid('r')} "
        f"RETURN collect([n.id, {_rel_row('r', 'startNode(r)', 'endNode(r)')}, "
        f"{_node_row('m')}]) AS rows"
    )


# --------------------------------------------------------------------------- find_nodes

_ACTORS: Final = _labels(ACTOR_KINDS)
_NON_STATE_ACTORS: Final = _labels(ACTOR_KINDS - {NodeKind.MEMBER_STATE})
_ENGAGEMENT: Final = _types((RelType.PARTNERS_IN, RelType.PARTICIPATED_IN))


def _countries_meet(param: str) -> str:
    """``countries(n, $day)`` shares a member with the list ``param``."""
    return (
        f"CASE WHEN n:MemberState THEN n.id IN {param} "
        f"WHEN n:{_NON_STATE_ACTORS} THEN EXISTS {{ MATCH (n)-[r:BASED_IN]->(c) "
        f"WHERE c.id IN {param} AND {_valid('r')} }} "
        f"WHEN n:Programme|Activity THEN coalesce(n.location IN {param}, false) "
        f"OR EXISTS {{ MATCH (n)-[r:TARGETS]->(c:MemberState) "
        f"WHERE c.id IN {param} AND {_valid('r')} }} "
        "ELSE false END"
    )


def _theme_addressed(start: str, valid_first: bool) -> str:
    """Some valid ADDRESSES from ``start`` reaches ``$theme``."""
    return f"({start})-[t:ADDRESSES]->(th) WHERE th.id = $theme AND {_valid('t')}" + (
        f" AND {_valid('e')}" if valid_first else ""
    )


_THEME: Final = (
    "CASE WHEN n:ThematicArea THEN n.id = $theme "
    f"WHEN n:Programme THEN EXISTS {{ MATCH {_theme_addressed('n', False)} }} "
    f"WHEN n:Activity THEN EXISTS {{ MATCH {_theme_addressed('n', False)} }} "
    f"OR EXISTS {{ MATCH (n)-[e:PART_OF]->{_theme_addressed('', True)} }} "
    f"WHEN n:{_ACTORS} THEN "
    f"EXISTS {{ MATCH (n)-[e:PARTNERS_IN]->{_theme_addressed('', True)} }} "
    f"OR EXISTS {{ MATCH (n)-[e:PARTICIPATED_IN]->{_theme_addressed('', True)} }} "
    f"OR EXISTS {{ MATCH (n)-[e:PARTICIPATED_IN]->()-[p:PART_OF]->"
    f"{_theme_addressed('', True)} AND {_valid('p')} }} "
    "ELSE false END"
)


@functools.cache
def find_nodes(
    kinds: frozenset[NodeKind] | None,
    *,
    sensitivity: bool = False,
    focus_group: bool = False,
    day: bool = False,
    role: bool = False,
    country: bool = False,
    region: bool = False,
    subregion: bool = False,
    theme: bool = False,
) -> str:
    """Id, kind, name and acronym of every node matching the filters that are switched on.

    Sorting, the cursor and the free-text filter stay in Python so they use Python's
    ``str.lower`` and code-point order exactly like the embedded store.
    """
    match = f"MATCH (n:{_labels(kinds)})" if kinds else f"MATCH (n:{ENTITY})"
    where: list[str] = []
    if sensitivity:
        where.append("n.sensitivity = $sensitivity")
    if focus_group:
        where.append("coalesce($focus_group IN n.focus_groups, false)")
    if day:
        where.append(_valid("n"))
        where.append(
            f"(NOT (n:{_ACTORS}) OR EXISTS {{ MATCH (n)-[r:{_ENGAGEMENT}]->() "
            f"WHERE {_valid('r')} }})"
        )
    if role:
        # A list of n's own engagements, not ``EXISTS { MATCH ... WHERE r.role = $role }``:
        # for that the planner scans the whole relationship index on ``role`` once per node
        # (quadratic: 4 s on a 1,000-node graph), where this can only expand from ``n``.
        where.append(
            f"any(r IN [(n)-[e:{_ENGAGEMENT}]->() | e] WHERE r.role = $role AND {_valid('r')})"
        )
    if country:
        where.append(f"({_countries_meet('$country')})")
    if region:
        where.append(
            f"(({_countries_meet('$region_countries')}) "
            "OR (n:RegionalOrganization AND coalesce(n.region = $region, false)))"
        )
    if subregion:
        where.append(f"({_countries_meet('$subregion_countries')})")
    if theme:
        where.append(f"({_THEME})")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return (
        f"{match}{clause} RETURN collect([n.id, [l IN labels(n) WHERE l <> '{ENTITY}'][0], "
        "n.name, n.acronym]) AS rows"
    )


# --------------------------------------------------------------------------- integrity

INCOMING_CONTRIBUTIONS: Final = (
    f"UNWIND $ids AS id MATCH (b:{ENTITY} {{id: id}})<-[r:PRODUCED|CONTRIBUTED_TO]-(a) "
    f"RETURN collect({_rel_row()}) AS rows"
)

#: Rows ``[outcome id, [ids it CONTRIBUTED_TO]]``.
CONTRIBUTES_TO: Final = (
    f"UNWIND $ids AS id MATCH (a:{ENTITY} {{id: id}})-[:CONTRIBUTED_TO]->(b) "
    "WITH a, collect(b.id) AS successors RETURN collect([a.id, successors]) AS rows"
)

# --------------------------------------------------------------------------- writes


# The planner knows, under the writer lock, which records already exist: new ones are
# CREATEd (cheaper than MERGE, and the uniqueness constraints still refuse a duplicate), stored
# ones are matched by id and get their whole property map replaced (``SET x = row.props``
# drops properties the new version no longer has). ``row.props`` includes the id.


@functools.cache
def create_nodes(kind: NodeKind) -> str:
    return f"UNWIND $rows AS row CREATE (n:{ENTITY}:{label(kind)}) SET n = row.props"


@functools.cache
def update_nodes(kind: NodeKind) -> str:
    return f"UNWIND $rows AS row MATCH (n:{label(kind)} {{id: row.id}}) SET n = row.props"


@functools.cache
def create_relationships(t: RelType) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a:{ENTITY} {{id: row.start}}) "
        f"MATCH (b:{ENTITY} {{id: row.end}}) "
        f"CREATE (a)-[r:{rel_type(t)}]->(b) SET r = row.props"
    )


@functools.cache
def update_relationships(t: RelType) -> str:
    return f"UNWIND $rows AS row MATCH ()-[r:{rel_type(t)} {{id: row.id}}]->() SET r = row.props"


NEED_WEIGHTS: Final = "MATCH (w:NeedWeight) RETURN collect([w.scope, w.key, w.weight]) AS rows"
DELETE_NEED_WEIGHTS: Final = "MATCH (w:NeedWeight) DELETE w"
CREATE_NEED_WEIGHTS: Final = "UNWIND $rows AS row CREATE (w:NeedWeight) SET w = row"

# --------------------------------------------------------------------------- API keys
#
# ``(:ApiKey {id, name, role, hash, created_at, revoked_at})``, ``id`` unique (constraint
# ``api_key_id``, so a lookup is an index seek). Times are ISO 8601 UTC strings and roles
# their lowercase names, exactly as the embedded store keeps them. Key writes never touch the
# revision node: keys are not graph data and must not invalidate analytics caches.

#: Property keys of an ``:ApiKey`` node, in the order of a key row.
API_KEY_PROPERTIES: Final = ("id", "name", "role", "hash", "created_at", "revoked_at")
_API_KEY_ROW: Final = f"[{', '.join(f'k.{p}' for p in API_KEY_PROPERTIES)}]"

GET_API_KEY: Final = f"MATCH (k:{API_KEY} {{id: $id}}) RETURN collect({_API_KEY_ROW}) AS rows"
LIST_API_KEYS: Final = f"MATCH (k:{API_KEY}) RETURN collect({_API_KEY_ROW}) AS rows"

#: Serialises key writers (in this process and in other replicas) on their own lock node, so
#: the "name unique among active keys" check and the write cannot interleave with another
#: key writer's, while graph writers (who lock the revision node) are not held up. Neo4j
#: Community has no conditional uniqueness constraint that could enforce the rule by itself.
LOCK_API_KEYS: Final = "MERGE (m:Meta {key: 'api_keys'}) SET m.locked = true REMOVE m.locked"

#: One record: ``id_taken`` (the id if a key has ``$id``, else null) and ``name_taken`` (ids of
#: the active keys named ``$name``).
API_KEY_CLASHES: Final = (
    f"OPTIONAL MATCH (i:{API_KEY} {{id: $id}}) WITH i.id AS id_taken "
    f"OPTIONAL MATCH (n:{API_KEY} {{name: $name}}) WHERE n.revoked_at IS NULL "
    "RETURN id_taken, collect(n.id) AS name_taken"
)

#: ``$props`` is a whole key row (see ``graph.keys.to_row``; ``revoked_at`` is null, which
#: ``SET k = ...`` leaves unset).
CREATE_API_KEY: Final = f"CREATE (k:{API_KEY}) SET k = $props"

#: Revokes the key ``$id`` if it is still active; returns its id when it did.
REVOKE_API_KEY: Final = (
    f"MATCH (k:{API_KEY} {{id: $id}}) WHERE k.revoked_at IS NULL "
    "SET k.revoked_at = $at RETURN k.id AS id"
)

# --------------------------------------------------------------------------- history
#
# ``(:ChangeSet {revision, at, author, role, via, key_id, size, kinds})``, one per revision
# (unique; ``kinds`` the distinct kinds and types of its records, for the kinds filter);
# ``(:RecordBatch {revision, seq, ids, records, updated})``, each holding up to
# ``$per_batch`` (100) consecutive records of one change set: ``seq`` is the position of its
# first record (1, 101, 201, ...), ``ids[i]`` and ``records[i]`` the id and the JSON text
# (keys sorted) of record ``seq + i``, ``{entity, kind, valid_from, before, after}`` with
# ``before``/``after`` as graph.history.encode_value gives them; ``updated`` (absent if
# none) lists the nodes whose update it records; and ``(:RecordKey {bucket, revision, ids,
# seqs})``, one per change set and bucket its ids fall in at the change set's level
# (graph.neo4j.history.level, .bucket): ``ids[i]`` is at position ``seqs[i]``. Times are
# graph.history.utc_text strings, which sort as they compare. Nothing but ``RESET`` ever
# updates or deletes these nodes; why this shape, measured: docs/NEO4J.md, *History*.
#
# Finding the records of an id: the ``RecordKey`` nodes of its bucket at each level (index
# ``record_key_bucket``) that list it give each revision and position; the position gives
# its batch, ``seq - (seq - 1) % $per_batch``, one seek of ``record_batch_key``. Queries on
# ``RecordBatch`` by revision name ``seq`` too: that composite index serves only predicates on
# both properties.

CHANGE_SET_PROPERTIES: Final = (
    "revision",
    "at",
    "author",
    "role",
    "via",
    "key_id",
    "size",
    "kinds",
)
RECORD_BATCH_PROPERTIES: Final = ("revision", "seq", "ids", "records", "updated")
RECORD_KEY_PROPERTIES: Final = ("bucket", "revision", "ids", "seqs")
#: Rows of change sets: ``[revision, at, author, role, via, key_id, size]``.
_CHANGE_SET_FIELDS: Final = "c.revision, c.at, c.author, c.role, c.via, c.key_id, c.size"
#: Rows of record batches: ``[revision, seq, ids, records]``.
_BATCH_ROW: Final = "[b.revision, b.seq, b.ids, b.records]"


#: From ``$groups`` (maps ``{bucket, ids}``, graph.neo4j.history.lookups), one row per
#: record of those ids: ``revision``, ``w`` (``[id, seq]``), ``start`` and ``b`` (its batch
#: and the batch's first position). Each key and each batch is read once.
_RECORDS_OF: Final = (
    f"UNWIND $groups AS g MATCH (k:{RECORD_KEY} {{bucket: g.bucket}}) "
    "UNWIND [i IN range(0, size(k.ids) - 1) WHERE k.ids[i] IN g.ids] AS i "
    "WITH k.revision AS revision, k.ids[i] AS id, k.seqs[i] AS seq "
    "WITH revision, seq - (seq - 1) % $per_batch AS start, collect([id, seq]) AS wanted "
    f"MATCH (b:{RECORD_BATCH} {{revision: revision, seq: start}}) UNWIND wanted AS w "
)


#: Bumps the revision and creates its change set with the first ``$batches`` and ``$keys``
#: of its records, in one statement, so no revision is ever counted without its change set.
#: ``$history_from``, when not null, (re)starts history at that revision
#: (graph.neo4j.history.Head.restart).
COMMIT_CHANGE_SET: Final = (
    "MATCH (m:Meta {key: 'revision'}) SET m.value = $change_set.revision "
    "WITH m CALL () { WITH $history_from AS start WHERE start IS NOT NULL "
    "MERGE (h:Meta {key: 'history_from'}) SET h.value = start } "
    f"CREATE (c:{CHANGE_SET}) SET c = $change_set "
    f"WITH c CALL () {{ UNWIND $batches AS batch CREATE (b:{RECORD_BATCH}) SET b = batch }} "
    f"CALL () {{ UNWIND $keys AS key CREATE (k:{RECORD_KEY}) SET k = key }}"
)

#: More record batches and keys of a change set too large for one statement.
CREATE_RECORDS: Final = (
    f"CALL () {{ UNWIND $batches AS batch CREATE (b:{RECORD_BATCH}) SET b = batch }} "
    f"CALL () {{ UNWIND $keys AS key CREATE (k:{RECORD_KEY}) SET k = key }}"
)


@functools.cache
def change_sets(
    *,
    node: bool = False,
    kinds: bool = False,
    author: bool = False,
    key_id: bool = False,
    from_revision: bool = False,
    to_revision: bool = False,
    since: bool = False,
    until: bool = False,
    newest_first: bool = False,
) -> str:
    """Up to ``$limit`` change sets matching the filters that are switched on, from the one
    after ``$after`` in revision order (``newest_first``: descending), as change set rows
    ending with a list: with ``node``, ``[seq, record]`` of each record of ``$node`` (whose
    ``$groups``) in that change set, else empty.

    Without ``node`` they walk the ``change_set_revision`` index from ``$after`` in order and
    stop after ``$limit`` matches (``$after`` is always given, a bound beyond every revision
    for the first page: the range is what lets the planner use the index)."""
    if node:
        match = (
            _RECORDS_OF + "WITH revision, collect([w[1], b.records[w[1] - start]]) AS records "
            f"MATCH (c:{CHANGE_SET} {{revision: revision}})"
        )
    else:
        match = f"MATCH (c:{CHANGE_SET})"
    where = ["c.revision < $after" if newest_first else "c.revision > $after"]
    if kinds:
        where.append("any(k IN c.kinds WHERE k IN $kinds)")
    if author:
        where.append("c.author = $author")
    if key_id:
        where.append("c.key_id = $key_id")
    if from_revision:
        where.append("c.revision >= $from_revision")
    if to_revision:
        where.append("c.revision <= $to_revision")
    if since:
        where.append("c.at >= $since")
    if until:
        where.append("c.at <= $until")
    order = "DESC" if newest_first else "ASC"
    return (
        f"{match} WHERE {' AND '.join(where)} "
        f"WITH c, {'records' if node else '[]'} AS records ORDER BY c.revision {order} "
        f"LIMIT $limit RETURN collect([{_CHANGE_SET_FIELDS}, records]) AS rows"
    )


#: Records ``$after`` < seq <= ``$last`` of the change set ``$revision``, as rows
#: ``[seq, id, record]`` (in any order).
RECORD_PAGE: Final = (
    f"MATCH (b:{RECORD_BATCH}) WHERE b.revision = $revision AND b.seq <= $last "
    "AND b.seq + size(b.ids) > $after "
    "UNWIND [i IN range(0, size(b.ids) - 1) WHERE b.seq + i > $after AND b.seq + i <= $last] "
    "AS i RETURN collect([b.seq + i, b.ids[i], b.records[i]]) AS rows"
)

#: The record batches of the change sets ``$low`` < revision <= ``$high`` (in any order).
BATCHES_BETWEEN: Final = (
    f"MATCH (b:{RECORD_BATCH}) WHERE b.revision > $low AND b.revision <= $high "
    f"AND b.seq > 0 RETURN collect({_BATCH_ROW}) AS rows"
)

#: The record batches of change set ``$revision`` whose first record is ``$after`` < seq <=
#: ``$last`` (in any order).
BATCH_PAGE: Final = (
    f"MATCH (b:{RECORD_BATCH}) WHERE b.revision = $revision AND b.seq > $after "
    f"AND b.seq <= $last RETURN collect({_BATCH_ROW}) AS rows"
)

#: Change sets after ``$revision`` (in any order), without their records.
CHANGE_SETS_AFTER: Final = (
    f"MATCH (c:{CHANGE_SET}) WHERE c.revision > $revision "
    f"RETURN collect([{_CHANGE_SET_FIELDS}]) AS rows"
)

COMMITTED_AT: Final = f"MATCH (c:{CHANGE_SET} {{revision: $revision}}) RETURN c.at AS at"

#: The revision of the last change set made at or before ``$at`` (null if none was).
REVISION_AT: Final = f"MATCH (c:{CHANGE_SET}) WHERE c.at <= $at RETURN max(c.revision) AS revision"

#: Every node some change set updated (index ``record_batch_updated``: only batches that
#: update a node have the property). A node written more than once is one of them.
UPDATED_NODES: Final = (
    f"MATCH (b:{RECORD_BATCH}) WHERE b.updated IS NOT NULL UNWIND b.updated AS id "
    "RETURN collect(DISTINCT id) AS rows"
)

#: Every record of the ids of ``$groups``, as rows ``[id, revision, seq, record]``.
RECORDS_OF: Final = (
    _RECORDS_OF + "RETURN collect([w[0], revision, w[1], b.records[w[1] - start]]) AS rows"
)

#: Test and maintenance only; batched so a large graph does not need one huge transaction.
#: Deletes every node, so API keys and their lock node, and history, too (see
#: ``Neo4jStore.reset``).
RESET: Final = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS"

# --------------------------------------------------------------------------- streaming
#
# Snapshots and exports page through the id indexes (keyset pagination: ``id > $after``,
# ascending, ``$batch`` rows a page), so the server never materialises the whole graph and
# every page arrives as one record. Relationship ids are indexed per type, so relationships
# are paged per type; the export merges the per-type streams by id.


@functools.cache
def node_page(dated: bool) -> str:
    """A page of nodes in id order; ``dated``: only those valid at ``$as_of`` (a node's own
    dates are its current ones in every version: graph.history.node_at)."""
    valid = f" AND {_valid('n', '$as_of')}" if dated else ""
    return (
        f"MATCH (n:{ENTITY}) WHERE n.id > $after{valid} "
        f"WITH n ORDER BY n.id LIMIT $batch RETURN collect({_node_row()}) AS rows"
    )


@functools.cache
def relationship_page(t: RelType, dated: bool) -> str:
    """A page of one type's relationships in id order; ``dated``: only those valid at
    ``$as_of`` (whether their ends are valid too is left to ``build_snapshot``, which drops
    edges whose ends it did not keep, so the server reads no node properties here)."""
    valid = f" AND {_valid('r', '$as_of')}" if dated else ""
    return (
        f"MATCH (a)-[r:{rel_type(t)}]->(b) WHERE r.id > $after{valid} "
        f"WITH a, r, b ORDER BY r.id LIMIT $batch RETURN collect({_rel_row()}) AS rows"
    )


COUNT_RECORDS: Final = (
    f"CALL () {{ MATCH (n:{ENTITY}) RETURN count(n) AS nodes }} "
    f"CALL () {{ MATCH (:{ENTITY})-[r]->() RETURN count(r) AS rels }} "
    "RETURN nodes + rels AS records"
)

#: Count store: how many record batches history holds (for the timeout of ``known_at``).
COUNT_RECORD_BATCHES: Final = f"MATCH (b:{RECORD_BATCH}) RETURN count(b) AS batches"

PING: Final = "RETURN 1 AS ok"


def kinds_param(kinds: Collection[NodeKind] | None) -> frozenset[NodeKind] | None:
    """Normalise a kinds filter: empty or complete means "any kind" (no label test)."""
    if not kinds or frozenset(kinds) == frozenset(NodeKind):
        return None
    return frozenset(NodeKind(k) for k in kinds)
