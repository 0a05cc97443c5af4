"""Driving the cloud store pages as a shopper: signing in by phone, joining, the cart."""

import re

from fastapi.testclient import TestClient
from tests import order_builders
from tests.e2e.pages_support import csrf_of

from newretail.db import Database
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import PolicyUpdate

_PAY = re.compile(r"/orders/(\d+)(?:/pay)?")


def base(shop: order_builders.Shop) -> str:
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"


def sign_in(
    client: TestClient, path: str, sender: members_service.MemoryOtpSender, phone: str
) -> str:
    """Sign in on the store at ``path`` with ``phone``; the form token of this client."""
    token = csrf_of(client, f"{path}/cart")
    client.post(f"{path}/signin", data={"phone": phone, "action": "send", "csrf_token": token})
    client.post(
        f"{path}/signin",
        data={"phone": phone, "otp": sender.last("+86" + phone), "csrf_token": token},
    )
    return token


def join(client: TestClient, path: str, token: str) -> None:
    client.post(f"{path}/join", data={"csrf_token": token})


def add_to_cart(client: TestClient, path: str, token: str, sku: int) -> None:
    client.post(f"{path}/cart", data={"sku_id": sku, "csrf_token": token})


def order_id_of(location: str) -> int:
    found = _PAY.search(location)
    assert found is not None, location
    return int(found.group(1))


def pay_later_threshold(database: Database, brand_id: int, threshold: int) -> None:
    """The brand's pay-later credit threshold: 0 lets every member in, 1000 nobody."""
    with database.transaction() as session:
        paylater_service.set_policy(
            session=session,
            scope=orders_service.system_for(brand_id),
            data=PolicyUpdate(threshold=threshold, down_payment=100, term_days=30),
        )
