"""Over HTTP: carts refuse other brands' SKUs and guides as they refuse unknown ones, the
order note is kept and shown, and a purchase checks out and pays in one request."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from tests import builders, order_builders
from tests.e2e.pages_support import login
from tests.order_builders import order_body
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.payments.models import Payment

UNKNOWN = 2_000_000_000  # no such id; within every backend's integer range


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def _cart(shop: order_builders.Shop, sku_id: int, **fields: object) -> dict[str, object]:
    return {
        "store_id": shop.store_id,
        "channel": "online",
        "lines": [{"sku_id": sku_id, "quantity": 1}],
        **fields,
    }


def _refusal(response: Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["code"])


def test_a_cart_refuses_another_brands_sku_exactly_as_an_unknown_one(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    other = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    foreign = client.post("/api/v1/carts", json=_cart(shop, other.skus[0]), headers=buyer)
    unknown = client.post("/api/v1/carts", json=_cart(shop, UNKNOWN), headers=buyer)
    cart = client.post("/api/v1/carts", json=_cart(shop, shop.skus[0]), headers=buyer).json()
    lines = {"lines": [{"sku_id": other.skus[1], "quantity": 1}]}
    replaced = client.put(f"/api/v1/carts/{cart['id']}/lines", json=lines, headers=buyer)
    assert _refusal(foreign) == _refusal(unknown) == _refusal(replaced) == (409, "unknown_sku")


def test_a_cart_refuses_another_brands_guide_exactly_as_an_unknown_one(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    other = builders.brand_world(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    sku = shop.skus[0]
    foreign = client.post(
        "/api/v1/carts",
        json=_cart(shop, sku, referring_guide_id=other.east_guide.id),
        headers=buyer,
    )
    unknown = client.post(
        "/api/v1/carts", json=_cart(shop, sku, referring_guide_id=UNKNOWN), headers=buyer
    )
    own = client.post(
        "/api/v1/carts",
        json=_cart(shop, sku, referring_guide_id=shop.world.east_guide.id),
        headers=buyer,
    )
    assert _refusal(foreign) == _refusal(unknown) == (422, "referring_guide_not_found")
    assert own.status_code == 201, own.text


def test_the_order_note_is_kept_returned_and_shown_on_the_console(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    note = "Please wrap it <as a gift>"
    created = client.post("/api/v1/orders", json=order_body(shop, note=note), headers=buyer)
    order_id = created.json()["id"]
    read = client.get(f"/api/v1/orders/{order_id}", headers=buyer).json()
    login(client, shop.world.east_store_manager)
    page = client.get(f"/console/orders/{order_id}", headers={"accept-language": "en"})
    assert created.status_code == 201, created.text
    assert created.json()["note"] == read["note"] == note
    assert 'data-testid="order-note">Please wrap it &lt;as a gift&gt;</p>' in page.text


def test_a_purchase_checks_out_and_pays_in_one_request(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, stock=2)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    body = {**order_body(shop), "payment": {"instruction": "succeed"}}
    bought = client.post("/api/v1/purchases", json=body, headers=buyer)
    again = client.post("/api/v1/purchases", json=body, headers=buyer)
    sold_out = client.post("/api/v1/purchases", json=body, headers=buyer)
    assert bought.status_code == 201, bought.text
    assert bought.json()["payment"]["status"] == "succeeded"
    assert bought.json()["order"]["status"] == "allocated"
    assert again.status_code == 201, again.text
    assert _refusal(sold_out) == (409, "insufficient_stock")
    assert order_builders.level(database, shop.store_id, shop.skus[0]) == (0, 0)


def test_a_purchase_writes_its_payment_with_the_order(
    client: TestClient, database: Database
) -> None:
    """The payment row goes in with the order (in the order's statement on PostgreSQL):
    the one answered is the order's, whatever the charge's outcome."""
    shop = order_builders.shop(database, stock=3)
    buyer = shop.consumer_headers(order_builders.consumer(database))
    answers = [
        client.post(
            "/api/v1/purchases",
            json={**order_body(shop), "payment": {"instruction": instruction}},
            headers=buyer,
        )
        for instruction in ("succeed", "timeout")
    ]
    expected = [(201, "succeeded", "allocated"), (202, "pending", "created")]
    for answer, (code, status, order_status) in zip(answers, expected, strict=True):
        assert answer.status_code == code, answer.text
        payment, order = answer.json()["payment"], answer.json()["order"]
        with database.transaction(read_only=True) as session:
            rows = session.execute(
                select(Payment.id, Payment.amount, Payment.status).where(
                    Payment.order_id == order["id"]
                )
            ).all()
        assert [tuple(row) for row in rows] == [(payment["id"], order["total"], status)]
        assert (payment["order_id"], order["status"]) == (order["id"], order_status)
