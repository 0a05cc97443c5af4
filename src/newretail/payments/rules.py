"""Payment states.

    pending ──notify──▶ succeeded | declined      (a provider that answers later)
    succeeded ──▶ reversed                          (money for an order that no longer took it)
    pending ──query/reverse──▶ succeeded | declined | reversed
                                                    (a payment code whose answer was unknown,
                                                    cancelled at the provider: nothing kept)

A charge answered at once is stored ``succeeded`` or ``declined``. At most one payment of
an order succeeds: the order is claimed (locked) before anything is charged.
"""

from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REVERSED = "reversed"


class RefundStatus(StrEnum):
    SUCCEEDED = "succeeded"
