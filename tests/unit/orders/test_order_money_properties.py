"""For random orders with discounts and partial refunds, every split adds up to the fen."""

from hypothesis import given
from hypothesis import strategies as st

from newretail.orders.rules import (
    RefundableLine,
    amount_refund,
    discounted_amounts,
    line_amounts,
    quantity_refund,
)

lines = st.lists(
    st.tuples(st.integers(0, 100_000), st.integers(1, 20)), min_size=1, max_size=8
).filter(lambda ls: sum(p * q for p, q in ls) > 0)


@given(lines, st.data())
def test_discount_shares_add_up_and_never_exceed_a_line(
    order: list[tuple[int, int]], data: st.DataObject
) -> None:
    subtotal = sum(p * q for p, q in order)
    discount = data.draw(st.integers(0, subtotal))
    amounts = line_amounts([p for p, _ in order], [q for _, q in order], discount)
    assert sum(a.discount for a in amounts) == discount
    assert sum(a.total for a in amounts) == subtotal - discount
    assert all(0 <= a.discount <= a.subtotal for a in amounts)


@given(lines, st.data())
def test_promotion_cuts_and_a_further_discount_add_up_line_by_line(
    order: list[tuple[int, int]], data: st.DataObject
) -> None:
    subtotals = [p * q for p, q in order]
    taken = [data.draw(st.integers(0, s)) for s in subtotals]
    left = sum(subtotals) - sum(taken)
    discount = data.draw(st.integers(0, left))
    amounts = discounted_amounts([p for p, _ in order], [q for _, q in order], taken, discount)
    assert sum(a.discount for a in amounts) == sum(taken) + discount
    assert sum(a.total for a in amounts) == left - discount
    assert all(t <= a.discount <= a.subtotal for a, t in zip(amounts, taken, strict=True))


@given(lines, st.data())
def test_partial_refunds_in_any_steps_never_exceed_and_end_at_the_total(
    order: list[tuple[int, int]], data: st.DataObject
) -> None:
    subtotal = sum(p * q for p, q in order)
    discount = data.draw(st.integers(0, subtotal))
    amounts = line_amounts([p for p, _ in order], [q for _, q in order], discount)
    state = [
        RefundableLine(i, q, a.total, 0, 0)
        for i, ((_, q), a) in enumerate(zip(order, amounts, strict=True))
    ]
    paid = sum(line.total for line in state)
    refunded = 0
    for _ in range(data.draw(st.integers(0, 4))):
        left = sum(line.left for line in state)
        if left == 0:
            break
        amount = data.draw(st.integers(1, left))
        shares = amount_refund(state, amount)
        assert sum(shares) == amount
        assert all(0 <= s <= line.left for s, line in zip(shares, state, strict=True))
        state = [
            RefundableLine(x.line_id, x.quantity, x.total, 0, x.refunded_amount + s)
            for x, s in zip(state, shares, strict=True)
        ]
        refunded += amount
    assert refunded <= paid
    assert sum(line.refunded_amount for line in state) == refunded


@given(st.integers(0, 1_000_000), st.integers(1, 30), st.data())
def test_refunding_every_unit_in_steps_gives_back_exactly_the_line_total(
    total: int, quantity: int, data: st.DataObject
) -> None:
    line = RefundableLine(1, quantity, total, 0, 0)
    given_back = 0
    while line.refunded_quantity < quantity:
        step = data.draw(st.integers(1, quantity - line.refunded_quantity))
        amount = quantity_refund(line, step)
        given_back += amount
        line = RefundableLine(1, quantity, total, line.refunded_quantity + step, given_back)
        assert given_back <= total
    assert given_back == total
