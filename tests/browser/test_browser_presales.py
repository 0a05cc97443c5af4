"""The pre-sale board and the dunning list in headless Chromium, in Chinese."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import order_builders, presale_builders
from tests.browser.live import App
from tests.browser.test_browser_console import log_in

pytestmark = pytest.mark.browser


def test_hq_sees_paid_deposits_per_store_and_sku_on_the_board(page: Any, app: App) -> None:
    shop = order_builders.shop(app.server.database)
    presale_id = presale_builders.presale(app.server.database, shop)
    presale_builders.paid_deposit(app.server.database, shop, presale_id, quantity=2)
    presale_builders.paid_deposit(app.server.database, shop, presale_id)
    log_in(page, app, shop.world.admin)
    page.get_by_role("link", name="预售看板").click()
    row = page.locator(f'tr[data-store="{shop.world.east_store.code}"]')
    expect(page.get_by_role("heading", name="预售看板")).to_be_visible()
    expect(row.get_by_test_id("units")).to_have_text("3")
    expect(page.get_by_test_id("total-deposits")).to_have_text("2")


def test_the_dunning_list_is_linked_and_says_when_nothing_is_owed(page: Any, app: App) -> None:
    shop = order_builders.shop(app.server.database)
    log_in(page, app, shop.world.admin)
    page.get_by_role("link", name="催收名单").click()
    expect(page.get_by_role("heading", name="催收名单")).to_be_visible()
    expect(page.locator("body")).to_contain_text("没有需要跟进的欠款")
