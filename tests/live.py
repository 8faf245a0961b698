"""Run an ASGI app under a real uvicorn on 127.0.0.1 for tests that must speak real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on an ephemeral loopback port in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it. Without it each keep-alive request waits ~40 ms for the
    # client's delayed ACK (Nagle): asyncio sets TCP_NODELAY only on sockets it creates itself.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # ws="none": no websocket tests, and it keeps websocket libraries' warnings out (-W error).
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn exited during startup (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 30 s")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


_clients: dict[str, httpx.Client] = {}


def client_for(base_url: str) -> httpx.Client:
    """A keep-alive client for ``base_url``, shared by the session: making an ``httpx.Client``
    (its TLS context) costs tens of milliseconds, more than most requests. Closed at the end of
    the session by :func:`close_clients`."""
    client = _clients.get(base_url)
    if client is None:
        client = _clients[base_url] = httpx.Client(base_url=base_url, timeout=60)
    return client


def close_clients() -> None:
    while _clients:
        _clients.popitem()[1].close()
