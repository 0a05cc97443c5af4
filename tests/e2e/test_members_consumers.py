"""Consumers over HTTP: one-time codes, consumer tokens, joining brands, identifiers."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests import member_builders as mb
from tests.passwords import cheap_hashing
from tests.tenancy import Victim, walk

from newretail.auth import service as auth_service
from newretail.db import Database, utcnow
from newretail.members import otp
from newretail.members import service as members_service

PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Staff built for these tests never log in; strong hashing would only cost seconds."""
    with cheap_hashing():
        yield


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _log_in(client: TestClient, sender: members_service.MemoryOtpSender, **extra: str) -> dict:
    sent = client.post("/api/v1/consumers/otp", json={"phone": "139 1234 5678"})
    assert sent.status_code == 202, sent.text
    response = client.post(
        "/api/v1/consumers/token",
        json={"phone": "13912345678", "code": sender.last(PHONE), **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _headers(token: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_a_new_phone_signs_up_and_the_token_reads_the_consumer(
    client: TestClient, sender: members_service.MemoryOtpSender
) -> None:
    token = _log_in(client, sender)
    me = client.get("/api/v1/consumers/me", headers=_headers(token)).json()
    assert token["created"] is True
    assert (me["id"], me["phone"], me["memberships"]) == (token["consumer_id"], PHONE, [])
    assert me["identifiers"][0] | {"created_at": None} == {
        "kind": "phone",
        "value": PHONE,
        "verified": True,
        "created_at": None,
    }


def test_a_consumer_token_is_a_consumer_scope_without_staff_powers(
    client: TestClient, sender: members_service.MemoryOtpSender
) -> None:
    headers = _headers(_log_in(client, sender))
    me = client.get("/api/v1/auth/me", headers=headers).json()
    staff_only = client.get("/api/v1/staff", headers=headers).json()
    assert (me["actor_type"], me["roles"], me["brand_id"]) == ("consumer", [], None)
    assert staff_only["items"] == []


def test_a_token_of_a_consumer_who_no_longer_exists_is_refused(client: TestClient) -> None:
    token, _ = auth_service.issue_consumer_token(consumer_id=999_999)
    response = client.get("/api/v1/consumers/me", headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, response.json()["code"]) == (401, "consumer_gone")


def test_logging_in_again_is_the_same_consumer(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    first = _log_in(client, sender)
    with database.transaction() as session:
        later = utcnow() + timedelta(seconds=61)  # past the resend cool-down
        members_service.send_code(session=session, phone=PHONE, sender=sender, now=later)
    second = client.post(
        "/api/v1/consumers/token", json={"phone": PHONE, "code": sender.last(PHONE)}
    ).json()
    assert (second["consumer_id"], second["created"]) == (first["consumer_id"], False)


def test_an_invalid_phone_is_422_invalid_phone(client: TestClient) -> None:
    response = client.post("/api/v1/consumers/otp", json={"phone": "12345"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_phone")


def test_a_wrong_code_is_401_and_five_wrong_codes_lock_the_code(
    client: TestClient, sender: members_service.MemoryOtpSender
) -> None:
    client.post("/api/v1/consumers/otp", json={"phone": PHONE})
    right = sender.last(PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    answers = [
        client.post("/api/v1/consumers/token", json={"phone": PHONE, "code": wrong}).json()["code"]
        for _ in range(5)
    ]
    locked = client.post("/api/v1/consumers/token", json={"phone": PHONE, "code": right})
    assert answers == ["otp_invalid"] * 5
    assert (locked.status_code, locked.json()["code"]) == (429, "otp_too_many_attempts")


def test_a_code_never_sent_is_401_otp_expired(client: TestClient) -> None:
    response = client.post("/api/v1/consumers/token", json={"phone": PHONE, "code": "123456"})
    assert (response.status_code, response.json()["code"]) == (401, "otp_expired")


def test_asking_again_at_once_is_429_with_retry_after(
    client: TestClient, sender: members_service.MemoryOtpSender
) -> None:
    client.post("/api/v1/consumers/otp", json={"phone": PHONE})
    again = client.post("/api/v1/consumers/otp", json={"phone": PHONE})
    assert (again.status_code, again.json()["code"]) == (429, "otp_rate_limited")
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    assert len(sender.sent[PHONE]) == 1


def test_the_fallback_sender_logs_a_masked_phone_and_never_the_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines: list[dict] = []
    monkeypatch.setattr(
        otp.log, "info", lambda event, **fields: lines.append({"event": event, **fields})
    )
    otp.LogOtpSender().send(phone=PHONE, code="424242")
    assert lines == [{"event": "otp_sent", "phone": "139****5678"}]


def test_a_consumer_joins_a_brand_through_a_guide_s_share_link_once(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    world = builders.brand_world(database)
    headers = _headers(_log_in(client, sender))
    body = {
        "brand_id": world.brand.id,
        "store_id": world.east_store.id,
        "guide_id": world.east_guide.id,
        "consents": {"marketing": True},
    }
    joined = client.post("/api/v1/members", json=body, headers=headers)
    again = client.post("/api/v1/members", json=body, headers=headers)
    assert (joined.status_code, again.status_code) == (201, 200)
    member = joined.json()
    assert (member["phone"], member["join_channel"], member["consents"]["marketing"]) == (
        PHONE,
        "share_link",
        True,
    )
    assert member["binding"]["guide_id"] == world.east_guide.id
    assert member["binding_result"] == {"action": "bind", "reason": "first_bind"}
    assert again.json()["id"] == member["id"]
    mine = client.get("/api/v1/members", headers=headers).json()["items"]
    assert [m["id"] for m in mine] == [member["id"]]


def test_a_consumer_cannot_read_another_consumer_s_membership(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    world = builders.brand_world(database)
    someone_else = mb.member(database, world)
    headers = _headers(_log_in(client, sender))
    response = client.get(f"/api/v1/members/{someone_else}", headers=headers)
    assert (response.status_code, response.json()["code"]) == (404, "member_not_found")


def test_linking_a_device_seen_before_merges_that_record_in(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        anonymous = members_service.identify(
            session=session, identifiers=[(members_service.IdentifierKind.DEVICE, "dev-9")]
        )
    mb.scan(database, world.brand.id, anonymous, world.east_store.id, None)
    headers = _headers(_log_in(client, sender))
    linked = client.post(
        "/api/v1/consumers/me/identifiers",
        json={"kind": "device", "value": "dev-9"},
        headers=headers,
    )
    assert linked.status_code == 201, linked.text
    assert {i["kind"] for i in linked.json()["identifiers"]} == {"phone", "device"}
    assert [m["brand_id"] for m in linked.json()["memberships"]] == [world.brand.id]


def test_an_operator_undoes_a_merge_over_http(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    with database.transaction() as session:
        anonymous = members_service.identify(
            session=session, identifiers=[(members_service.IdentifierKind.DEVICE, "dev-10")]
        )
    token = _log_in(client, sender, device_id="dev-10")
    operator = {"Authorization": f"Bearer {builders.token(builders.platform_admin(database))}"}
    merges = client.get(
        "/api/v1/consumers/merges", params={"consumer_id": anonymous}, headers=operator
    ).json()["items"]
    undone = client.post(f"/api/v1/consumers/merges/{merges[0]['id']}/undo", headers=operator)
    twice = client.post(f"/api/v1/consumers/merges/{merges[0]['id']}/undo", headers=operator)
    assert (merges[0]["source_id"], merges[0]["target_id"]) == (anonymous, token["consumer_id"])
    assert undone.status_code == 200 and undone.json()["undone_at"] is not None
    assert (twice.status_code, twice.json()["code"]) == (409, "merge_already_undone")


def test_a_consumer_token_reaches_nothing_of_a_brand_on_the_members_routes(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    """Except what a consumer may do anywhere: join a brand, link an id to themselves, keep
    an address of their own with a brand."""
    victim = Victim(builders.brand_world(database), database)
    headers = _headers(_log_in(client, sender))
    ours = (
        "/api/v1/members",
        "/api/v1/consumers",
        "/api/v1/guides",
        "/api/v1/binding-",
        "/api/v1/member-",
    )
    allowed = (
        "POST /api/v1/members ->",
        "POST /api/v1/consumers/me/identifiers ->",
        "POST /api/v1/consumers/me/addresses ->",
    )
    problems = [p for p in walk(client, headers, victim, only=ours) if not p.startswith(allowed)]
    assert problems == []
