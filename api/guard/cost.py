"""Static cost of an operation, computed after validation and before any resolver runs.

The model (docs/SECURITY.md, "Cost model") follows GitHub's node limit: what an operation can
make the server fetch is the number of objects its lists can return, so a list multiplies the
cost of everything below it by the number of items it may hold:

- a field returning a node (any type implementing ``Node``) or a node interface costs 1 per
  object it may return, a connection 1; value objects (cells, counts, entries) and scalars
  cost 0, but what they contain is counted;
- a list or connection with a ``first`` argument may return ``first`` items (capped at the
  page limit, above which the resolver refuses anyway), with ``ids`` one per id; a list inside
  a connection (``edges``) adds no factor of its own, its connection did; a list the model
  bounds counts that bound (``LIST_LENGTHS``); any other list counts as the nearest enclosing
  ``top`` or ``first`` of an object holding the page (a ranking's entries), else
  ``DEFAULT_LIST_ITEMS`` items;
- the analyses add their own points (``ANALYSIS_COSTS``), reflecting what one uncached run
  costs: cached answers are cheap, but an attacker chooses arguments that miss the cache;
- a fragment on an abstract type counts in full for every type condition (an upper bound).

Aliases and fragments count as often as they appear: the cost walks the operation as executed,
with one memo entry per fragment and list length, so measuring is linear in the
document even when the cost it finds is astronomical (costs are capped at ``COST_CAP``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values

from analytics.lineage import MAX_DEPTH as LINEAGE_MAX_DEPTH
from api.core.paging import MAX_PAGE
from api.input_ranges import NUMBERS

#: Items assumed for a list field that says nothing about its length.
DEFAULT_LIST_ITEMS = 100
#: Largest ``top`` counted; beyond it resolvers refuse the argument.
MAX_TOP = 1_000
#: Costs are capped here, so a document built to overflow cannot make the figure itself huge.
COST_CAP = 10**12
#: Points of one introspection field (``__schema``, ``__type``): bounded by the schema.
INTROSPECTION_COST = 100
#: Points of one mutation field on top of what it returns: a write transaction.
MUTATION_COST = 10

_CENTRALITY_COSTS = {
    "DEGREE": 10,
    "IN_DEGREE": 10,
    "OUT_DEGREE": 10,
    "CORE_NUMBER": 20,
    "PAGERANK": 50,
    "EIGENVECTOR": 50,
    "CONSTRAINT": 200,
    "EFFECTIVE_SIZE": 200,
    "HARMONIC": 1_000,
    "CLOSENESS": 1_000,
    "BETWEENNESS": 1_000,
}

#: Points of one series at most (api/history/series.py, ``MAX_POINTS``).
SERIES_POINTS = 24
#: Points of a request read at an earlier revision (``knownAt``): a copy of the graph's index
#: when that revision is not cached.
KNOWN_AT_COST = 200

#: Lists whose length the model bounds, by ``Type.field``: a lineage path has at most one node
#: per hop of the deepest lineage, a bridge two ends, a coverage header one value per
#: dimension grouped by (at most three: api/coverage/params.py).
LIST_LENGTHS: Mapping[str, int] = {
    "LineagePath.nodes": LINEAGE_MAX_DEPTH + 1,
    "Bridge.ends": 2,
    "CoverageHeader.values": 3,
}
#: Lists as long as the ``maxNodes`` argument of the field holding them asks (a network
#: drawing's nodes: api/centrality/graph_view.py), at most ``MAX_DRAWN``.
DRAWN_LISTS = frozenset({"NetworkGraph.nodes"})
MAX_DRAWN = int(NUMBERS["maxNodes"].high or 0)
#: Links of a network drawing per point (they hold keys, not nodes: cheap, but not free), and
#: the most counted (more is refused by the argument's range, which must be the error named).
DRAWN_LINKS_PER_POINT = 10
MAX_DRAWN_LINKS = int(NUMBERS["maxLinks"].high or 0)
#: The lists of a series: its points, as many as its ``dates`` ask (:func:`_points`), and its
#: movers, as many as its ``movers`` argument asks.
SERIES_LISTS = frozenset(
    {"CentralitySeries.points", "CoverageSeries.points", "Query.networkSummarySeries"}
)
MOVER_LISTS = frozenset(
    {
        "CentralitySeries.gainers",
        "CentralitySeries.losers",
        "CoverageSeries.worsened",
        "CoverageSeries.improved",
    }
)


def _points(args: dict[str, Any]) -> int:
    """How many points a series' ``dates`` asks for (at most ``SERIES_POINTS``, beyond which
    the resolver refuses them)."""
    dates = args.get("dates")

    def part(name: str, python_name: str) -> Any:  # the input as a dict or as its dataclass
        if isinstance(dates, dict):
            return dates.get(name)
        return getattr(dates, python_name, None)

    listed = part("dates", "dates")
    if isinstance(listed, list):
        return min(len(listed), SERIES_POINTS)
    start, end = part("from", "start"), part("to", "end")
    step = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}.get(_enum_name(part("every", "every")), 1)
    if start is None or end is None:
        return 1  # refused by the resolver, which says why
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(1, min(months // step + 1, SERIES_POINTS))


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) else default


def _enum_name(value: Any) -> str:
    """An enum argument's GraphQL name (coerced arguments are Python enum members)."""
    return str(getattr(value, "name", value))


