"""UN Member State reference table (ISO 3166-1 alpha-3 and UN M49), loaded once.

The model validates every country code against this table, so it lives with the model's
inputs: the CSV ships in ``seeds/reference`` as package data and is read lazily, never at
import time of modules that do not need it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class MemberStateRef:
    iso3: str
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
