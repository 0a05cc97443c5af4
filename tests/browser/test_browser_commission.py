"""Commission plans in the console, in headless Chromium: HQ sets up a split plan, a rule, is
told which rule an overlapping one clashes with, and the tester explains what a sale earns;
the pages lay out at phone and desktop size."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import member_builders
from tests.browser.live import App
from tests.browser.test_browser_console import log_in
from tests.browser.test_browser_layouts import WIDTHS, faults

pytestmark = pytest.mark.browser


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def test_hq_sets_up_a_plan_and_the_tester_explains_a_sale(browser: Any, app: App) -> None:
    world = app.world
    referrer = member_builders.guide(app.server.database, world.brand.id, world.east_store.id)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, world.admin)
    page.goto(app.url + "/console/commission")
    expect(page.get_by_role("link", name="佣金", exact=True)).to_be_visible()
    form = page.get_by_test_id("plan-form")
    form.get_by_label("名称").fill("春季方案")
    form.get_by_label("计佣对象").select_option("split")
    form.get_by_label("分成时专属导购占比（百分比）").fill("60")
    form.get_by_label("设为生效方案").check()
    submit(page, form.get_by_role("button", name="创建方案"))
    expect(page.locator("[data-flash]")).to_contain_text("春季方案")

    rule = page.get_by_test_id("rule-form")
    rule.get_by_label("名称").fill("基础提成")
    rule.get_by_label("比例（百分比）").fill("10")
    rule.get_by_label("每行封顶（¥）").fill("5")
    submit(page, rule.get_by_role("button", name="添加规则"))
    expect(page.locator('tr[data-rule="基础提成"]')).to_contain_text("10 %")

    rule = page.get_by_test_id("rule-form")
    rule.get_by_label("名称").fill("促销提成")
    rule.get_by_label("比例（百分比）").fill("12")
    submit(page, rule.get_by_role("button", name="添加规则"))
    expect(page.locator(".alert, [role=alert]").first).to_contain_text("基础提成")
    expect(page.locator(".alert, [role=alert]").first).to_contain_text("促销提成")
    assert page.locator('tr[data-rule="促销提成"]').count() == 0

    tester = page.get_by_test_id("tester")
    tester.get_by_label("实付金额（¥）").fill("100")
    tester.get_by_label("销售门店").select_option(str(world.east_store.id))
    tester.get_by_label("会员专属导购").select_option(str(world.east_guide.id))
    tester.get_by_label("推荐导购").select_option(str(referrer.id))
    submit(page, tester.get_by_role("button", name="测试"))
    result = page.get_by_test_id("tester-result")
    expect(result.locator("tbody tr")).to_have_count(2)
    expect(result).to_contain_text("封顶")
    expect(result).to_contain_text("分成占 60 %")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert faults(page) == []
    page.goto(app.url + "/console/commission")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert faults(page) == []
    context.close()


def test_a_guide_level_is_set_on_the_staff_page(browser: Any, app: App) -> None:
    world = app.world
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, world.admin)
    page.goto(f"{app.url}/console/staff/{world.east_guide.id}")
    level = page.get_by_test_id("guide-level")
    level.get_by_label("等级").select_option("senior")
    submit(page, level.get_by_role("button", name="保存等级"))
    expect(page.get_by_test_id("guide-level")).to_contain_text("高级导购")
    assert faults(page) == []
    context.close()
