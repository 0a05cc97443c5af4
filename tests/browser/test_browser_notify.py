"""A guide writes to a member from the workbench; the member reads and answers under "my
guide" in the cloud store; the guide sees the answer. On a phone, without layout faults."""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests import member_builders as mb
from tests.browser.live import App
from tests.browser.test_browser_console import log_in
from tests.browser.test_browser_layouts import faults

from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.schemas import Consents
from newretail.notify.channels import sms

pytestmark = pytest.mark.browser
PHONES = {"phone": "13955550123", "desktop": "13955550124"}
SHOTS = os.environ.get("NEWRETAIL_SCREENSHOTS")
PHONE_SCREEN = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _member(app: App, phone: str) -> int:
    database = app.server.database
    world = app.world
    consumer_id = mb.consumer(database, phone)
    outcome = mb.scan(
        database, world.brand.id, consumer_id, world.east_store.id, world.east_guide.id
    )
    with database.transaction() as session:
        members_service.update_consents(
            session=session,
            scope=SYSTEM,
            member_id=outcome.member_id,
            consents=Consents(marketing=True),
        )
    return outcome.member_id


@pytest.mark.parametrize("viewport", [PHONE_SCREEN, DESKTOP], ids=["phone", "desktop"])
def test_a_guide_and_a_member_talk_through_the_workbench_and_my_guide(
    browser: Any, app: App, viewport: dict[str, int]
) -> None:
    size = "phone" if viewport is PHONE_SCREEN else "desktop"
    phone = PHONES[size]
    member_id = _member(app, phone)
    guide = browser.new_context(locale="zh-CN", viewport=viewport)
    guide.set_default_timeout(10_000)
    g = guide.new_page()
    log_in(g, app, app.world.east_guide)
    g.goto(app.url + "/g/inbox")
    _shot(g, f"g-inbox-empty-{size}")
    submit(g, g.get_by_test_id("compose"))
    g.locator(f"input[name=member_{member_id}]").check()
    g.locator("#c-text").fill(f"新款大衣到了，M 码给您留着 ({size})")
    _shot(g, f"g-compose-{size}")
    submit(g, g.get_by_test_id("send"))
    expect(g.locator("[data-author=staff]").last).to_contain_text(f"({size})")
    assert faults(g) == []

    shopper = browser.new_context(locale="zh-CN", viewport=viewport)
    shopper.set_default_timeout(10_000)
    s = shopper.new_page()
    base = f"{app.url}/s/{app.world.brand.code}.{app.world.east_store.code}"
    s.goto(base + "/me")
    s.locator("input[name=phone]").fill(phone)
    submit(s, s.locator("button[name=action][value=send]").first)
    s.locator("input[name=otp]").fill(sms.SANDBOX.code_for(phone) or "")
    submit(s, s.locator("button[name=action][value=signin]"))
    expect(s.get_by_test_id("my-guide-unread")).to_be_visible()
    submit(s, s.get_by_test_id("my-guide-messages"))
    expect(s.locator("[data-author=staff]").last).to_contain_text(f"({size})")
    _shot(s, f"s-my-guide-{size}")
    s.locator("#reply-text").fill(f"好的，周六来试 ({size})")
    submit(s, s.get_by_test_id("send"))
    expect(s.locator("[data-author=consumer]").last).to_contain_text(f"周六来试 ({size})")
    assert faults(s) == []
    _shot(s, f"s-my-guide-answered-{size}")
    s.goto(base + "/me/notices")
    expect(s.get_by_test_id("notices")).to_contain_text(f"M 码给您留着 ({size})")
    assert faults(s) == []
    _shot(s, f"s-my-notices-{size}")

    g.reload()
    expect(g.locator("[data-author=consumer]").last).to_contain_text(f"周六来试 ({size})")
    _shot(g, f"g-conversation-{size}")
    g.goto(app.url + "/g/inbox")
    expect(g.get_by_test_id("notices")).to_contain_text(f"周六来试 ({size})")
    expect(g.get_by_test_id("conversation-unread").first).to_be_visible()
    assert faults(g) == []
    _shot(g, f"g-inbox-{size}")
    guide.close()
    shopper.close()
