"""Pre-sales over HTTP: create, deposit with an Idempotency-Key, pay, balance, the board."""

from datetime import timedelta
from typing import Any

import jsonschema_rs
from fastapi.testclient import TestClient
from tests import order_builders, presale_builders
from tests.presale_builders import DEPOSIT, PRICE, VALUE

from newretail.db import Database


def test_a_consumer_pays_a_deposit_then_the_balance_and_hq_sees_the_board(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    admin = shop.world.headers("admin")
    buyer = shop.consumer_headers(order_builders.consumer(database))
    body = presale_builders.body(shop)
    del body["brand_id"]
    created = client.post("/api/v1/presales", json=body, headers=admin)
    presale = created.json()
    deposit_body = {"store_id": shop.store_id, "sku_id": shop.skus[0], "quantity": 1}
    keyed = {**buyer, "Idempotency-Key": "deposit-1"}
    first = client.post(
        f"/api/v1/presales/{presale['id']}/deposits", json=deposit_body, headers=keyed
    )
    again = client.post(
        f"/api/v1/presales/{presale['id']}/deposits", json=deposit_body, headers=keyed
    )
    order = first.json()["order"]
    paid = client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    board = client.get(f"/api/v1/presales/{presale['id']}/deposits", headers=admin).json()
    deposit_id = first.json()["deposit"]["id"]
    balance = client.post(f"/api/v1/presales/deposits/{deposit_id}/balance", headers=buyer)
    balance_order = balance.json()["order"]
    settled = client.post(f"/api/v1/orders/{balance_order['id']}/pay", json={}, headers=buyer)
    presale_builders.dispatch(database)  # the deposit follows its paid balance order
    mine = client.get("/api/v1/presales/deposits", headers=buyer).json()
    assert created.status_code == 201, created.text
    assert first.status_code == 201, first.text
    assert again.json() == first.json()
    assert (order["kind"], order["total"]) == ("deposit", DEPOSIT)
    assert paid.json()["order"]["status"] == "paid"
    assert [(r["store_id"], r["deposits"], r["units"]) for r in board["rows"]] == [
        (shop.store_id, 1, 1)
    ]
    assert balance.status_code == 201, balance.text
    assert balance_order["total"] == PRICE - VALUE
    assert settled.json()["order"]["status"] == "allocated"
    assert [d["status"] for d in mine] == ["completed"]


def test_the_balance_before_the_event_day_is_409_balance_window_closed(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    tomorrow = presale_builders.today_in("Asia/Shanghai") + timedelta(days=1)
    presale_id = presale_builders.presale(database, shop, event_day=tomorrow)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    owner = presale_builders.owner_scope(database, deposit_id)
    headers = shop.consumer_headers(owner.actor_id or 0)
    answer = client.post(f"/api/v1/presales/deposits/{deposit_id}/balance", headers=headers)
    assert answer.status_code == 409
    assert answer.json()["code"] == "balance_window_closed"


def test_a_consumer_cannot_read_the_board(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    answer = client.get(f"/api/v1/presales/{presale_id}/deposits", headers=buyer)
    assert answer.status_code == 403


def _conforms(client: TestClient, method: str, path: str, status: int, body: Any) -> list[str]:
    """Where ``body`` breaks the schema the app publishes for that response, formats included."""
    document = client.get("/openapi.json").json()
    content = document["paths"][path][method]["responses"][str(status)]["content"]
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return [str(error) for error in validator.iter_errors(body)]


def test_pre_sale_times_are_served_as_the_schema_says(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    admin = shop.world.headers("admin")
    body = {**presale_builders.body(shop), "balance_opens": "20:00", "balance_closes": "00:00"}
    del body["brand_id"]
    created = client.post("/api/v1/presales", json=body, headers=admin)
    presale_id = created.json()["id"]
    one = client.get(f"/api/v1/presales/{presale_id}", headers=admin)
    listed = client.get("/api/v1/presales", headers=admin)
    with_offset = client.post(
        "/api/v1/presales", json={**body, "balance_opens": "20:00:00+08:00"}, headers=admin
    )
    assert (one.json()["balance_opens"], one.json()["balance_closes"]) == ("20:00:00", "00:00:00")
    assert _conforms(client, "post", "/api/v1/presales", 201, created.json()) == []
    assert _conforms(client, "get", "/api/v1/presales/{presale_id}", 200, one.json()) == []
    assert _conforms(client, "get", "/api/v1/presales", 200, listed.json()) == []
    assert with_offset.status_code == 422
