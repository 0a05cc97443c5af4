"""The console home: the dashboard's figures and CSV downloads, by the caller's scope."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from tests import builders, dashboard_builders, order_builders
from tests.e2e.pages_support import login
from tests.passwords import cheap_hashing

from newretail.db import Database, utcnow
from newretail.kernel.reporting import day_bounds

pytestmark = pytest.mark.sqlite_only

EN = {"accept-language": "en"}
TODAY_SALES = re.compile(
    r'data-testid="figure-0">.*?data-period="today">.*?data-amount="(\d+)"', re.DOTALL
)
TODAY_ORDERS = re.compile(
    r'data-testid="figure-1">.*?data-period="today">.*?data-count="(\d+)"', re.DOTALL
)


@pytest.fixture(autouse=True)
def _cheap_passwords() -> Iterator[None]:
    with cheap_hashing():
        yield


def today_start(timezone: str = "Asia/Shanghai") -> datetime:
    return day_bounds(utcnow(), timezone, 1)[0]


def test_hq_s_figures_for_today_equal_the_orders_sums(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    for channel in ("cloud_store", "cloud_store", "online"):
        dashboard_builders.paid_order(database, shop, channel=channel)
    sums = dashboard_builders.sums_since(database, shop.world.brand.id, today_start())
    login(client, shop.world.admin)

    page = client.get("/console", headers=EN)

    assert page.status_code == 200
    assert TODAY_SALES.findall(page.text) == [str(sums.sales)]
    assert TODAY_ORDERS.findall(page.text) == [str(sums.orders)]
    assert sums.orders == 3
    assert 'id="chart-channels-data"' in page.text


def test_a_chart_s_csv_holds_the_rows_of_its_table(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    for channel in ("cloud_store", "online", "online"):
        dashboard_builders.paid_order(database, shop, channel=channel)
    sums = dashboard_builders.sums_since(database, shop.world.brand.id, today_start())
    login(client, shop.world.admin)

    response = client.get("/console/dashboard.csv?chart=channels&period=today", headers=EN)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert rows[0] == ["Channel", "Sales", "Orders"]
    expected = {
        "Online flagship": str(Decimal(sums.by_channel["online"]).scaleb(-2)),
        "Cloud store": str(Decimal(sums.by_channel["cloud_store"]).scaleb(-2)),
    }
    assert {row[0]: row[1] for row in rows[1:]} == expected
    assert {row[0]: row[2] for row in rows[1:]} == {"Online flagship": "2", "Cloud store": "1"}


def test_a_store_manager_sees_their_store_only(client: TestClient, database: Database) -> None:
    shop = order_builders.shop(database)
    dashboard_builders.paid_order(database, shop)
    with database.transaction() as session:
        role = {"role": "store_manager", "store_id": shop.world.west_store.id}
        west_manager = builders.staff(session, shop.world.brand.id, [role])
        session.refresh(west_manager)
        session.expunge_all()
    sums = dashboard_builders.sums_since(database, shop.world.brand.id, today_start())

    login(client, shop.world.east_store_manager)
    east = client.get("/console", headers=EN)
    login(client, west_manager)
    west = client.get("/console", headers=EN)

    assert TODAY_SALES.findall(east.text) == [str(sums.sales)]
    assert TODAY_SALES.findall(west.text) == ["0"]
    assert 'id="chart-channels-data"' not in west.text
    assert "No sales in this period yet" in west.text


@pytest.mark.parametrize("who", ["east_cashier", "east_guide"])
def test_staff_who_read_no_reports_land_on_the_stores(
    client: TestClient, database: Database, who: str
) -> None:
    world = builders.brand_world(database)
    login(client, getattr(world, who))

    home = client.get("/console", follow_redirects=False)
    csv_file = client.get("/console/dashboard.csv?chart=channels")

    assert home.status_code == 303
    assert home.headers["location"] == "/console/stores"
    assert csv_file.status_code == 403


def test_another_brand_s_dashboard_does_not_exist(client: TestClient, database: Database) -> None:
    world, other = builders.brand_world(database), builders.brand_world(database)
    login(client, world.admin)

    assert client.get(f"/console?brand={other.brand.id}").status_code == 404
    assert (
        client.get(f"/console/dashboard.csv?chart=daily&brand={other.brand.id}").status_code == 404
    )


def test_an_unknown_chart_or_period_is_handled(client: TestClient, database: Database) -> None:
    world = builders.brand_world(database)
    login(client, world.admin)

    assert client.get("/console/dashboard.csv?chart=nope").status_code == 404
    assert client.get("/console?period=forever").status_code == 200
    assert client.get("/console?period=" + "x" * 50).status_code == 422


def test_a_name_that_looks_like_a_formula_is_written_as_text(
    client: TestClient, database: Database
) -> None:
    shop = order_builders.shop(database)
    with database.transaction() as session:
        store = session.get(type(shop.world.east_store), shop.world.east_store.id)
        assert store is not None
        store.name = "=HYPERLINK(1)"
    dashboard_builders.paid_order(database, shop)
    login(client, shop.world.admin)

    response = client.get("/console/dashboard.csv?chart=stores&period=today", headers=EN)

    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")
