"""Ordering from the cloud store pages: cart, sign-in by phone, checkout, sandbox payment."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import order_builders
from tests.e2e.pages_support import csrf_of

from newretail.catalog.models import Sku
from newretail.config import Settings
from newretail.db import Database
from newretail.guides.rules import make_share_ref
from newretail.members import service as members_service
from newretail.orders.models import Cart, CartLine, Order
from newretail.web import security

pytestmark = pytest.mark.sqlite_only

PHONE = "13912345678"


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _store_path(shop: order_builders.Shop) -> str:
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"


def _product_id(database: Database, sku_id: int) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(Sku.product_id).where(Sku.id == sku_id)) or 0)


def test_a_consumer_orders_through_a_share_link_pays_and_the_guide_is_credited(
    client: TestClient,
    database: Database,
    settings: Settings,
    sender: members_service.MemoryOtpSender,
) -> None:
    shop = order_builders.shop(database)
    ref = make_share_ref(secret=settings.secret_key, guide_id=shop.world.east_guide.id)
    base = _store_path(shop)
    product = f"{base}/p/{_product_id(database, shop.skus[0])}?sku={shop.skus[0]}&ref={ref}"
    token = csrf_of(client, product)
    added = client.post(
        f"{base}/cart?ref={ref}",
        data={"sku_id": shop.skus[0], "action": "add", "csrf_token": token},
    )
    checkout = client.get(f"{base}/checkout?ref={ref}", follow_redirects=False)
    signin = checkout.headers["location"]
    client.post(signin, data={"phone": PHONE, "action": "send", "csrf_token": token})
    signed = client.post(
        signin,
        data={
            "phone": PHONE,
            "otp": sender.last("+86" + PHONE),
            "action": "signin",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    placed = client.post(
        f"{base}/checkout?ref={ref}",
        data={"method": "pickup", "csrf_token": token},
        follow_redirects=False,
    )
    pay_path = placed.headers["location"]
    paid = client.post(pay_path, data={"instruction": "succeed", "csrf_token": token})
    order_id = int(re.findall(r"/orders/(\d+)/pay", pay_path)[0])
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        saved = (order.status, order.channel, order.referring_guide_id, order.delivery_method)
        number = order.number
    assert 'data-testid="cart"' in added.text
    assert signin.startswith(f"{base}/signin")
    assert signed.headers["location"] == f"{base}/checkout"
    assert saved == ("allocated", "guide_share", shop.world.east_guide.id, "pickup")
    assert 'data-status="allocated"' in paid.text
    mine = client.get(f"{base}/orders")
    assert number in mine.text


def test_the_pickup_code_shows_on_the_order_page_once_the_store_has_it_ready(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    base = _store_path(shop)
    token = csrf_of(client, f"{base}/cart")
    client.post(f"{base}/cart", data={"sku_id": shop.skus[1], "csrf_token": token})
    client.post(f"{base}/signin", data={"phone": PHONE, "action": "send", "csrf_token": token})
    client.post(
        f"{base}/signin",
        data={"phone": PHONE, "otp": sender.last("+86" + PHONE), "csrf_token": token},
    )
    placed = client.post(
        f"{base}/checkout", data={"method": "pickup", "csrf_token": token}, follow_redirects=False
    )
    client.post(placed.headers["location"], data={"instruction": "succeed", "csrf_token": token})
    order_id = int(re.findall(r"/orders/(\d+)/pay", placed.headers["location"])[0])
    manager = shop.world.headers("east_store_manager")
    fulfilment = client.get(f"/api/v1/orders/{order_id}/fulfilments", headers=manager).json()[0]
    ready = client.post(
        f"/api/v1/orders/{order_id}/fulfilments/{fulfilment['id']}/ready", headers=manager
    ).json()
    page = client.get(f"{base}/orders/{order_id}")
    assert 'data-testid="pickup-code"' in page.text
    assert ready["pickup_code"] in page.text
    assert 'data-status="ready"' in page.text


def test_orders_pages_need_a_signed_in_consumer(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    base = _store_path(shop)
    response = client.get(f"{base}/orders", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"{base}/signin?next=%2Fs%2F{shop.world.brand.code}.{shop.world.east_store.code}%2Forders",
    )


def test_the_page_cart_is_an_api_cart_whose_id_alone_is_in_the_cookie(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    other = order_builders.shop(database)
    base = _store_path(shop)
    token = csrf_of(client, f"{base}/cart")
    form = {"action": "add", "csrf_token": token}
    client.post(f"{base}/cart", data={**form, "sku_id": shop.skus[0], "quantity": 2})
    refused = client.post(f"{base}/cart", data={**form, "sku_id": other.skus[0]})
    cookie = client.cookies.get(f"nr_cart_{shop.store_id}")
    with database.transaction(read_only=True) as session:
        carts = session.execute(select(Cart.id, Cart.owner_type)).all()
        lines = session.execute(select(CartLine.sku_id, CartLine.quantity)).all()
    assert [tuple(cart) for cart in carts] == [(carts[0].id, "visitor")]
    assert security.unsign(settings.secret_key, "cart", cookie) == {"cart_id": carts[0].id}
    assert [tuple(line) for line in lines] == [(shop.skus[0], 2)]
    assert "is not in this store&#39;s catalog" in refused.text
