"""Random carts, promotions and wallets: the best-combination tests' and benchmark's workload.

Everything is drawn from a ``random.Random`` (the property tests seed it from hypothesis:
drawing thousands of nested values through strategies would cost many times the search).
"""

from dataclasses import replace
from datetime import UTC, datetime
from random import Random

from newretail.promotions.discounts import Kind, Terms
from newretail.promotions.eligibility import Context, Line, Offer, Reach, Stacking
from newretail.promotions.rules import Limits
from newretail.promotions.tail import Tail

# SKU 4 is out of stock: a gift of it is left out.
CONTEXT = Context(
    store_id=1,
    channel="pos",
    at=datetime(2026, 12, 6, 12, tzinfo=UTC),
    tier="gold",
    gifts_out=frozenset({4}),
)
PROMOTION_KINDS = [Kind.NTH_ITEM, Kind.BUY_GET, Kind.SET_PRICE, Kind.TIER_PRICE, Kind.SPEND_SAVE]
CART_COUPON_KINDS = [Kind.FIXED, Kind.THRESHOLD, Kind.PERCENT, Kind.PAID, Kind.FREE_GIFT]
COUPON_KINDS = [*CART_COUPON_KINDS, Kind.SERVICE]
Problem = tuple[list[Line], list[Offer], Limits]


def line(r: Random, skus: int = 5) -> Line:
    category = r.randint(1, 3)
    return Line(
        sku_id=r.randint(1, skus),
        categories=frozenset({category, 10 + category % 2}),
        quantity=r.randint(1, 4),
        unit_price=r.randint(1, 30_000),
    )


def reach(r: Random, skus: int = 5) -> Reach:
    def some(pool: list[int], most: int) -> frozenset[int]:
        return frozenset(r.sample(pool, r.randint(0, most)))

    return Reach(
        categories=some([1, 2, 3, 10, 11], 2),
        skus=some(list(range(1, skus + 1)), 2),
        exclude_skus=some(list(range(1, skus + 1)), 1) if r.random() < 0.3 else frozenset(),
    )


