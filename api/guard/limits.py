"""The numbers that bound one request, in one frozen object.

A request is refused before it runs when it is larger than these (body, tokens, depth, aliases,
directives, cost) and stopped when it runs longer than the deadline; what a caller may spend over
time is the rate. They are settings (``api/settings.py``) with production defaults, documented
with the cost model in docs/SECURITY.md; the object is frozen and hashable so validation rules
and caches can be keyed on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItem, parse


@dataclass(frozen=True, slots=True)
class Limits:
    #: Bytes of request body read before answering 413 (GraphQL documents and variables).
    max_body_bytes: int = 100_000
    #: Bytes of a data file (and its mapping) sent to ``POST /imports`` by an editor: a route
    #: of its own, since a 3W sheet or an IATI file is far larger than any query. Larger
    #: files go through ``partnernet import``, which streams them.
    max_upload_bytes: int = 20_000_000
    #: Lexical tokens of a document; past it the parser stops, so a flood is never parsed.
    max_tokens: int = 5_000
    #: Nesting of fields in an operation, fragments expanded (introspection has its own rule).
    max_depth: int = 15
    #: Aliased fields in an operation, fragments expanded as often as they are spread.
    max_aliases: int = 50
    #: Directives in an operation, fragments expanded.
    max_directives: int = 50
    #: Cost points of one operation (docs/SECURITY.md, "Cost model").
    max_cost: int = 25_000
    #: Seconds a request may run; then it is cancelled and answered 503 DEADLINE_EXCEEDED.
    deadline_seconds: float = 30.0
    #: Cost points a caller (key, or client address when anonymous) may spend per window,
    #: in the ``limits`` notation ("60000/minute"); empty turns rate limiting off.
    rate: str = "60000/minute"
    #: Whether ``__schema`` / ``__type`` may be queried (GraphiQL needs it).
    introspection: bool = True
    #: Whether validation errors suggest field, argument and type names ("Did you mean").
    suggestions: bool = False

    def __post_init__(self) -> None:
        for name in (
            "max_body_bytes",
            "max_upload_bytes",
            "max_tokens",
            "max_depth",
            "max_aliases",
            "max_directives",
            "max_cost",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.deadline_seconds > 0:
            raise ValueError(f"deadline_seconds must be positive, got {self.deadline_seconds}")
        self.rate_item()  # a malformed rate fails at startup, not on the first request

    def rate_item(self) -> RateLimitItem | None:
        """The rate as a ``limits`` item, or ``None`` when rate limiting is off."""
        if not self.rate.strip():
            return None
        try:
            return parse(self.rate)
        except ValueError as err:
            raise ValueError(
                f"rate must look like '60000/minute' (cost points per window), got {self.rate!r}"
            ) from err
