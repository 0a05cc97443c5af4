"""The guide's "my QR code" page: their badge, its image, its link and its counts."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders
from tests import code_builders as cb
from tests import member_builders as mb
from tests.e2e.pages_support import login, post_form
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.models import TouchpointCode

pytestmark = pytest.mark.sqlite_only

EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


@pytest.fixture
def world(database: Database) -> builders.BrandWorld:
    return builders.brand_world(database)


def _join(database: Database, code: str, phone: str) -> None:
    consumer_id = mb.consumer(database, phone)
    with database.transaction() as session:
        touchpoints_service.join(session=session, code=code, consumer_id=consumer_id)


def test_the_guide_sees_their_badge_with_its_link_and_counts(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    code = cb.badge(database, world.east_guide.id)
    client.get(f"/c/{code}", follow_redirects=False)
    client.cookies.clear()
    client.get(f"/c/{code}", follow_redirects=False)
    _join(database, code, "13811112222")
    login(client, world.east_guide)
    page = client.get("/g/code", headers=EN)
    assert page.status_code == 200
    assert f"data-code>{code}</strong>" in page.text
    assert f'value="http://testserver/c/{code}"' in page.text
    assert world.east_store.name in page.text
    assert page.text.count("<td data-scans>2</td>") == 2
    assert page.text.count("<td data-unique>2</td>") == 2
    assert page.text.count("<td data-joins>1</td>") == 2


def test_the_badge_image_is_the_qr_code_of_the_guide_s_own_badge(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    cb.badge(database, world.east_guide.id)
    login(client, world.east_guide)
    svg = client.get("/g/code.svg")
    png = client.get("/g/code.png")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<?xml")
    assert png.content.startswith(b"\x89PNG")
    assert "attachment" in png.headers["content-disposition"]


def test_a_guide_without_a_badge_makes_one_and_only_one(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.east_guide)
    before = client.get("/g/code", headers=EN)
    post_form(client, "/g/code", {})
    made = post_form(client, "/g/code", {})
    after = client.get("/g/code", headers=EN)
    with database.transaction(read_only=True) as session:
        badges = session.scalars(
            select(TouchpointCode.code).where(TouchpointCode.badge_guide_id == world.east_guide.id)
        ).all()
    assert "Make my QR code" in before.text
    assert made.headers["location"] == "/g/code"
    assert len(badges) == 1
    assert f"data-code>{badges[0]}</strong>" in after.text


def test_a_guide_sees_only_their_own_badge(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    other = mb.guide(database, world.brand.id, world.east_store.id)
    theirs = cb.badge(database, other.id)
    mine = cb.badge(database, world.east_guide.id)
    login(client, world.east_guide)
    page = client.get("/g/code", headers=EN)
    assert mine in page.text
    assert theirs not in page.text


def test_someone_who_is_not_a_guide_has_no_qr_code_page(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_store_manager)
    page = client.get("/g/code", headers=EN)
    image = client.get("/g/code.svg", headers=EN)
    assert (page.status_code, image.status_code) == (404, 404)


def test_the_workbench_links_to_my_qr_code(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.east_guide)
    page = client.get("/g", headers=EN)
    assert 'href="/g/code"' in page.text
