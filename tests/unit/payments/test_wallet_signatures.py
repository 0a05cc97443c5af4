"""Signatures both ways: the SDKs' requests verify with the providers' side of signing (the
fakes' helpers), and the providers read only notifications that verify."""

import json
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from tests.payment_fakes import signing
from tests.payment_fakes.alipay import FakeAlipay
from tests.payment_fakes.alipay import Trade as AlipayTrade
from tests.payment_fakes.keys import key_pair
from tests.payment_fakes.wechatpay import FakeWeChatPay, Trade
from tests.payment_fakes.world import API_V3_KEY

from newretail.payments import errors
from newretail.payments.providers import ChargeOutcome
from newretail.payments.wallets.alipay import AlipayProvider
from newretail.payments.wallets.wechatpay import WeChatPayProvider

MCHID, APPID, SERIAL, PUB_ID = "1900000109", "wx0001", "5157F09E", "PUB_KEY_ID_01"


def _wechat(**changes: str) -> WeChatPayProvider:
    fields = {
        "merchant_id": MCHID,
        "app_id": APPID,
        "key_serial": SERIAL,
        "platform_key_id": PUB_ID,
    }
    return WeChatPayProvider(
        **(fields | changes),
        private_key_pem=key_pair("wechat merchant").private_pem(),
        api_v3_key=API_V3_KEY,
        platform_key_pem=key_pair("wechat platform").public_pem(),
        gateway_url=None,
        timeout_seconds=1,
    )


def _fake_wechat() -> FakeWeChatPay:
    return FakeWeChatPay(
        merchant_id=MCHID,
        app_id=APPID,
        key_serial=SERIAL,
        merchant=key_pair("wechat merchant"),
        platform=key_pair("wechat platform"),
        platform_key_id=PUB_ID,
        api_v3_key=API_V3_KEY,
    )


def test_the_sdk_authorization_verifies_and_a_changed_body_does_not() -> None:
    from wechatpayv3.utils import build_authorization

    merchant = key_pair("wechat merchant")
    body = json.dumps({"out_trade_no": "nr1", "amount": {"total": 100}})
    header = build_authorization(
        "/v3/pay/transactions/codepay", "POST", MCHID, SERIAL, merchant.private, data=body
    )
    verify = {"method": "POST", "url": "/v3/pay/transactions/codepay", "authorization": header}
    fields = signing.verify_wechat_request(merchant.public, body=body, **verify)
    assert fields is not None and (fields["mchid"], fields["serial_no"]) == (MCHID, SERIAL)
    assert (
        signing.verify_wechat_request(merchant.public, body=body.replace("100", "1"), **verify)
        is None
    )
    assert signing.verify_wechat_request(key_pair("other").public, body=body, **verify) is None


def test_a_signed_wechat_notification_is_decrypted_into_its_outcome_and_amount() -> None:
    headers, body = _fake_wechat().notification(Trade("nr1", 12_900, "SUCCESS"))
    note = _wechat().parse_notification(headers=headers, body=body)
    assert (note.provider_ref, note.outcome, note.amount) == (
        "nr1",
        ChargeOutcome.SUCCEEDED,
        12_900,
    )


def test_a_wechat_notification_that_is_forged_stale_or_for_another_merchant_is_refused() -> None:
    fake = _fake_wechat()
    headers, body = fake.notification(Trade("nr1", 12_900, "SUCCESS"))
    stale = headers | {"Wechatpay-Timestamp": str(int(time.time()) - 3600)}
    with pytest.raises(errors.InvalidSignature):
        _wechat().parse_notification(headers=headers, body=body.replace(b"succeeded", b"failed"))
    with pytest.raises(errors.InvalidSignature):
        _wechat().parse_notification(headers=stale, body=body)
    with pytest.raises(errors.InvalidNotification):
        _wechat(merchant_id="1900000999").parse_notification(headers=headers, body=body)


def _alipay(app_id: str = "2021000100000001") -> AlipayProvider:
    return AlipayProvider(
        app_id=app_id,
        private_key_pem=key_pair("alipay app").private_pem(),
        alipay_public_key_pem=key_pair("alipay").public_pem(),
        gateway_url="http://127.0.0.1:8399/gateway.do",
        timeout_seconds=1,
    )


def test_an_alipay_request_signed_by_the_sdk_verifies_with_the_app_public_key() -> None:
    provider = _alipay()
    signed = provider._api.client_api("alipay.trade.query", {"out_trade_no": "nr1"})
    params = dict(parse_qsl(signed))
    content = signing.alipay_content(params)
    assert signing.rsa_verify(key_pair("alipay app").public, content, params["sign"])
    tampered = content.replace("nr1", "nr2")
    assert not signing.rsa_verify(key_pair("alipay app").public, tampered, params["sign"])


def test_an_alipay_notification_verifies_and_a_forged_or_foreign_one_is_refused() -> None:
    fake = FakeAlipay(
        app_id="2021000100000001", app=key_pair("alipay app"), alipay=key_pair("alipay")
    )
    body = fake.notification(AlipayTrade("nr1", 12_900, "TRADE_SUCCESS"))
    note = _alipay().parse_notification(headers={}, body=body)
    form = dict(parse_qsl(body.decode()))
    forged = urlencode(form | {"total_amount": "0.01"}).encode()
    rsa1 = urlencode(form | {"sign_type": "RSA"}).encode()
    assert (note.provider_ref, note.outcome, note.amount) == (
        "nr1",
        ChargeOutcome.SUCCEEDED,
        12_900,
    )
    for bad in (forged, rsa1):
        with pytest.raises(errors.InvalidSignature):
            _alipay().parse_notification(headers={}, body=bad)
    with pytest.raises(errors.InvalidNotification):
        _alipay(app_id="2021000100000002").parse_notification(headers={}, body=body)
