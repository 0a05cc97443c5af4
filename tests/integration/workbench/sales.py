"""Paid orders for workbench tests, placed and paid through the orders service."""

from typing import Any

from tests import order_builders
from tests.integration.orders.flash import consumer_scope

from newretail.db import Database, utcnow
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate


def paid_order(
    database: Database, consumer_id: int, shop: order_builders.Shop, **fields: Any
) -> tuple[int, int]:
    """A paid order of one unit of each of the shop's SKUs; its id and total."""
    data = OrderCreate.model_validate(order_builders.order_body(shop, **fields))
    with database.transaction() as session:
        view = orders_service.create_order(
            session=session, scope=consumer_scope(consumer_id), data=data
        )
        orders_service.mark_paid(session=session, order_id=view.id, amount=view.total, now=utcnow())
    with database.transaction(read_only=True) as session:
        order = session.get(Order, view.id)
        assert order is not None and order.paid_at is not None
        return order.id, order.total
