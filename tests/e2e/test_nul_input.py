"""A NUL character in any text is refused at the door with a clear 422, on the API and pages.

No database stores NUL in text: before this check PostgreSQL refused it deep in a query and
the caller got a puzzling "out of range".
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders
from tests.e2e.pages_support import csrf_of, login, post_form
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.org.models import Region

NUL = "\x00"


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def world(database: Database) -> builders.BrandWorld:
    return builders.brand_world(database)


def _refused(response: Any, where: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] in {"invalid_input", "nul_character"}
    assert body["detail"].startswith(f"{where}: ")
    assert "NUL character" in body["detail"]


def test_a_nul_in_a_created_regions_name_is_refused(
    client: TestClient, world: builders.BrandWorld
) -> None:
    body = {"parent_id": world.hq.id, "code": "N1", "name": f"North{NUL}"}
    response = client.post("/api/v1/regions", json=body, headers=world.headers("admin"))
    _refused(response, "body.name")


def test_a_nul_inside_a_nested_value_is_refused(
    client: TestClient, world: builders.BrandWorld
) -> None:
    body = {"code": "P1", "title": "Shirt", "specs": {f"material{NUL}": "linen"}}
    response = client.post("/api/v1/products", json=body, headers=world.headers("admin"))
    _refused(response, "body.specs")


def test_a_nul_in_a_phone_for_sign_in_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/consumers/otp", json={"phone": f"139{NUL}12345678"})
    _refused(response, "body.phone")


def test_a_nul_in_a_search_parameter_is_refused(
    client: TestClient, world: builders.BrandWorld
) -> None:
    response = client.get("/api/v1/stores?q=a%00b", headers=world.headers("admin"))
    _refused(response, "q")
    assert response.json()["code"] == "nul_character"


def test_a_nul_in_a_path_parameter_is_refused(
    client: TestClient, world: builders.BrandWorld
) -> None:
    response = client.get("/api/v1/codes/AB%00CD", headers=world.headers("admin"))
    _refused(response, "code")


def test_a_nul_in_an_exact_phone_lookup_is_refused(
    client: TestClient, world: builders.BrandWorld
) -> None:
    response = client.get("/api/v1/consumers?phone=139%00", headers=world.headers("admin"))
    _refused(response, "phone")


def test_a_nul_in_a_json_catalog_import_is_refused(
    client: TestClient, world: builders.BrandWorld
) -> None:
    content = b'[{"code": "P1", "title": "Shirt\\u0000"}]'
    response = client.post(
        "/api/v1/catalog/imports",
        files={"file": ("products.json", content, "application/json")},
        data={"kind": "products"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 422, response.text
    assert "NUL character" in response.json()["detail"]


def test_a_nul_in_a_console_search_gets_an_error_page(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.admin)
    response = client.get("/console?q=%00")
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "NUL" in response.text


def test_a_nul_in_a_posted_form_gets_an_error_page_and_changes_nothing(
    client: TestClient, world: builders.BrandWorld, database: Database
) -> None:
    login(client, world.admin)
    fields = {"code": "N1", "name": f"North{NUL}", "parent_id": str(world.hq.id)}
    response = post_form(client, "/console/regions/new", fields)
    assert response.status_code == 422
    assert "NUL" in response.text
    with database.transaction(read_only=True) as session:
        # (not the console's page text: its random tokens may hold "N1")
        assert session.scalar(select(Region.id).where(Region.code == "N1")) is None


def test_a_nul_in_the_login_form_gets_an_error_page(
    client: TestClient, world: builders.BrandWorld
) -> None:
    token = csrf_of(client)
    fields = {"username": f"ad{NUL}min", "password": "x", "csrf_token": token}
    response = client.post("/login", data=fields, follow_redirects=False)
    assert response.status_code == 422
    assert "NUL" in response.text
