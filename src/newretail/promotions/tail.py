"""What follows every discount of a combination: the pre-sale deposit credit, then points.

Both come after the item and order discounts, in this order, and neither changes what an
offer sees: thresholds are met by the prices the offers leave, never lowered by them.

    deposit credit   a pre-sale balance: what the deposits count for (the deposit times the
                     campaign's multiplier, 定金膨胀) is money already paid, so it is taken
                     off the pre-sale lines after their discounts, never more than they
                     still cost. A 满减 threshold is therefore met by the pre-sale price less
                     the discounts before it (as on the day of the sale), not by the balance
                     left after the deposit.
    points           the member's points pay part of what is left after discounts and the
                     deposit credit, at the brand's rate (``per_yuan`` points a yuan, 100 by
                     default) and at most ``cap_pct`` of it (50 % by default). Using more
                     points never costs the member more, so a combination takes as many as
                     it may; the member may offer fewer (``chosen``), or none.

Each part is spread over its lines by their amounts left (largest remainder), so line
amounts still add up to the fen. What a combination leaves to pay only grows, more slowly
than the discounts before it shrink, as those discounts grow: the search's bounds hold.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from newretail.kernel.money import split
from newretail.members import rules as member_rules

DEFAULT_PER_YUAN = 100
DEFAULT_CAP_PCT = 50


class TailReason(StrEnum):
    POINTS_CAPPED = "points_capped"  # the brand's share of what is left to pay is reached
    POINTS_CHOSEN = "points_chosen"  # the member chose to use fewer
    POINTS_TOO_FEW = "points_too_few"  # not enough to pay one fen, or nothing left to pay


@dataclass(frozen=True, slots=True)
class Tail:
    credit: int = 0  # fen the pre-sale deposits count for
    credit_lines: tuple[int, ...] = ()  # the cart lines the deposits are for (empty: all)
    balance: int = 0  # the member's points
    chosen: int | None = None  # at most this many points (None: as many as is best)
    per_yuan: int = DEFAULT_PER_YUAN
    cap_pct: int = DEFAULT_CAP_PCT

    @property
    def offered(self) -> int:
        """The points the combination may use."""
        return self.balance if self.chosen is None else max(0, min(self.chosen, self.balance))

    @property
    def empty(self) -> bool:
        return self.credit <= 0 and self.offered <= 0


NO_TAIL = Tail()


def points_off(tail: Tail, left: int) -> int:
    """The fen the offered points pay of ``left`` to pay."""
    if left <= 0 or tail.offered <= 0:
        return 0
    return min(member_rules.points_value(tail.offered, tail.per_yuan), left * tail.cap_pct // 100)


def value(tail: Tail, nets: Sequence[int]) -> int:
    """What the tail takes off lines whose amounts left are ``nets``."""
    credited = _credited(tail, nets)
    return credited + points_off(tail, sum(nets) - credited)


@dataclass(frozen=True, slots=True)
class Taken:
    credit: tuple[int, ...]  # fen the deposit credit takes off each line
    points: tuple[int, ...]  # fen the points pay of each line
    points_used: int

    @property
    def credit_total(self) -> int:
        return sum(self.credit)

    @property
    def points_total(self) -> int:
        return sum(self.points)


def take(tail: Tail, nets: Sequence[int]) -> Taken:
    """The deposit credit and the points spread over the lines, each to the fen."""
    credit = [0] * len(nets)
    lines = tail.credit_lines or tuple(range(len(nets)))
    total = _credited(tail, nets)
    if total:
        for i, part in zip(lines, split(total, [nets[i] for i in lines]), strict=True):
            credit[i] = part
    left = [n - c for n, c in zip(nets, credit, strict=True)]
    fen = points_off(tail, sum(left))
    paid = split(fen, left) if fen else [0] * len(nets)
    return Taken(tuple(credit), tuple(paid), member_rules.points_for(fen, tail.per_yuan))


def _credited(tail: Tail, nets: Sequence[int]) -> int:
    if tail.credit <= 0:
        return 0
    lines = tail.credit_lines or range(len(nets))
    return min(tail.credit, sum(nets[i] for i in lines))


def reason(tail: Tail, used: int, left: int) -> TailReason | None:
    """Why the member's points were not all used (``left``: what the points could pay
    towards), or None when they were, or there are none."""
    if tail.balance <= 0 or used >= tail.balance:
        return None
    if tail.offered < tail.balance and used >= tail.offered:
        return TailReason.POINTS_CHOSEN
    if left <= 0 or tail.balance * 100 // max(1, tail.per_yuan) == 0:
        return TailReason.POINTS_TOO_FEW
    return TailReason.POINTS_CAPPED
