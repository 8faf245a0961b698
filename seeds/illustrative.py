"""The illustrative partner network: fictional CSOs, companies, academic institutions and other
non-state actors, their partnerships, activities and outcomes, laid over the real reference
data.

Engagement is deliberately uneven (some regions, countries, themes and focus groups get far
more than others, many states get none) so that the coverage and centrality analyses have real
gaps and hubs to find. Deterministic: one fixed seed, inputs iterated in sorted order.
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
COUNTS = {"cso": 160, "company": 40, "academic": 40, "nsa": 20, "activity": 80, "output": 40}
FICTIONAL = (
    "Fictional organisation created for illustration; any resemblance to a real "
    "organisation is coincidental."
)
REGION_WEIGHTS = {"Africa": 34, "Asia": 30, "Americas": 16, "Europe": 14, "Oceania": 6}
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
LAST_DAY = dt.date(2026, 6, 30)
#: How many descriptors each category had when names were random syllables (before names came
#: from reviewed word lists): see ``_retired_name_draws``.
_RETIRED_DESCRIPTOR_COUNTS = {
    "YOUTH": 3,
    "WOMEN": 3,
    "FAMILIES": 2,
    "RELIGIOUS_LEADERS": 2,
    "CULTURAL_LEADERS": 2,
    "EDUCATION_LEADERS": 2,
    "VICTIMS_ASSOCIATIONS": 2,
    "MEDIA": 2,
    "HUMAN_RIGHTS": 2,
    "LOCAL_COMMUNITIES": 2,
    "TECH_PLATFORM": 3,
    "TELECOMMUNICATIONS": 2,
    "FINANCIAL_SERVICES": 3,
    "TRANSPORT_AND_TRAVEL": 2,
    "SECURITY_SERVICES": 2,
    "MEDIA_AND_ENTERTAINMENT": 2,
    "CONSULTING": 2,
    "UNIVERSITY": 2,
    "THINK_TANK": 2,
    "RESEARCH_INSTITUTE": 2,
    "FOUNDATION": 2,
    "NETWORK": 2,
    "ASSOCIATION": 2,
}


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange(max(1, (hi - lo).days)))


def _retired_name_draws(rng: random.Random, category: str) -> None:
    """Take, and discard, the draws that the retired syllable name generator took from the
    builder's random stream for one name: a descriptor, then two or three syllables of onset
    (16 choices), vowel (8) and coda (9). Names now come from a generator of their own; taking
    these draws keeps every key, flag, date and relationship of the seed exactly as it was."""
    rng.choice(range(_RETIRED_DESCRIPTOR_COUNTS[category]))
    for _ in range(rng.choice((2, 2, 3))):
        rng.choice(range(16))
        rng.choice(range(8))
        rng.choice(range(9))


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.names = NameMaker(SEED)
        self.changes: list[Change] = []
        states = member_states()
        # A fixed per-country pull: about a third of states get none, a few get a lot.
        self.country_weight = {
            c: 0.0 if self.rng.random() < 0.33 else self.rng.paretovariate(1.3) for c in states
        }
        self.by_region: dict[str, list[str]] = {}
        for c, ref in states.items():
            self.by_region.setdefault(ref.region, []).append(c)
        unoct = load_json("unoct.json")
        self.programmes: list[dict[str, Any]] = sorted(unoct["programmes"], key=lambda p: p["id"])
        self.activities: list[dict[str, Any]] = sorted(unoct["activities"], key=lambda a: a["id"])
        self.outcomes: list[dict[str, Any]] = sorted(unoct["outcomes"], key=lambda o: o["id"])
        self.share_used: dict[str, float] = {}
        for link in unoct["links"]:
            self.share_used[link["end"]] = self.share_used.get(link["end"], 0) + link["share"]
        self.prog_weight = {p["id"]: self.rng.paretovariate(1.1) for p in self.programmes}
        self.actors: dict[str, tuple[NodeKind, str]] = {}

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

    def country(self, region: str | None = None) -> str:
        region = region or _pick(self.rng, REGION_WEIGHTS)
        pool = self.by_region[region]
        weights = [self.country_weight[c] for c in pool]
        if not any(weights):
            return self.rng.choice(pool)
        return self.rng.choices(pool, weights=weights)[0]

    # -------------------------------------------------------------- actors

    def name(self, descriptors: Mapping[str, Sequence[str]], category: str) -> str:
        _retired_name_draws(self.rng, category)
        return self.names.make(descriptors[category])

    def actors_of_kind(self) -> None:
        for i in range(1, COUNTS["cso"] + 1):
            focus = [_pick(self.rng, FOCUS_WEIGHTS)]
            if self.rng.random() < 0.3:
                second = _pick(self.rng, FOCUS_WEIGHTS)
                if second not in focus:
                    focus.append(second)
            sensitive = {FocusGroup.VICTIMS_ASSOCIATIONS, FocusGroup.HUMAN_RIGHTS} & set(focus)
            restricted = self.rng.random() < (0.5 if sensitive else 0.15)
            self.actor(
                NodeKind.CIVIL_SOCIETY_ORGANIZATION,
                f"cso-{i:04d}",
                self.name(CSO_DESCRIPTORS, focus[0]),
                focus_groups=[f.value for f in focus],
                sensitivity="RESTRICTED" if restricted else "PUBLIC",
                iati_org_type=self.rng.choice([22, 22, 22, 21, 23, 24]),
            )
        for i in range(1, COUNTS["company"] + 1):
            industry = _pick(
                self.rng,
                {
                    Industry.TECH_PLATFORM: 35,
                    Industry.FINANCIAL_SERVICES: 20,
                    Industry.TELECOMMUNICATIONS: 12,
                    Industry.TRANSPORT_AND_TRAVEL: 10,
                    Industry.SECURITY_SERVICES: 10,
                    Industry.MEDIA_AND_ENTERTAINMENT: 8,
                    Industry.CONSULTING: 5,
                },
            )
            self.actor(
                NodeKind.COMPANY,
                f"company-{i:03d}",
                self.name(COMPANY_DESCRIPTORS, industry),
                region=_pick(self.rng, {"Americas": 35, "Europe": 35, "Asia": 25, "Africa": 5}),
                industry=industry.value,
            )
        for i in range(1, COUNTS["academic"] + 1):
            atype = _pick(
                self.rng,
                {
                    AcademicType.UNIVERSITY: 55,
                    AcademicType.THINK_TANK: 25,
                    AcademicType.RESEARCH_INSTITUTE: 20,
                },
            )
            self.actor(
                NodeKind.ACADEMIC_INSTITUTION,
                f"academic-{i:03d}",
                self.name(ACADEMIC_DESCRIPTORS, atype),
                academic_type=atype.value,
            )
        for i in range(1, COUNTS["nsa"] + 1):
            ntype = _pick(
                self.rng,
                {
                    NonStateActorType.FOUNDATION: 45,
                    NonStateActorType.NETWORK: 35,
                    NonStateActorType.ASSOCIATION: 20,
                },
            )
            self.actor(
                NodeKind.OTHER_NON_STATE_ACTOR,
                f"nsa-{i:03d}",
                self.name(NSA_DESCRIPTORS, ntype),
                actor_type=ntype.value,
                iati_org_type=60 if ntype is NonStateActorType.FOUNDATION else 90,
            )

    def actor(
        self, kind: NodeKind, node_id: str, name: str, region: str | None = None, **props: Any
    ) -> None:
        country = self.country(region)
        since = _date(self.rng, dt.date(1995, 1, 1), dt.date(2018, 1, 1)).isoformat()
        self.node(
            kind, node_id, name=name, description=FICTIONAL, illustrative=True, since=since, **props
        )
        self.rel(RelType.BASED_IN, node_id, country)
        self.actors[node_id] = (kind, country)

    # -------------------------------------------------------------- engagement

    def partnerships(self) -> None:
        prog_ids = [p["id"] for p in self.programmes]
        prog_since = {p["id"]: p.get("since") or "2017-01-01" for p in self.programmes}
        weights = [self.prog_weight[p] for p in prog_ids]
        for actor_id, (kind, _country) in self.actors.items():
            k = 1 + min(3, int(self.rng.expovariate(0.9)))
            chosen = sorted(set(self.rng.choices(prog_ids, weights=weights, k=k)))
            for prog in chosen:
                role = _pick(self.rng, ROLE_WEIGHTS[kind])
                self.partnership(actor_id, prog, role, prog_since[prog])
        states = sorted(self.country_weight, key=lambda c: -self.country_weight[c])
        donors = states[:30]
        for state in donors:
            for prog in sorted(set(self.rng.choices(prog_ids, weights=weights, k=2))):
                self.partnership(state, prog, Role.FUNDING, prog_since[prog])
        for state in states[30:100]:
            prog = self.rng.choices(prog_ids, weights=weights)[0]
            self.partnership(state, prog, Role.BENEFICIARY, prog_since[prog])
            self.rel(RelType.TARGETS, prog, state)

    def partnership(self, actor: str, prog: str, role: Role, prog_since: str) -> None:
        lo = max(dt.date.fromisoformat(prog_since), dt.date(2017, 1, 1))
        since = _date(self.rng, lo, dt.date(2025, 12, 31))
        until = None
        if self.rng.random() < 0.25:
            until = min(since + dt.timedelta(days=self.rng.randrange(180, 1100)), LAST_DAY)
        amount = None
        if role is Role.FUNDING:
            amount = round(self.rng.lognormvariate(12.5, 1.0), -3)
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

    def activities_and_outcomes(self) -> None:
        prog_ids = [p["id"] for p in self.programmes]
        themes = {p["id"]: p.get("themes", []) for p in self.programmes}
        weights = [self.prog_weight[p] for p in prog_ids]
        actor_ids = sorted(self.actors)
        acts: list[str] = []
        for i in range(1, COUNTS["activity"] + 1):
            prog = self.rng.choices(prog_ids, weights=weights)[0]
            country = self.country()
            day = _date(self.rng, dt.date(2018, 1, 1), dt.date(2026, 6, 1))
            atype = _pick(self.rng, {"TRAINING": 50, "EVENT": 30, "CONFERENCE": 20})
            act_id = f"act-illustrative-{i:03d}"
            theme_name = themes[prog][0] if themes[prog] else None
            self.node(
                NodeKind.ACTIVITY,
                act_id,
                name=f"{atype.title()} {i:03d} ({member_states()[country].name}, {day.year})",
                activity_type=atype,
                location=country,
                since=day.isoformat(),
                until=(day + dt.timedelta(days=self.rng.randrange(1, 4))).isoformat(),
                description="Illustrative activity.",
                illustrative=True,
            )
            self.rel(RelType.PART_OF, act_id, prog)
            if theme_name:
                self.rel(RelType.ADDRESSES, act_id, theme_name)
            acts.append(act_id)
            region = member_states()[country].region
            local = [a for a in actor_ids if member_states()[self.actors[a][1]].region == region]
            pool = local if len(local) >= 3 else actor_ids
            for who in sorted(
                set(self.rng.sample(pool, k=min(len(pool), self.rng.randrange(3, 12))))
            ):
                self.rel(
                    RelType.PARTICIPATED_IN, who, act_id, role="PARTICIPANT", since=day.isoformat()
                )
        csos = [a for a in actor_ids if self.actors[a][0] is NodeKind.CIVIL_SOCIETY_ORGANIZATION]
        for ref_act in self.activities:
            ref_day = ref_act.get("since") or "2022-01-01"
            for who in sorted(self.rng.sample(csos, k=12)):
                self.rel(
                    RelType.PARTICIPATED_IN,
                    who,
                    ref_act["id"],
                    role=_pick(self.rng, {"PARTICIPANT": 80, "SPEAKER": 20}),
                    since=ref_day,
                )
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
            if targets:
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
    b.activities_and_outcomes()
    return b.changes


def seed_changes() -> Iterator[Change]:
    """Reference data, then the illustrative network, in one deterministic order."""
    yield from reference_changes()
    yield from illustrative_changes()
