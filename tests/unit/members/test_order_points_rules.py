"""The points of a paid order and what a member keeps of them after refunds."""

from hypothesis import given
from hypothesis import strategies as st

from newretail.members.rules import order_points, points_kept, points_value, points_within


def test_an_order_earns_points_per_whole_yuan_rounded_down() -> None:
    assert order_points(collected=12_399, points_per_yuan=1, multiplier_pct=100) == 123


def test_a_tier_multiplier_scales_the_points() -> None:
    assert order_points(collected=10_000, points_per_yuan=2, multiplier_pct=150) == 300


def test_nothing_is_earned_at_a_rate_of_zero() -> None:
    assert order_points(collected=10_000, points_per_yuan=0, multiplier_pct=100) == 0


def test_a_partial_refund_keeps_points_in_proportion_rounded_down() -> None:
    assert points_kept(earned=123, paid=12_345, refunded=4_000) == 83


def test_a_full_refund_keeps_nothing() -> None:
    assert points_kept(earned=123, paid=12_345, refunded=12_345) == 0


@given(
    earned=st.integers(0, 10**6),
    paid=st.integers(1, 10**9),
    first=st.integers(0, 10**9),
    second=st.integers(0, 10**9),
)
def test_more_refunded_never_keeps_more_points(
    earned: int, paid: int, first: int, second: int
) -> None:
    low, high = sorted((min(first, paid), min(second, paid)))
    assert points_kept(earned=earned, paid=paid, refunded=high) >= 0
    assert points_kept(earned=earned, paid=paid, refunded=high) <= points_kept(
        earned=earned, paid=paid, refunded=low
    )
    assert points_kept(earned=earned, paid=paid, refunded=low) <= earned


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**4))
def test_points_within_are_the_most_that_pay_no_more_than_the_fen(fen: int, per_yuan: int) -> None:
    points = points_within(fen, per_yuan)
    assert points_value(points, per_yuan) <= fen < points_value(points + 1, per_yuan)
