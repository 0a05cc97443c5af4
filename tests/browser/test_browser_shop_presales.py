"""A consumer pays a pre-sale deposit on a phone, and later the balance, in headless Chromium."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import order_builders, presale_builders
from tests.browser.live import App
from tests.browser.test_browser_layouts import CHECK

from newretail.config import Settings
from newretail.members import otp
from newretail.notify.channels import sms
from newretail.web import security
from newretail.web.shop_orders import SHOPPER_COOKIE

pytestmark = pytest.mark.browser
PHONE = "13955557777"


def submit(page: Any, target: Any) -> None:
    with page.expect_navigation():
        target.click()


def test_a_consumer_pays_a_deposit_and_later_the_balance(
    browser: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[dict[str, str]] = []
    monkeypatch.setattr(
        otp.log, "info", lambda event, **fields: logged.append({"event": event, **fields})
    )
    database = app.server.database
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(10_000)
    buyer = phone.new_page()

    buyer.goto(base)
    submit(buyer, buyer.locator(f'[data-testid="presale-card"][data-presale="{presale_id}"]'))
    expect(buyer.get_by_role("heading", name="Double 11")).to_be_visible()
    submit(buyer, buyer.get_by_test_id("to-deposit"))
    buyer.get_by_label("Mobile number").fill(PHONE)
    submit(buyer, buyer.get_by_role("button", name="Send me a code"))
    buyer.get_by_label("Code from the text message").fill(sms.SANDBOX.code_for(PHONE) or "")
    submit(buyer, buyer.get_by_role("button", name="Sign in"))
    buyer.get_by_label("Units").select_option("1")
    submit(buyer, buyer.get_by_test_id("pay-deposit"))
    expect(buyer.get_by_test_id("pay")).to_contain_text("¥100.00")
    submit(buyer, buyer.get_by_test_id("pay-succeed"))
    expect(buyer.get_by_test_id("order-status")).to_have_attribute("data-status", "paid")

    presale_builders.dispatch(database)  # the deposit follows its paid order
    buyer.goto(f"{base}/presales")
    deposit = buyer.get_by_test_id("my-deposit")
    expect(deposit).to_have_attribute("data-status", "deposited")
    submit(buyer, deposit.get_by_test_id("pay-balance"))
    expect(buyer.get_by_test_id("pay")).to_contain_text("¥449.00")
    submit(buyer, buyer.get_by_test_id("pay-succeed"))
    expect(buyer.get_by_test_id("order-status")).to_have_attribute("data-status", "allocated")
    presale_builders.dispatch(database)  # the deposit follows its paid order
    buyer.goto(f"{base}/presales")
    expect(buyer.get_by_test_id("my-deposit")).to_have_attribute("data-status", "completed")
    expect(buyer.get_by_test_id("deposit-status")).to_have_text("Balance paid")
    phone.close()


SHOP_TEXT = (
    ".presale-terms dd, .presale-terms dt, .presale-item__delivery, .check span, "
    ".field__label, .shop-note, .shop-page__title, .shop-line__title"
)
WIDTHS = ((390, 844), (1440, 900))


def shop_faults(page: Any) -> list[str]:
    found: list[str] = page.evaluate(CHECK, SHOP_TEXT)
    return found


def test_a_consumer_has_the_pre_sale_shipped_then_changes_to_a_courier(
    browser: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[dict[str, str]] = []
    monkeypatch.setattr(
        otp.log, "info", lambda event, **fields: logged.append({"event": event, **fields})
    )
    database = app.server.database
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(
        database, shop, delivery_methods=["pickup", "ship", "same_city"]
    )
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(10_000)
    buyer = phone.new_page()

    buyer.goto(f"{base}/presale/{presale_id}")
    expect(buyer.get_by_test_id("delivery-methods")).to_have_text(
        "Pickup in store · Parcel · Same-city delivery"
    )
    submit(buyer, buyer.get_by_test_id("to-deposit"))
    buyer.get_by_label("Mobile number").fill("13955558888")
    submit(buyer, buyer.get_by_role("button", name="Send me a code"))
    buyer.get_by_label("Code from the text message").fill(sms.SANDBOX.code_for("13955558888") or "")
    submit(buyer, buyer.get_by_role("button", name="Sign in"))
    address = buyer.get_by_test_id("delivery-address")
    expect(address).to_be_hidden()  # pickup is chosen: no address asked
    buyer.get_by_label("Parcel to my address").check()
    expect(address).to_be_visible()
    buyer.get_by_label("Recipient", exact=True).fill("Li Lei")
    buyer.get_by_label("Phone", exact=True).fill("139 1234 5678")
    buyer.get_by_label("Address", exact=True).fill("88 Nanjing Road")
    buyer.get_by_label("City", exact=True).fill("Shanghai")
    assert shop_faults(buyer) == []
    submit(buyer, buyer.get_by_test_id("pay-deposit"))
    expect(buyer.get_by_test_id("pay")).to_contain_text("¥100.00")
    submit(buyer, buyer.get_by_test_id("pay-succeed"))

    buyer.goto(f"{base}/presales")
    expect(buyer.get_by_test_id("delivery-summary")).to_have_text(
        "Parcel: Li Lei, 88 Nanjing Road, Shanghai"
    )
    submit(buyer, buyer.get_by_test_id("change-delivery"))
    expect(buyer.get_by_label("Recipient", exact=True)).to_have_value("Li Lei")
    buyer.get_by_label(f"Same-city courier from {shop.world.east_store.name}").check()
    expect(buyer.get_by_label("City", exact=True)).to_be_hidden()  # a courier's city is the store's
    submit(buyer, buyer.get_by_test_id("save-delivery"))
    expect(buyer.get_by_test_id("delivery-summary")).to_have_attribute("data-method", "same_city")
    expect(buyer.get_by_test_id("delivery-summary")).to_contain_text("Same-city delivery")
    phone.close()


def test_the_pre_sale_delivery_pages_have_no_layout_faults(browser: Any, app: App) -> None:
    database = app.server.database
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(
        database, shop, delivery_methods=["pickup", "ship", "same_city"]
    )
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    owner = presale_builders.owner_scope(database, deposit_id)
    secret = Settings(database_url=database.url).secret_key
    cookie = security.sign(secret, "shopper", {"consumer_id": owner.actor_id})
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    pages = (f"/presale/{presale_id}", "/presales")
    forms = (
        f"/presale/{presale_id}/deposit?sku={shop.skus[0]}",
        f"/presales/{deposit_id}/delivery",
    )
    for width, height in WIDTHS:
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        context.add_cookies([{"name": SHOPPER_COOKIE, "value": cookie, "url": app.url}])
        page = context.new_page()
        found = []
        for path in pages:
            page.goto(base + path)
            found += [(width, path, fault) for fault in shop_faults(page)]
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
        for path in forms:
            page.goto(base + path)
            page.get_by_test_id("method-ship").check()  # the address fields shown too
            found += [(width, path, fault) for fault in shop_faults(page)]
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
        assert found == []
        context.close()
