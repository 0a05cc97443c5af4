from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests import builders, member_builders
from tests.integration.cloudstore.cloudworld import PEOPLES_SQUARE, add_store, cloud_world

from newretail.app import create_app
from newretail.auth import service as auth_service
from newretail.cloudstore import rules
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.org import service as org_service

LAT, LNG = PEOPLES_SQUARE


def test_the_home_page_is_public(client: TestClient, database: Database) -> None:
    world = cloud_world(database)
    response = client.get(f"/api/v1/cloudstores/{world.code}/home")
    assert response.status_code == 200
    body = response.json()
    assert body["store_code"] == world.code
    assert body["sections"]["store"]["data"]["open_now"] is True
    assert body["sections"]["best_sellers"] == {"data": []}
    assert body["sections"]["member"] == {"data": None}


def test_a_consumer_token_adds_their_own_part(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    member_id = member_builders.member(database, world)
    consumer_id = member_builders.consumer_of(database, member_id)
    token, _ = auth_service.issue_consumer_token(consumer_id=consumer_id)
    code = rules.public_code(world.brand.code, world.east_store.code)
    url = f"/api/v1/cloudstores/{code}/home"
    own = client.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    anonymous = client.get(url).json()
    assert own["sections"]["member"]["data"]["guide"]["id"] == world.east_guide.id
    assert anonymous["sections"]["member"]["data"] is None
    assert own["sections"]["guides"] == anonymous["sections"]["guides"]


def test_a_bad_token_is_refused_not_ignored(client: TestClient, database: Database) -> None:
    world = cloud_world(database)
    response = client.get(
        f"/api/v1/cloudstores/{world.code}/home", headers={"Authorization": "Bearer nonsense"}
    )
    assert response.status_code == 401


def test_without_the_cache_the_page_is_the_same(database: Database, settings: Settings) -> None:
    world = cloud_world(database)
    uncached = settings.model_copy(update={"home_cache": False})
    url = f"/api/v1/cloudstores/{world.code}/home"
    with TestClient(create_app(uncached, database)) as fresh_client:
        fresh = fresh_client.get(url).json()
    with TestClient(create_app(settings, database)) as cached_client:
        cached = cached_client.get(url).json()
    assert fresh["sections"] == cached["sections"]


def test_a_warehouse_has_no_home_page(client: TestClient, database: Database) -> None:
    world = cloud_world(database)
    _, warehouse = add_store(database, world, type="warehouse")
    response = client.get(f"/api/v1/cloudstores/{warehouse}/home")
    assert (response.status_code, response.json()["code"]) == (404, "cloudstore_not_found")


def test_a_closed_store_has_no_home_page(client: TestClient, database: Database) -> None:
    world = cloud_world(database)
    _, closed = add_store(database, world, status="closed")
    response = client.get(f"/api/v1/cloudstores/{closed}/home")
    assert (response.status_code, response.json()["code"]) == (404, "cloudstore_not_found")


def test_an_unknown_code_has_no_home_page(client: TestClient) -> None:
    response = client.get("/api/v1/cloudstores/NOBODY.S1/home")
    assert (response.status_code, response.json()["code"]) == (404, "cloudstore_not_found")


def test_nearby_is_public_and_not_taken_for_a_store_id(
    client: TestClient, database: Database
) -> None:
    world = cloud_world(database)
    _, near = add_store(database, world, lat=LAT + 0.009, lng=LNG)
    response = client.get("/api/v1/stores/nearby", params={"lat": LAT, "lng": LNG, "radius_km": 3})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["code"] for item in items] == [world.code, near]
    assert items[1]["distance_km"] == round(org_service.geodesic_km(LAT, LNG, LAT + 0.009, LNG), 3)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"lat": 91, "lng": 0}, "invalid_coordinates"),
        ({"lat": 0, "lng": 181}, "invalid_coordinates"),
        ({"lat": "nan", "lng": 0}, "invalid_coordinates"),
        ({"lat": 0, "lng": 0, "radius_km": 0}, "invalid_radius"),
        ({"lat": 0, "lng": 0, "radius_km": 101}, "invalid_radius"),
        ({"lat": 0, "lng": 0, "sku_id": 1}, "brand_required"),
        ({"lng": 0}, "invalid_input"),
        ({"lat": "north", "lng": 0}, "invalid_input"),
    ],
)
def test_nearby_refuses_bad_queries_with_a_code(
    client: TestClient, params: dict[str, object], code: str
) -> None:
    response = client.get("/api/v1/stores/nearby", params=params)
    assert (response.status_code, response.json()["code"]) == (422, code)


