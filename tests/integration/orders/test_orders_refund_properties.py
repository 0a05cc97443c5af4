"""Random orders with discounts and partial refunds, through the services on each database:
every split adds up to the fen and nothing is ever given back beyond what was paid."""

import weakref

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests import order_builders

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.models import Refund
from newretail.payments.schemas import PaymentCreate, RefundCreate

PRICES = [999, 1_001, 33_333]

step = st.one_of(
    st.tuples(st.just("amount"), st.integers(1, 120_000)),
    st.tuples(st.just("units"), st.tuples(st.integers(0, 2), st.integers(1, 3))),
)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    quantities=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    discount_share=st.integers(0, 100),
    steps=st.lists(step, max_size=5),
)
def test_refund_splits_add_up_and_stay_within_what_was_paid(
    database: Database, quantities: list[int], discount_share: int, steps: list[tuple[str, object]]
) -> None:
    shop = _shop(database)
    scope = orders_service.system_for(shop.world.brand.id)
    subtotal = sum(p * q for p, q in zip(PRICES, quantities, strict=True))
    data = OrderCreate.model_validate(
        {
            **order_builders.order_body(shop, channel="pos"),
            "lines": [
                {"sku_id": sku, "quantity": q} for sku, q in zip(shop.skus, quantities, strict=True)
            ],
            "discount": subtotal * discount_share // 100,
        }
    )
    with database.transaction() as session:
        order = orders_service.create_order(session=session, scope=scope, data=data)
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        order_id, line_ids = order.id, [line.id for line in order.lines]
    for kind, value in steps:
        if kind == "amount":
            body = RefundCreate(amount=int(value))  # type: ignore[call-overload]
        else:
            index, units = value  # type: ignore[misc]
            body = RefundCreate.model_validate(
                {"lines": [{"order_line_id": line_ids[index], "quantity": units}]}
            )
        try:
            with database.transaction() as session:
                payments_service.refund(session=session, scope=scope, order_id=order_id, data=body)
        except DomainError as exc:
            assert exc.code in {"refund_exceeds_paid", "order_not_refundable", "invalid_refund"}
    with database.transaction(read_only=True) as session:
        final = session.scalar(select(Order).where(Order.id == order_id))
        refunds = list(session.scalars(select(Refund).where(Refund.order_id == order_id)))
        assert final is not None
        assert sum(line.discount for line in final.lines) == final.discount
        assert sum(line.total for line in final.lines) == final.total == final.paid_amount
        assert all(0 <= line.refunded_amount <= line.total for line in final.lines)
        assert sum(r.amount for r in refunds) == final.refunded_amount <= final.paid_amount
        assert sum(line.refunded_amount for line in final.lines) == final.refunded_amount
        assert all(sum(x.amount for x in r.lines) == r.amount for r in refunds)


_shops: "weakref.WeakKeyDictionary[Database, order_builders.Shop]" = weakref.WeakKeyDictionary()


def _shop(database: Database) -> order_builders.Shop:
    """One shop per database for all examples, well stocked (examples only add orders)."""
    if database not in _shops:
        _shops[database] = order_builders.shop(database, prices=PRICES, stock=1_000)
    return _shops[database]
