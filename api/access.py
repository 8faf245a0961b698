"""Who is calling: every HTTP request is authenticated once, before any route runs.

A request either presents no credentials (anonymous: the viewer role, when anonymous access is
allowed) or ``Authorization: Bearer TOKEN`` with a key stored hashed in the graph store
(``partnernet keys create``, graph/keys.py) or listed in ``PARTNERNET_PRIVILEGED_KEYS`` (static
keys for automation, editor role). Anything else (an unknown, revoked or malformed key, another
scheme) is ``401`` with ``WWW-Authenticate``: a mistyped key is never served as anonymous, which
would silently show its bearer less than they think they see.

Secure by default: anonymous access is allowed on a loopback address (the local quick start)
and refused elsewhere unless ``PARTNERNET_ANONYMOUS=true`` says otherwise. The effective policy
is logged at start. Key records are kept for ``KEY_CACHE_SECONDS`` per process, so a revoked key
stops working on every replica within that time without a store round trip per request.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cachetools import TTLCache
from starlette.datastructures import QueryParams

from api.errors import ErrorCode
from api.http.negotiation import renders_graphiql
from graph import keys
from graph.errors import GraphError
from graph.keys import Role
from graph.store import authenticate

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from api.settings import Settings
    from graph.store import GraphStore

log = logging.getLogger("partnernet")

KEY_CACHE_SECONDS = 10
#: Paths served without credentials: probes, GraphiQL's assets and the dashboard's (a browser
#: cannot send a header when it loads a page; the queries GraphiQL and the dashboard then send
#: carry the key). ``OPEN_PAGES`` match exactly: ``/`` is the dashboard's page.
OPEN_PATHS = ("/healthz", "/readyz", "/graphiql/", "/dashboard/")
OPEN_PAGES = ("/",)


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller. ``role`` is ``None`` for anonymous callers, who get what a
    viewer gets; ``name`` is the key's name (or ``"anonymous"``), ``identity`` what the rate
    limit counts (the key's id, or the client address)."""

    role: Role | None
    name: str
    identity: str

    @property
    def effective_role(self) -> Role:
        return self.role or Role.VIEWER


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def anonymous_allowed(settings: Settings) -> bool:
    """The setting if given, else: only when the server listens on loopback."""
    return settings.anonymous if settings.anonymous is not None else is_loopback(settings.host)


class Unauthenticated(Exception):
    def __init__(self, message: str, *, invalid_token: bool) -> None:
        super().__init__(message)
        self.invalid_token = invalid_token


class Authenticator:
    """Resolves a request's caller from its ``Authorization`` header."""

    def __init__(self, settings: Settings) -> None:
        self.allow_anonymous = anonymous_allowed(settings)
        self._static = tuple(settings.privileged_keys)
        self._records: TTLCache[str, tuple[keys.ApiKey | None]] = TTLCache(
            maxsize=10_000, ttl=KEY_CACHE_SECONDS
        )

    def describe(self) -> str:
        """The effective access policy, for the start-up log."""
        anonymous = "allowed (viewer)" if self.allow_anonymous else "refused"
        return (
            f"access: anonymous {anonymous}; stored keys by role; "
            f"{len(self._static)} static key(s) from PARTNERNET_PRIVILEGED_KEYS (editor)"
        )

    async def caller(self, store: GraphStore, authorization: str | None, client: str) -> Caller:
        if authorization is None:
            if not self.allow_anonymous:
                raise Unauthenticated(
                    "This server requires an API key: send `Authorization: Bearer KEY`.",
                    invalid_token=False,
                )
            return Caller(None, "anonymous", f"addr:{client}")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Unsupported credentials: send `Authorization: Bearer KEY`.", invalid_token=True
            )
        token = token.strip()
        for number, static in enumerate(self._static):
            if hmac.compare_digest(token.encode(), static.encode()):
                return Caller(Role.EDITOR, "static key", f"static:{number}")
        record = await self._record(store, token)
        if record is None:
            raise Unauthenticated("Unknown, revoked or malformed API key.", invalid_token=True)
        return Caller(record.role, record.name, f"key:{record.id}")

    async def _record(self, store: GraphStore, token: str) -> keys.ApiKey | None:
        """The active key of ``token``, with records cached briefly by token (successes and
        failures alike, so a flood of one bad token costs one lookup per period)."""
        cached = self._records.get(token)
        if cached is None:
            cached = (await authenticate(store, token),)
            self._records[token] = cached
        return cached[0]


class Authentication:
    """ASGI middleware: puts the request's :class:`Caller` in ``scope["state"]["caller"]``
    or answers ``401``; a store that cannot be asked is ``503``."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"].startswith(OPEN_PATHS)
            or scope["path"] in OPEN_PAGES
            or _graphiql_page(scope)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        raw = headers.get(b"authorization")
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            caller = await self.authenticator.caller(
                scope["app"].state.store, None if raw is None else raw.decode("latin-1"), client
            )
        except Unauthenticated as err:
            challenge = 'Bearer realm="partnernet"' + (
                ', error="invalid_token"' if err.invalid_token else ""
            )
            await _answer(send, 401, ErrorCode.UNAUTHENTICATED, str(err), challenge)
            return
        except GraphError:
            await _answer(
                send,
                503,
                ErrorCode.STORE_UNAVAILABLE,
                "The graph store is unavailable; try again later.",
                None,
            )
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)


def _graphiql_page(scope: Scope) -> bool:
    """A browser loading GraphiQL (the GraphQL view answers it with the page, never executing
    anything): decided by the view's own rule, ``renders_graphiql``."""
    if scope["method"] != "GET":
        return False
    accept = dict(scope.get("headers", ())).get(b"accept")
    query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
    return renders_graphiql(
        "GET", query.get("query") is not None, None if accept is None else accept.decode("latin-1")
    )


async def _answer(
    send: Send, status: int, code: ErrorCode, message: str, challenge: str | None
) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code.value}}]})
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if challenge is not None:
        headers.append((b"www-authenticate", challenge.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})
