"""A code's statistics count the orders paid through it, their buyers and net sales."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from tests import code_builders, order_builders, presale_builders
from tests.integration.orders.flash import consumer_scope

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.orders.schemas import OrderCreate
from newretail.outbox.models import OutboxEvent
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate, RefundCreate
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.consumers import record_sales


def _bought(database: Database, shop: order_builders.Shop, consumer: int, **fields: Any) -> int:
    data = OrderCreate.model_validate(order_builders.order_body(shop, **fields))
    with database.transaction() as session:
        _, order = payments_service.purchase(
            session=session, scope=consumer_scope(consumer), data=data, payment=PaymentCreate()
        )
        return order.id


def _refund(database: Database, order_id: int, amount: int) -> None:
    with database.transaction() as session:
        payments_service.refund(
            session=session, scope=SYSTEM, order_id=order_id, data=RefundCreate(amount=amount)
        )


def _stats(database: Database, code: str) -> tuple[int, int, int]:
    with database.transaction(read_only=True) as session:
        found = touchpoints_service.stats(session=session, scope=SYSTEM, code=code)
        return found.orders, found.buyers, found.sales


def test_a_codes_orders_buyers_and_sales_net_of_refunds(database: Database) -> None:
    shop = order_builders.shop(database, prices=[10_000, 5_000])
    code = code_builders.code(database, shop.store_id)
    first, second = order_builders.consumer(database), order_builders.consumer(database)
    _bought(database, shop, first, touchpoint_code=code)
    _bought(database, shop, first, touchpoint_code=code)
    refunded = _bought(database, shop, second, touchpoint_code=code)
    _bought(database, shop, second)
    presale_builders.dispatch(database)
    _refund(database, refunded, 4_000)
    presale_builders.dispatch(database)
    assert _stats(database, code) == (3, 2, 3 * 15_000 - 4_000)


def test_replaying_the_orders_events_counts_nothing_twice(database: Database) -> None:
    shop = order_builders.shop(database, prices=[10_000])
    code = code_builders.code(database, shop.store_id)
    order_id = _bought(database, shop, order_builders.consumer(database), touchpoint_code=code)
    _refund(database, order_id, 1_000)
    presale_builders.dispatch(database)
    with database.transaction() as session:
        record_sales(session, list(session.scalars(select(OutboxEvent))))
    assert _stats(database, code) == (1, 1, 9_000)
    with database.transaction(read_only=True) as session:
        counts = touchpoints_service.counts(
            session=session,
            codes=[touchpoints_service.get_code(session=session, scope=SYSTEM, code=code)],
            since=utcnow() - timedelta(days=1),
        )
    assert [(c.orders, c.buyers, c.sales) for c in counts.values()] == [(1, 1, 9_000)]
