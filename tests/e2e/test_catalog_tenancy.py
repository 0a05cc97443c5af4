from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.passwords import cheap_hashing
from tests.tenancy import Victim, api_routes, walk

from newretail.catalog import products
from newretail.db import Database
from newretail.kernel.scope import SYSTEM

CATALOG_PREFIXES = (
    "/api/v1/categories",
    "/api/v1/products",
    "/api/v1/offers",
    "/api/v1/catalog/",
    "/api/v1/stores/{store_id}/catalog",
)


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def test_another_brands_admin_reaches_no_catalog_route_of_the_victim(
    client: TestClient, database: Database
) -> None:
    victim = Victim(builders.brand_world(database), database)
    attacker = builders.brand_world(database)
    assert walk(client, attacker.headers("admin"), victim, only=CATALOG_PREFIXES) == []


def test_the_walk_covers_every_catalog_route(client: TestClient) -> None:
    routes = {(r.method, r.path) for r in api_routes(client.app)}  # type: ignore[arg-type]
    catalog = {route for route in routes if route[1].startswith(CATALOG_PREFIXES)}
    assert len(catalog) == 21
    assert ("GET", "/api/v1/stores/{store_id}/catalog") in catalog


def test_the_walk_catches_a_catalog_route_whose_scoping_was_removed(
    client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = Victim(builders.brand_world(database), database)
    attacker = builders.brand_world(database)
    unscoped = products._brand_filter
    monkeypatch.setattr(
        products, "_brand_filter", lambda query, scope, column: unscoped(query, SYSTEM, column)
    )
    problems = walk(client, attacker.headers("admin"), victim, only=CATALOG_PREFIXES)
    assert any(p.startswith("GET /api/v1/products/{product_id} -> 200") for p in problems)
    assert any(p.startswith("GET /api/v1/products -> 200") for p in problems)
