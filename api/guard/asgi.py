"""ASGI middleware bounding every HTTP request in size and time, and stopping it when the
client goes away.

- **Body size**: a declared ``Content-Length`` over the limit is answered ``413`` before any of
  the body is read; an undeclared (chunked) body is counted while it is read and refused the
  moment it passes the limit, so a 100 MB body never sits in memory.
- **Deadline**: the request runs under ``asyncio.timeout``; when it passes, the handler is
  cancelled (its resolvers stop, nothing half-computed is cached, because every cache here
  stores only finished results) and, if nothing was sent yet, the client gets ``503`` with code
  ``DEADLINE_EXCEEDED``. Work handed to threads cannot be interrupted; it is bounded by its
  work budget before it starts (docs/SECURITY.md).
- **Disconnect**: once the body is read, a watcher waits for ``http.disconnect``; a client that
  leaves cancels its request instead of leaving it to run.

Why middleware and not the GraphQL view: the exports and every future route get the same
bounds, and the bounds hold before any framework code reads the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from api.errors import ErrorCode

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from .limits import Limits


#: Routes that take data files, bounded by ``Limits.max_upload_bytes`` instead of
#: ``max_body_bytes`` (api/imports).
UPLOAD_PATHS = frozenset({"/imports"})


class _BodyTooLarge(BaseException):
    """Raised from ``receive`` when the body passes the limit. A ``BaseException``, so that
    handlers' ``except Exception`` (which would answer 500) let it through to the middleware."""


def _error(status: int, code: ErrorCode, message: str, **extensions: Any) -> tuple[dict, bytes]:
    body = json.dumps(
        {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}
    ).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, body


class RequestBounds:
    """Wrap ``app`` so that each HTTP request obeys ``limits()``' body size and deadline and
    ends when its client disconnects. ``limits`` is called once per request, so a settings
    change (or a per-caller choice, later) needs no new middleware."""

    def __init__(self, app: ASGIApp, limits: Callable[[], Limits]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits()
        bound = limits.max_upload_bytes if scope["path"] in UPLOAD_PATHS else limits.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > bound:
            await _send_too_large(send, bound)
            return
        await _Request(self.app, limits, bound, scope, receive, send).run()


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_too_large(send: Send, limit: int) -> None:
    start, body = _error(
        413,
        ErrorCode.BAD_USER_INPUT,
        f"The request body is larger than {limit:,} bytes.",
        limit=limit,
    )
    await send(start)
    await send({"type": "http.response.body", "body": body})


class _Request:
    """One request's run: counted body, deadline, disconnect watcher."""

    def __init__(
        self, app: ASGIApp, limits: Limits, bound: int, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.app, self.limits, self.bound, self.scope = app, limits, bound, scope
        self._receive, self._send = receive, send
        self.received = 0
        self.body_done = False
        self.started = self.finished = False
        self.gone = asyncio.Event()
        self.watcher: asyncio.Task[None] | None = None
        self.task = asyncio.current_task()

    async def receive(self) -> Message:
        if self.body_done:  # the app asks again: only a disconnect can come
            await self.gone.wait()
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.bound:
                raise _BodyTooLarge
            if not message.get("more_body", False):
                self.body_done = True
                self.watcher = asyncio.create_task(self._watch())
        elif message["type"] == "http.disconnect":
            self.gone.set()
        return message

    async def _watch(self) -> None:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.gone.set()
                if self.task is not None and not self.finished:
                    self.task.cancel()
                return

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            self.finished = True  # what runs after (background tasks) is not the client's
        await self._send(message)

    async def run(self) -> None:
        try:
            async with asyncio.timeout(self.limits.deadline_seconds):
                await self.app(self.scope, self.receive, self.send)
        except _BodyTooLarge:
            if not self.started:
                await _send_too_large(self._send, self.bound)
        except TimeoutError:
            if not self.started:
                start, body = _error(
                    503,
                    ErrorCode.DEADLINE_EXCEEDED,
                    f"The request ran longer than {self.limits.deadline_seconds:g} s and was "
                    "stopped; ask for less, or retry when the server is less busy.",
                    deadline=self.limits.deadline_seconds,
                )
                await self._send(start)
                await self._send({"type": "http.response.body", "body": body})
        except asyncio.CancelledError:
            if not self.gone.is_set() or self.task is None:
                raise
            self.task.uncancel()  # the client left: nobody to answer, nothing to propagate
        finally:
            if self.watcher is not None:
                self.watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self.watcher
