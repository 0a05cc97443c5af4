"""A consumer pays a pre-sale deposit on a phone, and later the balance, in headless Chromium."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import order_builders, presale_builders
from tests.browser.live import App

from newretail.members import otp

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
    sent = [line for line in logged if line["event"] == "otp_sent"]
    buyer.get_by_label("Code from the text message").fill(sent[-1]["code"])
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
