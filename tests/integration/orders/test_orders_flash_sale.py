"""A flash sale: many concurrent buyers for a few units of one SKU, on SQLite and PostgreSQL.

No unit is sold twice; every paid order's unit left the shelf as a sale; every unpaid
order's hold is released when its payment window closes.
"""

from datetime import timedelta

from sqlalchemy import func, select
from tests import order_builders
from tests.integration.orders.flash import buy, together

from newretail.db import Database, utcnow
from newretail.inventory.models import StockMovement
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.payments.models import Payment

BUYERS = 40
UNITS = 6
WORKERS = 10


def test_forty_buyers_for_six_units_never_oversell_and_unpaid_holds_come_back(
    database: Database,
) -> None:
    shop = order_builders.shop(database, stock=UNITS)
    hot = shop.skus[0]
    consumers = [order_builders.consumer(database) for _ in range(BUYERS)]
    outcomes = together(WORKERS, BUYERS, lambda n: buy(database, shop, consumers[n], n % 3 != 0))
    placed = [o for o in outcomes if o.order_id is not None]
    paid = [o for o in placed if o.paid]
    held_before_expiry = order_builders.level(database, shop.store_id, hot)
    with database.transaction() as session:
        expired = orders_service.expire_unpaid(session=session, now=utcnow() + timedelta(hours=1))
    with database.transaction(read_only=True) as session:
        sold = session.scalar(
            select(func.coalesce(func.sum(-StockMovement.quantity), 0)).where(
                StockMovement.sku_id == hot, StockMovement.kind == "sale"
            )
        )
        sold_for = set(
            session.scalars(
                select(StockMovement.reference_id).where(
                    StockMovement.sku_id == hot, StockMovement.kind == "sale"
                )
            )
        )
        paid_numbers = set(session.scalars(select(Order.number).where(Order.paid_amount > 0)))
        statuses = dict(
            session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
        )
        succeeded = session.scalar(
            select(func.count()).select_from(Payment).where(Payment.status == "succeeded")
        )
    assert len(placed) == UNITS
    assert {o.refusal for o in outcomes if o.order_id is None} == {"insufficient_stock"}
    assert held_before_expiry == (UNITS - len(paid), UNITS - len(paid))
    assert expired == UNITS - len(paid)
    assert sold == len(paid) == succeeded
    assert sold_for == paid_numbers
    assert statuses == {"allocated": len(paid), "cancelled": UNITS - len(paid)}
    assert order_builders.level(database, shop.store_id, hot) == (UNITS - len(paid), 0)
