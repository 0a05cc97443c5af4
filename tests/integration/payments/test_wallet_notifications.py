"""Cloud store page payments through the fakes of WeChat Pay and Alipay: prepared for the
page, settled once by the provider's signed notification; a replay changes nothing and a
forged one is refused."""

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import order_builders
from tests.integration.orders.flash import consumer_scope
from tests.payment_fakes import signing
from tests.payment_fakes.world import WalletWorld

from newretail.app import create_app
from newretail.config import Settings
from newretail.orders.models import Order
from newretail.outbox.models import OutboxEvent
from newretail.payments.models import Payment


@pytest.fixture
def client(wallets: WalletWorld, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, wallets.database)) as test_client:
        yield test_client


def _consumer_order(wallets: WalletWorld) -> tuple[int, dict[str, str]]:
    consumer_id = order_builders.consumer(wallets.database)
    order_id = wallets.order(consumer_scope(consumer_id), channel="cloud_store")
    return order_id, wallets.shop.consumer_headers(consumer_id)


def _paid_events(wallets: WalletWorld, order_id: int) -> int:
    with wallets.database.transaction(read_only=True) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.type == "order.paid", OutboxEvent.resource_id == str(order_id))
            )
            or 0
        )


def _state(wallets: WalletWorld, order_id: int, ref: str) -> tuple[str, str]:
    with wallets.database.transaction(read_only=True) as session:
        payment = session.scalar(select(Payment).where(Payment.provider_ref == ref))
        order = session.get(Order, order_id)
        assert payment is not None and order is not None
        return payment.status, order.status


def test_a_wechat_notification_settles_the_page_payment_once(
    wallets: WalletWorld, client: TestClient
) -> None:
    order_id, headers = _consumer_order(wallets)
    prepared = client.post(
        f"/api/v1/orders/{order_id}/pay/prepay",
        json={
            "provider": "wechatpay",
            "scene": "jsapi",
            "payer_id": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        },
        headers=headers,
    )
    assert prepared.status_code == 202, prepared.text
    payment, pay = prepared.json()["payment"], prepared.json()["pay"]
    ref = payment["provider_ref"]
    message = "\n".join([pay["appId"], pay["timeStamp"], pay["nonceStr"], pay["package"]]) + "\n"
    notify_path = urlsplit(wallets.wechat.trades[ref].notify_url).path
    note_headers, body = wallets.wechat.consumer_pays(ref)
    forged = client.post(
        notify_path,
        content=body.replace(b"payment succeeded", b"payment  succeeded"),
        headers=note_headers,
    )
    pending = _state(wallets, order_id, ref)
    first = client.post(notify_path, content=body, headers=note_headers)
    replay = client.post(notify_path, content=body, headers=note_headers)
    assert signing.rsa_verify(wallets.wechat.merchant.public, message, pay["paySign"])
    assert payment["merchant_account_id"] == wallets.accounts["wechatpay"]
    assert notify_path == f"/api/v1/payments/notify/wechatpay/{wallets.accounts['wechatpay']}"
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    assert pending == ("pending", "created")
    assert (first.status_code, first.json()["status"]) == (200, "succeeded")
    assert (replay.status_code, replay.json()["status"]) == (200, "succeeded")
    assert _state(wallets, order_id, ref) == ("succeeded", "allocated")
    assert _paid_events(wallets, order_id) == 1


def test_an_alipay_notification_settles_the_page_payment_once(
    wallets: WalletWorld, client: TestClient
) -> None:
    order_id, headers = _consumer_order(wallets)
    prepared = client.post(
        f"/api/v1/orders/{order_id}/pay/prepay",
        json={"provider": "alipay", "scene": "h5", "return_url": "https://shop.example/s/S1"},
        headers=headers,
    )
    assert prepared.status_code == 202, prepared.text
    ref, pay_url = prepared.json()["payment"]["provider_ref"], prepared.json()["pay"]["pay_url"]
    trade = wallets.alipay.open_page(pay_url)
    notify_path = urlsplit(dict(parse_qsl(urlsplit(pay_url).query))["notify_url"]).path
    body = wallets.alipay.consumer_pays(ref)
    forged = wallets.alipay.notification(trade).replace(b"total_amount=", b"total_amount=1")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    refused = client.post(notify_path, content=forged, headers=form)
    first = client.post(notify_path, content=body, headers=form)
    replay = client.post(notify_path, content=body, headers=form)
    assert trade.amount == sum(wallets.shop.prices)
    assert notify_path == f"/api/v1/payments/notify/alipay/{wallets.accounts['alipay']}"
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_signature")
    assert (first.status_code, first.text) == (200, "success")
    assert (replay.status_code, replay.text) == (200, "success")
    assert _state(wallets, order_id, ref) == ("succeeded", "allocated")
    assert _paid_events(wallets, order_id) == 1


def test_opening_the_page_again_prepares_the_same_payment(
    wallets: WalletWorld, client: TestClient
) -> None:
    order_id, headers = _consumer_order(wallets)
    body = {"provider": "wechatpay", "scene": "h5", "client_ip": "203.0.113.7"}
    first = client.post(f"/api/v1/orders/{order_id}/pay/prepay", json=body, headers=headers)
    second = client.post(f"/api/v1/orders/{order_id}/pay/prepay", json=body, headers=headers)
    assert first.json()["payment"]["id"] == second.json()["payment"]["id"]
    assert second.json()["pay"]["h5_url"].startswith("https://")
    assert wallets.wechat.refused_signatures == 0


def test_a_notification_for_another_account_finds_nothing(
    wallets: WalletWorld, client: TestClient
) -> None:
    order_id, headers = _consumer_order(wallets)
    other = wallets.account(
        code="wx-other",
        name="Another WeChat Pay account",
        provider="wechatpay",
        owner_type="franchisee",
        owner_name="Someone Else Ltd",
        merchant_id="1900000109",
        app_id="wxd678efh567hg6787",
        key_serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        platform_key_id="PUB_KEY_ID_0119000001092025010100000000",
        private_key_ref="file:wechat/apiclient_key.pem",
        platform_key_ref="file:wechat/pub_key.pem",
        api_key_ref="setting:wechat_apiv3_key",
    )
    body = {"provider": "wechatpay", "scene": "jsapi", "payer_id": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
    prepared = client.post(f"/api/v1/orders/{order_id}/pay/prepay", json=body, headers=headers)
    ref = prepared.json()["payment"]["provider_ref"]
    note_headers, note = wallets.wechat.consumer_pays(ref)
    answer = client.post(
        f"/api/v1/payments/notify/wechatpay/{other}", content=note, headers=note_headers
    )
    assert answer.status_code == 404
    assert _state(wallets, order_id, ref) == ("pending", "created")
