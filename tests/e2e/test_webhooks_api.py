from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders

from newretail import consumers
from newretail.audit.models import AuditEntry
from newretail.config import Settings
from newretail.db import Database
from newretail.outbox.dispatch import OutboxDispatcher

HOOK = "https://hooks.example.com/newretail"


def _create(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    response = client.post("/api/v1/webhooks", json={"url": HOOK, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_brand_admin_manages_a_webhook(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    created = _create(
        client, admin, description="ERP", event_types=["store.updated", "store.created"]
    )
    webhook_id = created["id"]
    fetched = client.get(f"/api/v1/webhooks/{webhook_id}", headers=admin).json()
    listed = client.get("/api/v1/webhooks", headers=admin).json()
    patched = client.patch(
        f"/api/v1/webhooks/{webhook_id}",
        json={"active": False, "url": "http://erp.example.com:8080/hook"},
        headers=admin,
    ).json()
    deleted = client.delete(f"/api/v1/webhooks/{webhook_id}", headers=admin)
    gone = client.get(f"/api/v1/webhooks/{webhook_id}", headers=admin)
    assert str(created["secret"]).startswith("whsec_")
    assert created["event_types"] == ["store.created", "store.updated"]
    assert created["brand_id"] == world.brand.id
    assert "secret" not in fetched
    assert [item["id"] for item in listed["items"]] == [webhook_id]
    assert (patched["active"], patched["url"]) == (False, "http://erp.example.com:8080/hook")
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_the_secret_is_shown_again_only_when_rotated(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    created = _create(client, admin)
    rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != created["secret"]


def test_creation_rotation_and_deletion_are_audited(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    webhook_id = _create(client, admin)["id"]
    client.post(f"/api/v1/webhooks/{webhook_id}/rotate-secret", headers=admin)
    client.delete(f"/api/v1/webhooks/{webhook_id}", headers=admin)
    with database.transaction(read_only=True) as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target_type == "webhook")
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["webhook.created", "webhook.secret_rotated", "webhook.deleted"]


def test_a_url_that_is_not_http_is_refused_with_a_code(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    refused = client.post("/api/v1/webhooks", json={"url": "ftp://example.com/x"}, headers=admin)
    webhook_id = _create(client, admin)["id"]
    bad_patch = client.patch(
        f"/api/v1/webhooks/{webhook_id}", json={"url": "file:///etc/passwd"}, headers=admin
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_webhook_url")
    assert (bad_patch.status_code, bad_patch.json()["code"]) == (422, "invalid_webhook_url")


def test_bad_event_types_and_unknown_fields_are_refused(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    bad_type = client.post(
        "/api/v1/webhooks", json={"url": HOOK, "event_types": ["Store Created"]}, headers=admin
    )
    empty = client.post("/api/v1/webhooks", json={"url": HOOK, "event_types": []}, headers=admin)
    unknown = client.post("/api/v1/webhooks", json={"url": HOOK, "secret": "x"}, headers=admin)
    assert [r.status_code for r in (bad_type, empty, unknown)] == [422, 422, 422]
    assert {r.json()["code"] for r in (bad_type, empty, unknown)} == {"invalid_input"}


def test_another_brands_admin_gets_404(client: TestClient, database: Database) -> None:
    mine = builders.brand_world(database)
    theirs = builders.brand_world(database)
    webhook_id = _create(client, mine.headers("admin"))["id"]
    other = theirs.headers("admin")
    answers = [
        client.get(f"/api/v1/webhooks/{webhook_id}", headers=other),
        client.patch(f"/api/v1/webhooks/{webhook_id}", json={"active": False}, headers=other),
        client.delete(f"/api/v1/webhooks/{webhook_id}", headers=other),
        client.post(f"/api/v1/webhooks/{webhook_id}/rotate-secret", headers=other),
        client.get(f"/api/v1/webhooks/{webhook_id}/deliveries", headers=other),
    ]
    listed = client.get("/api/v1/webhooks", headers=other).json()
    assert [a.status_code for a in answers] == [404] * 5
    assert {a.json()["code"] for a in answers} == {"webhook_not_found"}
    assert listed["items"] == []


def test_staff_below_brand_admin_may_not_manage_webhooks(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    webhook_id = _create(client, world.headers("admin"))["id"]
    manager = world.headers("east_manager")
    answers = [
        client.post("/api/v1/webhooks", json={"url": HOOK}, headers=manager),
        client.get("/api/v1/webhooks", headers=manager),
        client.get(f"/api/v1/webhooks/{webhook_id}", headers=manager),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403]


def test_a_platform_admin_acts_for_a_brand(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    platform = {"Authorization": f"Bearer {builders.token(builders.platform_admin(database))}"}
    without_brand = client.post("/api/v1/webhooks", json={"url": HOOK}, headers=platform)
    created = _create(client, platform, brand_id=world.brand.id)
    listed = client.get(
        "/api/v1/webhooks", params={"brand_id": world.brand.id}, headers=platform
    ).json()
    assert without_brand.status_code == 403
    assert created["brand_id"] == world.brand.id
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_the_list_is_paginated_with_a_cursor(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    ids = [_create(client, admin)["id"] for _ in range(3)]
    first = client.get("/api/v1/webhooks", params={"limit": 2}, headers=admin).json()
    second = client.get(
        "/api/v1/webhooks", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None


def test_deliveries_are_listed_and_can_be_redelivered(
    client: TestClient, database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    admin = world.headers("admin")
    dispatcher = OutboxDispatcher(registry=consumers.registry())
    dispatcher.dispatch_once(database, settings)  # the world's own events
    webhook_id = _create(client, admin, event_types=["store.created"])["id"]
    with database.transaction() as session:
        builders.store(session, world.brand.id, world.east.id)
    dispatcher.dispatch_once(database, settings)
    deliveries = client.get(f"/api/v1/webhooks/{webhook_id}/deliveries", headers=admin).json()
    (delivery,) = deliveries["items"]
    redelivered = client.post(
        f"/api/v1/webhooks/{webhook_id}/deliveries/{delivery['id']}/redeliver", headers=admin
    )
    missing = client.post(
        f"/api/v1/webhooks/{webhook_id}/deliveries/{delivery['id'] + 1000}/redeliver",
        headers=admin,
    )
    assert (delivery["event_type"], delivery["status"]) == ("store.created", "pending")
    assert delivery["webhook_id"] == webhook_id
    assert redelivered.status_code == 202
    assert (redelivered.json()["status"], redelivered.json()["attempts"]) == ("pending", 0)
    assert (missing.status_code, missing.json()["code"]) == (404, "webhook_delivery_not_found")
