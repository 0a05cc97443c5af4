"""A merchant account's wallet client is built once per process for the same keys, and
again as soon as a key read from the brand's secrets changes."""

from typing import Any

import pytest
from tests.payment_fakes.keys import key_pair

from newretail.config import Settings
from newretail.payments.merchants.service import AccountConfig
from newretail.payments.wallets import registry

PLATFORM_SERIAL = 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1


def _account(provider: str) -> AccountConfig:
    return AccountConfig(
        id=1,
        brand_id=1,
        brand_code="B",
        provider=provider,
        merchant_id="1900000001",
        app_id="wx0123456789",
        key_serial="3775B6A45ACD588826D15E583A95F5DD",
        platform_key_id="",
        private_key_ref="setting:merchant.pem",
        platform_key_ref="setting:platform.pem",
        api_key_ref="setting:api_v3_key",
        updated_at=None,
    )


def _settings(merchant_key: str, **fields: Any) -> Settings:
    platform = key_pair("wallet-clients-platform").certificate_pem(PLATFORM_SERIAL)
    secrets = {
        "B/merchant.pem": key_pair(merchant_key).private_pem(),
        "B/platform.pem": platform,
        "B/api_v3_key": "0123456789abcdef0123456789abcdef",
    }
    return Settings(payment_secrets=secrets, **fields)


@pytest.mark.parametrize("provider", ["wechatpay", "alipay"])
def test_a_client_is_built_once_for_the_same_keys_and_again_for_a_rotated_one(
    provider: str,
) -> None:
    account = _account(provider)
    first = registry.build(account, _settings("wallet-clients-merchant"))
    again = registry.build(account, _settings("wallet-clients-merchant"))
    rotated = registry.build(account, _settings("wallet-clients-rotated"))
    elsewhere = registry.build(
        account,
        _settings(
            "wallet-clients-merchant",
            wechatpay_gateway_url="http://127.0.0.1:9/wx",
            alipay_gateway_url="http://127.0.0.1:9/ali",
        ),
    )
    assert again is first
    assert rotated is not first
    assert elsewhere is not first
    assert registry.build(account, _settings("wallet-clients-rotated")) is rotated
