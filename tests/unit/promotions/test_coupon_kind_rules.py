"""Free gifts, service vouchers and paid vouchers in the best combination."""

from dataclasses import replace
from datetime import UTC, datetime

from newretail.promotions import rules
from newretail.promotions.discounts import Kind, Terms, face_value, gift_value
from newretail.promotions.eligibility import Context, Line, Offer, Reason, Stacking

CONTEXT = Context(store_id=1, channel="pos", at=datetime(2026, 12, 6, 12, tzinfo=UTC))
GIFT = Terms(Kind.FREE_GIFT, threshold=50_000, amount=3_000, gift_sku_id=9)


def coupon(n: int, terms: Terms, **fields: object) -> Offer:
    return Offer(
        key=f"coupon:{n}",
        terms=terms,
        template=f"template:{n}",
        ident=n,
        **fields,  # type: ignore[arg-type]
    )


def cart(price: int) -> list[Line]:
    return [Line(1, frozenset({7}), 1, price)]


def test_a_gift_is_given_when_the_order_reaches_its_threshold_and_costs_nothing_off() -> None:
    quote = rules.quote(cart(60_000), [coupon(1, GIFT)], CONTEXT)
    assert quote.best.keys == ("coupon:1",)
    assert (quote.best.saving, quote.best.gift, quote.best.payable) == (0, 3_000, 60_000)
    assert quote.best.applied[0].lines == (0,)


def test_a_gift_threshold_is_met_after_the_other_discounts() -> None:
    ten_off = Terms(Kind.FIXED, amount=15_000)
    quote = rules.quote(cart(60_000), [coupon(1, GIFT), coupon(2, ten_off)], CONTEXT)
    # 150 off leaves 450, under the gift's 500: the larger saving wins, the gift is out.
    assert quote.best.keys == ("coupon:2",)
    assert [c.keys for c in quote.alternatives] == [("coupon:1",)]
    assert rules.LeftOut("coupon:1", Reason.THRESHOLD_NOT_MET) in quote.left_out


def test_a_gift_and_a_discount_that_keep_the_threshold_go_together() -> None:
    small = Terms(Kind.FIXED, amount=1_000)
    quote = rules.quote(cart(60_000), [coupon(1, GIFT), coupon(2, small)], CONTEXT)
    assert set(quote.best.keys) == {"coupon:1", "coupon:2"}
    assert (quote.best.value, quote.best.payable) == (4_000, 59_000)


def test_a_gift_out_of_stock_is_left_out_with_a_reason() -> None:
    out = replace(CONTEXT, gifts_out=frozenset({9}))
    quote = rules.quote(cart(60_000), [coupon(1, GIFT)], out)
    assert quote.best.applied == ()
    assert quote.left_out == (rules.LeftOut("coupon:1", Reason.GIFT_OUT_OF_STOCK),)


def test_a_service_voucher_never_enters_a_cart() -> None:
    trial = Terms(Kind.SERVICE, amount=8_000)
    quote = rules.quote(cart(60_000), [coupon(1, trial, stacking=Stacking.UNIVERSAL)], CONTEXT)
    assert quote.best.applied == ()
    assert quote.left_out == (rules.LeftOut("coupon:1", Reason.USED_AT_STORE),)


def test_a_paid_voucher_takes_its_face_value_off() -> None:
    bought = Terms(Kind.PAID, amount=10_000, price=8_000)
    quote = rules.quote(cart(60_000), [coupon(1, bought)], CONTEXT)
    assert (quote.best.saving, quote.best.payable) == (10_000, 50_000)
    assert face_value(bought) == 10_000


def test_a_gift_of_an_order_with_nothing_left_to_pay_below_its_threshold_is_none() -> None:
    assert (gift_value(GIFT, 49_999), gift_value(GIFT, 50_000)) == (0, 3_000)
    assert gift_value(replace(GIFT, threshold=0), 0) == 0
