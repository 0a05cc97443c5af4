"""Selling at the till: carry-out, members, guides, coupons, split tenders, the endless aisle."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import order_builders, pos_builders

from newretail.db import Database
from newretail.orders.models import Fulfilment, Order


def test_a_carry_out_sale_completes_at_once_with_its_stock_taken(
    client: TestClient, database: Database
) -> None:
    till = pos_builders.till(database)
    body = pos_builders.sale(till)
    response = client.post("/api/v1/pos/orders", json=body, headers=till.headers())
    sale = response.json()
    with database.transaction(read_only=True) as session:
        order = session.get(Order, sale["order_id"])
        assert order is not None
        fulfilments = [
            (f.kind, f.status)
            for f in session.scalars(select(Fulfilment).where(Fulfilment.order_id == order.id))
        ]
        status, channel, closed = order.status, order.channel, order.closed_at
    assert response.status_code == 201, response.text
    assert sale["status"] == "completed"
    assert (status, channel, closed is not None) == ("completed", "pos", True)
    assert fulfilments == [("carry_out", "completed")]
    assert order_builders.level(database, till.store_id, till.shop.skus[0]) == (9, 0)
