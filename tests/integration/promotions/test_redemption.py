"""Pricing a cart on the database, and coupons reserved, committed and released."""

from datetime import timedelta

import pytest
from tests import promotion_builders as pb

from newretail.db import Database, utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Coupon


def _statuses(database: Database, *coupon_ids: int) -> list[tuple[str, int | None]]:
    with database.transaction(read_only=True) as session:
        rows = [session.get(Coupon, i) for i in coupon_ids]
        return [(c.status, c.discount) for c in rows if c is not None]


def _reserve(
    database: Database, priced: promotions_service.Priced, member_id: int, keys: list[str], ref: str
) -> promotions_service.Combination:
    with database.transaction() as session:
        return promotions_service.reserve(
            session=session, priced=priced, member_id=member_id, keys=keys, reference=ref
        )


def _refusal(
    database: Database, priced: promotions_service.Priced, member: int, keys: list[str]
) -> str:
    with pytest.raises(DomainError) as refused:
        _reserve(database, priced, member, keys, "order-x")
    return refused.value.code


def test_the_best_combination_takes_every_stackable_offer_in_order(database: Database) -> None:
    shop = pb.shop(database)
    promotion_id = pb.promotion(database, shop)
    member_id = pb.member(database, shop)
    fixed = pb.claim(database, member_id, pb.template(database, shop))
    threshold = pb.claim(
        database,
        member_id,
        pb.template(database, shop, kind="threshold", terms={"threshold": 10_000, "amount": 3_000}),
    )
    quote = promotions_service.price_cart(pb.priced(database, shop, member_id, [1, 1]))
    assert quote.subtotal == 18_890
    assert quote.best.keys == (
        f"promotion:{promotion_id}",
        f"coupon:{threshold}",
        f"coupon:{fixed}",
    )
    assert (quote.best.saving, quote.best.payable) == (6_000, 12_890)
    assert [sum(a.lines) for a in quote.best.applied] == [2_000, 3_000, 1_000]
    assert [c.saving for c in quote.alternatives] == [5_000, 4_000]


def test_reserve_commit_and_release_move_the_coupons(database: Database) -> None:
    shop = pb.shop(database)
    member_id = pb.member(database, shop)
    coupon_id = pb.claim(database, member_id, pb.template(database, shop))
    priced = pb.priced(database, shop, member_id, [1, 0])
    keys = [f"coupon:{coupon_id}"]

    _reserve(database, priced, member_id, keys, "order-1")
    reserved = _statuses(database, coupon_id)
    taken_twice = _refusal(database, priced, member_id, keys)
    with database.transaction() as session:
        released = promotions_service.release(session=session, reference="order-1")
    back = _statuses(database, coupon_id)
    _reserve(database, priced, member_id, keys, "order-2")
    with database.transaction() as session:
        first = [c.id for c in promotions_service.commit(session=session, reference="order-2")]
    with database.transaction() as session:
        again = [c.id for c in promotions_service.commit(session=session, reference="order-2")]

    assert reserved == [("reserved", 1_000)]
    assert taken_twice == "coupon_unavailable"
    assert (released, back) == (1, [("released", None)])
    assert first == again == [coupon_id]
    assert _statuses(database, coupon_id) == [("redeemed", 1_000)]


def test_committing_an_unknown_reference_is_refused(database: Database) -> None:
    with database.transaction() as session, pytest.raises(DomainError) as refused:
        promotions_service.commit(session=session, reference="nothing")
    assert refused.value.code == "reservation_not_found"


def test_bad_selections_are_refused_with_their_reason(database: Database) -> None:
    shop = pb.shop(database)
    member_id = pb.member(database, shop)
    first = pb.claim(database, member_id, pb.template(database, shop, stacking="exclusive"))
    third = pb.claim(database, member_id, pb.template(database, shop, stacking="exclusive"))
    one_per_order = pb.template(database, shop)
    second, fourth = (pb.claim(database, member_id, one_per_order) for _ in range(2))
    big = pb.template(database, shop, kind="threshold", terms={"threshold": 50_000, "amount": 1})
    threshold = pb.claim(database, member_id, big)
    elsewhere = pb.template(database, shop, reach={"skus": [shop.skus[1]]})
    scoped = pb.claim(database, member_id, elsewhere)
    priced = pb.priced(database, shop, member_id, [1, 0])
    later = pb.priced_at(database, shop, member_id, [1, 0], utcnow() + timedelta(days=40))
    codes = [
        _refusal(database, priced, member_id, [f"coupon:{first}", f"coupon:{third}"]),
        _refusal(database, priced, member_id, [f"coupon:{second}", f"coupon:{fourth}"]),
        _refusal(database, priced, member_id, [f"coupon:{threshold}"]),
        _refusal(database, priced, member_id, [f"coupon:{scoped}"]),
        _refusal(database, later, member_id, [f"coupon:{first}"]),
    ]
    assert codes == [
        "exclusive_conflict",
        "order_limit",
        "threshold_not_met",
        "coupon_not_applicable",
        "coupon_expired",
    ]


