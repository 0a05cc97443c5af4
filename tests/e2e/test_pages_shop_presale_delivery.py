"""Pre-sale delivery in the cloud store pages: chosen with the deposit, changed from my
pre-sales until the balance is paid, and the form's refusals."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import order_builders, presale_builders
from tests.e2e.pages_support import csrf_of
from tests.order_builders import Shop

from newretail.config import Settings
from newretail.db import Database
from newretail.orders.models import Order
from newretail.presales.models import PresaleDeposit
from newretail.web import security
from newretail.web.shop_orders import SHOPPER_COOKIE

pytestmark = pytest.mark.sqlite_only

ADDRESS = {"name": "李雷", "phone": "139 1234 5678", "line1": "南京路 88 号", "city": "上海"}


def _base(shop: Shop) -> str:
    return f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"


def _signed_in(client: TestClient, settings: Settings, database: Database) -> int:
    consumer_id = order_builders.consumer(database)
    value = security.sign(settings.secret_key, "shopper", {"consumer_id": consumer_id})
    client.cookies.set(SHOPPER_COOKIE, value)
    return consumer_id


def _deposits(database: Database) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count(PresaleDeposit.id))) or 0)


def _deposit(database: Database) -> PresaleDeposit:
    with database.transaction(read_only=True) as session:
        found = session.scalars(select(PresaleDeposit)).one()
        session.expunge(found)
        return found


def test_a_consumer_has_the_deposit_shipped_then_sends_it_by_courier_instead(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(
        database, shop, delivery_methods=["pickup", "ship", "same_city"]
    )
    _signed_in(client, settings, database)
    base = _base(shop)
    form_path = f"{base}/presale/{presale_id}/deposit?sku={shop.skus[0]}"
    campaign = client.get(f"{base}/presale/{presale_id}")
    form = client.get(form_path)
    token = csrf_of(client, form_path)
    placed = client.post(
        f"{base}/presale/{presale_id}/deposit",
        data={"sku_id": shop.skus[0], "method": "ship", **ADDRESS, "csrf_token": token},
        follow_redirects=False,
    )
    shipped = _deposit(database)
    mine = client.get(f"{base}/presales")
    change = client.get(f"{base}/presales/{shipped.id}/delivery")
    moved = client.post(
        f"{base}/presales/{shipped.id}/delivery",
        data={"method": "same_city", **ADDRESS, "csrf_token": token},
        follow_redirects=False,
    )
    couriered = _deposit(database)
    with database.transaction(read_only=True) as session:
        order = session.get(Order, shipped.deposit_order_id)
        assert order is not None
        order_delivery = (order.delivery_method, (order.address or {}).get("line1"))
    assert "到店自提 · 快递 · 同城配送" in campaign.text
    assert 'data-testid="method-ship"' in form.text
    assert placed.status_code == 303, placed.text
    assert (shipped.delivery_method, (shipped.address or {}).get("city")) == ("ship", "上海")
    assert 'data-method="ship"' in mine.text
    assert "快递：李雷，上海南京路 88 号" in mine.text
    assert 'data-testid="change-delivery"' in mine.text
    assert 'value="ship" checked' in change.text
    assert moved.status_code == 303
    assert moved.headers["location"].endswith("/presales")
    assert couriered.delivery_method == "same_city"
    assert (couriered.address or {}).get("lat") == shop.world.east_store.lat
    assert order_delivery == ("same_city", "南京路 88 号")


def test_a_delivery_without_an_address_or_with_a_bad_phone_is_refused_and_nothing_is_saved(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop, delivery_methods=["pickup", "ship"])
    _signed_in(client, settings, database)
    base = _base(shop)
    token = csrf_of(client, f"{base}/presale/{presale_id}/deposit?sku={shop.skus[0]}")
    path = f"{base}/presale/{presale_id}/deposit"
    base_fields = {"sku_id": str(shop.skus[0]), "csrf_token": token}
    empty = client.post(path, data={**base_fields, "method": "ship"})
    phone = client.post(path, data={**base_fields, "method": "ship", **ADDRESS, "phone": "call"})
    courier = client.post(path, data={**base_fields, "method": "same_city", **ADDRESS})
    assert empty.status_code == 422
    assert "请填写收货人、电话和配送地址。" in empty.text
    assert phone.status_code == 422
    assert "请填写快递员能拨打的手机号（数字）。" in phone.text
    assert 'value="call"' in phone.text  # what was typed is kept
    assert courier.status_code == 422
    assert "本预售活动不提供这种取货方式。" in courier.text
    assert _deposits(database) == 0


def test_the_delivery_cannot_change_from_the_page_once_the_balance_is_paid(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop, delivery_methods=["pickup", "ship"])
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    owner = presale_builders.owner_scope(database, deposit_id)
    value = security.sign(settings.secret_key, "shopper", {"consumer_id": owner.actor_id})
    client.cookies.set(SHOPPER_COOKIE, value)
    base = _base(shop)
    token = csrf_of(client, f"{base}/presales")
    ordered = client.post(
        f"{base}/presales/{deposit_id}/balance", data={"csrf_token": token}, follow_redirects=False
    )
    client.post(ordered.headers["location"], data={"instruction": "succeed", "csrf_token": token})
    refused = client.post(
        f"{base}/presales/{deposit_id}/delivery",
        data={"method": "ship", **ADDRESS, "csrf_token": token},
    )
    presale_builders.dispatch(database)
    later = client.get(f"{base}/presales/{deposit_id}/delivery", follow_redirects=False)
    mine = client.get(f"{base}/presales")
    assert refused.status_code == 409
    assert "尾款已支付，配送方式不能再修改。" in refused.text
    assert _deposit(database).delivery_method == "pickup"
    assert later.status_code == 303
    assert 'data-testid="change-delivery"' not in mine.text


def test_a_pickup_only_pre_sale_asks_no_address(
    client: TestClient, database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    _signed_in(client, settings, database)
    base = _base(shop)
    form = client.get(f"{base}/presale/{presale_id}/deposit?sku={shop.skus[0]}")
    assert form.status_code == 200
    assert 'data-testid="delivery-choice"' not in form.text
    assert '<input type="hidden" name="method" value="pickup">' in form.text
