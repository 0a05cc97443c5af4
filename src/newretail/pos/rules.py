"""Pure till rules: tenders and change, what a shift's drawer should hold, a sale's fingerprint.

**Tenders.** A sale is paid by tenders whose amounts add up to its total exactly. A cash
tender may say what notes were handed over (``tendered``, at least its amount): the change
is ``tendered - amount``. No other tender gives change. Points pay at the brand's rate
(``redeem_points_per_yuan`` of its member programme, 100 unless set): points tenders of
``amount`` fen in all take ``members.rules.points_for(amount, rate)`` points, rounded up,
so points never pay more than they are worth; a brand whose points pay nothing takes no
points tender. Store credit tenders take their sum from the member's credit.

**A shift's expected amounts.** Per payment method, from the till's journal:

    cash                    opening float + notes taken − change given − cash refunded
    card, payment_code      taken − refunded   (the terminal's or provider's batch total)
    store_credit, points    not counted: a member's balance, not money in the drawer

The difference is counted − expected; a shift balances when every counted method's
difference is zero.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class TenderMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    PAYMENT_CODE = "payment_code"
    STORE_CREDIT = "store_credit"
    POINTS = "points"


COUNTED = (TenderMethod.CASH, TenderMethod.CARD, TenderMethod.PAYMENT_CODE)
MEMBER_BALANCES = frozenset({TenderMethod.STORE_CREDIT, TenderMethod.POINTS})


class ShiftStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SaleStatus(StrEnum):
    COMPLETED = "completed"  # paid and carried out
    PLACED = "placed"  # paid; the goods follow (shipped, delivered, picked up)
    CONFLICT = "conflict"  # a synced sale the server could not place as the till made it


class ConflictStatus(StrEnum):
    OPEN = "open"
    SETTLED = "settled"


class Resolution(StrEnum):
    RETRY = "retry"  # place it again now, as the till made it
    HONOUR = "honour"  # place it at the amounts the till took
    VOID = "void"  # no order; the money is dealt with outside


# ---- tenders --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TenderLine:
    method: TenderMethod
    amount: int
    tendered: int = 0
    change: int = 0


class InvalidTender(ValueError):
    """A tender that does not make sense on its own (change on a card, notes below it)."""


def tender_line(method: TenderMethod, amount: int, tendered: int | None) -> TenderLine:
    """One tender with its change: cash alone gives change, from notes at least its amount."""
    if amount <= 0:
        raise InvalidTender("a tender pays more than zero")
    if tendered is None:
        return TenderLine(method, amount, amount if method is TenderMethod.CASH else 0, 0)
    if method is not TenderMethod.CASH:
        raise InvalidTender(f"only cash is tendered with change, not {method.value}")
    if tendered < amount:
        raise InvalidTender("the notes received are less than the cash tender")
    return TenderLine(method, amount, tendered, tendered - amount)


def shortfall(tenders: Sequence[TenderLine], total: int) -> int:
    """What the tenders leave unpaid (negative: what they pay beyond the total)."""
    return total - sum(t.amount for t in tenders)


def change_due(tenders: Iterable[TenderLine]) -> int:
    return sum(t.change for t in tenders)


def fit_tenders(tenders: Sequence[TenderLine], total: int) -> list[TenderLine]:
    """The tenders cut down to ``total``, from the last one back (what was taken beyond a
    lower total is given back first from the last tender, as change for cash); a tender
    cut to nothing stays in its place with amount zero."""
    excess = -shortfall(tenders, total)
    if excess < 0:
        raise InvalidTender("the tenders do not cover the total")
    fitted = list(tenders)
    for i in range(len(fitted) - 1, -1, -1):
        if excess == 0:
            break
        cut = min(excess, fitted[i].amount)
        line = fitted[i]
        change = line.change + cut if line.method is TenderMethod.CASH else 0
        fitted[i] = replace(line, amount=line.amount - cut, change=change)
        excess -= cut
    return fitted


# ---- a shift's drawer -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """What went through the till for one method: taken (cash: notes), change, refunded."""

    taken: int = 0
    change: int = 0
    refunded: int = 0


@dataclass(frozen=True, slots=True)
class MethodLine:
    method: str
    taken: int
    change: int
    refunded: int
    expected: int
    counted: int | None
    difference: int | None


def expected(method: str, opening_float: int, tally: Tally) -> int:
    """What the drawer (cash) or the batch (other counted methods) should hold."""
    if method == TenderMethod.CASH:
        return opening_float + tally.taken - tally.change - tally.refunded
    if method in MEMBER_BALANCES:
        return 0
    return tally.taken - tally.refunded


def report(
    opening_float: int, tallies: Mapping[str, Tally], counted: Mapping[str, int] | None
) -> list[MethodLine]:
    """Expected against counted per method: counted methods first, then any other seen.

    ``counted`` None: the shift is still open (nothing counted yet).
    """
    methods = [m.value for m in COUNTED]
    methods += sorted(m for m in tallies if m not in methods)
    lines = []
    for method in methods:
        tally = tallies.get(method, Tally())
        due = expected(method, opening_float, tally)
        count = None
        if counted is not None and method not in MEMBER_BALANCES:
            count = counted.get(method, 0)
        difference = None if count is None else count - due
        lines.append(
            MethodLine(method, tally.taken, tally.change, tally.refunded, due, count, difference)
        )
    return lines


def balanced(lines: Iterable[MethodLine]) -> bool:
    return all(line.difference in (None, 0) for line in lines)


def unsynced(pending_count: int, pending_ids: Iterable[str], taken_ids: Iterable[str]) -> int:
    """How many sales the till still holds that the server has not taken."""
    left = set(pending_ids) - set(taken_ids)
    return max(pending_count, len(left))


# ---- sales ----------------------------------------------------------------------------


def fingerprint(body: Mapping[str, Any]) -> str:
    """The same sale sent again has the same fingerprint, whatever the key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
