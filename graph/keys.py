"""API keys: roles, the key record, and making, hashing, parsing and checking keys.

Pure domain code with no I/O; the stores keep :class:`ApiKey` records
(``GraphStore.create_key`` / ``get_key`` / ``list_keys`` / ``revoke_key``) and
:func:`graph.store.authenticate` ties the two together for a presented bearer token.

**The token.** A key is shown once, when it is made, as ``pn_<id>_<secret>``:

- ``pn_``: a fixed prefix, so a key is recognisable in a config file or a secret scanner;
- ``<id>``: 16 lowercase hex characters (64 random bits), the record's primary key. It is not
  secret; it lets the server fetch the one record to check by its indexed id instead of hashing
  the token against every stored key, and it is what ``partnernet keys list`` shows;
- ``<secret>``: ``secrets.token_urlsafe(32)``, 43 URL-safe base64 characters holding 256 random
  bits from the operating system's CSPRNG. Only a hash of it is ever stored.

A token therefore always has exactly :data:`TOKEN_LENGTH` (63) characters; the secret may itself
contain ``_`` and ``-``, which is why :func:`parse_presented` splits by position, not by ``_``.

**The hash: a fast keyed hash, on purpose.** Stored hashes are
``hmac-sha256$<64 hex>``: HMAC-SHA-256 of the secret. Slow password hashes (argon2, scrypt,
bcrypt) exist because people choose *guessable* passwords: an attacker holding the hashes tries
likely passwords, and a slow hash makes each guess expensive. Our secrets are not chosen by a
person; they are 256 uniformly random bits, so there is nothing to guess: inverting even a fast
hash means searching 2**256 candidates, far beyond any hardware, and a slow hash could not make
that any safer. It would only make every authenticated request pay tens of milliseconds of CPU
and memory, which an attacker could also trigger with junk tokens (a denial of service). The
HMAC key is a fixed, public domain-separation label (:data:`_HMAC_LABEL`), not a pepper: it makes
these hashes useless for anything but this check. The ``hmac-sha256$`` prefix names the scheme,
so a later scheme (for example with a server-side pepper) can be added beside it.

**Comparison** is in constant time (:func:`hmac.compare_digest`), and :func:`check` hashes a
dummy value when no record exists, so a caller's timing does not tell a wrong secret from an
unknown id either.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Final, NamedTuple

from graph.errors import Conflict, ValidationError

PREFIX: Final = "pn_"
ID_LENGTH: Final = 16
SECRET_LENGTH: Final = 43  # len(secrets.token_urlsafe(32))
TOKEN_LENGTH: Final = len(PREFIX) + ID_LENGTH + 1 + SECRET_LENGTH
NAME_MAX_LENGTH: Final = 100

_ID: Final = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
_TOKEN: Final = re.compile(rf"{PREFIX}([0-9a-f]{{{ID_LENGTH}}})_([A-Za-z0-9_-]{{{SECRET_LENGTH}}})")
_SCHEME: Final = "hmac-sha256$"
_HASH: Final = re.compile(rf"{re.escape(_SCHEME)}[0-9a-f]{{64}}")
_HMAC_LABEL: Final = b"partnernet api key v1"


class Role(Enum):
    """What a key's bearer may do; each role includes everything of the roles before it, and
    roles compare in that order (``Role.VIEWER < Role.ADMIN``).

    - ``VIEWER``: public aggregates and non-restricted actors;
    - ``ANALYST``: also restricted actors;
    - ``EDITOR``: also mutations and imports;
    - ``ADMIN``: everything, including managing keys.

    The value (``"viewer"`` ...) is what the stores keep and the CLI accepts.
    """

    VIEWER = "viewer"
    ANALYST = "analyst"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from its name in any case (``admin``, ``ADMIN``); a clear
        :class:`ValidationError` otherwise."""
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            choices = ", ".join(r.value for r in cls)
            raise ValidationError(
                f"unknown role {text!r}; expected one of {choices}", field="role"
            ) from None

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank >= other.rank


_RANK: Final = {role: rank for rank, role in enumerate(Role)}


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One stored key. Never holds the secret: only its hash, which ``repr`` leaves out too.

    Times are timezone-aware UTC datetimes. A revoked key keeps its record (``revoked_at`` set)
    so ``partnernet keys list`` can show it and its name can be reused by a new key.
    """

    id: str
    name: str
    role: Role
    secret_hash: str = field(repr=False)
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class NewSecret(NamedTuple):
    """A freshly made key: ``token`` (``pn_<key_id>_<secret>``) is what the bearer presents."""

    key_id: str
    secret: str
    token: str


def new_secret() -> NewSecret:
    """A new random key id and secret, and the token made of them."""
    key_id = secrets.token_hex(ID_LENGTH // 2)
    secret = secrets.token_urlsafe(32)
    assert len(secret) == SECRET_LENGTH
    return NewSecret(key_id, secret, f"{PREFIX}{key_id}_{secret}")


def hash_secret(secret: str) -> str:
    """The stored form of a secret: ``hmac-sha256$`` + HMAC-SHA-256 hex digest (see the module
    docstring for why a fast hash is right for random 256-bit secrets)."""
    data = secret.encode("utf-8", "surrogatepass")
    return _SCHEME + hmac.new(_HMAC_LABEL, data, hashlib.sha256).hexdigest()


#: Compared against when no record exists, so that path costs the same as a wrong secret.
_DUMMY_HASH: Final = hash_secret("no such key")


def verify(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, compared in constant time. An unknown
    hash scheme never matches."""
    presented = hash_secret(secret).encode("ascii")
    return hmac.compare_digest(presented, stored_hash.encode("utf-8", "replace"))


