"""The illustrative partner network: fictional CSOs, companies, academic institutions and other
non-state actors, their partnerships, activities and outcomes, laid over the real reference
data.

The network is built to tell the story written down in ``seeds/README.md``, so that every
analysis has something true to find: programmes grouped in thematic *clusters* that draw their
own partners (communities), a regional plan that draws on its region, a few networks that
bridge clusters (brokers), a Pacific group reached through one regional network (a single point
of failure), registered actors with no engagement yet (isolates), and regions, themes and
stakeholder types left thin on purpose (coverage gaps). ``tests/test_seed_story.py`` asserts
each of these, so the story cannot silently degrade.

Deterministic: one fixed seed, inputs iterated in sorted order. Every date is on or before
:data:`AS_OF`, so figures asked as of that date never drift with the calendar.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graph.model import (
    AcademicType,
    FocusGroup,
    Industry,
    NodeKind,
    NonStateActorType,
    RelType,
    Role,
    relationship_id,
)
from graph.reference import member_states
from graph.store import Change, NodeWrite, RelWrite
from seeds.names import (
    ACADEMIC_DESCRIPTORS,
    COMPANY_DESCRIPTORS,
    CSO_DESCRIPTORS,
    NSA_DESCRIPTORS,
    NameMaker,
)
from seeds.reference import load_json, reference_changes

SEED = 20_220_510
#: The seed's "today": the latest date anywhere in it. Examples and story tests ask as of it.
AS_OF = dt.date(2026, 6, 30)
COUNTS = {"cso": 160, "company": 40, "academic": 40, "nsa": 20, "activity": 80, "output": 40}
FICTIONAL = (
    "Fictional organisation created for illustration; any resemblance to a real "
    "organisation is coincidental."
)

#: Thematic clusters of programmes, with each programme's relative pull inside its cluster.
#: Partners join programmes of their own cluster mostly, which is what makes communities.
CLUSTERS: dict[str, dict[str, float]] = {
    "prevention": {
        "prog-pcve": 4,
        "prog-yeep": 3,
        "prog-sport": 1.5,
        "prog-bi-hub": 1.5,
        "prog-parliamentary": 1,
    },
    "rights": {"prog-vot": 3, "prog-cso": 3, "prog-vep": 1},
    "digital": {"prog-ct-tech": 3, "prog-cyber": 2.5, "prog-vt": 2},
    "borders": {"prog-bsm": 2.5, "prog-ct-travel": 2, "prog-cft": 2.5, "prog-cbrn": 1},
    "central-asia": {"prog-jpoa-central-asia": 1},
}
#: Whole-of-UNOCT frameworks: funded by Member States, not run with non-state partners.
UMBRELLA = ("prog-compact", "prog-uncct-5yp")
REGIONAL_PLAN = "prog-jpoa-central-asia"
CENTRAL_ASIA = "Central Asia"
#: Where non-state actors are based, by M49 region ("Central Asia" is its sub-region of Asia,
#: drawn separately so that the regional plan has a civil society to draw on). Oceania is thin
#: on purpose: apart from the Pacific group it is a designed coverage gap.
REGION_WEIGHTS = {
    "Africa": 34,
    "Asia": 24,
    CENTRAL_ASIA: 8,
    "Americas": 16,
    "Europe": 16,
    "Oceania": 2,
}
FOCUS_WEIGHTS = {
    FocusGroup.YOUTH: 25,
    FocusGroup.WOMEN: 20,
    FocusGroup.LOCAL_COMMUNITIES: 12,
    FocusGroup.RELIGIOUS_LEADERS: 10,
    FocusGroup.EDUCATION_LEADERS: 8,
    FocusGroup.MEDIA: 7,
    FocusGroup.HUMAN_RIGHTS: 7,
    FocusGroup.FAMILIES: 5,
    FocusGroup.CULTURAL_LEADERS: 4,
    FocusGroup.VICTIMS_ASSOCIATIONS: 2,
}
FOCUS_CLUSTER = {
    FocusGroup.VICTIMS_ASSOCIATIONS: "rights",
    FocusGroup.HUMAN_RIGHTS: "rights",
    FocusGroup.MEDIA: "digital",
}
INDUSTRY_WEIGHTS = {
    Industry.TECH_PLATFORM: 35,
    Industry.FINANCIAL_SERVICES: 20,
    Industry.TELECOMMUNICATIONS: 12,
    Industry.TRANSPORT_AND_TRAVEL: 10,
    Industry.SECURITY_SERVICES: 10,
    Industry.MEDIA_AND_ENTERTAINMENT: 8,
    Industry.CONSULTING: 5,
}
INDUSTRY_CLUSTER = {
    Industry.TECH_PLATFORM: "digital",
    Industry.TELECOMMUNICATIONS: "digital",
    Industry.MEDIA_AND_ENTERTAINMENT: "digital",
    Industry.FINANCIAL_SERVICES: "borders",
    Industry.TRANSPORT_AND_TRAVEL: "borders",
    Industry.SECURITY_SERVICES: "borders",
}
ACADEMIC_WEIGHTS = {
    AcademicType.UNIVERSITY: 55,
    AcademicType.THINK_TANK: 25,
    AcademicType.RESEARCH_INSTITUTE: 20,
}
ACADEMIC_CLUSTERS = {
    AcademicType.UNIVERSITY: {"prevention": 2, "rights": 1, "digital": 1},
    AcademicType.THINK_TANK: {"prevention": 2, "borders": 1},
    AcademicType.RESEARCH_INSTITUTE: {"digital": 1, "borders": 1},
}
ROLE_WEIGHTS = {
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: {
        Role.IMPLEMENTING: 40,
        Role.BENEFICIARY: 30,
        Role.CO_DESIGN: 15,
        Role.ADVISORY: 15,
    },
    NodeKind.COMPANY: {
        Role.FUNDING: 20,
        Role.ADVISORY: 30,
        Role.IMPLEMENTING: 20,
        Role.CO_DESIGN: 30,
    },
    NodeKind.ACADEMIC_INSTITUTION: {Role.ADVISORY: 50, Role.IMPLEMENTING: 30, Role.CO_DESIGN: 20},
    NodeKind.OTHER_NON_STATE_ACTOR: {Role.FUNDING: 50, Role.IMPLEMENTING: 30, Role.ADVISORY: 20},
}
#: Chance that a further programme of an actor lies outside its home cluster.
CROSS_CLUSTER = 0.12
#: Designed actors (see seeds/README.md): brokers bridging clusters, the Pacific network and
#: the group it alone connects, and registered actors with no engagement yet.
BROKERS: dict[str, tuple[str, ...]] = {
    "nsa-001": (REGIONAL_PLAN, "prog-pcve", "prog-cso"),
    "nsa-002": ("prog-ct-tech", "prog-yeep", "prog-vot"),
    "nsa-003": ("prog-cft", "prog-cyber", "prog-parliamentary"),
}
PACIFIC_NETWORK = "nsa-004"
PACIFIC_GROUP = tuple(f"cso-{i:04d}" for i in range(155, 161))
UNENGAGED = tuple(f"cso-{i:04d}" for i in range(151, 155))
PACIFIC_STATES = ("FJI", "PNG", "SLB", "VUT", "WSM", "TON")
DONORS, BENEFICIARIES = 24, 60


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange(max(1, (hi - lo).days)))


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.names = NameMaker(SEED)
        self.changes: list[Change] = []
        self.states = member_states()
        # A fixed per-country pull: about a third of states get none, a few get a lot.
        self.country_weight = {
            c: 0.0 if self.rng.random() < 0.33 else self.rng.paretovariate(1.3)
            for c in sorted(self.states)
        }
        self.pool: dict[str, list[str]] = {}
        for c in sorted(self.states):
            ref = self.states[c]
            area = CENTRAL_ASIA if ref.subregion == CENTRAL_ASIA else ref.region
            self.pool.setdefault(area, []).append(c)
        unoct = load_json("unoct.json")
        self.programmes = {p["id"]: p for p in unoct["programmes"]}
        self.activities: list[dict[str, Any]] = sorted(unoct["activities"], key=lambda a: a["id"])
        self.outcomes: list[dict[str, Any]] = sorted(unoct["outcomes"], key=lambda o: o["id"])
        self.share_used: dict[str, float] = {}
        for link in unoct["links"]:
            self.share_used[link["end"]] = self.share_used.get(link["end"], 0) + link["share"]
        #: actor id -> (kind, country, home cluster, category)
        self.actors: dict[str, tuple[NodeKind, str, str, str]] = {}
        self.partners: dict[str, list[str]] = {p: [] for p in sorted(self.programmes)}

    # -------------------------------------------------------------- primitives

    def node(self, kind: NodeKind, node_id: str, **props: Any) -> None:
        clean = {k: v for k, v in props.items() if v is not None}
        self.changes.append(NodeWrite(kind.value, node_id, clean, where=f"seed {node_id}"))

    def rel(self, rel_type: RelType, start: str, end: str, *disc: Any, **props: Any) -> None:
        clean = {k: v for k, v in props.items() if v is not None}
        clean["illustrative"] = True
        self.changes.append(
            RelWrite(
                rel_type.value,
                relationship_id(rel_type, start, end, *disc),
                start,
                end,
                clean,
                where=f"seed {rel_type} {start}->{end}",
            )
        )

    def country(self, area: str) -> str:
        pool = self.pool[area]
        weights = [self.country_weight[c] for c in pool]
        if not any(weights):
            return self.rng.choice(pool)
        return self.rng.choices(pool, weights=weights)[0]

    def region_of(self, actor: str) -> str:
        return self.states[self.actors[actor][1]].region

    # -------------------------------------------------------------- actors

    def actors_of_kind(self) -> None:
        for i in range(1, COUNTS["cso"] + 1):
            node_id = f"cso-{i:04d}"
            focus = [_pick(self.rng, FOCUS_WEIGHTS)]
            if self.rng.random() < 0.3:
                second = _pick(self.rng, FOCUS_WEIGHTS)
                if second not in focus:
                    focus.append(second)
            area = "Oceania" if node_id in PACIFIC_GROUP else _pick(self.rng, REGION_WEIGHTS)
            cluster = FOCUS_CLUSTER.get(focus[0], "prevention")
            if area == CENTRAL_ASIA and self.rng.random() < 0.8:
                cluster = "central-asia"
            sensitive = {FocusGroup.VICTIMS_ASSOCIATIONS, FocusGroup.HUMAN_RIGHTS} & set(focus)
            restricted = self.rng.random() < (0.5 if sensitive else 0.15)
            self.actor(
                NodeKind.CIVIL_SOCIETY_ORGANIZATION,
                node_id,
                self.names.make(CSO_DESCRIPTORS[focus[0]]),
                area,
                cluster,
                focus[0].value,
                focus_groups=[f.value for f in focus],
                sensitivity="RESTRICTED" if restricted else "PUBLIC",
                iati_org_type=self.rng.choice([22, 22, 22, 21, 23, 24]),
            )
        for i in range(1, COUNTS["company"] + 1):
            industry = _pick(self.rng, INDUSTRY_WEIGHTS)
            self.actor(
                NodeKind.COMPANY,
                f"company-{i:03d}",
                self.names.make(COMPANY_DESCRIPTORS[industry]),
                _pick(self.rng, {"Americas": 35, "Europe": 35, "Asia": 25, "Africa": 5}),
                INDUSTRY_CLUSTER.get(industry) or self.rng.choice(sorted(CLUSTERS)[1:]),
                industry.value,
                industry=industry.value,
            )
        for i in range(1, COUNTS["academic"] + 1):
            atype = _pick(self.rng, ACADEMIC_WEIGHTS)
            area = _pick(self.rng, REGION_WEIGHTS | {"Oceania": 0})
            cluster = _pick(self.rng, ACADEMIC_CLUSTERS[atype])
            if area == CENTRAL_ASIA:
                cluster = "central-asia"
            self.actor(
                NodeKind.ACADEMIC_INSTITUTION,
                f"academic-{i:03d}",
                self.names.make(ACADEMIC_DESCRIPTORS[atype]),
                area,
                cluster,
                atype.value,
                academic_type=atype.value,
            )
        for i in range(1, COUNTS["nsa"] + 1):
            node_id = f"nsa-{i:03d}"
            designed = node_id in BROKERS or node_id == PACIFIC_NETWORK
            ntype = (
                NonStateActorType.NETWORK
                if designed
                else _pick(
                    self.rng,
                    {
                        NonStateActorType.FOUNDATION: 45,
                        NonStateActorType.NETWORK: 35,
                        NonStateActorType.ASSOCIATION: 20,
                    },
                )
            )
            area = (
                "Oceania"
                if node_id == PACIFIC_NETWORK
                else _pick(self.rng, REGION_WEIGHTS | {"Oceania": 0})
            )
            self.actor(
                NodeKind.OTHER_NON_STATE_ACTOR,
                node_id,
                self.names.make(NSA_DESCRIPTORS[ntype]),
                area,
                self.rng.choice(sorted(CLUSTERS)),
                ntype.value,
                actor_type=ntype.value,
                iati_org_type=60 if ntype is NonStateActorType.FOUNDATION else 90,
            )

    def actor(
        self,
        kind: NodeKind,
        node_id: str,
        name: str,
        area: str,
        cluster: str,
        category: str,
        **props: Any,
    ) -> None:
        country = self.country(area)
        if node_id in PACIFIC_GROUP:
            country = PACIFIC_STATES[PACIFIC_GROUP.index(node_id) % len(PACIFIC_STATES)]
        hi = dt.date(2026, 3, 1) if node_id in UNENGAGED else dt.date(2018, 1, 1)
        lo = dt.date(2025, 9, 1) if node_id in UNENGAGED else dt.date(1995, 1, 1)
        since = _date(self.rng, lo, hi).isoformat()
        self.node(
            kind, node_id, name=name, description=FICTIONAL, illustrative=True, since=since, **props
        )
        self.rel(RelType.BASED_IN, node_id, country)
        self.actors[node_id] = (kind, country, cluster, category)

    # -------------------------------------------------------------- engagement

    def programmes_for(self, actor: str) -> list[str]:
        """The programmes an actor joins: one to three, from its home cluster mostly."""
        if actor in BROKERS:
            return list(BROKERS[actor])
        if actor in PACIFIC_GROUP or actor in UNENGAGED:
            return []
        if actor == PACIFIC_NETWORK:
            return ["prog-pcve"]
        home = self.actors[actor][2]
        chosen = [_pick(self.rng, CLUSTERS[home])]
        for _ in range(min(2, int(self.rng.expovariate(1.3)))):
            cluster = home
            if self.rng.random() < CROSS_CLUSTER:
                cluster = self.rng.choice(sorted(set(CLUSTERS) - {home, "central-asia"}))
            chosen.append(_pick(self.rng, CLUSTERS[cluster]))
        return sorted(set(chosen))

    def partnerships(self) -> None:
        for actor_id, (kind, *_rest) in self.actors.items():
            for prog in self.programmes_for(actor_id):
                self.partnership(actor_id, prog, _pick(self.rng, ROLE_WEIGHTS[kind]))
        engaged = sorted((c for c, w in self.country_weight.items() if w), key=lambda c: c)
        thematic = {p: w for c in CLUSTERS.values() for p, w in c.items() if p != REGIONAL_PLAN}
        donors = sorted(self.rng.sample(engaged, k=DONORS), key=lambda c: -self.country_weight[c])
        for state in donors:
            self.partnership(state, self.rng.choice(UMBRELLA), Role.FUNDING)
            self.partnership(state, _pick(self.rng, thematic), Role.FUNDING)
        rest = [c for c in engaged if c not in donors]
        for state in sorted(self.rng.sample(rest, k=min(BENEFICIARIES, len(rest)))):
            central = self.states[state].subregion == CENTRAL_ASIA
            prog = REGIONAL_PLAN if central else _pick(self.rng, thematic)
            self.partnership(state, prog, Role.BENEFICIARY)
            self.rel(RelType.TARGETS, prog, state)
        for state in self.pool[CENTRAL_ASIA]:
            if state not in self.partners[REGIONAL_PLAN]:
                self.rel(RelType.TARGETS, REGIONAL_PLAN, state)

    def partnership(self, actor: str, prog: str, role: Role) -> None:
        prog_since = self.programmes[prog].get("since") or "2017-01-01"
        lo = max(dt.date.fromisoformat(prog_since), dt.date(2017, 1, 1))
        since = _date(self.rng, lo, dt.date(2026, 3, 31))
        until = None
        # Designed actors' partnerships stay open, so the designed structure holds on AS_OF.
        if self.rng.random() < 0.25 and actor not in BROKERS and actor != PACIFIC_NETWORK:
            until = min(since + dt.timedelta(days=self.rng.randrange(180, 1100)), AS_OF)
        amount = None
        if role is Role.FUNDING:
            amount = round(self.rng.lognormvariate(12.5, 1.0), -3)
        self.partners[prog].append(actor)
        self.rel(
            RelType.PARTNERS_IN,
            actor,
            prog,
            role.value,
            since.isoformat(),
            role=role.value,
            since=since.isoformat(),
            until=until.isoformat() if until else None,
            amount=amount,
        )

    def participate(self, who: str, act: str, day: str, role: str = "PARTICIPANT") -> None:
        self.rel(RelType.PARTICIPATED_IN, who, act, role=role, since=day)

    def illustrative_activities(self) -> list[str]:
        """Each programme's own trainings and events, held where its partners are, attended
        by its partners mostly; the Pacific dialogues, which only the Pacific network links to
        the rest of the network."""
        runs = {
            p: len([a for a in ps if a in self.actors]) for p, ps in sorted(self.partners.items())
        }
        acts: list[str] = []
        pacific = 2
        for i in range(1, COUNTS["activity"] + 1):
            act_id = f"act-illustrative-{i:03d}"
            day = _date(self.rng, dt.date(2018, 1, 1), AS_OF - dt.timedelta(days=30))
            if i <= pacific:
                prog, country = "prog-pcve", PACIFIC_STATES[i - 1]
                attendees = [PACIFIC_NETWORK, *PACIFIC_GROUP]
            else:
                prog = _pick(self.rng, {p: n for p, n in runs.items() if n})
                members = sorted(a for a in self.partners[prog] if a in self.actors)
                if prog == REGIONAL_PLAN:  # held in the region it is for
                    members = [a for a in members if self.actors[a][1] in self.pool[CENTRAL_ASIA]]
                host = self.rng.choice(members)
                country = self.actors[host][1]
                region = self.states[country].region
                local = [a for a in members if self.region_of(a) == region]
                pool = local if len(local) >= 4 else members
                k = min(len(pool), self.rng.randrange(3, 12))
                attendees = [host, *self.rng.sample(pool, k=k)]
            atype = _pick(self.rng, {"TRAINING": 50, "EVENT": 30, "CONFERENCE": 20})
            themes = self.programmes[prog].get("themes", [])
            self.node(
                NodeKind.ACTIVITY,
                act_id,
                name=f"{atype.title()} {i:03d} ({self.states[country].name}, {day.year})",
                activity_type=atype,
                location=country,
                since=day.isoformat(),
                until=(day + dt.timedelta(days=self.rng.randrange(1, 4))).isoformat(),
                description="Illustrative activity.",
                illustrative=True,
            )
            self.rel(RelType.PART_OF, act_id, prog)
            if themes:
                self.rel(RelType.ADDRESSES, act_id, self.rng.choice(sorted(themes)))
            for who in sorted(set(attendees)):
                self.participate(who, act_id, day.isoformat())
            acts.append(act_id)
        return acts

    def of(self, kinds: set[NodeKind], where: Mapping[str, Any] | None = None) -> list[str]:
        """The actors of these kinds whose region, cluster or category is in ``where``;
        designed actors left out, so that the designed structure stays as designed."""
        designed = {*BROKERS, PACIFIC_NETWORK, *PACIFIC_GROUP, *UNENGAGED}
        found = []
        for a, (kind, country, cluster, category) in sorted(self.actors.items()):
            region = self.states[country].region
            facts = {"region": region, "cluster": cluster, "category": category}
            wanted = all(facts[k] in v for k, v in (where or {}).items())
            if kind in kinds and a not in designed and wanted:
                found.append(a)
        return found

    def event_participants(self) -> None:
        """Plausible participants for each documented event: who would have been in the
        room, drawn from the fictional actors of the right kind, region and focus."""
        cso, co = {NodeKind.CIVIL_SOCIETY_ORGANIZATION}, {NodeKind.COMPANY}
        aca, nsa = {NodeKind.ACADEMIC_INSTITUTION}, {NodeKind.OTHER_NON_STATE_ACTOR}
        africa = {"region": {"Africa"}}
        african_states = sorted(self.pool["Africa"])
        engaged = [c for c in sorted(self.states) if self.country_weight[c]]
        rooms: dict[str, list[tuple[list[str], int]]] = {
            "act-un-au-twg": [(["ro-au"], 1), (self.of(cso, africa), 3), (self.of(aca, africa), 1)],
            "act-academic-cop": [(self.of(aca), 12)],
            "act-connect-learn": [(self.of(aca), 4), (self.of(cso), 5), (self.of(co), 2)],
            "act-digital-spaces-series": [
                (self.of(co, {"cluster": {"digital"}}), 7),
                (self.of(cso, {"category": {"MEDIA", "YOUTH"}}), 4),
                (self.of(aca, {"category": {"RESEARCH_INSTITUTE"}}), 2),
            ],
            "act-global-congress-vot-2022": [
                (self.of(cso, {"category": {"VICTIMS_ASSOCIATIONS"}}), 8),
                (self.of(cso, {"category": {"HUMAN_RIGHTS"}}), 4),
                (engaged, 6),
            ],
            "act-malaga-conference": [
                (["ESP"], 1),
                (self.of(cso, {"cluster": {"rights", "prevention"}}), 14),
            ],
            "act-malaga-process": [(self.of(cso, {"cluster": {"rights"}}), 6)],
            "act-abuja-meeting-2024": [
                (["NGA", "ro-au", "ro-ecowas"], 3),
                ([s for s in african_states if s != "NGA"], 6),
            ],
            "act-nairobi-conference-2019": [
                (["KEN"], 1),
                (self.of(cso, africa), 9),
                (self.of(aca, africa), 2),
            ],
            "act-sport-egm-2020": [
                (self.of(cso, {"category": {"YOUTH"}}), 5),
                (self.of(nsa, {"category": {"FOUNDATION"}}), 2),
                (self.of(co, {"category": {"MEDIA_AND_ENTERTAINMENT"}}), 2),
            ],
            "act-hlc-heads-ct-agencies-2018": [(engaged, 20)],
            "act-virtual-dialogue-2021": [(self.of(cso), 10)],
            "act-vt-global-network": [
                (engaged, 4),
                (self.of(co, {"category": {"SECURITY_SERVICES", "TRANSPORT_AND_TRAVEL"}}), 4),
                (self.of(aca, {"category": {"RESEARCH_INSTITUTE"}}), 2),
            ],
        }
        # The brokers also show up where their clusters meet.
        rooms["act-malaga-conference"].append((["nsa-001"], 1))
        rooms["act-digital-spaces-series"].append((["nsa-002"], 1))
        rooms["act-global-congress-vot-2022"].append((["nsa-003"], 1))
        drawn: dict[str, set[str]] = {}
        for act in self.activities:
            day = act.get("since") or "2022-01-01"
            who: set[str] = set()
            if act["id"] == "act-malaga-process":  # carried on by some of the conference's CSOs
                conference = sorted(a for a in drawn["act-malaga-conference"] if a in self.actors)
                who |= set(self.rng.sample(conference, k=3))
            for pool, k in rooms.get(act["id"], []):
                who |= set(self.rng.sample(pool, k=min(k, len(pool))))
            drawn[act["id"]] = who
            for actor in sorted(who):
                role = "PARTICIPANT"
                if actor in self.actors and self.rng.random() < 0.2:
                    role = "SPEAKER"
                self.participate(actor, act["id"], day, role)

    def outputs(self, acts: Sequence[str]) -> None:
        targets = [o["id"] for o in self.outcomes if o.get("level") != "IMPACT"]
        for i in range(1, COUNTS["output"] + 1):
            out_id = f"out-illustrative-{i:03d}"
            producer = self.rng.choice(acts)
            self.node(
                NodeKind.OUTCOME,
                out_id,
                name=f"Illustrative output {i:03d}",
                level="OUTPUT",
                description="Illustrative results-chain output.",
                illustrative=True,
            )
            self.rel(
                RelType.PRODUCED,
                producer,
                out_id,
                share=round(self.rng.uniform(0.4, 1.0), 2),
                confidence="MEDIUM",
            )
            target = self.rng.choice(targets)
            room = 1.0 - self.share_used.get(target, 0.0)
            share = round(min(room * 0.3, self.rng.uniform(0.02, 0.1)), 3)
            if share > 0:
                self.share_used[target] = self.share_used.get(target, 0.0) + share
                self.rel(RelType.CONTRIBUTED_TO, out_id, target, share=share, confidence="LOW")


def illustrative_changes() -> Sequence[Change]:
    b = _Builder()
    b.actors_of_kind()
    b.partnerships()
    acts = b.illustrative_activities()
    b.event_participants()
    b.outputs(acts)
    return b.changes


def seed_changes() -> Iterator[Change]:
    """Reference data, then the illustrative network, in one deterministic order."""
    yield from reference_changes()
    yield from illustrative_changes()
