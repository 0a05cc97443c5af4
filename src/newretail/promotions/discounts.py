"""What one promotion or coupon takes off a cart: pure maths in integer fen.

    kind         level  takes off
    nth_item     item   every ``every``-th eligible unit (dearest first) at ``percent_off``
    buy_get      item   in each run of ``every`` + ``free`` units, the ``free`` cheapest
    set_price    item   each run of ``every`` units (dearest first) costs ``set_price``
    tier_price   item   each eligible unit at ``unit_price``, or ``percent_off``, for tiers
    spend_save   order  the highest of ``tiers`` (threshold, off) the eligible subtotal reaches
    fixed        order  ``amount`` (coupon), when the subtotal reaches ``threshold`` (often 0)
    threshold    order  ``amount`` when the subtotal reaches ``threshold`` (满减 coupon)
    percent      order  ``percent_off`` of the subtotal, at most ``max_off``
    paid         order  ``amount`` like ``fixed``: a voucher the member bought for ``price``
    free_gift    order  nothing off: ``gift_sku_id`` given with the order (worth ``amount``)
                        when the eligible subtotal is above zero and reaches ``threshold``
    service      none   nothing in a cart: staff redeem it at a store (a trial, a service)

Item-level offers act on unit prices, order-level ones on the eligible lines' amounts after
every earlier discount. Each discount only shrinks when prices shrink or lines are already
discounted (it is monotone), which is what the best-combination search relies on.
A percentage of a price is rounded down, so no discount ever exceeds its stated rate.
"""

from dataclasses import dataclass
from enum import StrEnum

from newretail.kernel.money import split


class Kind(StrEnum):
    NTH_ITEM = "nth_item"
    BUY_GET = "buy_get"
    SET_PRICE = "set_price"
    TIER_PRICE = "tier_price"
    SPEND_SAVE = "spend_save"
    FIXED = "fixed"
    THRESHOLD = "threshold"
    PERCENT = "percent"
    PAID = "paid"
    FREE_GIFT = "free_gift"
    SERVICE = "service"


ITEM_KINDS = frozenset({Kind.NTH_ITEM, Kind.BUY_GET, Kind.SET_PRICE, Kind.TIER_PRICE})
PROMOTION_KINDS = ITEM_KINDS | {Kind.SPEND_SAVE}
COUPON_KINDS = frozenset(
    {Kind.FIXED, Kind.THRESHOLD, Kind.PERCENT, Kind.PAID, Kind.FREE_GIFT, Kind.SERVICE}
)


@dataclass(frozen=True, slots=True)
class Terms:
    kind: Kind
    tiers: tuple[tuple[int, int], ...] = ()  # spend_save: (threshold, off), any order
    threshold: int = 0  # coupons: the eligible subtotal needed
    amount: int = 0  # fixed, threshold: fen off
    percent_off: int = 0  # percent, nth_item, tier_price: 1..100
    max_off: int | None = None  # percent: the most it takes off
    every: int = 0  # nth_item: n; buy_get: units bought; set_price: units in a set
    free: int = 0  # buy_get: units given
    set_price: int = 0  # set_price: what a set costs
    unit_price: int | None = None  # tier_price: the tier's unit price (else percent_off)
    price: int = 0  # paid: what the member pays for the voucher
    gift_sku_id: int | None = None  # free_gift: the SKU given

    @property
    def item_level(self) -> bool:
        return self.kind in ITEM_KINDS

    @property
    def needs(self) -> int:
        """The eligible subtotal an order-level offer needs before it takes anything off."""
        if self.kind is Kind.SPEND_SAVE:
            return min((t for t, _ in self.tiers), default=0)
        return self.threshold


UnitCut = tuple[int, int, int]  # (line, unit, fen off)


def unit_cuts(terms: Terms, units: list[tuple[int, int, int]]) -> list[UnitCut]:
    """Cuts of an item-level offer over eligible ``units`` given as (price, line, unit)."""
    if terms.kind is Kind.TIER_PRICE:
        return [(line, unit, _tier_cut(terms, price)) for price, line, unit in units]
    ranked = sorted(units, key=lambda u: (-u[0], u[1], u[2]))
    if terms.kind is Kind.NTH_ITEM:
        n = terms.every
        return [
            (line, unit, price * terms.percent_off // 100)
            for k, (price, line, unit) in enumerate(ranked)
            if k % n == n - 1
        ]
    if terms.kind is Kind.BUY_GET:
        size = terms.every + terms.free
        whole = len(ranked) - len(ranked) % size
        return [
            (line, unit, price)
            for k, (price, line, unit) in enumerate(ranked[:whole])
            if k % size >= terms.every
        ]
    return _set_cuts(terms, ranked)


def _tier_cut(terms: Terms, price: int) -> int:
    if terms.unit_price is not None:
        return max(0, price - terms.unit_price)
    return price * terms.percent_off // 100


def _set_cuts(terms: Terms, ranked: list[tuple[int, int, int]]) -> list[UnitCut]:
    cuts: list[UnitCut] = []
    n = terms.every
    for start in range(0, len(ranked) - n + 1, n):
        group = ranked[start : start + n]
        over = sum(price for price, _, _ in group) - terms.set_price
        if over > 0:
            parts = split(over, [price for price, _, _ in group])
            cuts.extend(
                (line, unit, part) for (_, line, unit), part in zip(group, parts, strict=True)
            )
    return cuts


def order_off(terms: Terms, subtotal: int) -> int:
    """What an order-level offer takes off an eligible ``subtotal`` (never more than it)."""
    if subtotal <= 0:
        return 0
    if terms.kind is Kind.SPEND_SAVE:
        reached = [off for threshold, off in terms.tiers if threshold <= subtotal]
        return min(max(reached, default=0), subtotal)
    if subtotal < terms.threshold or terms.kind in (Kind.FREE_GIFT, Kind.SERVICE):
        return 0
    if terms.kind is Kind.PERCENT:
        off = subtotal * terms.percent_off // 100
        return off if terms.max_off is None else min(off, terms.max_off)
    return min(terms.amount, subtotal)


def gift_value(terms: Terms, subtotal: int) -> int:
    """What a free gift is worth to an order whose eligible ``subtotal`` is this (0: none).

    Like every discount it only shrinks as the subtotal does, so the search's bounds hold.
    """
    if terms.kind is not Kind.FREE_GIFT or subtotal <= 0 or subtotal < terms.threshold:
        return 0
    return terms.amount


def face_value(terms: Terms) -> int | None:
    """The most one coupon can take off (what it holds against a budget); None: unbounded."""
    if terms.kind is Kind.PERCENT:
        return terms.max_off
    return terms.amount
