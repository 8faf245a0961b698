"""Which network a question is about, as a hashable value: the cache key of every result.

A request's projection, filters and date are normalised here (sorted, deduplicated, checked)
so that two requests asking the same thing in a different order share one cached graph and
one cached result, and so that nonsense is refused before any work starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from analytics.projection import ACTOR_KINDS, ENGAGEMENT_TYPES
from graph.reference import member_states


class BadParameter(ValueError):
    """An argument the API refuses; ``name`` is its GraphQL name."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class Projection(StrEnum):
    """Which graph measures run on (docs/METRICS.md, "Which graph")."""

    FULL = "FULL"
    CO_PARTNERSHIP = "CO_PARTNERSHIP"


def _norm(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(set(values)))


@dataclass(frozen=True)
class NetworkParams:
    """The analysed network: projection, filters and date. Hashable; equal when equivalent.

    ``kinds`` on the co-partnership projection are actor kinds (programmes and activities
    must stay to tie actors); ``relationship_types`` there are the engagement types counted.
    """

    projection: Projection = Projection.FULL
    kinds: tuple[str, ...] | None = None
    relationship_types: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    themes: tuple[str, ...] | None = None
    as_of: dt.date | None = None
    directed: bool = False
    half_life_years: float | None = None

    @classmethod
    def of(
        cls,
        projection: Projection = Projection.FULL,
        *,
        kinds: Iterable[str] | None = None,
        relationship_types: Iterable[str] | None = None,
        roles: Iterable[str] | None = None,
        regions: Iterable[str] | None = None,
        countries: Iterable[str] | None = None,
        themes: Iterable[str] | None = None,
        as_of: dt.date | None = None,
        directed: bool = False,
        half_life_years: float | None = None,
    ) -> NetworkParams:
        """Normalise and check; raises :class:`BadParameter` naming the argument at fault."""
        params = cls(
            projection,
            _norm(kinds),
            _norm(relationship_types),
            _norm(roles),
            _norm(regions),
            _norm(c.strip().upper() for c in countries) if countries is not None else None,
            _norm(themes),
            as_of,
            directed,
            half_life_years,
        )
        params._check()
        return params

    def _check(self) -> None:
        known = member_states()
        for code in self.countries or ():
            if code not in known:
                raise BadParameter("filter", f"{code!r} is not the ISO3 code of a Member State")
        co = self.projection is Projection.CO_PARTNERSHIP
        if self.half_life_years is not None:
            if not co:
                raise BadParameter("halfLifeYears", "applies to the CO_PARTNERSHIP projection")
            if not self.half_life_years > 0:
                raise BadParameter("halfLifeYears", "must be > 0")
        if co and self.directed:
            raise BadParameter("directed", "the CO_PARTNERSHIP projection is undirected")
        if co and self.kinds is not None and not self.actor_kinds:
            raise BadParameter(
                "filter", "kinds on the CO_PARTNERSHIP projection must include an actor kind"
            )
        if co and self.relationship_types is not None and not self.engagement_types:
            raise BadParameter(
                "filter",
                "relationshipTypes on the CO_PARTNERSHIP projection must include PARTNERS_IN "
                "or PARTICIPATED_IN",
            )

    @property
    def actor_kinds(self) -> tuple[str, ...]:
        """Actor kinds in scope: the actor kinds among ``kinds``, or all of them."""
        if self.kinds is None:
            return tuple(sorted(ACTOR_KINDS))
        return tuple(k for k in self.kinds if k in ACTOR_KINDS)

    @property
    def engagement_types(self) -> tuple[str, ...]:
        """Engagement relationships in scope."""
        if self.relationship_types is None:
            return ENGAGEMENT_TYPES
        return tuple(t for t in ENGAGEMENT_TYPES if t in self.relationship_types)

    @property
    def unfiltered(self) -> bool:
        """Whether no filter other than the date applies."""
        return (
            self.kinds,
            self.relationship_types,
            self.roles,
            self.regions,
            self.countries,
            self.themes,
        ) == (None,) * 6

    @property
    def decayed(self) -> bool:
        """Whether ties are weighted by recency, which reads history up to ``as_of``."""
        return self.projection is Projection.CO_PARTNERSHIP and self.half_life_years is not None

    @property
    def snapshot_date(self) -> str | None:
        """The ``as_of`` of the store snapshot to read: the day itself, or (recency-weighted
        co-partnership) the whole history, cut at ``as_of`` by the projection."""
        if self.as_of is None or self.decayed:
            return None
        return self.as_of.isoformat()
