"""A platform admin picks a brand once in the header; the console's sections open in it."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import builders
from tests.e2e.pages_support import login, post_form
from tests.passwords import cheap_hashing

from newretail.db import Database

pytestmark = pytest.mark.sqlite_only

# The sections that answered 404 to a platform admin without ?brand= in the URL.
SECTIONS = [
    "/console/orders",
    "/console/members",
    "/console/binding-policy",
    "/console/rebind",
    "/console/codes",
    "/console/dunning",
    "/console/presales",
    "/console",
]


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_without_a_brand_asks_for_one_first(
    client: TestClient, database: Database, section: str
) -> None:
    builders.brand_world(database)
    login(client, builders.platform_admin(database))

    response = client.get(section, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/brands?next=")


@pytest.mark.parametrize("section", SECTIONS)
def test_after_picking_a_brand_every_section_opens_in_it(
    client: TestClient, database: Database, section: str
) -> None:
    world = builders.brand_world(database)
    login(client, builders.platform_admin(database))

    picked = post_form(client, "/console/brand", {"brand": str(world.brand.id), "next": section})
    moved = client.get(section, follow_redirects=False)
    opened = client.get(section)

    assert picked.status_code == 303
    assert moved.headers["location"] == f"{section}?brand={world.brand.id}"
    assert opened.status_code == 200
    assert f'<option value="{world.brand.id}" selected>' in opened.text


def test_switching_brands_opens_the_same_section_of_the_other_brand(
    client: TestClient, database: Database
) -> None:
    first, second = builders.brand_world(database), builders.brand_world(database)
    login(client, builders.platform_admin(database))

    picked = post_form(
        client,
        "/console/brand",
        {"brand": str(second.brand.id), "next": f"/console/orders/1?brand={first.brand.id}"},
    )

    assert picked.headers["location"] == f"/console/orders?brand={second.brand.id}"


def test_a_new_session_does_not_inherit_the_brand(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    admin = builders.platform_admin(database)
    login(client, admin)
    post_form(client, "/console/brand", {"brand": str(world.brand.id), "next": "/console"})
    client.cookies.delete("nr_session")
    login(client, admin)

    response = client.get("/console/members", follow_redirects=False)

    assert response.headers["location"].startswith("/console/brands?next=")


def test_brand_staff_cannot_pick_a_brand_and_see_no_picker(
    client: TestClient, database: Database
) -> None:
    world, other = builders.brand_world(database), builders.brand_world(database)
    login(client, world.admin)

    refused = post_form(client, "/console/brand", {"brand": str(other.brand.id), "next": "/"})
    page = client.get("/console/members")

    assert refused.status_code == 403
    assert 'data-testid="brand-picker"' not in page.text
    assert client.get("/console/brands").status_code == 403


@pytest.mark.parametrize(
    ("value", "status"), [("999999", 404), ("abc", 422), ("", 422), ("1" * 30, 422)]
)
def test_a_brand_that_does_not_exist_is_refused(
    client: TestClient, database: Database, value: str, status: int
) -> None:
    builders.brand_world(database)
    login(client, builders.platform_admin(database))

    response = post_form(client, "/console/brand", {"brand": value, "next": "/console"})

    assert response.status_code == status
    assert "nr_brand" not in response.headers.get("set-cookie", "")