def terms(r: Random, kind: Kind) -> Terms:
    pct = r.randint(1, 100)
    if kind is Kind.SPEND_SAVE:
        tiers = [(r.randint(1, 60_000), r.randint(1, 5_000)) for _ in range(r.randint(1, 3))]
        return Terms(kind, tiers=tuple(tiers))
    if kind in (Kind.FIXED, Kind.THRESHOLD, Kind.PAID, Kind.SERVICE):
        threshold = r.randint(1, 60_000) if kind is Kind.THRESHOLD else 0
        amount = r.randint(1, 8_000)
        return Terms(kind, threshold=threshold, amount=amount, price=amount * 4 // 5)
    if kind is Kind.FREE_GIFT:
        threshold = r.choice([0, r.randint(1, 60_000)])
        return Terms(
            kind, threshold=threshold, amount=r.randint(1, 8_000), gift_sku_id=r.randint(1, 5)
        )
    if kind is Kind.PERCENT:
        cap = None if r.random() < 0.3 else r.randint(1, 8_000)
        return Terms(
            kind, percent_off=pct, max_off=cap, threshold=r.choice([0, r.randint(1, 20_000)])
        )
    if kind is Kind.NTH_ITEM:
        return Terms(kind, every=r.randint(1, 3), percent_off=pct)
    if kind is Kind.BUY_GET:
        return Terms(kind, every=r.randint(1, 3), free=r.randint(1, 2))
    if kind is Kind.SET_PRICE:
        return Terms(kind, every=r.randint(1, 3), set_price=r.randint(1, 30_000))
    unit = None if r.random() < 0.5 else r.randint(1, 30_000)
    return Terms(kind, percent_off=pct, unit_price=unit)


def promotion(r: Random, n: int, skus: int = 5) -> Offer:
    return Offer(
        key=f"promotion:{n}",
        terms=terms(r, r.choice(PROMOTION_KINDS)),
        stacking=r.choice(list(Stacking)),
        priority=r.randint(0, 3),
        reach=reach(r, skus),
        ident=n,
    )


def wallet(r: Random, templates: int, most_copies: int = 3, skus: int = 5) -> list[Offer]:
    coupons: list[Offer] = []
    for template in range(1, templates + 1):
        shape = terms(r, r.choice(COUPON_KINDS))
        stacking, where, per_order = r.choice(list(Stacking)), reach(r, skus), r.randint(1, 2)
        for _ in range(r.randint(1, most_copies)):
            n = len(coupons) + 1
            coupons.append(
                Offer(
                    key=f"coupon:{n}",
                    terms=shape,
                    stacking=stacking,
                    reach=where,
                    template=f"template:{template}",
                    per_order=per_order,
                    ident=n,
                )
            )
    return coupons


def problem(r: Random) -> Problem:
    """A small problem: up to 4 lines, 5 promotions and 3 coupon templates (9 coupons)."""
    cart = [line(r) for _ in range(r.randint(1, 4))]
    offers = [promotion(r, n) for n in range(1, r.randint(0, 5) + 1)]
    offers += wallet(r, r.randint(0, 3))
    limits = Limits(
        max_applied=r.randint(1, 4),
        max_coupons=r.randint(1, 3),
        item_discounts_per_line=r.randint(1, 2),
    )
    return cart, offers, limits


def tail(r: Random, cart: list[Line]) -> Tail:
    """A member's points (none, a few, or plenty; some offered only in part) at a drawn rate
    and cap, and at times a pre-sale deposit credit on some lines of ``cart``."""
    subtotal = sum(item.unit_price * item.quantity for item in cart)
    balance = r.choice([0, r.randint(1, 500), r.randint(1, 50_000), 10**7])
    chosen = None if r.random() < 0.7 else r.randint(0, max(1, balance))
    credit, lines = 0, tuple[int, ...]()
    if r.random() < 0.3:
        credit = r.randint(1, max(1, subtotal))
        lines = tuple(sorted(r.sample(range(len(cart)), r.randint(1, len(cart)))))
    return Tail(
        credit=credit,
        credit_lines=lines if r.random() < 0.7 else (),
        balance=balance,
        chosen=chosen,
        per_yuan=r.choice([1, 10, 100, 100, 150, 1000]),
        cap_pct=r.choice([0, 10, 50, 50, 100, r.randint(1, 100)]),
    )


def everyday_tail(r: Random) -> Tail:
    """A benchmark member: some points at 100 a yuan, at most half of what is left."""
    return Tail(balance=r.choice([0, r.randint(100, 20_000)]))


def everyday_terms(r: Random, kind: Kind) -> Terms:
    """Terms as shops set them: a few percent to half off, thresholds above one item."""
    if kind is Kind.SPEND_SAVE:
        steps = sorted(r.sample(range(10_000, 150_000, 5_000), r.randint(1, 3)))
        return Terms(kind, tiers=tuple((t, t * r.randint(5, 15) // 100) for t in steps))
    if kind in (Kind.FIXED, Kind.PAID):
        amount = r.randint(5, 50) * 100
        return Terms(kind, amount=amount, price=amount * 4 // 5)
    if kind is Kind.FREE_GIFT:
        threshold = r.randint(2, 15) * 10_000
        return Terms(kind, threshold=threshold, amount=r.randint(20, 100) * 100, gift_sku_id=99)
    if kind is Kind.THRESHOLD:
        threshold = r.randint(2, 15) * 10_000
        return Terms(kind, threshold=threshold, amount=threshold * r.randint(10, 20) // 100)
    if kind is Kind.PERCENT:
        return Terms(kind, percent_off=r.randint(5, 30), max_off=r.randint(2, 10) * 1_000)
    if kind is Kind.NTH_ITEM:
        return Terms(kind, every=r.randint(2, 3), percent_off=r.randint(2, 5) * 10)
    if kind is Kind.BUY_GET:
        return Terms(kind, every=r.randint(2, 3), free=1)
    if kind is Kind.SET_PRICE:
        every = r.randint(2, 3)
        return Terms(kind, every=every, set_price=every * r.randint(10_000, 15_000))
    return Terms(kind, percent_off=r.randint(5, 15))


def large_problem(r: Random, candidates: int = 30, applied: int = 5) -> Problem:
    """A benchmark problem: a cart of 3 to 8 lines and ``candidates`` everyday offers that
    each reach some line of it; a third are promotions, the rest coupons (some held twice)."""
    skus = 12
    cart = [line(r, skus) for _ in range(r.randint(3, 8))]
    offers = [
        replace(
            p,
            terms=everyday_terms(r, p.terms.kind),
            reach=_reaching(r, cart, p.reach, skus),
        )
        for p in (promotion(r, n, skus) for n in range(1, candidates // 3 + 1))
    ]
    template = 0
    while len(offers) < candidates:
        template += 1
        shape = everyday_terms(r, r.choice(CART_COUPON_KINDS))
        stacking, per_order = r.choice(list(Stacking)), r.randint(1, 2)
        where = _reaching(r, cart, reach(r, skus), skus)
        for _ in range(min(r.randint(1, 2), candidates - len(offers))):
            n = len(offers) + 1
            offers.append(
                Offer(
                    key=f"coupon:{n}",
                    terms=shape,
                    stacking=stacking,
                    reach=where,
                    template=f"template:{template}",
                    per_order=per_order,
                    ident=n,
                )
            )
    limits = Limits(max_applied=applied, max_coupons=applied, item_discounts_per_line=2)
    return cart, offers, limits


def _reaching(r: Random, cart: list[Line], where: Reach, skus: int) -> Reach:
    """``where``, or another drawn reach, that takes in at least one line of ``cart``."""
    while not any(where.covers(item) for item in cart):
        where = reach(r, skus)
    return where
