"""A synthetic partner network for scale work, streamed so memory stays bounded.

Popularity of programmes and activities follows a Zipf law and actors' engagement counts are
heavy-tailed, which gives the skewed degree distribution of real partnership networks.
Programmes, activities and outcomes are named "Synthetic ..."; actors get fictional names from
the reviewed word lists of ``seeds.names``, with a place feature that the seed's names never
have ("Quiet Wren Glade Payments"), made by a generator of their own so that the network's
structure does not depend on them. Requires the reference seed (Member States, thematic areas).
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


def _zipf_cum(n: int, s: float = 1.1) -> list[float]:
    return list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(n)))


def estimate(n_actors: int) -> tuple[int, int]:
    """Roughly how many nodes and relationships ``generate`` yields, for progress bars."""
    return n_actors + n_actors // 10 + n_actors // 20 + n_actors // 100, n_actors * 10


def generate(n_actors: int, seed: int = 7) -> Iterator[Change]:
    rng = random.Random(seed)
    states = sorted(member_states())
    state_cum = list(itertools.accumulate(rng.paretovariate(1.2) for _ in states))
    themes = sorted(t["id"] for t in load_json("thematic_areas.json"))
    n_prog, n_act = max(10, n_actors // 100), max(20, n_actors // 10)
    n_out = max(10, n_actors // 20)

    def rel(t: RelType, a: str, b: str, **props: object) -> RelWrite:
        return RelWrite(t.value, relationship_id(t, a, b), a, b, dict(props))

    progs = [f"syn-prog-{i:06d}" for i in range(n_prog)]
    for p in progs:
        yield NodeWrite(
            "Programme",
            p,
            {
                "name": f"Synthetic programme {p[-6:]}",
                "since": f"{rng.randrange(2010, 2024)}-01-01",
            },
        )
        for t in rng.sample(themes, 2):
            yield rel(RelType.ADDRESSES, p, t)
        for s in sorted(set(rng.choices(states, cum_weights=state_cum, k=3))):
            yield rel(RelType.TARGETS, p, s)
    prog_cum = _zipf_cum(n_prog)
    acts = [f"syn-act-{i:07d}" for i in range(n_act)]
    for a in acts:
        year = rng.randrange(2015, 2026)
        yield NodeWrite(
            "Activity",
            a,
            {
                "name": f"Synthetic activity {a[-7:]}",
                "activity_type": "TRAINING",
                "since": f"{year}-{rng.randrange(1, 13):02d}-01",
                "location": rng.choices(states, cum_weights=state_cum)[0],
            },
        )
        yield rel(RelType.PART_OF, a, rng.choices(progs, cum_weights=prog_cum)[0])
        yield rel(RelType.ADDRESSES, a, rng.choice(themes))
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
    act_cum = _zipf_cum(n_act, 0.9)
    kind_cum = list(itertools.accumulate(w for _, _, w in KINDS))
    names = SyntheticNames(seed)
    for i in range(n_actors):
        kind, prefix, _ = rng.choices(KINDS, cum_weights=kind_cum)[0]
        actor = f"{prefix}-{i:07d}"
        focus = rng.choice(FOCUS) if kind == "CivilSocietyOrganization" else None
        props: dict[str, object] = {"name": names.make(kind, focus), "illustrative": True}
        if focus is not None:
            props["focus_groups"] = [focus]
        yield NodeWrite(kind, actor, props)
        yield rel(RelType.BASED_IN, actor, rng.choices(states, cum_weights=state_cum)[0])
        picks = rng.choices(progs, cum_weights=prog_cum, k=1 + int(rng.expovariate(0.6)))
        for p in sorted(set(picks)):
            role = rng.choice(ROLES)
            yield rel(
                RelType.PARTNERS_IN, actor, p, role=role, since=f"{rng.randrange(2015, 2026)}-01-01"
            )
        k = min(60, int(rng.lognormvariate(1.6, 0.8)))
        for a in sorted(set(rng.choices(acts, cum_weights=act_cum, k=k))):
            yield rel(RelType.PARTICIPATED_IN, actor, a, role="PARTICIPANT")
