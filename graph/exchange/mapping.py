"""The mapping file of an import: what a source's codes and identifiers mean in partnernet.

Standard formats (IATI, HXL/3W) name things partnernet cannot know by itself: an IATI
organisation ref that is already an actor here under another id, which OECD DAC sector codes
are which thematic area, which IATI organisation roles count as partnerships. A mapping file
(TOML: Python reads it without a dependency, and people can write it by hand, with comments)
says so; docs/DATA_FORMAT.md "Mapping files" documents every table with an example.

Everything has a safe default, so a file imports without a mapping: unknown organisations
become new actors with ids derived from their refs, unmapped sectors and regions are left out
(and counted in the report), and new non-state actors are restricted.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Final

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.errors import ValidationError
from graph.model import ID_PATTERN, NodeKind, Role, Sensitivity
from graph.reference import is_member_state

#: IATI OrganisationRole codes (https://iatistandard.org/en/iati-standard/203/codelists/organisationrole/)
#: that are partnerships unless a mapping says otherwise: the funder and the implementer.
#: Accountable (2) and Extending (3) organisations are often the reporting agency itself.
DEFAULT_ROLES: Final[dict[str, Role | None]] = {"1": Role.FUNDING, "4": Role.IMPLEMENTING}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SensitivityMapping(_Section):
    default: Sensitivity = Field(
        Sensitivity.RESTRICTED,
        description="Sensitivity of a non-state actor an import creates, when the file does "
        "not say: restricted, because a name published by mistake cannot be taken back.",
    )
    public: frozenset[str] = Field(
        frozenset(),
        description="External identifiers or ids of non-state actors to create as public.",
    )


class ImportMapping(_Section):
    """A mapping file, validated. ``ImportMapping()`` is the default of an import without one."""

    organisations: dict[str, str] = Field(
        default_factory=dict, description="External identifier -> the id of an existing node."
    )
    sectors: dict[str, str] = Field(
        default_factory=dict, description="DAC 5- or 3-digit sector code -> thematic area id."
    )
    regions: dict[str, list[str]] = Field(
        default_factory=dict,
        description="IATI region code -> ids of the regional organisations or Member States "
        "a programme for that region targets.",
    )
    countries: dict[str, str | None] = Field(
        default_factory=dict,
        description="A country code (ISO alpha-2 or alpha-3) or name that is no UN Member "
        'State -> the ISO3 of the Member State to use instead, or "" to leave it out '
        "(noted): the model holds Member States only, and a file naming a territory should "
        "import without it rather than fail.",
    )
    roles: dict[str, Role | None] = Field(
        default_factory=lambda: dict(DEFAULT_ROLES),
        description="IATI organisation role code -> partnership role; roles not listed (or "
        'mapped to "") are not partnerships.',
    )
    sensitivity: SensitivityMapping = SensitivityMapping()
    currency: dict[str, float] = Field(
        default_factory=dict,
        description="US dollars per unit of a currency, for amounts not in USD.",
    )
    result_share: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Contribution share of a programme to the results it reports itself.",
    )
    org_types: dict[str, int] = Field(
        default_factory=dict,
        description="A source's own words for organisation types (a 3W sheet's '#org+type' "
        "column, compared without case) -> IATI OrganisationType code.",
    )
    programme: str | None = Field(
        None,
        description="A 3W sheet's activities are part of this programme (its id), if any.",
    )

    @field_validator("countries")
    @classmethod
    def _member_states(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        for key, iso3 in value.items():
            if iso3 is not None and not is_member_state(iso3):
                raise ValueError(f"{key} = {iso3!r}: not the ISO3 code of a UN Member State")
        return value

    def organisation_id(self, ref: str) -> str:
        """The node an organisation ref names: the mapped one, or one derived from the ref."""
        return self.organisations.get(ref) or derived_id("org", ref)

    def sensitivity_of(self, ref: str | None, node_id: str) -> Sensitivity:
        """The sensitivity of a new non-state actor the file does not classify."""
        public = self.sensitivity.public
        if node_id in public or (ref is not None and ref in public):
            return Sensitivity.PUBLIC
        return self.sensitivity.default

    def country_of(self, value: str) -> tuple[bool, str | None]:
        """(whether the mapping names ``value``, the ISO3 it stands for or None to leave out)."""
        for key in (value, value.upper(), value.casefold()):
            if key in self.countries:
                return True, self.countries[key]
        return False, None

    def role_of(self, code: str) -> Role | None:
        return self.roles.get(code)

    def usd(self, amount: float, currency: str | None) -> float | None:
        """``amount`` in US dollars, or None when the mapping gives no rate for its currency."""
        if currency is None or currency.upper() == "USD":
            return amount
        rate = self.currency.get(currency.upper())
        return None if rate is None else amount * rate


#: The actor kind (and its kind-specific props) of each IATI OrganisationType code. Government
#: and public-sector codes (10, 11, 15) have none: such an organisation is a Member State, and
#: which one only a mapping can say (:meth:`ImportMapping.organisation_id`).
ORG_TYPE_KINDS: Final[dict[int, tuple[NodeKind, dict[str, str]]]] = {
    21: (NodeKind.CIVIL_SOCIETY_ORGANIZATION, {}),
    22: (NodeKind.CIVIL_SOCIETY_ORGANIZATION, {}),
    23: (NodeKind.CIVIL_SOCIETY_ORGANIZATION, {}),
    24: (NodeKind.CIVIL_SOCIETY_ORGANIZATION, {}),
    30: (NodeKind.OTHER_NON_STATE_ACTOR, {"actor_type": "NETWORK"}),
    40: (NodeKind.REGIONAL_ORGANIZATION, {}),
    60: (NodeKind.OTHER_NON_STATE_ACTOR, {"actor_type": "FOUNDATION"}),
    70: (NodeKind.COMPANY, {}),
    71: (NodeKind.COMPANY, {}),
    72: (NodeKind.COMPANY, {}),
    73: (NodeKind.COMPANY, {}),
    80: (NodeKind.ACADEMIC_INSTITUTION, {}),
    90: (NodeKind.OTHER_NON_STATE_ACTOR, {}),
}
#: An organisation whose type the source does not give.
UNTYPED_KIND: Final = NodeKind.OTHER_NON_STATE_ACTOR


_UNSAFE = re.compile(r"[^A-Za-z0-9_.:\-]")


def derived_id(prefix: str, ref: str) -> str:
    """A node id for an external identifier: the ref itself where it is a valid id, otherwise
    its safe characters and a hash of the whole, so two refs never share an id.

    >>> derived_id("org", "XM-DAC-41301")
    'org:XM-DAC-41301'
    >>> derived_id("org", "GB-COH/123 456")
    'org:GB-COH_123_456--aba6b51a'
    """
    text = f"{prefix}:{ref}"
    if ID_PATTERN.match(text):
        return text
    digest = hashlib.sha1(ref.encode()).hexdigest()[:8]
    safe = _UNSAFE.sub("_", text)[: 128 - 10]
    return f"{safe}--{digest}"


def load_mapping(path: Path | None, *, label: str | None = None) -> ImportMapping:
    """Read and check a mapping file; ``None`` gives the defaults.

    Raises :class:`ValidationError` naming the file (``label``, default its path) and the
    table and key at fault.
    """
    if path is None:
        return ImportMapping()
    where = label or str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ValidationError(f"not valid UTF-8 (byte {err.start + 1})", where=where) from None
    except tomllib.TOMLDecodeError as err:
        raise ValidationError(f"not valid TOML: {err}", where=where) from None
    for table in ("roles", "countries"):  # "" means: not a partnership, leave it out
        if isinstance(data.get(table), dict):
            data[table] = {k: (v or None) for k, v in data[table].items()}
    try:
        return ImportMapping.model_validate(data)
    except pydantic.ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or None
        raise ValidationError(
            first["msg"].removeprefix("Value error, "), where=where, field=loc
        ) from None
