"""UN Member State reference table (ISO 3166-1 alpha-3 and alpha-2, UN M49), loaded once.

The model validates every country code against this table, so it lives with the model's
inputs: the CSV ships in ``seeds/reference`` as package data and is read lazily, never at
import time of modules that do not need it. Ids are alpha-3; alpha-2 is only a way in, for
sources that name countries by it (IATI's ``recipient-country/@code``).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class MemberStateRef:
    iso3: str
    iso2: str
    m49: str
    name: str
    region: str
    subregion: str
    intermediate_region: str | None


@functools.cache
def member_states() -> dict[str, MemberStateRef]:
    """All 193 UN Member States keyed by ISO3, in code order."""
    text = resources.files("seeds").joinpath("reference/member_states.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        r["iso3"]: MemberStateRef(
            iso3=r["iso3"],
            iso2=r["iso2"],
            m49=r["m49"],
            name=r["name"],
            region=r["region"],
            subregion=r["subregion"],
            intermediate_region=r["intermediate_region"] or None,
        )
        for r in rows
    }


def is_member_state(code: str) -> bool:
    return code in member_states()


@functools.cache
def _by_iso2() -> dict[str, MemberStateRef]:
    return {ref.iso2: ref for ref in member_states().values()}


def member_state_by_iso2(code: str) -> MemberStateRef | None:
    """The Member State whose ISO 3166-1 alpha-2 code is ``code`` (any case), or None for a
    code that is not a UN Member State's (a territory, an observer, a typo).

    >>> member_state_by_iso2("ke").iso3
    'KEN'
    >>> member_state_by_iso2("PS") is None
    True
    """
    return _by_iso2().get(code.strip().upper())
