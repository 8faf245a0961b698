"""The lineage queries over real HTTP, on the seed data, for each store.

The Malaga numbers are the worked example of docs/LINEAGE.md. Who was in the two rooms is
read from the seed's own records (``seeds.illustrative``) and the shares are computed here
from the documented rule (role weights, the runner's 1), so the tests check the rule, not a
copy of a run; the document quotes the seed's current rooms and must change with them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from api.nodes import to_global_id
from graph.model import NodeKind
from graph.store import RelWrite
from tests.lineage.conftest import STAFF_KEY, Api
from tests.seed_facts import restricted, seed

#: docs/LINEAGE.md, "Attribution": the weight of each role against the runner's 1.
ROLE_WEIGHT = {
    "IMPLEMENTING": 1.0,
    "CO_DESIGN": 1.0,
    "FUNDING": 1.0,
    "HOST": 1.0,
    "ADVISORY": 0.5,
    "SPEAKER": 0.5,
    "PARTICIPANT": 0.25,
    "BENEFICIARY": 0.25,
}
CONFERENCE, PROCESS, CALL = "act-malaga-conference", "act-malaga-process", "out-malaga-call"
CONFERENCE_SHARE, PROCESS_SHARE = 0.8, 0.2


def room(target: str) -> dict[str, float]:
    """Each party of an activity or programme with its (strongest) role's weight."""
    weights: dict[str, float] = defaultdict(float)
    for r in seed()[1]:
        if r.end == target and r.type in ("PARTICIPATED_IN", "PARTNERS_IN"):
            weights[r.start] = max(weights[r.start], ROLE_WEIGHT[r.props["role"]])
    return dict(weights)


def total(target: str) -> float:
    """The weight an activity's credit is divided by: its parties and its runner (1)."""
    return sum(room(target).values()) + 1


def malaga_share(actor: str) -> float:
    """An actor's share of the call through the two rooms it was in (not through prog-cso)."""
    conference, process = room(CONFERENCE), room(PROCESS)
    return CONFERENCE_SHARE * conference.get(actor, 0) / total(CONFERENCE) + (
        PROCESS_SHARE * process.get(actor, 0) / total(PROCESS)
    )


def downstream(programme: str) -> tuple[set[str], list[RelWrite]]:
    """The outcomes a programme led to (produced by it or by its activities, then up the
    results chain) and the contribution links followed to reach them."""
    rels = seed()[1]
    sources = {programme} | {r.start for r in rels if r.type == "PART_OF" and r.end == programme}
    links = [r for r in rels if r.type == "PRODUCED" and r.start in sources]
    reached = {r.end for r in links}
    frontier = set(reached)
    while frontier:
        step = [r for r in rels if r.type == "CONTRIBUTED_TO" and r.start in frontier]
        links += step
        frontier = {r.end for r in step} - reached
        reached |= frontier
    return reached, links


def example(role: str | None, *, both: bool = False) -> str:
    """A public CSO of the conference with this role (any if None), in the process too if
    ``both``, and not a partner of prog-cso (whose credit would add a third path)."""
    partners, conference, process = room("prog-cso"), room(CONFERENCE), room(PROCESS)
    return next(
        a
        for a in sorted(conference)
        if a.startswith("cso-")
        and (role is None or conference[a] == ROLE_WEIGHT[role])
        and (a in process) == both
        and a not in partners
        and not restricted(a)
    )


MALAGA = """
query ($depth: Int!, $first: Int!, $after: String) {
  outcomeLineage(outcome: "out-malaga-call", direction: BOTH, depth: $depth) {
    outcome { key name level }
    direction depth minShare asOf revision
    nodes(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { kind side hops share level node { key name } } }
    }
  }
}
"""


def all_nodes(api: Api, depth: int = 5, first: int = 100) -> list[dict]:
    out: list[dict] = []
    after = None
    while True:
        page = api.data(MALAGA, {"depth": depth, "first": first, "after": after})
        nodes = page["outcomeLineage"]["nodes"]
        out += [e["node"] for e in nodes["edges"]]
        if not nodes["pageInfo"]["hasNextPage"]:
            assert len(out) == nodes["totalCount"]
            return out
        after = nodes["pageInfo"]["endCursor"]


