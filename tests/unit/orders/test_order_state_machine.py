from newretail.orders.rules import (
    EVENT_OF,
    FulfilmentStatus,
    OrderStatus,
    can_transition,
    refund_state,
    sources_of,
    status_after_fulfilment,
)

S = OrderStatus
F = FulfilmentStatus


def test_an_unpaid_order_can_be_paid_or_cancelled_only() -> None:
    assert can_transition(S.CREATED, S.PAID)
    assert can_transition(S.CREATED, S.CANCELLED)
    assert not can_transition(S.CREATED, S.ALLOCATED)
    assert not can_transition(S.CREATED, S.REFUNDED)


def test_a_paid_order_cannot_be_cancelled_or_paid_again() -> None:
    assert not can_transition(S.PAID, S.CANCELLED)
    assert not can_transition(S.PAID, S.PAID)
    assert sources_of(S.PAID) == {S.CREATED}


def test_cancelled_completed_and_refunded_orders_are_final() -> None:
    for final in (S.CANCELLED, S.COMPLETED, S.REFUNDED):
        assert not any(can_transition(final, target) for target in S)


def test_only_orders_whose_goods_have_not_left_become_refunded() -> None:
    assert sources_of(S.REFUNDED) == {S.PAID, S.ALLOCATED, S.READY}


def test_every_status_has_its_event() -> None:
    assert set(EVENT_OF) == set(S)
    assert EVENT_OF[S.COMPLETED] == "order.fulfilled"
    assert EVENT_OF[S.PAID] == "order.paid"


def test_refund_state_follows_the_amounts() -> None:
    assert refund_state(1000, 0).value == "none"
    assert refund_state(1000, 1).value == "partial"
    assert refund_state(1000, 1000).value == "full"


def test_an_order_follows_its_fulfilments_only_when_all_have_moved() -> None:
    assert status_after_fulfilment([F.READY, F.PENDING]) is None
    assert status_after_fulfilment([F.READY, F.READY]) is S.READY
    assert status_after_fulfilment([F.SHIPPED, F.COMPLETED]) is S.SHIPPED
    assert status_after_fulfilment([F.COMPLETED, F.CANCELLED]) is S.COMPLETED
    assert status_after_fulfilment([F.CANCELLED]) is None


def test_a_carry_out_purchase_ends_completed_and_others_allocated() -> None:
    from newretail.orders.rules import DeliveryMethod, purchase_steps

    assert purchase_steps(DeliveryMethod.CARRY_OUT) == (S.PAID, S.ALLOCATED, S.COMPLETED)
    assert purchase_steps(DeliveryMethod.SHIP) == (S.PAID, S.ALLOCATED)


def test_the_lead_guide_served_the_largest_part_of_the_sale() -> None:
    from newretail.orders.rules import lead_guide

    assert lead_guide([7, None, 9], [100, 500, 300]) == 9
    assert lead_guide([7, 9, 7], [100, 300, 200]) == 7
    assert lead_guide([7, 9], [100, 100]) == 7
    assert lead_guide([None, None], [1, 2]) is None
