"""Consumer sign-in takes only phones of the regions a brand allows (by default its country)."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests import builders, order_builders
from tests.e2e.pages_support import csrf_of
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.members import service as members_service

HONG_KONG = "+852 5123 4567"
HONG_KONG_E164 = "+85251234567"


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _brand(database: Database, **fields: Any) -> int:
    with database.transaction() as session:
        return builders.brand(session, **fields).id


def _otp(client: TestClient, phone: str, **extra: Any) -> Any:
    return client.post("/api/v1/consumers/otp", json={"phone": phone, **extra})


def test_a_chinese_brand_refuses_a_hong_kong_phone_and_sends_nothing(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    brand_id = _brand(database)
    response = _otp(client, HONG_KONG, brand_id=brand_id)
    assert (response.status_code, response.json()["code"]) == (422, "phone_region_not_allowed")
    assert "HK" in response.json()["detail"]
    assert sender.sent == {}


def test_without_a_brand_sign_in_takes_chinese_mobiles_only(
    client: TestClient, sender: members_service.MemoryOtpSender
) -> None:
    assert _otp(client, HONG_KONG).json()["code"] == "phone_region_not_allowed"
    assert _otp(client, "139 1234 5678").status_code == 202


def test_a_brand_allowing_hong_kong_signs_a_hong_kong_phone_in(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    brand_id = _brand(database, phone_regions=["CN", "HK"])
    assert _otp(client, HONG_KONG, brand_id=brand_id).status_code == 202
    body = {"phone": HONG_KONG, "code": sender.last(HONG_KONG_E164), "brand_id": brand_id}
    token = client.post("/api/v1/consumers/token", json=body)
    assert token.status_code == 200, token.text
    me = client.get(
        "/api/v1/consumers/me",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert me.json()["phone"] == HONG_KONG_E164


def test_a_code_is_no_key_where_its_phone_may_not_sign_in(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    brand_id = _brand(database, phone_regions=["HK"])
    assert _otp(client, HONG_KONG, brand_id=brand_id).status_code == 202
    elsewhere = _brand(database)
    body = {"phone": HONG_KONG, "code": sender.last(HONG_KONG_E164), "brand_id": elsewhere}
    refused = client.post("/api/v1/consumers/token", json=body)
    assert (refused.status_code, refused.json()["code"]) == (422, "phone_region_not_allowed")


def test_a_brand_of_another_country_reads_local_numbers_as_its_own(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    brand_id = _brand(database, country="HK", timezone="Asia/Hong_Kong", currency="HKD")
    sent = _otp(client, "5123 4567", brand_id=brand_id)
    assert (sent.status_code, sent.json()["phone"]) == (202, HONG_KONG_E164)
    assert _otp(client, "139 1234 5678", brand_id=brand_id).status_code == 422


def test_signing_in_to_an_unknown_brand_is_404(client: TestClient) -> None:
    response = _otp(client, "139 1234 5678", brand_id=999_999)
    assert (response.status_code, response.json()["code"]) == (404, "brand_not_found")


def test_a_brand_names_its_country_and_phone_regions_in_iso_codes(
    client: TestClient, database: Database
) -> None:
    headers = {"Authorization": f"Bearer {builders.token(builders.platform_admin(database))}"}
    body = {"code": "HKB", "name": "HK brand", "country": "hk", "phone_regions": ["hk", "CN", "HK"]}
    created = client.post("/api/v1/brands", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert (created.json()["country"], created.json()["phone_regions"]) == ("HK", ["HK", "CN"])
    wrong = client.post(
        "/api/v1/brands", json={**body, "code": "XXB", "phone_regions": ["XX"]}, headers=headers
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_input")


def test_the_cloud_store_sign_in_page_refuses_a_phone_its_brand_does_not_take(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    shop = order_builders.shop(database)
    base = f"/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    token = csrf_of(client, f"{base}/cart")
    response = client.post(
        f"{base}/signin", data={"phone": HONG_KONG, "action": "send", "csrf_token": token}
    )
    assert response.status_code == 422
    assert 'name="otp"' not in response.text  # back at the phone step, no code to enter
    assert sender.sent == {}
