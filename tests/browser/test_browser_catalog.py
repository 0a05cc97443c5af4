"""The cloud store and the console's catalog and stock screens in headless Chromium."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from tests import shop_builders
from tests.browser.live import LiveServer
from tests.browser.test_browser_console import log_in
from tests.passwords import cheap_hashing

pytestmark = pytest.mark.browser


class ShopApp:
    def __init__(self, server: LiveServer, shop: shop_builders.Shop) -> None:
        self.server, self.shop, self.world = server, shop, shop.world

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopApp]:
    with cheap_hashing():
        server = LiveServer(tmp_path_factory.mktemp("browser-shop")).start()
        try:
            yield ShopApp(server, shop_builders.shop(server.database))
        finally:
            server.stop()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized browser whose language is Chinese."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_consumer_goes_from_the_home_page_to_a_product(phone: Any, app: ShopApp) -> None:
    shop = app.shop
    phone.goto(f"{app.url}/s/{shop.east_code}?ref=G-7")
    expect(phone.get_by_test_id("store-card")).to_contain_text(shop.world.east_store.name)
    phone.locator(".store-cats").get_by_role("link", name="鞋履").click()
    expect(phone.get_by_role("heading", name="鞋履")).to_be_visible()
    phone.get_by_test_id("product").first.click()
    expect(phone.get_by_role("heading", name="疾风 3 竞速跑鞋")).to_be_visible()
    expect(phone.get_by_test_id("price")).to_contain_text("¥799.00")
    expect(phone.get_by_test_id("stock-here")).to_have_text("本店有货 5 件")
    assert "ref=G-7" in phone.url


def test_choosing_a_sku_sold_out_here_shows_where_it_can_come_from(
    phone: Any, app: ShopApp
) -> None:
    shop = app.shop
    phone.goto(f"{app.url}/s/{shop.east_code}/p/{shop.product.id}")
    phone.locator(f'[data-sku="{shop.white.id}"]').click()
    expect(phone.get_by_test_id("stock-here")).to_have_text("本店售罄")
    expect(phone.get_by_test_id("elsewhere")).to_contain_text(shop.world.west_store.name)
    expect(phone.get_by_test_id("price")).to_contain_text("¥899.00")


def test_the_cloud_store_switches_to_english(phone: Any, app: ShopApp) -> None:
    phone.goto(f"{app.url}/s/{app.shop.east_code}/p/{app.shop.product.id}")
    with phone.expect_navigation():
        phone.get_by_role("button", name="English").click()
    expect(phone.get_by_test_id("stock-here")).to_have_text("5 in stock")
    expect(phone.locator("html")).to_have_attribute("lang", "en")


def test_a_brand_admin_finds_a_product_and_its_store_prices(page: Any, app: ShopApp) -> None:
    shop = app.shop
    log_in(page, app, shop.world.admin)  # type: ignore[arg-type]
    page.locator(".app-nav").get_by_role("link", name="商品").click()
    page.get_by_label("搜索商品").fill("疾风")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name="疾风 3 竞速跑鞋").click()
    expect(page.locator(f'tr[data-sku="{shop.black.code}"]')).to_contain_text("¥899.00")
    page.locator(".app-nav").get_by_role("link", name="门店价格").click()
    page.get_by_label("门店").select_option(str(shop.world.east_store.id))
    with page.expect_navigation():
        page.get_by_role("button", name="查看").click()
    row = page.locator(f'tr[data-sku="{shop.black.code}"]')
    expect(row.get_by_test_id("price")).to_contain_text("¥799.00")
    expect(row.get_by_test_id("price")).to_contain_text("门店")


def test_a_store_manager_reads_stock_and_its_movements(page: Any, app: ShopApp) -> None:
    shop = app.shop
    log_in(page, app, shop.world.east_store_manager)  # type: ignore[arg-type]
    page.locator(".app-nav").get_by_role("link", name="库存").click()
    row = page.locator(f'tr[data-sku="{shop.black.code}"]')
    expect(row.get_by_test_id("on-hand")).to_have_text("5")
    row.get_by_role("link", name="库存流水").click()
    expect(page.locator('tr[data-kind="receipt"]')).to_contain_text("+5")
