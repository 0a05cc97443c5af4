"""Claiming coupons on the cloud store: members only, templates of this store's brand only,
once per member where the template says so; the wallet lists what was claimed."""

import re

import pytest
from fastapi.testclient import TestClient
from tests import order_builders
from tests import promotion_builders as pb
from tests.e2e import shop_support

from newretail.catalog.models import Sku
from newretail.db import Database
from newretail.members import service as members_service

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def test_a_shopper_joins_claims_once_and_finds_the_coupon_in_the_wallet(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    other = order_builders.shop(database)
    template = pb.template(database, shop, name="满 300 减 30", per_member_limit=1)
    foreign = pb.template(database, other, name="别家的券")
    path = shop_support.base(shop)
    token = shop_support.sign_in(client, path, sender, "13912340077")
    claim = f"{path}/coupons/{template}/claim"
    before_joining = client.post(claim, data={"csrf_token": token}, follow_redirects=False)
    shop_support.join(client, path, token)
    first = client.post(claim, data={"csrf_token": token}, follow_redirects=False)
    second = client.post(claim, data={"csrf_token": token}, follow_redirects=False)
    refused = client.get(second.headers["location"])
    elsewhere = client.post(
        f"{path}/coupons/{foreign}/claim", data={"csrf_token": token}, follow_redirects=False
    )
    missing = client.post(
        f"{path}/coupons/99999999/claim", data={"csrf_token": token}, follow_redirects=False
    )
    wallet = client.get(f"{path}/me/coupons")
    home = client.get(path)
    assert before_joining.status_code == 303
    assert before_joining.headers["location"].startswith(f"{path}/me")
    assert (first.status_code, first.headers["location"]) == (303, f"{path}/me/coupons")
    assert second.status_code == 303 and second.headers["location"] == path
    assert "优惠券领取失败：您已达到该优惠券的每人领取上限。" in refused.text
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == path
    assert missing.status_code == 303
    assert wallet.status_code == 200
    assert wallet.text.count('data-testid="wallet-coupon"') == 1
    assert "满 300 减 30" in wallet.text
    assert "满 300 减 30" in home.text and "别家的券" not in home.text


def _product_of(database: Database, sku_id: int) -> int:
    with database.transaction(read_only=True) as session:
        sku = session.get(Sku, sku_id)
        assert sku is not None
        return sku.product_id


def test_a_product_shows_its_coupons_and_a_coupon_says_where_and_how_to_use_it(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    stores = [shop.store_id, shop.far_store_id]
    shoes = pb.template(
        database,
        shop,
        name="跑鞋券",
        kind="threshold",
        terms={"threshold": 10_000, "amount": 1_000},
        reach={"skus": [shop.skus[0]], "stores": stores},
    )
    pb.template(database, shop, name="袜子券", reach={"skus": [shop.skus[1]]})
    path = shop_support.base(shop)
    product = client.get(f"{path}/p/{_product_of(database, shop.skus[0])}?sku={shop.skus[0]}")
    token = shop_support.sign_in(client, path, sender, "13912340078")
    shop_support.join(client, path, token)
    client.post(f"{path}/coupons/{shoes}/claim", data={"csrf_token": token})
    wallet = client.get(f"{path}/me/coupons")
    coupon_id = int(re.findall(r"/me/coupons/(\d+)", wallet.text)[0])
    page = client.get(f"{path}/me/coupons/{coupon_id}", headers={"accept-language": "en"})
    stranger = pb.claim(database, pb.member(database, shop), shoes)
    theirs = client.get(f"{path}/me/coupons/{stranger}")
    assert "跑鞋券" in product.text and "袜子券" not in product.text
    assert page.status_code == 200
    assert "CN¥10.00 off on CN¥100.00 or more" in page.text
    assert 'data-testid="how-online"' in page.text and 'data-testid="how-in-store"' in page.text
    assert page.text.count('data-testid="coupon-store"') == 2
    assert shop.world.east_store.name in page.text
    assert shop.world.west_store.name not in page.text
    assert theirs.status_code == 404


def test_a_shopper_claims_a_package_of_several_brands_in_one_tap(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    other = order_builders.shop(database)
    package = pb.published_package(
        database,
        [pb.template(database, shop, name="本店券"), pb.template(database, other, name="邻店券")],
        name="周末逛街券包",
    )
    path = shop_support.base(shop)
    token = shop_support.sign_in(client, path, sender, "13912340079")
    before = client.get(f"{path}/me/coupons")
    claimed = client.post(
        f"{path}/packages/{package}/claim", data={"csrf_token": token}, follow_redirects=False
    )
    after = client.get(f"{path}/me/coupons")
    again = client.post(
        f"{path}/packages/{package}/claim", data={"csrf_token": token}, follow_redirects=False
    )
    assert "周末逛街券包" in before.text and "邻店券" in before.text
    assert 'data-testid="claim-package"' in before.text
    assert (claimed.status_code, claimed.headers["location"]) == (303, f"{path}/me/coupons")
    assert after.text.count('data-testid="wallet-coupon"') == 1
    assert 'data-testid="package-claimed"' in after.text
    assert again.status_code == 303


def test_a_shopper_buys_a_paid_voucher_and_sells_it_back_once(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    template = pb.template(
        database, shop, name="100 抵 120", kind="paid", terms={"amount": 12_000, "price": 10_000}
    )
    path = shop_support.base(shop)
    token = shop_support.sign_in(client, path, sender, "13912340078")
    shop_support.join(client, path, token)
    bought = client.post(
        f"{path}/coupons/{template}/buy", data={"csrf_token": token}, follow_redirects=False
    )
    wallet = client.get(f"{path}/me/coupons")
    found = re.search(r"/me/coupons/(\d+)/buy-back", wallet.text)
    assert bought.status_code == 303 and found is not None
    back = f"{path}/me/coupons/{found.group(1)}/buy-back"
    first = client.post(back, data={"csrf_token": token}, follow_redirects=False)
    again = client.post(back, data={"csrf_token": token}, follow_redirects=False)
    after = client.get(f"{path}/me/coupons")
    assert (first.status_code, again.status_code) == (303, 303)
    assert 'data-status="voided"' in after.text
    assert 'data-testid="buy-back"' not in after.text
