"""The cloud store as a shop: the tab bar, search and the "me" page, at phone and desktop size."""

from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests import builders, order_builders
from tests.browser.live import App
from tests.browser.test_browser_layouts import faults

from newretail.catalog.models import Product, Sku

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def store(app: App) -> dict[str, Any]:
    """A store selling one product (two SKUs) filed under a category, and its base URL."""
    database = app.server.database
    shop = order_builders.shop(database)
    with database.transaction() as session:
        product_id = session.scalar(select(Sku.product_id).where(Sku.id == shop.skus[0]))
        product = session.get(Product, product_id)
        assert product is not None
        top = builders.category(session, shop.world.brand.id, name="女装上衣")
        builders.category(session, shop.world.brand.id, parent_id=top.id, name="长袖T恤")
        product.category_id = top.id
        product.title = "速干瑜伽长袖上衣"
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    return {"shop": shop, "base": base, "product_id": product_id, "category_id": top.id}


def _page(browser: Any, viewport: dict[str, int], locale: str = "en-US") -> Any:
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


def _add(page: Any, base: str, product_id: int, sku_id: int) -> None:
    page.goto(f"{base}/p/{product_id}?sku={sku_id}")
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()


def _box(page: Any, testid: str) -> dict[str, float]:
    box: dict[str, float] = page.get_by_test_id(testid).bounding_box()
    return box


def test_the_tab_bar_sits_at_the_bottom_of_a_phone_and_counts_the_carts_units(
    browser: Any, store: dict[str, Any]
) -> None:
    page = _page(browser, PHONE)
    base, shop = store["base"], store["shop"]
    page.goto(base)
    expect(page.get_by_test_id("tab-home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("cart-count")).to_have_count(0)
    bar = _box(page, "tabbar")
    assert bar["y"] + bar["height"] == PHONE["height"]
    _add(page, base, store["product_id"], shop.skus[0])
    _add(page, base, store["product_id"], shop.skus[0])
    _add(page, base, store["product_id"], shop.skus[1])
    expect(page.get_by_test_id("tab-cart")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("cart-count")).to_have_text("3")
    page.goto(f"{base}/p/{store['product_id']}?sku={shop.skus[0]}")
    expect(page.get_by_test_id("cart-count")).to_have_text("3")
    buy, bar = page.locator(".buybar").bounding_box(), _box(page, "tabbar")
    assert buy["y"] + buy["height"] <= bar["y"]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    foot = page.locator(".store-foot p").bounding_box()
    assert foot["y"] + foot["height"] <= buy["y"]
    page.get_by_test_id("tab-categories").click()
    expect(page.get_by_test_id("tab-categories")).to_have_attribute("aria-current", "page")
    page.get_by_test_id("category").filter(has_text="女装上衣").click()
    expect(page.get_by_test_id("product")).to_have_count(1)
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP])
def test_the_shop_pages_have_no_layout_faults(
    browser: Any, store: dict[str, Any], viewport: dict[str, int]
) -> None:
    page = _page(browser, viewport, "zh-CN")
    base, shop = store["base"], store["shop"]
    _add(page, base, store["product_id"], shop.skus[0])
    for path in ("", "/categories", f"/c/{store['category_id']}", "/cart"):
        page.goto(base + path)
        expect(page.get_by_test_id("tabbar")).to_be_visible()
        assert faults(page) == [], path
    page.context.close()


def test_search_finds_this_stores_products_by_title_and_matches_wildcards_as_text(
    browser: Any, store: dict[str, Any]
) -> None:
    page = _page(browser, PHONE)
    base = store["base"]
    page.goto(base)
    page.get_by_role("searchbox", name="Search this store").fill("瑜伽")
    with page.expect_navigation():
        page.get_by_role("searchbox", name="Search this store").press("Enter")
    expect(page.get_by_test_id("results").get_by_test_id("product")).to_have_count(1)
    expect(page.get_by_test_id("product")).to_have_attribute(
        "data-product", str(store["product_id"])
    )
    assert faults(page) == []
    for wildcard in ("%", "_", "瑜%衣"):
        page.goto(f"{base}/search?q={quote(wildcard)}")
        expect(page.get_by_test_id("result-count")).to_have_text("0 products")
    page.context.close()


def test_a_search_with_a_nul_or_too_long_is_refused_with_a_message(
    browser: Any, store: dict[str, Any]
) -> None:
    page = _page(browser, PHONE)
    response = page.goto(f"{store['base']}/search?q={quote('长' * 61)}")
    assert response.status == 422
    expect(page.get_by_test_id("search-error")).to_contain_text("at most 60 characters")
    expect(page.get_by_test_id("tabbar")).to_be_visible()
    response = page.goto(f"{store['base']}/search?q={quote('a' + chr(0) + 'b')}")
    assert response.status == 422
    expect(page.get_by_role("main")).to_contain_text("NUL")
    page.context.close()


def test_a_products_first_image_shows_on_its_tile(
    browser: Any, app: App, store: dict[str, Any]
) -> None:
    with app.server.database.transaction() as session:
        product = session.get(Product, store["product_id"])
        assert product is not None
        product.images = ["/static/favicon.svg", "/static/second.svg"]
    page = _page(browser, DESKTOP)
    page.goto(f"{store['base']}/c/{store['category_id']}")
    expect(page.get_by_test_id("tile-image")).to_have_attribute("src", "/static/favicon.svg")
    assert faults(page) == []
    page.goto(f"{store['base']}/p/{store['product_id']}")
    expect(page.get_by_test_id("product-image")).to_have_attribute("src", "/static/favicon.svg")
    with app.server.database.transaction() as session:
        product = session.get(Product, store["product_id"])
        assert product is not None
        product.images = []
    page.context.close()
