"""Orders over HTTP: checkout, attribution, idempotency, payments, refunds and fulfilment."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import code_builders, member_builders, order_builders
from tests.order_builders import order_body

from newretail.db import Database
from newretail.outbox.models import OutboxEvent


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


def test_an_order_records_the_members_bound_guide_and_the_referring_guide(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    member_id = member_builders.member(database, shop.world)
    consumer_id = member_builders.consumer_of(database, member_id)
    sharer = member_builders.guide(database, shop.world.brand.id, shop.world.west_store.id)
    poster = code_builders.code(database, shop.store_id, "poster", campaign="spring")
    body = order_body(
        shop,
        channel="guide_share",
        referring_guide_id=sharer.id,
        touchpoint_code=poster,
        campaign="spring",
    )
    order = client.post(
        "/api/v1/orders", json=body, headers=shop.consumer_headers(consumer_id)
    ).json()
    assert (order["member_id"], order["bound_guide_id"]) == (member_id, shop.world.east_guide.id)
    assert order["bound_store_id"] == shop.store_id
    assert order["referring_guide_id"] == sharer.id
    assert (order["touchpoint_code"], order["campaign"]) == (poster, "spring")
    assert (order["store_id"], order["channel"]) == (shop.store_id, "guide_share")


def test_a_replayed_create_returns_the_first_answer_and_a_changed_body_is_refused(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    headers = {**buyer, "Idempotency-Key": "checkout-1"}
    first = client.post("/api/v1/orders", json=order_body(shop), headers=headers)
    again = client.post("/api/v1/orders", json=order_body(shop), headers=headers)
    changed = client.post(
        "/api/v1/orders", json=order_body(shop, campaign="other"), headers=headers
    )
    listed = client.get("/api/v1/orders", headers=buyer).json()
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert changed.status_code == 409
    assert changed.json()["code"] == "idempotency_key_reused"
    assert len(listed["items"]) == 1
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 1)


def test_paying_twice_or_paying_a_cancelled_order_is_refused_and_charges_nothing(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    paid = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    cancelled = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    client.post(f"/api/v1/orders/{paid['id']}/pay", json={}, headers=buyer)
    twice = client.post(f"/api/v1/orders/{paid['id']}/pay", json={}, headers=buyer)
    cancel = client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=buyer)
    after_cancel = client.post(f"/api/v1/orders/{cancelled['id']}/pay", json={}, headers=buyer)
    payments = client.get(f"/api/v1/orders/{paid['id']}/payments", headers=buyer).json()
    none = client.get(f"/api/v1/orders/{cancelled['id']}/payments", headers=buyer).json()
    assert (twice.status_code, twice.json()["code"]) == (409, "order_already_paid")
    assert cancel.json()["status"] == "cancelled"
    assert (after_cancel.status_code, after_cancel.json()["code"]) == (409, "order_not_payable")
    assert [p["status"] for p in payments] == ["succeeded"]
    assert none == []
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (9, 0)


def test_a_declined_card_leaves_the_order_open_for_another_try(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    order = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    declined = client.post(
        f"/api/v1/orders/{order['id']}/pay",
        json={"card_number": "4000 0000 0000 0002"},
        headers=buyer,
    ).json()
    retried = client.post(
        f"/api/v1/orders/{order['id']}/pay", json={"instruction": "succeed"}, headers=buyer
    ).json()
    assert (declined["payment"]["status"], declined["order"]["status"]) == ("declined", "created")
    assert (retried["payment"]["status"], retried["order"]["status"]) == ("succeeded", "allocated")


def test_a_timed_out_payment_is_confirmed_by_a_signed_notification_once(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    order = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    pending = client.post(
        f"/api/v1/orders/{order['id']}/pay", json={"instruction": "timeout"}, headers=buyer
    )
    ref = pending.json()["payment"]["provider_ref"]
    while_pending = client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    body, headers = order_builders.sandbox().notification(provider_ref=ref, outcome="succeeded")
    forged = client.post(
        "/api/v1/payments/notify/sandbox",
        content=body,
        headers={"x-sandbox-signature": "0" * 64},
    )
    before = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    confirmed = client.post("/api/v1/payments/notify/sandbox", content=body, headers=headers)
    repeated = client.post("/api/v1/payments/notify/sandbox", content=body, headers=headers)
    after = client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()
    assert pending.status_code == 202
    assert while_pending.json()["code"] == "payment_pending"
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    assert before["status"] == "created"
    assert confirmed.json()["status"] == repeated.json()["status"] == "succeeded"
    assert after["status"] == "allocated"
    assert after["paid_amount"] == order["total"]


def test_refunds_spread_over_lines_and_never_exceed_what_was_paid(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, prices=[1000, 2001])
    buyer = shop.consumer_headers(order_builders.consumer(database))
    manager = shop.world.headers("east_store_manager")
    order = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    partial = client.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 1000}, headers=manager
    )
    too_much = client.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 2002}, headers=manager
    )
    by_consumer = client.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 1}, headers=buyer
    )
    rest = client.post(
        f"/api/v1/orders/{order['id']}/refunds", json={"amount": 2001}, headers=manager
    )
    final = client.get(f"/api/v1/orders/{order['id']}", headers=manager).json()
    with database.transaction(read_only=True) as session:
        refund_events = list(
            session.scalars(
                select(OutboxEvent.payload)
                .where(
                    OutboxEvent.type == "order.refunded",
                    OutboxEvent.resource_id == str(order["id"]),
                )
                .order_by(OutboxEvent.seq)
            )
        )
    assert partial.status_code == 201, partial.text
    assert [line["amount"] for line in partial.json()["lines"]] == [333, 667]
    assert (too_much.status_code, too_much.json()["code"]) == (409, "refund_exceeds_paid")
    assert by_consumer.status_code == 403
    assert rest.status_code == 201
    assert (final["refunded_amount"], final["refund_state"]) == (3001, "full")
    assert final["status"] == "refunded"
    assert [line["refunded_amount"] for line in final["lines"]] == [1000, 2001]
    assert [e["refund_amount"] for e in refund_events] == [1000, 2001]
    assert refund_events[-1]["status"] == "refunded"
    assert order_builders.level(database, shop.store_id, shop.skus[1]) == (10, 0)


def test_a_pickup_code_of_another_store_is_refused_at_the_counter(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    cashier = shop.world.headers("east_cashier")
    admin = shop.world.headers("admin")
    order = client.post("/api/v1/orders", json=order_body(shop), headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    fulfilment = client.get(f"/api/v1/orders/{order['id']}/fulfilments", headers=cashier).json()[0]
    ready = client.post(
        f"/api/v1/orders/{order['id']}/fulfilments/{fulfilment['id']}/ready", headers=cashier
    ).json()
    elsewhere = client.post(
        "/api/v1/pickups/handover",
        json={"store_id": shop.far_store_id, "pickup_code": ready["pickup_code"]},
        headers=admin,
    )
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "pickup_code_mismatch")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer).json()["status"] == "ready"


def test_a_cart_checks_out_once_at_the_prices_of_its_store(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    shelf = code_builders.code(database, shop.store_id)
    cart = client.post(
        "/api/v1/carts",
        json={
            "store_id": shop.store_id,
            "channel": "online",
            "lines": [{"sku_id": shop.skus[0], "quantity": 2}],
            "touchpoint_code": shelf,
        },
        headers=buyer,
    ).json()
    checkout = {"delivery": {"method": "pickup"}}
    order = client.post(f"/api/v1/carts/{cart['id']}/checkout", json=checkout, headers=buyer)
    again = client.post(f"/api/v1/carts/{cart['id']}/checkout", json=checkout, headers=buyer)
    assert cart["subtotal"] == 2 * shop.prices[0]
    assert cart["lines"][0]["price_source"]["level"] == "brand"
    assert order.status_code == 201, order.text
    assert (order.json()["total"], order.json()["touchpoint_code"]) == (cart["subtotal"], shelf)
    assert (again.status_code, again.json()["code"]) == (409, "cart_checked_out")


def test_shipping_routes_to_the_warehouse_when_no_store_holds_every_line(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, stock=0)
    order_builders.receive(database, shop.store_id, shop.skus[0], 5)
    order_builders.receive(database, shop.warehouse_id, shop.skus[0], 5)
    order_builders.receive(database, shop.warehouse_id, shop.skus[1], 5)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    address = {
        "name": "Li",
        "phone": "13800000000",
        "line1": "1 Nanjing Rd",
        "lat": 31.23,
        "lng": 121.47,
    }
    body = order_body(shop, channel="online", delivery={"method": "ship", "address": address})
    order = client.post("/api/v1/orders", json=body, headers=buyer).json()
    client.post(f"/api/v1/orders/{order['id']}/pay", json={}, headers=buyer)
    fulfilments = client.get(
        f"/api/v1/orders/{order['id']}/fulfilments", headers=shop.world.headers("admin")
    ).json()
    assert [(f["kind"], f["location_id"]) for f in fulfilments] == [
        ("ship_from_warehouse", shop.warehouse_id)
    ]
    assert fulfilments[0]["reason"].startswith("fewest splits")
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (5, 0)


def test_an_order_naming_a_made_up_code_is_refused_with_its_code(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    refused = client.post(
        "/api/v1/orders", json=order_body(shop, touchpoint_code="NOSUCH01"), headers=buyer
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "touchpoint_code_not_found")


def test_an_id_given_as_true_or_false_is_refused_not_read_as_one_or_zero(
    client: TestClient, database: Database
) -> None:
    """JSON's ``true`` is no id: lax validation read it as 1, the first store or SKU; a
    numeric string still passes, as an integer written as text."""
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    assert (shop.store_id, shop.skus[0]) == (1, 1)  # what ``true`` would have named
    as_true = order_body(shop, store_id=True)
    as_false = order_body(shop)
    as_false["lines"][0]["sku_id"] = False
    as_text = order_body(shop, store_id=str(shop.store_id))
    answers = {
        name: client.post("/api/v1/orders", json=body, headers=buyer)
        for name, body in {"true": as_true, "false": as_false, "text": as_text}.items()
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "true": 422,
        "false": 422,
        "text": 201,
    }
    assert answers["true"].json()["code"] == "invalid_input"
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (10, 1)  # text's hold
