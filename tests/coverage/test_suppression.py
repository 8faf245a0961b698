"""Small counts stay hidden: no suppressed cell can be recovered by subtraction from totals,
from a coarser or finer grouping, or from a second query with a neighbouring selection."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analytics.coverage import Dimension, GeographyBasis, Window, build_index, down_set
from analytics.coverage_report import Cube, MatrixQuery, build_matrix
from analytics.suppression import protect
from tests.coverage import attack
from tests.coverage.conftest import GraphBuilder

D = Dimension
K = 5
AS_OF = Window.as_of(dt.date(2024, 6, 30))
#: Two regions, four sub-regions, nine countries.
COUNTRIES = ["KEN", "UGA", "TZA", "EGY", "MAR", "FRA", "DEU", "ITA", "ESP"]
THEMES = ["t1", "t2", "t3"]
KINDS: list[tuple[str, dict[str, object]]] = [
    ("CivilSocietyOrganization", {"focus_groups": ["YOUTH"]}),
    ("CivilSocietyOrganization", {"focus_groups": ["WOMEN"]}),
    ("CivilSocietyOrganization", {"focus_groups": ["VICTIMS_ASSOCIATIONS"]}),
    ("Company", {"industry": "TECH_PLATFORM"}),
    ("Company", {"industry": "FINANCIAL_SERVICES"}),
    ("AcademicInstitution", {"academic_type": "THINK_TANK"}),
]


def additive_graph(seed: int, actors: int, skew: float) -> Cube:
    """A fictional network where every actor has one seat, one type and one theme, so every
    total is exactly the sum of its parts (the attacker's best case)."""
    rng = random.Random(seed)
    b = GraphBuilder().states(COUNTRIES)
    for t in THEMES:
        b.node("ThematicArea", t, code=t.upper())
        b.node("Programme", f"p-{t}", since="2019-01-01").rel("ADDRESSES", f"p-{t}", t)
    weights = [skew**i for i in range(len(COUNTRIES))]
    for i in range(actors):
        kind, props = rng.choice(KINDS)
        actor = f"x{i}"
        b.node(kind, actor, **props)
        b.rel("BASED_IN", actor, rng.choices(COUNTRIES, weights)[0])
        b.rel("PARTNERS_IN", actor, f"p-{rng.choice(THEMES)}", role="ADVISORY", since="2020-01-01")
    return Cube(build_index(b.graph()), AS_OF, GeographyBasis.PARTNER)


def check(cube: Cube, top: tuple[int, int, int]) -> attack.View:
    v = attack.view(cube, top, K)
    # primary suppression: every count from 1 to k-1 is hidden, zeros are shown
    for ref, truth in v.truth.items():
        if 1 <= truth < K:
            assert v.values[ref] is None, ref
        if truth == 0:
            assert v.values[ref] == 0, ref
        if v.values[ref] is not None:
            assert v.values[ref] == truth
    assert attack.subtraction(v) == []
    assert attack.recovered(v) == {}
    return v


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    # shrinking re-runs the whole attack hundreds of times; the failing example is enough
    phases=[Phase.explicit, Phase.generate],
)
@given(
    seed=st.integers(0, 10_000),
    actors=st.integers(8, 90),
    skew=st.floats(0.5, 1.0),
)
def test_no_hidden_cell_is_recovered_across_a_lattice(seed: int, actors: int, skew: float) -> None:
    cube = additive_graph(seed, actors, skew)
    check(cube, (2, 1, 1))


def test_no_hidden_cell_is_recovered_at_country_level() -> None:
    for seed in (1, 2):
        v = check(additive_graph(seed, 70, 0.8), (3, 1, 0))
        assert v.hidden(), "the test graph should need suppression"


def test_no_hidden_cell_is_recovered_with_stakeholder_types() -> None:
    check(additive_graph(3, 120, 0.9), (1, 1, 2))


