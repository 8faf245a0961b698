"""Node connections over real HTTP: paging, filters, order, navigation, nodes(ids:), errors."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.api.conftest import PRIVILEGED_KEY, Gql
from tests.seed_facts import country_hosting, seed

KIND_FIELDS = {
    "memberStates": "MEMBER_STATE",
    "regionalOrganizations": "REGIONAL_ORGANIZATION",
    "civilSocietyOrganizations": "CIVIL_SOCIETY_ORGANIZATION",
    "companies": "COMPANY",
    "academicInstitutions": "ACADEMIC_INSTITUTION",
    "otherNonStateActors": "OTHER_NON_STATE_ACTOR",
    "programmes": "PROGRAMME",
    "activities": "ACTIVITY",
    "outcomes": "OUTCOME",
    "thematicAreas": "THEMATIC_AREA",
}


def keys(conn: dict[str, Any]) -> list[str]:
    return [e["node"]["key"] for e in conn["edges"]]


def walk(gql: Gql, field: str, args: str = "", fields: str = "key name", key: str | None = None):
    """Every edge of a connection, page by page (100 at a time); also returns the cursors."""
    edges: list[dict[str, Any]] = []
    after = None
    while True:
        page_args = f"first: 100 {args}" + (f' after: "{after}"' if after else "")
        body = gql(
            f"{{ {field}({page_args}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
            f"edges {{ cursor node {{ {fields} }} }} }} }}",
            key=key,
        )
        assert "errors" not in body, body
        conn = body["data"][field]
        edges += conn["edges"]
        if not conn["pageInfo"]["hasNextPage"]:
            assert len(edges) == conn["totalCount"]
            return edges
        after = conn["pageInfo"]["endCursor"]


def test_every_kind_has_a_connection_whose_total_matches_the_counts(gql: Gql) -> None:
    counts = {
        c["kind"]: c["count"]
        for c in gql("{ countsByKind { kind count } }")["data"]["countsByKind"]
    }
    selection = " ".join(
        f"{f}: {f} {{ totalCount edges {{ node {{ kind }} }} }}" for f in KIND_FIELDS
    )
    data = gql(f"{{ {selection} actors {{ totalCount }} }}", key=PRIVILEGED_KEY)["data"]
    for field, kind in KIND_FIELDS.items():
        assert data[field]["totalCount"] == counts[kind], field
        assert len(data[field]["edges"]) == min(20, counts[kind])  # default page size
        assert {e["node"]["kind"] for e in data[field]["edges"]} <= {kind}
    actor_kinds = list(KIND_FIELDS.values())[:6]
    assert data["actors"]["totalCount"] == sum(counts[k] for k in actor_kinds)
    # Other callers' totals leave restricted actors out (countsByKind, an aggregate, does not).
    hidden = len(_restricted_real_names(gql))
    viewer = gql(f"{{ {selection} actors {{ totalCount }} }}")["data"]
    for field, kind in KIND_FIELDS.items():
        less = hidden if field == "civilSocietyOrganizations" else 0
        assert viewer[field]["totalCount"] == counts[kind] - less, field
    assert viewer["actors"]["totalCount"] == data["actors"]["totalCount"] - hidden


def test_pages_cover_the_list_once_in_a_stable_order(gql: Gql) -> None:
    edges = walk(gql, "memberStates")
    names = [e["node"]["name"].lower() for e in edges]
    assert len(edges) == 193 and len({e["node"]["key"] for e in edges}) == 193
    assert names == sorted(names)
    by_key = walk(gql, "memberStates", "orderBy: KEY")
    assert [e["node"]["key"] for e in by_key] == sorted(e["node"]["key"] for e in edges)


@pytest.mark.parametrize("first", [0, 101, -1])
def test_page_size_out_of_range_is_a_bad_user_input(gql: Gql, first: int) -> None:
    body = gql(f"{{ programmes(first: {first}) {{ totalCount }} }}")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "first" in body["errors"][0]["message"]


def test_a_foreign_cursor_is_a_bad_user_input(gql: Gql) -> None:
    garbage = base64.urlsafe_b64encode(b'["x"]').decode()
    for after in ("not-a-cursor", garbage):
        body = gql(f'{{ programmes(after: "{after}") {{ totalCount }} }}')
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
        nav = gql(
            f'{{ node(id: "ro-au") {{ ... on RegionalOrganization {{ members(after: "{after}") '
            "{ totalCount } } } }"
        )
        assert nav["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", nav


def test_member_state_filters(gql: Gql) -> None:
    africa = walk(gql, "memberStates", "filter: {region: AFRICA}", "key region subregion")
    assert len(africa) == 54 and {e["node"]["region"] for e in africa} == {"AFRICA"}
    north = walk(gql, "memberStates", 'filter: {subregion: "Northern Africa"}', "key subregion")
    assert 0 < len(north) < 54 and {e["node"]["subregion"] for e in north} == {"Northern Africa"}
    text = walk(gql, "memberStates", 'filter: {text: "guinea"}', "name")
    assert len(text) >= 3 and all("guinea" in e["node"]["name"].lower() for e in text)


def test_organisation_filters_by_country_focus_group_and_sensitivity(gql: Gql) -> None:
    fields = "key focusGroups sensitivity basedIn { edges { node { key } } }"
    country = country_hosting(restricted_=False)
    local = walk(gql, "civilSocietyOrganizations", f'filter: {{country: "{country}"}}', fields)
    assert local
    assert all(country in keys(e["node"]["basedIn"]) for e in local)
    youth = walk(gql, "civilSocietyOrganizations", "filter: {focusGroup: YOUTH}", fields)
    assert youth and all("YOUTH" in e["node"]["focusGroups"] for e in youth)
    by = "civilSocietyOrganizations"
    public = walk(gql, by, "filter: {sensitivity: PUBLIC}", fields, key=PRIVILEGED_KEY)
    restricted = walk(gql, by, "filter: {sensitivity: RESTRICTED}", fields, key=PRIVILEGED_KEY)
    assert {e["node"]["sensitivity"] for e in public} == {"PUBLIC"}
    assert {e["node"]["sensitivity"] for e in restricted} == {"RESTRICTED"}
    assert len(public) + len(restricted) == 160
    # For other callers the filter would single restricted actors out: refused.
    [error] = gql("{ civilSocietyOrganizations(filter: {sensitivity: PUBLIC}) { totalCount } }")[
        "errors"
    ]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("filter.sensitivity:")


def test_filters_by_role_theme_and_date(gql: Gql) -> None:
    role_fields = "key ... on Actor { programmes(first: 100, role: FUNDING) { totalCount } }"
    funders = walk(gql, "actors", "filter: {role: FUNDING}", role_fields)
    assert funders and all(e["node"]["programmes"]["totalCount"] > 0 for e in funders)
    theme = "theme-pcve"
    progs = walk(
        gql,
        "programmes",
        f'filter: {{theme: "{theme}"}}',
        "themes(first: 100) { edges { node { key } } }",
    )
    assert progs and all(theme in keys(e["node"]["themes"]) for e in progs)
    everything = gql("{ programmes { totalCount } }")["data"]["programmes"]["totalCount"]
    old = gql('{ programmes(filter: {activeAsOf: "1990-01-01"}) { totalCount } }')
    assert old["data"]["programmes"]["totalCount"] < everything
    region = walk(
        gql,
        "actors",
        "filter: {region: EUROPE, kinds: [CIVIL_SOCIETY_ORGANIZATION]}",
        "kind ... on Organization { basedIn { edges { node { region } } } }",
    )
    assert region
    for e in region:
        assert e["node"]["kind"] == "CIVIL_SOCIETY_ORGANIZATION"
        assert "EUROPE" in {b["node"]["region"] for b in e["node"]["basedIn"]["edges"]}


def test_actor_kinds_filter_rejects_non_actor_kinds(gql: Gql) -> None:
    body = gql("{ actors(filter: {kinds: [PROGRAMME]}) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    both = gql(
        "{ actors(filter: {kinds: [COMPANY, ACADEMIC_INSTITUTION]}) { totalCount } "
        "companies { totalCount } academicInstitutions { totalCount } }"
    )["data"]
    expected = both["companies"]["totalCount"] + both["academicInstitutions"]["totalCount"]
    assert both["actors"]["totalCount"] == expected


def test_navigation_both_ways_with_relationship_properties(gql: Gql) -> None:
    au = gql(
        '{ node(id: "ro-au") { ... on RegionalOrganization { '
        "members(first: 50) { totalCount pageInfo { hasNextPage endCursor } "
        "edges { relationshipId node { key } } } } } }"
    )["data"]["node"]["members"]
    assert au["totalCount"] == 54 and au["pageInfo"]["hasNextPage"]
    rest = gql(
        f'{{ node(id: "ro-au") {{ ... on RegionalOrganization {{ members(first: 50, '
        f'after: "{au["pageInfo"]["endCursor"]}") {{ edges {{ node {{ key }} }} }} }} }} }}'
    )
    members = keys(au) + keys(rest["data"]["node"]["members"])
    assert len(members) == 54 == len(set(members))
    country = country_hosting(restricted_=False)
    home = gql(
        f'{{ node(id: "{country}") {{ ... on MemberState {{ regionalOrganizations(first: 100) '
        "{ edges { node { key } } } actorsBasedHere(first: 100) { totalCount } } } }"
    )["data"]["node"]
    au = {r.start for r in seed()[1] if r.type == "MEMBER_OF" and r.end == "ro-au"}
    assert ("ro-au" in keys(home["regionalOrganizations"])) == (country in au)
    assert home["actorsBasedHere"]["totalCount"] > 0

    programmes = gql(
        "{ programmes(first: 100) { edges { node { key partners(first: 100) { totalCount "
        "edges { role since until amount source relationshipId node { key kind "
        "... on Actor { programmes(first: 100) { edges { node { key } } } } } } } } } } }"
    )["data"]["programmes"]["edges"]
    with_partners = [p["node"] for p in programmes if p["node"]["partners"]["totalCount"]]
    assert with_partners
    for prog in with_partners:
        for edge in prog["partners"]["edges"]:
            assert edge["role"] and edge["relationshipId"]
            assert prog["key"] in keys(edge["node"]["programmes"])  # the other way back
    funding = [e for p in with_partners for e in p["partners"]["edges"] if e["role"] == "FUNDING"]
    assert funding and any(e["amount"] for e in funding)


def test_partners_by_role_and_as_of(gql: Gql) -> None:
    query = (
        "{ programmes(first: 100) { edges { node { key all: partners(first: 100) { totalCount "
        "edges { role since until } } funding: partners(first: 100, role: FUNDING) "
        '{ totalCount edges { role } } now: partners(first: 100, asOf: "2024-06-30") '
        "{ totalCount edges { since until } } } } } }"
    )
    for edge in gql(query)["data"]["programmes"]["edges"]:
        p = edge["node"]
        assert {e["role"] for e in p["funding"]["edges"]} <= {"FUNDING"}
        funding = sum(e["role"] == "FUNDING" for e in p["all"]["edges"])
        if p["all"]["totalCount"] <= 100:  # the whole list is on the page
            assert p["funding"]["totalCount"] == funding
        for e in p["now"]["edges"]:
            assert (e["since"] or "") <= "2024-06-30" <= (e["until"] or "9999")
        assert p["now"]["totalCount"] <= p["all"]["totalCount"]


def test_activity_participants_and_outcomes(gql: Gql) -> None:
    acts = gql(
        "{ activities(first: 100) { edges { node { key participants(first: 100) { totalCount "
        "edges { role node { key ... on Actor { activities(first: 100) { edges { node { key } } "
        "} } } } } outcomes { edges { share confidence node { key level "
        "producedBy { edges { node { key } } } } } } } } } }"
    )["data"]["activities"]["edges"]
    assert any(a["node"]["participants"]["totalCount"] for a in acts)
    assert any(a["node"]["outcomes"]["edges"] for a in acts)
    for a in acts:
        for p in a["node"]["participants"]["edges"]:
            assert a["node"]["key"] in keys(p["node"]["activities"])
        for o in a["node"]["outcomes"]["edges"]:
            assert 0 <= o["share"] <= 1
            assert a["node"]["key"] in keys(o["node"]["producedBy"])


def test_nodes_by_ids_keeps_order_and_flags_the_missing(gql: Gql) -> None:
    au_id = gql('{ node(id: "ro-au") { id } }')["data"]["node"]["id"]
    body = gql(f'{{ nodes(ids: ["KEN", "nope", "{au_id}"]) {{ key }} }}')
    assert body["data"]["nodes"] == [{"key": "KEN"}, None, {"key": "ro-au"}]
    assert len(body["errors"]) == 1
    assert body["errors"][0]["path"] == ["nodes", 1]
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    many = ", ".join(['"KEN"'] * 101)
    assert (
        gql(f"{{ nodes(ids: [{many}]) {{ key }} }}")["errors"][0]["extensions"]["code"]
        == "BAD_USER_INPUT"
    )


# --------------------------------------------------------------------------- do no harm


def _restricted_real_names(gql: Gql) -> dict[str, str]:
    edges = walk(
        gql,
        "civilSocietyOrganizations",
        "filter: {sensitivity: RESTRICTED}",
        "key name",
        key=PRIVILEGED_KEY,
    )
    return {e["node"]["key"]: e["node"]["name"] for e in edges}


def test_text_search_never_finds_restricted_actors_for_unprivileged_callers(gql: Gql) -> None:
    real = _restricted_real_names(gql)
    assert real
    key, name = sorted(real.items())[0]
    for field in ("civilSocietyOrganizations", "actors"):
        query = (
            f'{{ {field}(filter: {{text: "{name}"}}) {{ totalCount edges {{ node {{ key }} }} }} }}'
        )
        hidden = gql(query)["data"][field]
        assert key not in keys(hidden) and hidden["totalCount"] == len(keys(hidden))
        assert key in keys(gql(query, key=PRIVILEGED_KEY)["data"][field])
    restricted_text = gql('{ actors(filter: {text: "a", sensitivity: RESTRICTED}) { totalCount } }')
    assert restricted_text["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def _cursor_text(cursor: str) -> str:
    """A list cursor decoded, with the store cursor inside it decoded too."""
    decoded = base64.urlsafe_b64decode(cursor).decode()
    inner = decoded.split('"')[3] if decoded.count('"') >= 4 else ""
    return decoded + base64.urlsafe_b64decode(inner + "==").decode(errors="ignore")


def test_restricted_actors_are_absent_from_lists_and_cursors(gql: Gql) -> None:
    real = _restricted_real_names(gql)
    assert real
    full = walk(gql, "civilSocietyOrganizations", "", "key name", key=PRIVILEGED_KEY)
    assert len(full) == 160
    for order in ("NAME", "KEY"):
        edges = walk(gql, "civilSocietyOrganizations", f"orderBy: {order}", "key name")
        # the privileged list in the same order, without the restricted actors
        expected = walk(
            gql, "civilSocietyOrganizations", f"orderBy: {order}", "key name", key=PRIVILEGED_KEY
        )
        assert [e["node"] for e in edges] == [
            e["node"] for e in expected if e["node"]["key"] not in real
        ]
        assert len(edges) == 160 - len(real)
        assert not any(k in _cursor_text(e["cursor"]) for e in edges for k in real)
        # the check can see a key in a cursor: the privileged list's cursors carry them
        assert any(k in _cursor_text(e["cursor"]) for e in expected for k in real)
    for e in walk(gql, "civilSocietyOrganizations", "", "key"):
        assert not any(n.lower() in _cursor_text(e["cursor"]).lower() for n in real.values())
    names = [e["node"]["name"].lower() for e in full]
    assert names == sorted(names)


def test_navigation_leaves_restricted_actors_out_before_paging(gql: Gql) -> None:
    real = _restricted_real_names(gql)
    ids = ", ".join(f'"{k}"' for k in real)
    # every partnership of a restricted actor, seen by an analyst
    hidden: dict[str, int] = {}
    for actor in gql(
        f"{{ nodes(ids: [{ids}]) {{ ... on Actor {{ programmes(first: 100) {{ edges "
        "{ node { key } } } } } }",
        key=PRIVILEGED_KEY,
    )["data"]["nodes"]:
        for e in actor["programmes"]["edges"]:
            hidden[e["node"]["key"]] = hidden.get(e["node"]["key"], 0) + 1
    assert hidden, "no restricted partner to leave out"
    query = "{ programmes(first: 100) { edges { node { key partners { totalCount } } } } }"

    def totals(key: str | None) -> dict[str, int]:
        edges = gql(query, key=key)["data"]["programmes"]["edges"]
        return {e["node"]["key"]: e["node"]["partners"]["totalCount"] for e in edges}

    staff, viewer = totals(PRIVILEGED_KEY), totals(None)
    assert viewer == {k: n - hidden.get(k, 0) for k, n in staff.items()}
    # paging walks exactly the shown partners: the analyst's list without the hidden ones
    programme = min(hidden, key=lambda k: staff[k])

    def walk_partners(key: str | None, first: int) -> list[str]:
        seen: list[str] = []
        after = None
        while True:
            arg = f', after: "{after}"' if after else ""
            page = gql(
                f'{{ node(id: "{programme}") {{ ... on Programme {{ partners(first: {first}'
                f"{arg}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
                "edges { node { key } } } } } }",
                key=key,
            )["data"]["node"]["partners"]
            seen += [e["node"]["key"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                assert len(seen) == page["totalCount"]
                return seen
            after = page["pageInfo"]["endCursor"]

    everyone = walk_partners(PRIVILEGED_KEY, 100)
    assert walk_partners(None, 7) == [k for k in everyone if k not in real] != everyone
