"""Edge values for every input type, and what the API must answer to each.

A probe replaces one value somewhere inside one argument (the argument itself, a field of an
input object, an item of a list) by an edge value of that value's type, leaving every other
required input at a valid baseline. Whether the value is outside its documented range is read
from ``api.input_ranges``, the table the API documents and enforces: the tests then check that
the API refuses exactly those as ``BAD_USER_INPUT`` naming the argument.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from api import input_ranges as ranges
from tests.abuse.schema_model import InputValue, Raw, Schema, TypeRef, expressible

DATES_IN_RANGE = ["1900-01-01", "2100-12-31"]
DATES_OUT_OF_RANGE = ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"]
NOT_DATES: list[Any] = ["not-a-date", "", "2024-02-30", "20240630", "2024-W26-7", 20240630]
INTS: list[Any] = [0, -1, -(2**31), 2**31 - 1, 1]
NOT_INTS: list[Any] = [2**31, -(2**31) - 1, 1.5, "1"]
FLOATS: list[Any] = [0.0, -1.0, -1e308, 1e308, 5e-324, Raw("1e400"), Raw("-1e400")]
NOT_FLOATS: list[Any] = [math.nan, math.inf, -math.inf, "1"]
TEXTS: list[Any] = [
    "",
    "x" * 10_001,
    "\u0000",
    "Ünïcödé ✓ 😀 \u202e",
    "%_\\' OR 1=1 --",
    "\ud800",  # a lone surrogate: valid JSON, not UTF-8
]
BASELINE_DATE = "2024-06-30"
LONG_LIST = 1_000


@dataclass(frozen=True)
class Variant:
    """One value of an input, with the edge value inside it."""

    value: Any
    path: str  # below the input itself: "", ".asOf", ".period.start"
    leaf: Any
    leaf_type: str  # "Date", "Int", "Float", "String", "ID", "LIST", an enum or input type
    leaf_name: str  # the name the documented range is keyed by
    coercible: bool  # False: GraphQL refuses the value before any resolver runs


@dataclass(frozen=True)
class Probe:
    """One request's worth: ``argument`` of the field set to ``variant.value``."""

    argument: InputValue
    variant: Variant
    as_variable: bool

    @property
    def path(self) -> str:
        return self.argument.name + self.variant.path

    @property
    def out_of_range(self) -> bool:
        """Whether the value is coercible but outside the documented range of its input."""
        v = self.variant
        return v.coercible and _range_problem(v.leaf_type, v.leaf_name, v.leaf) is not None

    @property
    def date_out_of_range(self) -> bool:
        v = self.variant
        return self.out_of_range and v.leaf_type == "Date"