def test_malaga_worked_example(seed_api: Api) -> None:
    nodes = {n["node"]["key"]: n for n in all_nodes(seed_api, depth=2)}
    assert nodes[CALL]["side"] == "START"
    assert nodes[CONFERENCE]["share"] == pytest.approx(CONFERENCE_SHARE)
    for actor in (example("SPEAKER"), example("PARTICIPANT"), example(None, both=True)):
        assert nodes[actor]["share"] == pytest.approx(malaga_share(actor)), actor
    runner = CONFERENCE_SHARE / total(CONFERENCE) + PROCESS_SHARE / total(PROCESS)
    assert nodes["prog-cso"]["share"] == pytest.approx(runner)
    assert nodes["out-gcts"]["side"] == "DOWNSTREAM"
    assert nodes["out-gcts"]["share"] == pytest.approx(0.3 * 0.1 + 0.05 * 0.1)
    assert nodes["out-gcts"]["level"] == "IMPACT"


def test_pages_walk_the_whole_lineage_in_order(seed_api: Api) -> None:
    whole = all_nodes(seed_api, first=100)
    paged = all_nodes(seed_api, first=7)
    assert paged == whole
    keys = [(n["hops"], n["node"]["key"]) for n in whole]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    body = seed_api(MALAGA, {"depth": 5, "first": 5, "after": "bm90IGEgY3Vyc29y"})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}


def test_links_and_paths(seed_api: Api) -> None:
    data = seed_api.data(
        """{ outcomeLineage(outcome: "out-malaga-call") {
              links(first: 100) { totalCount edges { node {
                id kind side factor share confidence role start { key } end { key } } } }
              paths(first: 3) { truncated paths { share length relationshipIds nodes { key } } }
              all: paths(first: 100) { truncated paths { share nodes { key } } } } }"""
    )["outcomeLineage"]
    links = [e["node"] for e in data["links"]["edges"]]
    assert [x["id"] for x in links] == sorted(x["id"] for x in links)
    produced = {x["start"]["key"]: x for x in links if x["kind"] == "PRODUCED"}
    assert produced["act-malaga-conference"]["share"] == 0.8
    assert produced["act-malaga-conference"]["factor"] == 0.8
    assert {x["side"] for x in links} == {"UPSTREAM"}
    top = data["paths"]
    assert top["truncated"] is True and len(top["paths"]) == 3
    every = data["all"]
    assert every["truncated"] is False
    assert every["paths"][:3] == [{"share": p["share"], "nodes": p["nodes"]} for p in top["paths"]]
    shares = [p["share"] for p in every["paths"]]
    assert shares == sorted(shares, reverse=True)
    speaker = example("SPEAKER")
    [direct] = [p for p in every["paths"] if p["nodes"][0]["key"] == speaker]
    assert [n["key"] for n in direct["nodes"]] == [speaker, CONFERENCE, CALL]
    assert direct["share"] == pytest.approx(CONFERENCE_SHARE * 0.5 / total(CONFERENCE))
    # prog-cso runs both rooms and passes its credit on to its own partners.
    through_runner = {
        p["nodes"][0]["key"] for p in every["paths"] if p["nodes"][1]["key"] == "prog-cso"
    }
    assert through_runner and through_runner <= set(room("prog-cso"))


#: The restricted actors upstream of the call: in either room, or partners of their runner.
HIDDEN_IN_MALAGA = {
    a for a in {*room(CONFERENCE), *room(PROCESS), *room("prog-cso")} if restricted(a)
}


def test_restricted_actors_are_left_out_unless_privileged(seed_api: Api) -> None:
    query = """{ outcomeLineage(outcome: "out-malaga-call") {
        nodes(first: 100) { totalCount edges { node { share node { key ... on Actor {
          sensitivity } } } } }
        links(first: 100) { totalCount edges { node { start { key } end { key } } } }
        paths(first: 100) { truncated paths { share nodes { key } } } } }"""
    public = seed_api.data(query)["outcomeLineage"]
    staff = seed_api.data(query, key=STAFF_KEY)["outcomeLineage"]
    hidden = {
        e["node"]["node"]["key"]
        for e in staff["nodes"]["edges"]
        if e["node"]["node"].get("sensitivity") == "RESTRICTED"
    }
    assert hidden >= HIDDEN_IN_MALAGA
    # nodes: the analyst's list without them, counted without them, shares unchanged
    assert public["nodes"]["edges"] == [
        e for e in staff["nodes"]["edges"] if e["node"]["node"]["key"] not in hidden
    ]
    assert public["nodes"]["totalCount"] == staff["nodes"]["totalCount"] - len(hidden)
    # links touching them are left out too
    assert public["links"]["edges"] == [
        e
        for e in staff["links"]["edges"]
        if not {e["node"]["start"]["key"], e["node"]["end"]["key"]} & hidden
    ]
    assert public["links"]["totalCount"] == len(public["links"]["edges"])
    # paths through them are dropped, not cut short
    assert staff["paths"]["truncated"] is False
    assert public["paths"] == {
        "truncated": False,
        "paths": [
            p for p in staff["paths"]["paths"] if not {n["key"] for n in p["nodes"]} & hidden
        ],
    }
    assert len(public["paths"]["paths"]) < len(staff["paths"]["paths"])


