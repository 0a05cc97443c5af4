"""Search boxes match what was typed: ``%``, ``_`` and ``\\`` are text, not LIKE wildcards."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.e2e.pages_support import login
from tests.passwords import cheap_hashing

from newretail.db import Database

NAMES = {"percent": "Sale 50% off", "underscore": "Shop a_b", "backslash": "Back\\slash"}


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def world(database: Database) -> builders.BrandWorld:
    world = builders.brand_world(database)
    with database.transaction() as session:
        for name in NAMES.values():
            builders.store(session, world.brand.id, world.east.id, name=name)
            builders.product(session, world.brand.id, title=name)
    return world


def _names(client: TestClient, path: str, world: builders.BrandWorld, field: str) -> set[str]:
    response = client.get(path, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return {item[field] for item in response.json()["items"]}


@pytest.mark.parametrize(
    ("q", "found"),
    [("%", "percent"), ("_", "underscore"), ("\\", "backslash"), ("a_b", "underscore")],
)
def test_a_store_search_matches_wildcards_as_text(
    client: TestClient, world: builders.BrandWorld, q: str, found: str
) -> None:
    path = f"/api/v1/stores?q={q}&limit=200"
    assert _names(client, path, world, "name") == {NAMES[found]}


@pytest.mark.parametrize(
    ("q", "found"), [("%", "percent"), ("_", "underscore"), ("\\", "backslash")]
)
def test_a_product_search_matches_wildcards_as_text(
    client: TestClient, world: builders.BrandWorld, q: str, found: str
) -> None:
    path = f"/api/v1/products?q={q}&limit=200"
    assert _names(client, path, world, "title") == {NAMES[found]}


def test_a_search_ignores_case_but_not_wildcards(
    client: TestClient, world: builders.BrandWorld
) -> None:
    assert _names(client, "/api/v1/stores?q=SALE%2050%25", world, "name") == {NAMES["percent"]}
    assert _names(client, "/api/v1/stores?q=50_", world, "name") == set()


def test_the_console_store_search_matches_a_percent_sign_as_text(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    page = client.get("/console/stores", params={"q": "%"})
    assert page.status_code == 200
    assert NAMES["percent"] in page.text
    assert NAMES["underscore"] not in page.text
    assert world.east_store.name not in page.text
