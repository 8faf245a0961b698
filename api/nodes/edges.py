"""Relationship edges and their connections: a relationship's own properties (role, amount,
share, validity, source) sit on the edge, next to the node at the other end.

Cursors are (other node's key, relationship id): the order the store returns neighbours in,
stable across requests and free of names.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic

import strawberry

from api.core.paging import Cursors, N, PageInfo, cursor_field
from api.nodes.enums import ConfidenceEnum, RoleEnum
from api.nodes.provenance import PROVENANCE_DESCRIPTION, Provenance

#: The cursors of every relationship connection; an edge's position is its key (above).
RELATIONSHIPS = Cursors("r", 2)


@strawberry.type(description="A plain relationship (membership, seat, theme, target, part-of).")
class LinkEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the relationship.")
    relationship_id: strawberry.ID = strawberry.field(description="Id of the relationship.")
    since: dt.date | None = strawberry.field(description="Start of validity (inclusive).")
    until: dt.date | None = strawberry.field(description="End of validity (inclusive), if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence; hidden when either end is a restricted actor you "
        "may not see."
    )
    provenance: Provenance | None = strawberry.field(description=PROVENANCE_DESCRIPTION)
    position: strawberry.Private[tuple[str, str]]
    cursors: strawberry.Private[Cursors] = RELATIONSHIPS
    cursor: str = cursor_field()


@strawberry.type(description="A partnership of an actor in a programme.")
class PartnershipEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the partnership.")
    relationship_id: strawberry.ID = strawberry.field(
        description="Id of the partnership; pass it to `endPartnership`."
    )
    role: RoleEnum = strawberry.field(description="Role of the actor in the programme.")
    amount: float | None = strawberry.field(description="Funding amount in USD, if any.")
    since: dt.date | None = strawberry.field(description="Start of the partnership.")
    until: dt.date | None = strawberry.field(description="End of the partnership, if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence; hidden when the actor is restricted and you may not "
        "see it."
    )
    provenance: Provenance | None = strawberry.field(description=PROVENANCE_DESCRIPTION)
    position: strawberry.Private[tuple[str, str]]
    cursors: strawberry.Private[Cursors] = RELATIONSHIPS
    cursor: str = cursor_field()


@strawberry.type(description="An actor's participation in an activity.")
class ParticipationEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the participation.")
    relationship_id: strawberry.ID = strawberry.field(description="Id of the participation.")
    role: RoleEnum = strawberry.field(description="Role of the actor in the activity.")
    since: dt.date | None = strawberry.field(description="Start of the participation.")
    until: dt.date | None = strawberry.field(description="End of the participation, if ended.")
    source: str | None = strawberry.field(
        description="Source or evidence; hidden when the actor is restricted and you may not "
        "see it."
    )
    provenance: Provenance | None = strawberry.field(description=PROVENANCE_DESCRIPTION)
    position: strawberry.Private[tuple[str, str]]
    cursors: strawberry.Private[Cursors] = RELATIONSHIPS
    cursor: str = cursor_field()


@strawberry.type(description="A contribution link in the results chain (produced / contributed).")
class ContributionEdge(Generic[N]):
    node: N = strawberry.field(description="The node at the other end of the link.")
    relationship_id: strawberry.ID = strawberry.field(description="Id of the link.")
    share: float = strawberry.field(description="Share of the outcome attributed, 0 to 1.")
    confidence: ConfidenceEnum = strawberry.field(description="Confidence in the attribution.")
    evidence_date: dt.date | None = strawberry.field(description="Date of the evidence.")
    since: dt.date | None = strawberry.field(description="Start of validity.")
    until: dt.date | None = strawberry.field(description="End of validity, if ended.")
    source: str | None = strawberry.field(description="Source or evidence.")
    provenance: Provenance | None = strawberry.field(description=PROVENANCE_DESCRIPTION)
    position: strawberry.Private[tuple[str, str]]
    cursors: strawberry.Private[Cursors] = RELATIONSHIPS
    cursor: str = cursor_field()


@strawberry.type(description="A page of plain relationships.")
class LinkConnection(Generic[N]):
    edges: list[LinkEdge[N]] = strawberry.field(description="The relationships of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of relationships in all pages.")


@strawberry.type(description="A page of partnerships.")
class PartnershipConnection(Generic[N]):
    edges: list[PartnershipEdge[N]] = strawberry.field(description="The partnerships of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of partnerships in all pages.")


@strawberry.type(description="A page of participations.")
class ParticipationConnection(Generic[N]):
    edges: list[ParticipationEdge[N]] = strawberry.field(
        description="The participations of this page."
    )
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of participations in all pages.")


@strawberry.type(description="A page of results-chain links.")
class ContributionConnection(Generic[N]):
    edges: list[ContributionEdge[N]] = strawberry.field(description="The links of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    total_count: int = strawberry.field(description="Number of links in all pages.")
