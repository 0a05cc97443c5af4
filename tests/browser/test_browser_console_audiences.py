"""Audience screens in headless Chromium: HQ makes an audience from a segment, computes it from
the data bank, and sends its members a coupon and a message; a send larger than a chunk shows
its progress while the worker gives the rest, and the page reloads itself until it is done.
Every page lays out at phone and desktop size."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from tests import analytics_builders
from tests.browser.live import App
from tests.browser.test_browser_console import log_in
from tests.browser.test_browser_console_promotions import _template, laid_out, submit
from tests.warehouse_builders import PlantedWarehouse

from newretail.analytics.outreach import sending
from newretail.analytics.outreach.jobs import give_audience_sends
from newretail.config import Settings
from newretail.promotions.models import Coupon

pytestmark = pytest.mark.browser


def test_hq_makes_an_audience_and_sends_it_a_coupon_and_a_message(
    browser: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = app.server.database
    brand = app.world.brand.id
    keen = sorted(analytics_builders.member(database, brand, marketing=True) for _ in range(3))
    shy = analytics_builders.member(database, brand, marketing=False)
    coupon = _template(database, brand, "会员专享 10 元券", 1_000)
    warehouse = PlantedWarehouse()
    joined = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3)
    for member in keen:
        warehouse.member(brand, member, joined, marketing_consent=True)
    warehouse.member(brand, shy, joined, marketing_consent=False)
    app.server.app.state.analytics_warehouse = warehouse
    monkeypatch.setattr(sending, "CHUNK", 2)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, app, app.world.admin)

    with page.expect_navigation():
        page.get_by_role("link", name="人群").first.click()
    form = page.get_by_test_id("audience-form")
    form.locator("[name=name]").fill("近 7 天入会")
    form.locator("[name=segment]").select_option("new_members")
    form.locator("[name=days]").fill("7")
    submit(page, form.locator("button[type=submit]"))
    expect(page.get_by_test_id("audience-name")).to_have_text("近 7 天入会")
    expect(page.locator(".page-subtitle")).to_contain_text("近 7 天入会")
    submit(page, page.get_by_test_id("refresh"))
    expect(page.get_by_test_id("audience-size")).to_have_text("4 人")
    listed = laid_out(page)

    send = page.get_by_test_id("send-form")
    send.locator("[name=key]").fill("welcome")
    send.locator("[name=coupon_template]").select_option(str(coupon))
    submit(page, page.get_by_test_id("send"))
    # Two of the three who accept marketing are given it before the page answers.
    expect(page.locator("[data-flash]")).to_contain_text("3 位会员中已有 2 位收到")
    row = page.get_by_test_id("sends").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("发送中：2 / 3")
    refreshes = page.locator("meta[http-equiv=refresh]").count()
    running = laid_out(page)

    assert give_audience_sends(database, Settings(database_url=database.url)) == 1
    page.reload()
    expect(row).to_contain_text("已完成：3 / 3")
    expect(page.get_by_test_id("send-reached")).to_contain_text("3")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
    page.goto(app.url + "/console/audiences")
    expect(page.get_by_test_id("audiences").locator("tbody tr")).to_have_count(1)
    overview = laid_out(page)
    context.close()
    warehouse.close()
    with database.transaction(read_only=True) as session:
        coupons = session.scalar(
            select(func.count()).select_from(Coupon).where(Coupon.template_id == coupon)
        )

    assert refreshes == 1  # the page reloads itself while a send runs
    assert coupons == 3
    assert (listed, running, overview, errors) == ([], [], [], [])
