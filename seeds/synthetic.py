"""A synthetic partner network for scale work, streamed so memory stays bounded.

It keeps the shape of the seed's story (``seeds/README.md``) at any size. Every programme has
a home *pool*: one M49 region and one of four thematic clusters. Actors are based in a state
(a heavy-tailed pull per state), belong to a cluster, and draw most of their programmes and
activities from their own region and cluster, with a Zipf law inside the pool (a few popular
programmes and events) and a minority of picks from anywhere (the ties that make brokers).
That gives communities (co-partnership modularity well above 0.3), programmes that draw
partners mostly from their region, no programme with a large share of all partnerships, and
heavy-tailed participation counts. Programmes, activities and outcomes are named
"Synthetic ..."; actors get fictional names from the reviewed word lists of ``seeds.names``,
with a place feature that the seed's names never have ("Quiet Wren Glade Payments"), made by a
generator of their own so that the network's structure does not depend on them. Requires the
reference seed (Member States, thematic areas).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from graph.model import RelType, relationship_id
from graph.reference import member_states
from graph.store import Change, NodeWrite, RelWrite
from seeds.names import SyntheticNames
from seeds.reference import load_json

KINDS = [
    ("CivilSocietyOrganization", "syn-cso", 60),
    ("Company", "syn-company", 15),
    ("AcademicInstitution", "syn-academic", 15),
    ("OtherNonStateActor", "syn-nsa", 10),
]
ROLES = ["IMPLEMENTING", "BENEFICIARY", "CO_DESIGN", "ADVISORY", "FUNDING"]
FOCUS = [
    "YOUTH",
    "WOMEN",
    "RELIGIOUS_LEADERS",
    "VICTIMS_ASSOCIATIONS",
    "EDUCATION_LEADERS",
    "LOCAL_COMMUNITIES",
    "MEDIA",
]
#: Into any one outcome: 0.2 from its producer plus at most 20 children x 0.03 = 0.8 <= 1.
PRODUCED_SHARE, CONTRIBUTED_SHARE, FAN_IN = 0.2, 0.03, 20


CLUSTERS = 4
#: Share of an actor's picks made inside its own region and cluster.
LOCAL = 0.85


def _zipf_cum(n: int, s: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))


def estimate(n_actors: int) -> tuple[int, int]:
    """Roughly how many nodes and relationships ``generate`` yields, for progress bars."""
    return n_actors + n_actors // 10 + n_actors // 20 + n_actors // 100, n_actors * 10


class _Pools:
    """Items (programmes or activities) grouped by home pool, each pool with a Zipf law, and
    one Zipf law over all items for the picks made anywhere."""

    def __init__(self, items: list[str], pool_of: list[int], n_pools: int, s: float) -> None:
        self.items = items
        self.every = _zipf_cum(len(items), s)
        self.members: list[list[str]] = [[] for _ in range(n_pools)]
        for item, pool in zip(items, pool_of, strict=True):
            self.members[pool].append(item)
        self.cum = [_zipf_cum(len(m), s) for m in self.members]

    def pick(self, rng: random.Random, pool: int, k: int) -> list[str]:
        picks = []
        for _ in range(k):
            members = self.members[pool]
            if members and rng.random() < LOCAL:
                picks.append(rng.choices(members, cum_weights=self.cum[pool])[0])
            else:
                picks.append(rng.choices(self.items, cum_weights=self.every)[0])
        return sorted(set(picks))


def generate(n_actors: int, seed: int = 7) -> Iterator[Change]:
    rng = random.Random(seed)
    ref = member_states()
    states = sorted(ref)
    regions = sorted({ref[s].region for s in states})
    pull = {s: rng.paretovariate(1.2) for s in states}
    state_cum = list(itertools.accumulate(pull[s] for s in states))
    in_region = {r: [s for s in states if ref[s].region == r] for r in regions}
    region_cum = {r: list(itertools.accumulate(pull[s] for s in in_region[r])) for r in regions}
    themes = sorted(t["id"] for t in load_json("thematic_areas.json"))
    cluster_themes = [themes[c::CLUSTERS] for c in range(CLUSTERS)]
    n_pools = len(regions) * CLUSTERS
    n_prog, n_act = max(10, n_actors // 100), max(20, n_actors // 10)
    n_out = max(10, n_actors // 20)

    def rel(t: RelType, a: str, b: str, **props: object) -> RelWrite:
        return RelWrite(t.value, relationship_id(t, a, b), a, b, dict(props))

    def home_state(pool: int) -> str:
        region = regions[pool // CLUSTERS]
        return rng.choices(in_region[region], cum_weights=region_cum[region])[0]

    progs = [f"syn-prog-{i:06d}" for i in range(n_prog)]
    prog_pool = [i % n_pools for i in range(n_prog)]
    for p, pool in zip(progs, prog_pool, strict=True):
        yield NodeWrite(
            "Programme",
            p,
            {
                "name": f"Synthetic programme {p[-6:]}",
                "since": f"{rng.randrange(2010, 2024)}-01-01",
            },
        )
        for t in rng.sample(cluster_themes[pool % CLUSTERS], 2):
            yield rel(RelType.ADDRESSES, p, t)
        for s in sorted({home_state(pool) for _ in range(3)}):
            yield rel(RelType.TARGETS, p, s)
    programmes = _Pools(progs, prog_pool, n_pools, 1.1)
    acts = [f"syn-act-{i:07d}" for i in range(n_act)]
    act_prog = [rng.choices(progs, cum_weights=programmes.every)[0] for _ in acts]
    act_pool = [prog_pool[int(p[-6:])] for p in act_prog]
    for a, p, pool in zip(acts, act_prog, act_pool, strict=True):
        year = rng.randrange(2015, 2026)
        yield NodeWrite(
            "Activity",
            a,
            {
                "name": f"Synthetic activity {a[-7:]}",
                "activity_type": "TRAINING",
                "since": f"{year}-{rng.randrange(1, 13):02d}-01",
                "location": home_state(pool),
            },
        )
        yield rel(RelType.PART_OF, a, p)
        yield rel(RelType.ADDRESSES, a, rng.choice(cluster_themes[pool % CLUSTERS]))
    activities = _Pools(acts, act_pool, n_pools, 1.2)
    for i in range(n_out):
        o = f"syn-out-{i:07d}"
        level = "IMPACT" if i < n_out // 50 else "OUTCOME" if i < n_out // 5 else "OUTPUT"
        yield NodeWrite("Outcome", o, {"name": f"Synthetic outcome {i:07d}", "level": level})
        yield rel(RelType.PRODUCED, rng.choice(acts), o, share=PRODUCED_SHARE)
        if i > 0:
            yield rel(
                RelType.CONTRIBUTED_TO,
                o,
                f"syn-out-{(i - 1) // FAN_IN:07d}",
                share=CONTRIBUTED_SHARE,
            )
    kind_cum = list(itertools.accumulate(w for _, _, w in KINDS))
    region_index = {r: i for i, r in enumerate(regions)}
    names = SyntheticNames(seed)
    for i in range(n_actors):
        kind, prefix, _ = rng.choices(KINDS, cum_weights=kind_cum)[0]
        actor = f"{prefix}-{i:07d}"
        focus = rng.choice(FOCUS) if kind == "CivilSocietyOrganization" else None
        props: dict[str, object] = {"name": names.make(kind, focus), "illustrative": True}
        if focus is not None:
            props["focus_groups"] = [focus]
        yield NodeWrite(kind, actor, props)
        state = rng.choices(states, cum_weights=state_cum)[0]
        pool = region_index[ref[state].region] * CLUSTERS + rng.randrange(CLUSTERS)
        yield rel(RelType.BASED_IN, actor, state)
        for p in programmes.pick(rng, pool, 1 + int(rng.expovariate(0.6))):
            role = rng.choice(ROLES)
            yield rel(
                RelType.PARTNERS_IN, actor, p, role=role, since=f"{rng.randrange(2015, 2026)}-01-01"
            )
        k = min(60, int(rng.lognormvariate(1.6, 0.8)))
        for a in activities.pick(rng, pool, k):
            yield rel(RelType.PARTICIPATED_IN, actor, a, role="PARTICIPANT")
