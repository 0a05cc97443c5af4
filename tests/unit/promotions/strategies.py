"""Random carts, promotions and wallets for the best-combination tests and the benchmark.

Problems are drawn from a ``random.Random`` seeded by hypothesis: drawing thousands of nested
values through strategies would cost many times what the search itself costs.
"""

from datetime import UTC, datetime
from random import Random

from newretail.promotions.discounts import Kind, Terms
from newretail.promotions.eligibility import Context, Line, Offer, Reach, Stacking
from newretail.promotions.rules import Limits

CONTEXT = Context(store_id=1, channel="pos", at=datetime(2026, 12, 6, 12, tzinfo=UTC), tier="gold")
PROMOTION_KINDS = [Kind.NTH_ITEM, Kind.BUY_GET, Kind.SET_PRICE, Kind.TIER_PRICE, Kind.SPEND_SAVE]
COUPON_KINDS = [Kind.FIXED, Kind.THRESHOLD, Kind.PERCENT]
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
    if kind in (Kind.FIXED, Kind.THRESHOLD):
        threshold = 0 if kind is Kind.FIXED else r.randint(1, 60_000)
        return Terms(kind, threshold=threshold, amount=r.randint(1, 8_000))
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
    cart = [line(r) for _ in range(r.randint(1, 4))]
    offers = [promotion(r, n) for n in range(1, r.randint(0, 5) + 1)]
    offers += wallet(r, r.randint(0, 3))
    limits = Limits(
        max_applied=r.randint(1, 4),
        max_coupons=r.randint(1, 3),
        item_discounts_per_line=r.randint(1, 2),
    )
    return cart, offers, limits
