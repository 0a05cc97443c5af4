"""What each kind of offer takes off, and how the best combination is chosen and explained."""

from datetime import UTC, datetime

import pytest

from newretail.promotions import rules
from newretail.promotions.discounts import Kind, Terms
from newretail.promotions.eligibility import Context, Line, Offer, Reach, Reason, Stacking, Window
from newretail.promotions.rules import LeftOut, SelectionRefused

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
CONTEXT = Context(store_id=1, channel="pos", at=NOON, tier="gold")


def line(price: int, quantity: int = 1, sku: int = 1) -> Line:
    return Line(sku, frozenset({7}), quantity, price)


def promo(n: int, terms: Terms, **fields: object) -> Offer:
    return Offer(key=f"promotion:{n}", terms=terms, ident=n, **fields)  # type: ignore[arg-type]


def coupon(n: int, terms: Terms, template: int = 0, **fields: object) -> Offer:
    return Offer(
        key=f"coupon:{n}",
        terms=terms,
        template=f"template:{template or n}",
        ident=n,
        **fields,  # type: ignore[arg-type]
    )


def best(cart: list[Line], *offers: Offer) -> rules.Quote:
    return rules.quote(cart, offers, CONTEXT)


def test_spend_save_takes_the_highest_tier_reached() -> None:
    tiers = Terms(Kind.SPEND_SAVE, tiers=((10_000, 1_000), (20_000, 3_000), (30_000, 5_000)))
    assert best([line(25_000)], promo(1, tiers)).best.saving == 3_000


def test_every_second_unit_at_half_price_discounts_the_cheaper_of_each_pair() -> None:
    half = Terms(Kind.NTH_ITEM, every=2, percent_off=50)
    quote = best([line(10_000, sku=1), line(6_000, sku=2)], promo(1, half))
    assert quote.best.applied[0].lines == (0, 3_000)


def test_buy_two_get_one_gives_the_cheapest_unit() -> None:
    three_for_two = Terms(Kind.BUY_GET, every=2, free=1)
    quote = best([line(300), line(200, sku=2), line(100, sku=3)], promo(1, three_for_two))
    assert quote.best.applied[0].lines == (0, 0, 100)


def test_a_set_price_is_spread_over_the_set_to_the_fen() -> None:
    two_for_100 = Terms(Kind.SET_PRICE, every=2, set_price=10_000)
    quote = best([line(10_000), line(5_000, sku=2)], promo(1, two_for_100))
    assert quote.best.applied[0].lines == (3_333, 1_667)
    assert quote.best.line_payable == (6_667, 3_333)


def test_a_tier_price_is_for_its_tiers_only() -> None:
    member_price = Terms(Kind.TIER_PRICE, unit_price=8_000)
    gold = promo(1, member_price, reach=Reach(tiers=frozenset({"gold"})))
    silver = promo(2, member_price, reach=Reach(tiers=frozenset({"silver"})))
    quote = best([line(10_000, quantity=2)], gold, silver)
    assert quote.best.saving == 4_000
    assert quote.left_out == (LeftOut("promotion:2", Reason.TIER_NOT_INCLUDED),)


def test_a_threshold_is_met_after_earlier_discounts_or_not_at_all() -> None:
    fifth_off = promo(1, Terms(Kind.TIER_PRICE, percent_off=20))
    over_100 = coupon(1, Terms(Kind.THRESHOLD, threshold=10_000, amount=1_000))
    quote = best([line(10_000)], fifth_off, over_100)
    assert quote.best.keys == ("promotion:1",)
    assert quote.left_out == (LeftOut("coupon:1", Reason.THRESHOLD_NOT_MET),)


def test_a_percent_coupon_stops_at_its_maximum() -> None:
    tenth_up_to_5 = coupon(1, Terms(Kind.PERCENT, percent_off=10, max_off=500))
    assert best([line(20_000)], tenth_up_to_5).best.saving == 500


