"""The console home in Chromium: its figures equal the orders' sums and every chart is drawn."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests import builders, dashboard_builders, order_builders
from tests.browser.live import App

from newretail.db import utcnow
from newretail.kernel.reporting import day_bounds

pytestmark = pytest.mark.browser

# Share of a chart's canvas that must be painted: axes alone or a blank box would not reach it.
PAINTED_SHARE = 0.01
PAINTED = """(box) => {
  const canvas = box.querySelector("canvas");
  if (!canvas) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
  return painted / (canvas.width * canvas.height);
}"""


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def test_the_dashboard_shows_the_orders_sums_and_draws_every_chart(
    browser: Any, app: App, tmp_path: Path
) -> None:
    database = app.server.database
    shop = order_builders.shop(database)
    guide = shop.world.east_guide.id
    for channel in ("cloud_store", "online", "cloud_store"):
        dashboard_builders.paid_order(database, shop, channel=channel, guide_id=guide)
    start = day_bounds(utcnow(), shop.world.brand.timezone, 1)[0]
    sums = dashboard_builders.sums_since(database, shop.world.brand.id, start)
    context = browser.new_context(
        locale="en-US", viewport={"width": 1440, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(app.url + "/login")
    page.get_by_label("Username").fill(shop.world.admin.username)
    page.get_by_label("Password").fill(builders.PASSWORD)
    submit(page, page.get_by_role("button", name="Log in"))
    submit(page, page.get_by_role("link", name="Today"))

    sales = page.get_by_test_id("figure-0").locator('[data-period="today"] dd')
    orders = page.get_by_test_id("figure-1").locator('[data-period="today"] dd')
    expect(sales).to_have_attribute("data-amount", str(sums.sales))
    expect(orders).to_have_text(str(sums.orders))
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(5)
    expect(page.locator("[data-chart][data-drawn='1']")).to_have_count(5)
    painted = [charts.nth(i).evaluate(PAINTED) for i in range(5)]
    channel_table = page.get_by_test_id("numbers-channels")
    page.get_by_test_id("chart-channels").locator("summary").click()
    shown = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).get_attribute("data-amount")
        for row in channel_table.locator("tbody tr").all()
    }
    with page.expect_download() as download:
        page.get_by_test_id("csv-channels").click()
    saved = tmp_path / "channels.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    context.close()

    assert sums.orders == 3
    assert all(share > PAINTED_SHARE for share in painted), painted
    assert shown == {
        "Cloud store": str(sums.by_channel["cloud_store"]),
        "Online flagship": str(sums.by_channel["online"]),
    }
    assert lines[1:] == [
        f"Cloud store,{Decimal(sums.by_channel['cloud_store']).scaleb(-2)},2",
        f"Online flagship,{Decimal(sums.by_channel['online']).scaleb(-2)},1",
    ]
    assert errors == []  # a style or script blocked by the page's policy would show here


def test_the_dashboard_fits_a_phone_without_overflowing(browser: Any, app: App) -> None:
    database = app.server.database
    shop = order_builders.shop(database)
    dashboard_builders.paid_order(database, shop)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(app.url + "/login")
    page.get_by_label("用户名").fill(shop.world.admin.username)
    page.get_by_label("密码").fill(builders.PASSWORD)
    submit(page, page.get_by_role("button", name="登录"))
    expect(page.locator("[data-chart][data-drawn='1']").first).to_be_visible()

    widest = page.evaluate("document.documentElement.scrollWidth")
    boxes = page.locator(".kpi, .chart-card, .watch__item").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    context.close()

    assert widest <= 390
    assert all(left >= 0 and right <= 390 for left, right in boxes), boxes
