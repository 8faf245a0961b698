"""A small fictional results chain for the lineage tests, with its attribution worked out by
hand (the expected numbers in the tests come from the comments here, not from the code).

    cso-1 --PARTNERS_IN(IMPLEMENTING)--> prog-a <--PART_OF-- act-1 --PRODUCED 0.6--> out-1
    co-1  --PARTNERS_IN(FUNDING, ended 2022-12-31)--> prog-a
    FRA   --PARTNERS_IN(FUNDING)--> prog-a
    cso-1 --PARTICIPATED_IN(PARTICIPANT)--> act-1
    cso-2 (restricted) --PARTICIPATED_IN(SPEAKER)--> act-1
    cso-3 --PARTICIPATED_IN(PARTICIPANT)--> act-2 --PRODUCED 0.5--> out-2   (act-2: no programme)
    cso-3 --PARTNERS_IN(CO_DESIGN)--> prog-b --PRODUCED 0.2--> out-3
    out-1 --0.3--> out-3,  out-2 --0.4--> out-3,  out-3 --0.5--> out-4,  out-5 --0.1--> out-4
    nsa-1 --PARTNERS_IN(ADVISORY)--> prog-c   (prog-c runs nothing and produced nothing)

Role weights: IMPLEMENTING, FUNDING, CO_DESIGN 1; SPEAKER 1/2; PARTICIPANT 1/4; the runner 1.
  act-1 parties: cso-1 1/4, cso-2 1/2, prog-a 1      -> total 7/4
  prog-a parties (no date): cso-1 1, co-1 1, FRA 1, UNOCT 1 -> total 4
  act-2 parties: cso-3 1/4, UNOCT 1                   -> total 5/4
  prog-b parties: cso-3 1, UNOCT 1                    -> total 2
So cso-1's share of out-1 is 0.6 * (1/4)/(7/4) + 0.6 * 1/(7/4) * 1/4 = 0.6 * 2/7 = 6/35,
of out-3 0.3 * 6/35 = 9/175 and of out-4 0.5 * 9/175 = 9/350; cso-3's share of out-3 is
0.2 * 1/2 + 0.4 * 0.5 * (1/4)/(5/4) = 0.14 and of out-4 0.07.
"""

from __future__ import annotations

from graph.store import Change
from tests.factories import node, rel, state

SOURCE = "Fictional evaluation report, 2024"


def chain() -> list[Change]:
    return [
        state("KEN"),
        state("FRA"),
        node("Programme", "prog-a", "Alpha Programme", since="2019-01-01"),
        node("Programme", "prog-b", "Beta Programme", since="2020-01-01"),
        node("Programme", "prog-c", "Gamma Programme", since="2021-01-01"),
        node("CivilSocietyOrganization", "cso-1", "Zorveli Youth Collective"),
        node(
            "CivilSocietyOrganization",
            "cso-2",
            "Amarou Women's Circle",
            sensitivity="RESTRICTED",
        ),
        node("CivilSocietyOrganization", "cso-3", "Bekira Interfaith Council"),
        node("Company", "co-1", "Tavromi Networks"),
        node("OtherNonStateActor", "nsa-1", "Quelvara Foundation"),
        rel("BASED_IN", "cso-2", "KEN"),
        rel("PARTNERS_IN", "cso-1", "prog-a", role="IMPLEMENTING", since="2020-01-01"),
        rel(
            "PARTNERS_IN",
            "co-1",
            "prog-a",
            role="FUNDING",
            since="2021-01-01",
            until="2022-12-31",
            source="Fictional grant letter naming the company",
        ),
        rel("PARTNERS_IN", "FRA", "prog-a", role="FUNDING", since="2019-01-01"),
        rel("PARTNERS_IN", "cso-3", "prog-b", role="CO_DESIGN", since="2020-01-01"),
        rel("PARTNERS_IN", "nsa-1", "prog-c", role="ADVISORY", since="2021-01-01"),
        node("Activity", "act-1", "Workshop one", activity_type="TRAINING", since="2022-05-10"),
        node("Activity", "act-2", "Dialogue two", activity_type="EVENT", since="2022-09-01"),
        rel("PART_OF", "act-1", "prog-a"),
        rel("PARTICIPATED_IN", "cso-1", "act-1", role="PARTICIPANT"),
        rel(
            "PARTICIPATED_IN",
            "cso-2",
            "act-1",
            role="SPEAKER",
            source="Fictional attendance list naming the speaker",
        ),
        rel("PARTICIPATED_IN", "cso-3", "act-2", role="PARTICIPANT"),
        node("Outcome", "out-1", "Youth leaders trained", level="OUTPUT"),
        node("Outcome", "out-2", "Dialogue report", level="OUTPUT"),
        node("Outcome", "out-3", "Community resilience improved", level="OUTCOME"),
        node("Outcome", "out-4", "Violent extremism prevented", level="IMPACT"),
        node("Outcome", "out-5", "Guidance adopted", level="OUTCOME"),
        rel("PRODUCED", "act-1", "out-1", share=0.6, confidence="HIGH", source=SOURCE),
        rel("PRODUCED", "act-2", "out-2", share=0.5),
        rel("PRODUCED", "prog-b", "out-3", share=0.2, source=SOURCE, evidence_date="2024-03-01"),
        rel("CONTRIBUTED_TO", "out-1", "out-3", share=0.3, source=SOURCE),
        rel("CONTRIBUTED_TO", "out-2", "out-3", share=0.4, confidence="LOW", source=SOURCE),
        rel("CONTRIBUTED_TO", "out-3", "out-4", share=0.5, source=SOURCE),
        rel("CONTRIBUTED_TO", "out-5", "out-4", share=0.1, source=SOURCE),
    ]


#: cso-1's attributed shares, from the docstring.
CSO_1 = {"out-1": 6 / 35, "out-3": 9 / 175, "out-4": 9 / 350}
#: cso-3's attributed shares.
CSO_3 = {"out-2": 0.5 * 0.25 / 1.25, "out-3": 0.14, "out-4": 0.07}
