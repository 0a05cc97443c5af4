"""The console's orders: the list in scope with filters, an order's page and its actions."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests import builders, order_builders
from tests.e2e.pages_support import login, post_form
from tests.order_builders import order_body
from tests.passwords import cheap_hashing

from newretail.db import Database

pytestmark = pytest.mark.sqlite_only

EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def _paid_order(
    client: TestClient, shop: order_builders.Shop, store_id: int | None = None, **fields: Any
) -> dict[str, Any]:
    buyer = shop.consumer_headers(order_builders.consumer(shop_database(client)))
    body = order_body(shop, **fields)
    if store_id is not None:
        body["store_id"] = store_id
    order = client.post("/api/v1/orders", json=body, headers=buyer).json()
    paid = client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    assert paid.status_code == 201, paid.text
    return dict(paid.json()["order"])


def shop_database(client: TestClient) -> Database:
    database: Database = client.app.state.database  # type: ignore[attr-defined]
    return database


def _fulfilment_id(page: str) -> str:
    match = re.search(r'data-fulfilment="(\d+)"', page)
    assert match is not None
    return match.group(1)


def test_a_store_manager_sees_only_their_store_s_orders(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    order_builders.receive(database, shop.world.west_store.id, shop.skus[0], 5)
    order_builders.receive(database, shop.world.west_store.id, shop.skus[1], 5)
    mine = _paid_order(client, shop)
    theirs = _paid_order(
        client,
        shop,
        store_id=shop.world.west_store.id,
        delivery={"method": "pickup", "pickup_store_id": shop.world.west_store.id},
    )
    login(client, shop.world.east_store_manager)
    page = client.get("/console/orders", headers=EN)
    assert page.status_code == 200
    assert f'data-order="{mine["number"]}"' in page.text
    assert theirs["number"] not in page.text
    assert client.get(f"/console/orders/{theirs['id']}", headers=EN).status_code == 404


def test_another_brand_s_order_is_a_404(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    other = order_builders.shop(database)
    foreign = _paid_order(client, other)
    login(client, shop.world.admin)
    page = client.get(f"/console/orders/{foreign['id']}", headers=EN)
    listing = client.get("/console/orders", headers=EN)
    assert page.status_code == 404
    assert foreign["number"] not in listing.text


def test_the_list_filters_by_channel_state_and_number(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    online = _paid_order(client, shop, channel="online")
    cloud = _paid_order(client, shop)
    login(client, shop.world.admin)
    by_channel = client.get("/console/orders?channel=online", headers=EN).text
    by_number = client.get(f"/console/orders?q={cloud['number'][-6:]}", headers=EN).text
    by_state = client.get("/console/orders?status=completed", headers=EN).text
    assert (online["number"] in by_channel, cloud["number"] in by_channel) == (True, False)
    assert f'data-order="{cloud["number"]}"' in by_number
    assert "No order matches" in by_state


def test_the_list_filters_by_referring_guide(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    referred = _paid_order(client, shop, referring_guide_id=shop.world.east_guide.id)
    plain = _paid_order(client, shop)
    login(client, shop.world.admin)
    page = client.get(f"/console/orders?guide={shop.world.east_guide.id}", headers=EN).text
    assert (referred["number"] in page, plain["number"] in page) == (True, False)


def test_a_manager_marks_a_pickup_ready_and_hands_it_over_with_the_code(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    order = _paid_order(client, shop)
    login(client, shop.world.east_store_manager)
    page = client.get(f"/console/orders/{order['id']}", headers=EN).text
    fid = _fulfilment_id(page)
    ready = post_form(client, f"/console/orders/{order['id']}/fulfilments/{fid}/ready", {})
    shown = client.get(f"/console/orders/{order['id']}", headers=EN).text
    code = re.search(r'data-testid="pickup-code">(\d+)<', shown)
    assert ready.status_code == 303 and code is not None
    other_code = str((int(code.group(1)) + 1) % 10**6).zfill(6)
    wrong = post_form(
        client, "/console/orders/handover", {"store": str(shop.store_id), "pickup_code": other_code}
    )
    after_wrong = client.get(wrong.headers["location"], headers=EN).text
    handed = post_form(
        client,
        "/console/orders/handover",
        {"store": str(shop.store_id), "pickup_code": code.group(1)},
    )
    done = client.get(handed.headers["location"], headers=EN).text
    assert "flash--error" in after_wrong
    assert handed.headers["location"] == f"/console/orders/{order['id']}"
    assert 'data-status="completed"' in done


def test_a_manager_refunds_a_unit_of_a_line(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database, prices=[1000, 2000])
    order = _paid_order(client, shop, lines=[{"sku_id": shop.skus[0], "quantity": 3}])
    line_id = order["lines"][0]["id"]
    login(client, shop.world.east_store_manager)
    made = post_form(
        client,
        f"/console/orders/{order['id']}/refund",
        {"line": str(line_id), "quantity": "2", "reason": "damaged"},
    )
    page = client.get(made.headers["location"], headers=EN).text
    assert 'data-refunded="2"' in page
    assert "20.00 was refunded." in page


def test_a_cashier_at_the_counter_sees_the_order_and_can_refund(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    order = _paid_order(client, shop)
    login(client, shop.world.east_cashier)
    page = client.get(f"/console/orders/{order['id']}", headers=EN)
    assert page.status_code == 200
    assert f'action="/console/orders/{order["id"]}/refund"' in page.text


def test_the_navigation_links_orders_for_store_staff(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    login(client, world.east_cashier)
    page = client.get("/console/orders", headers=EN)
    assert '<a class="app-nav__link app-nav__link--active" href="/console/orders"' in page.text
