"""Merchant accounts: configured by the brand admin, and the account that receives each
payment chosen by the order's store (its own, its franchisee's, else the brand's)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders, order_builders
from tests.payment_fakes.world import WalletWorld, franchise_store, wechat_account

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.payments.merchants import service as merchants_service
from newretail.payments.merchants.schemas import MerchantAccountUpdate
from newretail.payments.wallets import service as wallets_service
from newretail.payments.wallets.schemas import CodePaymentCreate


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def _stocked_order(wallets: WalletWorld, store_id: int) -> int:
    for sku_id in wallets.shop.skus:
        order_builders.receive(wallets.database, store_id, sku_id, 5)
    return wallets.order(SYSTEM, store_id=store_id)


def test_a_franchise_store_is_paid_into_its_franchisee_account_and_others_into_the_brand(
    wallets: WalletWorld,
) -> None:
    franchise = franchise_store(wallets)
    franchisee = wallets.account(
        **wechat_account(
            "wx-fr",
            owner_type="franchisee",
            owner_name="Jing'an Franchise Co.",
            store_ids=[franchise],
        )
    )
    paid = {}
    for store_id in (franchise, wallets.shop.store_id):
        payment, _ = wallets_service.pay_with_code(
            database=wallets.database,
            scope=SYSTEM,
            order_id=_stocked_order(wallets, store_id),
            data=CodePaymentCreate(provider="wechatpay", auth_code="134567890123456789"),
        )
        paid[store_id] = (payment.status, payment.merchant_account_id)
    assert paid == {
        franchise: ("succeeded", franchisee),
        wallets.shop.store_id: ("succeeded", wallets.accounts["wechatpay"]),
    }


def test_a_store_account_receives_for_its_store_until_it_is_stopped(
    wallets: WalletWorld,
) -> None:
    store_id, brand_id = wallets.shop.store_id, wallets.shop.world.brand.id
    own = wallets.account(**wechat_account("wx-store", owner_type="store", owner_store_id=store_id))

    def receiver() -> int | None:
        with wallets.database.transaction(read_only=True) as session:
            return merchants_service.resolve(
                session=session, brand_id=brand_id, store_id=store_id, provider="wechatpay"
            )

    before = receiver()
    with wallets.database.transaction() as session:
        merchants_service.update_account(
            session=session, scope=SYSTEM, account_id=own, data=MerchantAccountUpdate(active=False)
        )
    assert (before, receiver()) == (own, wallets.accounts["wechatpay"])


def test_another_process_sees_a_new_store_account_at_its_next_payment(
    wallets: WalletWorld,
) -> None:
    """Each process keeps the receivers it resolved; a change elsewhere moves the brand's
    stamp, so a process that resolved before it (here: a second engine on the same
    database) finds the new account at once."""
    store_id, brand_id = wallets.shop.store_id, wallets.shop.world.brand.id
    other = Database(wallets.database.url)

    def receiver() -> int | None:
        with other.transaction(read_only=True) as session:
            return merchants_service.resolve(
                session=session, brand_id=brand_id, store_id=store_id, provider="wechatpay"
            )

    try:
        before, again = receiver(), receiver()
        own = wallets.account(
            **wechat_account("wx-store", owner_type="store", owner_store_id=store_id)
        )
        after = receiver()
    finally:
        other.dispose()
    assert (before, again) == (wallets.accounts["wechatpay"], wallets.accounts["wechatpay"])
    assert after == own


def _account_body(**fields: object) -> dict[str, object]:
    return {
        "code": "ali-main",
        "name": "Alipay",
        "provider": "alipay",
        "owner_type": "brand",
        "app_id": "2021000100000001",
        "private_key_ref": "setting:alipay_app_private_key",
        "platform_key_ref": "file:alipay/alipay_public_key.txt",
        **fields,
    }


def test_a_brand_admin_configures_accounts_that_other_brands_cannot_see(
    database: Database, client: TestClient
) -> None:
    world, other = builders.brand_world(database), builders.brand_world(database)
    admin = world.headers("admin")
    made = client.post(
        "/api/v1/payments/merchant-accounts",
        json=_account_body(brand_default=True, store_ids=[world.east_store.id]),
        headers=admin,
    )
    account_id = made.json()["id"]
    second_default = client.post(
        "/api/v1/payments/merchant-accounts",
        json=_account_body(code="ali-2", brand_default=True),
        headers=admin,
    )
    same_store = client.post(
        "/api/v1/payments/merchant-accounts",
        json=_account_body(code="ali-3", store_ids=[world.east_store.id]),
        headers=admin,
    )
    escaping = client.post(
        "/api/v1/payments/merchant-accounts",
        json=_account_body(code="ali-4", private_key_ref="file:../other/key.pem"),
        headers=admin,
    )
    incomplete = client.post(
        "/api/v1/payments/merchant-accounts",
        json=_account_body(code="ali-5", platform_key_ref=""),
        headers=admin,
    )
    by_cashier = client.get(
        f"/api/v1/payments/merchant-accounts/{account_id}", headers=world.headers("east_cashier")
    )
    by_other = client.get(
        f"/api/v1/payments/merchant-accounts/{account_id}", headers=other.headers("admin")
    )
    other_list = client.get("/api/v1/payments/merchant-accounts", headers=other.headers("admin"))
    changed = client.patch(
        f"/api/v1/payments/merchant-accounts/{account_id}", json={"store_ids": []}, headers=admin
    )
    assert made.status_code == 201, made.text
    assert (made.json()["store_ids"], made.json()["private_key_ref"]) == (
        [world.east_store.id],
        "setting:alipay_app_private_key",
    )
    assert (second_default.status_code, second_default.json()["code"]) == (
        409,
        "brand_default_exists",
    )
    assert (same_store.status_code, same_store.json()["code"]) == (
        409,
        "store_has_merchant_account",
    )
    assert escaping.status_code == 422
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "invalid_merchant_account")
    assert by_cashier.status_code == 403
    assert by_other.status_code == 404
    assert other_list.json()["items"] == []
    assert (changed.status_code, changed.json()["store_ids"]) == (200, [])
