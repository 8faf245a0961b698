"""The schema is documented, generated from code, and its enums mirror the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import get_introspection_query, graphql_sync
from strawberry.printer import print_schema

from api.nodes import ENUM_MIRRORS
from api.schema import schema

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    assert SDL.read_text(encoding="utf-8") == print_schema(schema) + "\n", (
        "schema.graphql is stale: run `.venv/bin/partnernet schema` and commit it"
    )


def _undocumented(types: list[dict[str, Any]]) -> list[str]:
    missing: list[str] = []

    def need(what: str, item: dict[str, Any]) -> None:
        if not (item.get("description") or "").strip():
            missing.append(what)

    for t in types:
        if t["name"].startswith("__"):
            continue
        need(t["name"], t)
        for f in t.get("fields") or []:
            need(f"{t['name']}.{f['name']}", f)
            for a in f["args"]:
                need(f"{t['name']}.{f['name']}({a['name']})", a)
        for f in t.get("inputFields") or []:
            need(f"{t['name']}.{f['name']}", f)
        for v in t.get("enumValues") or []:
            need(f"{t['name']}.{v['name']}", v)
    return missing


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    result = graphql_sync(schema._schema, get_introspection_query(input_value_deprecation=True))
    assert result.errors is None
    assert result.data is not None
    assert _undocumented(result.data["__schema"]["types"]) == []


def test_graphql_enums_mirror_the_model() -> None:
    for gql_enum, model_enum in ENUM_MIRRORS.items():
        assert {m.value for m in gql_enum} == {m.value for m in model_enum}, gql_enum
