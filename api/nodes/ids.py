"""Global ids: opaque, base64-encoded ``kind:key`` strings that name any node."""

from __future__ import annotations

import base64
import binascii

from graph.model import NodeKind


def to_global_id(kind: NodeKind, key: str) -> str:
    """Opaque id: clients must not build ids, so one API can later serve several graphs."""
    return base64.urlsafe_b64encode(f"{kind.value}:{key}".encode()).decode()


#: What every global id starts with: the base64 of its kind's name (whole 3-byte groups only,
#: which encode the same whatever follows). Raw keys rarely do, so they skip the decode and
#: its exception.
_GID_PREFIXES = tuple(
    base64.urlsafe_b64encode(k.value.encode()[: len(k.value) // 3 * 3]).decode() for k in NodeKind
)


def decode_global_id(gid: str) -> str:
    """The graph id behind a global id; a raw graph id passes through (handy in GraphiQL)."""
    if not gid.startswith(_GID_PREFIXES):
        return gid
    try:
        kind, _, raw = base64.urlsafe_b64decode(gid.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return gid
    return raw if kind in NodeKind._value2member_map_ and raw else gid