def test_paths_are_topped_up_past_the_dropped_ones(seed_api: Api) -> None:
    query = """query ($first: Int!) { outcomeLineage(outcome: "out-malaga-call") {
        paths(first: $first) { truncated paths { nodes { key } } } } }"""
    staff = seed_api.data(query, {"first": 100}, key=STAFF_KEY)["outcomeLineage"]["paths"]
    shown = [p for p in staff["paths"] if not {n["key"] for n in p["nodes"]} & HIDDEN_IN_MALAGA]
    # the best few paths include hidden ones: asking for as many shown ones tops them up
    first = next(i for i, p in enumerate(staff["paths"]) if p not in shown) + 2
    assert first < len(shown)
    got = seed_api.data(query, {"first": first})["outcomeLineage"]["paths"]
    assert got == {"truncated": True, "paths": shown[:first]}
    last = seed_api.data(query, {"first": len(shown)})["outcomeLineage"]["paths"]
    assert last == {"truncated": False, "paths": shown}


def test_a_hidden_subject_is_not_found_like_a_missing_one(seed_api: Api) -> None:
    hidden = min(HIDDEN_IN_MALAGA)
    gid = seed_api.data(f'{{ node(id: "{hidden}") {{ id }} }}', key=STAFF_KEY)["node"]["id"]
    missing = to_global_id(NodeKind.CIVIL_SOCIETY_ORGANIZATION, "cso-9999")
    for field, argument in (
        ("contributions", "actor"),
        ("outcomeLineage", "outcome"),
        ("programmeImpact", "programme"),
    ):

        def error(given: str, key: str, field: str = field, argument: str = argument) -> dict:
            body = seed_api(f'{{ {field}({argument}: "{given}") {{ depth }} }}')
            [found] = body["errors"]
            assert body["data"] is None
            return {"message": found["message"].replace(key, "KEY"), **found["extensions"]}

        expected = {"message": f"no {argument} with id 'KEY'", "code": "NOT_FOUND"}
        assert error(hidden, hidden) == error("cso-9999", "cso-9999") == expected
        assert error(gid, hidden) == error(missing, "cso-9999") == expected
    assert seed_api.data(f'{{ contributions(actor: "{hidden}") {{ depth }} }}', key=STAFF_KEY)


def test_programme_partners_leave_hidden_actors_out(seed_api: Api) -> None:
    query = """query ($after: String) { programmeImpact(programme: "prog-jpoa-central-asia") {
        partners(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
          edges { node { share actor { key sensitivity } } } } } }"""

    def partners(key: str | None) -> list[dict]:
        found: list[dict] = []
        after = None
        while True:
            page = seed_api.data(query, {"after": after}, key=key)["programmeImpact"]["partners"]
            found += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                assert len(found) == page["totalCount"]
                return found
            after = page["pageInfo"]["endCursor"]

    staff = partners(STAFF_KEY)
    hidden = [p for p in staff if p["actor"]["sensitivity"] == "RESTRICTED"]
    assert hidden
    assert partners(None) == [p for p in staff if p not in hidden]


def test_contributions_of_an_actor(seed_api: Api) -> None:
    actor = example(None, both=True)
    data = seed_api.data(
        """query ($actor: ID!) { contributions(actor: $actor) { actor { key } depth
              outcomes(first: 100) { totalCount edges { node {
                outcome { key } level hops share
                paths(first: 100) { truncated paths { share nodes { key } } } } } } } }""",
        {"actor": actor},
    )["contributions"]
    assert data["depth"] == 8
    outcomes = [e["node"] for e in data["outcomes"]["edges"]]
    assert len(outcomes) == data["outcomes"]["totalCount"] > 0
    assert [o["share"] for o in outcomes] == sorted((o["share"] for o in outcomes), reverse=True)
    keys = {o["outcome"]["key"]: o for o in outcomes}
    malaga = keys["out-malaga-call"]
    assert malaga["share"] == pytest.approx(malaga_share(actor))
    for o in outcomes:
        assert 0 <= o["share"] <= 1
        assert not o["paths"]["truncated"]
        assert sum(p["share"] for p in o["paths"]["paths"]) == pytest.approx(o["share"])
        for p in o["paths"]["paths"]:
            assert p["nodes"][0]["key"] == actor
            assert p["nodes"][-1]["key"] == o["outcome"]["key"]


