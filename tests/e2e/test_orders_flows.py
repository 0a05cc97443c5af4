"""Order flows over HTTP: store prices per channel, limits, discounts, delivery, visibility."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import order_builders
from tests.order_builders import order_body

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.outbox.models import OutboxEvent

ADDRESS = {
    "name": "Wang",
    "phone": "13900000000",
    "line1": "99 Huaihai Rd",
    "lat": 31.2305,
    "lng": 121.4738,
}


def test_a_line_is_priced_by_the_stores_offer_for_the_channel_within_its_limit(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    with database.transaction() as session:
        catalog_service.create_offer(
            session=session,
            scope=SYSTEM,
            data=OfferCreate(
                sku_id=shop.skus[0],
                store_id=shop.store_id,
                channel="livestream",
                price=9_900,
                per_order_limit=2,
            ),
        )
    buyer = shop.consumer_headers(order_builders.consumer(database))
    live = order_body(shop, channel="livestream", lines=[{"sku_id": shop.skus[0], "quantity": 2}])
    order = client.post("/api/v1/orders", json=live, headers=buyer).json()
    over = client.post(
        "/api/v1/orders",
        json={**live, "lines": [{"sku_id": shop.skus[0], "quantity": 3}]},
        headers=buyer,
    )
    online = client.post(
        "/api/v1/orders", json=order_body(shop, channel="online"), headers=buyer
    ).json()
    assert order["lines"][0]["unit_price"] == 9_900
    assert order["lines"][0]["price_source"]["level"] == "store_channel"
    assert (over.status_code, over.json()["code"]) == (422, "per_order_limit")
    assert online["lines"][0]["unit_price"] == shop.prices[0]


def test_a_staff_discount_is_spread_over_the_lines_and_consumers_cannot_give_one(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, prices=[1000, 2000])
    guide = shop.world.headers("east_guide")
    buyer = shop.consumer_headers(order_builders.consumer(database))
    order = client.post(
        "/api/v1/orders", json=order_body(shop, channel="pos", discount=100), headers=guide
    ).json()
    refused = client.post("/api/v1/orders", json=order_body(shop, discount=100), headers=buyer)
    assert [line["discount"] for line in order["lines"]] == [33, 67]
    assert (order["subtotal"], order["total"]) == (3000, 2900)
    assert (refused.status_code, refused.json()["code"]) == (403, "discount_not_allowed")


def test_same_city_delivery_comes_from_the_nearby_store_and_completes_on_delivery(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    manager = shop.world.headers("east_store_manager")
    body = order_body(shop, channel="online", delivery={"method": "same_city", "address": ADDRESS})
    order = client.post("/api/v1/orders", json=body, headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    fulfilment = client.get(f"/api/v1/orders/{order['id']}/fulfilments", headers=manager).json()[0]
    base = f"/api/v1/orders/{order['id']}/fulfilments/{fulfilment['id']}"
    shipped = client.post(f"{base}/ship", json={"tracking_no": "SF123"}, headers=manager)
    middle = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["status"]
    delivered = client.post(f"{base}/deliver", headers=manager)
    final = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    with database.transaction(read_only=True) as session:
        types = list(
            session.scalars(
                select(OutboxEvent.type)
                .where(
                    OutboxEvent.resource_type == "order",
                    OutboxEvent.resource_id == str(order["id"]),
                )
                .order_by(OutboxEvent.seq)
            )
        )
    assert (fulfilment["kind"], fulfilment["location_id"]) == ("same_city", shop.store_id)
    assert fulfilment["reason"].startswith("nearest store with full stock")
    assert fulfilment["distance_km"] < 1
    assert shipped.json()["tracking_no"] == "SF123"
    assert middle == "shipped"
    assert delivered.status_code == 200
    assert final["status"] == "completed"
    assert types == [
        "order.created",
        "order.paid",
        "order.allocated",
        "order.shipped",
        "order.fulfilled",
    ]


def test_another_consumer_and_another_store_do_not_see_an_order(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    stranger = shop.consumer_headers(order_builders.consumer(database))
    order = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    other = client.get(f"/api/v1/orders/{order['id']}", headers=stranger)
    pay = client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=stranger)
    listed = client.get("/api/v1/orders", headers=stranger).json()
    own_store = client.get(
        f"/api/v1/orders/{order['id']}", headers=shop.world.headers("east_cashier")
    )
    assert (other.status_code, other.json()["code"]) == (404, "order_not_found")
    assert pay.status_code == 404
    assert listed["items"] == []
    assert own_store.status_code == 200


def test_refunding_units_gives_back_their_share_and_the_rest_in_a_second_step(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, prices=[1001])
    staff = shop.world.headers("east_store_manager")
    body = order_body(
        shop, channel="pos", lines=[{"sku_id": shop.skus[0], "quantity": 3}], discount=2
    )
    order = client.post("/api/v1/orders", json=body, headers=staff).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=staff)
    line_id = order["lines"][0]["id"]
    first = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"lines": [{"order_line_id": line_id, "quantity": 1}]},
        headers=staff,
    ).json()
    rest = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"lines": [{"order_line_id": line_id, "quantity": 2}]},
        headers=staff,
    ).json()
    more = client.post(
        f"/api/v1/orders/{order['id']}/refunds",
        json={"lines": [{"order_line_id": line_id, "quantity": 1}]},
        headers=staff,
    )
    listed = client.get(f"/api/v1/orders/{order['id']}/refunds", headers=staff).json()
    assert order["total"] == 3001
    assert (first["amount"], rest["amount"]) == (1001, 2000)
    assert (more.status_code, more.json()["code"]) == (409, "order_not_refundable")
    assert [r["amount"] for r in listed] == [1001, 2000]


def test_a_parcel_ships_from_the_nearest_store_holding_every_line(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, stock=0)
    for sku in shop.skus:
        order_builders.receive(database, shop.far_store_id, sku, 3)
        order_builders.receive(database, shop.warehouse_id, sku, 3)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    body = order_body(shop, channel="online", delivery={"method": "ship", "address": ADDRESS})
    order = client.post("/api/v1/orders", json=body, headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    fulfilments = client.get(
        f"/api/v1/orders/{order['id']}/fulfilments", headers=shop.world.headers("admin")
    ).json()
    assert [(f["kind"], f["location_id"]) for f in fulfilments] == [
        ("ship_from_store", shop.far_store_id)
    ]
    assert fulfilments[0]["reason"].startswith("nearest store with full stock (8.")
    assert order_builders.level(database, shop.far_store_id, shop.skus[0]) == (2, 0)
