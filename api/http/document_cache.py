"""Parse and validation caches built into the schema, both keyed on the query text, and the
request guard's place in the pipeline.

Why in a ``strawberry.Schema`` subclass and not as schema extensions (Strawberry's
``ParserCache`` and ``ValidationCache``): every hook an extension defines costs every request a
fresh context manager, about 25 us measured, as much as the rest of Strawberry's own work
around a small query (bench/api_overhead.py). Here the caches are consulted at Strawberry's
parse step by the schema's own extension runner, with no hook; the runner also skips the
empty exit stacks Strawberry builds for steps no extension hooks into.

Both caches are LRUs bounded in bytes, not entries (a parsed document takes about a hundred
times its text, so an entry bound lets a few large documents hold gigabytes), and they keep
only documents that parsed and validated: an attacker's stream of distinct invalid documents
leaves nothing behind. They are shared process-wide per size: a cache hit on one schema's text
is only a hit for the same GraphQL schema and rules, since those are part of the validation
key. The parse cache is also reachable without a schema (:func:`parse_document`), so code
outside the schema that needs a request's document (the coverage response cache) reuses the
request's own parse.

A request whose context carries a ``guard`` (:class:`RequestGuard`) has it set the parse
options and validation rules before parsing (token and shape limits), and admit the operation
after validation, before any resolver runs (cost and rate limits).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Collection, Hashable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import strawberry
from cachetools import LRUCache
from graphql import GraphQLError, Source, parse, validate
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

if TYPE_CHECKING:
    from types import TracebackType

    from graphql import DocumentNode
    from strawberry.extensions import SchemaExtension
    from strawberry.schema import BaseSchema
    from strawberry.types import ExecutionContext

#: Bytes of parsed documents (and of validated query texts) each cache may hold.
CACHE_MAXSIZE = 64 * 1024 * 1024
#: What one character of query text costs once parsed: measured with tracemalloc on a document
#: of aliased connections (about 120 bytes of AST per character), rounded up.
AST_BYTES_PER_CHAR = 128
#: Validation stops after this many errors (graphql-core's own default), so a pathologically
#: invalid document costs bounded work.
MAX_VALIDATION_ERRORS = 100
#: The share of the cache size that remembers texts that did not parse.
UNPARSABLE_SHARE = 16
#: Rules Strawberry adds to every validation (``strawberry.schema.schema.validate_document``).
STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


class CacheInfo(NamedTuple):
    """Counters of one cache, like ``functools.lru_cache``'s ``cache_info()``; sizes in
    bytes."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class DocumentCacheInfo(NamedTuple):
    """Counters of the two caches of one size."""

    parse: CacheInfo
    validation: CacheInfo


class RequestGuard(Protocol):
    """What a request context's ``guard`` attribute provides (api/guard implements it)."""

    #: Whether validation errors may suggest names ("Did you mean ...?").
    suggestions: bool

    def prepare(self, context: ExecutionContext) -> None:
        """Set the request's parse options and validation rules, before parsing."""

    async def admit(self, context: ExecutionContext) -> list[GraphQLError] | None:
        """Errors refusing the validated operation before it runs, or ``None`` to run it."""

    async def refuse(self) -> list[GraphQLError] | None:
        """Account for a request refused at parsing or validation; errors to report instead
        (the caller's budget is spent), or ``None``."""

    async def gate(self) -> list[GraphQLError] | None:
        """Errors refusing the request before it is even parsed (the caller's budget is already
        spent), or ``None``."""

    async def replay(self, cost: int) -> list[GraphQLError] | None:
        """Charge a repeat answered from a response cache at its first execution's ``cost``;
        errors to answer instead (the caller's budget is spent), or ``None``."""


class _WeightedLru:
    """A thread-safe LRU map bounded by the total weight of its entries (cachetools'
    ``LRUCache`` with ``getsizeof``), with hit and miss counters."""

    def __init__(self, maxsize: int, weigh: Any) -> None:
        self._entries: LRUCache[Hashable, Any] = LRUCache(maxsize=maxsize, getsizeof=weigh)
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self._misses += 1
            else:
                self._hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            if self._entries.getsizeof(value) <= self._entries.maxsize:
                self._entries[key] = value

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(
                self._hits,
                self._misses,
                int(self._entries.maxsize),
                int(self._entries.currsize),
            )


class _Parsed(NamedTuple):
    query: str
    document: DocumentNode


class _Unparsable(NamedTuple):
    """What is kept of a text that did not parse: the error's message and positions, not a
    document (there is none) nor the error object (raising one object again and again would
    grow its traceback)."""

    query: str
    message: str
    positions: Collection[int] | None

    def error(self) -> GraphQLError:
        return GraphQLError(self.message, source=Source(self.query), positions=self.positions)


