"""The cloud store keeps how a shopper came (a guide's share link, a scanned code) until they
order: the order records the referring guide, code, campaign and channel; a stale arrival
is dropped with a message, never refusing the buyer."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import code_builders, order_builders, presale_builders
from tests.e2e.pages_support import csrf_of

from newretail.auth.models import Staff
from newretail.config import Settings
from newretail.db import Database
from newretail.guides.rules import make_share_ref
from newretail.members import service as members_service
from newretail.orders.models import Order
from newretail.web import security
from newretail.web.shop_orders import SHOPPER_COOKIE

pytestmark = pytest.mark.sqlite_only

PHONE = "13912345670"


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _base(shop: order_builders.Shop) -> str:
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"


def _order_without_ref(
    client: TestClient, shop: order_builders.Shop, sender: members_service.MemoryOtpSender
) -> tuple[int, str]:
    """Cart, sign-in and checkout on plain cloud store URLs (no ``?ref=``): the order's id
    and the payment page's text."""
    base = _base(shop)
    token = csrf_of(client, f"{base}/cart")
    client.post(f"{base}/cart", data={"sku_id": shop.skus[0], "csrf_token": token})
    client.post(f"{base}/signin", data={"phone": PHONE, "action": "send", "csrf_token": token})
    client.post(
        f"{base}/signin",
        data={"phone": PHONE, "otp": sender.last("+86" + PHONE), "csrf_token": token},
    )
    placed = client.post(
        f"{base}/checkout", data={"method": "pickup", "csrf_token": token}, follow_redirects=False
    )
    location = placed.headers["location"]
    return int(re.findall(r"/orders/(\d+)/pay", location)[0]), client.get(location).text


def _credit(database: Database, order_id: int) -> tuple[object, ...]:
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.channel, order.referring_guide_id, order.touchpoint_code, order.campaign


def test_a_share_link_credits_the_guide_after_browsing_without_it(
    client: TestClient,
    database: Database,
    settings: Settings,
    sender: members_service.MemoryOtpSender,
) -> None:
    shop = order_builders.shop(database)
    guide_id = shop.world.east_guide.id
    ref = make_share_ref(secret=settings.secret_key, guide_id=guide_id)
    client.get(f"{_base(shop)}?ref={ref}")
    order_id, _ = _order_without_ref(client, shop, sender)
    assert _credit(database, order_id) == ("guide_share", guide_id, None, None)


def test_a_scanned_code_credits_its_guide_and_campaign_at_checkout(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    guide_id = shop.world.east_guide.id
    code = code_builders.code(
        database, shop.store_id, "guide_badge", guide_id=guide_id, campaign="spring"
    )
    scanned = client.get(f"/c/{code}", follow_redirects=False)
    order_id, _ = _order_without_ref(client, shop, sender)
    assert scanned.status_code == 303
    assert _credit(database, order_id) == ("cloud_store", guide_id, code, "spring")


def test_a_share_link_of_a_guide_who_left_is_dropped_with_a_message(
    client: TestClient,
    database: Database,
    settings: Settings,
    sender: members_service.MemoryOtpSender,
) -> None:
    shop = order_builders.shop(database)
    guide_id = shop.world.east_guide.id
    ref = make_share_ref(secret=settings.secret_key, guide_id=guide_id)
    client.get(f"{_base(shop)}?ref={ref}")
    with database.transaction() as session:
        staff = session.scalar(select(Staff).where(Staff.id == guide_id))
        assert staff is not None
        staff.is_active = False
    order_id, pay_page = _order_without_ref(client, shop, sender)
    assert _credit(database, order_id) == ("cloud_store", None, None, None)
    assert "已失效" in pay_page
    assert f"nr_arrival_{shop.world.brand.id}" not in client.cookies


def test_a_deposit_placed_after_a_share_link_credits_the_guide(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    guide_id = shop.world.east_guide.id
    ref = make_share_ref(secret=settings.secret_key, guide_id=guide_id)
    client.get(f"{_base(shop)}?ref={ref}")
    consumer = order_builders.consumer(database)
    shopper = security.sign(settings.secret_key, "shopper", {"consumer_id": consumer})
    client.cookies.set(SHOPPER_COOKIE, shopper)
    token = csrf_of(client, f"{_base(shop)}/presale/{presale_id}")
    placed = client.post(
        f"{_base(shop)}/presale/{presale_id}/deposit",
        data={"sku_id": shop.skus[0], "quantity": "1", "csrf_token": token},
        follow_redirects=False,
    )
    order_id = int(re.findall(r"/orders/(\d+)/pay", placed.headers["location"])[0])
    channel, referrer, code, _ = _credit(database, order_id)
    assert (channel, referrer, code) == ("guide_share", guide_id, None)