def test_programme_impact_summary(seed_api: Api) -> None:
    data = seed_api.data(
        """{ programmeImpact(programme: "prog-cso") {
              programme { key } depth
              byLevel { level count }
              evidence { links withSource withEvidenceDate coverage
                         byConfidence { confidence count } }
              outcomes(first: 100) { totalCount edges { node { outcome { key } level share } } }
              outputs: outcomes(first: 100, level: OUTPUT) { totalCount }
              partners(first: 10) { totalCount } } }"""
    )["programmeImpact"]
    reached, links = downstream("prog-cso")
    levels = Counter(seed()[0][o].props["level"] for o in reached)
    assert data["byLevel"] == [{"level": lv, "count": levels[lv]} for lv in sorted(levels)]
    shares = {e["node"]["outcome"]["key"]: e["node"]["share"] for e in data["outcomes"]["edges"]}
    assert shares["out-cse-strategy"] == 1.0  # produced by prog-cso alone
    runner = CONFERENCE_SHARE / total(CONFERENCE) + PROCESS_SHARE / total(PROCESS)
    assert shares[CALL] == pytest.approx(runner)
    assert data["outputs"]["totalCount"] == levels["OUTPUT"]
    public = [a for a in room("prog-cso") if not restricted(a)]
    assert data["partners"]["totalCount"] == len(public)
    assert data["evidence"]["links"] == len(links)
    assert data["evidence"]["withSource"] == sum(1 for r in links if r.props.get("source"))
    assert data["evidence"]["coverage"] == pytest.approx(
        data["evidence"]["withSource"] / data["evidence"]["links"]
    )


def test_lineage_issues_of_the_seed(seed_api: Api) -> None:
    data = seed_api.data(
        """{ lineageIssues { counts { kind count }
              issues(first: 3) { totalCount pageInfo { endCursor }
                edges { node { kind node { key } relationshipId message } } }
              none: issues(kinds: [PARTNER_WITHOUT_OUTCOME]) { totalCount } } }"""
    )["lineageIssues"]
    counts = {c["kind"]: c["count"] for c in data["counts"]}
    # Counted as listed: issues about actors hidden from this caller are in neither.
    assert sum(counts.values()) == data["issues"]["totalCount"]
    contributions = [r for r in seed()[1] if r.type in ("PRODUCED", "CONTRIBUTED_TO")]
    assert counts["LINK_WITHOUT_EVIDENCE"] == sum(not r.props.get("source") for r in contributions)
    assert counts["OUTCOME_WITHOUT_PRODUCER"] == 0
    assert data["none"]["totalCount"] == counts["PARTNER_WITHOUT_OUTCOME"]
    first = data["issues"]["edges"][0]["node"]
    assert first["kind"] == "LINK_WITHOUT_EVIDENCE" and first["relationshipId"]


def test_bad_arguments_are_coded(seed_api: Api) -> None:
    def error(query: str) -> dict:
        body = seed_api(query)
        assert body["errors"], body
        return body["errors"][0]["extensions"]

    assert error('{ outcomeLineage(outcome: "out-malaga-call", depth: 21) { depth } }') == {
        "code": "BAD_USER_INPUT",
        "argument": "depth",
    }
    assert error('{ outcomeLineage(outcome: "out-gcts", minShare: 1.5) { depth } }') == {
        "code": "BAD_USER_INPUT",
        "argument": "minShare",
    }
    assert error('{ outcomeLineage(outcome: "nowhere") { depth } }')["code"] == "NOT_FOUND"
    assert error('{ outcomeLineage(outcome: "cso-0001") { depth } }') == {
        "code": "BAD_USER_INPUT",
        "argument": "outcome",
    }
    assert error('{ contributions(actor: "out-gcts") { depth } }')["argument"] == "actor"
    assert error('{ programmeImpact(programme: "cso-0001") { depth } }')["argument"] == (
        "programme"
    )
    assert error('{ outcomeLineage(outcome: "out-gcts") { paths(first: 0) { truncated } } }') == {
        "code": "BAD_USER_INPUT",
        "argument": "first",
    }


def test_global_ids_are_accepted(seed_api: Api) -> None:
    gid = seed_api.data('{ node(id: "out-malaga-call") { id } }')["node"]["id"]
    data = seed_api.data(
        "query ($id: ID!) { outcomeLineage(outcome: $id) { outcome { key } } }", {"id": gid}
    )
    assert data["outcomeLineage"]["outcome"]["key"] == "out-malaga-call"
