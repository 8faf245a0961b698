"""The results-chain rules through the GraphQL write path (the network area's ``linkOutcome``),
on each store: refusals come back as ``userErrors`` naming the cycle or the over-allocated
outcome, nothing is written, and lineage answers follow successful writes at once.

Tests run in file order on one server per store; only the last ones write.
"""

from __future__ import annotations

import pytest

from tests.lineage.conftest import STAFF_KEY, Api

LINK = """
mutation ($input: LinkOutcomeInput!) {
  linkOutcome(input: $input) {
    link { id share contributor { key } outcome { key } }
    userErrors { field message code }
    revision
  }
}
"""
REVISION = "{ health { revision } }"


def link(api: Api, key: str | None = STAFF_KEY, **given: object) -> dict:
    return api.data(LINK, {"input": given}, key=key)["linkOutcome"]


def revision(api: Api) -> int:
    return int(api.data(REVISION)["health"]["revision"])


def test_a_link_closing_a_cycle_is_refused_naming_it(chain_api: Api) -> None:
    before = revision(chain_api)
    got = link(chain_api, contributor="out-4", outcome="out-1", share=0.1)
    assert got["link"] is None and got["revision"] is None
    (err,) = got["userErrors"]
    assert err["code"] == "INTEGRITY"
    assert "out-4 -> out-1 -> out-3 -> out-4" in err["message"].replace("'", "")
    assert err["field"] == ["input", "outcome"]
    self_loop = link(chain_api, contributor="out-3", outcome="out-3", share=0.1)
    assert self_loop["userErrors"][0]["code"] == "INTEGRITY"
    assert revision(chain_api) == before


def test_shares_above_one_are_refused(chain_api: Api) -> None:
    before = revision(chain_api)
    got = link(chain_api, contributor="act-1", outcome="out-3", share=0.2)  # 0.9 + 0.2
    (err,) = got["userErrors"]
    assert err["code"] == "INTEGRITY" and err["field"] == ["input", "share"]
    assert "out-3" in err["message"] and "1.1" in err["message"]
    bad = link(chain_api, contributor="act-1", outcome="out-5", share=1.5)
    assert bad["userErrors"][0]["code"] == "INVALID"
    assert bad["userErrors"][0]["field"] == ["input", "share"]
    assert revision(chain_api) == before


def test_only_staff_may_link(chain_api: Api) -> None:
    got = link(chain_api, key=None, contributor="prog-c", outcome="out-5", share=0.5)
    assert got["userErrors"][0]["code"] == "FORBIDDEN"


def test_links_touching_restricted_actors_are_left_out_with_their_sources(
    chain_api: Api,
) -> None:
    query = """{ outcomeLineage(outcome: "out-1") {
        links(first: 100) { edges { node { kind source start { key name } } } } } }"""

    def sources(key: str | None) -> dict[str, str | None]:
        edges = chain_api.data(query, key=key)["outcomeLineage"]["links"]["edges"]
        return {e["node"]["start"]["key"]: e["node"]["source"] for e in edges}

    public, staff = sources(None), sources(STAFF_KEY)
    assert staff["cso-2"] == "Fictional attendance list naming the speaker"
    assert "cso-2" not in public
    assert public == {k: v for k, v in staff.items() if k != "cso-2"}
    assert public["co-1"] == staff["co-1"] == "Fictional grant letter naming the company"


def test_a_successful_link_shows_in_lineage_at_once(chain_api: Api) -> None:
    lineage = """{ outcomeLineage(outcome: "out-5") { revision
        nodes(first: 10) { edges { node { node { key } share } } } } }"""
    issues = "{ lineageIssues { counts { kind count } } }"
    before = chain_api.data(lineage)["outcomeLineage"]
    assert [e["node"]["node"]["key"] for e in before["nodes"]["edges"]] == ["out-5"]
    counts = {c["kind"]: c["count"] for c in chain_api.data(issues)["lineageIssues"]["counts"]}
    assert counts["OUTCOME_WITHOUT_PRODUCER"] == counts["PARTNER_WITHOUT_OUTCOME"] == 1
    got = link(
        chain_api,
        contributor="prog-c",
        outcome="out-5",
        share=0.5,
        source="Fictional review",
        confidence="HIGH",
    )
    assert got["userErrors"] == [] and got["revision"] == before["revision"] + 1
    after = chain_api.data(lineage)["outcomeLineage"]
    assert after["revision"] == got["revision"]
    shares = {e["node"]["node"]["key"]: e["node"]["share"] for e in after["nodes"]["edges"]}
    assert shares["prog-c"] == 0.5
    assert shares["nsa-1"] == pytest.approx(0.5 * 0.5 / 1.5)  # ADVISORY 1/2 + UNOCT 1
    counts = {c["kind"]: c["count"] for c in chain_api.data(issues)["lineageIssues"]["counts"]}
    assert counts["OUTCOME_WITHOUT_PRODUCER"] == counts["PARTNER_WITHOUT_OUTCOME"] == 0
    # Exactly 1 in total is allowed: out-5 now takes 0.5.
    full = link(chain_api, contributor="act-2", outcome="out-5", share=0.5)
    assert full["userErrors"] == []


def test_issues_about_a_restricted_actor_are_left_out_and_not_counted(chain_api: Api) -> None:
    staff_only = """mutation { createProgramme(input: {key: "prog-quiet", name: "Quiet"}) {
          userErrors { code } }
        createCivilSocietyOrganization(input: {key: "cso-quiet", name: "Hush Collective",
          sensitivity: RESTRICTED}) { userErrors { code } }
        addPartnership(input: {actor: "cso-quiet", programme: "prog-quiet", role: ADVISORY}) {
          userErrors { code } } }"""
    written = chain_api.data(staff_only, key=STAFF_KEY)
    assert all(payload["userErrors"] == [] for payload in written.values())
    query = """{ lineageIssues { counts { kind count }
        issues(first: 100, kinds: [PARTNER_WITHOUT_OUTCOME]) { totalCount
          edges { node { node { key } message } } } } }"""
    public = chain_api.data(query)["lineageIssues"]
    staff = chain_api.data(query, key=STAFF_KEY)["lineageIssues"]
    assert "cso-quiet" in str(staff["issues"])
    assert "cso-quiet" not in str(public) and "Hush" not in str(public)
    assert public["issues"]["totalCount"] == staff["issues"]["totalCount"] - 1
    # Not counted either: public counts that included it would tell, by subtraction from the
    # list, that a hidden actor exists and when it joins or leaves.
    hidden = {"PARTNER_WITHOUT_OUTCOME": 1}
    assert public["counts"] == [
        {"kind": c["kind"], "count": c["count"] - hidden.get(c["kind"], 0)} for c in staff["counts"]
    ]
