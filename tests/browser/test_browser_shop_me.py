"""The cloud store's "me" page on a phone: sign in from the tab bar, join with one tap, and the
member card (with its QR code) fits the screen without layout faults."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import order_builders
from tests.browser.live import App
from tests.browser.test_browser_layouts import faults

from newretail.members import otp
from newretail.notify.channels import sms

pytestmark = pytest.mark.browser
PHONE = "13955557777"


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def test_the_me_page_signs_in_joins_and_shows_the_member_card_on_a_phone(
    browser: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[dict[str, str]] = []
    monkeypatch.setattr(
        otp.log, "info", lambda event, **fields: logged.append({"event": event, **fields})
    )
    shop = order_builders.shop(app.server.database)
    base = f"{app.url}/s/{shop.world.brand.code}.{shop.world.east_store.code}"
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(base)
    submit(page, page.get_by_test_id("tab-me"))
    page.locator("input[name=phone]").fill(PHONE)
    submit(page, page.locator("button[name=action][value=send]").first)
    page.locator("input[name=otp]").fill(sms.SANDBOX.code_for(PHONE) or "")
    submit(page, page.locator("button[name=action][value=signin]"))

    expect(page.get_by_test_id("me")).to_be_visible()
    expect(page.get_by_test_id("tab-me")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("join-prompt")).to_be_visible()
    assert faults(page) == []

    submit(page, page.get_by_test_id("join"))
    expect(page.locator("[data-flash]")).to_contain_text(shop.world.brand.name)
    expect(page.get_by_test_id("member-card")).to_be_visible()
    expect(page.get_by_test_id("join-prompt")).to_have_count(0)
    qr = page.get_by_test_id("member-qr").bounding_box()
    card = page.get_by_test_id("member-card").bounding_box()
    assert qr is not None and card is not None
    assert qr["width"] >= 120 and qr["x"] + qr["width"] <= card["x"] + card["width"]
    assert faults(page) == []
    context.close()
