"""Commission pages in Chromium: the guide's earnings on a phone and the desktop, and the
console's close → approve by another admin → mark paid, with no layout faults."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests import settlement_builders as cb
from tests.browser.live import App
from tests.browser.test_browser_console import log_in, submit
from tests.browser.test_browser_layouts import CHECK

from newretail.db import utcnow

pytestmark = pytest.mark.browser
TEXT = (
    ".facts dd, .facts dt, td, th, .page-title, .card__title, .table__sub, .stats dd,"
    " .cm-line__title, .cm-line__amount, .cm-board__name, .cm-board__amount, .btn"
)
WIDTHS = ((390, 844), (1440, 900))
SHOTS = os.environ.get("NEWRETAIL_SCREENSHOTS")
LONG_TITLE = "女子修身高弹速干瑜伽训练长袖上衣 限定配色 加长款"


def faults(page: Any) -> list[str]:
    found: list[str] = page.evaluate(CHECK, TEXT)
    return found


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def ledger(app: App) -> dict[str, Any]:
    """A weekly schedule begun three weeks ago and lines of every kind for the east guide."""
    database, world = app.server.database, app.world
    now = utcnow()
    cb.schedule(
        database, world.brand.id, starts_on=(now - timedelta(days=21)).date(), every_days=7, now=now
    )
    released = now - timedelta(days=20)
    guide, brand = world.east_guide.id, world.brand.id
    cb.entry(
        database,
        brand,
        guide_id=guide,
        amount=12345,
        release_at=released,
        title=LONG_TITLE,
        quantity=2,
        base=246900,
        order_number="NR20261206000123",
    )
    cb.entry(
        database,
        brand,
        guide_id=guide,
        amount=-2000,
        release_at=released,
        reason="return",
        rate_bp=None,
        fixed=2000,
        cap=5000,
    )
    cb.entry(
        database,
        brand,
        guide_id=guide,
        amount=800,
        release_at=None,
        reason="cpa_join",
        rate_bp=None,
        fixed=800,
        earned_at=now,
    )
    cb.entry(
        database,
        brand,
        guide_id=guide,
        amount=500,
        release_at=released,
        reason="split",
        share_bp=5000,
        earned_at=now,
    )
    cb.entry(
        database,
        brand,
        store_id=world.west_store.id,
        amount=90000,
        release_at=released,
        reason="store_fulfilling",
    )
    return {"checker": cb.second_admin(database, brand)}


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_guide_reads_their_earnings_without_layout_faults(
    browser: Any, app: App, ledger: dict[str, Any], width: int, height: int
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, app.world.east_guide)
    submit(page, page.get_by_role("link", name="收益"))
    expect(page.locator(".g-hero__title")).to_have_text("我的收益")
    expect(page.locator("[data-testid=earning-lines] .cm-line")).to_have_count(4)
    expect(page.locator("[data-testid=earning-lines]")).to_contain_text("你的分成 50%")
    expect(page.locator("[data-testid=store-board]")).to_contain_text("（你）")
    _shot(page, f"guide-earnings-{width}")
    found = faults(page)
    context.close()
    assert found == []


def test_close_approve_by_another_admin_and_pay(
    browser: Any, app: App, ledger: dict[str, Any]
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, app, app.world.admin)
    page.goto(app.url + "/console/commission/settlement")
    _shot(page, "settlement-1440")
    assert faults(page) == []
    submit(page, page.locator("[data-testid=close-period]").first)
    expect(page.locator(".flash")).to_contain_text("周期已关账")
    expect(page.locator("[data-testid=statements]")).to_contain_text("由你编制")
    _shot(page, "period-1440")
    assert faults(page) == []
    statements_url = page.url
    page.get_by_role("button", name="退出").click()
    log_in(page, app, ledger["checker"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(statements_url)
    _shot(page, "statements-390")
    assert faults(page) == []
    submit(page, page.locator("[data-testid=approve]").first)
    expect(page.locator(".flash")).to_contain_text("结算单已审批")
    submit(page, page.locator("[data-testid=mark-paid]").first)
    expect(page.locator(".flash")).to_contain_text("已标记为已支付")
    expect(page.locator("[data-testid=statements]")).to_contain_text("已支付")
    page.locator("[data-testid=statements] a").first.click()
    expect(page.locator("[data-testid=statement-summary]")).to_be_visible()
    _shot(page, "statement-390")
    assert faults(page) == []
    page.goto(app.url + "/console/commission/leaderboard?period=30d")
    _shot(page, "leaderboard-390")
    assert faults(page) == []
    page.goto(app.url + "/console/commission/settlement")
    _shot(page, "settlement-390")
    assert faults(page) == []
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app.url + "/console/commission/leaderboard?by=region&period=last_month")
    expect(page.locator("[data-testid=leaderboard]")).to_contain_text(app.world.east.name)
    _shot(page, "leaderboard-1440")
    assert faults(page) == []
    context.close()
