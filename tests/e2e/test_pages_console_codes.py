"""The console's touchpoint codes screen: listing in scope, making, switching off, sheets."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests import builders, order_builders, presale_builders
from tests import code_builders as cb
from tests.e2e.pages_support import login, post_form
from tests.integration.orders.flash import consumer_scope
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
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


def _codes_of(database: Database, store_id: int) -> list[tuple[str, str, str, bool]]:
    with database.transaction(read_only=True) as session:
        rows = session.execute(
            select(
                TouchpointCode.code,
                TouchpointCode.placement,
                TouchpointCode.campaign,
                TouchpointCode.is_active,
            )
            .where(TouchpointCode.store_id == store_id)
            .order_by(TouchpointCode.id)
        ).all()
    return [tuple(row) for row in rows]


def test_a_store_manager_sees_only_their_store_s_codes(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    mine = cb.code(database, world.east_store.id)
    other_store = cb.code(database, world.west_store.id)
    other_brand = cb.code(database, builders.brand_world(database).east_store.id)
    login(client, world.east_store_manager)
    page = client.get("/console/codes", headers=EN)
    assert page.status_code == 200
    assert f'data-code="{mine}"' in page.text
    assert other_store not in page.text
    assert other_brand not in page.text


def test_the_list_shows_each_code_s_scans_and_scanners(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    code = cb.code(database, world.east_store.id)
    for _ in range(3):
        client.get(f"/c/{code}", follow_redirects=False)
    login(client, world.east_store_manager)
    page = client.get("/console/codes", headers=EN)
    assert '<td data-label="Scans" class="table__num" data-scans>3</td>' in page.text
    assert '<td data-label="Scanners" class="table__num" data-unique>1</td>' in page.text


def test_the_list_filters_by_placement_and_activity(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    shelf = cb.code(database, world.east_store.id, "shelf_tag")
    poster = cb.code(database, world.east_store.id, "poster", campaign="Spring")
    login(client, world.admin)
    posters = client.get("/console/codes?placement=poster", headers=EN)
    spring = client.get("/console/codes?campaign=Spring", headers=EN)
    off = client.get("/console/codes?active=no", headers=EN)
    assert (poster in posters.text, shelf in posters.text) == (True, False)
    assert (poster in spring.text, shelf in spring.text) == (True, False)
    assert "No code matches" in off.text


def test_a_manager_makes_codes_in_bulk_for_a_store(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.east_store_manager)
    made = post_form(
        client,
        "/console/codes",
        {
            "store": str(world.east_store.id),
            "placement": "floor_sticker",
            "count": "3",
            "campaign": "Summer",
            "target": "",
            "product_id": "",
        },
    )
    page = client.get(made.headers["location"], headers=EN)
    codes = _codes_of(database, world.east_store.id)
    assert made.status_code == 303
    assert [(p, c, a) for _, p, c, a in codes] == [("floor_sticker", "Summer", True)] * 3
    assert f"3 codes were made for {world.east_store.name}." in page.text


def test_making_codes_for_another_store_or_too_many_is_refused(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    login(client, world.east_store_manager)
    other = post_form(
        client,
        "/console/codes",
        {"store": str(world.west_store.id), "placement": "shelf_tag", "count": "2"},
    )
    too_many = post_form(
        client,
        "/console/codes",
        {"store": str(world.east_store.id), "placement": "shelf_tag", "count": "500"},
    )
    assert other.status_code == 404
    assert too_many.status_code == 422
    assert 'id="count-error"' in too_many.text
    assert _codes_of(database, world.west_store.id) == []
    assert _codes_of(database, world.east_store.id) == []


def test_a_manager_switches_a_code_off_and_on_again(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    code = cb.code(database, world.east_store.id)
    login(client, world.east_store_manager)
    off = post_form(client, f"/console/codes/{code}/active", {"active": "no", "next": "/x?y=1"})
    after_off = _codes_of(database, world.east_store.id)[0][3]
    post_form(client, f"/console/codes/{code}/active", {"active": "yes"})
    assert (off.status_code, off.headers["location"]) == (303, "/x?y=1")
    assert (after_off, _codes_of(database, world.east_store.id)[0][3]) == (False, True)


def test_another_brand_s_code_is_not_found(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    theirs = builders.brand_world(database)
    code = cb.code(database, theirs.east_store.id)
    login(client, world.admin)
    switched = post_form(client, f"/console/codes/{code}/active", {"active": "no"})
    image = client.get(f"/console/codes/{code}.svg")
    sheet = client.get(f"/console/codes/sheet?store={theirs.east_store.id}")
    assert (switched.status_code, image.status_code, sheet.status_code) == (404, 404, 404)
    assert _codes_of(database, theirs.east_store.id)[0][3] is True


def test_a_store_manager_downloads_their_store_s_print_sheet_only(
    client: TestClient, database: Database, world: builders.BrandWorld
) -> None:
    cb.code(database, world.east_store.id)
    login(client, world.east_store_manager)
    mine = client.get(f"/console/codes/sheet?store={world.east_store.id}")
    other = client.get(f"/console/codes/sheet?store={world.west_store.id}")
    assert mine.headers["content-type"] == "application/pdf"
    assert mine.content.startswith(b"%PDF-")
    assert "attachment" in mine.headers["content-disposition"]
    assert other.status_code == 404


def test_the_console_navigation_links_to_codes_for_managers_only(
    client: TestClient, world: builders.BrandWorld
) -> None:
    login(client, world.east_store_manager)
    manager = client.get("/console", headers=EN)
    client.cookies.clear()
    login(client, world.east_cashier)
    cashier = client.get("/console", headers=EN)
    refused = client.get("/console/codes", headers=EN)
    assert 'href="/console/codes"' in manager.text
    assert 'href="/console/codes"' not in cashier.text
    assert refused.status_code == 403


def test_the_list_shows_each_code_s_orders_buyers_and_net_sales(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database, prices=[10_000])
    code = cb.code(database, shop.store_id)
    data = OrderCreate.model_validate(order_builders.order_body(shop, touchpoint_code=code))
    with database.transaction() as session:
        scope = consumer_scope(order_builders.consumer(database))
        payments_service.purchase(session=session, scope=scope, data=data, payment=PaymentCreate())
    presale_builders.dispatch(database)
    login(client, shop.world.east_store_manager)
    page = client.get("/console/codes", headers=EN)
    assert 'data-orders="1"' in page.text
    assert 'data-buyers="1">Buyers: 1</span>' in page.text
    assert 'data-sales="10000"' in page.text
