"""``userErrors``: how every mutation of every area reports refused input.

Expected failures (bad values, missing references, conflicts, not being allowed) are data in
the payload, not top-level errors, so a client handles them next to the result and can point
at the offending input field. One type for every area, so clients handle them one way.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Why a mutation refused its input.")
class UserErrorCode(Enum):
    INVALID = strawberry.enum_value("INVALID", description="A value breaks a model rule.")
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND", description="A referenced node or relationship does not exist."
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT", description="The input contradicts what is stored (e.g. the key exists)."
    )
    INTEGRITY = strawberry.enum_value(
        "INTEGRITY",
        description="A graph-wide rule would break (results-chain cycle, shares above 1).",
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN", description="Only staff (privileged callers) may change the graph."
    )


@strawberry.type(description="A problem with a mutation's input; nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "since"]; null when '
        "the problem is not one field's."
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: UserErrorCode = strawberry.field(description="What is wrong, for programs.")
