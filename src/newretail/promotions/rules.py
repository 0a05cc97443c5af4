"""The best combination of promotions and coupons for a cart: pure, exact, fast.

A combination is a set of usable offers (``eligibility.prepare``) applied one after another
in a fixed order: item-level promotions, then order-level promotions, then coupons
(threshold, fixed, percent), each by priority. Every offer sees the prices left by the
ones before it, so thresholds are met after earlier discounts. A combination is valid when

- its stacking groups agree: an exclusive offer goes only with universal ones;
- it applies at most ``max_applied`` offers, ``max_coupons`` coupons and ``per_order``
  coupons of one template; a line takes at most ``item_discounts_per_line`` item-level
  discounts (a later item-level offer passes over a line that has had its share);
- every offer in it takes something off or gives a gift (one that does neither is out).

A free gift changes no price: it is worth its ``amount`` to a combination whose lines it
reaches still add up to its threshold after every discount (gifts apply last). A
combination's value is what it takes off plus the gifts it gives; ``payable`` is only
the subtotal less what it takes off.

Copies of one coupon template are interchangeable: a combination uses the lowest-numbered.
Combinations rank by value, then by fewer offers, then by the offers' order. Each
discount is spread over its lines to the fen (largest remainder), so the parts add up.

``best_combinations`` searches depth-first in the order offers apply, so the offers
already chosen never change again, and prunes with an upper bound on what the rest can
add: each remaining offer alone on the current prices (a discount never grows when prices
fall), best first within the slots left, and never more than what is left to pay. Offers
that save nothing at some prices save nothing further down and are dropped there.
``exhaustive_combinations`` tries every subset; tests and the benchmark hold the two equal.

After the offers come the pre-sale deposit credit and the member's points (``tail.py``):
every combination takes them, they count in its value (what the member no longer pays),
and they are spread over its lines too. What they can add only shrinks as the offers
take more off, so the bound of a branch adds what they take at its current prices. With
them, taking no offer at all is a combination too (points alone), when it is worth anything.
"""

from bisect import insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from newretail.kernel.money import split
from newretail.promotions import tail as tails
from newretail.promotions.discounts import Kind, gift_value, order_off, unit_cuts
from newretail.promotions.eligibility import (
    Candidate,
    Context,
    Line,
    Offer,
    Reason,
    Stacking,
    prepare,
    reason_against,
)
from newretail.promotions.tail import NO_TAIL, Tail


@dataclass(frozen=True, slots=True)
class Limits:
    max_applied: int = 5
    max_coupons: int = 3
    item_discounts_per_line: int = 1


POINTS = "points"
DEPOSIT = "deposit"


@dataclass(frozen=True, slots=True)
class Applied:
    key: str
    saving: int
    lines: tuple[int, ...]  # fen off each cart line; they add up to ``saving``
    gift: int = 0  # a free gift's worth (its lines are all 0)


@dataclass(frozen=True, slots=True)
class Combination:
    applied: tuple[Applied, ...]
    saving: int
    payable: int
    line_payable: tuple[int, ...]
    gift: int = 0  # the worth of the gifts it gives
    # After the offers: the deposit credit ("deposit") and points ("points"), each spread
    # over the lines; ``saving`` is the offers' alone, ``payable`` is after these too.
    tail: tuple[Applied, ...] = ()
    points: int = 0  # the points it spends

    @property
    def value(self) -> int:
        """What it is worth to the member: the saving, the gifts, deposit credit and points."""
        return self.saving + self.gift + sum(t.saving for t in self.tail)

    @property
    def points_off(self) -> int:
        return sum(t.saving for t in self.tail if t.key == POINTS)

    @property
    def credit(self) -> int:
        return sum(t.saving for t in self.tail if t.key == DEPOSIT)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(a.key for a in self.applied)


@dataclass(frozen=True, slots=True)
class LeftOut:
    key: str
    reason: Reason | tails.TailReason
    other: str | None = None  # the offer it conflicts with


@dataclass(frozen=True, slots=True)
class Quote:
    subtotal: int
    best: Combination
    alternatives: tuple[Combination, ...]
    left_out: tuple[LeftOut, ...]


