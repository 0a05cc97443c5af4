import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.tenancy import Victim, api_routes, walk

from newretail.db import Database
from newretail.org import service as org_service


def _attacker_key_headers(client: TestClient, world: builders.BrandWorld) -> dict[str, str]:
    key = client.post("/api/v1/api-keys", json={"name": "attacker"}, headers=world.headers("admin"))
    return {"Authorization": f"Bearer {key.json()['key']}"}


def test_another_brand_admin_can_reach_nothing_of_the_victim(
    client: TestClient, database: Database
) -> None:
    victim = Victim(builders.brand_world(database), database)
    attacker = builders.brand_world(database)
    assert walk(client, attacker.headers("admin"), victim) == []


def test_another_brand_integration_key_can_reach_nothing_of_the_victim(
    client: TestClient, database: Database
) -> None:
    victim = Victim(builders.brand_world(database), database)
    attacker = builders.brand_world(database)
    assert walk(client, _attacker_key_headers(client, attacker), victim) == []


def test_the_walk_covers_every_api_route(client: TestClient) -> None:
    paths = {route.path for route in api_routes(client.app)}  # type: ignore[arg-type]
    assert {"/api/v1/stores/{store_id}", "/api/v1/staff/{staff_id}/roles"} <= paths


def test_the_walk_catches_a_route_whose_scoping_was_removed(
    client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = Victim(builders.brand_world(database), database)
    attacker = builders.brand_world(database)
    unscoped = org_service._store_query
    monkeypatch.setattr(
        org_service, "_store_query", lambda scope: unscoped(builders_platform_scope())
    )
    problems = walk(client, attacker.headers("admin"), victim, only=("/api/v1/stores",))
    assert any(p.startswith("GET /api/v1/stores/{store_id} -> 200") for p in problems)
    assert any(p.startswith("GET /api/v1/stores -> 200") for p in problems)


def builders_platform_scope():  # type: ignore[no-untyped-def]
    from newretail.kernel.scope import SYSTEM

    return SYSTEM
