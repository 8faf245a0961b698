"""Every argument and input field checked against its documented range before a resolver runs,
and that range written into its description.

Why here, wrapping resolvers, and not in scalars: a scalar's parse error does not know which
argument it parses. graphql-core reports a literal's as a validation error of the whole
document and a variable's under the variable's name, so ``asOf: "0001-01-01"`` could not be
answered with an error naming ``asOf``. Once graphql-core has coerced the arguments, the field
knows each argument's name and type, so one wrapper per field with arguments checks them all
against :mod:`api.input_ranges` (dates, numbers, string lengths, list sizes, down through input
objects) and refuses the first value out of range as ``BAD_USER_INPUT`` at that field's path:
other fields of the request still get their data. The wrappers are built once per schema; a
field without arguments is not wrapped and pays nothing.

Why write the descriptions from the same table: the documented range then cannot drift from
the enforced one. A description that already states the range (``Page size, 1 to 100``) is
left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    default_field_resolver,
)

from api import input_ranges as ranges
from api.errors import ApiError, bad_input

#: Checks a coerced value found at ``path`` (``filter.asOf``); raises ``BAD_USER_INPUT``.
Check = Callable[[Any, str], None]

_NUMERIC = frozenset({"Int", "Float"})
_TEXTUAL = frozenset({"String", "ID"})


def _refuse(path: str, problem: str) -> ApiError:
    return bad_input(problem, path.split(".", 1)[0], path=path)


def _leaf(problem: Callable[[Any], str | None]) -> Check:
    def check(value: Any, path: str) -> None:
        found = problem(value)
        if found is not None:
            raise _refuse(path, found)

    return check


class _Checks:
    """Compiles the check of an input type found under a name; input objects once each."""

    def __init__(self) -> None:
        self._objects: dict[str, Check] = {}

    def of(self, type_: GraphQLInputType, name: str, where: str) -> Check | None:
        if isinstance(type_, GraphQLNonNull):
            return self.of(type_.of_type, name, where)
        if isinstance(type_, GraphQLList):
            return self._list(type_.of_type, name, where)
        if isinstance(type_, GraphQLInputObjectType):
            return self._object(type_)
        if isinstance(type_, GraphQLScalarType):
            return _scalar(type_.name, name, where)
        return None  # enums: graphql-core already refused anything outside them

    def _list(self, item_type: GraphQLInputType, name: str, where: str) -> Check:
        item = self.of(item_type, name, where)

        def check(values: Any, path: str) -> None:
            problem = ranges.items_problem(name, values)
            if problem is not None:
                raise _refuse(path, problem)
            if item is not None:
                for value in values:
                    if value is not None:
                        item(value, path)

        return check

    def _object(self, type_: GraphQLInputObjectType) -> Check:
        if type_.name in self._objects:
            return self._objects[type_.name]
        fields: list[tuple[str, Check]] = []

        def check(value: Any, path: str) -> None:
            for field_name, field_check in fields:
                item = value.get(field_name)
                if item is not None:
                    field_check(item, f"{path}.{field_name}")

        self._objects[type_.name] = check  # before the fields: input types may nest
        for field_name, field in type_.fields.items():
            found = self.of(field.type, field_name, f"{type_.name}.{field_name}")
            if found is not None:
                fields.append((field_name, found))
        return check


def _number(name: str, where: str) -> ranges.Number:
    if name not in ranges.NUMBERS:
        raise LookupError(
            f"{where}: a number without a documented range; add {name!r} to NUMBERS in "
            "api/input_ranges.py"
        )
    return ranges.NUMBERS[name]


def _scalar(scalar: str, name: str, where: str) -> Check | None:
    if scalar in _NUMERIC:
        return _leaf(_number(name, where).problem)
    if scalar in _TEXTUAL:
        return _leaf(lambda value: ranges.text_problem(name, value))
    if scalar == "Date":
        return _leaf(ranges.date_problem)
    return None


def _guarded(
    resolve: Callable[..., Any], checks: tuple[tuple[str, Check], ...]
) -> Callable[..., Any]:
    """``resolve``, after the arguments' checks; a refusal is raised before the resolver is
    even called, so no coroutine is created for it."""

    def resolve_checked(source: Any, info: Any, **args: Any) -> Any:
        for name, check in checks:
            value = args.get(name)
            if value is not None:
                check(value, name)
        return resolve(source, info, **args)

    return resolve_checked


# --------------------------------------------------------------------------- descriptions


def _notes(type_: GraphQLInputType, name: str, where: str) -> list[tuple[str, str]]:
    """(phrase, sentence) pairs documenting the range of an input; the sentence is added to
    the description unless the phrase is already in it."""
    if isinstance(type_, GraphQLNonNull):
        return _notes(type_.of_type, name, where)
    if isinstance(type_, GraphQLList):
        items = ranges.number_text(ranges.items_limit(name))
        inner = _notes(type_.of_type, name, where)
        each = f" of {inner[0][0]} each" if inner and _is_text(type_.of_type) else ""
        return [(f"{items} items", f"At most {items} items{each}.")]
    if not isinstance(type_, GraphQLScalarType):
        return []
    if type_.name in _NUMERIC:
        phrase = _number(name, where).phrase
        return [] if phrase is None else [(phrase, f"Range: {phrase}.")]
    if type_.name in _TEXTUAL:
        chars = f"at most {ranges.number_text(ranges.text_limit(name))} characters"
        return [(chars, f"{chars[0].upper()}{chars[1:]}.")]
    return []  # dates: the Date scalar's description gives their range


def _is_text(type_: GraphQLInputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLScalarType) and inner.name in _TEXTUAL


def _document(item: GraphQLArgument | GraphQLInputField, name: str, where: str) -> None:
    text = item.description or ""
    for phrase, sentence in _notes(item.type, name, where):
        if phrase.lower() not in text.lower():
            text = f"{text} {sentence}".strip()
    item.description = text or None


# --------------------------------------------------------------------------- the schema


def check_inputs(schema: GraphQLSchema) -> int:
    """Check every argument of every field against its range before its resolver runs, and
    document the ranges; returns how many fields were wrapped.

    Raises LookupError when an Int or Float input has no range in api/input_ranges.py, so a
    new numeric argument cannot ship unchecked.
    """
    checks = _Checks()
    wrapped = 0
    for gql_type in schema.type_map.values():
        if gql_type.name.startswith("__"):
            continue
        if isinstance(gql_type, GraphQLInputObjectType):
            for name, input_field in gql_type.fields.items():
                _document(input_field, name, f"{gql_type.name}.{name}")
        if not isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in gql_type.fields.items():
            where = f"{gql_type.name}.{field_name}"
            for name, arg in field.args.items():
                _document(arg, name, f"{where}({name})")
            if isinstance(gql_type, GraphQLInterfaceType):
                continue  # interfaces document; their objects' fields are what resolves
            found = tuple(
                (name, check)
                for name, arg in field.args.items()
                if (check := checks.of(arg.type, name, f"{where}({name})")) is not None
            )
            if found:
                field.resolve = _guarded(field.resolve or default_field_resolver, found)
                wrapped += 1
    return wrapped
