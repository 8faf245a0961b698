"""Secrets out of everything the Neo4j store says: the password, and one written into
``NEO4J_URI``, never reach a message, a log line or a ``repr``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from neo4j import exceptions as nx4j

MASK = "**********"


class Redacted:
    """Holds secrets for redaction only; its repr never shows them."""

    __slots__ = ("_values",)

    def __init__(self, *values: str | None) -> None:
        self._values = [v for v in values if v]

    def __repr__(self) -> str:
        return f"Redacted({MASK!r})"

    def scrub(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return text


def uri_password(uri: str) -> str | None:
    try:
        return urlsplit(uri).password
    except ValueError:
        return None


def public_uri(uri: str) -> str:
    """The URI without any user:password@ part, fit for messages and logs."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid NEO4J_URI>"
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def one_line(err: BaseException, secret: Redacted) -> str:
    """A driver error's reason as one short line for a person, without the secrets."""
    text = err.message if isinstance(err, nx4j.Neo4jError) and err.message else str(err)
    if found := re.search(r"\(reason (.*)\)", text, flags=re.DOTALL):
        text = found.group(1)
    text = " ".join(secret.scrub(text).split())
    return text[:300] or type(err).__name__
