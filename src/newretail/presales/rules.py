"""Pure pre-sale rules: the balance window in the store's timezone, inflated deposits, expiry.

A campaign takes deposits from ``deposit_starts_at`` to ``deposit_ends_at`` (instants). The
balance is paid on the event day, a calendar date that each store reads in its own
timezone: from ``balance_opens`` to ``balance_closes`` local time on that date (closing at
midnight means the end of the day). A deposit of ``deposit`` counts as ``deposit_value``
(定金膨胀, >= deposit) off the pre-sale price at balance time, never more than the price.

A deposit's life (``DepositStatus``)::

    awaiting_payment ──deposit paid──▶ deposited ──balance order──▶ balance_ordered
          │                                │                            │
          └─ deposit order lapsed ─▶ lapsed ├──── window closed, unpaid ─┴─▶ expired
                                           │            balance paid ──▶ completed
                                           └─ deposit order refunded ──▶ refunded
                                              (also from balance_ordered, balance unpaid)

An expired deposit is kept or refunded by the campaign's ``unpaid_rule``. The moves that
follow the orders' states are ``next_status``; the closing of the window is the worker's.

Delivery: a campaign offers some of pickup, ship and same-city (pickup alone by default).
The units are held at the deposit's store, so a parcel or a same-city courier leaves from
there; same-city reaches only addresses within the orders' same-city radius of that store.
The buyer may change the choice until the balance is paid (``delivery_changeable``).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from newretail.orders.rules import DeliveryMethod, OrderStatus


class UnpaidRule(StrEnum):
    KEEP = "keep"  # the deposit is forfeited
    REFUND = "refund"  # the deposit is given back


class DepositStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    DEPOSITED = "deposited"
    BALANCE_ORDERED = "balance_ordered"
    COMPLETED = "completed"
    EXPIRED = "expired"
    LAPSED = "lapsed"
    REFUNDED = "refunded"


OPEN_STATUSES = frozenset(
    {DepositStatus.AWAITING_PAYMENT, DepositStatus.DEPOSITED, DepositStatus.BALANCE_ORDERED}
)
CLOSED_UNSOLD = frozenset({DepositStatus.EXPIRED, DepositStatus.LAPSED, DepositStatus.REFUNDED})
# An order in one of these has been paid and not (wholly) given back.
PAID_ORDER = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.ALLOCATED,
        OrderStatus.READY,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
    }
)


CAMPAIGN_PREFIX = "presale:"


def campaign_tag(presale_id: int) -> str:
    """What a pre-sale's deposit and balance orders carry as their ``campaign``."""
    return f"{CAMPAIGN_PREFIX}{presale_id}"


def presale_of_campaign(campaign: object) -> int | None:
    """The pre-sale an order's ``campaign`` names; None when it names none."""
    if not isinstance(campaign, str) or not campaign.startswith(CAMPAIGN_PREFIX):
        return None
    number = campaign.removeprefix(CAMPAIGN_PREFIX)
    return int(number) if number.isdigit() and len(number) < 19 else None


def next_status(
    current: DepositStatus,
    *,
    deposit_order: OrderStatus | None,
    balance_order: OrderStatus | None,
) -> DepositStatus | None:
    """The status a deposit moves to given its orders' states; None: it stays."""
    if current is DepositStatus.AWAITING_PAYMENT:
        if deposit_order in PAID_ORDER:
            return DepositStatus.DEPOSITED
        if deposit_order is OrderStatus.CANCELLED:
            return DepositStatus.LAPSED
        if deposit_order is OrderStatus.REFUNDED:  # paid and refunded before it was followed
            return DepositStatus.REFUNDED
        return None
    if current is DepositStatus.BALANCE_ORDERED and balance_order in PAID_ORDER:
        return DepositStatus.COMPLETED
    if current in (DepositStatus.DEPOSITED, DepositStatus.BALANCE_ORDERED) and (
        deposit_order is OrderStatus.REFUNDED
    ):
        return DepositStatus.REFUNDED
    return None


@dataclass(frozen=True, slots=True)
class Window:
    opens_at: datetime
    closes_at: datetime

    def contains(self, moment: datetime) -> bool:
        return self.opens_at <= moment < self.closes_at


def balance_window(event_day: date, opens: time, closes: time, timezone: str) -> Window:
    """The balance window of ``event_day`` in ``timezone``, as UTC instants."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(event_day, opens, tzinfo=zone)
    end_day = event_day + timedelta(days=1) if closes <= opens else event_day
    end = datetime.combine(end_day, closes, tzinfo=zone)
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def deposit_window_open(starts_at: datetime, ends_at: datetime, moment: datetime) -> bool:
    return starts_at <= moment < ends_at


@dataclass(frozen=True, slots=True)
class BalanceAmounts:
    subtotal: int  # the pre-sale price of every unit
    credit: int  # what the deposits count for, never above the subtotal
    due: int  # what the balance order charges


def balance_amounts(*, price: int, deposit_value: int, quantity: int) -> BalanceAmounts:
    """The balance of ``quantity`` units whose deposits each count ``deposit_value`` off."""
    subtotal = price * quantity
    credit = min(deposit_value * quantity, subtotal)
    return BalanceAmounts(subtotal, credit, subtotal - credit)


def valid_item(*, price: int, deposit: int, deposit_value: int) -> bool:
    """A deposit is positive, worth at least its face value and at most the price."""
    return 0 < deposit <= deposit_value <= price


def refund_on_expiry(rule: UnpaidRule, deposit_paid: int) -> int:
    """How much of a paid deposit goes back when its balance was not paid in time."""
    return deposit_paid if rule is UnpaidRule.REFUND else 0


# ---- delivery -------------------------------------------------------------------------

DELIVERY_ORDER = (DeliveryMethod.PICKUP, DeliveryMethod.SHIP, DeliveryMethod.SAME_CITY)
DEFAULT_DELIVERY = (DeliveryMethod.PICKUP,)
CHANGEABLE = frozenset(
    {DepositStatus.AWAITING_PAYMENT, DepositStatus.DEPOSITED, DepositStatus.BALANCE_ORDERED}
)


def delivery_text(methods: Collection[DeliveryMethod]) -> str:
    """How a campaign stores the methods it offers: comma-separated, in a fixed order."""
    return ",".join(m.value for m in DELIVERY_ORDER if m in methods)


def delivery_methods(text: str | None) -> tuple[DeliveryMethod, ...]:
    """The methods a campaign offers, read back; unknown words are skipped, none is pickup."""
    words = set((text or "").split(","))
    found = tuple(m for m in DELIVERY_ORDER if m.value in words)
    return found or DEFAULT_DELIVERY


def delivery_changeable(status: DepositStatus) -> bool:
    """Whether the buyer may still change the delivery (the balance order's own state decides
    too: once it is paid, the goods are on their way)."""
    return status in CHANGEABLE


def within_same_city(distance_km: float, reach_km: float) -> bool:
    return 0 <= distance_km <= reach_km


def mask_phone_text(text: str) -> str:
    """A typed phone as guides and cashiers see it: ``139 1234 5678`` -> ``139****5678``."""
    digits = "".join(c for c in text if c.isdigit())
    head, tail = (3, 4) if len(digits) >= 8 else (1, 2)
    if len(digits) <= head + tail:
        return "*" * len(digits)
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]
