"""Pay later at the cloud store's checkout: offered to members the brand's rules let in, with
its terms; refused (nothing saved) to a form that asks for it anyway; shown on the orders."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from tests import order_builders, presale_builders
from tests.e2e import shop_support
from tests.e2e.shop_support import add_to_cart, join, pay_later_threshold, sign_in

from newretail.db import Database
from newretail.members import service as members_service
from newretail.orders.models import Order
from newretail.paylater.models import DeferredCharge

pytestmark = pytest.mark.sqlite_only

PHONE = "13912345670"


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    client.headers["Accept-Language"] = "en"
    return memory


def _counts(database: Database) -> tuple[int, int]:
    with database.transaction(read_only=True) as session:
        orders = session.scalar(select(func.count()).select_from(Order))
        charges = session.scalar(select(func.count()).select_from(DeferredCharge))
    return int(orders or 0), int(charges or 0)


def _member_at_checkout(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender, threshold: int
) -> tuple[order_builders.Shop, str, str]:
    shop = order_builders.shop(database)
    pay_later_threshold(database, shop.world.brand.id, threshold)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, PHONE)
    join(client, path, token)
    add_to_cart(client, path, token, shop.skus[0])
    return shop, path, token


def _choose_pay_later(client: TestClient, path: str, token: str) -> Response:
    """Check the cart out for pickup, paying later."""
    return client.post(
        f"{path}/checkout",
        data={"method": "pickup", "payment": "later", "csrf_token": token},
        follow_redirects=False,
    )


def test_a_qualifying_member_sees_pay_later_with_what_is_due_now_and_later(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    _, path, _ = _member_at_checkout(client, database, sender, threshold=0)
    english = client.get(f"{path}/checkout")
    chinese = client.get(f"{path}/checkout", headers={"accept-language": "zh-CN"})
    assert 'data-testid="pay-later"' in english.text
    assert "CN¥1.00 now, CN¥128.00 by" in english.text
    assert 'data-testid="pay-later-off"' not in english.text
    assert "先付 ¥1.00，余下 ¥128.00 于" in chinese.text


def test_a_member_below_the_threshold_sees_pay_later_switched_off_with_the_reason(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    _, path, _ = _member_at_checkout(client, database, sender, threshold=1000)
    page = client.get(f"{path}/checkout")
    assert 'data-testid="pay-later"' not in page.text
    assert 'data-testid="pay-later-off"' in page.text
    assert "Pay later is not open to your membership yet." in page.text


def test_a_shopper_who_is_not_a_member_is_told_pay_later_is_for_members(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    pay_later_threshold(database, shop.world.brand.id, 0)
    path = shop_support.base(shop)
    token = sign_in(client, path, sender, PHONE)
    add_to_cart(client, path, token, shop.skus[0])
    page = client.get(f"{path}/checkout")
    assert 'data-testid="pay-later"' not in page.text
    assert "Pay later is for members" in page.text


def test_choosing_pay_later_takes_the_down_payment_and_shows_the_balance_due(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    _, path, token = _member_at_checkout(client, database, sender, threshold=0)
    placed = _choose_pay_later(client, path, token)
    order_id = shop_support.order_id_of(placed.headers["location"])
    order = client.get(placed.headers["location"])
    chinese = client.get(placed.headers["location"], headers={"accept-language": "zh-CN"})
    mine = client.get(f"{path}/orders")
    with database.transaction(read_only=True) as session:
        charge = session.scalar(select(DeferredCharge).where(DeferredCharge.order_id == order_id))
        stored = session.get(Order, order_id)
        assert charge is not None and stored is not None
        status, balance, paid = charge.status, charge.amount, stored.paid_amount
    assert placed.headers["location"] == f"{path}/orders/{order_id}"
    assert (status, balance, paid) == ("scheduled", 12_800, 100)
    assert "the down payment is paid, the rest is due later" in order.text
    assert 'data-testid="pay-later-status">Due later<' in order.text
    assert 'data-testid="pay-later-collected">CN¥1.00<' in order.text
    assert 'data-testid="pay-later-due">CN¥128.00<' in order.text
    assert 'data-testid="pay-later-due-at"' in order.text
    assert 'data-testid="pay-later-status">待扣款<' in chinese.text
    assert "Pay later: CN¥128.00 due by" in mine.text
    assert ">scheduled<" not in order.text


def test_a_tampered_form_asking_for_pay_later_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    _, path, token = _member_at_checkout(client, database, sender, threshold=1000)
    refused = _choose_pay_later(client, path, token)
    cart = client.get(f"{path}/cart")
    assert refused.status_code == 409
    assert "Pay later is not open to your membership: nothing was ordered." in refused.text
    assert _counts(database) == (0, 0)
    assert 'data-testid="cart-count"' in cart.text


def test_paying_now_still_leads_to_the_payment_page(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    _, path, token = _member_at_checkout(client, database, sender, threshold=0)
    placed = client.post(
        f"{path}/checkout",
        data={"method": "pickup", "payment": "now", "csrf_token": token},
        follow_redirects=False,
    )
    assert placed.headers["location"].endswith("/pay")
    assert _counts(database) == (1, 0)


def test_an_order_given_back_shows_nothing_still_due(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    _, path, token = _member_at_checkout(client, database, sender, threshold=0)
    placed = _choose_pay_later(client, path, token)
    order_id = shop_support.order_id_of(placed.headers["location"])
    order_builders.refund_amount(database, order_id, 100, reason="changed their mind")
    presale_builders.dispatch(database)

    order = client.get(placed.headers["location"], headers={"accept-language": "zh-CN"})
    mine = client.get(f"{path}/orders")

    assert 'data-testid="pay-later-status">订单已退，无需再付<' in order.text
    assert 'data-testid="pay-later-due"' not in order.text
    assert "Pay later: Nothing owed: order given back" in mine.text