@dataclass(frozen=True, slots=True)
class _State:
    units: tuple[tuple[int, ...], ...]
    touched: tuple[int, ...]
    nets: tuple[int, ...]


def _start(cart: Sequence[Line]) -> _State:
    units = tuple((line.unit_price,) * line.quantity for line in cart)
    return _State(units, (0,) * len(cart), tuple(sum(u) for u in units))


def _cuts(c: Candidate, state: _State, limits: Limits) -> list[int]:
    """Fen off each line if ``c`` applied now."""
    off = [0] * len(state.nets)
    terms = c.offer.terms
    if terms.item_level:
        units = [
            (price, i, u)
            for i in c.lines
            if state.touched[i] < limits.item_discounts_per_line
            for u, price in enumerate(state.units[i])
            if price > 0
        ]
        for i, _, cut in unit_cuts(terms, units):
            off[i] += cut
        return off
    weights = [state.nets[i] for i in c.lines]
    total = order_off(terms, sum(weights))
    if total:
        for i, part in zip(c.lines, split(total, weights), strict=True):
            off[i] = part
    return off


def _value(c: Candidate, state: _State, limits: Limits) -> int:
    """What ``c`` would take off now, in all, or the gift it would give."""
    if c.offer.terms.item_level:
        return sum(_cuts(c, state, limits))
    return order_off(c.offer.terms, sum(state.nets[i] for i in c.lines)) + _gift(c, state)


def _gift(c: Candidate, state: _State) -> int:
    """The worth of the gift ``c`` gives at these prices (0 for every other kind)."""
    return gift_value(c.offer.terms, sum(state.nets[i] for i in c.lines))


def _apply(c: Candidate, state: _State, limits: Limits) -> tuple[_State, list[int]]:
    if not c.offer.terms.item_level:
        off = _cuts(c, state, limits)
        return _State(state.units, state.touched, tuple(map(int.__sub__, state.nets, off))), off
    units = [list(u) for u in state.units]
    per_unit = [
        (price, i, u)
        for i in c.lines
        if state.touched[i] < limits.item_discounts_per_line
        for u, price in enumerate(state.units[i])
        if price > 0
    ]
    off = [0] * len(units)
    for i, u, cut in unit_cuts(c.offer.terms, per_unit):
        units[i][u] -= cut
        off[i] += cut
    touched = tuple(t + (1 if o else 0) for t, o in zip(state.touched, off, strict=True))
    nets = tuple(map(int.__sub__, state.nets, off))
    return _State(tuple(tuple(u) for u in units), touched, nets), off


def stack(a: Offer, b: Offer) -> bool:
    """Whether two offers may be applied together."""
    if Stacking.UNIVERSAL in (a.stacking, b.stacking):
        return True
    return a.stacking is Stacking.STACKABLE and b.stacking is Stacking.STACKABLE


def _fits(chosen: Sequence[Offer], offer: Offer, limits: Limits) -> bool:
    if len(chosen) >= limits.max_applied:
        return False
    if offer.is_coupon:
        if sum(1 for o in chosen if o.is_coupon) >= limits.max_coupons:
            return False
        if sum(1 for o in chosen if o.template == offer.template) >= offer.per_order:
            return False
    return all(stack(o, offer) for o in chosen)


