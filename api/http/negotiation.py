"""Response media type negotiation for GraphQL over HTTP.

Why this exists: Strawberry always answers ``application/json``. The GraphQL
over HTTP specification adds ``application/graphql-response+json``, whose
status codes carry meaning (400 for a request that was never executed), and
asks servers to pick between the two from the ``Accept`` header. Only a
client that names the new type explicitly gets it; ``*/*``, ``application/*``
and a missing header mean ``application/json``, which every legacy client
understands.
"""

from __future__ import annotations

APPLICATION_JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

SUPPORTED_MEDIA_TYPES = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    """Split an Accept header into ``(media range, q)`` pairs.

    Ranges that ask for a charset other than UTF-8 are dropped: UTF-8 is the
    only encoding the server writes.
    """
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        q = 1.0
        usable = True
        for param in params:
            name, _, value = param.partition("=")
            name = name.strip().lower()
            value = value.strip().strip('"')
            if name == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif name == "charset" and value.lower() not in ("utf-8", "utf8"):
                usable = False
        if usable:
            ranges.append((media_range.lower(), q))
    return ranges


def _match(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """Return ``(q, specificity)`` of the most specific range matching ``media_type``.

    Specificity is 2 for an exact match, 1 for ``type/*`` and 0 for ``*/*``
    (RFC 9110, section 12.5.1: the most specific range decides the quality).
    """
    main_type = media_type.split("/", 1)[0]
    best: tuple[float, int] | None = None
    for media_range, q in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{main_type}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (q, specificity)
    return best if best is not None else (0.0, -1)


def negotiate_media_type(accept: str | None) -> str:
    """Pick the response media type for a request's ``Accept`` header.

    - No header (or an empty one): ``application/json`` (spec: SHOULD treat the
      request as if it accepted ``application/json``).
    - The highest quality wins; on a tie the more specific match wins, and
      among two exact matches ``application/graphql-response+json`` wins, as
      the spec recommends for clients that accept both.
    - A wildcard alone (``*/*``, ``application/*``) gives ``application/json``.
    - Nothing acceptable: the spec allows disregarding ``Accept`` instead of
      answering 406, which keeps curl-style and misconfigured clients working.
    """
    if not accept or not accept.strip():
        return APPLICATION_JSON
    ranges = _parse_accept(accept)

    def preference(media_type: str) -> tuple[float, int, bool]:
        q, specificity = _match(media_type, ranges)
        explicit_new_type = media_type == GRAPHQL_RESPONSE_JSON and specificity == 2
        wildcard_legacy = media_type == APPLICATION_JSON and specificity < 2
        return q, specificity, explicit_new_type or wildcard_legacy

    best = max(SUPPORTED_MEDIA_TYPES, key=preference)
    if preference(best)[0] <= 0:
        return APPLICATION_JSON
    return best


def accepts_html(accept: str | None) -> bool:
    """Whether the client explicitly accepts ``text/html`` (a browser page load).

    Only an explicit ``text/html`` counts: ``*/*`` (curl, fetch) must still
    reach the GraphQL handler rather than get an HTML page.
    """
    if not accept:
        return False
    return any(media_range == "text/html" and q > 0 for media_range, q in _parse_accept(accept))


def prefers_html(accept: str | None) -> bool:
    """Whether the client wants ``text/html`` more than any JSON answer: a browser navigating
    (``text/html,...,*/*;q=0.8``), not a script that also lists HTML.

    Decides whether ``GET /graphql?query=...`` opens GraphiQL with that query (a link from the
    dashboard) or executes it: only a strictly higher quality for an explicit ``text/html``
    than for either GraphQL media type opens the page.
    """
    if not accept:
        return False
    ranges = _parse_accept(accept)
    html = max((q for media_range, q in ranges if media_range == "text/html"), default=0.0)
    if html <= 0:
        return False
    return all(_match(media_type, ranges)[0] < html for media_type in SUPPORTED_MEDIA_TYPES)


def renders_graphiql(method: str, has_query: bool, accept: str | None) -> bool:
    """Whether a request to the GraphQL endpoint is a browser loading GraphiQL (never executed).

    A ``GET`` that explicitly accepts HTML and has no ``query``; or a ``GET`` with a ``query``
    from a client that prefers HTML to JSON (GraphiQL then opens with that query). The
    authentication middleware and the view decide with this one function, so a request let
    through without credentials as a page load is always answered with the page.
    """
    if method != "GET":
        return False
    return prefers_html(accept) if has_query else accepts_html(accept)
