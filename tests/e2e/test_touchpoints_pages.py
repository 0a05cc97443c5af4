"""The consumer's pages behind a code: the scan link's redirects and the join flow."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from tests import builders
from tests import code_builders as cb
from tests import member_builders as mb
from tests.e2e.pages_support import csrf_of
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.members import service as members_service
from newretail.members.binding_rules import BindingMode
from newretail.members.models import OtpChallenge
from newretail.touchpoints.models import CodeScan

pytestmark = pytest.mark.sqlite_only

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def sender(client: TestClient) -> members_service.MemoryOtpSender:
    memory = members_service.MemoryOtpSender()
    client.app.state.otp_sender = memory  # type: ignore[attr-defined]
    return memory


def _join(client: TestClient, code: str, sender: members_service.MemoryOtpSender) -> str:
    """Ask for a code, then join with it; the result page's text."""
    path = f"/c/{code}/join"
    token = csrf_of(client, path)
    client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})
    joined = client.post(
        path,
        data={
            "phone": PHONE,
            "otp": sender.last("+86" + PHONE),
            "agree": "yes",
            "action": "join",
            "csrf_token": token,
        },
    )
    assert joined.status_code == 200, joined.text
    return joined.text


def test_a_shelf_code_redirects_to_the_cloud_store_and_counts_the_scan(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    code = cb.code(database, world.east_store.id)
    first = client.get(f"/c/{code}", follow_redirects=False)
    client.get(f"/c/{code}", follow_redirects=False)
    with database.transaction(read_only=True) as session:
        scanners = session.scalar(select(func.count(func.distinct(CodeScan.scanner_key))))
    assert (first.status_code, first.headers["location"]) == (
        303,
        f"/s/{world.brand.code}.{world.east_store.code}",
    )
    assert scanners == 1


def test_a_badge_redirects_to_the_join_page_naming_the_guide(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    code = cb.badge(database, world.east_guide.id)
    page = client.get(f"/c/{code}", headers={"accept-language": "en"})
    assert page.url.path == f"/c/{code}/join"
    assert f"Join {world.brand.name}" in page.text
    assert world.east_guide.display_name in page.text


def test_an_unknown_code_is_a_not_found_page(client: TestClient) -> None:
    response = client.get("/c/zzzzzzzz")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


def test_joining_on_the_page_binds_the_member_to_the_badge_s_guide(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    world = builders.brand_world(database)
    code = cb.badge(database, world.east_guide.id)
    text = _join(client, code, sender)
    assert f"您已成为{world.brand.name}的会员" in text
    assert f"您的导购是{world.east_guide.display_name}" in text


def test_the_page_says_when_the_policy_keeps_the_first_guide(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    world = builders.brand_world(database)
    mb.policy(database, world.brand.id, BindingMode.FIRST_WINS)
    rival = mb.guide(database, world.brand.id, world.east_store.id)
    _join(client, cb.badge(database, world.east_guide.id), sender)
    with database.transaction() as session:  # the second code may be sent at once
        session.execute(update(OtpChallenge).values(last_sent_at=None))
    text = _join(client, cb.badge(database, rival.id), sender)
    assert f"您已经是{world.brand.name}的会员" in text
    assert f"按照品牌的会员规则，您的导购仍是{world.east_guide.display_name}" in text


def test_a_wrong_code_is_refused_on_the_page(
    client: TestClient, database: Database, sender: members_service.MemoryOtpSender
) -> None:
    world = builders.brand_world(database)
    path = f"/c/{cb.badge(database, world.east_guide.id)}/join"
    token = csrf_of(client, path)
    client.post(path, data={"phone": PHONE, "action": "send", "csrf_token": token})
    wrong = "000000" if sender.last("+86" + PHONE) != "000000" else "111111"
    response = client.post(
        path,
        data={"phone": PHONE, "otp": wrong, "agree": "yes", "action": "join", "csrf_token": token},
    )
    assert response.status_code == 401
    assert "验证码不正确" in response.text
