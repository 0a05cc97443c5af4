"""A member's page, on the guide's workbench and in the console, lists the member's orders,
returns and scans across channels, newest first, a page at a time, in the reader's words."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests import code_builders, order_builders, return_builders
from tests import member_builders as mb
from tests.e2e.pages_support import login
from tests.passwords import cheap_hashing

from newretail.db import Database
from newretail.orders.models import Order
from newretail.touchpoints import service as touchpoints_service
from newretail.web import member_pages

pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def _number(database: Database, order_id: int) -> str:
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.number


def _activity(text: str) -> str:
    start = text.index('data-section="activity"')
    return text[start : text.index("</section>", start)]


def test_a_members_orders_returns_and_scans_show_newest_first(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    member_id = mb.member(database, world)
    code = code_builders.code(database, shop.store_id)
    with database.transaction() as session:
        touchpoints_service.scan(
            session=session, code=code, consumer_id=mb.consumer_of(database, member_id)
        )
    first = return_builders.received_order(database, shop, member_id=member_id)
    line, _ = return_builders.line_ids(database, first)
    second = return_builders.received_order(database, shop, member_id=member_id, channel="pos")
    record = return_builders.take_back(
        database, shop, first, shop.store_id, lines=[{"order_line_id": line, "quantity": 1}]
    )
    login(client, world.east_guide)
    guide_page = _activity(client.get(f"/g/members/{member_id}").text)
    login(client, world.east_store_manager)
    console_page = _activity(client.get(f"/console/members/{member_id}").text)
    positions = [
        guide_page.index(record.number),
        guide_page.index(_number(database, second)),
        guide_page.rindex(_number(database, first)),  # the return names it first
        guide_page.index(code),
    ]
    assert positions == sorted(positions)
    assert "门店收银" in guide_page and "云店" in guide_page and "退货" in guide_page
    assert "cloud_store" not in guide_page
    assert _number(database, second) in console_page


def test_a_long_history_pages_to_older_entries(
    client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(member_pages, "ACTIVITY_PAGE", 2)
    shop = order_builders.shop(database)
    member_id = mb.member(database, shop.world)
    orders = [return_builders.received_order(database, shop, member_id=member_id) for _ in range(3)]
    login(client, shop.world.east_store_manager)
    newest = client.get(f"/console/members/{member_id}")
    older_url = newest.text.split('data-testid="history-older"')[0].rsplit('href="', 1)[1]
    older = client.get(older_url.split('"')[0].replace("&amp;", "&"))
    assert _number(database, orders[0]) not in _activity(newest.text)
    assert _number(database, orders[0]) in _activity(older.text)
    assert _number(database, orders[2]) not in _activity(older.text)
    assert 'data-testid="history-newest"' in older.text
