from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders

from newretail.db import Database
from newretail.org.models import Region, Store
from newretail.outbox.models import OutboxEvent


def _store_body(world: builders.BrandWorld, **fields: Any) -> dict[str, Any]:
    return {
        "region_id": world.east.id,
        "code": "SH-001",
        "name": "静安嘉里中心店",
        "type": "direct",
        "lat": 31.2243,
        "lng": 121.4462,
        "opening_hours": {"mon": [["10:00", "22:00"]]},
        **fields,
    }


def _count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_creating_a_store_writes_a_store_created_event(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/stores", json=_store_body(world), headers=world.headers("admin")
    )
    assert response.status_code == 201, response.text
    with database.transaction(read_only=True) as session:
        types = list(
            session.scalars(
                select(OutboxEvent.type).where(
                    OutboxEvent.resource_type == "store",
                    OutboxEvent.resource_id == str(response.json()["id"]),
                )
            )
        )
    assert types == ["store.created"]


def test_a_store_code_used_twice_in_a_brand_is_a_conflict(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("admin")
    client.post("/api/v1/stores", json=_store_body(world), headers=headers)
    stores_before = _count(database, Store)
    response = client.post("/api/v1/stores", json=_store_body(world), headers=headers)
    assert (response.status_code, response.json()["code"]) == (409, "store_code_taken")
    assert _count(database, Store) == stores_before


def test_the_same_store_code_is_fine_in_another_brand(
    client: TestClient, database: Database
) -> None:
    first, second = builders.brand_world(database), builders.brand_world(database)
    assert (
        client.post(
            "/api/v1/stores", json=_store_body(first), headers=first.headers("admin")
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/stores", json=_store_body(second), headers=second.headers("admin")
        ).status_code
        == 201
    )


def test_bad_store_input_gets_a_clear_422(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    headers = world.headers("admin")
    events_before = _count(database, OutboxEvent)
    cases = [
        _store_body(world, lat=91),
        _store_body(world, lng="east"),
        _store_body(world, name="x" * 201),
        _store_body(world, unknown_field=1),
        _store_body(world, type="kiosk"),
        _store_body(world, timezone="Mars/Olympus"),
        _store_body(world, opening_hours={"mon": [["22:00", "10:00"], ["09:00", "11:00"]]}),
        {k: v for k, v in _store_body(world).items() if k != "code"},
    ]
    for body in cases:
        response = client.post("/api/v1/stores", json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input"), body
    assert _count(database, OutboxEvent) == events_before


def test_malformed_json_is_a_422_not_a_500(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/stores",
        content=b"{not json",
        headers={**world.headers("admin"), "Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_a_region_cannot_be_moved_under_its_own_descendant(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = client.patch(
        f"/api/v1/regions/{world.hq.id}",
        json={"parent_id": world.east.id},
        headers=world.headers("admin"),
    )
    assert (response.status_code, response.json()["code"]) == (422, "region_cycle")
    with database.transaction(read_only=True) as session:
        assert session.get(Region, world.hq.id).parent_id is None  # type: ignore[union-attr]


def test_a_region_with_stores_cannot_be_deleted(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    response = client.delete(f"/api/v1/regions/{world.east.id}", headers=world.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (409, "region_not_empty")


def test_a_region_manager_sees_only_the_subtree(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    headers = world.headers("east_manager")
    stores = client.get("/api/v1/stores", headers=headers).json()["items"]
    assert [s["id"] for s in stores] == [world.east_store.id]
    assert client.get(f"/api/v1/stores/{world.west_store.id}", headers=headers).status_code == 404
    regions = client.get("/api/v1/regions", headers=headers).json()["items"]
    assert [r["id"] for r in regions] == [world.east.id]


def test_a_region_manager_cannot_create_a_top_level_region(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    response = client.post(
        "/api/v1/regions",
        json={"code": "ROOT2", "name": "Second HQ"},
        headers=world.headers("east_manager"),
    )
    assert (response.status_code, response.json()["code"]) == (422, "region_parent_required")


def test_a_store_manager_edits_own_store_but_cannot_move_it(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("east_store_manager")
    url = f"/api/v1/stores/{world.east_store.id}"
    assert client.patch(url, json={"name": "新名字"}, headers=headers).json()["name"] == "新名字"
    moved = client.patch(url, json={"region_id": world.west.id}, headers=headers)
    assert moved.status_code == 403


def test_store_list_filters_by_region_subtree_and_pages_with_a_cursor(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    headers = world.headers("admin")
    for n in range(3):
        client.post("/api/v1/stores", json=_store_body(world, code=f"E{n}"), headers=headers)
    first = client.get(f"/api/v1/stores?region_id={world.hq.id}&limit=3", headers=headers).json()
    second = client.get(
        f"/api/v1/stores?region_id={world.hq.id}&limit=3&cursor={first['next_cursor']}",
        headers=headers,
    ).json()
    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    bad = client.get("/api/v1/stores?cursor=%%%", headers=headers)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_cursor")


def test_districts_are_shared_but_only_the_platform_writes_them(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    platform = {"Authorization": f"Bearer {builders.token(builders.platform_admin(database))}"}
    body = {
        "code": "JINGAN",
        "name": "静安寺商圈",
        "city": "上海",
        "lat": 31.2236,
        "lng": 121.4454,
        "polygon": [[31.22, 121.44], [31.23, 121.44], [31.23, 121.45]],
    }
    created = client.post("/api/v1/districts", json=body, headers=platform)
    assert created.status_code == 201
    assert client.get("/api/v1/districts", headers=world.headers("admin")).json()["items"]
    denied = client.post(
        "/api/v1/districts", json={**body, "code": "X"}, headers=world.headers("admin")
    )
    assert denied.status_code == 403
    bad = client.post(
        "/api/v1/districts", json={**body, "code": "Y", "polygon": [[95, 1]] * 3}, headers=platform
    )
    assert bad.status_code == 422
