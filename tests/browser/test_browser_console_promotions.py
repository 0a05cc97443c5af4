"""Promotion screens in headless Chromium: HQ makes a spend-and-save promotion and a coupon
through the forms (the form shows the fields of the kind chosen), reads the redemption
report; the platform operator assembles a coupon package, reads why each candidate is in or
out and publishes it. Every page lays out at phone and desktop size."""

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.live import App
from tests.browser.test_browser_console import log_in
from tests.browser.test_browser_layouts import WIDTHS, faults

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.promotions import service as promotions_service
from newretail.promotions.schemas import TemplateCreate

pytestmark = pytest.mark.browser


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def laid_out(page: Any) -> list[str]:
    found = []
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        found += [f"{width}: {fault}" for fault in faults(page)]
    return found


def _template(database: Database, brand_id: int, name: str, amount: int) -> int:
    data = TemplateCreate.model_validate(
        {
            "brand_id": brand_id,
            "name": name,
            "kind": "fixed",
            "terms": {"amount": amount},
            "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
            "valid_days": 30,
        }
    )
    with database.transaction() as session:
        return promotions_service.create_template(session=session, scope=SYSTEM, data=data).id


def test_hq_makes_a_promotion_and_a_coupon_and_reads_the_report(browser: Any, app: App) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, app.world.admin)
    page.goto(app.url + "/console/promotions")
    submit(page, page.get_by_test_id("new-promotion"))
    form = page.get_by_test_id("promotion-form")
    form.locator("[name=kind]").select_option("nth_item")
    expect(form.locator("[name=every]")).to_be_visible()
    expect(form.locator("[name=tier_spend_1]")).to_be_hidden()
    form.locator("[name=kind]").select_option("spend_save")
    expect(form.locator("[name=tier_spend_1]")).to_be_visible()
    form.locator("[name=name]").fill("跑鞋满 599 减 100")
    form.locator("[name=tier_spend_1]").fill("599")
    form.locator("[name=tier_off_1]").fill("100")
    form.locator("[name=starts_at]").fill("2026-01-01T10:00")
    form.locator("[name=channel_cloud_store]").check()
    submit(page, form.get_by_role("button", name="创建促销"))
    expect(page.locator("[data-flash]")).to_contain_text("跑鞋满 599 减 100")
    expect(page.get_by_test_id("promotions")).to_contain_text("满 ¥599.00 减 ¥100.00")
    assert laid_out(page) == []

    page.goto(app.url + "/console/coupons/new")
    form = page.get_by_test_id("coupon-form")
    form.locator("[name=name]").fill("满 300 减 30")
    form.locator("[name=kind]").select_option("threshold")
    form.locator("[name=amount]").fill("30")
    form.locator("[name=threshold]").fill("300")
    form.locator("[name=starts_at]").fill("2026-01-01T10:00")
    form.locator("[name=total_quantity]").fill("100")
    submit(page, form.get_by_role("button", name="创建优惠券"))
    expect(page.get_by_test_id("coupon-templates")).to_contain_text("满 ¥300.00 可用，减 ¥30.00")
    assert laid_out(page) == []
    page.goto(app.url + "/console/coupons/report")
    expect(page.get_by_test_id("report-templates")).to_contain_text("满 300 减 30")
    assert laid_out(page) == []
    context.close()


def test_the_operator_reviews_a_package_and_publishes_it(browser: Any, app: App) -> None:
    database = app.server.database
    brand_id = app.world.brand.id
    big = _template(database, brand_id, "床品立减 50 元", 5_000)
    small = _template(database, brand_id, "床品立减 10 元", 1_000)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, app.platform_admin)
    page.goto(app.url + "/console/packages")
    submit(page, page.get_by_test_id("new-package"))
    form = page.get_by_test_id("package-form")
    form.locator("[name=name]").fill("家装季券包")
    form.locator("[name=kind]").select_option("industry")
    form.locator("[name=budget]").fill("80")
    form.locator("[name=starts_at]").fill("2026-01-01T10:00")
    form.locator(f"[name=template_{big}]").check()
    form.locator(f"[name=template_{small}]").check()
    assert laid_out(page) == []
    submit(page, form.get_by_role("button", name="组包"))
    expect(page.get_by_test_id("picked")).to_contain_text("床品立减 50 元")
    expect(page.get_by_test_id("left-out")).to_contain_text("同品牌有更优的权益：床品立减 50 元")
    assert laid_out(page) == []
    submit(page, page.get_by_test_id("publish-package"))
    expect(page.locator("[data-flash]")).to_contain_text("已发布")
    page.goto(app.url + "/console/packages")
    expect(page.get_by_test_id("packages")).to_contain_text("已发布")
    assert laid_out(page) == []
    context.close()
