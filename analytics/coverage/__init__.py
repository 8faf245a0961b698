"""Coverage analytics: who is engaged where, on what, and with which kinds of stakeholder.

The unit of coverage is an *engagement*: an actor's ``PARTNERS_IN`` relationship to a
programme (a partnership) or its ``PARTICIPATED_IN`` relationship to an activity (a
participation). Each engagement is attributed to cells of three dimension families:

geography
    ``PARTNER`` basis (default): the country the actor is ``BASED_IN`` (a Member State is its
    own country). ``TARGET`` basis: the states the programme or activity ``TARGETS`` (a
    regional organisation stands for its member states; an activity's ``location`` counts; an
    activity without targets inherits its programme's). Either way the country rolls up to its
    UN M49 sub-region and region. Engagements without any geography go to "Unspecified".
theme
    The thematic areas the programme or activity ``ADDRESSES``; an activity inherits the
    themes of the programme it is ``PART_OF``. No theme: "Unspecified".
stakeholder
    The actor's kind, and below it a finer type: a CSO's focus groups (one type per group),
    a company's industry, an academic institution's type, another non-state actor's type.

Engagements and the structure around them are read once per graph revision into a columnar
:class:`EngagementIndex`; each query then filters by a :class:`Window` and counts with numpy,
which keeps the 100,000-actor graph well inside the latency budget.

Why the partner's geography is the default: coverage asks where society is engaged, and a
youth network based in Nairobi is Kenyan presence whatever the programme targets. Targets say
where programmes aim, which answers a different question ("where do we work?"), so it is offered
as ``TARGET`` rather than mixed in.

Classification relationships (``ADDRESSES``, ``TARGETS``, ``PART_OF``, ``BASED_IN``,
``MEMBER_OF``) are read over the whole history: they say what a programme is about, not when
it happened. Only engagements, and the validity of the nodes they join, are filtered by date.

Modules, one idea each (the coverage reports, their disclosure control and the suppression it
rests on are :mod:`analytics.coverage_report`, :mod:`analytics.disclosure` and
:mod:`analytics.suppression`):

* :mod:`~analytics.coverage.dimensions`: the families, their levels, the lattice of tables;
* :mod:`~analytics.coverage.trees`: each family's values as a levelled tree, and the
  stakeholder classification;
* :mod:`~analytics.coverage.engagements`: the engagement index of a revision, and windows;
* :mod:`~analytics.coverage.tables`: the metrics of every cell of a table.

This package re-exports their public names, so ``from analytics import coverage`` is all a
caller needs.

Examples
--------
A youth CSO based in Kenya partners in a programme on PCVE:

>>> import datetime as dt
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("KEN", kind="MemberState")
>>> g.add_node("cso", kind="CivilSocietyOrganization", country="KEN", focus_groups=["YOUTH"])
>>> g.add_node("prog", kind="Programme"); g.add_node("pcve", kind="ThematicArea", name="PCVE")
>>> _ = g.add_edge("cso", "prog", type="PARTNERS_IN", role="IMPLEMENTING", since="2020-01-01")
>>> _ = g.add_edge("prog", "pcve", type="ADDRESSES")
>>> index = build_index(g)
>>> window = Window.as_of(dt.date(2024, 6, 30))
>>> table = compute_tables(index, window, GeographyBasis.PARTNER, [(1, 1, 0)])[(1, 1, 0)]
>>> [(index.trees[GEO].keys[1][g], index.trees[THEME].keys[1][t]) for g, t, _ in table.nonzero()]
[('Africa', 'pcve')]
"""

from __future__ import annotations

from analytics.coverage import dimensions, engagements, tables, trees
from analytics.coverage.dimensions import *  # noqa: F403
from analytics.coverage.engagements import *  # noqa: F403
from analytics.coverage.tables import *  # noqa: F403
from analytics.coverage.trees import *  # noqa: F403

__all__ = [*dimensions.__all__, *trees.__all__, *engagements.__all__, *tables.__all__]
