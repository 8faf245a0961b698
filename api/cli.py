"""The ``partnernet`` command: serve, seed, import, export, schema, keys.

Every command works on whichever store the environment configures (see README). Errors are
one clear line on stderr (an import lists every problem of the file, one per line, then one
summary line) and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from api.settings import Settings
from api.stores import store_from_settings
from graph import keys
from graph.batching import batched
from graph.errors import GraphError, InvalidFile, NotFound, ValidationError
from graph.exchange import (
    DEFAULT_MAX_PROBLEMS,
    FORMATS,
    export_graphml,
    export_jsonl,
    format_for,
    import_file,
    load_mapping,
    report_lines,
)
from graph.history import Author, ChangeFilter, encode_value, utc_text
from graph.keys import ApiKey, Role
from graph.model import NodeKind, WeightScope
from graph.store import GraphStore
from graph.weights import read_weights_csv

SYNTHETIC_BATCH = 50_000


async def _with_store(settings: Settings, work: Callable[[GraphStore], Awaitable[int]]) -> int:
    store = store_from_settings(settings)
    try:  # closed even when opening fails: it may hold a driver or a lock already
        await store.open()
        return await work(store)
    finally:
        await store.close()


def _where(settings: Settings) -> str:
    return settings.neo4j_uri if settings.store == "neo4j" else str(settings.db_path)


def cli_author(via: str) -> Author:
    """Who a command-line write is recorded as made by: the operating-system user (the CLI
    has no key; whoever can run it owns the store's file or credentials)."""
    return Author(f"cli:{getpass.getuser()}", "cli", via)


async def seed_store(store: GraphStore, quiet: bool = False) -> tuple[int, bool]:
    """Load reference + illustrative seed data as one atomic batch. Returns (revision, changed)."""
    from seeds.illustrative import seed_changes

    changes = list(tqdm(seed_changes(), desc="preparing seed", unit=" records", disable=quiet))
    result = await store.apply(changes, author=cli_author("seed"))
    return result.revision, result.changed


async def _seed(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    revision, changed = await seed_store(store)
    state = "loaded" if changed else "already present, nothing changed"
    print(f"seed data {state} in {_where(settings)} (revision {revision})")
    if args.synthetic:
        from seeds.synthetic import estimate, generate

        nodes, rels = estimate(args.actors)
        with tqdm(total=nodes + rels, desc="synthetic", unit=" records") as bar:
            for batch in batched(generate(args.actors, seed=args.seed), SYNTHETIC_BATCH):
                result = await store.apply(batch, author=cli_author("seed"))
                bar.update(len(batch))
        print(f"synthetic network of {args.actors} actors written (revision {result.revision})")
    counts = await store.counts_by_kind()
    print(", ".join(f"{k.value}: {v}" for k, v in counts.items()))
    return 0


async def _import(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.path)
    fmt = args.format or format_for(path)
    mapping = load_mapping(Path(args.mapping)) if args.mapping else None
    try:
        with (
            tqdm(desc=f"reading {path}", unit=" lines" if fmt == "jsonl" else " records") as rd,
            tqdm(desc="writing", unit=" records", disable=args.dry_run) as writing,
        ):
            report = await import_file(
                store,
                path,
                fmt=fmt,
                mapping=mapping,
                dry_run=args.dry_run,
                max_problems=args.max_problems,
                progress=rd.update,
                write_progress=writing.update,
                author=cli_author("import"),
            )
    except InvalidFile as err:
        _print_problems(err, path)
        return 1
    for line in report_lines(report):
        print(line)
    if report.problems is not None:
        _print_problems(report.problems, path)
        return 1
    return 0


def _print_problems(err: InvalidFile, path: Path) -> None:
    """Compiler style, one FILE:LINE: reason (field) per line, then one summary line."""
    for problem in err.problems:
        print(problem, file=sys.stderr)
    listed = f" (the first {len(err.problems)} are listed above)" if err.left_off else ""
    plural = "s" if err.total != 1 else ""
    print(
        f"partnernet import: error: {err.total} problem{plural} in {path}{listed}; "
        "nothing was imported",
        file=sys.stderr,
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _theme_lines(path: Path) -> dict[str, int]:
    """Line of each THEME row, so a theme missing from the graph is reported at its line."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return {r["key"]: reader.line_num for r in reader if r.get("scope") == "THEME"}


async def _import_weights(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    weights = read_weights_csv(Path(args.path))
    themes = sorted(key for scope, key in weights if scope is WeightScope.THEME)
    for theme, found in zip(themes, await store.get_nodes(themes), strict=True):
        if found is None or found.kind is not NodeKind.THEMATIC_AREA:
            raise ValidationError(
                f"{theme!r} is not a thematic area in the graph",
                where=f"{args.path}:{_theme_lines(Path(args.path)).get(theme, 1)}",
                field="key",
            )
    revision = await store.set_need_weights(
        weights, replace=True, author=cli_author("import-weights")
    )
    print(f"loaded {len(weights)} need weights from {args.path} (revision {revision})")
    return 0


async def _history(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    """Every change set that touched a node (or relationship), oldest first, with each
    change's before and after, one JSON document per line after a header line."""
    after: int | None = None
    shown = 0
    while True:
        page = await store.change_sets(ChangeFilter(node=args.id), first=100, after=after)
        for cs in page.items:
            who = f"{cs.author.name} ({cs.author.role}, {cs.author.via})"
            print(f"revision {cs.revision}  {utc_text(cs.at)}  {who}")
            for c in cs.changes:
                line = {
                    "entity": c.entity.value,
                    "kind": c.kind,
                    "validFrom": c.valid_from,
                    "before": encode_value(c.before),
                    "after": encode_value(c.after),
                }
                print("  " + json.dumps(line, sort_keys=True, ensure_ascii=False))
            shown += 1
        if not page.has_next_page or not page.items:
            break
        after = page.items[-1].revision
    if not shown:
        print(f"no recorded change touched {args.id!r}", file=sys.stderr)
        return 1
    return 0


async def _export(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    if args.format == "graphml":
        count = await export_graphml(store, Path(args.path))
    elif args.format in ("xlsx", "csv"):
        from graph.exchange.tabular import export_tabular  # loads openpyxl

        count = await export_tabular(store, Path(args.path), args.format)
    elif args.path == "-":
        count = await export_jsonl(store, sys.stdout)
    else:
        with open(args.path, "w", encoding="utf-8") as out:
            count = await export_jsonl(store, out)
    print(f"exported {count} records to {args.path}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- keys


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _described(record: ApiKey) -> str:
    return f"{record.id} ({record.name!r}, role {record.role.value})"


async def _keys_create(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    token, record = keys.issue(args.name, args.role)
    await store.create_key(record)
    print(
        f"created API key {_described(record)} in {_where(settings)}. The key is on stdout and "
        "is shown only this once: store it now (only its hash is kept; if it is lost, revoke "
        "it and create another).",
        file=sys.stderr,
    )
    print(token, flush=True)
    return 0


async def _keys_list(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    records = await store.list_keys()
    if not records:
        print(f"no API keys in {_where(settings)}", file=sys.stderr)
        return 0
    rows = [("id", "name", "role", "created", "revoked")]
    rows += [
        (k.id, k.name, k.role.value, _when(k.created_at), _when(k.revoked_at)) for k in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[4]]))
    return 0


def _resolve_key(records: list[ApiKey], id_or_name: str) -> ApiKey:
    """The key with this id, else the active key with this name (names are unique among
    active keys, and never shaped like an id, so the two cannot be confused)."""
    for record in records:
        if record.id == id_or_name:
            return record
    for record in records:
        if record.active and record.name == id_or_name:
            return record
    revoked = sum(1 for k in records if k.name == id_or_name)
    note = f" ({revoked} revoked key(s) have that name)" if revoked else ""
    raise NotFound(f"no API key has the id or active name {id_or_name!r}{note}")


async def _keys_revoke(store: GraphStore, args: argparse.Namespace, settings: Settings) -> int:
    record = _resolve_key(await store.list_keys(), args.key)
    now = datetime.now(UTC).replace(microsecond=0)
    if record.active and await store.revoke_key(record.id, now):
        print(f"revoked API key {_described(record)} at {_when(now)}")
        return 0
    current = await store.get_key(record.id) or record
    print(
        f"API key {_described(record)} was already revoked at {_when(current.revoked_at)}",
        file=sys.stderr,
    )
    return 0


_KEY_COMMANDS = {"create": _keys_create, "list": _keys_list, "revoke": _keys_revoke}


def _check_key_arguments(args: argparse.Namespace) -> None:
    """Refuse a bad role or name before the store is opened."""
    if args.keys_command != "create":
        return
    try:
        args.role = Role.parse(args.role)
        args.name = keys.validate_name(args.name)
    except ValidationError as err:
        raise ValidationError(err.message, where=f"--{err.field}") from None


def _template(args: argparse.Namespace) -> int:
    from graph.exchange.tabular import write_template  # loads openpyxl

    write_template(Path(args.path), args.format)
    print(f"wrote the {args.format} import template to {args.path}", file=sys.stderr)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from strawberry.printer import print_schema

    from api.schema import schema

    text = print_schema(schema) + "\n"
    if args.path == "-":
        sys.stdout.write(text)
    else:
        Path(args.path).write_text(text, encoding="utf-8")
        print(f"wrote {args.path}", file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.access import Authenticator
    from api.app import create_app

    async def first_run(store: GraphStore) -> None:
        if not any((await store.counts_by_kind()).values()):
            print(f"empty store at {settings.db_path}: loading the seed data first")
            await seed_store(store)

    host = args.host or settings.host
    port = args.port or settings.port
    settings = dataclasses.replace(settings, host=host, port=port)  # decides anonymous access
    print(f"partnernet on {settings.store} store; GraphiQL at http://{host}:{port}/graphql")
    print(Authenticator(settings).describe())
    prepare = first_run if settings.store == "embedded" else None
    uvicorn.run(
        create_app(settings, prepare=prepare), host=host, port=port, log_level=settings.log_level
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnernet",
        description="Partnership-network analytics API. The store is chosen by environment: "
        "PARTNERNET_STORE=embedded (default; file PARTNERNET_DB) or neo4j (NEO4J_URI, ...).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="run the API (GraphiQL at /graphql)",
        description="Run the API with uvicorn. Loopback only unless --host "
        "says otherwise. An empty embedded store is seeded first.",
    )
    serve.add_argument("--host", help="bind address (default PARTNERNET_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PARTNERNET_PORT or 8000)")
    seed = sub.add_parser(
        "seed",
        help="load reference and illustrative seed data",
        description="Load the seed data into the configured store. "
        "Idempotent: re-seeding changes nothing.",
    )
    seed.add_argument(
        "--synthetic", action="store_true", help="also generate a synthetic network for scale work"
    )
    seed.add_argument(
        "--actors",
        type=int,
        default=10_000,
        help="synthetic actors (default 10000; ~10 relationships each)",
    )
    seed.add_argument("--seed", type=int, default=7, help="random seed of the synthetic network")
    imp = sub.add_parser(
        "import",
        help="import IATI XML, HXL/3W sheets, CSV/XLSX templates, JSON Lines or GraphML",
        description="Import a file as one change: IATI 2.03 activity XML, an HXL-tagged 3W "
        "sheet (CSV or XLSX), the CSV/XLSX templates (`partnernet template`), APOC-style JSON "
        "Lines, or GraphML as `export --format graphml` writes it. Records that exist are "
        "updated, so importing the same file twice changes nothing. The whole file is "
        "validated first; a file with any problem imports nothing, and every problem is "
        "listed as FILE:LINE: reason (field).",
    )
    imp.add_argument("path", help="file to import (a directory: CSV template sheets)")
    imp.add_argument(
        "--format",
        choices=FORMATS,
        help="default by extension: .xml iati, .xlsx xlsx, .csv hxl when it has an HXL "
        "hashtag row and a csv template sheet otherwise, a directory csv, .graphml graphml, "
        "anything else jsonl (docs/DATA_FORMAT.md)",
    )
    imp.add_argument(
        "--mapping",
        metavar="FILE",
        help="mapping file (TOML): organisation identifiers, sectors, regions, roles, "
        "sensitivity and currencies (docs/DATA_FORMAT.md, 'Mapping files')",
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and print what would change per kind; write nothing",
    )
    imp.add_argument(
        "--max-problems",
        type=_positive,
        default=DEFAULT_MAX_PROBLEMS,
        metavar="N",
        help=f"list at most N problems, counting the rest (default {DEFAULT_MAX_PROBLEMS})",
    )
    weights = sub.add_parser(
        "import-weights",
        help="load need/priority weights from CSV (replaces all; all or nothing)",
        description="Load need/priority weights from a CSV with header scope,key,weight "
        "(scope: COUNTRY, REGION, SUBREGION or THEME). The file replaces all weights; any bad "
        "row loads nothing. See docs/COVERAGE.md.",
    )
    weights.add_argument("path", help="CSV file")
    exp = sub.add_parser(
        "export",
        help="export the graph",
        description="Export every node and relationship, sorted by id.",
    )
    exp.add_argument("path", help="output file, or - for stdout (jsonl only); a directory for csv")
    exp.add_argument(
        "--format",
        choices=["jsonl", "graphml", "xlsx", "csv"],
        default="jsonl",
        help="jsonl (APOC JSON Lines, default), graphml (Gephi), or the xlsx/csv templates "
        "(`partnernet import` reads all four back)",
    )
    tpl = sub.add_parser(
        "template",
        help="write the empty CSV/XLSX import templates",
        description="Write the import templates: an .xlsx workbook with a README sheet and "
        "one sheet per kind, or a directory of CSV files, one per sheet. Fill them in and "
        "`partnernet import` them (docs/DATA_FORMAT.md, 'Templates').",
    )
    tpl.add_argument("format", choices=["xlsx", "csv"], help="workbook or CSV directory")
    tpl.add_argument("path", help="the .xlsx file, or the directory for the CSV files")
    key_cmd = sub.add_parser(
        "keys",
        help="create, list and revoke API keys",
        description="Manage the API keys kept (hashed) in the configured store. Roles, each "
        "including the ones before it: viewer (public aggregates, non-restricted actors), "
        "analyst (also restricted actors), editor (also mutations and imports), admin "
        "(everything, and keys). The embedded store's file has one writer: stop `serve` first.",
    )
    key_sub = key_cmd.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    create = key_sub.add_parser(
        "create",
        help="make a key and print it once on stdout",
        description="Make a key and print it, and nothing else, on stdout (a note goes to "
        "stderr), so a script can capture it: KEY=$(partnernet keys create ...). The key is "
        "shown only this once; the store keeps only its hash.",
    )
    create.add_argument(
        "--role", required=True, metavar="ROLE", help="viewer, analyst, editor or admin"
    )
    create.add_argument(
        "--name",
        required=True,
        help="what or who the key is for; unique among active keys (1-100 characters)",
    )
    key_sub.add_parser(
        "list",
        help="list keys: id, name, role, created, revoked",
        description="List every key, revoked ones included, oldest first. Never shows a key "
        "or its hash.",
    )
    revoke = key_sub.add_parser(
        "revoke",
        help="revoke a key by id or name",
        description="Revoke a key, given its id or the name of an active key. The record is "
        "kept (shown as revoked by `keys list`); revoking it again changes nothing.",
    )
    revoke.add_argument("key", metavar="ID_OR_NAME", help="key id (from `keys list`) or name")
    hist = sub.add_parser(
        "history",
        help="every recorded change of a node or relationship",
        description="Print every change set that touched the node or relationship ID, oldest "
        "first: revision, time (UTC) and author, then each change as one JSON line with its "
        "value before and after (docs/HISTORY.md).",
    )
    hist.add_argument("id", help="node or relationship id (its own key, e.g. KEN or cso-0001)")
    schema = sub.add_parser("schema", help="write the GraphQL schema (SDL)")
    schema.add_argument(
        "path",
        nargs="?",
        default="schema.graphql",
        help="output file (default schema.graphql; - for stdout)",
    )
    return parser


def quiet_openmp() -> None:
    """Make OpenMP's idle threads sleep rather than spin, for this process.

    NetworKit (the analytics' community detection, closeness, clustering and diameter) runs
    on OpenMP, whose idle threads spin by default: on a small, shared machine they starve
    everything else (a 10-node community detection took 50 ms instead of 1 ms), while
    sleeping costs nothing measurable on large graphs. OpenMP reads the setting once, when
    its runtime loads with the first import of NetworKit, so it is set here, where the
    process starts and before anything imports the analytics; an explicit setting wins.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def main(argv: list[str] | None = None) -> int:
    quiet_openmp()
    args = build_parser().parse_args(argv)
    command = args.command
    try:
        if args.command == "schema":
            return _schema(args)
        if args.command == "template":
            return _template(args)
        if args.command == "keys":
            command = f"keys {args.keys_command}"
            _check_key_arguments(args)
        settings = Settings.from_env()
        if args.command == "serve":
            return _serve(args, settings)
        work = {
            "seed": _seed,
            "import": _import,
            "import-weights": _import_weights,
            "export": _export,
            "history": _history,
        }.get(args.command) or _KEY_COMMANDS[args.keys_command]
        return asyncio.run(_with_store(settings, lambda store: work(store, args, settings)))
    except GraphError as err:
        print(f"partnernet {command}: error: {err}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as err:
        print(f"partnernet {command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