#: Points an analysis adds, by ``Type.field``; a value or a function of the field's arguments.
ANALYSIS_COSTS: Mapping[str, int | Callable[[dict[str, Any]], int]] = {
    "Query.centrality": lambda args: _CENTRALITY_COSTS.get(_enum_name(args.get("measure")), 1_000),
    "Query.networkSummary": 200,
    "Query.communities": 300,
    "Query.brokers": 300,
    "Query.articulationPoints": 100,
    "Query.bridges": 100,
    "Query.singlePointsOfFailure": 200,
    "Query.whatIf": 500,
    "Query.coverageMatrix": 50,
    "Query.underEngagedCells": 50,
    "Query.coverageTrend": 100,
    "Query.stakeholderGaps": 50,
    "Query.unengagedMemberStates": 50,
    "Query.outcomeLineage": 100,
    "Query.contributions": 100,
    "Query.programmeImpact": 100,
    "Query.lineageIssues": 50,
    # a drawing: its score's measure, its articulation points and bridges, its communities
    # if asked, and its links (its nodes are priced as a list of ``maxNodes`` nodes)
    "Query.networkGraph": lambda args: (
        _CENTRALITY_COSTS.get(_enum_name(args.get("measure")), 1_000)
        + 200
        + (300 if args.get("communities") else 0)
        + max(0, min(_int(args.get("maxLinks"), 10_000), MAX_DRAWN_LINKS)) // DRAWN_LINKS_PER_POINT
    ),
    # analysis jobs: reading one is a lookup; starting one is priced like the heaviest
    # analysis (the work itself is bounded by the job limits, docs/API.md "Analysis jobs")
    "Query.centralitySeries": lambda args: (
        _points(args) * _CENTRALITY_COSTS.get(_enum_name(args.get("measure")), 1_000)
    ),
    "Query.networkSummarySeries": lambda args: _points(args) * 200,
    "Query.coverageSeries": lambda args: _points(args) * 50,
    "Query.analysisJob": 10,
    "Query.analysisJobs": 10,
    "Mutation.startAnalysis": 1_000,
}


def _unwrap(type_: Any) -> tuple[GraphQLNamedType, bool]:
    """The named type and whether a list wraps it."""
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


