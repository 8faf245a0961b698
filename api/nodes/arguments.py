"""Field arguments shared by every paged or relationship field: page size and cursor, and the
relationship filters (validity date, role)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from api.core.paging import DEFAULT_PAGE, MAX_PAGE
from api.nodes.enums import RoleEnum

FirstArg = Annotated[
    int, strawberry.argument(description=f"Page size, 1 to {MAX_PAGE} (default {DEFAULT_PAGE}).")
]
AfterArg = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (from `pageInfo`)."),
]
AsOfArg = Annotated[
    dt.date | None,
    strawberry.argument(
        description="Only relationships valid on this date; omitted: all, ended ones included."
    ),
]
RoleArg = Annotated[
    RoleEnum | None, strawberry.argument(description="Only relationships with this role.")
]
