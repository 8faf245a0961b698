"""Parse and validation caches built into the schema, both keyed on the query text.

Why in a ``strawberry.Schema`` subclass and not as schema extensions (Strawberry's
``ParserCache`` and ``ValidationCache``): every hook an extension defines costs every request a
fresh context manager, about 25 us measured, as much as the rest of Strawberry's own work
around a small query (bench/api_overhead.py). Here the caches are consulted at Strawberry's
parse step by the schema's own extension runner, with no hook; the runner also skips the
empty exit stacks Strawberry builds for steps no extension hooks into.

Both caches are LRU-bounded (an unbounded cache keyed by query text would let clients grow
memory at will) and shared process-wide per size: a cache hit on one schema's text is only a
hit for the same GraphQL schema and rules, since those are part of the validation key. The
parse cache is also reachable without a schema (:func:`parse_document`), so code outside the
schema that needs a request's document (the coverage response cache) reuses the request's own
parse.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, NamedTuple

import strawberry
from graphql import parse
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.schema import validate_document

if TYPE_CHECKING:
    from types import TracebackType

    from graphql import DocumentNode, GraphQLError
    from strawberry.extensions import SchemaExtension
    from strawberry.schema import BaseSchema
    from strawberry.types import ExecutionContext

CACHE_MAXSIZE = 256


class CacheInfo(NamedTuple):
    """Counters of one cache, like ``functools.lru_cache``'s ``cache_info()``."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class DocumentCacheInfo(NamedTuple):
    """Counters of the two caches of one size."""

    parse: CacheInfo
    validation: CacheInfo


class _ValidationStore:
    """A thread-safe LRU map from validation key to validation errors."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, list[GraphQLError]] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def get(self, key: Hashable) -> list[GraphQLError] | None:
        with self._lock:
            errors = self._entries.get(key)
            if errors is None:
                self._misses += 1
            else:
                self._hits += 1
                self._entries.move_to_end(key)
            return errors

    def put(self, key: Hashable, errors: list[GraphQLError]) -> None:
        with self._lock:
            self._entries[key] = errors
            self._entries.move_to_end(key)
            if len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self.maxsize, len(self._entries))


class DocumentCache:
    """The parse and validation caches of one size (one per size per process: see
    :meth:`of_size`).

    Parsing: graphql-core's ``parse`` behind ``functools.lru_cache``, as in Strawberry's
    ``ParserCache``: a hit on a ``str`` key (no parse options) is one C-level dict lookup.

    Validation: Strawberry's ``ValidationCache`` puts ``validate_document`` behind
    ``functools.lru_cache``, so its key holds the ``DocumentNode``: AST nodes are frozen
    dataclasses, hashed field by field through the whole tree on every request (about 15 us for
    a small query with a fragment). The key here is (GraphQL schema, query text, validation
    rules): a ``str`` caches its hash and the rest hash by identity. The text determines the
    document (parse options only limit whether it parses at all), so the cached errors are the
    same.
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            msg = f"maxsize must be at least 1, got {maxsize}"
            raise ValueError(msg)
        self.maxsize = maxsize
        self.parse: Callable[..., DocumentNode] = functools.lru_cache(maxsize=maxsize)(parse)
        self._validation = _ValidationStore(maxsize)

    @staticmethod
    @functools.cache
    def of_size(maxsize: int) -> DocumentCache:
        """The process-wide cache of ``maxsize`` entries (each of parsing and validation)."""
        return DocumentCache(maxsize)

    def prepare(self, context: ExecutionContext) -> None:
        """Give the request its document and validation errors from the caches, so that
        Strawberry skips its own parse (the document is set) and validation
        (``pre_execution_errors`` is set), then reports the errors as if it had found them.

        A text that does not parse is left to Strawberry, which parses it again and reports
        the error exactly as without a cache (failures are not cached). A document set by an
        extension, or errors already set, are left alone; no validation rules (Strawberry's
        ``DisableValidation``) means no validation, as in Strawberry.
        """
        query = context.query
        if query is None or context.graphql_document is not None:
            return
        options = context.parse_options
        try:
            document = self.parse(query, **options) if options else self.parse(query)
        except Exception:  # Strawberry reports it, parsing again
            return
        context.graphql_document = document
        rules = context.validation_rules
        if not rules or context.pre_execution_errors is not None:
            return
        gql_schema = context.schema._schema
        key = (gql_schema, query, rules)
        errors = self._validation.get(key)
        if errors is None:
            errors = validate_document(gql_schema, document, rules)
            self._validation.put(key, errors)
        # A copy, so that whatever later changes this request's list leaves the cache alone.
        context.pre_execution_errors = list(errors)

    def info(self) -> DocumentCacheInfo:
        """Hits, misses and sizes of both caches."""
        return DocumentCacheInfo(
            CacheInfo(*self.parse.cache_info()),  # type: ignore[attr-defined]
            self._validation.info(),
        )