class _Pricer:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self._memo: dict[tuple[str, int, int, int, int], int] = {}
        self._open: set[str] = set()
        self._series = (SERIES_POINTS, MAX_TOP)  # points and movers of the series being priced
        self._drawn = MAX_DRAWN  # nodes of the drawing being priced
        node = schema.type_map.get("Node")
        self._node = node if isinstance(node, GraphQLInterfaceType) else None

    def selection_set(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType, hint: int
    ) -> int:
        """Cost of a selection set on ``parent``; ``hint`` is the length assumed for lists
        that say nothing about theirs (an ancestor's ``top``, or ``DEFAULT_LIST_ITEMS``)."""
        if node is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, hint)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self.schema.type_map.get(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, scope or parent, hint)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, hint)
            if total >= COST_CAP:
                return COST_CAP
        return total

    def fragment(self, name: str, hint: int) -> int:
        definition = self.fragments.get(name)
        if definition is None or name in self._open:  # unknown or cyclic: validation says so
            return 0
        key = (name, hint, *self._series, self._drawn)
        if key not in self._memo:
            self._open.add(name)
            scope = self.schema.type_map.get(definition.type_condition.name.value)
            self._memo[key] = (
                0 if scope is None else self.selection_set(definition.selection_set, scope, hint)
            )
            self._open.discard(name)
        return self._memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, hint: int) -> int:
        name = node.name.value
        if name.startswith("__"):
            return INTROSPECTION_COST if name in ("__schema", "__type") else 0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        named, is_list = _unwrap(definition.type)
        args = self._arguments(definition, node)
        coordinate = f"{parent.name}.{name}"
        outer, outer_drawn = self._series, self._drawn
        if "dates" in args:
            movers = args.get("movers")
            self._series = (_points(args), movers if isinstance(movers, int) else MAX_TOP)
        if "maxNodes" in args:
            self._drawn = max(0, min(_int(args["maxNodes"], MAX_DRAWN), MAX_DRAWN))
        if coordinate in SERIES_LISTS:
            length = self._series[0]
        elif coordinate in MOVER_LISTS:
            length = self._series[1]
        elif coordinate in DRAWN_LISTS:
            length = self._drawn
        else:
            length = LIST_LENGTHS.get(coordinate, hint)
        items = self._items(parent, named, is_list, args, length)
        if isinstance(args.get("top"), int):
            hint = max(0, min(args["top"], MAX_TOP))
        elif isinstance(args.get("first"), int) and items == 1:  # an object holding the page
            hint = max(0, min(args["first"], MAX_PAGE))
        once = self._analysis(coordinate, args)
        if parent is self.schema.mutation_type:
            once += MUTATION_COST
        each = self.selection_set(node.selection_set, named, hint)
        self._series, self._drawn = outer, outer_drawn
        if named.name.endswith("Connection"):
            once += 1  # one connection; ``first`` multiplies its edges, not itself
        else:
            each += self._own(named)
        return min(COST_CAP, once + items * each)

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(definition, node, self.variables)
        except Exception:  # a bad value: execution reports it, with nothing run
            return {}

    @staticmethod
    def _items(
        parent: GraphQLNamedType,
        named: GraphQLNamedType,
        is_list: bool,
        args: dict[str, Any],
        hint: int,
    ) -> int:
        """How many objects the field may return."""
        if isinstance(args.get("first"), int) and (is_list or named.name.endswith("Connection")):
            return max(0, min(args["first"], MAX_PAGE))
        if isinstance(args.get("ids"), list):
            return len(args["ids"])
        if not is_list or parent.name.endswith("Connection"):
            return 1
        return hint

    def _own(self, named: GraphQLNamedType) -> int:
        """1 for a node or node interface (what may need fetching), else 0."""
        if named is self._node:
            return 1
        if isinstance(named, GraphQLObjectType):
            return int(self._node is not None and self._node in named.interfaces)
        if isinstance(named, GraphQLInterfaceType):
            return int(named.name == "Node" or self._node in named.interfaces)
        if isinstance(named, GraphQLUnionType):
            return 1
        return 0

    @staticmethod
    def _analysis(coordinate: str, args: dict[str, Any]) -> int:
        cost = ANALYSIS_COSTS.get(coordinate, 0)
        extra = KNOWN_AT_COST if args.get("knownAt") is not None else 0
        return extra + (cost(args) if callable(cost) else cost)


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> int:
    """Cost points of ``operation`` (validated) with ``variables`` (already coerced)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    pricer = _Pricer(schema, fragments, variables)
    return pricer.selection_set(operation.selection_set, root, DEFAULT_LIST_ITEMS)
