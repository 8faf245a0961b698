"""Public reference data as changes: Member States (ISO 3166 / UN M49), regional
organisations and their members, thematic areas, and UNOCT programmes, events and outcomes.

The data files live in ``seeds/reference`` and are described in its README.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from graph.model import RelType, relationship_id
from graph.reference import member_states
from graph.store import Change, NodeWrite, RelWrite

M49_SOURCE = "UN Statistics Division, Standard country or area codes (M49)"


def load_json(name: str) -> Any:
    return json.loads(resources.files("seeds").joinpath(f"reference/{name}").read_text("utf-8"))


def _rel(rel_type: RelType, start: str, end: str, **props: Any) -> RelWrite:
    return RelWrite(
        type=rel_type,
        id=relationship_id(rel_type, start, end),
        start=start,
        end=end,
        props={k: v for k, v in props.items() if v is not None},
        where=f"seed {rel_type} {start}->{end}",
    )


def reference_changes() -> Iterator[Change]:
    for ref in member_states().values():
        yield NodeWrite(
            "MemberState",
            ref.iso3,
            {
                "name": ref.name,
                "m49": ref.m49,
                "region": ref.region,
                "subregion": ref.subregion,
                "intermediate_region": ref.intermediate_region,
                "source": M49_SOURCE,
            },
            where=f"seed member state {ref.iso3}",
        )
    for theme in load_json("thematic_areas.json"):
        yield NodeWrite(
            "ThematicArea",
            theme["id"],
            {"name": theme["name"], "code": theme["code"], "description": theme.get("description")},
            where=f"seed theme {theme['id']}",
        )
    for org in load_json("regional_organizations.json"):
        yield NodeWrite(
            "RegionalOrganization",
            org["id"],
            {
                "name": org["name"],
                "acronym": org.get("acronym"),
                "region": org.get("region"),
                "since": org.get("founded"),
                "source": org.get("source"),
            },
            where=f"seed regional organisation {org['id']}",
        )
        if org.get("headquarters"):
            yield _rel(RelType.BASED_IN, org["id"], org["headquarters"])
        for member in org["members"]:
            yield _rel(RelType.MEMBER_OF, member, org["id"], source=org.get("source"))
    yield from _unoct(load_json("unoct.json"))


def _unoct(data: dict[str, Any]) -> Iterator[Change]:
    for prog in data["programmes"]:
        yield NodeWrite(
            "Programme",
            prog["id"],
            {
                "name": prog["name"],
                "acronym": prog.get("acronym"),
                "since": prog.get("since"),
                "until": prog.get("until"),
                "description": prog.get("description"),
                "source": prog.get("source"),
            },
            where=f"seed programme {prog['id']}",
        )
        for theme in prog.get("themes", []):
            yield _rel(RelType.ADDRESSES, prog["id"], theme)
    for act in data["activities"]:
        yield NodeWrite(
            "Activity",
            act["id"],
            {
                "name": act["name"],
                "activity_type": act.get("activity_type", "EVENT"),
                "since": act.get("since"),
                "until": act.get("until"),
                "location": act.get("country"),
                "description": act.get("description"),
                "source": act.get("source"),
            },
            where=f"seed activity {act['id']}",
        )
        if act.get("programme"):
            yield _rel(RelType.PART_OF, act["id"], act["programme"])
        for theme in act.get("themes", []):
            yield _rel(RelType.ADDRESSES, act["id"], theme)
    for act in data["activities"]:
        if act.get("parent_activity"):
            yield _rel(RelType.HOSTED_ON, act["id"], act["parent_activity"])
    for out in data["outcomes"]:
        yield NodeWrite(
            "Outcome",
            out["id"],
            {
                "name": out["name"],
                "level": out.get("level", "OUTCOME"),
                "since": out.get("date"),
                "description": out.get("description"),
                "document": out.get("document", False),
                "illustrative": out.get("illustrative", False),
                "source": out.get("source"),
            },
            where=f"seed outcome {out['id']}",
        )
    for link in data["links"]:
        yield _rel(
            RelType(link["type"]),
            link["start"],
            link["end"],
            share=link.get("share"),
            source=link.get("source"),
            confidence=link.get("confidence"),
            illustrative=link.get("illustrative") or None,
        )
