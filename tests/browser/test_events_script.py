"""The cloud store's event script in a real browser: views and adds to cart arrive as events
of the store, under the visitor's first-party anonymous id."""

import time
from typing import Any

import pytest
from sqlalchemy import select
from tests import order_builders
from tests.browser.live import App

from newretail.analytics.events.models import AnalyticsEvent
from newretail.catalog.models import Sku
from newretail.db import Database

pytestmark = pytest.mark.browser


def _events(database: Database, wanted: int) -> list[Any]:
    """The events kept so far, waiting (boundedly) for the browser's beacons to land."""
    deadline = time.monotonic() + 10
    while True:
        with database.transaction(read_only=True) as session:
            rows = session.execute(
                select(
                    AnalyticsEvent.event,
                    AnalyticsEvent.store_id,
                    AnalyticsEvent.anonymous_id,
                    AnalyticsEvent.properties,
                ).order_by(AnalyticsEvent.id)
            ).all()
        if len(rows) >= wanted or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_a_visitors_view_and_add_to_cart_arrive_under_one_anonymous_id(app: App, page: Any) -> None:
    database = app.server.database
    shop = order_builders.shop(database)
    with database.transaction(read_only=True) as session:
        product_id = session.scalar(select(Sku.product_id).where(Sku.id == shop.skus[0]))
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"

    page.goto(f"{base}/p/{product_id}?sku={shop.skus[0]}")
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()
    rows = _events(database, 2)
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "nr_aid")

    assert sorted(r.event for r in rows) == ["Product Added", "Product Viewed"]
    assert {r.store_id for r in rows} == {shop.world.east_store.id}
    assert {r.anonymous_id for r in rows} == {cookie}
    assert all(r.properties["product_id"] == product_id for r in rows)
