"""The values of each coverage family as a levelled tree: M49 geography, thematic areas, and
the stakeholder classification (actor kinds, and below them the finer stakeholder types).

Geography follows UN M49 (regions, sub-regions, the 193 Member States by ISO3), read from the
model's reference table; themes are the graph's thematic areas; stakeholder types follow the
model's enumerations (a CSO's focus groups, a company's industry, an academic institution's
type, another non-state actor's type).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from analytics.coverage.dimensions import TOTAL, TOTAL_LABEL, UNSPECIFIED, UNSPECIFIED_LABEL
from graph.model import (
    ACTOR_KINDS,
    AcademicType,
    FocusGroup,
    Industry,
    NodeKind,
    NonStateActorType,
    Region,
)
from graph.reference import member_states

__all__ = [
    "KIND_ORDER",
    "Tree",
    "actor_types",
    "geography_tree",
    "stakeholder_tree",
    "stakeholder_types",
    "theme_tree",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# --------------------------------------------------------------------------- stakeholder types

#: Actor kinds in display order, the model's (states and IGOs first, then society).
KIND_ORDER: Final = tuple(kind for kind in NodeKind if kind in ACTOR_KINDS)
_KIND_PREFIX: Final = {
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: ("CSO", "CSO", "focus_groups", FocusGroup),
    NodeKind.COMPANY: ("COMPANY", "Company", "industry", Industry),
    NodeKind.ACADEMIC_INSTITUTION: ("ACADEMIC", "Academic", "academic_type", AcademicType),
    NodeKind.OTHER_NON_STATE_ACTOR: (
        "NSA",
        "Other non-state actor",
        "actor_type",
        NonStateActorType,
    ),
}
#: Kinds whose finer type may be missing (CSOs without focus groups, companies without industry).
_MAY_LACK_TYPE: Final = frozenset({NodeKind.CIVIL_SOCIETY_ORGANIZATION, NodeKind.COMPANY})
#: Defaults the model applies when a property is absent.
_TYPE_DEFAULT: Final = {
    NodeKind.ACADEMIC_INSTITUTION: AcademicType.UNIVERSITY.value,
    NodeKind.OTHER_NON_STATE_ACTOR: NonStateActorType.NETWORK.value,
}


def _humanise(value: str) -> str:
    return value.replace("_", " ").lower()


def stakeholder_types() -> list[tuple[str, str, NodeKind]]:
    """Every stakeholder type as ``(key, label, kind)`` in display order.

    >>> [k for k, _, _ in stakeholder_types()][:3]
    ['MEMBER_STATE', 'REGIONAL_ORGANIZATION', 'CSO_YOUTH']
    """
    out: list[tuple[str, str, NodeKind]] = []
    for kind in KIND_ORDER:
        if kind not in _KIND_PREFIX:
            out.append((kind.name, _humanise(kind.name).capitalize(), kind))
            continue
        prefix, label, _, enum = _KIND_PREFIX[kind]
        for value in enum:
            out.append((f"{prefix}_{value.value}", f"{label}: {_humanise(value.value)}", kind))
        if kind in _MAY_LACK_TYPE:
            out.append((f"{prefix}_UNSPECIFIED", f"{label}: unspecified", kind))
    return out


def actor_types(kind: NodeKind, props: Mapping[str, Any]) -> list[str]:
    """The stakeholder type keys of one actor (a CSO has one per focus group).

    >>> actor_types(NodeKind.CIVIL_SOCIETY_ORGANIZATION, {"focus_groups": ["WOMEN", "YOUTH"]})
    ['CSO_WOMEN', 'CSO_YOUTH']
    >>> actor_types(NodeKind.COMPANY, {})
    ['COMPANY_UNSPECIFIED']
    """
    if kind not in _KIND_PREFIX:
        return [kind.name]
    prefix, _, prop, _ = _KIND_PREFIX[kind]
    raw = props.get(prop, _TYPE_DEFAULT.get(kind))
    values = sorted(raw) if isinstance(raw, list) else ([raw] if raw else [])
    return [f"{prefix}_{v}" for v in values] or [f"{prefix}_UNSPECIFIED"]


# --------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class Tree:
    """One dimension family as a levelled tree whose level 0 is the single total node.

    ``keys[level]`` are the values at a level in display order, ``labels`` their names, and
    ``parent[level][i]`` the index at ``level - 1`` of value ``i``. "Unspecified" is a value
    like any other at every level, so sums along a family stay complete.
    """

    keys: tuple[tuple[str, ...], ...]
    labels: tuple[tuple[str, ...], ...]
    parent: tuple[IntArray, ...]
    index: tuple[dict[str, int], ...] = field(init=False, repr=False, compare=False)
    children: tuple[tuple[tuple[int, ...], ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "index", tuple({k: i for i, k in enumerate(ks)} for ks in self.keys)
        )
        kids: list[tuple[tuple[int, ...], ...]] = []
        for level in range(len(self.keys)):
            if level + 1 < len(self.keys):
                lists: list[list[int]] = [[] for _ in self.keys[level]]
                for child, par in enumerate(self.parent[level + 1].tolist()):
                    lists[par].append(child)
                kids.append(tuple(tuple(c) for c in lists))
            else:
                kids.append(tuple(() for _ in self.keys[level]))
        object.__setattr__(self, "children", tuple(kids))

    @property
    def depth(self) -> int:
        return len(self.keys) - 1

    def size(self, level: int) -> int:
        return len(self.keys[level])

    def project(self, level: int, to_level: int) -> IntArray:
        """Index map from values at ``level`` to their ancestor at ``to_level`` (<= level)."""
        out = np.arange(self.size(level), dtype=np.int64)
        for lv in range(level, to_level, -1):
            out = self.parent[lv][out]
        return out

    def ancestor(self, level: int, idx: int, to_level: int) -> int:
        for lv in range(level, to_level, -1):
            idx = int(self.parent[lv][idx])
        return idx

    def leaves(self, level: int, idx: int, leaf_level: int) -> list[int]:
        """Descendants of a value at ``leaf_level``."""
        frontier = [idx]
        for lv in range(level, leaf_level):
            frontier = [c for i in frontier for c in self.children[lv][i]]
        return frontier


def _tree(levels: Sequence[Sequence[tuple[str, str, str | None]]]) -> Tree:
    """Build a tree from levels of ``(key, label, parent key)`` below the total."""
    keys: list[tuple[str, ...]] = [(TOTAL,)]
    labels: list[tuple[str, ...]] = [(TOTAL_LABEL,)]
    parents: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    for level in levels:
        above = {k: i for i, k in enumerate(keys[-1])}
        keys.append(tuple(k for k, _, _ in level))
        labels.append(tuple(lbl for _, lbl, _ in level))
        parents.append(np.array([above[p or TOTAL] for _, _, p in level], dtype=np.int64))
    return Tree(tuple(keys), tuple(labels), tuple(parents))


def geography_tree() -> Tree:
    """M49 regions, sub-regions and the 193 Member States (by ISO3), each with Unspecified."""
    states = sorted(member_states().values(), key=lambda r: r.iso3)
    regions = [(r.value, r.value, None) for r in Region]
    subs = sorted(
        {(s.region, s.subregion) for s in states},
        key=lambda rs: (list(Region).index(Region(rs[0])), rs[1]),
    )
    subregions = [(sub, sub, reg) for reg, sub in subs]
    countries = [(s.iso3, s.name, s.subregion) for s in states]
    return _tree(
        [
            [*regions, (UNSPECIFIED, UNSPECIFIED_LABEL, None)],
            [*subregions, (UNSPECIFIED, UNSPECIFIED_LABEL, UNSPECIFIED)],
            [*countries, (UNSPECIFIED, UNSPECIFIED_LABEL, UNSPECIFIED)],
        ]
    )


def theme_tree(themes: Iterable[tuple[str, str]]) -> Tree:
    """Thematic areas (by id) and Unspecified."""
    rows = [(tid, name, None) for tid, name in sorted(themes)]
    return _tree([[*rows, (UNSPECIFIED, UNSPECIFIED_LABEL, None)]])


def stakeholder_tree() -> Tree:
    """Actor kinds, and below them the stakeholder types."""
    kinds = [(k.value, _KIND_LABEL[k], None) for k in KIND_ORDER]
    types = [(key, label, kind.value) for key, label, kind in stakeholder_types()]
    return _tree([kinds, types])


_KIND_LABEL: Final = {
    NodeKind.MEMBER_STATE: "Member State",
    NodeKind.REGIONAL_ORGANIZATION: "Regional organisation",
    NodeKind.CIVIL_SOCIETY_ORGANIZATION: "Civil society organisation",
    NodeKind.COMPANY: "Company",
    NodeKind.ACADEMIC_INSTITUTION: "Academic institution",
    NodeKind.OTHER_NON_STATE_ACTOR: "Other non-state actor",
}
