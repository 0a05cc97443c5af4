"""DINGs: read receipts the sender sees, escalation on a controlled clock (a second notice,
an SMS, the manager), upwards with a member attached, and never to nobody."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import member_builders
from tests.integration.workbench import world as w
from tests.integration.workbench.inbox import templates_of

from newretail.db import Database, utcnow
from newretail.workbench import dings, service
from newretail.workbench.models import Ding, DingReceipt

pytestmark = pytest.mark.postgres


def _receipt(database: Database, ding_id: int, person: int) -> tuple[int, list[str], int | None]:
    with database.transaction(read_only=True) as session:
        row = session.scalar(
            select(DingReceipt).where(
                DingReceipt.ding_id == ding_id, DingReceipt.recipient_id == person
            )
        )
        assert row is not None
        return row.level, [step["step"] for step in row.escalations], row.escalated_to_id


def _escalate(database: Database, at: object) -> int:
    with database.transaction() as session:
        return service.escalate(session=session, now=at)  # type: ignore[arg-type]


def test_the_sender_sees_who_has_and_has_not_read(database: Database, client: TestClient) -> None:
    world = w.world(database)
    sent = client.post(
        "/api/v1/dings",
        json={
            "body": "Fire drill at 3pm",
            "recipients": [world.base.east_guide.id, world.north_guide.id],
        },
        headers=world.headers("east_manager"),
    )
    assert sent.status_code == 201, sent.text
    ding_id = sent.json()["id"]
    client.post(f"/api/v1/dings/{ding_id}/read", headers=world.headers("north_guide"))
    seen = client.get(f"/api/v1/dings/{ding_id}", headers=world.headers("east_manager")).json()
    read = {r["recipient_id"]: r["read_at"] is not None for r in seen["receipts"]}
    assert read == {world.base.east_guide.id: False, world.north_guide.id: True}


def test_unread_escalates_step_by_step_and_reading_stops_it(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    sent = client.post(
        "/api/v1/dings",
        json={
            "body": "Call the supplier now",
            "recipients": [world.base.east_guide.id, world.north_guide.id],
            "escalate_after_minutes": 10,
        },
        headers=world.headers("admin"),
    )
    ding_id = sent.json()["id"]
    start = utcnow()
    assert _escalate(database, start + timedelta(minutes=9)) == 0
    assert _escalate(database, start + timedelta(minutes=11)) == 2
    client.post(f"/api/v1/dings/{ding_id}/read", headers=world.headers("north_guide"))
    assert _escalate(database, start + timedelta(minutes=22)) == 1
    assert _escalate(database, start + timedelta(minutes=33)) == 1
    assert _escalate(database, start + timedelta(minutes=44)) == 0
    assert _receipt(database, ding_id, world.base.east_guide.id) == (
        3,
        ["reminder", "sms", "manager"],
        world.base.east_store_manager.id,
    )
    assert _receipt(database, ding_id, world.north_guide.id) == (1, ["reminder"], None)
    assert templates_of(database, world.base.east_guide.id) == [
        ("workbench.ding", "inapp"),
        ("workbench.ding_reminder", "inapp"),
        ("workbench.ding_reminder", "sms"),  # the text step: the brand's SMS channel
        ("workbench.ding_reminder", "inapp"),
    ]
    assert templates_of(database, world.base.east_store_manager.id) == [
        ("workbench.ding_escalated", "inapp")
    ]


def test_a_ding_to_nobody_is_refused(database: Database, client: TestClient) -> None:
    world = w.world(database)
    refused = client.post(
        "/api/v1/dings", json={"body": "Hello?", "recipients": []}, headers=world.headers("admin")
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "ding_without_recipients")
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Ding)) == 0


def test_a_ding_outside_the_senders_scope_is_refused(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    other = w.world(database)
    for person in (world.west_guide.id, other.base.east_guide.id):
        refused = client.post(
            "/api/v1/dings",
            json={"body": "Hi", "recipients": [person]},
            headers=world.headers("east_manager"),
        )
        assert refused.json()["code"] == "target_out_of_scope"


def test_a_guide_dings_their_manager_with_their_members_problem(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    member_id = member_builders.member(database, world.base)
    sent = client.post(
        "/api/v1/dings/up",
        json={"body": "Customer wants a refund on a worn coat", "member_id": member_id},
        headers=world.headers("east_guide"),
    )
    assert sent.status_code == 201, sent.text
    assert [r["recipient_id"] for r in sent.json()["receipts"]] == [
        world.base.east_store_manager.id
    ]
    assert sent.json()["member_id"] == member_id
    inbox = client.get("/api/v1/dings?box=received", headers=world.headers("east_store_manager"))
    assert [d["id"] for d in inbox.json()] == [sent.json()["id"]]
    elsewhere = client.get(
        f"/api/v1/dings/{sent.json()['id']}", headers=world.headers("west_store_manager")
    )
    assert elsewhere.status_code == 404


def test_a_guide_may_not_attach_another_guides_member(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    member_id = member_builders.scan(
        database,
        world.brand_id,
        member_builders.consumer(database),
        world.north_store.id,
        world.north_guide.id,
    ).member_id
    refused = client.post(
        "/api/v1/dings/up",
        json={"body": "About this customer", "member_id": member_id},
        headers=world.headers("east_guide"),
    )
    assert refused.status_code == 404


def test_a_guide_whose_store_has_no_manager_dings_the_region_manager_above(
    database: Database, client: TestClient
) -> None:
    world = w.world(database)
    sent = client.post(
        "/api/v1/dings/up", json={"body": "Till is down"}, headers=world.headers("north_guide")
    )
    assert [r["recipient_id"] for r in sent.json()["receipts"]] == [world.base.east_manager.id]


def test_a_flood_of_dings_is_stopped_with_a_clear_error(
    database: Database, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dings, "MAX_PER_HOUR", 2)
    world = w.world(database)
    body = {"body": "Now!", "recipients": [world.base.east_guide.id]}
    answers = [
        client.post("/api/v1/dings", json=body, headers=world.headers("admin")) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["code"] == "too_many_dings"
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Ding)) == 2
