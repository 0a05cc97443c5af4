"""Pure rules of returns and exchanges: the window, how many units may come back, the money.

- **Window.** Goods come back within the brand's ``window_days`` of when the buyer got them
  (the order's close, else its payment); the last day counts in full.
- **Quantity.** A line's units come back at most once: units in open or received returns
  and exchanges, plus units refunded without a return, never exceed what was bought.
- **Money of a return.** Each unit gives back its exact share of the line total (the line
  total already carries its share of order-level discounts), by ``rules.quantity_refund``,
  so every unit of a line, returned in any number of steps, gives back the line total.
- **Price difference of an exchange.** No money moves in an exchange: the new SKU must sell
  at the same unit price in the order's store and channel as the returned unit did. A
  different price is refused (``exchange_price_differs``): the buyer returns the unit for its
  share and buys the other SKU as a new order, so every fen stays traceable to one payment.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_WINDOW_DAYS = 30


class ReturnKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"  # the buyer announced it; the goods are on their way
    RECEIVED = "received"  # the location has the goods: stock back, money back or swapped
    CANCELLED = "cancelled"  # the goods never came; units free to return again


OPEN_OR_DONE = frozenset({ReturnStatus.REQUESTED, ReturnStatus.RECEIVED})


def window_closes(received_at: datetime, window_days: int) -> datetime:
    """When the window of goods received at ``received_at`` closes."""
    return received_at + timedelta(days=window_days)


def within_window(received_at: datetime, window_days: int, now: datetime) -> bool:
    return now <= window_closes(received_at, window_days)


@dataclass(frozen=True, slots=True)
class LineTally:
    quantity: int  # bought
    refunded: int  # refunded units (by a return or a refund without one)
    in_returns: int  # in open or received returns and exchanges not refunded yet


def over_returned(tallies: Mapping[int, LineTally], asked: Iterable[tuple[int, int]]) -> int | None:
    """The first line id whose units would come back more than once, or None."""
    wanted: dict[int, int] = {}
    for line_id, quantity in asked:
        wanted[line_id] = wanted.get(line_id, 0) + quantity
    for line_id, quantity in sorted(wanted.items()):
        tally = tallies[line_id]
        if tally.refunded + tally.in_returns + quantity > tally.quantity:
            return line_id
    return None
