"""Pre-sale delivery over HTTP: a deposit shipped or sent by courier, its address changed
until the balance is paid, and the refusals (method not offered, bad address, out of reach)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import order_builders, presale_builders
from tests.order_builders import Shop

from newretail.db import Database
from newretail.inventory.models import Reservation
from newretail.orders.models import Order
from newretail.presales.models import PresaleDeposit

HOME = {"name": "Li Lei", "phone": "+86 139 1234 5678", "line1": "88 Nanjing Road", "city": "SH"}
NEAR = {**HOME, "lat": 31.25, "lng": 121.48}  # about 2 km from the east store
BEIJING = {**HOME, "lat": 39.90, "lng": 116.40}


def _campaign(client: TestClient, shop: Shop, methods: list[str]) -> dict[str, Any]:
    body = {**presale_builders.body(shop), "delivery_methods": methods}
    del body["brand_id"]
    created = client.post("/api/v1/presales", json=body, headers=shop.world.headers("admin"))
    assert created.status_code == 201, created.text
    return dict(created.json())


def _deposit(
    client: TestClient, shop: Shop, presale_id: int, headers: dict[str, str], **delivery: Any
) -> Any:
    body = {"store_id": shop.store_id, "sku_id": shop.skus[0], "delivery": delivery}
    return client.post(f"/api/v1/presales/{presale_id}/deposits", json=body, headers=headers)


def _counts(database: Database) -> tuple[int, int, int]:
    """Deposits, orders and reservations: a refusal leaves them as they were."""
    with database.transaction(read_only=True) as session:
        deposits = session.scalar(select(func.count(PresaleDeposit.id))) or 0
        orders = session.scalar(select(func.count(Order.id))) or 0
        holds = session.scalar(select(func.count(Reservation.id))) or 0
    return deposits, orders, holds


def test_a_shipped_pre_sale_is_sent_from_the_store_that_held_it(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["pickup", "ship"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    placed = _deposit(client, shop, presale["id"], buyer, method="ship", address=HOME)
    deposit, order = placed.json()["deposit"], placed.json()["order"]
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    presale_builders.dispatch(database)
    balance = client.post(f"/api/v1/presales/deposits/{deposit['id']}/balance", headers=buyer)
    balance_order = balance.json()["order"]
    held = order_builders.level(database, shop.store_id, shop.skus[0])
    client.post(f"/api/v1/orders/{balance_order['id']}/pay", json={}, headers=buyer)
    admin = shop.world.headers("admin")
    fulfilments = client.get(f"/api/v1/orders/{balance_order['id']}/fulfilments", headers=admin)
    with database.transaction(read_only=True) as session:
        address = session.scalar(select(Order.address).where(Order.id == balance_order["id"]))
    assert presale["delivery_methods"] == ["pickup", "ship"]
    assert placed.status_code == 201, placed.text
    assert (deposit["delivery_method"], deposit["address"]["line1"]) == ("ship", "88 Nanjing Road")
    assert (order["delivery_method"], order["pickup_store_id"]) == ("ship", None)
    assert (balance_order["delivery_method"], balance_order["pickup_store_id"]) == ("ship", None)
    assert address is not None and address["name"] == "Li Lei"
    assert [(f["kind"], f["location_id"]) for f in fulfilments.json()] == [
        ("ship_from_store", shop.store_id)
    ]
    assert held == (10, 1)
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (9, 0)


def test_the_address_changes_before_the_balance_and_the_balance_order_follows(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["pickup", "ship", "same_city"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    placed = _deposit(client, shop, presale["id"], buyer)
    deposit_id, order_id = placed.json()["deposit"]["id"], placed.json()["order"]["id"]
    client.post(f"/api/v1/orders/{order_id}/pay", json={}, headers=buyer)
    path = f"/api/v1/presales/deposits/{deposit_id}/delivery"
    shipped = client.put(path, json={"method": "ship", "address": HOME}, headers=buyer)
    balance = client.post(f"/api/v1/presales/deposits/{deposit_id}/balance", headers=buyer)
    balance_id = balance.json()["order"]["id"]
    couriered = client.put(path, json={"method": "same_city", "address": NEAR}, headers=buyer)
    with database.transaction(read_only=True) as session:
        balance_order = session.get(Order, balance_id)
        assert balance_order is not None
        carried = (balance_order.delivery_method, balance_order.address)
    assert placed.json()["deposit"]["delivery_method"] == "pickup"
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["delivery_method"] == "ship"
    assert balance.json()["order"]["delivery_method"] == "ship"
    assert couriered.status_code == 200, couriered.text
    assert carried[0] == "same_city"
    assert carried[1] is not None and carried[1]["lat"] == 31.25


def test_the_delivery_cannot_change_once_the_balance_is_paid(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["pickup", "ship"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    placed = _deposit(client, shop, presale["id"], buyer, method="ship", address=HOME)
    deposit_id, order_id = placed.json()["deposit"]["id"], placed.json()["order"]["id"]
    client.post(f"/api/v1/orders/{order_id}/pay", json={}, headers=buyer)
    balance = client.post(f"/api/v1/presales/deposits/{deposit_id}/balance", headers=buyer)
    client.post(f"/api/v1/orders/{balance.json()['order']['id']}/pay", json={}, headers=buyer)
    moved = {**HOME, "line1": "1 Elsewhere Street"}
    path = f"/api/v1/presales/deposits/{deposit_id}/delivery"
    refused = client.put(path, json={"method": "ship", "address": moved}, headers=buyer)
    presale_builders.dispatch(database)  # the deposit follows: completed
    still = client.put(path, json={"method": "pickup"}, headers=buyer)
    after = client.get(f"/api/v1/presales/deposits/{deposit_id}", headers=buyer).json()
    assert refused.status_code == 409
    assert refused.json()["code"] == "delivery_locked"
    assert still.json()["code"] == "delivery_locked"
    assert (after["status"], after["address"]["line1"]) == ("completed", "88 Nanjing Road")


def test_a_method_the_pre_sale_does_not_offer_is_refused_and_nothing_is_held(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["pickup"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    before = _counts(database)
    refused = _deposit(client, shop, presale["id"], buyer, method="ship", address=HOME)
    couriered = _deposit(client, shop, presale["id"], buyer, method="same_city", address=NEAR)
    assert presale["delivery_methods"] == ["pickup"]
    assert refused.status_code == 422
    assert refused.json()["code"] == "delivery_not_offered"
    assert couriered.json()["code"] == "delivery_not_offered"
    assert _counts(database) == before
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 0)


def test_a_missing_or_malformed_address_is_refused(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["pickup", "ship", "same_city"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    before = _counts(database)
    answers = [
        _deposit(client, shop, presale["id"], buyer, method="ship"),
        _deposit(client, shop, presale["id"], buyer, method="ship", address={"name": "Li"}),
        _deposit(client, shop, presale["id"], buyer, method="ship", address={**HOME, "phone": "x"}),
        _deposit(client, shop, presale["id"], buyer, method="ship", address={**HOME, "line1": " "}),
        _deposit(client, shop, presale["id"], buyer, method="same_city", address=HOME),
        _deposit(client, shop, presale["id"], buyer, method="pickup", address=HOME),
        _deposit(client, shop, presale["id"], buyer, method="drone", address=HOME),
    ]
    assert [a.status_code for a in answers] == [422] * 7
    assert {a.json()["code"] for a in answers} == {"invalid_input"}
    assert _counts(database) == before


def test_same_city_reaches_only_addresses_near_the_store(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["same_city"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    before = _counts(database)
    far = _deposit(client, shop, presale["id"], buyer, method="same_city", address=BEIJING)
    after_refusal = _counts(database)
    near = _deposit(client, shop, presale["id"], buyer, method="same_city", address=NEAR)
    deposit_id = near.json()["deposit"]["id"]
    path = f"/api/v1/presales/deposits/{deposit_id}/delivery"
    moved = client.put(path, json={"method": "same_city", "address": BEIJING}, headers=buyer)
    kept = client.get(f"/api/v1/presales/deposits/{deposit_id}", headers=buyer).json()
    assert far.status_code == 422
    assert far.json()["code"] == "out_of_delivery_range"
    assert after_refusal == before
    assert near.status_code == 201, near.text
    assert moved.json()["code"] == "out_of_delivery_range"
    assert (kept["delivery_method"], kept["address"]["lat"]) == ("same_city", 31.25)


def test_another_consumer_cannot_change_a_deposit_s_delivery(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["pickup", "ship"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    stranger = shop.consumer_headers(order_builders.consumer(database))
    placed = _deposit(client, shop, presale["id"], buyer)
    deposit_id = placed.json()["deposit"]["id"]
    path = f"/api/v1/presales/deposits/{deposit_id}/delivery"
    answer = client.put(path, json={"method": "ship", "address": HOME}, headers=stranger)
    assert answer.status_code == 404


def test_a_pre_sale_offers_each_delivery_method_once(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    admin = shop.world.headers("admin")
    body = {**presale_builders.body(shop), "delivery_methods": ["ship", "ship"]}
    empty = {**presale_builders.body(shop), "delivery_methods": []}
    answers = [client.post("/api/v1/presales", json=b, headers=admin) for b in (body, empty)]
    assert [a.status_code for a in answers] == [422, 422]


def test_the_store_s_guide_sees_the_recipient_s_phone_masked_and_the_manager_in_full(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    presale = _campaign(client, shop, ["ship"])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    _deposit(client, shop, presale["id"], buyer, method="ship", address=HOME)
    path = f"/api/v1/presales/deposits?presale_id={presale['id']}"
    guide = client.get(path, headers=shop.world.headers("east_guide")).json()
    manager = client.get(path, headers=shop.world.headers("east_store_manager")).json()
    mine = client.get(path, headers=buyer).json()
    assert [d["address"]["phone"] for d in guide] == ["861******5678"]
    assert [d["address"]["phone"] for d in manager] == [HOME["phone"]]
    assert [d["address"]["phone"] for d in mine] == [HOME["phone"]]
