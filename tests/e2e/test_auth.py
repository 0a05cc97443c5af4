from fastapi.testclient import TestClient
from tests import builders

from newretail.db import Database


def _login(client: TestClient, username: str, password: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    return {"status": response.status_code, **response.json()}


def test_wrong_password_is_refused_with_a_code(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    result = _login(client, world.admin.username, "wrong-password")
    assert (result["status"], result["code"]) == (401, "bad_credentials")


def test_repeated_failures_slow_down_even_the_right_password(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    for _ in range(5):
        _login(client, world.admin.username, "wrong-password")
    response = client.post(
        "/api/v1/auth/token",
        json={"username": world.admin.username, "password": builders.PASSWORD},
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) >= 1


def test_a_token_stops_working_when_its_brand_is_deleted(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    platform = builders.platform_admin(database)
    headers = world.headers("admin")
    assert client.get("/api/v1/stores", headers=headers).status_code == 200
    deleted = client.delete(
        f"/api/v1/brands/{world.brand.id}",
        headers={"Authorization": f"Bearer {builders.token(platform)}"},
    )
    assert deleted.status_code == 204
    response = client.get("/api/v1/stores", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "brand_deleted")


def test_garbage_and_missing_tokens_are_401(client: TestClient) -> None:
    assert client.get("/api/v1/stores").json()["code"] == "invalid_token"
    bad = client.get("/api/v1/stores", headers={"Authorization": "Bearer not.a.token"})
    assert (bad.status_code, bad.json()["code"]) == (401, "invalid_token")


def test_api_key_is_shown_once_works_and_can_be_revoked(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    created = client.post(
        "/api/v1/api-keys", json={"name": "ERP"}, headers=world.headers("admin")
    ).json()
    key_headers = {"Authorization": f"Bearer {created['key']}"}
    stores = client.get("/api/v1/stores", headers=key_headers)
    assert stores.status_code == 200
    listed = client.get("/api/v1/api-keys", headers=world.headers("admin")).json()["items"]
    assert "key" not in listed[0]
    assert listed[0]["prefix"] in created["key"]
    revoked = client.delete(f"/api/v1/api-keys/{created['id']}", headers=world.headers("admin"))
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/stores", headers=key_headers).status_code == 401


def test_only_brand_admins_create_api_keys(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/api-keys", json={"name": "x"}, headers=world.headers("east_store_manager")
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_role_changes_and_key_creation_are_audited(client: TestClient, database: Database) -> None:
    from sqlalchemy import select

    from newretail.audit.models import AuditEntry

    world = builders.brand_world(database)
    headers = world.headers("admin")
    client.post("/api/v1/api-keys", json={"name": "ERP"}, headers=headers)
    client.put(
        f"/api/v1/staff/{world.east_guide.id}/roles",
        json={"roles": [{"role": "cashier", "store_id": world.east_store.id}]},
        headers=headers,
    )
    with database.transaction(read_only=True) as session:
        actions = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == world.admin.id))
        )
    assert {"api_key.created", "staff.roles_changed"} <= actions


def test_store_manager_may_hire_a_guide_for_own_store_only(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("east_store_manager")
    body = {
        "username": "new.guide",
        "display_name": "新导购",
        "password": "long-enough-pw",
        "roles": [{"role": "guide", "store_id": world.east_store.id}],
    }
    assert client.post("/api/v1/staff", json=body, headers=headers).status_code == 201
    body = {
        **body,
        "username": "other.guide",
        "roles": [{"role": "guide", "store_id": world.west_store.id}],
    }
    assert client.post("/api/v1/staff", json=body, headers=headers).status_code == 404
    body = {**body, "username": "boss", "roles": [{"role": "brand_admin"}]}
    assert client.post("/api/v1/staff", json=body, headers=headers).status_code == 403


def test_staff_who_left_cannot_log_in(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    client.patch(
        f"/api/v1/staff/{world.east_guide.id}",
        json={"is_active": False},
        headers=world.headers("admin"),
    )
    result = _login(client, world.east_guide.username, builders.PASSWORD)
    assert (result["status"], result["code"]) == (401, "account_inactive")
