"""Pre-sales in the cloud store pages: the card, the campaign, the deposit, the balance."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import order_builders, presale_builders
from tests.e2e.pages_support import csrf_of

from newretail.catalog.models import Sku
from newretail.config import Settings
from newretail.db import Database
from newretail.members import service as members_service
from newretail.orders.models import Order
from newretail.presales.models import PresaleDeposit
from newretail.web import security
from newretail.web.shop_orders import SHOPPER_COOKIE

pytestmark = pytest.mark.sqlite_only

PHONE = "13912340000"


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _base(shop: order_builders.Shop) -> str:
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"


def _sign_in_as(client: TestClient, settings: Settings, consumer_id: int) -> None:
    value = security.sign(settings.secret_key, "shopper", {"consumer_id": consumer_id})
    client.cookies.set(SHOPPER_COOKIE, value)


def _order_id(location: str) -> int:
    return int(re.findall(r"/orders/(\d+)/pay", location)[0])


def test_a_consumer_pays_a_deposit_and_on_the_event_day_the_balance(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    base = _base(shop)
    with database.transaction(read_only=True) as session:
        product_id = session.scalar(select(Sku.product_id).where(Sku.id == shop.skus[0]))
    home = client.get(base)
    product = client.get(f"{base}/p/{product_id}?sku={shop.skus[0]}")
    campaign = client.get(f"{base}/presale/{presale_id}")
    form = client.get(
        f"{base}/presale/{presale_id}/deposit?sku={shop.skus[0]}", follow_redirects=False
    )
    signin = form.headers["location"]
    token = csrf_of(client, signin)
    client.post(signin, data={"phone": PHONE, "action": "send", "csrf_token": token})
    signed = client.post(
        signin,
        data={"phone": PHONE, "otp": sender.last("+86" + PHONE), "csrf_token": token},
        follow_redirects=False,
    )
    placed = client.post(
        f"{base}/presale/{presale_id}/deposit",
        data={"sku_id": shop.skus[0], "quantity": "2", "csrf_token": token},
        follow_redirects=False,
    )
    client.post(placed.headers["location"], data={"instruction": "succeed", "csrf_token": token})
    presale_builders.dispatch(database)  # the deposit follows its paid order
    deposited = client.get(f"{base}/presales")
    with database.transaction(read_only=True) as session:
        deposit_id = session.scalars(select(PresaleDeposit.id)).one()
    ordered = client.post(
        f"{base}/presales/{deposit_id}/balance",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    paid = client.post(
        ordered.headers["location"], data={"instruction": "succeed", "csrf_token": token}
    )
    presale_builders.dispatch(database)
    mine = client.get(f"{base}/presales")
    with database.transaction(read_only=True) as session:
        deposit_order = session.get(Order, _order_id(placed.headers["location"]))
        balance_order = session.get(Order, _order_id(ordered.headers["location"]))
        assert deposit_order is not None and balance_order is not None
        totals = (deposit_order.kind, deposit_order.total, balance_order.kind, balance_order.total)
    deal = "¥100.00"
    assert f'data-presale="{presale_id}"' in home.text
    assert deal in home.text
    assert f'data-presale="{presale_id}"' in product.text
    assert 'data-testid="to-deposit"' in campaign.text
    assert "¥150.00" in campaign.text and "¥599.00" in campaign.text
    assert form.status_code == 303
    assert signin.startswith(f"{base}/signin?next=")
    assert signed.headers["location"].endswith(f"/presale/{presale_id}/deposit?sku={shop.skus[0]}")
    assert 'data-status="deposited"' in deposited.text
    assert 'data-testid="pay-balance"' in deposited.text
    assert totals == (
        "deposit",
        2 * presale_builders.DEPOSIT,
        "balance",
        2 * (presale_builders.PRICE - presale_builders.VALUE),
    )
    assert 'data-testid="order-status"' in paid.text
    assert 'data-status="allocated"' in paid.text
    assert 'data-status="completed"' in mine.text


def test_the_balance_before_the_event_day_is_refused_and_says_when_it_opens(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    tomorrow = presale_builders.today_in("Asia/Shanghai") + timedelta(days=1)
    presale_id = presale_builders.presale(database, shop, event_day=tomorrow)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    presale_builders.dispatch(database)
    owner = presale_builders.owner_scope(database, deposit_id)
    _sign_in_as(client, settings, owner.actor_id or 0)
    base = _base(shop)
    mine = client.get(f"{base}/presales")
    token = csrf_of(client, f"{base}/presales")
    refused = client.post(f"{base}/presales/{deposit_id}/balance", data={"csrf_token": token})
    with database.transaction(read_only=True) as session:
        deposit = session.get(PresaleDeposit, deposit_id)
        assert deposit is not None
        state = (deposit.status, deposit.balance_order_id)
    assert 'data-testid="balance-opens"' in mine.text
    assert 'data-testid="pay-balance"' not in mine.text
    assert refused.status_code == 409
    assert "尾款只能在活动当天的尾款时段内支付" in refused.text
    assert state == ("deposited", None)


def test_another_brands_pre_sale_and_deposit_are_404_in_this_store(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    other = order_builders.shop(database)
    theirs = presale_builders.presale(database, other)
    deposit_id = presale_builders.paid_deposit(database, other, theirs)
    owner = presale_builders.owner_scope(database, deposit_id)
    _sign_in_as(client, settings, owner.actor_id or 0)
    base = _base(shop)
    page = client.get(f"{base}/presale/{theirs}")
    form = client.get(f"{base}/presale/{theirs}/deposit?sku={other.skus[0]}")
    mine = client.get(f"{base}/presales")
    token = csrf_of(client, f"{base}/presales")
    balance = client.post(f"{base}/presales/{deposit_id}/balance", data={"csrf_token": token})
    assert page.status_code == 404
    assert form.status_code == 404
    assert f'data-deposit="{deposit_id}"' not in mine.text
    assert balance.status_code == 404
    assert client.get(f"{_base(other)}/presale/{theirs}").status_code == 200
