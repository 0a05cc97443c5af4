from fastapi.testclient import TestClient
from tests import builders

from newretail.db import Database


def test_brand_admin_logs_in_and_lists_own_stores(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/auth/token",
        json={"username": world.admin.username, "password": builders.PASSWORD},
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    stores = client.get("/api/v1/stores", headers={"Authorization": f"Bearer {token}"}).json()
    assert {s["id"] for s in stores["items"]} == {world.east_store.id, world.west_store.id}
