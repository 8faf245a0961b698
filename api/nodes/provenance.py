"""Where a record came from: the import that last created or changed it (graph/exchange).

Shown to analysts and above only: a file name or an XPath can say who supplied the data,
which is itself sensitive for restricted partners, and viewers have no use for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import strawberry

from api.policy import Policy


@strawberry.type(description="The import that last created or changed a record.")
class Provenance:
    imported_from: str = strawberry.field(description="The file or publisher imported.")
    imported_where: str | None = strawberry.field(
        description="Where in it: FILE:LINE, a sheet's row, or a line and an XPath."
    )
    imported_at: dt.datetime | None = strawberry.field(description="When the import ran (UTC).")


PROVENANCE_DESCRIPTION = (
    "The import that last created or changed this record; null for records not imported from "
    "a file, and for callers without the analyst role."
)


def provenance_of(policy: Policy, props: Mapping[str, Any]) -> Provenance | None:
    source = props.get("imported_from")
    if source is None or not policy.privileged:
        return None
    at = props.get("imported_at")
    return Provenance(
        imported_from=str(source),
        imported_where=props.get("imported_where"),
        imported_at=dt.datetime.fromisoformat(at) if at else None,
    )