def test_an_exclusive_coupon_gives_way_to_stackable_offers_that_save_more() -> None:
    exclusive = coupon(1, Terms(Kind.FIXED, amount=1_500), stacking=Stacking.EXCLUSIVE)
    first = coupon(2, Terms(Kind.FIXED, amount=1_000))
    second = promo(1, Terms(Kind.SPEND_SAVE, tiers=((0, 1_000),)))
    quote = best([line(10_000)], exclusive, first, second)
    assert (quote.best.keys, quote.best.saving) == (("promotion:1", "coupon:2"), 2_000)
    assert [c.saving for c in quote.alternatives] == [1_500, 1_000]
    assert quote.left_out == (LeftOut("coupon:1", Reason.STACKING_CONFLICT, "promotion:1"),)


def test_universal_offers_go_with_an_exclusive_one() -> None:
    exclusive = coupon(1, Terms(Kind.FIXED, amount=1_500), stacking=Stacking.EXCLUSIVE)
    universal = promo(1, Terms(Kind.SPEND_SAVE, tiers=((0, 1_000),)), stacking=Stacking.UNIVERSAL)
    assert best([line(10_000)], exclusive, universal).best.saving == 2_500


def test_copies_of_one_coupon_count_once_per_order_unless_the_template_allows_more() -> None:
    once = [coupon(n, Terms(Kind.FIXED, amount=100), template=9) for n in (1, 2)]
    twice = [coupon(n, Terms(Kind.FIXED, amount=100), template=8, per_order=2) for n in (3, 4)]
    assert best([line(10_000)], *once).best.keys == ("coupon:1",)
    assert best([line(10_000)], *twice).best.keys == ("coupon:3", "coupon:4")


def test_an_offer_outside_its_hours_or_dates_is_left_out_with_the_reason() -> None:
    lunch = Window(from_minute=11 * 60, until_minute=11 * 60 + 30)
    night = Window(from_minute=22 * 60, until_minute=13 * 60)  # wraps past midnight
    ended = Window(ends_at=datetime(2026, 12, 1, tzinfo=UTC))
    terms = Terms(Kind.FIXED, amount=100)
    quote = best(
        [line(1_000)],
        coupon(1, terms, window=lunch),
        coupon(2, terms, window=night),
        coupon(3, terms, window=ended),
    )
    assert quote.best.keys == ("coupon:2",)
    assert set(quote.left_out) == {
        LeftOut("coupon:1", Reason.OUTSIDE_HOURS),
        LeftOut("coupon:3", Reason.EXPIRED),
    }


def test_an_offer_for_other_skus_is_out_of_scope() -> None:
    shoes = coupon(1, Terms(Kind.FIXED, amount=100), reach=Reach(skus=frozenset({99})))
    assert best([line(1_000)], shoes).left_out == (LeftOut("coupon:1", Reason.OUT_OF_SCOPE),)


def test_an_order_level_discount_is_spread_by_largest_remainder() -> None:
    ten = promo(1, Terms(Kind.SPEND_SAVE, tiers=((0, 1_000),)))
    quote = best([line(1), line(1, sku=2), line(1, sku=3)], ten)
    assert quote.best.applied[0].lines == (1, 1, 1)
    quote = best([line(3_000), line(3_000, sku=2), line(3_000, sku=3)], ten)
    assert quote.best.applied[0].lines == (334, 333, 333)


@pytest.mark.parametrize(
    ("offers", "reason"),
    [
        (
            [
                coupon(1, Terms(Kind.FIXED, amount=1), stacking=Stacking.EXCLUSIVE),
                coupon(2, Terms(Kind.FIXED, amount=1), stacking=Stacking.EXCLUSIVE),
            ],
            Reason.STACKING_CONFLICT,
        ),
        ([coupon(1, Terms(Kind.THRESHOLD, threshold=5_000, amount=1))], Reason.THRESHOLD_NOT_MET),
    ],
)
def test_an_explicit_selection_is_refused_with_its_reason(
    offers: list[Offer], reason: Reason
) -> None:
    with pytest.raises(SelectionRefused) as refused:
        rules.price_selection([line(1_000)], offers, CONTEXT)
    assert refused.value.reason is reason
