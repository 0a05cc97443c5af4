"""Assembling a coupon package from candidate benefits: pure, exact.

A package holds at most one benefit per brand, no two that conflict (the same segment, or
a pair the operator named), at most ``max_benefits`` of them, and costs at most ``budget``
(each benefit costs its face value: what one claimed package can take off at most). Among
the packages that obey, the best has the highest expected value (each benefit's face
value times the share of its coupons that get used); ties go to the lower cost, then to
fewer benefits, then to the benefits listed first.

``assemble`` searches branch and bound over brands: each brand in turn gives one of its
benefits or none, the brands with the most valuable benefits first. A branch is cut when
an upper bound on what it can still add cannot reach the best package found so far; the
bound is the lowest of three relaxations, each over the brands still to come:

- each brand's best benefit still allowed (fits the budget left, conflicts with nothing
  chosen), the ``max_benefits`` largest of them;
- the linear relaxation of the one-per-brand knapsack: per brand the upper convex hull of
  its (cost, value) points, the hulls' steps filled steepest first into the budget left,
  the last step in part (computed once per depth, before any choice);
- the exact optimum of one benefit per brand within the budget, conflicts ignored, read
  from a knapsack table over the brands from each depth on (built once per problem).

``exhaustive`` tries every subset of the benefits; tests and the benchmark hold the two
equal. Every benefit left out gets the reason that keeps it out of the best package.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from itertools import combinations, pairwise
from math import gcd

Rank = tuple[int, int, int, tuple[int, ...]]


class Verdict(StrEnum):
    PICKED = "picked"
    NO_VALUE = "no_value"  # expected to save nothing
    OVER_BUDGET = "over_budget"  # its face value alone passes the budget
    BRAND_TAKEN = "brand_taken"  # its brand gives a better benefit (``other``)
    CONFLICT = "conflict"  # conflicts with a picked benefit (``other``)
    PACKAGE_FULL = "package_full"  # the package holds ``max_benefits`` already
    BUDGET_LEFT = "budget_left"  # does not fit in what the picks leave of the budget


@dataclass(frozen=True, slots=True)
class Benefit:
    key: str  # "template:12"
    brand: int
    value: int  # expected value to a member, fen
    cost: int  # what it holds against the package's budget (its face value), fen
    segment: str | None = None  # benefits of one segment compete: at most one


@dataclass(frozen=True, slots=True)
class Problem:
    benefits: tuple[Benefit, ...]
    budget: int
    conflicts: frozenset[frozenset[str]] = frozenset()  # pairs of keys
    max_benefits: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    key: str
    verdict: Verdict
    other: str | None = None  # the pick that keeps it out
    margin: int | None = None  # picks: what the best package without it is worth less


@dataclass(frozen=True, slots=True)
class Assembly:
    picked: tuple[str, ...]
    value: int
    cost: int
    decisions: tuple[Decision, ...]  # one per benefit, in the problem's order
    nodes: int  # branches the search visited


def clashes(problem: Problem) -> list[frozenset[int]]:
    """For each benefit, the indexes of the others it may not share a package with."""
    index = {b.key: i for i, b in enumerate(problem.benefits)}
    out: list[set[int]] = [set() for _ in problem.benefits]
    by_segment: dict[str, list[int]] = {}
    for i, benefit in enumerate(problem.benefits):
        if benefit.segment:
            by_segment.setdefault(benefit.segment, []).append(i)
    pairs = [pair for members in by_segment.values() for pair in combinations(members, 2)]
    for pair in problem.conflicts:
        known = [index[key] for key in pair if key in index]
        if len(known) == 2:
            pairs.append((known[0], known[1]))
    for a, b in pairs:
        out[a].add(b)
        out[b].add(a)
    return [frozenset(s) for s in out]


def feasible(problem: Problem, picked: Sequence[int], clash: Sequence[frozenset[int]]) -> bool:
    benefits = problem.benefits
    if problem.max_benefits is not None and len(picked) > problem.max_benefits:
        return False
    if sum(benefits[i].cost for i in picked) > problem.budget:
        return False
    if len({benefits[i].brand for i in picked}) != len(picked):
        return False
    return not any(clash[a] & set(picked) for a in picked)


def rank(problem: Problem, picked: Iterable[int]) -> Rank:
    """Lower is better: more value, then less cost, then fewer benefits, then listed first."""
    chosen = tuple(sorted(picked))
    value = sum(problem.benefits[i].value for i in chosen)
    cost = sum(problem.benefits[i].cost for i in chosen)
    return (-value, cost, len(chosen), chosen)


def exhaustive(problem: Problem) -> tuple[int, ...]:
    """The best package by trying every subset of the benefits: the reference."""
    clash = clashes(problem)
    best: Rank = rank(problem, ())
    for size in range(1, len(problem.benefits) + 1):
        for picked in combinations(range(len(problem.benefits)), size):
            if feasible(problem, picked, clash):
                best = min(best, rank(problem, picked))
    return best[3]


def _frontier(points: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The points (cost, value) that no cheaper or equally cheap point matches in value."""
    frontier: list[tuple[int, int]] = []
    for cost, value in sorted({(0, 0), *points}, key=lambda p: (p[0], -p[1])):
        if frontier and (value <= frontier[-1][1] or cost == frontier[-1][0]):
            continue  # dominated: costs more for no more value
        frontier.append((cost, value))
    return frontier