class DocumentCache:
    """The parse and validation caches of one size in bytes (one per size per process: see
    :meth:`of_size`).

    Parsing: graphql-core's ``parse``, keyed on the query text and the parse options. Entries
    weigh ``AST_BYTES_PER_CHAR`` per character of text.

    Validation: Strawberry's ``ValidationCache`` puts ``validate_document`` behind
    ``functools.lru_cache``, so its key holds the ``DocumentNode``: AST nodes are frozen
    dataclasses, hashed field by field through the whole tree on every request (about 15 us for
    a small query with a fragment). The key here is (GraphQL schema, query text, validation
    rules, whether errors suggest names): a ``str`` caches its hash and the rest hash by
    identity. Only documents that validate are kept (as the fact that they do); the text
    determines the document, so the answer is the same.
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            msg = f"maxsize must be at least 1, got {maxsize}"
            raise ValueError(msg)
        self.maxsize = maxsize
        self._parsed = _WeightedLru(maxsize, lambda p: AST_BYTES_PER_CHAR * len(p.query))
        self._valid = _WeightedLru(maxsize, lambda key: len(key[1]))
        self._unparsable = _WeightedLru(
            max(1, maxsize // UNPARSABLE_SHARE), lambda u: len(u.query) + len(u.message)
        )

    @staticmethod
    @functools.cache
    def of_size(maxsize: int) -> DocumentCache:
        """The process-wide cache of ``maxsize`` bytes (each of parsing and validation)."""
        return DocumentCache(maxsize)

    def parse(self, query: str, **options: Any) -> DocumentNode:
        """The document of ``query`` (cached); raises ``GraphQLError`` on a syntax error or
        when a parse option's limit is reached. A text that fails keeps no document; its error
        is remembered (in a cache of a sixteenth of the size), so the several parses of one
        request, and a client repeating it, pay for one parse."""
        key = (query, *sorted(options.items())) if options else query
        parsed = self._parsed.get(key)
        if parsed is not None:
            return parsed.document
        failed = self._unparsable.get(key)
        if failed is not None:
            raise failed.error()
        try:
            document = parse(query, **options)
        except GraphQLError as err:
            self._unparsable.put(key, _Unparsable(query, err.message, err.positions))
            raise
        self._parsed.put(key, _Parsed(query, document))
        return document

    def forget(self, query: str, **options: Any) -> None:
        """Drop the parse of ``query``, a document that did not validate."""
        self._parsed.discard((query, *sorted(options.items())) if options else query)

    def prepare(self, context: ExecutionContext) -> None:
        """Give the request its document and validation errors from the caches, so that
        Strawberry skips its own parse (the document is set) and validation
        (``pre_execution_errors`` is set), then reports the errors as if it had found them.

        The request's guard, if any, first sets the parse options and rules. A text that does
        not parse raises its ``GraphQLError``. A document set by an extension, or errors
        already set, are left alone; no validation rules (Strawberry's ``DisableValidation``)
        means no validation, as in Strawberry.
        """
        query = context.query
        if query is None or context.graphql_document is not None:
            return
        guard: RequestGuard | None = getattr(context.context, "guard", None)
        if guard is not None:
            guard.prepare(context)
        options = context.parse_options
        # A syntax error propagates: raised from the parse step, Strawberry reports it as a
        # request error exactly as when its own parse fails, without parsing again.
        context.graphql_document = document = self.parse(query, **options)
        rules = context.validation_rules
        if not rules or context.pre_execution_errors is not None:
            return
        gql_schema = context.schema._schema
        suggest = (
            guard.suggestions
            if guard is not None
            else not context.schema.config.disable_field_suggestions
        )
        key = (gql_schema, query, rules, suggest)
        if self._valid.get(key) is not None:
            context.pre_execution_errors = []
            return
        errors = validate(
            gql_schema,
            document,
            (*rules, *STRAWBERRY_RULES),
            max_errors=MAX_VALIDATION_ERRORS,
            hide_suggestions=not suggest,
        )
        if errors:
            self.forget(query, **options)
        else:
            self._valid.put(key, key)
        context.pre_execution_errors = errors

    def info(self) -> DocumentCacheInfo:
        """Hits, misses and sizes (bytes) of both caches."""
        return DocumentCacheInfo(self._parsed.info(), self._valid.info())


def parse_document(query: str, **options: Any) -> DocumentNode:
    """The parsed document of ``query`` from the cache of the default size, the one the
    schemas fill; pass the request's parse options (its guard's limits), as the schema parses
    with them. Raises ``GraphQLError`` on a syntax error or a limit, like ``graphql.parse``.
    The document is shared: do not modify it."""
    return DocumentCache.of_size(CACHE_MAXSIZE).parse(query, **options)


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
    """The validation step: after the extensions' hooks, a validated operation is put to the
    request's guard, whose refusal Strawberry then reports as it would validation errors
    (nothing executes); an invalid one is charged as a refusal. An admitted one is then
    handed to the context's ``before_execution``, if it has one (``knownAt``: api/history).
    Only on the async path: HTTP requests execute asynchronously, and ``execute_sync`` is for
    tools and tests, which have no guard."""

    def __init__(self, extensions: list[SchemaExtension], context: ExecutionContext) -> None:
        super().__init__(extensions)
        self.context = context

    async def __aenter__(self) -> None:
        await super().__aenter__()
        context = self.context
        guard: RequestGuard | None = getattr(context.context, "guard", None)
        if guard is not None:
            if context.pre_execution_errors:
                refused = await guard.refuse()
            else:
                refused = await guard.admit(context)
            if refused:
                context.pre_execution_errors = refused
        before = getattr(context.context, "before_execution", None)
        if before is not None and not context.pre_execution_errors:
            refused = await before(context)
            if refused:
                context.pre_execution_errors = refused


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
        if self.cache is None:
            return
        guard: RequestGuard | None = getattr(self.context.context, "guard", None)
        if guard is not None and (spent := await guard.gate()):
            raise spent[0]  # a caller out of budget does not get its document parsed
        try:
            self.cache.prepare(self.context)
        except GraphQLError:
            refused = await guard.refuse() if guard is not None else None
            if refused:
                raise refused[0] from None
            raise


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
        return _Validation(self.extensions, self.execution_context)

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
