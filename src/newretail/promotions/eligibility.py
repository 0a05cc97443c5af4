"""Which offers a cart may use, and on which of its lines: pure, no database.

An ``Offer`` is an automatic promotion or one coupon of a member's wallet, with its terms,
its stacking group, its reach (stores, channels, categories, SKUs, tiers) and its window
(dates, and hours of the day in the store's time). ``prepare`` keeps the offers usable for
a cart in the order they are applied, each with the lines it reaches, and says why it left
each of the others out.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from newretail.promotions.discounts import Kind, Terms


class Stacking(StrEnum):
    """``exclusive`` goes with universal offers only; ``stackable`` with any but exclusive."""

    EXCLUSIVE = "exclusive"
    STACKABLE = "stackable"
    UNIVERSAL = "universal"


class Reason(StrEnum):
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    OUTSIDE_HOURS = "outside_hours"
    STORE_NOT_INCLUDED = "store_not_included"
    CHANNEL_NOT_INCLUDED = "channel_not_included"
    TIER_NOT_INCLUDED = "tier_not_included"
    OUT_OF_SCOPE = "out_of_scope"  # no line of the cart is within its categories and SKUs
    THRESHOLD_NOT_MET = "threshold_not_met"
    NO_SAVING = "no_saving"
    STACKING_CONFLICT = "stacking_conflict"
    ORDER_LIMIT = "order_limit"
    NOT_BETTER = "not_better"  # usable, but every combination with it saves less
    GIFT_OUT_OF_STOCK = "gift_out_of_stock"  # its gift cannot be given from this store now
    USED_AT_STORE = "used_at_store"  # a service voucher: staff redeem it, not a cart


@dataclass(frozen=True, slots=True)
class Line:
    sku_id: int
    categories: frozenset[int]  # the SKU's category and its ancestors
    quantity: int
    unit_price: int


@dataclass(frozen=True, slots=True)
class Reach:
    """Empty sets mean "every"; exclusions win over inclusions."""

    stores: frozenset[int] = frozenset()
    channels: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    categories: frozenset[int] = frozenset()
    skus: frozenset[int] = frozenset()
    exclude_categories: frozenset[int] = frozenset()
    exclude_skus: frozenset[int] = frozenset()

    def covers(self, line: Line) -> bool:
        if line.sku_id in self.exclude_skus or line.categories & self.exclude_categories:
            return False
        if not self.skus and not self.categories:
            return True
        return line.sku_id in self.skus or bool(line.categories & self.categories)


@dataclass(frozen=True, slots=True)
class Window:
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    from_minute: int | None = None  # minutes after local midnight; wraps past midnight
    until_minute: int | None = None

    def reason_at(self, at: datetime) -> Reason | None:
        if self.starts_at is not None and at < self.starts_at:
            return Reason.NOT_STARTED
        if self.ends_at is not None and at >= self.ends_at:
            return Reason.EXPIRED
        if self.from_minute is None or self.until_minute is None:
            return None
        minute = at.hour * 60 + at.minute
        if self.from_minute <= self.until_minute:
            inside = self.from_minute <= minute < self.until_minute
        else:
            inside = minute >= self.from_minute or minute < self.until_minute
        return None if inside else Reason.OUTSIDE_HOURS


@dataclass(frozen=True, slots=True)
class Offer:
    key: str  # "promotion:12" or "coupon:34"
    terms: Terms
    stacking: Stacking = Stacking.STACKABLE
    priority: int = 0  # higher first within its phase
    reach: Reach = field(default_factory=Reach)
    window: Window = field(default_factory=Window)
    template: str | None = None  # coupons: "template:7"; copies of one template are alike
    per_order: int = 1  # coupons of one template in one order
    ident: int = 0

    @property
    def is_coupon(self) -> bool:
        return self.template is not None

    @property
    def sort_key(self) -> tuple[int, int, int, int, int]:
        """The order offers apply in: item level, order level, then coupons by kind."""
        phase = 0 if self.terms.item_level else 1 if not self.is_coupon else 2
        kind_rank = _COUPON_RANK.get(self.terms.kind, 0)
        template_id = int(self.template.split(":")[1]) if self.template else 0
        return (phase, kind_rank, -self.priority, template_id, self.ident)


# A gift comes last: it changes no price, and its threshold sees every discount before it.
_COUPON_RANK = {Kind.THRESHOLD: 0, Kind.FIXED: 1, Kind.PAID: 1, Kind.PERCENT: 2, Kind.FREE_GIFT: 3}


@dataclass(frozen=True, slots=True)
class Context:
    store_id: int
    channel: str
    at: datetime  # in the store's time zone
    tier: str | None = None  # None: not a member
    gifts_out: frozenset[int] = frozenset()  # gift SKUs the store cannot give now


@dataclass(frozen=True, slots=True)
class Candidate:
    offer: Offer
    lines: tuple[int, ...]  # indexes of the cart lines it reaches


def reason_against(offer: Offer, cart: Sequence[Line], context: Context) -> Reason | None:
    """Why ``offer`` cannot be used for ``cart`` at all, or None when it may be."""
    reach = offer.reach
    if offer.terms.kind is Kind.SERVICE:
        return Reason.USED_AT_STORE
    if reach.stores and context.store_id not in reach.stores:
        return Reason.STORE_NOT_INCLUDED
    if reach.channels and context.channel not in reach.channels:
        return Reason.CHANNEL_NOT_INCLUDED
    if reach.tiers and context.tier not in reach.tiers:
        return Reason.TIER_NOT_INCLUDED
    window_reason = offer.window.reason_at(context.at)
    if window_reason is not None:
        return window_reason
    if not any(reach.covers(line) for line in cart):
        return Reason.OUT_OF_SCOPE
    if offer.terms.gift_sku_id is not None and offer.terms.gift_sku_id in context.gifts_out:
        return Reason.GIFT_OUT_OF_STOCK
    return None


def prepare(
    cart: Sequence[Line], offers: Sequence[Offer], context: Context
) -> tuple[list[Candidate], dict[str, Reason]]:
    """The usable offers in the order they apply, and why each other one was left out."""
    usable: list[Candidate] = []
    left_out: dict[str, Reason] = {}
    for offer in sorted(offers, key=lambda o: (o.sort_key, o.key)):
        reason = reason_against(offer, cart, context)
        if reason is not None:
            left_out[offer.key] = reason
            continue
        lines = tuple(i for i, line in enumerate(cart) if offer.reach.covers(line))
        usable.append(Candidate(offer, lines))
    return usable, left_out
