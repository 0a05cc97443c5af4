"""Refunds spread over an order's tenders: to the fen, never more than a tender paid."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newretail.payments.rules import tender_shares


def test_a_refund_goes_back_to_the_tenders_in_proportion_to_what_they_have_left() -> None:
    assert tender_shares(1_000, [3_000, 1_000]) == [750, 250]
    assert tender_shares(1, [1, 1]) == [1, 0]


def test_a_refund_beyond_what_the_tenders_have_left_is_refused() -> None:
    with pytest.raises(ValueError):
        tender_shares(4_001, [3_000, 1_000])


@settings(deadline=None)  # a loaded machine must not fail a rule
@given(
    paid=st.lists(st.integers(0, 10**7), min_size=1, max_size=5).filter(lambda p: sum(p) > 0),
    cuts=st.lists(st.integers(1, 10**9), max_size=6),
)
def test_refunds_in_any_steps_give_each_tender_back_exactly_what_it_paid(
    paid: list[int], cuts: list[int]
) -> None:
    total = sum(paid)
    points = sorted({cut % total for cut in cuts} - {0})
    steps = [b - a for a, b in zip([0, *points], [*points, total], strict=True)]
    left = list(paid)
    for amount in steps:
        shares = tender_shares(amount, left)
        assert sum(shares) == amount
        left = [x - s for x, s in zip(left, shares, strict=True)]
        assert min(left) >= 0
    assert left == [0] * len(paid)
