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
        "FORBIDDEN",
        description="The caller's role may not do this: only staff (privileged callers) may "
        "change the graph, only analysts and above start analysis jobs.",
    )
    TOO_MANY_JOBS = strawberry.enum_value(
        "TOO_MANY_JOBS",
        description="An analysis job limit is reached (the caller's, or the server's queue); "
        "the message says which. Try again when a job has finished.",
    )
    JOB_LOST = strawberry.enum_value(
        "JOB_LOST",
        description="The analysis job belonged to an earlier run of the server (restarted since, "
        "or another replica): jobs live in memory only. Start it again.",
    )


@strawberry.type(description="A problem with a mutation's input; nothing was written.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "since"]; null when '
        "the problem is not one field's."
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: UserErrorCode = strawberry.field(description="What is wrong, for programs.")
