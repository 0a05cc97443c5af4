"""A brand whose stores take WeChat Pay and Alipay through the local fakes: keys made for
the test, kept as files and settings in the brand's namespace, merchant accounts pointing
at them, and the providers' gateways pointed at the fakes."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newretail.auth import service as auth_service
from newretail.config import get_settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Scope
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.payments.merchants import service as merchants_service
from newretail.payments.merchants.schemas import MerchantAccountCreate
from tests import builders, order_builders
from tests.payment_fakes.alipay import FakeAlipay
from tests.payment_fakes.keys import key_pair
from tests.payment_fakes.wechatpay import FakeWeChatPay

API_V3_KEY = "0123456789abcdefghijABCDEFGHIJkl"  # 32 characters, as WeChat Pay's APIv3 keys


@dataclass
class WalletWorld:
    database: Database
    shop: order_builders.Shop
    wechat: FakeWeChatPay
    alipay: FakeAlipay
    accounts: dict[str, int]

    def fake(self, provider: str) -> FakeWeChatPay | FakeAlipay:
        return self.wechat if provider == "wechatpay" else self.alipay

    def cashier(self) -> Scope:
        with self.database.transaction() as session:
            staff = session.get(type(self.shop.world.east_cashier), self.shop.world.east_cashier.id)
            assert staff is not None
            return auth_service.scope_for_staff(session=session, staff=staff)

    def order(self, scope: Scope | None = None, **fields: Any) -> int:
        """A pickup order of one unit of each SKU at the east store; the cashier's by default."""
        body = order_builders.order_body(self.shop, **{"channel": "pos", **fields})
        with self.database.transaction() as session:
            order = orders_service.create_order(
                session=session,
                scope=scope or self.cashier(),
                data=OrderCreate.model_validate(body),
            )
            return order.id

    def account(self, **fields: Any) -> int:
        data = MerchantAccountCreate.model_validate(
            {"brand_id": self.shop.world.brand.id, **fields}
        )
        with self.database.transaction() as session:
            return merchants_service.create_account(session=session, scope=SYSTEM, data=data).id


def wechat_account(code: str, **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"WeChat Pay {code}",
        "provider": "wechatpay",
        "merchant_id": "1900000109",
        "app_id": "wxd678efh567hg6787",
        "key_serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "platform_key_id": "PUB_KEY_ID_0119000001092025010100000000",
        "private_key_ref": "file:wechat/apiclient_key.pem",
        "platform_key_ref": "file:wechat/pub_key.pem",
        "api_key_ref": "setting:wechat_apiv3_key",
        **fields,
    }


def alipay_account(code: str, **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Alipay {code}",
        "provider": "alipay",
        "app_id": "2021000100000001",
        "private_key_ref": "setting:alipay_app_private_key",
        "platform_key_ref": "file:alipay/alipay_public_key.txt",
        **fields,
    }


def _write_secrets(root: Path, brand_code: str) -> dict[str, str]:
    """The brand's keys as files (WeChat Pay's, Alipay's public key) and settings."""
    folder = root / brand_code
    (folder / "wechat").mkdir(parents=True)
    (folder / "alipay").mkdir()
    (folder / "wechat" / "apiclient_key.pem").write_text(key_pair("wechat merchant").private_pem())
    (folder / "wechat" / "pub_key.pem").write_text(key_pair("wechat platform").public_pem())
    (folder / "alipay" / "alipay_public_key.txt").write_text(key_pair("alipay").public_base64())
    return {
        f"{brand_code}/wechat_apiv3_key": API_V3_KEY,
        f"{brand_code}/alipay_app_private_key": key_pair("alipay app").private_pem(pkcs1=True),
    }


@contextmanager
def wallet_world(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WalletWorld]:
    shop = order_builders.shop(database)
    account = wechat_account("x")
    wechat = FakeWeChatPay(
        merchant_id=account["merchant_id"],
        app_id=account["app_id"],
        key_serial=account["key_serial"],
        merchant=key_pair("wechat merchant"),
        platform=key_pair("wechat platform"),
        platform_key_id=account["platform_key_id"],
        api_v3_key=API_V3_KEY,
    )
    alipay = FakeAlipay(
        app_id=alipay_account("x")["app_id"], app=key_pair("alipay app"), alipay=key_pair("alipay")
    )
    settings_entries = _write_secrets(tmp_path / "secrets", shop.world.brand.code)
    with wechat.start() as wechat_server, alipay.start() as alipay_server:
        for name, value in {
            "NEWRETAIL_PAYMENT_SECRETS_DIR": str(tmp_path / "secrets"),
            "NEWRETAIL_PAYMENT_SECRETS": json.dumps(settings_entries),
            "NEWRETAIL_WECHATPAY_GATEWAY_URL": wechat_server.url,
            "NEWRETAIL_ALIPAY_GATEWAY_URL": f"{alipay_server.url}/gateway.do",
            "NEWRETAIL_PAYMENT_CODE_QUERIES": "3",
            "NEWRETAIL_PAYMENT_CODE_QUERY_INTERVAL_SECONDS": "0",
            "NEWRETAIL_PAYMENT_PROVIDER_TIMEOUT_SECONDS": "5",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        world = WalletWorld(database, shop, wechat, alipay, {})
        world.accounts["wechatpay"] = world.account(
            **wechat_account("wx-hq", owner_type="brand", brand_default=True)
        )
        world.accounts["alipay"] = world.account(
            **alipay_account("ali-hq", owner_type="brand", brand_default=True)
        )
        try:
            yield world
        finally:
            get_settings.cache_clear()


def franchise_store(world: WalletWorld) -> int:
    with world.database.transaction() as session:
        brand_id = world.shop.world.brand.id
        store = builders.store(session, brand_id, world.shop.world.east.id, type="franchise")
        return store.id
