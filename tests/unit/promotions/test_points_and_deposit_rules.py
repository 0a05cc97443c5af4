"""Points and the pre-sale deposit credit after every discount: the rules in small cases."""

from tests.unit.promotions.test_promotion_rules import CONTEXT, line

from newretail.promotions import rules
from newretail.promotions.discounts import Kind, Terms
from newretail.promotions.eligibility import Offer
from newretail.promotions.tail import Tail, TailReason

SPEND_500_SAVE_50 = Offer("promotion:1", Terms(Kind.SPEND_SAVE, tiers=((50_000, 5_000),)))


def _quote(cart_total: int, tail: Tail, offers: list[Offer] | None = None) -> rules.Quote:
    return rules.quote([line(cart_total)], offers or [], CONTEXT, tail=tail)


def test_points_pay_at_most_half_of_what_is_left_at_100_a_yuan() -> None:
    best = _quote(59_900, Tail(balance=1_000_000), [SPEND_500_SAVE_50]).best
    assert (best.saving, best.points_off, best.points) == (5_000, 27_450, 27_450)
    assert best.payable == 59_900 - 5_000 - 27_450


def test_a_rate_of_10_points_a_yuan_spends_a_tenth_of_the_fen() -> None:
    best = _quote(10_000, Tail(balance=300, per_yuan=10)).best
    assert (best.points_off, best.points) == (3_000, 300)


def test_the_member_may_offer_fewer_points_and_is_told_so() -> None:
    quote = _quote(10_000, Tail(balance=3_000, chosen=1_000))
    assert (quote.best.points, quote.best.payable) == (1_000, 9_000)
    assert rules.LeftOut("points", TailReason.POINTS_CHOSEN) in quote.left_out


def test_points_left_over_by_the_cap_are_explained() -> None:
    quote = _quote(10_000, Tail(balance=9_000))
    assert quote.best.points == 5_000
    assert rules.LeftOut("points", TailReason.POINTS_CAPPED) in quote.left_out


def test_a_threshold_is_met_by_the_price_before_the_deposit_credit() -> None:
    best = _quote(59_900, Tail(credit=15_000), [SPEND_500_SAVE_50]).best
    assert (best.saving, best.credit, best.payable) == (5_000, 15_000, 39_900)


def test_points_pay_their_share_of_what_the_deposit_leaves() -> None:
    best = _quote(59_900, Tail(credit=15_000, balance=10**6), [SPEND_500_SAVE_50]).best
    assert best.points_off == (59_900 - 5_000 - 15_000) // 2
    assert best.line_payable == (59_900 - 5_000 - 15_000 - best.points_off,)
