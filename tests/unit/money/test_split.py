from hypothesis import given
from hypothesis import strategies as st

from newretail.kernel.money import Money, split

weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(
    lambda ws: sum(ws) > 0
)
amounts = st.integers(min_value=-(10**12), max_value=10**12)


@given(amount=amounts, ws=weights)
def test_parts_always_add_up_to_the_amount(amount: int, ws: list[int]) -> None:
    assert sum(split(amount, ws)) == amount


@given(amount=amounts, ws=weights)
def test_each_part_is_within_one_unit_of_its_exact_share(amount: int, ws: list[int]) -> None:
    total = sum(ws)
    for part, weight in zip(split(amount, ws), ws, strict=True):
        assert abs(part * total - amount * weight) < total


@given(amount=st.integers(min_value=0, max_value=10**12), ws=weights)
def test_zero_weights_get_nothing_and_parts_are_never_negative(amount: int, ws: list[int]) -> None:
    parts = split(amount, ws)
    assert all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, ws, strict=True) if w == 0)


def test_ties_go_to_the_earlier_weight() -> None:
    assert split(100, [1, 1, 1]) == [34, 33, 33]


def test_negative_amounts_mirror_positive_ones() -> None:
    assert split(-100, [1, 1, 1]) == [-34, -33, -33]


def test_money_splits_keep_the_currency() -> None:
    assert Money(1001, "CNY").split([1, 1]) == [Money(501, "CNY"), Money(500, "CNY")]