def _range_problem(leaf_type: str, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if leaf_type == "Date":
        return ranges.date_problem(dt.date.fromisoformat(value))
    if leaf_type in ("Int", "Float"):
        number = float(value.text) if isinstance(value, Raw) else float(value)
        return ranges.number_problem(name, number)
    if leaf_type in ("String", "ID"):
        return ranges.text_problem(name, str(value))
    if leaf_type == "LIST":
        return ranges.items_problem(name, value)
    return None


# --------------------------------------------------------------------------- baselines

IdFor = Callable[[str], str]


def baseline(schema: Schema, type_ref: TypeRef, name: str, id_for: IdFor) -> Any:
    """A valid value of a required input, so that the probe's own value decides the answer."""
    if type_ref.non_null:
        assert type_ref.of is not None
        return baseline(schema, type_ref.of, name, id_for)
    if type_ref.is_list:
        return [baseline(schema, type_ref.item, name, id_for)]
    named = type_ref.named
    kind = schema.kind(named)
    if kind == "INPUT_OBJECT":
        return {
            f.name: baseline(schema, f.type, f.name, id_for)
            for f in schema.input_fields(named)
            if f.required
        }
    if kind == "ENUM":
        return Raw(schema.enum_values(named)[0])
    if named == "ID":
        return id_for(name)
    return {"Date": BASELINE_DATE, "Int": 2, "Float": 0.5, "Boolean": False}.get(named, "probe")


# --------------------------------------------------------------------------- variants


def variants(
    schema: Schema, type_ref: TypeRef, name: str, id_for: IdFor, depth: int = 0
) -> Iterator[Variant]:
    """Every edge value of an input of type ``type_ref`` named ``name``."""
    if type_ref.non_null:
        yield Variant(None, "", None, type_ref.named, name, coercible=False)
        assert type_ref.of is not None
        yield from variants(schema, type_ref.of, name, id_for, depth)
        return
    if type_ref.is_list:
        yield from _list_variants(schema, type_ref, name, id_for, depth)
        return
    named = type_ref.named
    kind = schema.kind(named)
    if kind == "INPUT_OBJECT":
        if depth < 2:
            yield from _object_variants(schema, named, name, id_for, depth)
        return
    if kind == "ENUM":  # every member is an ordinary value; only a non-member is an edge
        for bad in (Raw("NOT_A_VALUE"), "NOT_A_VALUE"):
            yield Variant(bad, "", bad, named, name, coercible=False)
        return
    for value, ok in _scalar_edges(named):
        yield Variant(value, "", value, named, name, coercible=ok)


def _scalar_edges(named: str) -> list[tuple[Any, bool]]:
    good: list[Any]
    bad: list[Any]
    if named == "Date":
        good, bad = DATES_IN_RANGE + DATES_OUT_OF_RANGE, NOT_DATES
    elif named == "Int":
        good, bad = INTS, NOT_INTS
    elif named == "Float":
        good, bad = FLOATS, NOT_FLOATS
    elif named == "String":
        good, bad = TEXTS, [12345]
    elif named == "ID":
        good, bad = [*TEXTS, 12345], [1.5]
    elif named == "Boolean":  # true and false are ordinary values
        good, bad = [], ["true"]
    else:
        good, bad = [], []
    return [(v, True) for v in good] + [(v, False) for v in bad]


def _list_variants(
    schema: Schema, type_ref: TypeRef, name: str, id_for: IdFor, depth: int
) -> Iterator[Variant]:
    item_type = type_ref.item
    item = baseline(schema, item_type, name, id_for)
    limit = ranges.items_limit(name)
    for size in (0, limit + 1, LONG_LIST):
        value = [item] * size
        yield Variant(value, "", value, "LIST", name, coercible=True)
    yield Variant([None], "", [None], "LIST", name, coercible=not item_type.non_null)
    for v in variants(schema, item_type, name, id_for, depth):
        if v.value is not None:
            yield replace(v, value=[v.value])


def _object_variants(
    schema: Schema, type_name: str, name: str, id_for: IdFor, depth: int
) -> Iterator[Variant]:
    fields = schema.input_fields(type_name)
    base = {f.name: baseline(schema, f.type, f.name, id_for) for f in fields if f.required}
    yield Variant(dict(base), "", None, type_name, name, coercible=True)
    yield Variant({**base, "noSuchField": 1}, "", None, type_name, name, coercible=False)
    for f in fields:
        for v in variants(schema, f.type, f.name, id_for, depth + 1):
            yield replace(v, value={**base, f.name: v.value}, path=f".{f.name}{v.path}")


def probes(schema: Schema, argument: InputValue, id_for: IdFor) -> Iterator[Probe]:
    """The probes of one argument: literals where GraphQL can write the value, variables
    where it cannot (NaN, infinities, lone surrogates) or where it would be long, and dates
    out of range both ways, since literals and variables are coerced by different code."""
    for v in variants(schema, argument.type, argument.name, id_for):
        literal_ok = expressible(v.value) and not _long(v.value)
        probe = Probe(argument, v, as_variable=not literal_ok)
        yield probe
        if literal_ok and probe.date_out_of_range:
            yield replace(probe, as_variable=True)


def _long(value: Any) -> bool:
    """Whether a value holds a long list: as a literal it would be thousands of tokens, which
    the API refuses by the document's size before looking at any value."""
    if isinstance(value, dict):
        return any(_long(v) for v in value.values())
    return isinstance(value, list) and (len(value) >= LONG_LIST or any(_long(v) for v in value))
