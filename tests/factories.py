"""Small fictional graphs for tests. Names are invented; no real organisation appears."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator
from typing import Any

from graph.errors import GraphError
from graph.model import WeightScope
from graph.reference import member_states
from graph.store import Change, GraphStore, NodeWrite, RelEnd, RelWrite


def state(iso3: str) -> NodeWrite:
    ref = member_states()[iso3]
    return NodeWrite(
        "MemberState",
        iso3,
        {"name": ref.name, "m49": ref.m49, "region": ref.region, "subregion": ref.subregion},
    )


def node(kind: str, node_id: str, name: str, **props: Any) -> NodeWrite:
    return NodeWrite(kind, node_id, {"name": name, **props})


def rel(rel_type: str, start: str, end: str, rel_id: str | None = None, **props: Any) -> RelWrite:
    return RelWrite(rel_type, rel_id or f"{rel_type.lower()}-{start}-{end}", start, end, props)


def small_graph() -> list[Change]:
    """Two programmes, three CSOs in two regions, one company, one theme, one activity."""
    return [
        state("KEN"),
        state("FRA"),
        state("JOR"),
        node("ThematicArea", "theme-pcve", "Preventing violent extremism", code="PCVE"),
        node("ThematicArea", "theme-cft", "Countering terrorist financing", code="CFT"),
        node("Programme", "prog-a", "Alpha Programme", since="2019-01-01"),
        node("Programme", "prog-b", "Beta Programme", since="2021-01-01"),
        rel("ADDRESSES", "prog-a", "theme-pcve"),
        rel("ADDRESSES", "prog-b", "theme-cft"),
        node(
            "CivilSocietyOrganization", "cso-1", "Zorveli Youth Collective", focus_groups=["YOUTH"]
        ),
        node(
            "CivilSocietyOrganization",
            "cso-2",
            "Amarou Women's Circle",
            focus_groups=["WOMEN", "FAMILIES"],
            sensitivity="RESTRICTED",
        ),
        node(
            "CivilSocietyOrganization",
            "cso-3",
            "Bekira Interfaith Council",
            focus_groups=["RELIGIOUS_LEADERS"],
        ),
        node("Company", "co-1", "Tavromi Networks", industry="TECH_PLATFORM"),
        rel("BASED_IN", "cso-1", "KEN"),
        rel("BASED_IN", "cso-2", "KEN"),
        rel("BASED_IN", "cso-3", "JOR"),
        rel("BASED_IN", "co-1", "FRA"),
        rel("PARTNERS_IN", "cso-1", "prog-a", role="IMPLEMENTING", since="2020-01-01"),
        rel(
            "PARTNERS_IN",
            "cso-2",
            "prog-a",
            role="BENEFICIARY",
            since="2020-06-01",
            until="2021-12-31",
        ),
        rel("PARTNERS_IN", "cso-3", "prog-b", role="CO_DESIGN", since="2022-01-01"),
        rel("PARTNERS_IN", "co-1", "prog-b", role="FUNDING", since="2021-03-01", amount=250000),
        rel("PARTNERS_IN", "FRA", "prog-a", role="FUNDING", since="2019-01-01", amount=1e6),
        node(
            "Activity",
            "act-1",
            "Workshop one",
            activity_type="TRAINING",
            location="KEN",
            since="2022-05-10",
            until="2022-05-11",
        ),
        rel("PART_OF", "act-1", "prog-a"),
        rel("PARTICIPATED_IN", "cso-1", "act-1", since="2022-05-10"),
        rel("PARTICIPATED_IN", "co-1", "act-1", role="SPEAKER", since="2022-05-10"),
        node("Outcome", "out-1", "Youth leaders trained", level="OUTPUT"),
        node("Outcome", "out-2", "Community resilience improved", level="OUTCOME"),
        rel("PRODUCED", "act-1", "out-1", share=0.6),
        rel("CONTRIBUTED_TO", "out-1", "out-2", share=0.3),
    ]


# --------------------------------------------------------------------------- random writes

_STATES = ("FRA", "JOR", "KEN")
_PROGRAMMES = ("prog-a", "prog-b")
_ROLES = ("IMPLEMENTING", "FUNDING", "ADVISORY")
_YEARS = ("2019", "2020", "2021", "2022", "2024")


def random_write(rng: random.Random, step: int, actors: list[str], rels: list[str]) -> list[Change]:
    """One batch of one to three changes of a random kind, on the small graph grown so far."""
    batch: list[Change] = []
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        if choice < 0.25 or not actors:
            actor = f"cso-{rng.choice('mzab')}{step}-{len(batch)}"
            dates = {}
            if rng.random() < 0.3:
                dates["since"] = f"{rng.choice(_YEARS)}-01-01"
            name = f"Fictional Circle {actor}"
            batch.append(node("CivilSocietyOrganization", actor, name, **dates))
            batch.append(rel("BASED_IN", actor, rng.choice(_STATES), f"b-{actor}"))
            actors.append(actor)
        elif choice < 0.35:  # an update, sometimes moving the actor in or out of a date
            actor = rng.choice(actors)
            props = {"sensitivity": rng.choice(("PUBLIC", "RESTRICTED"))}
            if rng.random() < 0.4:
                props["until"] = f"{rng.choice(_YEARS)}-12-31"
            update = node("CivilSocietyOrganization", actor, f"Renamed {step}", **props)
            if rng.random() < 0.5:  # true from a day of its own (valid time), else from today
                update = dataclasses.replace(update, valid_from=f"{rng.choice(_YEARS)}-07-01")
            batch.append(update)
        elif choice < 0.7:  # a partnership, its id sorting anywhere among the others
            rel_id = f"r-{rng.choice('0aMz')}{rng.randrange(10_000):04d}"
            since = f"{rng.choice(_YEARS)}-03-01"
            until = f"{rng.choice(_YEARS[2:])}-10-01" if rng.random() < 0.3 else None
            if until is not None and until < since:
                until = None
            batch.append(
                RelWrite(
                    "PARTNERS_IN",
                    rel_id,
                    rng.choice(actors),
                    rng.choice(_PROGRAMMES),
                    {"role": rng.choice(_ROLES), "since": since, "until": until},
                )
            )
            rels.append(rel_id)
        elif choice < 0.8 and rels:  # an ending
            batch.append(RelEnd(rng.choice(rels), f"{rng.choice(_YEARS[2:])}-12-31"))
        elif choice < 0.85:  # a second (or third) place
            actor = rng.choice(actors)
            where = rng.choice(_STATES)
            batch.append(rel("BASED_IN", actor, where, f"b2-{actor}-{where}"))
        elif choice < 0.92:  # an event of a programme, and someone at it
            event = f"act-{rng.choice('0aMz')}{step}-{len(batch)}"
            day = f"{rng.choice(_YEARS)}-05-10"
            batch.append(
                node(
                    "Activity",
                    event,
                    f"Fictional workshop {event}",
                    activity_type="TRAINING",
                    location=rng.choice(_STATES),
                    since=day,
                    until=day,
                )
            )
            batch.append(rel("PART_OF", event, rng.choice(_PROGRAMMES), f"po-{event}"))
            batch.append(rel("PARTICIPATED_IN", rng.choice(actors), event, f"pi-{event}"))
        elif choice < 0.97:  # a result: an output of an activity, towards the outcome
            output = f"out-{rng.choice('0aMz')}{step}-{len(batch)}"
            batch.append(node("Outcome", output, f"Fictional output {output}", level="OUTPUT"))
            share = rng.choice((0.05, 0.1, 0.2))
            batch.append(rel("PRODUCED", rng.choice(("act-1", "prog-b")), output, share=share))
            batch.append(rel("CONTRIBUTED_TO", output, "out-2", share=rng.choice((0.02, 0.1))))
        else:  # a programme reaching one more country
            programme, where = rng.choice(_PROGRAMMES), rng.choice(_STATES)
            batch.append(rel("TARGETS", programme, where, f"t-{programme}-{where}"))
    return batch


async def random_revisions(store: GraphStore, seed: int, steps: int) -> AsyncIterator[int]:
    """The small graph, then up to ``steps`` random writes (every ninth a need-weight write:
    a revision with no graph change), yielding after each one that committed; a batch the
    model refuses (an ending before its start, say) is skipped."""
    rng = random.Random(seed)
    await store.apply(small_graph())
    actors, rels = ["cso-1", "cso-2", "cso-3"], list[str]()
    for step in range(steps):
        if step % 9 == 8:
            await store.set_need_weights({(WeightScope.REGION, "Asia"): 2.0 + step})
        else:
            try:
                await store.apply(random_write(rng, step, actors, rels))
            except GraphError:
                continue
        yield step