class _Ranking:
    """The ``size`` best combinations seen, by saving, then fewer offers, then their order."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: list[tuple[tuple[int, int, tuple[int, ...]], Combination]] = []

    def offer(self, picked: tuple[int, ...], combination: Combination) -> None:
        rank = (-combination.value, len(picked), picked)
        self.entries.append((rank, combination))
        self.entries.sort(key=lambda e: e[0])
        del self.entries[self.size :]

    @property
    def floor(self) -> int:
        """A value a combination must reach to matter (-1 while the ranking has room)."""
        if len(self.entries) < self.size:
            return -1
        return self.entries[-1][1].value

    def beaten(self, bound: int, offers: int) -> bool:
        """Whether no combination worth at most ``bound`` with ``offers`` or more can enter."""
        if len(self.entries) < self.size:
            return False
        (saving, fewest, _), _ = self.entries[-1]
        return bound < -saving or (bound == -saving and offers > fewest)

    def combinations(self) -> list[Combination]:
        return [c for _, c in self.entries]


def _combination(
    cart: Sequence[Line],
    steps: Sequence[tuple[Candidate, list[int]]],
    state: _State,
    tail: Tail = NO_TAIL,
) -> Combination:
    # Gifts apply last and change no price: the final prices are the ones each gift saw.
    applied = tuple(Applied(c.offer.key, sum(off), tuple(off), _gift(c, state)) for c, off in steps)
    saving = sum(a.saving for a in applied)
    gift = sum(a.gift for a in applied)
    if tail.empty:
        return Combination(applied, saving, sum(state.nets), state.nets, gift)
    taken = tails.take(tail, state.nets)
    after = tuple(n - c - p for n, c, p in zip(state.nets, taken.credit, taken.points, strict=True))
    parts = ((DEPOSIT, taken.credit), (POINTS, taken.points))
    tail_applied = tuple(Applied(key, sum(off), off) for key, off in parts if any(off))
    return Combination(applied, saving, sum(after), after, gift, tail_applied, taken.points_used)


def evaluate(
    cart: Sequence[Line],
    candidates: Sequence[Candidate],
    picked: Sequence[int],
    limits: Limits,
    tail: Tail = NO_TAIL,
) -> Combination | None:
    """The combination of ``picked`` (in applying order), or None if one of them saves
    nothing, or it is worth nothing at all (no offer, and no deposit credit or points)."""
    state = _start(cart)
    steps: list[tuple[Candidate, list[int]]] = []
    for i in picked:
        state, off = _apply(candidates[i], state, limits)
        if not any(off) and not _gift(candidates[i], state):
            return None
        steps.append((candidates[i], off))
    combination = _combination(cart, steps, state, tail)
    return combination if combination.value > 0 or steps else None


def exhaustive_combinations(
    cart: Sequence[Line],
    candidates: Sequence[Candidate],
    limits: Limits,
    top: int = 3,
    tail: Tail = NO_TAIL,
) -> list[Combination]:
    """Every valid subset, tried one by one: the reference the search is held to."""
    ranking = _Ranking(top)
    for size in range(0, limits.max_applied + 1):
        for picked in combinations(range(len(candidates)), size):
            if not _valid(candidates, picked, limits):
                continue
            combination = evaluate(cart, candidates, picked, limits, tail)
            if combination is not None:
                ranking.offer(picked, combination)
    return ranking.combinations()


def _valid(candidates: Sequence[Candidate], picked: Sequence[int], limits: Limits) -> bool:
    chosen: list[Offer] = []
    for i in picked:
        offer = candidates[i].offer
        if not _fits(chosen, offer, limits):
            return False
        chosen.append(offer)
    # Interchangeable copies: the lowest-numbered ones of each template.
    for template in {o.template for o in chosen if o.template is not None}:
        copies = [i for i, c in enumerate(candidates) if c.offer.template == template]
        used = [i for i in picked if candidates[i].offer.template == template]
        if used != copies[: len(used)]:
            return False
    return True


def best_combinations(
    cart: Sequence[Line],
    candidates: Sequence[Candidate],
    limits: Limits,
    top: int = 3,
    tail: Tail = NO_TAIL,
) -> list[Combination]:
    """The ``top`` best combinations, equal to ``exhaustive_combinations``, found by search."""
    search = _Search(cart, candidates, limits, top, tail)
    start = _start(cart)
    values = {i: _value(c, start, limits) for i, c in enumerate(candidates)}
    search.visit(start, (), 0, [i for i in values if values[i] > 0], values)
    return search.ranking.combinations()


class _Search:
    def __init__(
        self,
        cart: Sequence[Line],
        candidates: Sequence[Candidate],
        limits: Limits,
        top: int,
        tail: Tail,
    ) -> None:
        self.cart, self.candidates, self.limits, self.tail = cart, candidates, limits, tail
        self.ranking = _Ranking(top)

    def visit(
        self,
        state: _State,
        steps: tuple[tuple[int, list[int]], ...],
        saving: int,
        alive: list[int],
        values: dict[int, int],
    ) -> None:
        # The tail only shrinks further down (prices only fall): it bounds every descendant's.
        after_tail = 0 if self.tail.empty else tails.value(self.tail, state.nets)
        worth = saving + after_tail
        if (steps or worth > 0) and worth >= self.ranking.floor:
            picked = tuple(i for i, _ in steps)
            chosen = [(self.candidates[i], off) for i, off in steps]
            self.ranking.offer(picked, _combination(self.cart, chosen, state, self.tail))
        room = self._room(state, steps, alive, values)
        if not alive or self.ranking.beaten(worth + room, len(steps) + 1):
            return
        chosen_offers = [self.candidates[i].offer for i, _ in steps]
        rest_bounds = self._suffix_bounds(alive, values, self.limits.max_applied - len(steps) - 1)
        seen: set[str] = set()
        children: list[tuple[int, int, int]] = []
        for position, i in enumerate(alive):
            offer = self.candidates[i].offer
            alike = offer.template or offer.key
            if alike in seen:
                continue  # a lower-numbered copy of this coupon comes first: it stands for both
            seen.add(alike)
            if _fits(chosen_offers, offer, self.limits):
                children.append((values[i] + rest_bounds[position], position, i))
        # Most promising first, so good combinations raise the floor early; each child still
        # covers exactly the combinations whose next offer it is.
        children.sort(key=lambda child: -child[0])
        for bound, position, i in children:
            if self.ranking.beaten(worth + bound, len(steps) + 1):
                break
            offer = self.candidates[i].offer
            after, off = _apply(self.candidates[i], state, self.limits)
            # ``alive`` already goes with every offer chosen before this one.
            rest = [j for j in alive[position + 1 :] if stack(self.candidates[j].offer, offer)]
            rest_values = {j: _value(self.candidates[j], after, self.limits) for j in rest}
            rest = [j for j in rest if rest_values[j] > 0]
            gained = sum(off) + _gift(self.candidates[i], after)
            self.visit(after, (*steps, (i, off)), saving + gained, rest, rest_values)

    @staticmethod
    def _suffix_bounds(alive: list[int], values: dict[int, int], slots: int) -> list[int]:
        """For each position, the sum of the ``slots`` largest values after it."""
        bounds = [0] * len(alive)
        best: list[int] = []
        for position in range(len(alive) - 1, -1, -1):
            bounds[position] = sum(best)
            if slots > 0:
                insort(best, -values[alive[position]])
                best = best[:slots]
        return [-b for b in bounds]

    def _room(
        self,
        state: _State,
        steps: tuple[tuple[int, list[int]], ...],
        alive: list[int],
        values: dict[int, int],
    ) -> int:
        """At most what the offers in ``alive`` can still take off (and give) together."""
        slots = self.limits.max_applied - len(steps)
        coupon_slots = self.limits.max_coupons - sum(
            1 for i, _ in steps if self.candidates[i].offer.is_coupon
        )
        room = 0
        for j in sorted(alive, key=lambda j: -values[j]):
            if slots == 0:
                break
            if self.candidates[j].offer.is_coupon:
                if coupon_slots == 0:
                    continue
                coupon_slots -= 1
            room += values[j]
            slots -= 1
        gifts = sum(
            values[j] for j in alive if self.candidates[j].offer.terms.kind is Kind.FREE_GIFT
        )
        return min(room, sum(state.nets) + gifts)


Search = Callable[[Sequence[Line], Sequence[Candidate], Limits, int, Tail], list[Combination]]


def quote(
    cart: Sequence[Line],
    offers: Sequence[Offer],
    context: Context,
    limits: Limits = Limits(),
    *,
    top: int = 3,
    search: Search = best_combinations,
    tail: Tail = NO_TAIL,
) -> Quote:
    """The best combination for ``cart``, the next ones, and why each other offer (and any
    of the member's points) is out."""
    candidates, reasons = prepare(cart, offers, context)
    ranked = search(cart, candidates, limits, top, tail)
    start = _start(cart)
    best = ranked[0] if ranked else _combination(cart, [], start, tail)
    left_out: list[LeftOut] = [LeftOut(key, reason) for key, reason in reasons.items()]
    left_out += _unused(cart, candidates, best, limits)
    points_reason = tails.reason(tail, best.points, best.payable + best.points_off)
    if points_reason is not None:
        left_out.append(LeftOut(POINTS, points_reason))
    return Quote(sum(start.nets), best, tuple(ranked[1:]), tuple(left_out))


def _unused(
    cart: Sequence[Line], candidates: Sequence[Candidate], best: Combination, limits: Limits
) -> list[LeftOut]:
    keys = set(best.keys)
    picked = [i for i, c in enumerate(candidates) if c.offer.key in keys]
    chosen = [candidates[i].offer for i in picked]
    out: list[LeftOut] = []
    for i, c in enumerate(candidates):
        if c.offer.key in keys:
            continue
        clash = next((o.key for o in chosen if not stack(o, c.offer)), None)
        if _first_idle(cart, candidates, [i], limits) is not None:
            out.append(LeftOut(c.offer.key, _idle_reason(cart, c)))
        elif clash is not None:
            out.append(LeftOut(c.offer.key, Reason.STACKING_CONFLICT, clash))
        elif not _fits(chosen, c.offer, limits):
            out.append(LeftOut(c.offer.key, Reason.ORDER_LIMIT))
        elif _first_idle(cart, candidates, sorted([*picked, i]), limits) == i:
            # Alone it saves something; after the best's discounts it no longer does.
            out.append(LeftOut(c.offer.key, _idle_reason(cart, c, after_discounts=True)))
        else:
            out.append(LeftOut(c.offer.key, Reason.NOT_BETTER))
    return out


def _first_idle(
    cart: Sequence[Line], candidates: Sequence[Candidate], picked: Sequence[int], limits: Limits
) -> int | None:
    """The first of ``picked`` (applied in order) that takes nothing off, if any."""
    state = _start(cart)
    for i in picked:
        state, off = _apply(candidates[i], state, limits)
        if not any(off) and not _gift(candidates[i], state):
            return i
    return None


def _idle_reason(cart: Sequence[Line], c: Candidate, *, after_discounts: bool = False) -> Reason:
    if after_discounts:
        return Reason.THRESHOLD_NOT_MET if c.offer.terms.needs > 0 else Reason.NOT_BETTER
    subtotal = sum(cart[j].unit_price * cart[j].quantity for j in c.lines)
    return Reason.THRESHOLD_NOT_MET if subtotal < c.offer.terms.needs else Reason.NO_SAVING


class SelectionRefused(Exception):
    def __init__(self, reason: Reason, key: str, other: str | None = None) -> None:
        super().__init__(f"{key}: {reason.value}")
        self.reason, self.key, self.other = reason, key, other


def price_selection(
    cart: Sequence[Line],
    offers: Sequence[Offer],
    context: Context,
    limits: Limits = Limits(),
    tail: Tail = NO_TAIL,
) -> Combination:
    """The combination of exactly ``offers`` (and the tail), or SelectionRefused saying
    which and why."""
    chosen: list[Offer] = []
    for offer in sorted(offers, key=lambda o: (o.sort_key, o.key)):
        reason = reason_against(offer, cart, context)
        if reason is not None:
            raise SelectionRefused(reason, offer.key)
        clash = next((o.key for o in chosen if not stack(o, offer)), None)
        if clash is not None:
            raise SelectionRefused(Reason.STACKING_CONFLICT, offer.key, clash)
        if not _fits(chosen, offer, limits):
            raise SelectionRefused(Reason.ORDER_LIMIT, offer.key)
        chosen.append(offer)
    candidates, _ = prepare(cart, chosen, context)
    state = _start(cart)
    steps: list[tuple[Candidate, list[int]]] = []
    for c in candidates:
        state, off = _apply(c, state, limits)
        if not any(off) and not _gift(c, state):
            needs = c.offer.terms.needs > 0
            raise SelectionRefused(
                Reason.THRESHOLD_NOT_MET if needs else Reason.NO_SAVING, c.offer.key
            )
        steps.append((c, off))
    return _combination(cart, steps, state, tail)
