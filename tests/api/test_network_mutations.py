"""Staff mutations over real HTTP: create/update every kind, partnerships, participation,
outcome links; userErrors, atomicity, revisions, and who may write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.api.conftest import PRIVILEGED_KEY, Gql
from tests.seed_facts import csos

ERRORS = "userErrors { field message code }"


def staff(gql: Gql, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = gql(query, variables, key=PRIVILEGED_KEY)
    assert "errors" not in body, body
    return body["data"]


def revision(gql: Gql) -> int:
    return gql("{ health { revision } }")["data"]["health"]["revision"]


def count(gql: Gql, field: str) -> int:
    return gql(f"{{ {field} {{ totalCount }} }}", key=PRIVILEGED_KEY)["data"][field]["totalCount"]


CREATE_CSO = f"""
mutation Create($input: CreateCivilSocietyOrganizationInput!) {{
  createCivilSocietyOrganization(input: $input) {{
    civilSocietyOrganization {{ id key name focusGroups sensitivity description
      basedIn {{ edges {{ node {{ key }} }} }} }}
    revision {ERRORS}
  }}
}}
"""


def test_anonymous_callers_cannot_write(gql_mutable: Gql) -> None:
    before = count(gql_mutable, "civilSocietyOrganizations")
    body = gql_mutable(CREATE_CSO, {"input": {"name": "Anonymous Attempt"}})
    payload = body["data"]["createCivilSocietyOrganization"]
    assert payload["civilSocietyOrganization"] is None and payload["revision"] is None
    assert payload["userErrors"][0]["code"] == "FORBIDDEN"
    assert count(gql_mutable, "civilSocietyOrganizations") == before


def test_create_writes_the_node_and_its_seat_and_bumps_the_revision(gql_mutable: Gql) -> None:
    before = revision(gql_mutable)
    data = staff(
        gql_mutable,
        CREATE_CSO,
        {
            "input": {
                "key": "cso-api-test-1",
                "name": "Velmora Youth Circle",
                "focusGroups": ["YOUTH"],
                "sensitivity": "RESTRICTED",
                "basedIn": "KEN",
                "illustrative": True,
            }
        },
    )["createCivilSocietyOrganization"]
    assert data["userErrors"] == []
    assert data["revision"] > before and revision(gql_mutable) == data["revision"]
    cso = data["civilSocietyOrganization"]
    assert cso["name"] == "Velmora Youth Circle" and cso["focusGroups"] == ["YOUTH"]
    assert [e["node"]["key"] for e in cso["basedIn"]["edges"]] == ["KEN"]
    # and anonymous callers cannot see it: the same answer as for an id that does not exist
    seen = gql_mutable(f'{{ node(id: "{cso["id"]}") {{ name }} }}')
    assert seen["data"]["node"] is None
    assert seen["errors"][0]["message"] == f"no node with id {cso['id']!r}"


def test_failed_creates_write_nothing_and_name_every_field(gql_mutable: Gql) -> None:
    before, total = revision(gql_mutable), count(gql_mutable, "civilSocietyOrganizations")
    cases = [
        ({"name": "X", "since": "2024-01-01", "until": "2020-01-01"}, [["input", "until"]]),
        ({"name": "X", "iatiOrgType": 999}, [["input", "iatiOrgType"]]),
        ({"name": ""}, [["input", "name"]]),
        ({"name": "X", "basedIn": "nope"}, [["input", "basedIn"]]),
        ({"name": "X", "basedIn": "prog-cft"}, [["input", "basedIn"]]),
        (
            {"name": "X", "key": "cso-0001", "basedIn": "nope"},
            [["input", "key"], ["input", "basedIn"]],
        ),
        ({"name": "X", "key": "bad key!"}, [["input", "key"]]),
    ]
    for given, fields in cases:
        body = gql_mutable(CREATE_CSO, {"input": given}, key=PRIVILEGED_KEY)
        payload = body["data"]["createCivilSocietyOrganization"]
        assert payload["civilSocietyOrganization"] is None, given
        assert [e["field"] for e in payload["userErrors"]] == fields, payload
        assert all(e["message"] and e["code"] for e in payload["userErrors"])
    assert revision(gql_mutable) == before
    assert count(gql_mutable, "civilSocietyOrganizations") == total


UPDATE_CSO = f"""
mutation Update($input: UpdateCivilSocietyOrganizationInput!) {{
  updateCivilSocietyOrganization(input: $input) {{
    civilSocietyOrganization {{ key name description focusGroups sensitivity }}
    revision {ERRORS}
  }}
}}
"""


def test_of_concurrent_creates_of_one_key_exactly_one_wins(gql_mutable: Gql) -> None:
    def create(name: str) -> dict[str, Any]:
        variables = {"input": {"key": "cso-contested", "name": name, "focusGroups": ["YOUTH"]}}
        return staff(gql_mutable, CREATE_CSO, variables)["createCivilSocietyOrganization"]

    names = [f"Claimant {i}" for i in range(4)]
    with ThreadPoolExecutor(len(names)) as pool:
        payloads = list(pool.map(create, names))
    won = [p for p in payloads if not p["userErrors"]]
    lost = [p for p in payloads if p["userErrors"]]
    assert len(won) == 1 and len(lost) == len(names) - 1
    assert all(p["userErrors"][0]["code"] == "CONFLICT" for p in lost)
    assert all(p["userErrors"][0]["field"] == ["input", "key"] for p in lost)
    stored = gql_mutable('{ node(id: "cso-contested") { name } }', key=PRIVILEGED_KEY)
    assert stored["data"]["node"]["name"] == won[0]["civilSocietyOrganization"]["name"]


def test_update_changes_only_the_given_fields(gql_mutable: Gql) -> None:
    staff(
        gql_mutable,
        CREATE_CSO,
        {
            "input": {
                "key": "cso-api-test-2",
                "name": "Orvane Trust",
                "description": "first",
                "focusGroups": ["WOMEN"],
            }
        },
    )
    data = staff(gql_mutable, UPDATE_CSO, {"input": {"id": "cso-api-test-2", "name": "Orvane"}})
    cso = data["updateCivilSocietyOrganization"]["civilSocietyOrganization"]
    assert cso == {
        "key": "cso-api-test-2",
        "name": "Orvane",
        "description": "first",
        "focusGroups": ["WOMEN"],
        "sensitivity": "PUBLIC",
    }
    cleared = staff(
        gql_mutable, UPDATE_CSO, {"input": {"id": "cso-api-test-2", "description": None}}
    )
    assert (
        cleared["updateCivilSocietyOrganization"]["civilSocietyOrganization"]["description"] is None
    )
    wrong = staff(gql_mutable, UPDATE_CSO, {"input": {"id": "KEN", "name": "Kenya?"}})
    errors = wrong["updateCivilSocietyOrganization"]["userErrors"]
    assert errors[0]["field"] == ["input", "id"] and errors[0]["code"] == "NOT_FOUND"
    assert gql_mutable('{ node(id: "KEN") { name } }')["data"]["node"]["name"] == "Kenya"


KIND_INPUTS: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    (
        "MemberState",
        "memberState",
        {
            "key": "KEN",
            "name": "Kenya",
            "m49": "404",
            "region": "AFRICA",
            "subregion": "Sub-Saharan Africa",
        },
        {"description": "Updated by the API tests."},
    ),
    (
        "RegionalOrganization",
        "regionalOrganization",
        {"name": "Test Regional Body", "acronym": "TRB", "basedIn": "ETH"},
        {"region": "AFRICA"},
    ),
    (
        "Company",
        "company",
        {"name": "Quillet Systems", "industry": "TECH_PLATFORM"},
        {"industry": "CONSULTING"},
    ),
    (
        "AcademicInstitution",
        "academicInstitution",
        {"name": "Ostrava Policy Lab", "academicType": "THINK_TANK"},
        {"academicType": None},
    ),
    (
        "OtherNonStateActor",
        "otherNonStateActor",
        {"name": "Pellan Foundation", "actorType": "FOUNDATION"},
        {"actorType": "ASSOCIATION"},
    ),
    ("Programme", "programme", {"name": "Test Programme", "acronym": "TP"}, {"acronym": "TP2"}),
    (
        "Activity",
        "activity",
        {
            "name": "Test Workshop",
            "activityType": "TRAINING",
            "location": "KEN",
            "partOf": "prog-cft",
        },
        {"location": "ETH"},
    ),
    ("Outcome", "outcome", {"name": "Test Output", "level": "OUTPUT"}, {"document": True}),
    ("ThematicArea", "thematicArea", {"name": "Test Theme", "code": "TT"}, {"code": "TT2"}),
]


@pytest.mark.parametrize(("kind", "field", "create", "update"), KIND_INPUTS)
def test_create_and_update_every_kind(
    gql_mutable: Gql, kind: str, field: str, create: dict[str, Any], update: dict[str, Any]
) -> None:
    before = revision(gql_mutable)
    created = staff(
        gql_mutable,
        f"""
        mutation($input: Create{kind}Input!) {{ create{kind}(input: $input) {{
          {field} {{ id key kind name }} revision {ERRORS} }} }}""",
        {"input": create},
    )
    payload = created[f"create{kind}"]
    if kind == "MemberState":  # KEN exists: creating it again is a conflict
        assert payload["userErrors"][0]["field"] == ["input", "key"]
        assert payload["userErrors"][0]["code"] == "CONFLICT"
        node_id = "KEN"
    else:
        assert payload["userErrors"] == [] and payload["revision"] > before
        node_id = payload[field]["id"]
        assert payload[field]["name"] == create["name"]
    updated = staff(
        gql_mutable,
        f"""
        mutation($input: Update{kind}Input!) {{ update{kind}(input: $input) {{
          {field} {{ key name }} revision {ERRORS} }} }}""",
        {"input": {"id": node_id, **update}},
    )[f"update{kind}"]
    assert updated["userErrors"] == [] and updated[field]["key"]
    assert updated["revision"] > before


def test_new_member_states_must_be_un_members(gql_mutable: Gql) -> None:
    body = staff(
        gql_mutable,
        f"""mutation {{ createMemberState(input: {{key: "XKX",
        name: "Kosovo", m49: "412", region: EUROPE, subregion: "Southern Europe"}}) {{
        memberState {{ key }} {ERRORS} }} }}""",
    )["createMemberState"]
    assert body["memberState"] is None
    assert body["userErrors"][0]["field"] == ["input", "key"]


PARTNERSHIP = "partnership { id role amount since until source actor { key } programme { key } }"


def test_partnership_lifecycle_keeps_history(gql_mutable: Gql) -> None:
    before = revision(gql_mutable)
    actor = csos(restricted_=False)[0]
    added = staff(
        gql_mutable,
        f"""mutation {{ addPartnership(input: {{actor: "{actor}",
        programme: "prog-cft", role: FUNDING, since: "2023-01-01", amount: 25000,
        source: "https://example.org/evidence"}}) {{ {PARTNERSHIP} revision {ERRORS} }} }}""",
    )
    payload = added["addPartnership"]
    assert payload["userErrors"] == [] and payload["revision"] > before
    p = payload["partnership"]
    assert (p["role"], p["amount"], p["actor"]["key"], p["programme"]["key"]) == (
        "FUNDING",
        25000,
        actor,
        "prog-cft",
    )
    bad_end = staff(
        gql_mutable,
        f"""mutation {{ endPartnership(input: {{partnership:
        "{p["id"]}", until: "2022-01-01"}}) {{ {PARTNERSHIP} {ERRORS} }} }}""",
    )["endPartnership"]
    assert bad_end["userErrors"][0]["field"] == ["input", "until"]
    ended = staff(
        gql_mutable,
        f"""mutation {{ endPartnership(input: {{partnership:
        "{p["id"]}", until: "2024-01-01"}}) {{ {PARTNERSHIP} revision {ERRORS} }} }}""",
    )
    assert ended["endPartnership"]["partnership"]["until"] == "2024-01-01"
    assert ended["endPartnership"]["revision"] > payload["revision"]
    history = gql_mutable(
        """query ($actor: ID!) { node(id: $actor) { ... on Actor {
        all: programmes(first: 100) { edges { relationshipId until } }
        now: programmes(first: 100, asOf: "2024-06-01") { edges { relationshipId } } } } }""",
        {"actor": actor},
    )
    node = history["data"]["node"]
    assert p["id"] in [e["relationshipId"] for e in node["all"]["edges"]]
    assert p["id"] not in [e["relationshipId"] for e in node["now"]["edges"]]
    missing = staff(
        gql_mutable,
        f"""mutation {{ endPartnership(input: {{partnership: "nope",
        until: "2024-01-01"}}) {{ {ERRORS} }} }}""",
    )["endPartnership"]["userErrors"]
    assert missing[0]["code"] == "NOT_FOUND" and missing[0]["field"] == ["input", "partnership"]


def test_partnership_inputs_are_checked(gql_mutable: Gql) -> None:
    before = revision(gql_mutable)
    body = staff(
        gql_mutable,
        f"""mutation {{ addPartnership(input: {{actor: "prog-cft",
        programme: "KEN", role: HOST}}) {{ {ERRORS} }} }}""",
    )["addPartnership"]
    assert [e["field"] for e in body["userErrors"]] == [["input", "actor"], ["input", "programme"]]
    negative = staff(
        gql_mutable,
        f"""mutation {{ addPartnership(input: {{actor: "cso-0002",
        programme: "prog-cft", role: FUNDING, amount: -5}}) {{ {ERRORS} }} }}""",
    )
    assert negative["addPartnership"]["userErrors"][0]["field"] == ["input", "amount"]
    assert revision(gql_mutable) == before


def test_restricted_partners_and_their_evidence_are_hidden_from_unprivileged_callers(
    gql_mutable: Gql,
) -> None:
    staff(
        gql_mutable,
        CREATE_CSO,
        {"input": {"key": "cso-api-hidden", "name": "Hidden One", "sensitivity": "RESTRICTED"}},
    )
    staff(
        gql_mutable,
        """mutation { addPartnership(input: {actor: "cso-api-hidden",
        programme: "prog-cft", role: IMPLEMENTING, source: "https://example.org/hidden-one"})
        { userErrors { code } } }""",
    )
    query = """{ node(id: "prog-cft") { ... on Programme { partners(first: 100,
        role: IMPLEMENTING) { edges { source node { key name } } } } } }"""

    def edges(key: str | None) -> str:
        return str(gql_mutable(query, key=key)["data"]["node"]["partners"]["edges"])

    assert "cso-api-hidden" not in edges(None) and "hidden-one" not in edges(None)
    assert "cso-api-hidden" in edges(PRIVILEGED_KEY)
    assert "https://example.org/hidden-one" in edges(PRIVILEGED_KEY)


def test_record_participation(gql_mutable: Gql) -> None:
    actor = csos(restricted_=False)[1]
    data = staff(
        gql_mutable,
        f"""mutation {{ recordParticipation(input: {{actor: "{actor}",
        activity: "act-academic-cop", role: SPEAKER, since: "2023-05-01"}}) {{
        participation {{ id role actor {{ key }} activity {{ key }} }} revision {ERRORS} }} }}""",
    )
    payload = data["recordParticipation"]
    assert payload["userErrors"] == []
    assert payload["participation"]["role"] == "SPEAKER"
    participants = gql_mutable("""{ node(id: "act-academic-cop") { ... on Activity {
        participants(first: 100, role: SPEAKER) { edges { node { key } } } } } }""")
    edges = participants["data"]["node"]["participants"]["edges"]
    assert actor in [e["node"]["key"] for e in edges]


def test_link_outcome_respects_the_results_chain_rules(gql_mutable: Gql) -> None:
    create = staff(
        gql_mutable,
        f"""mutation {{ createOutcome(input: {{key: "out-api-test",
        name: "API test outcome", level: OUTCOME}}) {{ outcome {{ key }} {ERRORS} }} }}""",
    )
    assert create["createOutcome"]["userErrors"] == []
    link = f"""mutation($share: Float!, $from: ID!) {{ linkOutcome(input: {{contributor: $from,
        outcome: "out-api-test", share: $share, confidence: HIGH}}) {{
        link {{ id share confidence contributor {{ key kind }} outcome {{ key }} }}
        {ERRORS} }} }}"""
    first = staff(gql_mutable, link, {"share": 0.6, "from": "prog-cft"})["linkOutcome"]
    assert first["userErrors"] == [] and first["link"]["contributor"]["kind"] == "PROGRAMME"
    too_much = staff(gql_mutable, link, {"share": 0.6, "from": "act-academic-cop"})["linkOutcome"]
    assert too_much["link"] is None and too_much["userErrors"][0]["code"] == "INTEGRITY"
    wrong = staff(gql_mutable, link, {"share": 0.1, "from": "cso-0001"})["linkOutcome"]
    assert wrong["userErrors"][0]["field"] == ["input", "contributor"]
    to_activity = link.replace('"out-api-test"', '"act-academic-cop"')
    not_an_outcome = staff(gql_mutable, to_activity, {"share": 0.1, "from": "prog-cft"})
    not_an_outcome = not_an_outcome["linkOutcome"]["userErrors"][0]
    assert not_an_outcome["field"] == ["input", "outcome"]
    assert not_an_outcome["message"] == "'act-academic-cop' is an Activity, not an outcome"
    produced = gql_mutable("""{ node(id: "out-api-test") { ... on Outcome {
        producedBy { edges { share node { key } } } } } }""")
    assert produced["data"]["node"]["producedBy"]["edges"] == [
        {"share": 0.6, "node": {"key": "prog-cft"}}
    ]
