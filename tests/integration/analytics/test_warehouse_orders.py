"""Orders reach the warehouse as they are, and again when they change; the platform's
"Order Completed" event comes from the outbox once per paid order."""

import pytest
from tests import order_builders
from tests.integration.orders.flash import consumer_scope

from newretail import consumers
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.sync import sync
from newretail.config import Settings
from newretail.db import Database
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate

pytestmark = pytest.mark.postgres


def test_a_paid_order_is_copied_then_recopied_when_refunded(
    database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database, prices=[10_000])
    buyer = order_builders.consumer(database)
    data = OrderCreate.model_validate(order_builders.order_body(shop))
    with database.transaction() as session:
        _, order = payments_service.purchase(
            session=session, scope=consumer_scope(buyer), data=data, payment=PaymentCreate()
        )
        order_id = order.id
    warehouse = open_warehouse(":memory:")
    dispatcher = OutboxDispatcher(registry=consumers.registry())
    dispatcher(database, settings)
    sync(database=database, warehouse=warehouse)
    first = warehouse.query("SELECT order_id, person_key, total_fen, status FROM orders")

    order_builders.refund_amount(database, order_id, 10_000)
    dispatcher(database, settings)
    sync(database=database, warehouse=warehouse)

    assert first == [(order_id, f"consumer:{buyer}", 10_000, first[0][3])]
    with database.transaction(read_only=True) as session:
        status = session.get(Order, order_id).status  # type: ignore[union-attr]
    assert status != first[0][3]
    assert warehouse.query("SELECT count(*), any_value(status) FROM orders") == [(1, status)]
    events = warehouse.query(
        "SELECT event, person_key, order_id, revenue_fen FROM events ORDER BY seq"
    )
    assert events[0] == ("Order Completed", f"consumer:{buyer}", order_id, 10_000)
    assert [e[0] for e in events] == ["Order Completed", "Order Refunded"]