def test_a_neighbouring_selection_shows_the_same_figures() -> None:
    cube = additive_graph(7, 60, 0.8)
    full = build_matrix(cube, MatrixQuery((D.SUBREGION, D.THEME)), {}, K)
    assert any(c.suppressed for row in full.cells for c in row)
    keys = [h.key for h in full.rows]
    cols = [h.key for h in full.columns]
    for drop_row in keys:
        for drop_col in [None, *cols]:
            sel = {D.SUBREGION: [k for k in keys if k != drop_row]}
            if drop_col:
                sel[D.THEME] = [c for c in cols if c != drop_col]
            part = build_matrix(cube, MatrixQuery.of((D.SUBREGION, D.THEME), sel), {}, K)
            assert part.total == full.total
            for r, h in enumerate(part.rows):
                fr = keys.index(h.key)
                assert part.row_totals[r] == full.row_totals[fr]
                for c, ch in enumerate(part.columns):
                    fc = cols.index(ch.key)
                    assert part.cells[r][c] == full.cells[fr][fc]
                    assert part.column_totals[c] == full.column_totals[fc]


def test_every_figure_of_a_hidden_cell_is_hidden() -> None:
    cube = additive_graph(11, 50, 0.7)
    m = build_matrix(cube, MatrixQuery((D.REGION, D.THEME), breakdown=True), {}, K)
    hidden = [c for row in m.cells for c in row if c.suppressed]
    assert hidden
    for c in hidden:
        figures = (c.partners, c.partnerships, c.programmes, c.activities, c.funding)
        assert figures == (None,) * 5
        assert c.engagement_index is None and c.gap is None and c.last_activity is None
    # the kind breakdown is the region x theme x kind table, protected the same way
    for row in m.cells:
        for c in row:
            for kc in c.partners_by_kind or ():
                assert kc.suppressed == (kc.partners is None)
                assert kc.partners is None or kc.partners == 0 or kc.partners >= K


def test_decisions_do_not_depend_on_which_grouping_was_asked_first() -> None:
    index = additive_graph(5, 80, 0.8).index
    first = Cube(index, AS_OF, GeographyBasis.PARTNER)
    first.protection(K, (3, 1, 2))  # the finest lattice first: country x theme x type
    coarse_after = build_matrix(first, MatrixQuery((D.REGION, D.THEME)), {}, K)
    alone = Cube(index, AS_OF, GeographyBasis.PARTNER)
    coarse_alone = build_matrix(alone, MatrixQuery((D.REGION, D.THEME)), {}, K)
    assert coarse_after == coarse_alone


def test_privileged_callers_see_every_count() -> None:
    cube = additive_graph(5, 40, 0.6)
    m = build_matrix(cube, MatrixQuery((D.COUNTRY, D.THEME)), {}, None)
    assert not any(c.suppressed for row in m.cells for c in row)
    assert m.suppression_k is None


def test_moves_keep_every_relation() -> None:
    """The certificate of each hidden cell is a change that no published figure notices."""
    cube = additive_graph(9, 60, 0.8)
    top = (2, 1, 1)
    tables = cube.tables(top)
    p = protect(cube.index.trees, tables, top, K)
    v = attack.view(cube, top, K)
    lines = attack.relations(v)
    for levels in down_set(top):
        # a move made for a table keeps every relation among that table and coarser ones
        within = set(down_set(levels))
        here = [(t, ps) for t, ps in lines if t[0] in within and ps[0][0] in within]
        for move in p.moves[levels]:
            delta = dict(move)
            for ref, amount in delta.items():
                assert v.values[ref] is None, "a move touches only hidden cells"
                assert v.truth[ref] + amount >= 1 - 1e-9 or v.truth[ref] - amount >= 1 - 1e-9
            for total, parts in here:
                change = sum(delta.get(p, 0.0) for p in parts) - delta.get(total, 0.0)
                assert abs(change) < 1e-9
