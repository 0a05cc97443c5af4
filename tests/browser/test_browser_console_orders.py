"""A consumer orders from a cloud store for pickup; the store's manager prepares it and hands
it over with the code the consumer shows."""

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests import builders, order_builders
from tests.browser.live import App

from newretail.catalog.models import Sku
from newretail.members import otp
from newretail.notify.channels import sms

pytestmark = pytest.mark.browser
PHONE = "13955556666"


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def test_a_pickup_ordered_on_a_phone_is_made_ready_and_handed_over_in_the_console(
    browser: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[dict[str, str]] = []
    monkeypatch.setattr(
        otp.log, "info", lambda event, **fields: logged.append({"event": event, **fields})
    )
    database = app.server.database
    shop = order_builders.shop(database)
    with database.transaction(read_only=True) as session:
        product_id = session.scalar(select(Sku.product_id).where(Sku.id == shop.skus[0]))
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"

    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(10_000)
    buyer = phone.new_page()
    buyer.goto(f"{base}/p/{product_id}?sku={shop.skus[0]}")
    submit(buyer, buyer.get_by_test_id("add-to-cart"))
    buyer.goto(f"{base}/cart")
    expect(buyer.get_by_test_id("qty")).to_have_text("1")
    submit(buyer, buyer.get_by_test_id("to-checkout"))
    buyer.get_by_label("Mobile number").fill(PHONE)
    submit(buyer, buyer.get_by_role("button", name="Send me a code"))
    buyer.get_by_label("Code from the text message").fill(sms.SANDBOX.code_for(PHONE) or "")
    submit(buyer, buyer.get_by_role("button", name="Sign in"))
    expect(buyer.get_by_test_id("method-pickup")).to_be_checked()
    submit(buyer, buyer.get_by_test_id("place-order"))
    submit(buyer, buyer.get_by_test_id("pay-succeed"))
    expect(buyer.get_by_test_id("order-status")).to_have_attribute("data-status", "allocated")
    order_id = buyer.url.split("/orders/")[1].split("?")[0]

    desk = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    desk.set_default_timeout(10_000)
    manager = desk.new_page()
    manager.goto(app.url + "/login")
    manager.get_by_label("Username").fill(shop.world.east_store_manager.username)
    manager.get_by_label("Password").fill(builders.PASSWORD)
    submit(manager, manager.get_by_role("button", name="Log in"))
    submit(manager, manager.get_by_role("link", name="Orders"))
    submit(manager, manager.locator(f'a[href="/console/orders/{order_id}"]'))
    submit(manager, manager.get_by_role("button", name="Mark ready for pickup"))
    expect(manager.locator("[data-flash]")).to_contain_text("The pickup is ready")

    buyer.reload()
    expect(buyer.get_by_test_id("order-status")).to_have_attribute("data-status", "ready")
    code = buyer.get_by_test_id("pickup-code").locator("strong").text_content() or ""

    manager.get_by_placeholder("Code the buyer shows").fill(code.strip())
    submit(manager, manager.get_by_role("button", name="Hand over"))
    expect(manager.locator("[data-flash]")).to_contain_text("The pickup was handed over.")
    expect(manager.get_by_test_id("order-status")).to_have_attribute("data-status", "completed")
    buyer.reload()
    expect(buyer.get_by_test_id("order-status")).to_have_attribute("data-status", "completed")
    phone.close()
    desk.close()
