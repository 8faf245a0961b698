"""The problems of one input file: collected in line order up to a bound, and, when the
file or the store refused the batch, found again all at once against the store.

A valid file costs one validation, the store's own. Only when reading or the store found a
problem is the batch validated again, collecting (:func:`collect_problems`):
:func:`graph.changes.plan_changes` with a ``report`` callback for records and references, then
:func:`graph.integrity.results_chain_problems` over the store's results chain for cycles and
over-full shares, whose problems name the file lines of the relationships involved.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from graph.changes import Plan, plan_changes
from graph.errors import GraphError, InvalidFile, Problem
from graph.integrity import (
    CONTRIBUTION_TYPES,
    ChainProblem,
    results_chain_problems,
    successor_closure,
)
from graph.model import NodeKind, RelType
from graph.store import Change, Direction, GraphStore, RelWrite

#: How many problems of one file are listed; the rest are counted.
DEFAULT_MAX_PROBLEMS = 100

#: Called with how many lines, elements or records were just handled.
Progress = Callable[[int], None]


@dataclass
class Read:
    """What reading a file gave: the changes of its good records, the ids of the nodes it
    refused (with their kind if known), whether the whole file could be read, and notes."""

    changes: list[Change] = field(default_factory=list)
    refused: dict[str, NodeKind | None] = field(default_factory=dict)
    complete: bool = True
    #: What the file holds that the import leaves out without it being a problem (a sector
    #: the mapping does not name), by message, with how often: reported, never silent.
    notes: Counter[str] = field(default_factory=Counter)


class ProblemLog:
    """The problems of one file: keeps the ``limit`` first in line order (a bounded heap, so a
    file of a million bad lines costs no more memory than one of a hundred) and counts all."""

    def __init__(self, source: str, limit: int = DEFAULT_MAX_PROBLEMS) -> None:
        if limit < 1:
            raise ValueError("the problem bound must be at least 1")
        self.source = source
        self.limit = limit
        self.count = 0
        self.lines: set[int] = set()  # every line with a problem, listed or not
        self._heap: list[tuple[int, int, Problem]] = []  # (-line, -seq, problem): max-heap

    def __bool__(self) -> bool:
        return self.count > 0

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"

    def line_of(self, where: str | None) -> int | None:
        """The line of ``FILE:LINE``, or of ``FILE:LINE`` followed by a space and more (an
        XML reader adds the element's XPath)."""
        prefix = f"{self.source}:"
        if not where or not where.startswith(prefix):
            return None
        line = where[len(prefix) :].split(" ", 1)[0]
        return int(line) if line.isdigit() else None

    def add(self, err: GraphError, line: int | None = None) -> None:
        line = line if line is not None else self.line_of(err.where)
        self.add_problem(Problem(err.message, err.where, err.field, err.code, line))

    def add_problem(self, problem: Problem) -> None:
        self.count += 1
        line = problem.line if problem.line is not None else 2**62
        if problem.line is not None:
            self.lines.add(problem.line)
        heapq.heappush(self._heap, (-line, -self.count, problem))
        if len(self._heap) > self.limit:
            heapq.heappop(self._heap)

    def error(self) -> InvalidFile:
        listed = [p for _, _, p in sorted(self._heap, key=lambda t: (-t[0], -t[1]))]
        return InvalidFile(listed, left_off=self.count - len(listed))


async def collect_problems(store: GraphStore, read: Read, log: ProblemLog) -> Plan:
    """Validate the file's changes again, logging every problem instead of the first; the
    plan of the records without a problem is what a dry run reports."""
    plan = await plan_changes(
        read.changes,
        store.get_nodes,
        store.get_relationships,
        report=log.add,
        refused=read.refused,
    )
    contrib = [r for r in plan.relationships if r.type in CONTRIBUTION_TYPES]
    if not contrib:
        return plan
    into = await store.neighbours(
        sorted({r.end for r in contrib}), types=CONTRIBUTION_TYPES, direction=Direction.IN
    )

    async def stored_successors(outcomes: list[str]) -> dict[str, list[str]]:
        found = await store.neighbours(
            outcomes, types={RelType.CONTRIBUTED_TO}, direction=Direction.OUT
        )
        return {o: [edge.node.id for edge in edges] for o, edges in found.items()}

    successors = await successor_closure(contrib, stored_successors)
    lines = _ChainLines(read.changes, log)
    for problem in results_chain_problems(
        plan.relationships,
        lambda outcome: [edge.rel for edge in into.get(outcome, ())],
        lambda outcome: successors.get(outcome, ()),
    ):
        log.add_problem(lines.problem(problem))
    return plan


class _ChainLines:
    """Turns a results-chain problem into a file problem naming the lines involved: for a
    cycle every CONTRIBUTED_TO line of the file on it, for an over-full outcome every line of
    the file whose contribution into it counts. Lines that had a problem of their own are
    left out (their relationship was not planned)."""

    def __init__(self, changes: Sequence[Change], log: ProblemLog) -> None:
        self.log = log
        self.by_id: dict[str, int] = {}
        self.by_hop: dict[tuple[str, str], list[int]] = {}
        for c in changes:
            line = log.line_of(c.where)
            if not isinstance(c, RelWrite) or line is None or line in log.lines:
                continue
            self.by_id[c.id] = line
            if c.type == RelType.CONTRIBUTED_TO:
                self.by_hop.setdefault((c.start, c.end), []).append(line)

    def problem(self, chain: ChainProblem) -> Problem:
        err = chain.error
        found = {self.by_id[i] for i in chain.relationships if i in self.by_id}
        for hop in chain.hops:
            found.update(self.by_hop.get(hop, ()))
        lines = sorted(found)
        if not lines:  # pragma: no cover - every problem involves a relationship of the file
            return Problem(err.message, err.where, err.field, err.code)
        on = _lines_text(lines)
        if chain.hops:
            path = " -> ".join([chain.hops[0][0], *(b for _, b in chain.hops)])
            message = (
                f"CONTRIBUTED_TO links would make the results chain cyclic: {path}; "
                f"the file's links on it are on {on}"
            )
        else:
            message = f"{err.message}; the file's contributions into it are on {on}"
        return Problem(message, self.log.where(lines[0]), err.field, err.code, lines[0])


def _lines_text(lines: Sequence[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    return f"lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}"
