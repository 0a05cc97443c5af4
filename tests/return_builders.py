"""Builders for return tests: orders the buyer has received, and returns of them."""

from typing import Any

from sqlalchemy import func, select

from newretail.db import Database
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.returns import service as returns
from newretail.returns.models import OrderReturn
from newretail.returns.schemas import ReturnCreate
from tests.order_builders import Shop, order_body


def received_order(
    database: Database,
    shop: Shop,
    *,
    quantities: list[int] | None = None,
    discount: int = 0,
    channel: str = "cloud_store",
    member_id: int | None = None,
) -> int:
    """A paid pickup order at the east store (of ``member_id``), handed over; its id."""
    quantities = quantities or [1] * len(shop.skus)
    scope = orders_service.system_for(shop.world.brand.id)
    lines = [{"sku_id": s, "quantity": q} for s, q in zip(shop.skus, quantities, strict=True) if q]
    data = OrderCreate.model_validate(
        {
            **order_body(shop, channel=channel, member_id=member_id),
            "lines": lines,
            "discount": discount,
        }
    )
    with database.transaction() as session:
        order = orders_service.create_order(session=session, scope=scope, data=data)
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        fulfilment = orders_service.list_fulfilments(
            session=session, scope=scope, order_id=order.id
        )[0]
        ready = orders_service.mark_ready(
            session=session, scope=scope, order_id=order.id, fulfilment_id=fulfilment.id
        )
        assert ready.pickup_code is not None
        orders_service.hand_over(
            session=session, scope=scope, store_id=shop.store_id, pickup_code=ready.pickup_code
        )
        return order.id


def line_ids(database: Database, order_id: int) -> list[int]:
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return [line.id for line in order.lines]


def take_back(
    database: Database, shop: Shop, order_id: int, location_id: int, **fields: Any
) -> OrderReturn:
    """A return (by the brand's system) received at once at ``location_id``."""
    body = {
        "order_id": order_id,
        "receiving_location_id": location_id,
        "received": True,
        **fields,
    }
    scope = orders_service.system_for(shop.world.brand.id)
    with database.transaction() as session:
        record = returns.create_return(
            session=session, scope=scope, data=ReturnCreate.model_validate(body)
        )
        session.expunge(record)
        return record


def return_count(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(OrderReturn)) or 0)
