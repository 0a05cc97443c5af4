"""Orders over HTTP: checkout, attribution, idempotency, payments, refunds and fulfilment."""

from fastapi.testclient import TestClient
from tests import member_builders, order_builders
from tests.order_builders import order_body

from newretail.db import Database


def test_a_consumer_orders_pays_and_picks_up_at_the_counter(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    cashier = shop.world.headers("east_cashier")
    created = client.post("/api/v1/orders", json=order_body(shop), headers=buyer)
    order = created.json()
    paid = client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    fulfilments = client.get(f"/api/v1/orders/{order['id']}/fulfilments", headers=cashier).json()
    ready = client.post(
        f"/api/v1/orders/{order['id']}/fulfilments/{fulfilments[0]['id']}/ready", headers=cashier
    ).json()
    handed = client.post(
        "/api/v1/pickups/handover",
        json={"store_id": shop.store_id, "pickup_code": ready["pickup_code"]},
        headers=cashier,
    )
    final = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert created.status_code == 201, created.text
    assert order["total"] == sum(shop.prices)
    assert [line["unit_price"] for line in order["lines"]] == shop.prices
    assert paid.status_code == 201, paid.text
    assert paid.json()["order"]["status"] == "allocated"
    assert [f["kind"] for f in fulfilments] == ["pickup"]
    assert handed.status_code == 200, handed.text
    assert final["status"] == "completed"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (9, 0)