def _hull(points: Iterable[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    """A brand's free value and the steps (cost, value) of its upper hull, steepest first."""
    hull: list[tuple[int, int]] = []
    for p in _frontier(points):
        while len(hull) >= 2 and _not_concave(hull[-2], hull[-1], p):
            hull.pop()
        hull.append(p)
    return hull[0][1], [(b[0] - a[0], b[1] - a[1]) for a, b in pairwise(hull)]


def _not_concave(a: tuple[int, int], b: tuple[int, int], c: tuple[int, int]) -> bool:
    return (b[1] - a[1]) * (c[0] - b[0]) <= (c[1] - b[1]) * (b[0] - a[0])


@dataclass(frozen=True, slots=True)
class _Relaxation:
    free: int
    steps: tuple[tuple[int, int], ...]  # (cost, value), steepest first

    def bound(self, budget: int) -> int:
        total = self.free
        for cost, value in self.steps:
            if cost > budget:
                return total + value * budget // cost
            total += value
            budget -= cost
        return total


# The knapsack table is kept when it holds at most this many cells (brands x budget units).
TABLE_CELLS = 400_000


class _Plan:
    """What every search of one problem shares: its brands in search order and the bounds
    computed once over them (a search with fewer benefits may use them: they stay bounds).

    The knapsack table gives, for the brands from a depth on and a budget, the most value
    one benefit per brand can reach ignoring conflicts; costs are counted in their greatest
    common divisor (face values are whole yuan), and a table that would be too large is
    left out (the linear relaxation still bounds).
    """

    def __init__(self, problem: Problem, usable: Sequence[int]) -> None:
        self.benefits = problem.benefits
        by_brand: dict[int, list[int]] = {}
        for i in usable:
            by_brand.setdefault(self.benefits[i].brand, []).append(i)
        for members in by_brand.values():
            members.sort(key=lambda i: (-self.benefits[i].value, self.benefits[i].cost, i))
        self.groups = sorted(by_brand.values(), key=lambda g: (-self.benefits[g[0]].value, g[0]))
        self.relaxations = self._relaxations()
        self.unit = gcd(*(self.benefits[i].cost for i in usable)) or 1
        self.size = problem.budget // self.unit
        self.table = self._table() if self.size * len(self.groups) <= TABLE_CELLS else None

    def _relaxations(self) -> list[_Relaxation]:
        """For each depth, the linear relaxation over the brands from there on."""
        out = [_Relaxation(0, ())]
        free, steps = 0, []
        for group in reversed(self.groups):
            base, own = _hull((self.benefits[i].cost, self.benefits[i].value) for i in group)
            free += base
            steps += own
            steps.sort(key=lambda s: -Fraction(s[1], s[0]))
            out.append(_Relaxation(free, tuple(steps)))
        return out[::-1]

    def _table(self) -> list[list[int]]:
        rows = [[0] * (self.size + 1)]
        for group in reversed(self.groups):
            before = rows[-1]
            row = list(before)
            for cost, value in _frontier(
                (self.benefits[i].cost, self.benefits[i].value) for i in group
            ):
                units = cost // self.unit
                row[units:] = [
                    kept if kept >= taken + value else taken + value
                    for kept, taken in zip(
                        row[units:], before[: self.size + 1 - units], strict=True
                    )
                ]
            rows.append(row)
        return rows[::-1]

    def bounds(self, depth: int, left: int) -> Iterator[int]:
        """Upper bounds on what the brands from ``depth`` on can add within ``left``, the
        cheapest to read first."""
        if self.table is not None:
            yield self.table[depth][min(self.size, left // self.unit)]
        yield self.relaxations[depth].bound(left)

    def without(self, index: int) -> list[list[int]]:
        return [[i for i in group if i != index] for group in self.groups]


class _Search:
    def __init__(
        self,
        problem: Problem,
        plan: _Plan,
        groups: list[list[int]],
        start: Sequence[int] = (),
    ) -> None:
        self.problem, self.plan, self.groups = problem, plan, groups
        self.benefits = problem.benefits
        self.clash = clashes(problem)
        usable = sum(len(g) for g in groups)
        self.slots = problem.max_benefits if problem.max_benefits is not None else usable
        self.best: Rank = rank(problem, start)  # a feasible package to beat
        self.nodes = 0

    def run(self) -> tuple[int, ...]:
        self._visit(0, (), 0, 0, frozenset())
        return self.best[3]

    def _visit(
        self, depth: int, chosen: tuple[int, ...], value: int, cost: int, blocked: frozenset[int]
    ) -> None:
        self.nodes += 1
        if value >= -self.best[0]:
            self.best = min(self.best, rank(self.problem, chosen))
        if depth == len(self.groups) or len(chosen) == self.slots:
            return
        left = self.problem.budget - cost
        if self._cut(depth, value, cost, left, blocked, self.slots - len(chosen)):
            return
        for i in self.groups[depth]:
            if i not in blocked and self.benefits[i].cost <= left:
                b = self.benefits[i]
                self._visit(
                    depth + 1, (*chosen, i), value + b.value, cost + b.cost, blocked | self.clash[i]
                )
        self._visit(depth + 1, chosen, value, cost, blocked)

    def _cut(
        self, depth: int, value: int, cost: int, left: int, blocked: frozenset[int], slots: int
    ) -> bool:
        """Whether nothing under this branch can beat the best package found so far."""
        best_value, best_cost = -self.best[0], self.best[1]

        def short(room: int) -> bool:
            return value + room < best_value or (value + room == best_value and cost > best_cost)

        if any(short(room) for room in self.plan.bounds(depth, left)):
            return True
        best_each = sorted(
            (self._best_allowed(group, left, blocked) for group in self.groups[depth:]),
            reverse=True,
        )
        return short(sum(best_each[:slots]))

    def _best_allowed(self, group: list[int], left: int, blocked: frozenset[int]) -> int:
        """The value of a brand's best benefit still allowed (its benefits go best first)."""
        for i in group:
            if i not in blocked and self.benefits[i].cost <= left:
                return self.benefits[i].value
        return 0


def best_package(problem: Problem) -> tuple[tuple[int, ...], int]:
    """The best package's benefit indexes (listed order) and the branches visited."""
    plan = _Plan(problem, _usable(problem))
    search = _Search(problem, plan, plan.groups)
    return search.run(), search.nodes


def _usable(problem: Problem) -> list[int]:
    return [i for i, b in enumerate(problem.benefits) if b.value > 0 and b.cost <= problem.budget]


def assemble(problem: Problem, *, margins: bool = True) -> Assembly:
    """The best package, and for every benefit why it is in or out."""
    plan = _Plan(problem, _usable(problem))
    search = _Search(problem, plan, plan.groups)
    picked = search.run()
    value = sum(problem.benefits[i].value for i in picked)
    decisions = _decisions(problem, picked)
    if margins:
        decisions = [
            _with_margin(problem, plan, picked, d, i, value) if d.verdict is Verdict.PICKED else d
            for i, d in enumerate(decisions)
        ]
    return Assembly(
        picked=tuple(problem.benefits[i].key for i in picked),
        value=value,
        cost=sum(problem.benefits[i].cost for i in picked),
        decisions=tuple(decisions),
        nodes=search.nodes,
    )


def _with_margin(
    problem: Problem,
    plan: _Plan,
    picked: Sequence[int],
    decision: Decision,
    index: int,
    value: int,
) -> Decision:
    # The best package less this pick is a package without it: the search starts from there.
    rest = [i for i in picked if i != index]
    without = _Search(problem, plan, plan.without(index), rest).run()
    margin = value - sum(problem.benefits[i].value for i in without)
    return Decision(decision.key, decision.verdict, decision.other, margin)


def _decisions(problem: Problem, picked: Sequence[int]) -> list[Decision]:
    clash = clashes(problem)
    benefits = problem.benefits
    brand_pick = {benefits[i].brand: i for i in picked}
    full = problem.max_benefits is not None and len(picked) >= problem.max_benefits
    out: list[Decision] = []
    for i, b in enumerate(benefits):
        rival = next((j for j in sorted(clash[i]) if j in picked), None)
        if i in picked:
            out.append(Decision(b.key, Verdict.PICKED))
        elif b.value <= 0:
            out.append(Decision(b.key, Verdict.NO_VALUE))
        elif b.cost > problem.budget:
            out.append(Decision(b.key, Verdict.OVER_BUDGET))
        elif b.brand in brand_pick:
            out.append(Decision(b.key, Verdict.BRAND_TAKEN, benefits[brand_pick[b.brand]].key))
        elif rival is not None:
            out.append(Decision(b.key, Verdict.CONFLICT, benefits[rival].key))
        elif full:
            out.append(Decision(b.key, Verdict.PACKAGE_FULL))
        else:
            # Anything else would add value to the best package, so it cannot fit.
            out.append(Decision(b.key, Verdict.BUDGET_LEFT))
    return out
