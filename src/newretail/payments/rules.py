"""Payment states.

    pending ──notify──▶ succeeded | declined      (a provider that answers later)
    succeeded ──▶ reversed                          (money for an order that no longer took it)

A charge answered at once is stored ``succeeded`` or ``declined``. An order is paid by one
payment, or at a till by several tenders (cash, card, payment code, store credit, points)
whose amounts add up to its total exactly, all written in the transaction that pays it; the
order is claimed (locked) before anything is charged.

A refund of an order paid by several tenders goes back to each of them in proportion to
what each has not yet had back (largest remainder, to the fen): every refund of the order,
in any number of steps, gives each tender back at most what it paid, and a full refund
gives each exactly that.
"""

from collections.abc import Sequence
from enum import StrEnum

from newretail.kernel.money import split


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REVERSED = "reversed"


class RefundStatus(StrEnum):
    SUCCEEDED = "succeeded"


def tender_shares(amount: int, left: Sequence[int]) -> list[int]:
    """``amount`` spread over the tenders by what each has left to give back, to the fen."""
    if amount <= 0 or amount > sum(left) or min(left, default=0) < 0:
        raise ValueError("a refund is more than zero and at most what the tenders have left")
    return split(amount, list(left))
