"""Pages that used to break at some width: checked from element boxes at phone and desktop size.

A value squeezed to one character per line, two boxes on top of each other, or a value that
spills out of its box fails the page, whatever the text says.
"""

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests import member_builders as mb
from tests import order_builders
from tests.browser.live import App
from tests.browser.test_browser_console import log_in

from newretail.catalog.models import Product, Sku
from newretail.members import service as members_service

pytestmark = pytest.mark.browser
CHECK = (Path(__file__).parent / "layout_checks.js").read_text()
TEXT = ".facts dd, .facts dt, td, th, .page-title, .card__title, .table__sub"
WIDTHS = ((390, 844), (1440, 900))
LONG_TITLE = "女子修身高弹速干瑜伽训练长袖上衣 限定配色"


def faults(page: Any) -> list[str]:
    found: list[str] = page.evaluate(CHECK, TEXT)
    return found


def _context(browser: Any, width: int, height: int) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    return context


@pytest.fixture(scope="module")
def sale(app: App) -> dict[str, Any]:
    """A paid pickup order of a long-titled product by a bound member, with its ids."""
    database = app.server.database
    shop = order_builders.shop(database)
    with database.transaction() as session:
        product_id = session.scalar(select(Sku.product_id).where(Sku.id == shop.skus[0]))
        product = session.get(Product, product_id)
        assert product is not None
        product.title = LONG_TITLE
    consumer_id = mb.consumer(database, "13912345678")
    outcome = mb.scan(
        database, shop.world.brand.id, consumer_id, shop.store_id, shop.world.east_guide.id
    )
    with database.transaction() as session:
        members_service.set_consumer_name(
            session=session, consumer_id=consumer_id, display_name="欧阳思雨"
        )
    headers = shop.consumer_headers(consumer_id)
    with httpx.Client(base_url=app.url, headers=headers, timeout=10) as client:
        order = client.post("/api/v1/orders", json=order_builders.order_body(shop)).json()
        client.post(f"/api/v1/orders/{order['id']}/pay", json={}).raise_for_status()
    return {
        "shop": shop,
        "order_id": order["id"],
        "member_id": outcome.member_id,
        "product_id": product_id,
    }


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_console_order_member_and_product_pages_have_no_layout_faults(
    browser: Any, app: App, sale: dict[str, Any], width: int, height: int
) -> None:
    context = _context(browser, width, height)
    page = context.new_page()
    log_in(page, app, sale["shop"].world.admin)
    for path in (
        f"/console/orders/{sale['order_id']}",
        f"/console/members/{sale['member_id']}",
        f"/console/products/{sale['product_id']}",
    ):
        page.goto(app.url + path)
        expect(page.locator(".page-title")).to_be_visible()
        found = faults(page)
        assert found == [], (path, found)
    context.close()


def test_the_order_number_is_shown_at_title_size(
    browser: Any, app: App, sale: dict[str, Any]
) -> None:
    context = _context(browser, 1440, 900)
    page = context.new_page()
    log_in(page, app, sale["shop"].world.admin)
    page.goto(f"{app.url}/console/orders/{sale['order_id']}")
    size = page.get_by_test_id("order-number").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 20
    context.close()


def test_the_refund_form_obeys_the_pages_content_policy(
    browser: Any, app: App, sale: dict[str, Any]
) -> None:
    context = _context(browser, 1440, 900)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, app, sale["shop"].world.admin)
    page.goto(f"{app.url}/console/orders/{sale['order_id']}")
    expect(page.locator("form.order-refund").first).to_be_visible()
    assert page.locator("[style]").count() == 0
    assert refused == []
    context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_guides_member_page_has_no_layout_faults(
    browser: Any, app: App, sale: dict[str, Any], width: int, height: int
) -> None:
    context = _context(browser, width, height)
    page = context.new_page()
    log_in(page, app, sale["shop"].world.east_guide)
    page.goto(f"{app.url}/g/members/{sale['member_id']}")
    expect(page.locator(".page-title")).to_contain_text("欧阳思雨")
    assert faults(page) == []
    context.close()


def test_a_guides_share_link_opens_the_product_in_the_cloud_store(
    browser: Any, app: App, sale: dict[str, Any]
) -> None:
    context = _context(browser, 390, 844)
    page = context.new_page()
    log_in(page, app, sale["shop"].world.east_guide)
    page.goto(f"{app.url}/g/share?product={sale['product_id']}")
    url = page.locator("#share-url").input_value()
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_contain_text(LONG_TITLE)
    assert faults(page) == []
    context.close()