def test_the_expiry_job_expires_unused_coupons_only(database: Database) -> None:
    shop = pb.shop(database)
    member_id = pb.member(database, shop)
    template_id = pb.template(database, shop)
    unused, used = (pb.claim(database, member_id, template_id) for _ in range(2))
    priced = pb.priced(database, shop, member_id, [1, 0])
    _reserve(database, priced, member_id, [f"coupon:{used}"], "order-1")
    with database.transaction() as session:
        expired = promotions_service.expire_coupons(
            session=session, now=utcnow() + timedelta(days=31)
        )
    assert expired == 1
    assert [s for s, _ in _statuses(database, unused, used)] == ["expired", "reserved"]


def test_a_member_tier_price_applies_to_that_tier_only(database: Database) -> None:
    shop = pb.shop(database)
    pb.promotion(
        database,
        shop,
        kind="tier_price",
        terms={"percent_off": 10},
        reach={"tiers": ["gold"]},
    )
    member_id = pb.member(database, shop)
    with database.transaction(read_only=True) as session:
        items = [promotions_service.CartItem(shop.skus[0], 2)]
        args = {
            "session": session,
            "brand_id": shop.world.brand.id,
            "store_id": shop.store_id,
            "channel": "pos",
            "member_id": member_id,
            "items": items,
        }
        gold = promotions_service.load(tier="gold", **args)  # type: ignore[arg-type]
        silver = promotions_service.load(tier="silver", **args)  # type: ignore[arg-type]
    savings = [promotions_service.price_cart(p).best.saving for p in (gold, silver)]
    assert savings == [2_580, 0]


def test_a_lapsed_reservation_goes_back_to_the_wallet_once(database: Database) -> None:
    shop = pb.shop(database)
    member_id = pb.member(database, shop)
    lapsing, holding = (
        pb.claim(database, member_id, pb.template(database, shop)) for _ in range(2)
    )
    priced = pb.priced(database, shop, member_id, [1, 0])
    now = utcnow()
    with database.transaction() as session:
        for coupon_id, until in ((lapsing, now - timedelta(seconds=1)), (holding, None)):
            promotions_service.reserve(
                session=session,
                priced=priced,
                member_id=member_id,
                keys=[f"coupon:{coupon_id}"],
                reference=f"order-{coupon_id}",
                until=until,
            )
    with database.transaction(read_only=True) as session:
        held = session.get(Coupon, holding)
        assert held is not None
        where = (held.store_id, held.reserved_until is not None and held.reserved_until > now)
    with database.transaction() as session:
        first = promotions_service.release_lapsed(session=session, now=now)
    with database.transaction() as session:
        second = promotions_service.release_lapsed(session=session, now=now)
    assert (first, second) == (1, 0)
    assert _statuses(database, lapsing, holding) == [("released", None), ("reserved", 1_000)]
    assert where == (shop.store_id, True)


def test_the_report_counts_each_template_by_state_and_each_store_by_funder(
    database: Database,
) -> None:
    shop = pb.shop(database)
    member_id = pb.member(database, shop)
    template_id = pb.template(database, shop, funder="store", funder_store_id=shop.store_id)
    used, held, _ = (pb.claim(database, member_id, template_id) for _ in range(3))
    priced = pb.priced(database, shop, member_id, [1, 0])
    _reserve(database, priced, member_id, [f"coupon:{used}"], "order-1")
    _reserve(database, priced, member_id, [f"coupon:{held}"], "order-2")
    with database.transaction() as session:
        promotions_service.commit(session=session, reference="order-1")
        report = promotions_service.redemption_report(
            session=session, scope=SYSTEM, brand_id=shop.world.brand.id
        )
    figures = report.templates[0]
    counts = (figures.issued, figures.in_wallets, figures.reserved, figures.redeemed)
    assert counts == (3, 1, 1, 1)
    assert (figures.discount, figures.funder) == (1_000, "store")
    assert [(s.store_id, s.funder, s.redeemed, s.discount) for s in report.stores] == [
        (shop.store_id, "store", 1, 1_000)
    ]
