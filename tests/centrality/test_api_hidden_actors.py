"""Structural results that single out one restricted actor: it is left out for unprivileged
callers without leaving a gap, while the figures still count it.

The seed has no restricted actor that is an articulation point, an end of a bridge or a
stranded node, so this module writes one: a restricted CSO that alone ties a new programme to
another, which France funds (so removing that one strands the CSO).
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import PRIVILEGED_KEY, Gql, gql_mutable, mutable_api_url

__all__ = ["gql_mutable", "mutable_api_url"]

HUB = "cso-hidden-hub"
WRITE = f"""mutation {{
  a: createProgramme(input: {{key: "prog-hub-1", name: "Hub One"}}) {{ userErrors {{ code }} }}
  b: createProgramme(input: {{key: "prog-hub-2", name: "Hub Two"}}) {{ userErrors {{ code }} }}
  c: createCivilSocietyOrganization(input: {{key: "{HUB}", name: "Lantern Hush Collective",
    sensitivity: RESTRICTED}}) {{ userErrors {{ code }} }}
  d: addPartnership(input: {{actor: "{HUB}", programme: "prog-hub-1", role: ADVISORY}}) {{
    userErrors {{ code }} }}
  e: addPartnership(input: {{actor: "{HUB}", programme: "prog-hub-2", role: ADVISORY}}) {{
    userErrors {{ code }} }}
  f: addPartnership(input: {{actor: "FRA", programme: "prog-hub-1", role: FUNDING}}) {{
    userErrors {{ code }} }}
}}"""
QUERY = """{
  articulationPoints(top: 100) { total entries { rank node { key } } }
  bridges(top: 100) { total entries { rank ends { key } } }
  singlePointsOfFailure(top: 100) { total entries { rank node { key } } }
  whatIf(remove: ["prog-hub-1"], top: 100) { strandedCount stranded { key } }
}"""


def _keys(entries: list[dict[str, Any]]) -> list[list[str]]:
    return [[n["key"] for n in e.get("ends") or [e["node"]]] for e in entries]


def test_a_hidden_articulation_point_bridge_and_stranded_actor_leave_no_trace(
    gql_mutable: Gql,
) -> None:
    written = gql_mutable(WRITE, key=PRIVILEGED_KEY)["data"]
    assert all(payload["userErrors"] == [] for payload in written.values())
    staff = gql_mutable(QUERY, key=PRIVILEGED_KEY)["data"]
    viewer = gql_mutable(QUERY)["data"]
    assert "errors" not in viewer and HUB not in str(viewer)
    for field in ("articulationPoints", "bridges", "singlePointsOfFailure"):
        everyone = _keys(staff[field]["entries"])
        assert any(HUB in keys for keys in everyone), field
        ranks = [e["rank"] for e in viewer[field]["entries"]]
        assert ranks == list(range(1, len(ranks) + 1)), field
    for field in ("articulationPoints", "bridges"):
        # the staff list without every entry that names the hub, ranked again from 1 (for
        # single points of failure unprivileged callers also get no coverage cells, so their
        # list differs by more than the hub)
        everyone = _keys(staff[field]["entries"])
        assert _keys(viewer[field]["entries"]) == [k for k in everyone if HUB not in k], field
        assert viewer[field]["total"] == staff[field]["total"]  # a figure: counts the hub
    assert HUB in [n["key"] for n in staff["whatIf"]["stranded"]]
    assert viewer["whatIf"]["stranded"] == [
        n for n in staff["whatIf"]["stranded"] if n["key"] != HUB
    ]
    assert viewer["whatIf"]["strandedCount"] == staff["whatIf"]["strandedCount"]
