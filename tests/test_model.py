"""Model validation: each rule, with a good and a bad case."""

from __future__ import annotations

import pytest

from graph.errors import ValidationError
from graph.model import (
    REL_RULES,
    Node,
    NodeKind,
    RelType,
    relationship_id,
    validate_node,
    validate_relationship,
)

KEN = {"name": "Kenya", "m49": "404", "region": "Africa", "subregion": "Sub-Saharan Africa"}


def test_member_state_id_must_be_a_un_member_iso3() -> None:
    assert validate_node("MemberState", "KEN", KEN).props["region"] == "Africa"
    for bad in ("XKX", "ken", "KENYA", "PSE"):
        with pytest.raises(ValidationError):
            validate_node("MemberState", bad, KEN)


def test_unknown_kind_and_bad_id() -> None:
    with pytest.raises(ValidationError, match="unknown node kind") as err:
        validate_node("Spaceship", "x", {"name": "x"})
    assert err.value.field == "kind"
    for bad_id in ("", "has space", "-leading-dash", "x" * 129, "ünïcode"):
        with pytest.raises(ValidationError) as err:
            validate_node("Programme", bad_id, {"name": "P"})
        assert err.value.field == "id"


def test_enums_are_checked() -> None:
    ok = validate_node("CivilSocietyOrganization", "c", {"name": "C", "focus_groups": ["YOUTH"]})
    assert ok.props["focus_groups"] == ["YOUTH"]
    with pytest.raises(ValidationError) as err:
        validate_node("CivilSocietyOrganization", "c", {"name": "C", "sensitivity": "SECRET"})
    assert err.value.field == "sensitivity"
    with pytest.raises(ValidationError):
        validate_node("Outcome", "o", {"name": "O", "level": "GOAL"})


def test_interval_since_must_not_follow_until() -> None:
    assert validate_node(
        "Programme", "p", {"name": "P", "since": "2020-01-01", "until": "2020-01-01"}
    )
    with pytest.raises(ValidationError, match="after until"):
        validate_node("Programme", "p", {"name": "P", "since": "2021-01-01", "until": "2020-01-01"})
    with pytest.raises(ValidationError) as err:
        validate_node("Programme", "p", {"name": "P", "since": "2021-02-30"})
    assert err.value.field == "since"


def test_activity_location_is_a_member_state() -> None:
    assert validate_node("Activity", "a", {"name": "A", "location": "ESP"}).props["location"]
    with pytest.raises(ValidationError) as err:
        validate_node("Activity", "a", {"name": "A", "location": "ATA"})
    assert err.value.field == "location"


def test_iati_org_type_codes() -> None:
    assert validate_node("Company", "c", {"name": "C"}).props["iati_org_type"] == 70
    with pytest.raises(ValidationError):
        validate_node("Company", "c", {"name": "C", "iati_org_type": 12})


def test_amounts_and_shares() -> None:
    cso = Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"name": "C"})
    prog = Node("p", NodeKind.PROGRAMME, {"name": "P"})
    out = Node("o", NodeKind.OUTCOME, {"name": "O"})
    ok = validate_relationship("PARTNERS_IN", "r", cso, prog, {"role": "FUNDING", "amount": 0})
    assert ok.props["amount"] == 0
    with pytest.raises(ValidationError) as err:
        validate_relationship("PARTNERS_IN", "r", cso, prog, {"role": "FUNDING", "amount": -1})
    assert err.value.field == "amount"
    with pytest.raises(ValidationError) as err:
        validate_relationship("PARTNERS_IN", "r", cso, prog, {})
    assert err.value.field == "role"
    assert validate_relationship("PRODUCED", "r", prog, out, {"share": 1}).props["share"] == 1
    for share in (-0.1, 1.01):
        with pytest.raises(ValidationError) as err:
            validate_relationship("PRODUCED", "r", prog, out, {"share": share})
        assert err.value.field == "share"


def test_kind_pairs_come_from_one_declaration() -> None:
    cso = Node("c", NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"name": "C"})
    prog = Node("p", NodeKind.PROGRAMME, {"name": "P"})
    assert set(REL_RULES) == set(RelType)
    with pytest.raises(ValidationError) as err:
        validate_relationship("PARTNERS_IN", "r", prog, cso, {"role": "FUNDING"})
    assert err.value.field == "start"
    with pytest.raises(ValidationError, match="unknown relationship type"):
        validate_relationship("LIKES", "r", cso, prog, {})


def test_relationship_ids_are_deterministic() -> None:
    a = relationship_id("PARTNERS_IN", "c", "p", "FUNDING", "2020-01-01")
    assert a == relationship_id("PARTNERS_IN", "c", "p", "FUNDING", "2020-01-01")
    assert a != relationship_id("PARTNERS_IN", "c", "p", "ADVISORY", "2020-01-01")
