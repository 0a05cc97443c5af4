"""Orders tell their buyer through the notifier, once per event, after it commits."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import order_builders
from tests.notify_builders import member

from newretail import consumers
from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.outbox.dispatch import OutboxDispatcher


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(database_url=database.url, log_json=False, log_level="WARNING")


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def test_the_buyer_hears_that_the_pickup_is_ready_with_its_code_once(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    _, consumer_id = member(database, shop.world)
    buyer = shop.consumer_headers(consumer_id)
    cashier = shop.world.headers("east_cashier")
    order = client.post(
        "/api/v1/orders", json=order_builders.order_body(shop), headers=buyer
    ).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    [fulfilment] = client.get(f"/api/v1/orders/{order['id']}/fulfilments", headers=cashier).json()
    ready = client.post(
        f"/api/v1/orders/{order['id']}/fulfilments/{fulfilment['id']}/ready", headers=cashier
    ).json()
    dispatch = OutboxDispatcher(registry=consumers.registry())
    before = client.get("/api/v1/notifications", headers=buyer).json()["items"]
    dispatch(database, settings)
    dispatch(database, settings)
    inbox = client.get("/api/v1/notifications", headers=buyer).json()["items"]
    assert before == []
    assert [n["template"] for n in inbox] == ["order.ready_for_pickup"]
    assert ready["pickup_code"] in inbox[0]["body"]
    assert order["number"] in inbox[0]["body"]


ADDRESS = {
    "name": "Wang",
    "phone": "13900000000",
    "line1": "99 Huaihai Rd",
    "lat": 31.2305,
    "lng": 121.4738,
}


def test_the_buyer_hears_that_the_order_shipped_with_its_tracking_number(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    _, consumer_id = member(database, shop.world)
    buyer = shop.consumer_headers(consumer_id)
    manager = shop.world.headers("east_store_manager")
    body = order_builders.order_body(
        shop, channel="online", delivery={"method": "same_city", "address": ADDRESS}
    )
    order = client.post("/api/v1/orders", json=body, headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    [fulfilment] = client.get(f"/api/v1/orders/{order['id']}/fulfilments", headers=manager).json()
    client.post(
        f"/api/v1/orders/{order['id']}/fulfilments/{fulfilment['id']}/ship",
        json={"tracking_no": "SF123"},
        headers=manager,
    )
    OutboxDispatcher(registry=consumers.registry())(database, settings)
    inbox = client.get("/api/v1/notifications", headers=buyer).json()["items"]
    assert [n["template"] for n in inbox] == ["order.shipped"]
    assert "SF123" in inbox[0]["body"]
