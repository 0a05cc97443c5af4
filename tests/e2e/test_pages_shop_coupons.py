"""Claiming coupons on the cloud store: members only, templates of this store's brand only,
once per member where the template says so; the wallet lists what was claimed."""

import pytest
from fastapi.testclient import TestClient
from tests import order_builders
from tests import promotion_builders as pb
from tests.e2e import shop_support

from newretail.db import Database
from newretail.members import service as members_service


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
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == path
    assert missing.status_code == 303
    assert wallet.status_code == 200
    assert wallet.text.count('data-testid="wallet-coupon"') == 1
    assert "满 300 减 30" in wallet.text
    assert "满 300 减 30" in home.text and "别家的券" not in home.text
