"""The guide's workbench on a phone and the guide handover in the console, in Chromium."""

from typing import Any

import pytest
from playwright.sync_api import expect
from tests import code_builders, order_builders, return_builders
from tests import member_builders as mb
from tests.browser.live import App
from tests.browser.test_browser_console import log_in, submit

from newretail.members import service as members_service
from newretail.touchpoints import service as touchpoints_service

pytestmark = pytest.mark.browser


def _member(app: App, phone: str, name: str, guide_id: int) -> int:
    database = app.server.database
    world = app.world
    consumer_id = mb.consumer(database, phone)
    outcome = mb.scan(database, world.brand.id, consumer_id, world.east_store.id, guide_id)
    with database.transaction() as session:
        members_service.set_consumer_name(
            session=session, consumer_id=consumer_id, display_name=name
        )
    return outcome.member_id


@pytest.fixture
def phone_page(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_guide_sees_only_their_members_with_masked_phones(phone_page: Any, app: App) -> None:
    other = mb.guide(app.server.database, app.world.brand.id, app.world.east_store.id)
    _member(app, "13812345678", "王思雨", app.world.east_guide.id)
    _member(app, "13987654321", "李娜", other.id)
    page = phone_page
    log_in(page, app, app.world.east_guide)
    expect(page).to_have_url(app.url + "/g")
    members = page.locator("[data-testid=members]")
    expect(members).to_contain_text("王思雨")
    expect(members).to_contain_text("138****5678")
    expect(members).not_to_contain_text("李娜")
    expect(page.locator("body")).not_to_contain_text("13812345678")

    page.get_by_role("link", name="王思雨").click()
    expect(page.locator("[data-section=binding]")).to_contain_text("导购工牌码")
    expect(page.locator(".tabbar")).to_be_visible()


def test_a_store_manager_hands_a_leaving_guides_members_to_a_colleague(page: Any, app: App) -> None:
    database = app.server.database
    leaving = mb.guide(database, app.world.brand.id, app.world.east_store.id)
    colleague = mb.guide(database, app.world.brand.id, app.world.east_store.id)
    for n in range(3):
        _member(app, f"1367777000{n}", f"会员{n}", leaving.id)
    log_in(page, app, app.world.east_store_manager)
    page.get_by_role("link", name="导购离职交接").click()
    page.locator(f'[data-testid=leaving-guides] [data-guide="{leaving.id}"]').click()
    page.locator(f'[data-testid=targets] [data-target="{colleague.id}"]').click()
    expect(page.locator("[data-testid=preview]")).to_contain_text("3 位会员将转给")
    submit(page, page.get_by_role("button", name="转移会员"))
    expect(page.locator("[data-flash]")).to_contain_text("3 位会员")
    expect(page.locator("[data-testid=members]")).to_contain_text("会员1")


def test_a_guide_reads_a_members_orders_and_scans_on_a_phone(phone_page: Any, app: App) -> None:
    database = app.server.database
    shop = order_builders.shop(database)
    member_id = mb.member(database, shop.world)
    code = code_builders.code(database, shop.store_id, "poster")
    with database.transaction() as session:
        touchpoints_service.scan(
            session=session, code=code, consumer_id=mb.consumer_of(database, member_id)
        )
    return_builders.received_order(database, shop, member_id=member_id, channel="pos")
    page = phone_page
    log_in(page, app, shop.world.east_guide)
    page.goto(f"{app.url}/g/members/{member_id}")
    activity = page.locator("[data-section=activity]")
    expect(activity).to_be_visible()
    expect(activity).to_contain_text("门店收银")
    expect(activity).to_contain_text(f"扫码 {code}")
    expect(activity.locator(".timeline__item")).to_have_count(2)