# ---- staff endpoints ------------------------------------------------------------------


def test_brand_admins_set_the_policy_and_managers_read_it(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    url = f"/api/v1/brands/{world.brand.id}/cloudstore"
    body = {"store_sourcing": "nearby", "nearby_radius_km": 3, "warehouse_sourcing": True}
    put = client.put(url, json=body, headers=world.headers("admin"))
    assert put.status_code == 200
    read = client.get(url, headers=world.headers("east_store_manager"))
    assert read.json() == {"brand_id": world.brand.id, **body}
    refused = client.put(url, json=body, headers=world.headers("east_store_manager"))
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


def test_the_policy_radius_is_bounded(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.put(
        f"/api/v1/brands/{world.brand.id}/cloudstore",
        json={"store_sourcing": "nearby", "nearby_radius_km": 500},
        headers=world.headers("admin"),
    )
    assert response.status_code == 422


def _activity(store_id: int | None) -> dict[str, object]:
    now = utcnow()
    return {
        "store_id": store_id,
        "title": "Autumn tasting",
        "image_url": "/static/autumn.jpg",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
    }


def test_a_store_manager_runs_activities_for_their_own_store_only(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    manager = world.headers("east_store_manager")
    own = client.post(
        "/api/v1/store-activities", json=_activity(world.east_store.id), headers=manager
    )
    assert own.status_code == 201
    other = client.post(
        "/api/v1/store-activities", json=_activity(world.west_store.id), headers=manager
    )
    assert other.status_code == 404
    brand_wide = client.post("/api/v1/store-activities", json=_activity(None), headers=manager)
    assert brand_wide.status_code == 403
    listed = client.get(
        "/api/v1/store-activities", params={"current": True}, headers=manager
    ).json()["items"]
    assert [a["id"] for a in listed] == [own.json()["id"]]


def test_a_guide_cannot_create_activities(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/store-activities",
        json=_activity(world.east_store.id),
        headers=world.headers("east_guide"),
    )
    assert response.status_code == 403


def test_hq_activities_show_on_every_store_home(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    created = client.post(
        "/api/v1/store-activities", json=_activity(None), headers=world.headers("admin")
    )
    assert created.status_code == 201
    code = rules.public_code(world.brand.code, world.west_store.code)
    home_page = client.get(f"/api/v1/cloudstores/{code}/home").json()
    assert [a["title"] for a in home_page["sections"]["activities"]["data"]] == ["Autumn tasting"]


def test_activity_windows_and_images_are_checked(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    backwards = _activity(world.east_store.id) | {"ends_at": "2020-01-01T00:00:00Z"}
    script = _activity(world.east_store.id) | {"image_url": "javascript:alert(1)"}
    for body in (backwards, script):
        response = client.post(
            "/api/v1/store-activities", json=body, headers=world.headers("admin")
        )
        assert response.status_code == 422
    created = client.post(
        "/api/v1/store-activities",
        json=_activity(world.east_store.id),
        headers=world.headers("admin"),
    ).json()
    patched = client.patch(
        f"/api/v1/store-activities/{created['id']}",
        json={"ends_at": "2020-01-01T00:00:00Z"},
        headers=world.headers("admin"),
    )
    assert (patched.status_code, patched.json()["code"]) == (422, "invalid_activity_window")


def test_featured_lists_are_replaced_whole(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session:
        product = builders.product(session, world.brand.id)
        sku_ids = [builders.sku(session, world.brand.id, product.id).id for _ in range(3)]
    url = f"/api/v1/stores/{world.east_store.id}/cloudstore/featured"
    headers = world.headers("east_store_manager")
    assert client.put(url, json={"sku_ids": sku_ids}, headers=headers).status_code == 200
    assert client.put(url, json={"sku_ids": sku_ids[1:]}, headers=headers).status_code == 200
    assert client.get(url, headers=headers).json()["sku_ids"] == sku_ids[1:]
    repeated = client.put(url, json={"sku_ids": [sku_ids[0]] * 2}, headers=headers)
    assert repeated.status_code == 422
    unknown = client.put(url, json={"sku_ids": [999999]}, headers=headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "sku_not_found")
