"""A guide opens their QR code on a phone: the badge's image is shown, scannable size."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import code_builders as cb
from tests.browser.live import App
from tests.browser.test_browser_console import log_in

pytestmark = pytest.mark.browser
MIN_QR_PIXELS = 240


def test_a_guide_sees_their_badge_qr_code_large_on_a_phone(browser: Any, app: App) -> None:
    code = cb.badge(app.server.database, app.world.east_guide.id)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, app.world.east_guide)
    page.get_by_role("link", name="我的二维码").click()

    qr = page.locator("img[data-qr]")
    expect(qr).to_be_visible()
    expect(page.locator("[data-code]")).to_have_text(code)
    expect(page.locator("#badge-url")).to_have_value(f"{app.url}/c/{code}")
    # visible is not loaded: the image's bytes may still be on their way
    page.wait_for_function(
        "() => { const img = document.querySelector('img[data-qr]');"
        " return img !== null && img.complete && img.naturalWidth > 0; }"
    )
    box = qr.bounding_box()
    context.close()
    assert box is not None
    assert min(box["width"], box["height"]) >= MIN_QR_PIXELS
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
