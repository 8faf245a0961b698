"""The served schema as the probes see it: read by introspection over HTTP, so a field or an
argument added tomorrow is probed without anyone editing the tests.

Also builds what every probe needs around the value under test: a valid value for each other
required input (``baseline``), a small valid selection of a field's result (``selection``),
and GraphQL literals for Python values (``literal``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_TYPE_REF = (
    "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name "
    "ofType { kind name ofType { kind name } } } } } }"
)
INTROSPECTION = f"""
query {{ __schema {{
  queryType {{ name }} mutationType {{ name }}
  types {{
    kind name description
    fields {{
      name type {{ {_TYPE_REF} }}
      args {{ name description defaultValue type {{ {_TYPE_REF} }} }}
    }}
    inputFields {{ name description defaultValue type {{ {_TYPE_REF} }} }}
    enumValues {{ name }}
    possibleTypes {{ name }}
  }}
}} }}
"""


@dataclass(frozen=True)
class TypeRef:
    kind: str
    name: str | None
    of: TypeRef | None

    @staticmethod
    def read(raw: dict[str, Any]) -> TypeRef:
        inner = raw.get("ofType")
        return TypeRef(raw["kind"], raw.get("name"), TypeRef.read(inner) if inner else None)

    @property
    def non_null(self) -> bool:
        return self.kind == "NON_NULL"

    @property
    def nullable(self) -> TypeRef:
        return self.of if self.non_null and self.of else self

    @property
    def is_list(self) -> bool:
        return self.nullable.kind == "LIST"

    @property
    def item(self) -> TypeRef:
        assert self.is_list and self.nullable.of is not None
        return self.nullable.of

    @property
    def named(self) -> str:
        ref: TypeRef | None = self
        while ref is not None and ref.name is None:
            ref = ref.of
        assert ref is not None and ref.name is not None
        return ref.name

    def __str__(self) -> str:
        if self.kind == "NON_NULL":
            return f"{self.of}!"
        if self.kind == "LIST":
            return f"[{self.of}]"
        return str(self.name)


@dataclass(frozen=True)
class InputValue:
    """An argument, or a field of an input object."""

    name: str
    type: TypeRef
    default: str | None
    description: str

    @property
    def required(self) -> bool:
        return self.type.non_null and self.default is None


@dataclass(frozen=True)
class Field:
    owner: str
    name: str
    type: TypeRef
    args: tuple[InputValue, ...]


class Schema:
    """The introspected schema, with the lookups the probes need."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.types: dict[str, dict[str, Any]] = {t["name"]: t for t in raw["types"]}
        self.query = raw["queryType"]["name"]
        self.mutation = (raw.get("mutationType") or {}).get("name")

    def kind(self, name: str) -> str:
        return str(self.types[name]["kind"])

    def fields(self, type_name: str) -> list[Field]:
        return [
            Field(
                type_name,
                f["name"],
                TypeRef.read(f["type"]),
                tuple(_input_value(a) for a in f["args"]),
            )
            for f in self.types[type_name].get("fields") or []
        ]

    def input_fields(self, type_name: str) -> list[InputValue]:
        return [_input_value(f) for f in self.types[type_name].get("inputFields") or []]

    def enum_values(self, type_name: str) -> list[str]:
        return [v["name"] for v in self.types[type_name]["enumValues"]]

    def implementations(self, type_name: str) -> set[str]:
        """The object types a value of ``type_name`` can be (itself, for an object type)."""
        possible = self.types[type_name].get("possibleTypes")
        return {p["name"] for p in possible} if possible else {type_name}

    def selection(self, type_ref: TypeRef, depth: int = 1) -> str:
        """A small valid selection of a result: ``__typename`` and every leaf field without
        required arguments, and (``depth`` levels down) the same of argument-free object
        fields, so that results are serialised, not just computed."""
        name = type_ref.named
        if self.kind(name) in ("SCALAR", "ENUM"):
            return ""
        parts = ["__typename"]
        if self.kind(name) in ("OBJECT", "INTERFACE"):
            for f in self.fields(name):
                if any(a.required for a in f.args):
                    continue
                inner = f.type.named
                if self.kind(inner) in ("SCALAR", "ENUM"):
                    parts.append(f.name)
                elif depth > 0 and not f.args:
                    parts.append(f"{f.name} {self.selection(f.type, depth - 1)}")
        return "{ " + " ".join(parts) + " }"


def _input_value(raw: dict[str, Any]) -> InputValue:
    return InputValue(
        raw["name"],
        TypeRef.read(raw["type"]),
        raw.get("defaultValue"),
        raw.get("description") or "",
    )


# --------------------------------------------------------------------------- literals


@dataclass(frozen=True)
class Raw:
    """GraphQL literal text sent as is (an enum value, ``1e400``)."""

    text: str


def expressible(value: Any) -> bool:
    """Whether ``value`` can be written as a GraphQL literal (NaN, infinities and lone
    surrogates cannot: they only travel as JSON variables)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list):
        return all(expressible(v) for v in value)
    if isinstance(value, dict):
        return all(expressible(v) for v in value.values())
    return True


def literal(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def as_json(value: Any, schema: Schema, type_ref: TypeRef) -> Any:
    """The JSON variable value of a probe value (enum values are ``Raw`` names)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, list):
        item = type_ref.item if type_ref.is_list else type_ref
        return [as_json(v, schema, item) for v in value]
    if isinstance(value, dict):
        fields = {f.name: f.type for f in schema.input_fields(type_ref.named)}
        return {k: as_json(v, schema, fields.get(k, type_ref)) for k, v in value.items()}
    return value


def walk(data: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) in a JSON response's data, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from walk(item)