def parse_presented(token: object) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a well-formed token, else ``None`` (never raises): anything that
    is not a string of exactly ``pn_`` + 16 lowercase hex + ``_`` + 43 URL-safe base64
    characters. The caller strips the ``Bearer `` scheme; surrounding whitespace is rejected."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    found = _TOKEN.fullmatch(token)
    if found is None:
        return None
    return found.group(1), found.group(2)


def check(record: ApiKey | None, secret: str) -> ApiKey | None:
    """The record if it is active and ``secret`` is its secret, else ``None``. Costs one hash
    and one constant-time comparison whatever the outcome (a missing or revoked record is
    compared against a dummy hash), so timing does not tell the cases apart."""
    stored = record.secret_hash if record is not None else _DUMMY_HASH
    matches = verify(secret, stored)
    if record is None or not matches or not record.active:
        return None
    return record


# --------------------------------------------------------------------------- making records


def validate_name(name: str) -> str:
    """A key name, stripped: 1 to 100 printable characters, no control or format characters
    (names are printed in terminals), and not shaped like a key id (``keys revoke`` takes
    either, so the two must never be confused). Raises :class:`ValidationError`."""
    if not isinstance(name, str):
        raise ValidationError("must be a string", field="name")
    clean = name.strip()
    if not clean:
        raise ValidationError("must not be empty", field="name")
    if len(clean) > NAME_MAX_LENGTH:
        raise ValidationError(f"is longer than {NAME_MAX_LENGTH} characters", field="name")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in clean):
        raise ValidationError("must not contain control or invisible characters", field="name")
    if is_key_id(clean):
        raise ValidationError(
            f"must not look like a key id ({ID_LENGTH} hex characters)", field="name"
        )
    return clean


def is_key_id(text: str) -> bool:
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is refused (it would be ambiguous once stored)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError("must be timezone-aware", field="at")
    return moment.astimezone(UTC)


def check_new(record: ApiKey) -> None:
    """What a store checks before storing a new record: id shape, name rules, a hash of a
    known scheme, aware times, and not already revoked."""
    if not is_key_id(record.id):
        raise ValidationError(f"must be {ID_LENGTH} lowercase hex characters", field="id")
    if validate_name(record.name) != record.name:
        raise ValidationError("must not start or end with whitespace", field="name")
    if not isinstance(record.role, Role):
        raise ValidationError("must be a Role", field="role")
    if not isinstance(record.secret_hash, str) or not _HASH.fullmatch(record.secret_hash):
        raise ValidationError("is not a hash made by hash_secret()", field="secret_hash")
    utc(record.created_at)
    if record.revoked_at is not None:
        raise ValidationError("a new key cannot be revoked already", field="revoked_at")


def id_taken(key_id: str) -> Conflict:
    """The error of a store asked to create a key whose id exists."""
    return Conflict(f"an API key with id {key_id!r} already exists", field="id")


def name_taken(name: str) -> Conflict:
    """The error of a store asked to create a key named like an active one."""
    return Conflict(
        f"an active API key is already named {name!r}; revoke it first or choose another name",
        field="name",
    )


def issue(name: str, role: Role, *, now: datetime | None = None) -> tuple[str, ApiKey]:
    """A new key: ``(token, record)``. Show the token once; store only the record."""
    made = new_secret()
    created = utc(now) if now is not None else datetime.now(UTC).replace(microsecond=0)
    record = ApiKey(made.key_id, validate_name(name), role, hash_secret(made.secret), created)
    return made.token, record


# --------------------------------------------------------------------------- stored form


def to_text(moment: datetime) -> str:
    """How both stores keep a time: ISO 8601 in UTC (``2025-06-02T09:14:05+00:00``), which
    sorts as text in time order."""
    return utc(moment).isoformat()


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def to_row(record: ApiKey) -> dict[str, str | None]:
    """The stored properties of a record (SQLite columns, Neo4j node properties)."""
    return {
        "id": record.id,
        "name": record.name,
        "role": record.role.value,
        "hash": record.secret_hash,
        "created_at": to_text(record.created_at),
        "revoked_at": None if record.revoked_at is None else to_text(record.revoked_at),
    }


def from_row(
    key_id: str, name: str, role: str, secret_hash: str, created_at: str, revoked_at: str | None
) -> ApiKey:
    return ApiKey(
        key_id,
        name,
        Role(role),
        secret_hash,
        from_text(created_at),
        None if revoked_at is None else from_text(revoked_at),
    )


def listing_order(record: ApiKey) -> tuple[datetime, str]:
    """The order of ``list_keys`` on both stores: oldest first, then by id."""
    return record.created_at, record.id
