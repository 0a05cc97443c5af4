"""Builders for return tests: orders the buyer has received, and returns of them."""

from typing import Any

from sqlalchemy import func, select

from newretail.db import Database
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.returns import service as returns
from newretail.returns.models import OrderReturn
from newretail.returns.schemas import ReturnCreate
from tests.order_builders import Shop, consumer_scope, hand_over, place_by_staff


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
    lines = [{"sku_id": s, "quantity": q} for s, q in zip(shop.skus, quantities, strict=True) if q]
    order_id = place_by_staff(
        database, shop, channel=channel, member_id=member_id, lines=lines, discount=discount
    )
    scope = orders_service.system_for(shop.world.brand.id)
    with database.transaction() as session:
        payments_service.pay(session=session, scope=scope, order_id=order_id, data=PaymentCreate())
    hand_over(database, shop.world.brand.id, order_id)
    return order_id


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


def send_back(
    database: Database, shop: Shop, order_id: int, consumer_id: int, lines: list[tuple[int, int]]
) -> OrderReturn:
    """The buyer announces ``lines`` ((order line, units)) coming back to the east store,
    whose staff receive them, which refunds them: the return."""
    data = ReturnCreate.model_validate(
        {
            "order_id": order_id,
            "receiving_location_id": shop.store_id,
            "lines": [{"order_line_id": line, "quantity": n} for line, n in lines],
        }
    )
    with database.transaction() as session:
        announced = returns.create_return(
            session=session, scope=consumer_scope(consumer_id), data=data
        )
        record = returns.receive(
            session=session,
            scope=orders_service.system_for(shop.world.brand.id),
            return_id=announced.id,
        )
        session.expunge(record)
        return record


def return_count(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(OrderReturn)) or 0)