def parse_document(query: str) -> DocumentNode:
    """The parsed document of ``query`` from the cache of the default size, the one the
    schemas fill (no parse options, as the schema parses). Raises ``GraphQLError`` on a syntax
    error, like ``graphql.parse``. The document is shared: do not modify it."""
    return DocumentCache.of_size(CACHE_MAXSIZE).parse(query)


class _Step(ExtensionContextManagerBase):
    """One lifecycle step (operation, parse, validation, execution) that runs the extensions'
    hooks only when there are any: Strawberry's own builds and unwinds an empty exit stack per
    step per request, a few microseconds each for a schema without extensions."""

    def __enter__(self) -> None:
        if self.hooks:
            super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.hooks:
            super().__exit__(exc_type, exc_val, exc_tb)

    async def __aenter__(self) -> None:
        if self.hooks:
            await super().__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.hooks:
            await super().__aexit__(exc_type, exc_val, exc_tb)


class _Operation(_Step, OperationContextManager):
    pass


class _Validation(_Step, ValidationContextManager):
    pass


class _Executing(_Step, ExecutingContextManager):
    pass


class _Parsing(_Step, ParsingContextManager):
    """The parse step: the extensions' ``on_parse`` hooks, if any, then the caches.

    After the hooks, so a document an extension supplies (persisted queries) wins; and every
    ``on_operation`` hook has run by then, so the parse options and validation rules they set
    (``MaxTokensLimiter``, ``AddValidationRules``, ``DisableValidation``) are honoured.
    """

    def __init__(
        self,
        extensions: list[SchemaExtension],
        cache: DocumentCache | None,
        context: ExecutionContext,
    ) -> None:
        super().__init__(extensions)
        self.cache = cache
        self.context = context

    def __enter__(self) -> None:
        super().__enter__()
        if self.cache is not None:
            self.cache.prepare(self.context)

    async def __aenter__(self) -> None:
        await super().__aenter__()
        if self.cache is not None:
            self.cache.prepare(self.context)


class _Runner(SchemaExtensionsRunner):
    """Strawberry's extension runner with the steps above."""

    def __init__(
        self,
        execution_context: ExecutionContext,
        extensions: list[SchemaExtension],
        cache: DocumentCache | None,
    ) -> None:
        super().__init__(execution_context, extensions)
        self.cache = cache

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions, self.cache, self.execution_context)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)


class DocumentCachingSchema(strawberry.Schema):
    """A ``strawberry.Schema`` that caches parsed documents and validation results.

    ``document_cache_size`` bounds each cache (entries); schemas of the same size share them.
    ``None`` turns the caches off, which only a benchmark measuring what they save should
    want (:func:`check_caching` refuses such a schema). Everything else is
    ``strawberry.Schema``'s, extensions included; the runner of extension hooks is
    Strawberry's, minus the empty exit stacks of steps that no extension hooks into.
    """

    def __init__(
        self, *args: Any, document_cache_size: int | None = CACHE_MAXSIZE, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.document_cache = (
            None if document_cache_size is None else DocumentCache.of_size(document_cache_size)
        )

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return _Runner(execution_context, extensions, self.document_cache)


def check_caching(schema: BaseSchema) -> None:
    """Refuse a schema that would re-parse and re-validate every request.

    Parsing and validation are a large share of a small query's cost; the caches are a project
    requirement, so a schema without them fails at startup rather than as a silent slowdown.
    """
    if not isinstance(schema, DocumentCachingSchema) or schema.document_cache is None:
        msg = (
            f"The GraphQL schema ({type(schema).__name__}) does not cache parsed and validated "
            "documents; build it as api.http.DocumentCachingSchema (or a subclass)."
        )
        raise ValueError(msg)
