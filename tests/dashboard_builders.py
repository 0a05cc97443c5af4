"""Builders for the dashboard tests: paid orders, and the figures read straight from the table."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from newretail.db import Database
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from tests import order_builders
from tests.order_builders import Shop
from tests.presale_builders import consumer_scope


def paid_order(
    database: Database, shop: Shop, *, channel: str = "cloud_store", guide_id: int | None = None
) -> int:
    """One unit of each of the shop's SKUs, bought by a new consumer and paid in the sandbox
    (referred by ``guide_id``, when given)."""
    scope = consumer_scope(order_builders.consumer(database))
    body = order_builders.order_body(shop, channel=channel, referring_guide_id=guide_id)
    with database.transaction() as session:
        order = orders_service.create_order(
            session=session, scope=scope, data=OrderCreate.model_validate(body)
        )
        payments_service.pay(
            session=session,
            scope=scope,
            order_id=order.id,
            data=PaymentCreate(instruction="succeed"),
        )
        return order.id


@dataclass(frozen=True)
class Sums:
    sales: int
    orders: int
    by_channel: dict[str, int]


def sums_since(database: Database, brand_id: int, start: datetime) -> Sums:
    """Net sales and counted orders paid since ``start``, summed here from the orders table."""
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(Order.channel, Order.total, Order.refunded_amount, Order.refund_state).where(
                Order.brand_id == brand_id, Order.paid_at >= start
            )
        ).all()
    by_channel: dict[str, int] = {}
    for row in rows:
        by_channel[row.channel] = by_channel.get(row.channel, 0) + row.total - row.refunded_amount
    return Sums(
        sales=sum(row.total - row.refunded_amount for row in rows),
        orders=sum(1 for row in rows if row.refund_state != "full"),
        by_channel=by_channel,
    )
